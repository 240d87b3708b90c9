"""Tests for tomography.refine: fitting the cores to every measured string (method note, 6).

References: central finite differences for the gradient; ``MeasurementData.expectations`` for
which estimate each string gets; the exact state for fidelities. Sampled data: n = 6, depth-2
Haar brickwork, depolarizing(0, 0.01), window 5, 2000 shots per setting. Measured (seeds 0-4):
fidelity 0.9637 -> 0.9645, 0.9622 -> 0.9627, 0.9633 -> 0.9630, 0.9643 -> 0.9634,
0.9732 -> 0.9677; the training chi-square drops by 15-50 %, the holdout one by 1-12 %. So the
test (seed 0) asks for a lower training loss and a fidelity no more than 0.01 below the start.
Those numbers are of the plain fit (`loss="lsq", positive=False`); the defaults (likelihood,
positive form) are tested in the last section.
"""

from __future__ import annotations

import importlib
import itertools

import numpy as np
import pytest

from tomography.circuits import brickwork
from tomography.measure import ExactExpectations, MeasurementDesign, measure
from tomography.metrics import fidelity, relative_error
from tomography.noise import depolarizing
from tomography.reconstruct import reconstruct
from tomography.refine import STOP_REASONS, Refinement, refine
from tomography.simulate import simulate
from tomography.state import PauliMPO
from ttcross import TensorTrain

losses = importlib.import_module("tomography._refine_losses")
gradient_module = importlib.import_module("tomography._refine_gradient")
models = importlib.import_module("tomography._refine_models")

FIDELITY_SLACK = 0.01  # measured changes -0.0055..+0.0007 at n = 6 (module docstring)
LSQ = {"loss": "lsq", "positive": False}  # the plain fit the fitting tests and numbers are of


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
    targets = losses._LsqHead(data, 0.2, rng)
    targets.train = (targets.train > 0) * 1.0  # unit weights keep the numbers O(1)
    targets.hold = (targets.hold > 0) * 1.0
    cores = list(state.tt.cores)
    _, _, grads = gradient_module._loss_and_gradient(cores, targets)
    eps = 1e-6
    for k in range(n):
        for idx in np.ndindex(cores[k].shape):
            plus = [c.copy() for c in cores]
            minus = [c.copy() for c in cores]
            plus[k][idx] += eps
            minus[k][idx] -= eps
            fd = (
                gradient_module._loss_and_gradient(plus, targets)[0]
                - gradient_module._loss_and_gradient(minus, targets)[0]
            ) / (2 * eps)
            assert fd == pytest.approx(grads[k][idx], rel=1e-5, abs=1e-8), (k, idx)


@pytest.mark.parametrize("n, w", [(6, 3), (4, 4), (5, 2)])
def test_every_measured_string_used_once(n, w):
    truth = _random_state(n, 2, seed=3).normalized()
    data = ExactExpectations(truth, w)
    targets = losses._LsqHead(data, 0.0, np.random.default_rng(0))
    used = []
    for j in range(n - w + 1):
        for flat in np.flatnonzero(targets.train[j]):
            local = np.unravel_index(flat, (4,) * w)
            used.append((0,) * j + tuple(int(q) for q in local) + (0,) * (n - w - j))
    assert len(used) == len(set(used)) == targets.n_train
    assert set(used) == _measured_strings(n, w)
    assert targets.n_holdout == 0


def test_targets_are_the_data_estimates(sampled):
    _, data, _ = sampled
    n, w = data.n, data.design.window
    targets = losses._LsqHead(data, 0.3, np.random.default_rng(1))
    owned = (targets.train > 0) | (targets.hold > 0)
    assert not ((targets.train > 0) & (targets.hold > 0)).any()
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
        weights = targets.train[j, flat] + targets.hold[j, flat]
        assert weights == pytest.approx(1 / stderr[0] ** 2)


# ---------------------------------------------------------------------- fitting
def test_refine_sampled_data(sampled):
    truth, data, start = sampled
    result = refine(start, data, seed=0, **LSQ)
    assert isinstance(result, Refinement)
    assert result.stop_reason in STOP_REASONS
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
    a = refine(start, data, seed=5, max_iters=5, **LSQ)
    b = refine(start, data, seed=5, max_iters=5, **LSQ)
    assert a.history == b.history


def test_refine_without_holdout(sampled):
    _, data, start = sampled
    result = refine(start, data, holdout=0.0, max_iters=4, **LSQ)
    assert result.n_holdout == 0
    assert np.isnan([h[1] for h in result.history]).all()
    assert result.stop_reason == "max_iters"
    assert result.iterations == 4
    assert result.history[-1][0] < result.history[0][0]


def test_exact_data_stays_exact():
    truth = simulate(brickwork(6, 2, seed=1), depolarizing(0.0, 0.01))
    data = ExactExpectations(truth, 5)
    start = reconstruct(data).state
    result = refine(start, data, seed=0, max_iters=20, **LSQ)
    assert result.history[0][0] < 1e-6
    assert relative_error(result.state, truth) < 1e-6


def test_callback_stops(sampled):
    _, data, start = sampled
    seen = []

    def stop_at_two(iteration, train, holdout):
        seen.append((iteration, train, holdout))
        return iteration >= 2

    result = refine(start, data, seed=0, callback=stop_at_two, **LSQ)
    assert result.stop_reason == "callback"
    assert [s[0] for s in seen] == [0, 1, 2]
    assert [s[1:] for s in seen] == result.history


def test_nan_loss_stops_with_last_good_state(sampled, monkeypatch):
    _, data, start = sampled
    real = gradient_module._loss_and_gradient
    calls = {"n": 0}

    def breaks_after_five(cores, targets):
        calls["n"] += 1
        train, holdout, grads = real(cores, targets)
        return (float("nan") if calls["n"] > 5 else train), holdout, grads

    monkeypatch.setattr(gradient_module, "_loss_and_gradient", breaks_after_five)
    with pytest.warns(RuntimeWarning, match="NaN or infinite.*best finite iterate"):
        result = refine(start, data, seed=0, **LSQ)
    assert result.stop_reason == "nan"
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
    "option, value, message",
    [
        ("loss", "l2", "unknown loss 'l2'.*'lsq', 'nll'"),
        ("init", "zeros", "unknown init 'zeros'.*'state', 'random'"),
    ],
)
def test_bad_choice(sampled, option, value, message):
    _, data, start = sampled
    with pytest.raises(ValueError, match=message):
        refine(start, data, **{option: value})


def test_nll_needs_counts():
    truth = _random_state(5, 2, seed=0).normalized()
    with pytest.raises(TypeError, match="'nll' fits counts; ExactExpectations has none"):
        refine(truth, ExactExpectations(truth, 3), loss="nll")


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
    with pytest.raises(TypeError, match="progress"):
        refine(start, data, progress=True)


# ---------------------------------------------------------------------- counts and positivity
READOUT = np.array([[0.97, 0.05], [0.03, 0.95]])  # P(measured | true), columns sum to 1


@pytest.fixture(scope="module")
def small_counts():
    """n = 5, window 3, 500 shots per setting, with a readout assignment set."""
    truth = simulate(brickwork(5, 1, seed=3), depolarizing(0.0, 0.05))
    data = measure(truth, MeasurementDesign(5, 3), 500, seed=1)
    data = data.with_assignment(np.repeat(READOUT[None], 5, axis=0))
    return truth, data, reconstruct(data).state


@pytest.mark.parametrize("loss", ["lsq", "nll"])
@pytest.mark.parametrize("positive", [False, True])
def test_gradient_of_every_model_and_loss(small_counts, loss, positive):
    _, data, start = small_counts
    rng = np.random.default_rng(7)
    heads = {"lsq": losses._LsqHead, "nll": losses._CountsHead}
    head = heads[loss](data, 0.1, np.random.default_rng(1))
    if positive:
        model = models._PurifiedModel.from_state(start, 2, "random", rng)
    else:
        model = models._PauliModel.from_state(start, "random", rng)
    x = model.x0 + 0.05 * rng.standard_normal(model.x0.size)

    def loss_at(y):
        return gradient_module._loss_and_gradient(model.cores(y), head)[0]

    _, _, bars = gradient_module._loss_and_gradient(model.cores(x), head)
    gradient = model.gradient(x, bars)
    eps = 1e-6
    for _ in range(3):
        direction = rng.standard_normal(x.size)
        fd = (loss_at(x + eps * direction) - loss_at(x - eps * direction)) / (2 * eps)
        assert fd == pytest.approx(gradient @ direction, rel=1e-6)


def test_counts_head_holds_out_shots(small_counts):
    _, data, _ = small_counts
    head = losses._CountsHead(data, 0.25, np.random.default_rng(0))
    windows = data.n - data.design.window + 1
    assert head.n_train + head.n_holdout == windows * data.total_shots
    assert head.n_holdout == pytest.approx(0.25 * windows * data.total_shots, rel=0.02)
    per_setting = data.shots
    for train, hold in zip(head.train, head.hold, strict=True):
        np.testing.assert_array_equal(train.sum(axis=1) + hold.sum(axis=1), per_setting)
    # the truth's outcome distributions explain the raw counts (the noise has no readout part)
    truth = small_counts[0]
    raw = losses._CountsHead(data.with_assignment(None), 0.0, np.random.default_rng(0))
    for j in (0, data.n - raw.window):
        exact = truth.marginal(range(j, j + raw.window)).tt.full().ravel()
        expected = (exact[raw.strings[j]] @ raw.hadamard / 2**raw.window) * per_setting[:, None]
        chi2 = ((raw.train[j] - expected) ** 2 / np.maximum(expected, 1e-9)).sum()
        assert chi2 / raw.train[j].size < 1.5  # a wrong string map gives >> 10


def test_negative_log_continues_smoothly():
    p = np.array([-0.1, 0.0, 0.001, 0.01, 0.5])
    value, slope = losses._neg_log(p, np.full(5, 0.01))
    assert np.isfinite(value).all() and np.all(np.diff(value) < 0)
    assert value[3:] == pytest.approx(-np.log(p[3:]))
    eps = 1e-7
    numeric = (
        losses._neg_log(p + eps, np.full(5, 0.01))[0]
        - losses._neg_log(p - eps, np.full(5, 0.01))[0]
    ) / (2 * eps)
    np.testing.assert_allclose(slope, numeric, rtol=1e-5)


def test_purified_cores_are_real_and_positive():
    rng = np.random.default_rng(3)
    start = _random_state(5, 4, seed=2)
    model = models._PurifiedModel.from_state(start, 2, "random", rng)
    x = model.x0 + 0.3 * rng.standard_normal(model.x0.size)
    complex_tt = TensorTrain(model.complex_cores(x)).full()
    real_cores = model.cores(x)
    assert all(np.isrealobj(c) for c in real_cores)
    assert [c.shape[0] for c in real_cores[1:]] == [4] * 4  # D = ceil(sqrt(4)) = 2, bond D^2
    np.testing.assert_allclose(TensorTrain(real_cores).full(), complex_tt.real, atol=1e-12)
    assert np.abs(complex_tt.imag).max() < 1e-12
    rho = PauliMPO(TensorTrain(real_cores)).to_dense()
    assert np.linalg.eigvalsh(rho).min() > -1e-12
    basis = models._hermitian_basis(9)
    np.testing.assert_allclose(basis.conj().T @ basis, np.eye(9), atol=1e-12)


@pytest.fixture(scope="module")
def positive_nll(sampled):
    _, data, start = sampled
    return refine(start, data, loss="nll", positive=True, seed=0)


def test_positive_nll_is_a_better_state(sampled, positive_nll):
    truth, data, start = sampled
    result = positive_nll
    assert result.positive and result.loss == "nll"
    rho = result.state.to_dense()
    assert np.linalg.eigvalsh(rho).min() > -1e-9  # positive semidefinite
    assert result.state.trace() == pytest.approx(1.0)
    assert result.state.bond_dims == tuple(int(np.ceil(np.sqrt(r))) ** 2 for r in start.bond_dims)
    repaired = fidelity(truth, start)  # fidelity() repairs the cross estimate first
    assert fidelity(truth, result.state) > repaired + 0.01  # measured 0.964 -> 0.986
    windows = data.n - data.design.window + 1
    assert result.n_train + result.n_holdout == windows * data.total_shots
    holdout = [h[1] for h in result.history]
    assert holdout[result.best_iteration] == min(holdout)


def test_nll_from_random_start_is_reproducible(sampled):
    truth, data, start = sampled
    a = refine(start, data, loss="nll", init="random", seed=4, max_iters=5)
    b = refine(start, data, loss="nll", init="random", seed=4, max_iters=5)
    assert a.history == b.history
    assert a.history[0][0] > refine(start, data, loss="nll", seed=4, max_iters=1).history[0][0]


def test_progress_callback_counts_the_iterations(sampled, capsys):
    _, data, start = sampled
    calls = []
    reported = refine(start, data, max_iters=3, seed=0, progress=lambda *a: calls.append(a))
    assert calls[0] == (0, 3)
    assert calls[-1] == (reported.iterations, 3)
    assert [c[0] for c in calls[1:-1]] == list(range(1, reported.iterations + 1))
    assert all(total == 3 for _, total in calls)
    assert capsys.readouterr().err == ""
    silent = refine(start, data, max_iters=3, seed=0)
    assert silent.history == reported.history
    np.testing.assert_array_equal(silent.state.tt.full(), reported.state.tt.full())
