"""Error bounds of TT cross (ttcross.bounds): every bound is checked against the dense error."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from ttcross import TensorTrain, assemble_cross, cross_matrices, maxvol, rect_maxvol
from ttcross import bounds as tb
from ttcross.bounds.perturbation import _inverse_values
from ttcross.interpolate import regularized_pinv

SET_KINDS = ("maxvol", "nested", "random")


# ---------------------------------------------------------------------------- helpers
def _multi(flat, dims):
    return np.array(np.unravel_index(flat, dims)).T.reshape(len(flat), len(dims))


def _svd_sets(full, ranks, extra=0):
    """Non-nested sets: (rect)maxvol on the dominant singular vectors of every unfolding."""
    shape, left, right = full.shape, [], []
    for k in range(full.ndim - 1):
        u, _, vh = np.linalg.svd(full.reshape(math.prod(shape[: k + 1]), -1), full_matrices=False)
        r = ranks[k]
        if extra:
            rows, _ = rect_maxvol(u[:, :r], tol=1.0001, max_rows=r + extra)
            cols, _ = rect_maxvol(vh[:r].T, tol=1.0001, max_rows=r + extra)
        else:
            rows, _ = maxvol(u[:, :r])
            cols, _ = maxvol(vh[:r].T)
        left.append(_multi(rows, shape[: k + 1]))
        right.append(_multi(cols, shape[k + 1 :]))
    return left, right


def _nested_sets(tt):
    """Nested sets of a TT-cross sweep: maxvol on the left and right interfaces, core by core."""
    cores, d = tt.cores, tt.ndim
    left, rows_val, prev = [], np.ones((1, 1)), np.zeros((1, 0), dtype=np.int64)
    for k in range(d - 1):
        n = cores[k].shape[1]
        block = np.tensordot(rows_val, cores[k], axes=(1, 0)).reshape(-1, cores[k].shape[2])
        q, _ = np.linalg.qr(block)
        rows, _ = maxvol(q)
        cand = np.concatenate(
            [np.repeat(prev, n, axis=0), np.tile(np.arange(n), len(prev))[:, None]], 1
        )
        prev, rows_val = cand[rows], block[rows] / np.abs(block[rows]).max()
        left.append(prev)
    right, cols_val, nxt = [None] * (d - 1), np.ones((1, 1)), np.zeros((1, 0), dtype=np.int64)
    for k in range(d - 1, 0, -1):
        n = cores[k].shape[1]
        block = np.tensordot(cores[k], cols_val, axes=(2, 0)).reshape(cores[k].shape[0], -1).T
        q, _ = np.linalg.qr(block)
        rows, _ = maxvol(q)
        cand = np.concatenate([np.repeat(np.arange(n), len(nxt))[:, None], np.tile(nxt, (n, 1))], 1)
        nxt, cols_val = cand[rows], block[rows].T / np.abs(block[rows]).max()
        right[k - 1] = nxt
    return left, right


def _random_sets(shape, ranks, rng):
    left, right = [], []
    for k in range(len(shape) - 1):
        nl, nr = math.prod(shape[: k + 1]), math.prod(shape[k + 1 :])
        left.append(_multi(rng.choice(nl, ranks[k], replace=False), shape[: k + 1]))
        right.append(_multi(rng.choice(nr, ranks[k], replace=False), shape[k + 1 :]))
    return left, right


def _low_rank(rng, *, orders=(2, 8), sizes=(2, 3), ranks=(1, 3)):
    d = int(rng.integers(orders[0], orders[1] + 1))
    shape = (int(rng.integers(sizes[0], sizes[1] + 1)),) * d
    tt = TensorTrain.random(shape, int(rng.integers(ranks[0], ranks[1] + 1)), seed=rng).round()
    return tt, tt.full()


def _sets(kind, tt, full, rng):
    ranks = tt.ranks[1:-1]
    if kind == "maxvol":
        return _svd_sets(full, ranks)
    if kind == "nested":
        return _nested_sets(tt)
    return _random_sets(full.shape, ranks, rng)


def _sample(array, left, right):
    return cross_matrices(lambda idx: array[tuple(idx.T)], array.shape, left, right)


def _norms(blocks):
    return [float(np.linalg.norm(b)) for b in blocks]


def _true_error(full, fibres, intersections, **kwargs):
    tt, _ = assemble_cross(fibres, intersections, **kwargs)
    return float(np.linalg.norm(full - tt.full()))


def _check(bound, error):
    """The bound and all its forms are >= the dense error (or inf)."""
    for value in (bound.value, bound.balanced, bound.sequential, bound.closed_form):
        assert value >= error or value == math.inf, (value, error, bound.violations)
    if bound.consistent:
        assert bound.value == min(bound.balanced, bound.sequential)
        assert bound.closed_form >= bound.balanced * (1 - 1e-12)
    return bound.value / error if error > 0 and math.isfinite(bound.value) else math.nan


# ---------------------------------------------------------------------------- matrix cross
def test_matrix_identity_with_oblique_projectors():
    rng = np.random.default_rng(0)
    for _ in range(20):
        m, n, r = rng.integers(4, 9), rng.integers(4, 9), rng.integers(1, 4)
        a = rng.standard_normal((m, r)) @ rng.standard_normal((r, n)) + 1e-3 * rng.standard_normal(
            (m, n)
        )
        rows = rng.choice(m, r + 1, replace=False)
        cols = rng.choice(n, r + 1, replace=False)
        c, u, rr = a[:, cols], a[np.ix_(rows, cols)], a[rows]
        for tau in (None, 1e-2):
            p_col, p_row, x = tb.oblique_projectors(a, rows, cols, rcond=1e-8, tau=tau)
            lhs = a - c @ x @ rr
            rhs = (np.eye(m) - p_col) @ a @ (np.eye(n) - p_row) + c @ (x - x @ u @ x) @ rr
            # exact identity; round-off grows with ||C|| ||X|| ||R|| (X = U^+ up to 1e8 here)
            scale = np.linalg.norm(c, 2) * np.linalg.norm(x, 2) * np.linalg.norm(rr, 2)
            np.testing.assert_allclose(lhs, rhs, atol=max(1e-10, 1e-15 * scale))
        p_col, p_row, x = tb.oblique_projectors(a, rows, cols, rcond=1e-8)
        np.testing.assert_allclose(p_col @ p_col, p_col, atol=1e-8)  # hard cut: projectors
        np.testing.assert_allclose(np.linalg.norm(p_col, 2), np.linalg.norm(c @ x, 2), rtol=1e-8)
        for norm in ("fro", "2"):
            err = np.linalg.norm(a - c @ x @ rr, 2 if norm == "2" else "fro")
            assert tb.matrix_cross_bound(a, rows, cols, rcond=1e-8, norm=norm) >= err * (1 - 1e-10)


def test_naive_matrix_bound_is_false_and_the_assumption_is_detected():
    big, small = 1e3, 1e-3
    a = np.diag([big, small])
    rows = cols = np.array([1])
    c, u, r = a[:, cols], a[np.ix_(rows, cols)], a[rows]
    error = np.linalg.norm(a - c @ np.linalg.pinv(u) @ r)
    naive = (1 + np.linalg.norm(c @ np.linalg.pinv(u), 2)) * (1 + np.linalg.norm(r / u, 2)) * small
    assert naive < error  # (1 + ||CU^+||)(1 + ||U^+R||) sigma_{r+1} fails
    assert tb.matrix_cross_bound(a, rows, cols) >= error
    model = tb.model_error_from_tensor(a, 1, [np.array([[1]])], [np.array([[1]])])
    assert not model.cross_exact  # the best rank-1 part is invisible to the sets


def test_pinv_perturbation_bound_holds():
    rng = np.random.default_rng(1)
    for trial in range(300):
        p, q, rank = rng.integers(2, 7), rng.integers(2, 7), rng.integers(1, 3)
        rank = min(rank, p, q)
        w0 = rng.standard_normal((p, rank)) @ rng.standard_normal((rank, q))
        noise = rng.standard_normal((p, q)) * 10 ** rng.uniform(-6, -1)
        w = w0 + noise
        tau = None if trial % 2 else 10 ** rng.uniform(-6, -2)
        x, info = regularized_pinv(w, rcond=1e-9, tau=tau)
        inverse = _inverse_values(info, tau)
        b2, bf, inv = tb.pinv_perturbation_bound(
            info.singular_values,
            inverse,
            rank=rank,
            delta_2=np.linalg.norm(noise, 2),
            delta_fro=np.linalg.norm(noise),
        )
        diff = x - np.linalg.pinv(w0, rcond=1e-12)
        assert b2 >= np.linalg.norm(diff, 2) * (1 - 1e-9)
        assert bf >= np.linalg.norm(diff) * (1 - 1e-9)
        assert inv >= np.linalg.norm(np.linalg.pinv(w0, rcond=1e-12), 2) * (1 - 1e-9)


# ---------------------------------------------------------------------------- tensors
@pytest.mark.parametrize("kind", SET_KINDS)
def test_model_error_bound_holds(kind):
    """Random TT of rank r plus a dense perturbation of known norm, order 2..8."""
    rng = np.random.default_rng({"maxvol": 10, "nested": 11, "random": 12}[kind])
    ratios = []
    for _ in range(70):
        tt, full = _low_rank(rng)
        eps = 10 ** rng.uniform(-9, -2) * np.linalg.norm(full)
        e = rng.standard_normal(full.shape)
        a = full + e * eps / np.linalg.norm(e)
        left, right = _sets(kind, tt, full, rng)
        fibres, inters = _sample(a, left, right)
        error = _true_error(a, fibres, inters)
        ef, ew = _sample(a - full, left, right)
        worst = tb.cross_error_bound(fibres, inters, model_error=eps)
        known = tb.cross_error_bound(
            fibres, inters, model_error=eps, sampled_model_error=(_norms(ef), _norms(ew))
        )
        ratios.append(_check(known, error))
        _check(worst, error)
        assert worst.value >= known.value * (1 - 1e-6) or not known.consistent
        assert not worst.needs_full_tensor
    assert np.nanmedian(ratios) < 1e3  # tightness: see benchmarks/bounds_vs_order.py


def test_model_error_from_full_tensor_bound_holds():
    rng = np.random.default_rng(13)
    for trial in range(40):
        tt, full = _low_rank(rng)
        a = full + 10 ** rng.uniform(-8, -3) * rng.standard_normal(full.shape) * np.abs(full).max()
        left, right = _sets(SET_KINDS[trial % 3], tt, full, rng)
        model = tb.model_error_from_tensor(a, tt.ranks[1:-1], left, right)
        assert model.needs_full_tensor
        assert model.tail_bound >= model.model_error - 1e-12 * np.linalg.norm(a)
        assert np.all(model.sampled_fibres <= model.model_error * (1 + 1e-12))
        fibres, inters = _sample(a, left, right)
        bound = tb.cross_error_bound(fibres, inters, **model.bound_kwargs())
        if model.cross_exact:
            _check(bound, _true_error(a, fibres, inters))


def test_perturbation_on_the_samples_only():
    """Adversarial model error: all of E sits on sampled entries."""
    rng = np.random.default_rng(14)
    for trial in range(60):
        tt, full = _low_rank(rng, orders=(2, 6))
        left, right = _sets(SET_KINDS[trial % 3], tt, full, rng)
        mask = np.zeros(full.shape, dtype=bool)

        def record(idx, mask=mask):
            mask[tuple(idx.T)] = True
            return np.zeros(len(idx))

        cross_matrices(record, full.shape, left, right)
        e = np.where(mask, rng.standard_normal(full.shape), 0.0)
        eps = 10 ** rng.uniform(-8, -3) * np.linalg.norm(full)
        a = full + e * eps / np.linalg.norm(e)
        fibres, inters = _sample(a, left, right)
        _check(
            tb.cross_error_bound(fibres, inters, model_error=eps), _true_error(a, fibres, inters)
        )


@pytest.mark.parametrize("kind", SET_KINDS)
def test_gaussian_noise_bound_holds(kind):
    """Exact low-rank tensor, samples with independent Gaussian noise of known per-entry std."""
    rng = np.random.default_rng({"maxvol": 20, "nested": 21, "random": 22}[kind])
    for _ in range(50):
        tt, full = _low_rank(rng)
        left, right = _sets(kind, tt, full, rng)
        fibres, inters = _sample(full, left, right)
        sigma = 10 ** rng.uniform(-9, -3) * np.abs(full).max()
        std_f = [sigma * rng.uniform(0.2, 1.0, f.shape) for f in fibres]
        std_w = [sigma * rng.uniform(0.2, 1.0, w.shape) for w in inters]
        noisy_f = [f + s * rng.standard_normal(f.shape) for f, s in zip(fibres, std_f, strict=True)]
        noisy_w = [w + s * rng.standard_normal(w.shape) for w, s in zip(inters, std_w, strict=True)]
        bound = tb.cross_error_bound(noisy_f, noisy_w, noise_std=(std_f, std_w), confidence=0.95)
        assert bound.probability == 0.95
        _check(bound, _true_error(full, noisy_f, noisy_w))


def test_bounded_noise_bound_holds():
    """Deterministic: uniform noise of known magnitude, also with oversampled sets and Tikhonov."""
    rng = np.random.default_rng(23)
    for trial in range(60):
        tt, full = _low_rank(rng, orders=(2, 7))
        ranks = tt.ranks[1:-1]
        over = trial % 2 == 1
        left, right = (
            _svd_sets(full, ranks, extra=2) if over else _sets(SET_KINDS[trial % 3], tt, full, rng)
        )
        fibres, inters = _sample(full, left, right)
        level = 10 ** rng.uniform(-9, -4) * np.abs(full).max()
        noisy_f = [f + rng.uniform(-level, level, f.shape) for f in fibres]
        noisy_w = [w + rng.uniform(-level, level, w.shape) for w in inters]
        kwargs = {}
        if over:  # Tikhonov at the noise level, or a hard cut at the true rank
            spectral = [level * (np.sqrt(w.shape[0]) + np.sqrt(w.shape[1])) for w in noisy_w]
            kwargs = {"tau": spectral} if trial % 4 == 1 else {"rcond": 1e-3}
        bound = tb.cross_error_bound(
            noisy_f, noisy_w, noise_max=level, model_ranks=ranks if over else None, **kwargs
        )
        assert bound.probability == 1.0
        _check(bound, _true_error(full, noisy_f, noisy_w, **kwargs))


def test_leaf_bounds_hold():
    """Each per-core bound against the dense truth: plain, projected, weighted, pinv error."""
    rng = np.random.default_rng(24)
    for trial in range(60):
        tt, full = _low_rank(rng, orders=(3, 6))
        ranks = tt.ranks[1:-1]
        over = trial % 3 == 2
        left, right = (
            _svd_sets(full, ranks, extra=2) if over else _sets(SET_KINDS[trial % 3], tt, full, rng)
        )
        fibres, inters = _sample(full, left, right)
        level = 10 ** rng.uniform(-8, -3) * np.abs(full).max()
        noisy_f = [f + rng.uniform(-level, level, f.shape) for f in fibres]
        noisy_w = [w + rng.uniform(-level, level, w.shape) for w in inters]
        tau = [2 * level * np.sqrt(w.size) for w in noisy_w] if over else None
        bound = tb.cross_error_bound(
            noisy_f, noisy_w, noise_max=level, tau=tau, model_ranks=ranks if over else None
        )
        assert bound.consistent
        for k in range(len(fibres) - 1):
            x, _ = regularized_pinv(noisy_w[k], rcond=1e-12, tau=None if tau is None else tau[k])
            w0_pinv = np.linalg.pinv(inters[k], rcond=1e-10)
            fibre, fibre0 = noisy_f[k].reshape(-1, x.shape[0]), fibres[k].reshape(-1, x.shape[0])
            diff = fibre @ x - fibre0 @ w0_pinv
            assert bound.leaf_errors[k] >= np.linalg.norm(diff) * (1 - 1e-9)
            assert (
                bound.projected_leaf_errors[k]
                >= np.linalg.norm(diff @ inters[k] @ w0_pinv) * (1 - 1e-9) - 1e-12
            )
            assert bound.weighted_leaf_errors[k] >= np.linalg.norm(diff @ inters[k]) * (1 - 1e-9)
            assert bound.pinv_errors[k] >= np.linalg.norm(x - w0_pinv, 2) * (1 - 1e-9)


def test_exact_data_gives_a_tiny_bound():
    rng = np.random.default_rng(30)
    for trial in range(20):
        tt, full = _low_rank(rng)
        left, right = _sets(SET_KINDS[trial % 3], tt, full, rng)
        fibres, inters = _sample(full, left, right)
        bound = tb.cross_error_bound(fibres, inters)
        error = _true_error(full, fibres, inters)
        assert bound.consistent
        assert error <= bound.value and bound.relative < 1e-3  # round-off slack, amplified
        exact = tb.cross_error_bound(fibres, inters, roundoff=0.0)
        assert exact.value == 0.0  # exact arithmetic: no perturbation, no error


def test_violated_rank_assumption_gives_inf():
    rng = np.random.default_rng(31)
    tt, full = _low_rank(rng, orders=(5, 5), sizes=(3, 3), ranks=(3, 3))
    left, right = _svd_sets(full, tt.ranks[1:-1])
    fibres, inters = _sample(full, left, right)
    bound = tb.cross_error_bound(fibres, inters, rcond=0.5)  # drops real singular values
    assert bound.value == math.inf and not bound.consistent
    assert "rank above" in bound.violations[0]


# ---------------------------------------------------------------------------- ingredients
def test_interface_norms_match_dense():
    rng = np.random.default_rng(40)
    tt, full = _low_rank(rng, orders=(5, 5), sizes=(3, 3), ranks=(3, 3))
    left, right = _svd_sets(full, tt.ranks[1:-1])
    fibres, inters = _sample(full, left, right)
    norms = tb.interface_norms(fibres, inters)
    d = len(fibres)
    for k in range(d - 1):
        x = np.linalg.pinv(inters[k], rcond=1e-12)
        chat = np.ones((1, 1))
        for j in range(k + 1):
            chat = np.tensordot(chat, fibres[j], axes=(1, 0)).reshape(-1, fibres[j].shape[2])
            if j < k:
                chat = chat @ np.linalg.pinv(inters[j], rcond=1e-12)
        rhat = np.ones((1, 1))
        for j in range(d - 1, k, -1):
            core = (
                fibres[j]
                if j == d - 1
                else np.tensordot(fibres[j], np.linalg.pinv(inters[j], rcond=1e-12), axes=(2, 0))
            )
            rhat = np.tensordot(core, rhat, axes=(2, 0)).reshape(core.shape[0], -1)
        unfold = full.reshape(math.prod(full.shape[: k + 1]), -1)
        cols = np.ravel_multi_index(tuple(right[k].T), full.shape[k + 1 :])
        np.testing.assert_allclose(chat, unfold[:, cols], atol=1e-9)  # exact data: T(:, J_k)
        np.testing.assert_allclose(norms.left[k], np.linalg.norm(chat @ x, 2), rtol=1e-8)
        np.testing.assert_allclose(norms.right[k], np.linalg.norm(x @ rhat, 2), rtol=1e-8)
    np.testing.assert_allclose(norms.kappa, norms.left * norms.right)


def test_counts_stats_factors_and_json():
    rng = np.random.default_rng(41)
    tt, full = _low_rank(rng, orders=(6, 6), sizes=(2, 2), ranks=(2, 2))
    left, right = _nested_sets(tt)
    calls = []
    fibres, inters = cross_matrices(
        lambda idx: calls.append(len(idx)) or full[tuple(idx.T)], full.shape, left, right
    )
    assert tb.sample_count(fibres, inters) == sum(calls)
    _, infos = assemble_cross(fibres, inters)
    s1, s2 = tb.pinv_stats(infos), tb.pinv_stats(inters)
    np.testing.assert_allclose(s1.norm, s2.norm)
    np.testing.assert_array_equal(s1.rank, tt.ranks[1:-1])
    assert tb.geometric_factor(1.0, 4) == 4.0
    assert tb.paper_factor(1.0, 8) == pytest.approx((27 - 1) / 2)
    bound = tb.cross_error_bound(fibres, inters, noise_std=1e-8)
    assert bound.depth == 3 and bound.n_samples == sum(calls)
    assert bound.paper_factor == pytest.approx(tb.paper_factor(max(1.0, bound.node_kappa), 6))
    json.dumps(bound.to_dict())


def test_noise_bounds_coverage():
    """The Gaussian bounds hold at least as often as the confidence says."""
    rng = np.random.default_rng(42)
    fibres = [np.zeros((1, 3, 4)), np.zeros((4, 3, 1))]
    inters = [np.zeros((4, 4))]
    std = ([rng.uniform(0.1, 1, f.shape) for f in fibres], [rng.uniform(0.1, 1, (4, 4))])
    fro, spec, prob = tb.noise_bounds(fibres, inters, noise_std=std, confidence=0.5)
    misses = 0
    for _ in range(400):
        zs = [s * rng.standard_normal(s.shape) for s in std[0] + std[1]]
        misses += any(
            np.linalg.norm(z) > f or np.linalg.norm(z.reshape(-1, z.shape[-1]), 2) > s
            for z, f, s in zip(zs, fro, spec, strict=True)
        )
    assert prob == 0.5 and misses / 400 <= 0.5


def test_long_chain_neither_overflows_nor_underflows():
    rng = np.random.default_rng(43)
    d = 300
    cores = [rng.standard_normal((1 if k == 0 else 2, 4, 1 if k == d - 1 else 2)) for k in range(d)]
    tt = TensorTrain(cores)
    left, right = _nested_sets(tt)
    fibres, inters = cross_matrices(tt.evaluate, tt.shape, left, right)
    bound = tb.cross_error_bound(fibres, inters, noise_std=1e-9 * np.abs(inters[d // 2]).max())
    assert math.isfinite(bound.log_value) and bound.consistent
    assert 0 < bound.relative < 1


def test_short_segments_stay_valid_and_equal_the_full_sum_when_long_enough():
    """segment_length bounds long segments by products: never below the error, never above
    the exact telescoping sum's validity, identical once it covers the order."""
    rng = np.random.default_rng(44)
    for trial in range(30):
        tt, full = _low_rank(rng, orders=(5, 9))
        left, right = _sets(SET_KINDS[trial % 3], tt, full, rng)
        fibres, inters = _sample(full, left, right)
        level = 10 ** rng.uniform(-9, -4) * np.abs(full).max()
        noisy_f = [f + rng.uniform(-level, level, f.shape) for f in fibres]
        noisy_w = [w + rng.uniform(-level, level, w.shape) for w in inters]
        error = _true_error(full, noisy_f, noisy_w)
        exact = tb.cross_error_bound(noisy_f, noisy_w, noise_max=level, segment_length=None)
        same = tb.cross_error_bound(noisy_f, noisy_w, noise_max=level, segment_length=len(fibres))
        assert same.sequential == pytest.approx(exact.sequential, rel=1e-12)
        for length in (1, 2, 3):
            short = tb.cross_error_bound(noisy_f, noisy_w, noise_max=level, segment_length=length)
            _check(short, error)
            assert short.sequential >= exact.sequential * (1 - 1e-9)


def test_scales_bound_the_rescaled_cross():
    """With row/column scales the bound is of the cross assemble_cross builds with them."""
    rng = np.random.default_rng(45)
    for trial in range(20):
        tt, full = _low_rank(rng, orders=(3, 6))
        left, right = _sets(SET_KINDS[trial % 3], tt, full, rng)
        fibres, inters = _sample(full, left, right)
        scales = [
            (rng.uniform(0.1, 10, w.shape[0]), rng.uniform(0.1, 10, w.shape[1])) for w in inters
        ]
        sigma = 1e-7 * np.abs(full).max()
        std_f = [sigma * rng.uniform(0.2, 1.0, f.shape) for f in fibres]
        std_w = [sigma * rng.uniform(0.2, 1.0, w.shape) for w in inters]
        noisy_f = [f + s * rng.standard_normal(f.shape) for f, s in zip(fibres, std_f, strict=True)]
        noisy_w = [w + s * rng.standard_normal(w.shape) for w, s in zip(inters, std_w, strict=True)]
        bound = tb.cross_error_bound(noisy_f, noisy_w, noise_std=(std_f, std_w), scales=scales)
        _check(bound, _true_error(full, noisy_f, noisy_w, scales=scales))
    with pytest.raises(ValueError, match="scales"):
        tb.cross_error_bound(noisy_f, noisy_w, scales=scales[:-1] + [(np.ones(99), np.ones(1))])


def test_unresolved_ranks_give_a_flagged_linearised_estimate():
    """Noise above the small singular values: rigorous bound inf with the reason; the
    estimate is finite, flagged, and (here) above the error."""
    rng = np.random.default_rng(46)
    tt, full = _low_rank(rng, orders=(6, 6), sizes=(3, 3), ranks=(3, 3))
    left, right = _svd_sets(full, tt.ranks[1:-1])
    fibres, inters = _sample(full, left, right)
    smallest = min(np.linalg.svd(w, compute_uv=False)[-1] for w in inters)
    sigma = 0.3 * smallest
    noisy_f = [f + sigma * rng.standard_normal(f.shape) for f in fibres]
    noisy_w = [w + sigma * rng.standard_normal(w.shape) for w in inters]
    tau = [sigma * (np.sqrt(w.shape[0]) + np.sqrt(w.shape[1])) for w in inters]
    strict = tb.cross_error_bound(noisy_f, noisy_w, noise_std=sigma, tau=tau)
    assert strict.value == math.inf and not strict.rigorous and "not resolved" in strict.reason
    loose = tb.cross_error_bound(noisy_f, noisy_w, noise_std=sigma, tau=tau, unresolved="estimate")
    assert not loose.rigorous and loose.form == "linearised" and "not a theorem" in loose.reason
    assert math.isfinite(loose.value) and loose.value == loose.linearised
    assert loose.value >= _true_error(full, noisy_f, noisy_w, tau=tau)
    exact = tb.cross_error_bound(fibres, inters, unresolved="estimate")
    assert exact.rigorous and exact.reason == "" and exact.form != "linearised"
    with pytest.raises(ValueError, match="unresolved"):
        tb.cross_error_bound(fibres, inters, unresolved="ignore")


# ---------------------------------------------------------------------------- bad input
def test_bad_inputs():
    c0, c1, w = np.ones((1, 2, 2)), np.ones((2, 2, 1)), np.eye(2)
    with pytest.raises(ValueError, match="intersection"):
        tb.cross_error_bound([c0, c1], [])
    with pytest.raises(ValueError, match="expected"):
        tb.cross_error_bound([c0, c1], [np.eye(3)])
    with pytest.raises(TypeError, match="lists of arrays"):
        tb.cross_error_bound(np.ones((2, 1, 2, 1)), [w])
    with pytest.raises(ValueError, match="NaN"):
        tb.cross_error_bound([c0, c1 * np.nan], [w])
    with pytest.raises(ValueError, match="model_error"):
        tb.cross_error_bound([c0, c1], [w], model_error=-1.0)
    with pytest.raises(ValueError, match="not both"):
        tb.cross_error_bound([c0, c1], [w], noise_std=1.0, noise_max=1.0)
    with pytest.raises(ValueError, match="confidence"):
        tb.cross_error_bound([c0, c1], [w], noise_std=1.0, confidence=1.0)
    with pytest.raises(ValueError, match="model_ranks"):
        tb.cross_error_bound([c0, c1], [w], model_ranks=[3])
    with pytest.raises(ValueError, match="tau"):
        tb.cross_error_bound([c0, c1], [w], tau=[1.0, 2.0])
    with pytest.raises(ValueError, match="sampled_model_error"):
        tb.cross_error_bound([c0, c1], [w], sampled_model_error=([1.0], [1.0]))
    with pytest.raises(ValueError, match="broadcastable"):
        tb.cross_error_bound([c0, c1], [w], noise_std=([np.ones(5), 1.0], [1.0]))
    with pytest.raises(ValueError, match="boundary"):
        tb.cross_error_bound([np.ones((2, 2, 2)), c1], [w])
    with pytest.raises(ValueError, match="norm"):
        tb.matrix_cross_bound(np.eye(3), np.array([0]), np.array([0]), norm="nuc")
    with pytest.raises(IndexError):
        tb.oblique_projectors(np.eye(3), np.array([5]), np.array([0]))


# ---------------------------------------------------------------------------- slow sweep
@pytest.mark.slow
def test_heavy_sweep():
    rng = np.random.default_rng(99)
    for trial in range(600):
        tt, full = _low_rank(rng, orders=(2, 10), sizes=(2, 3), ranks=(1, 4))
        kind = SET_KINDS[trial % 3]
        left, right = _sets(kind, tt, full, rng)
        fibres, inters = _sample(full, left, right)
        sigma = 10 ** rng.uniform(-10, -2) * np.abs(full).max()
        noisy_f = [f + sigma * rng.uniform(-1, 1, f.shape) for f in fibres]
        noisy_w = [w + sigma * rng.uniform(-1, 1, w.shape) for w in inters]
        eps = 10 ** rng.uniform(-10, -2) * np.linalg.norm(full)
        e = rng.standard_normal(full.shape)
        a = full + e * eps / np.linalg.norm(e)
        fa, wa = _sample(a, left, right)
        _check(
            tb.cross_error_bound(noisy_f, noisy_w, noise_max=sigma),
            _true_error(full, noisy_f, noisy_w),
        )
        _check(tb.cross_error_bound(fa, wa, model_error=eps), _true_error(a, fa, wa))
