"""ttcross.environments against dense references, and the new contract.py kernels."""

from __future__ import annotations

import numpy as np
import pytest

from ttcross import TensorTrain
from ttcross import contract as ct
from ttcross.environments import (
    absorb_environments,
    vector_environments,
    vector_environments_vjp,
    window_values,
    window_values_vjp,
)


def _cores(dims, ranks, seed, dtype=float):
    rng = np.random.default_rng(seed)
    shapes = [(ranks[k], dims[k], ranks[k + 1]) for k in range(len(dims))]
    cores = [rng.standard_normal(s) for s in shapes]
    if dtype is complex:
        cores = [c + 1j * rng.standard_normal(c.shape) for c in cores]
    return cores


def _dense_env(cores, vectors, k, from_left):
    """Product of the contracted mode matrices of modes 0..k-1 (left) or k..n-1 (right)."""
    mats = [np.tensordot(c, v, axes=(1, 0)) for c, v in zip(cores, vectors, strict=True)]
    chosen = mats[:k] if from_left else mats[k:]
    if not chosen:
        return np.ones(1)
    out = chosen[0]
    for m in chosen[1:]:
        out = out @ m
    return out.ravel()


@pytest.mark.parametrize("from_left", [True, False])
@pytest.mark.parametrize("given", [False, True])
def test_environments_match_dense_products(from_left, given):
    dims, ranks = [3, 4, 2, 3, 4], [1, 2, 3, 4, 2, 1]
    cores = _cores(dims, ranks, seed=0)
    rng = np.random.default_rng(1)
    vectors = [rng.standard_normal(d) for d in dims] if given else None
    envs, logs = vector_environments(cores, from_left=from_left, vectors=vectors)
    reference_vectors = vectors or [np.eye(d)[0] for d in dims]
    for k in range(len(dims) + 1):
        exact = _dense_env(cores, reference_vectors, k, from_left)
        np.testing.assert_allclose(np.exp(logs[k]) * envs[k], exact, rtol=1e-12, atol=1e-14)
        assert np.max(np.abs(envs[k])) == pytest.approx(1.0)


def test_environments_stay_finite_on_long_chains():
    cores = [np.full((1, 2, 1), 1e-30)] * 40
    envs, logs = vector_environments(cores, from_left=True)
    assert np.isfinite(envs[-1]).all() and envs[-1][0] == pytest.approx(1.0)
    assert logs[-1] == pytest.approx(40 * np.log(1e-30))


@pytest.mark.parametrize("from_left", [True, False])
@pytest.mark.parametrize("given", [False, True])
def test_environment_vjp_matches_finite_differences(from_left, given):
    dims, ranks = [3, 2, 4, 2], [1, 3, 2, 3, 1]
    cores = _cores(dims, ranks, seed=2)
    rng = np.random.default_rng(3)
    vectors = [rng.standard_normal(d) for d in dims] if given else None
    weights = [rng.standard_normal(r) for r in ranks]

    def scalar(cs):  # scale-invariant in each environment, as the chain rule assumes
        envs, _ = vector_environments(cs, from_left=from_left, vectors=vectors)
        return sum(float(w @ e) / float(e @ e) ** 0.5 for w, e in zip(weights, envs, strict=True))

    envs, logs = vector_environments(cores, from_left=from_left, vectors=vectors)
    norms = [float(e @ e) ** 0.5 for e in envs]
    direct = [w / s - (w @ e) * e / s**3 for w, e, s in zip(weights, envs, norms, strict=True)]
    core_bars, _ = vector_environments_vjp(
        cores, envs, logs, direct, from_left=from_left, vectors=vectors
    )
    eps = 1e-6
    for k in range(len(cores)):
        direction = rng.standard_normal(cores[k].shape)
        plus = [c.copy() for c in cores]
        minus = [c.copy() for c in cores]
        plus[k] += eps * direction
        minus[k] -= eps * direction
        fd = (scalar(plus) - scalar(minus)) / (2 * eps)
        assert fd == pytest.approx(np.sum(core_bars[k] * direction), rel=1e-5, abs=1e-8)


@pytest.mark.parametrize("width", [1, 2, 3, 4])
def test_window_values_match_the_dense_tensor(width):
    dims, ranks = [2, 3, 4, 2, 3], [1, 2, 3, 3, 2, 1]
    cores = _cores(dims, ranks, seed=4)
    left, _ = vector_environments(cores, from_left=True)
    right, _ = vector_environments(cores, from_left=False)
    j = 1 if width < 4 else 0
    values, _ = window_values(left[j], cores[j : j + width], right[j + width])
    window = absorb_environments(cores[j : j + width], left[j], right[j + width])
    np.testing.assert_allclose(values, TensorTrain(window).full().ravel(), rtol=1e-12)
    full = TensorTrain(cores).full()
    index = (0,) * j + (slice(None),) * width + (0,) * (len(dims) - j - width)
    ratio = values / values[0]
    np.testing.assert_allclose(ratio, (full[index] / full[index].flat[0]).ravel(), rtol=1e-10)


@pytest.mark.parametrize("width", [1, 2, 3])
def test_window_values_vjp_is_the_transpose(width):
    rng = np.random.default_rng(5)
    cores = _cores([3, 2, 4], [2, 3, 2, 3], seed=6)[:width]
    r0, r1 = cores[0].shape[0], cores[-1].shape[2]
    left, right = rng.standard_normal(r0), rng.standard_normal(r1)
    values, tape = window_values(left, cores, right)
    bar = rng.standard_normal(values.size)
    left_bar, core_bars, right_bar = window_values_vjp(tape, bar)
    eps = 1e-6
    for k in range(width):
        d = rng.standard_normal(cores[k].shape)
        plus, minus = list(cores), list(cores)
        plus[k], minus[k] = cores[k] + eps * d, cores[k] - eps * d
        fd = (window_values(left, plus, right)[0] - window_values(left, minus, right)[0]) @ bar
        assert fd / (2 * eps) == pytest.approx(np.sum(core_bars[k] * d), rel=1e-6)
    dl, dr = rng.standard_normal(r0), rng.standard_normal(r1)
    assert window_values(dl, cores, right)[0] @ bar == pytest.approx(left_bar @ dl)
    assert window_values(left, cores, dr)[0] @ bar == pytest.approx(right_bar @ dr)


def test_apply_axis_matrices_is_a_kronecker_product():
    rng = np.random.default_rng(7)
    tensor = rng.standard_normal((5, 2, 3))
    a, b = rng.standard_normal((2, 2)), rng.standard_normal((4, 3))
    out = ct.apply_axis_matrices(tensor, [b, a], [2, 1])
    expected = tensor.reshape(5, 6) @ np.kron(a, b).T
    np.testing.assert_allclose(out.reshape(5, 8), expected, rtol=1e-12)


def test_purified_core_and_its_vjp():
    rng = np.random.default_rng(8)
    ops = rng.standard_normal((4, 2, 2)) + 1j * rng.standard_normal((4, 2, 2))
    a = rng.standard_normal((2, 2, 3, 3)) + 1j * rng.standard_normal((2, 2, 3, 3))
    core = ct.purified_core(a, ops)
    dense = np.zeros((2, 2, 4, 3, 3), dtype=complex)
    for p in range(4):
        for i, c, b, d in np.ndindex(2, 2, 3, 3):
            dense[i, c, p, b, d] = np.sum(a[i, :, :, b] * (ops[p].T @ a[c, :, :, d].conj()))
    np.testing.assert_allclose(core, dense.reshape(4, 4, 9), rtol=1e-12)
    bar = rng.standard_normal(core.shape) + 1j * rng.standard_normal(core.shape)
    g = ct.purified_core_vjp(a, ops, bar)

    def f(x):  # real part of the holomorphic pairing: a real function of (Re a, Im a)
        return np.real(np.sum(bar * ct.purified_core(x, ops)))

    eps = 1e-6
    d = rng.standard_normal(a.shape)
    fd_re = (f(a + eps * d) - f(a - eps * d)) / (2 * eps)
    fd_im = (f(a + 1j * eps * d) - f(a - 1j * eps * d)) / (2 * eps)
    assert fd_re == pytest.approx(np.sum(np.real(g) * d), rel=1e-6)
    assert fd_im == pytest.approx(np.sum(-np.imag(g) * d), rel=1e-6)
