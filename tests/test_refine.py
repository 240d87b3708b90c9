"""Tests for tomography.refine: fitting the cores to every measured string (method note, 6).

References: central finite differences for the gradient; ``MeasurementData.expectations`` for
which estimate each string gets; the exact state for fidelities. Sampled data: n = 6, depth-2
Haar brickwork, depolarizing(0, 0.01), window 5, 2000 shots per setting. Measured (seeds 0-4):
fidelity 0.9637 -> 0.9645, 0.9622 -> 0.9627, 0.9633 -> 0.9630, 0.9643 -> 0.9634,
0.9732 -> 0.9677; the training chi-square drops by 15-50 %, the holdout one by 1-12 %. So the
test (seed 0) asks for a lower training loss and a fidelity no more than 0.01 below the start.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

import tomography.refine as refine_module
from tomography.circuits import brickwork
from tomography.measure import ExactExpectations, MeasurementDesign, measure
from tomography.metrics import fidelity, relative_error
from tomography.noise import depolarizing
from tomography.reconstruct import reconstruct
from tomography.refine import STOP_REASONS, Refinement, refine
from tomography.simulate import simulate
from tomography.state import PauliMPO
from ttcross import TensorTrain

FIDELITY_SLACK = 0.01  # measured changes -0.0055..+0.0007 at n = 6 (module docstring)


@pytest.fixture(scope="module")
def sampled():
    """(truth, data, cross estimate) at n = 6 from 2000 shots per setting."""
    truth = simulate(brickwork(6, 2, seed=0), depolarizing(0.0, 0.01))
    data = measure(truth, MeasurementDesign(6, 5), shots=2000, seed=0)
    return truth, data, reconstruct(data).state


def _random_state(n: int, rank: int, seed: int) -> PauliMPO:
    """A random Pauli tensor train with its trace kept well away from 0."""
    ranks = [1] + [rank] * (n - 1) + [1]
    cores = [0.3 * c for c in TensorTrain.random([4] * n, ranks, seed=seed).cores]
    for core in cores:
        core[:, 0, :] += np.eye(core.shape[0], core.shape[2])
    return PauliMPO(TensorTrain(cores))


def _measured_strings(n: int, w: int) -> set[tuple[int, ...]]:
    """Every non-identity string whose support lies inside w consecutive qubits."""
    out = set()
    for p in itertools.product(range(4), repeat=n):
        support = np.flatnonzero(p)
        if support.size and support[-1] - support[0] < w:
            out.add(p)
    return out


# ---------------------------------------------------------------------- gradient and data
def test_gradient_matches_finite_differences():
    n, w = 5, 3
    state = _random_state(n, 3, seed=1)
    rng = np.random.default_rng(0)
    perturbed = [c + 0.05 * rng.standard_normal(c.shape) for c in state.tt.cores]
    data = ExactExpectations(PauliMPO(TensorTrain(perturbed)), w)
    targets = refine_module._build_targets(data, 0.2, rng)
    targets = dataclasses.replace(  # unit weights keep the numbers O(1)
        targets,
        train_weights=(targets.train_weights > 0) * 1.0,
        holdout_weights=(targets.holdout_weights > 0) * 1.0,
    )
    cores = list(state.tt.cores)
    _, _, grads = refine_module._loss_and_gradient(cores, targets)
    eps = 1e-6
    for k in range(n):
        for idx in np.ndindex(cores[k].shape):
            plus = [c.copy() for c in cores]
            minus = [c.copy() for c in cores]
            plus[k][idx] += eps
            minus[k][idx] -= eps
            fd = (
                refine_module._loss_and_gradient(plus, targets)[0]
                - refine_module._loss_and_gradient(minus, targets)[0]
            ) / (2 * eps)
            assert fd == pytest.approx(grads[k][idx], rel=1e-5, abs=1e-8), (k, idx)


@pytest.mark.parametrize("n, w", [(6, 3), (4, 4), (5, 2)])
def test_every_measured_string_used_once(n, w):
    truth = _random_state(n, 2, seed=3).normalized()
    data = ExactExpectations(truth, w)
    targets = refine_module._build_targets(data, 0.0, np.random.default_rng(0))
    used = []
    for j in range(n - w + 1):
        for flat in np.flatnonzero(targets.train_weights[j]):
            local = np.unravel_index(flat, (4,) * w)
            used.append((0,) * j + tuple(int(q) for q in local) + (0,) * (n - w - j))
    assert len(used) == len(set(used)) == targets.n_train
    assert set(used) == _measured_strings(n, w)
    assert targets.n_holdout == 0


def test_targets_are_the_data_estimates(sampled):
    _, data, _ = sampled
    n, w = data.n, data.design.window
    targets = refine_module._build_targets(data, 0.3, np.random.default_rng(1))
    owned = (targets.train_weights > 0) | (targets.holdout_weights > 0)
    assert not ((targets.train_weights > 0) & (targets.holdout_weights > 0)).any()
    assert targets.n_train + targets.n_holdout == owned.sum() == len(_measured_strings(n, w))
    assert targets.n_holdout == round(0.3 * owned.sum())
    rng = np.random.default_rng(2)
    for j, flat in zip(*np.nonzero(owned), strict=True):
        if rng.random() > 0.05:
            continue
        local = "".join("IXYZ"[q] for q in np.unravel_index(flat, (4,) * w))
        string = "I" * j + local + "I" * (n - w - j)
        mean, stderr = data.expectations(string)
        assert targets.values[j, flat] == pytest.approx(mean[0])
        weights = targets.train_weights[j, flat] + targets.holdout_weights[j, flat]
        assert weights == pytest.approx(1 / stderr[0] ** 2)


# ---------------------------------------------------------------------- fitting
def test_refine_sampled_data(sampled):
    truth, data, start = sampled
    result = refine(start, data, seed=0)
    assert isinstance(result, Refinement)
    assert result.stopped_because in STOP_REASONS
    assert len(result.history) == result.iterations + 1
    assert 0 <= result.best_iteration <= result.iterations
    train = [h[0] for h in result.history]
    holdout = [h[1] for h in result.history]
    assert np.isfinite(holdout).all()
    assert train[result.best_iteration] <= train[0]
    assert min(train) < 0.95 * train[0]
    assert holdout[result.best_iteration] == min(holdout)
    assert result.n_train + result.n_holdout == len(_measured_strings(6, 5))
    assert result.n_holdout == round(0.1 * (result.n_train + result.n_holdout))
    assert result.state.trace() == pytest.approx(1.0)
    assert result.state.bond_dims == start.bond_dims
    assert fidelity(truth, result.state) >= fidelity(truth, start) - FIDELITY_SLACK


def test_refine_is_deterministic_given_seed(sampled):
    _, data, start = sampled
    a = refine(start, data, seed=5, max_iters=5)
    b = refine(start, data, seed=5, max_iters=5)
    assert a.history == b.history


def test_refine_without_holdout(sampled):
    _, data, start = sampled
    result = refine(start, data, holdout=0.0, max_iters=4)
    assert result.n_holdout == 0
    assert np.isnan([h[1] for h in result.history]).all()
    assert result.stopped_because == "max_iters"
    assert result.iterations == 4
    assert result.history[-1][0] < result.history[0][0]


def test_exact_data_stays_exact():
    truth = simulate(brickwork(6, 2, seed=1), depolarizing(0.0, 0.01))
    data = ExactExpectations(truth, 5)
    start = reconstruct(data).state
    result = refine(start, data, seed=0, max_iters=20)
    assert result.history[0][0] < 1e-6
    assert relative_error(result.state, truth) < 1e-6


def test_callback_stops(sampled):
    _, data, start = sampled
    seen = []

    def stop_at_two(iteration, train, holdout):
        seen.append((iteration, train, holdout))
        return iteration >= 2

    result = refine(start, data, seed=0, callback=stop_at_two)
    assert result.stopped_because == "callback"
    assert [s[0] for s in seen] == [0, 1, 2]
    assert [s[1:] for s in seen] == result.history


def test_nan_loss_stops_with_last_good_state(sampled, monkeypatch):
    _, data, start = sampled
    real = refine_module._loss_and_gradient
    calls = {"n": 0}

    def breaks_after_five(cores, targets):
        calls["n"] += 1
        train, holdout, grads = real(cores, targets)
        return (float("nan") if calls["n"] > 5 else train), holdout, grads

    monkeypatch.setattr(refine_module, "_loss_and_gradient", breaks_after_five)
    result = refine(start, data, seed=0)
    assert result.stopped_because == "nan"
    assert np.isfinite(result.history).all()
    assert result.state.trace() == pytest.approx(1.0)
    assert all(np.isfinite(c).all() for c in result.state.tt.cores)


# ---------------------------------------------------------------------- errors
def test_qubit_count_mismatch(sampled):
    _, data, _ = sampled
    other = _random_state(5, 2, seed=0)
    with pytest.raises(ValueError, match="state has 5 qubits, the data 6"):
        refine(other, data)


def test_zero_trace_state(sampled):
    _, data, _ = sampled
    core = np.zeros((1, 4, 1))
    core[0, 3, 0] = 1.0  # only Z: identity coefficient 0
    with pytest.raises(ValueError, match="trace 0"):
        refine(PauliMPO(TensorTrain([core] * 6)), data)


@pytest.mark.parametrize(
    "loss, message", [("nll", "'nll'.*not built yet.*'lsq'"), ("l2", "unknown loss 'l2'.*'lsq'")]
)
def test_bad_loss(sampled, loss, message):
    _, data, start = sampled
    with pytest.raises(ValueError, match=message):
        refine(start, data, loss=loss)


@pytest.mark.parametrize("holdout", [1.0, -0.1])
def test_bad_holdout(sampled, holdout):
    _, data, start = sampled
    with pytest.raises(ValueError, match="holdout"):
        refine(start, data, holdout=holdout)


def test_bad_types(sampled):
    _, data, start = sampled
    with pytest.raises(TypeError, match="PauliMPO"):
        refine(start.tt, data)
    with pytest.raises(TypeError, match="MeasurementData"):
        refine(start, {"n": 6})
    with pytest.raises(TypeError, match="max_iters"):
        refine(start, data, max_iters=2.5)
