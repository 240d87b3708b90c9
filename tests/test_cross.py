"""tt_cross: recovery of random tensor trains, evaluation budgets, guards and bad input."""

import dataclasses
import itertools

import numpy as np
import pytest

from ttcross import CROSS_METHODS, CrossResult, IllConditionedWarning, TensorTrain, tt_cross


def _relative_error(approx: TensorTrain, exact: TensorTrain, rng) -> float:
    """On the full tensor when small, else on 4000 random entries."""
    if np.prod(exact.shape, dtype=float) <= 2**16:
        return float((approx - exact).norm() / exact.norm())
    idx = rng.integers(0, exact.shape, size=(4000, exact.ndim))
    ref = exact.evaluate(idx)
    return float(np.linalg.norm(approx.evaluate(idx) - ref) / np.linalg.norm(ref))


def _minimal(tt: TensorTrain) -> TensorTrain:
    """The same tensor with its true (minimal) ranks."""
    return tt.round(1e-13)


class _Recorder:
    """An oracle that remembers every multi-index it was asked for."""

    def __init__(self, f):
        self.f, self.asked = f, []

    def __call__(self, idx):
        self.asked.append(np.array(idx))
        return self.f(idx)


# (order, mode size, rank, complex): orders 4-12, ranks 1-6, mode sizes 2-5, real and complex
ACCEPTANCE = [
    (4, 2, 1, False),
    (4, 5, 3, True),
    (5, 3, 2, False),
    (6, 4, 6, True),
    (7, 2, 4, False),
    (8, 5, 5, False),
    (9, 3, 6, True),
    (10, 4, 2, True),
    (11, 2, 6, False),
    (12, 5, 4, True),
    (12, 3, 1, False),
]


@pytest.mark.parametrize(("d", "n", "rank", "is_complex"), ACCEPTANCE)
def test_recovers_random_tt_at_known_rank(d, n, rank, is_complex):
    """max_rank = true rank: error <= 1e-10 with at most 3x the TT parameters."""
    exact = _minimal(
        TensorTrain.random([n] * d, rank, dtype=complex if is_complex else float, seed=d * n)
    )
    result = tt_cross(exact.evaluate, exact.shape, tol=1e-10, max_rank=max(exact.ranks), seed=0)
    assert result.converged and result.stop_reason == "tol"
    assert _relative_error(result.tt, exact, np.random.default_rng(1)) <= 1e-10
    assert result.n_evals <= 3 * exact.n_params
    assert result.tt.dtype == exact.dtype


@pytest.mark.parametrize(("d", "n", "rank", "is_complex"), ACCEPTANCE)
def test_recovers_random_tt_from_rank_one(d, n, rank, is_complex):
    """No rank given, start at rank 1: error <= 1e-10 with at most 10x the TT parameters."""
    exact = _minimal(
        TensorTrain.random([n] * d, rank, dtype=complex if is_complex else float, seed=d + n)
    )
    result = tt_cross(exact.evaluate, exact.shape, tol=1e-10, seed=2)
    assert result.converged
    assert _relative_error(result.tt, exact, np.random.default_rng(3)) <= 1e-10
    assert result.n_evals <= 10 * exact.n_params
    assert result.tt.ranks == exact.ranks


@pytest.mark.parametrize(("d", "n", "rank", "is_complex"), ACCEPTANCE[::3])
def test_dmrg_recovers_random_tt(d, n, rank, is_complex):
    exact = _minimal(
        TensorTrain.random([n] * d, rank, dtype=complex if is_complex else float, seed=d)
    )
    result = tt_cross(exact.evaluate, exact.shape, tol=1e-10, method="dmrg", seed=4)
    assert result.converged and result.method == "dmrg"
    assert _relative_error(result.tt, exact, np.random.default_rng(5)) <= 1e-10


@pytest.mark.slow
@pytest.mark.parametrize("method", sorted(CROSS_METHODS))
def test_many_random_tts(method):
    """300 random cases per method; rect_maxvol also meets the evaluation budgets."""
    rng = np.random.default_rng(123)
    for trial in range(300):
        d, n, rank = rng.integers(4, 13), rng.integers(2, 6), rng.integers(1, 7)
        dtype = complex if rng.random() < 0.5 else float
        exact = _minimal(TensorTrain.random([n] * d, rank, dtype=dtype, seed=rng))
        for budget, max_rank in ((3, max(exact.ranks)), (10, None)):
            result = tt_cross(
                exact.evaluate, exact.shape, tol=1e-10, max_rank=max_rank, seed=trial, method=method
            )
            assert _relative_error(result.tt, exact, rng) <= 1e-10, (trial, d, n, rank)
            if method == "rect_maxvol":
                assert result.n_evals <= budget * exact.n_params, (trial, d, n, rank)


# ------------------------------------------------------------------ oracle use
def test_each_entry_asked_once_and_counted():
    exact = TensorTrain.random([3] * 7, 3, seed=0)
    oracle = _Recorder(exact.evaluate)
    result = tt_cross(oracle, exact.shape, seed=0)
    asked = np.vstack(oracle.asked)
    assert len(np.unique(asked, axis=0)) == len(asked) == result.n_evals
    assert all(batch.dtype == np.int64 and batch.ndim == 2 for batch in oracle.asked)
    assert result.history[-1].n_evals == result.n_evals
    assert result.n_held_out > 0 and result.n_cache_hits > 0


def test_max_evals_is_a_hard_budget():
    exact = TensorTrain.random([5] * 12, 6, seed=1)  # about 3000 parameters
    oracle = _Recorder(exact.evaluate)
    result = tt_cross(oracle, exact.shape, tol=1e-12, max_evals=1500, seed=0)
    assert result.stop_reason == "max_evals" and not result.converged
    assert result.n_evals <= 1500
    assert sum(len(batch) for batch in oracle.asked) == result.n_evals
    with pytest.raises(ValueError, match="too small for one sweep"):
        tt_cross(exact.evaluate, exact.shape, max_evals=5, seed=0)


def test_order_one_and_two():
    values = np.array([1.0, -2.0, 3.0])
    result = tt_cross(lambda idx: values[idx[:, 0]], [3])
    np.testing.assert_allclose(result.tt.full(), values)
    assert result.n_evals == 3 and result.converged
    matrix = TensorTrain.random([6, 7], 2, seed=3)
    result = tt_cross(matrix.evaluate, matrix.shape, tol=1e-12, seed=0)
    np.testing.assert_allclose(result.tt.full(), matrix.full(), atol=1e-12)


def test_complex_function():
    grid = np.linspace(0, 1, 8)

    def f(idx):
        return np.exp(1j * np.sum(grid[idx] * np.arange(1, idx.shape[1] + 1), axis=1))

    result = tt_cross(f, [8] * 6, tol=1e-10, seed=0)
    assert result.tt.dtype == np.complex128 and max(result.tt.ranks) == 1
    idx = np.array(list(itertools.product(range(8), repeat=6)))[::97]
    np.testing.assert_allclose(result.tt.evaluate(idx), f(idx), atol=1e-10)


def test_reproducible_with_seed():
    exact = TensorTrain.random([3] * 6, 2, seed=9)
    one = tt_cross(exact.evaluate, exact.shape, seed=5)
    two = tt_cross(exact.evaluate, exact.shape, seed=np.random.default_rng(5))
    assert one.n_evals == two.n_evals
    for a, b in zip(one.left_sets, two.left_sets, strict=True):
        np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------------ result
def test_result_fields():
    exact = TensorTrain.random([4] * 6, 3, seed=4)
    result = tt_cross(exact.evaluate, exact.shape, seed=0)
    assert isinstance(result, CrossResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.n_evals = 0
    d = exact.ndim
    assert len(result.left_sets) == len(result.right_sets) == d - 1
    for k in range(d - 1):
        assert result.left_sets[k].shape[1] == k + 1
        assert result.right_sets[k].shape[1] == d - k - 1
    assert len(result.condition_numbers) == d - 1
    assert result.n_sweeps == len(result.history) >= 1
    assert result.error_estimate == result.history[-1].error_estimate <= 1e-8
    counts = [h.n_evals for h in result.history]
    assert counts == sorted(counts)
    assert {h.direction for h in result.history} <= {"left-to-right", "right-to-left"}
    assert all(len(h.ranks) == d + 1 for h in result.history)


def test_stop_reasons():
    exact = TensorTrain.random([4] * 8, 5, seed=0)
    capped = tt_cross(exact.evaluate, exact.shape, max_rank=2, seed=0)
    assert capped.stop_reason == "max_rank" and not capped.converged
    assert max(capped.tt.ranks) <= 2 and capped.error_estimate > 1e-3
    one = tt_cross(exact.evaluate, exact.shape, tol=None, max_sweeps=1, seed=0)
    assert one.stop_reason == "max_sweeps" and one.n_sweeps == 1


def test_global_pivots_fix_false_convergence():
    # a feature seen only where i0 + i7 = 0 (mod 4) and i3 = 1 (1/16 of the entries):
    # sweeps from random sets miss it until held-out entries that hit it become pivots
    def f(idx):
        return 1.0 + 5.0 * ((idx[:, 0] + idx[:, 7]) % 4 == 0) * (idx[:, 3] == 1)

    full = np.array(list(itertools.product(range(4), repeat=8)))
    failures = {0: 0, 2: 0}
    for n_pivots in failures:
        for seed in range(6):
            result = tt_cross(
                f, [4] * 8, n_pivots=n_pivots, n_random=0, n_check=300, max_sweeps=16, seed=seed
            )
            err = np.linalg.norm(result.tt.evaluate(full) - f(full)) / np.linalg.norm(f(full))
            failures[n_pivots] += err > 1e-6
            if n_pivots == 0:
                assert all(h.n_pivots == 0 for h in result.history)
    assert failures[0] >= 4 and failures[2] == 0


def test_ill_conditioned_warning():
    with pytest.warns(IllConditionedWarning, match=r"condition number \d"):
        tt_cross(lambda idx: 1.0 / (1.0 + idx.sum(axis=1)), [8] * 6, tol=1e-13, seed=0)


# ------------------------------------------------------------------ bad input
def test_bad_input():
    f = TensorTrain.random([3] * 4, 2, seed=0).evaluate
    with pytest.raises(TypeError, match="callable"):
        tt_cross(np.ones(3), [3] * 4)
    with pytest.raises(ValueError, match="empty"):
        tt_cross(f, [])
    with pytest.raises(ValueError, match=r"shape\[1\] == 0"):
        tt_cross(f, [3, 0, 3])
    with pytest.raises(TypeError, match="sequence of ints"):
        tt_cross(f, 3)
    with pytest.raises(ValueError, match="`max_rank == 0`, must be >= 1"):
        tt_cross(f, [3] * 4, max_rank=0)
    with pytest.raises(ValueError, match="initial_rank"):
        tt_cross(f, [3] * 4, initial_rank=0)
    with pytest.raises(ValueError, match="no stop rule"):
        tt_cross(f, [3] * 4, tol=None, max_sweeps=None)
    with pytest.raises(ValueError, match="tol"):
        tt_cross(f, [3] * 4, tol=-1.0)
    with pytest.raises(ValueError, match=r"unknown method 'svd'.*'dmrg', 'rect_maxvol'"):
        tt_cross(f, [3] * 4, method="svd")
    with pytest.raises(TypeError, match="max_evals"):
        tt_cross(f, [3] * 4, max_evals=1.5)
    with pytest.raises(ValueError, match="tau"):
        tt_cross(f, [3] * 4, tau=0.5)


def test_bad_oracle():
    def with_nan(idx):
        out = np.ones(len(idx))
        out[0] = np.nan
        return out

    with pytest.raises(ValueError, match="NaN"):
        tt_cross(with_nan, [3] * 4)
    with pytest.raises(ValueError, match="one value per row"):
        tt_cross(lambda idx: np.ones(len(idx) - 1), [3] * 4)
    with pytest.raises(ValueError, match="infinity"):
        tt_cross(lambda idx: np.full(len(idx), np.inf), [3] * 4)
