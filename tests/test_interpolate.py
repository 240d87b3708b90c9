"""cross_interpolate from given index sets: exactness and bad input."""

import re

import numpy as np
import pytest

from ttcross import IllConditionedWarning, TensorTrain, cross_interpolate, regularized_pinv


def _random_sets(shape, size, rng):
    """Independent (non-nested) random left and right sets of ``size`` distinct rows."""
    d = len(shape)
    lefts, rights = [], []
    for k in range(d - 1):
        for modes, out in ((shape[: k + 1], lefts), (shape[k + 1 :], rights)):
            total = int(np.prod(modes))
            pick = rng.choice(total, size=min(size, total), replace=False)
            out.append(np.stack(np.unravel_index(pick, modes), axis=1))
    return lefts, rights


def _nested_sets(shape, size, rng):
    """Nested random sets: ``I[k]`` in ``I[k-1] x n[k]``, ``J[k]`` in ``n[k+1] x J[k+1]``."""
    d = len(shape)
    lefts, prefix = [], np.zeros((1, 0), dtype=np.int64)
    for k in range(d - 1):
        cand = np.array([[*p, i] for p in prefix for i in range(shape[k])], dtype=np.int64)
        prefix = cand[np.sort(rng.choice(len(cand), size=min(size, len(cand)), replace=False))]
        lefts.append(prefix)
    rights, suffix = [None] * (d - 1), np.zeros((1, 0), dtype=np.int64)
    for k in range(d - 2, -1, -1):
        cand = np.array([[i, *s] for i in range(shape[k + 1]) for s in suffix], dtype=np.int64)
        suffix = cand[np.sort(rng.choice(len(cand), size=min(size, len(cand)), replace=False))]
        rights[k] = suffix
    return lefts, rights


CASES = [
    ([3, 4, 3, 4, 3], 2, np.float64),
    ([4, 4, 4, 4, 4, 4], 3, np.complex128),
    ([2, 3, 2, 3, 2, 3, 2], 2, np.float64),
]


@pytest.mark.parametrize(("shape", "rank", "dtype"), CASES)
@pytest.mark.parametrize("oversample", [1, 2])
@pytest.mark.parametrize("nested", [False, True])
def test_exact_on_random_tt(shape, rank, dtype, oversample, nested):
    tt = TensorTrain.random(shape, rank, dtype=dtype, seed=1)
    rng = np.random.default_rng(2)
    make = _nested_sets if nested else _random_sets
    lefts, rights = make(shape, rank * oversample, rng)
    approx = cross_interpolate(tt.evaluate, shape, lefts, rights)
    dense = tt.full()
    err = np.linalg.norm(approx.full() - dense) / np.linalg.norm(dense)
    assert err < 1e-10
    assert approx.dtype == np.dtype(dtype)


def test_order_one():
    values = np.arange(1.0, 6.0)
    tt = cross_interpolate(lambda idx: values[idx[:, 0]], [5], [], [])
    np.testing.assert_allclose(tt.full(), values)


def test_regularized_pinv():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((5, 3)) @ rng.standard_normal((3, 4))  # rank 3
    pinv, info = regularized_pinv(a, rcond=1e-12)
    np.testing.assert_allclose(pinv, np.linalg.pinv(a, rcond=1e-12), atol=1e-10)
    assert info.rank == 3 and info.condition > 1e12
    _, damped = regularized_pinv(a, tau=1e-3)
    assert damped.cutoff == 1e-3 and damped.norm <= 1 / (2 * 1e-3) + 1e-12


# ------------------------------------------------------------------ bad input
def _good(shape=(3, 3, 3)):
    tt = TensorTrain.random(shape, 2, seed=0)
    lefts, rights = _random_sets(shape, 2, np.random.default_rng(0))
    return tt.evaluate, shape, lefts, rights


def test_wrong_number_of_sets():
    f, shape, lefts, rights = _good()
    with pytest.raises(ValueError, match="one left and one right set per cut: 2 each"):
        cross_interpolate(f, shape, lefts[:1], rights)


def test_empty_set():
    f, shape, lefts, rights = _good()
    lefts[1] = np.zeros((0, 2), dtype=int)
    with pytest.raises(ValueError, match=r"left_sets\[1\] is empty"):
        cross_interpolate(f, shape, lefts, rights)


def test_out_of_range_and_float_indices():
    f, shape, lefts, rights = _good()
    bad = [r.copy() for r in rights]
    bad[0][0, 0] = 7
    with pytest.raises(IndexError, match=r"right_sets\[0\]` column 0"):
        cross_interpolate(f, shape, lefts, bad)
    floats = [rows.astype(float) for rows in lefts]
    with pytest.raises(TypeError, match="astype"):
        cross_interpolate(f, shape, floats, rights)
    wide = [np.hstack([lefts[0], lefts[0]]), lefts[1]]
    with pytest.raises(ValueError, match=r"shape \(M, 1\)"):
        cross_interpolate(f, shape, wide, rights)


def test_bad_oracle():
    _, shape, lefts, rights = _good()

    def nan_f(idx):
        out = np.ones(len(idx))
        out[-1] = np.nan
        return out

    with pytest.raises(ValueError, match="NaN"):
        cross_interpolate(nan_f, shape, lefts, rights)
    with pytest.raises(ValueError, match="one value per row"):
        cross_interpolate(lambda idx: np.ones(len(idx) + 1), shape, lefts, rights)
    with pytest.raises(TypeError, match="dtype"):
        cross_interpolate(lambda idx: np.array(["x"] * len(idx)), shape, lefts, rights)


def test_ill_conditioned_warning_carries_number():
    # A = u1 v1 + 1e-11 u2 v2 (rank 2): the 2 x 2 intersections have condition ~1e11
    rng = np.random.default_rng(3)
    u = rng.standard_normal((2, 4, 4))

    def f(idx):
        first = u[0][idx[:, 0], 0] * u[0][idx[:, 1], 1] * u[0][idx[:, 2], 2]
        second = u[1][idx[:, 0], 0] * u[1][idx[:, 1], 1] * u[1][idx[:, 2], 2]
        return first + 1e-11 * second

    lefts, rights = _random_sets((4, 4, 4), 2, np.random.default_rng(4))
    with pytest.warns(IllConditionedWarning, match="condition number") as record:
        cross_interpolate(f, (4, 4, 4), lefts, rights)
    number = float(re.search(r"condition number ([0-9.e+]+)", str(record[0].message)).group(1))
    assert number > 1e10
