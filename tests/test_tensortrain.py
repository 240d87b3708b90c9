"""TensorTrain against dense numpy, long chains, and bad input."""

import numpy as np
import pytest

from ttcross import TensorTrain

DTYPES = [np.float64, np.complex128]


def _random(shape, ranks, dtype, seed):
    return TensorTrain.random(shape, ranks, dtype=dtype, seed=seed)


@pytest.fixture(params=DTYPES, ids=["real", "complex"])
def pair(request):
    a = _random([3, 2, 4, 2, 3], [2, 3, 3, 2], request.param, 0)
    b = _random([3, 2, 4, 2, 3], 2, request.param, 1)
    return a, b


def test_properties():
    tt = TensorTrain.random([2, 3, 4], [2, 3], seed=0)
    assert tt.shape == (2, 3, 4)
    assert tt.ranks == (1, 2, 3, 1)
    assert tt.ndim == 3
    assert tt.n_params == 2 * 2 + 2 * 3 * 3 + 3 * 4
    assert tt.dtype == np.float64
    assert "TensorTrain(shape=(2, 3, 4)" in repr(tt)
    with pytest.raises(ValueError):
        tt.cores[0][0, 0, 0] = 1.0  # read-only


def test_full_and_evaluate(pair):
    a, _ = pair
    dense = a.full()
    idx = np.random.default_rng(2).integers(0, a.shape, size=(50, a.ndim))
    np.testing.assert_allclose(a.evaluate(idx), dense[tuple(idx.T)], rtol=1e-13)
    np.testing.assert_allclose(a.evaluate(idx[0]), dense[tuple(idx[0])], rtol=1e-13)


def test_from_dense_roundtrip(pair):
    a, _ = pair
    dense = a.full()
    back = TensorTrain.from_dense(dense)
    np.testing.assert_allclose(back.full(), dense, atol=1e-12 * np.abs(dense).max())
    assert max(back.ranks) <= max(a.ranks)
    capped = TensorTrain.from_dense(dense, max_rank=1)
    assert max(capped.ranks) == 1


def test_norm_dot_algebra(pair):
    a, b = pair
    da, db = a.full(), b.full()
    np.testing.assert_allclose(a.norm(), np.linalg.norm(da), rtol=1e-12)
    np.testing.assert_allclose(a.dot(b), np.vdot(da, db), rtol=1e-12)
    np.testing.assert_allclose((a + b).full(), da + db, atol=1e-12)
    np.testing.assert_allclose((a - b).full(), da - db, atol=1e-12)
    np.testing.assert_allclose((-a).full(), -da, atol=1e-12)
    np.testing.assert_allclose((a * (2 - 1j)).full(), da * (2 - 1j), atol=1e-12)
    np.testing.assert_allclose((3.0 * a).full(), 3 * da, atol=1e-12)
    np.testing.assert_allclose((a / 4).full(), da / 4, atol=1e-12)
    np.testing.assert_allclose((a * 0).full(), 0 * da, atol=0)
    np.testing.assert_allclose(a.conj().full(), np.conj(da), atol=0)
    np.testing.assert_allclose(a.copy().full(), da, atol=0)
    phase, log_abs = a.log_dot(b)
    np.testing.assert_allclose(phase * np.exp(log_abs), np.vdot(da, db), rtol=1e-12)


def test_orthogonalize(pair):
    a, _ = pair
    for center in range(a.ndim):
        o = a.orthogonalize(center)
        np.testing.assert_allclose(o.full(), a.full(), atol=1e-12)
        for k, core in enumerate(o.cores):
            r0, n, r1 = core.shape
            if k < center:
                mat = core.reshape(r0 * n, r1)
                np.testing.assert_allclose(mat.conj().T @ mat, np.eye(r1), atol=1e-12)
            elif k > center:
                mat = core.reshape(r0, n * r1)
                np.testing.assert_allclose(mat @ mat.conj().T, np.eye(r0), atol=1e-12)
        np.testing.assert_allclose(np.exp(o.log_scale), a.norm(), rtol=1e-12)


def test_round(pair):
    a, b = pair
    twice = a + a  # ranks double, rank of the tensor does not
    rounded, err = twice.round(1e-12, return_error=True)
    np.testing.assert_allclose(rounded.full(), 2 * a.full(), atol=1e-11)
    assert max(rounded.ranks) <= max(a.ranks)
    assert err < 1e-12
    capped, err = (a + b).round(max_rank=1, return_error=True)
    assert max(capped.ranks) == 1
    true_err = np.linalg.norm(capped.full() - (a + b).full()) / (a + b).norm()
    assert true_err <= err * (1 + 1e-8)


def test_contract_modes(pair):
    a, _ = pair
    rng = np.random.default_rng(3)
    vecs = {1: rng.standard_normal(2), 3: rng.standard_normal(2)}
    part = a.contract_modes(vecs)
    dense = np.einsum("abcde,b,d->ace", a.full(), vecs[1], vecs[3])
    np.testing.assert_allclose(part.full(), dense, atol=1e-12)
    all_vecs = {k: rng.standard_normal(n) for k, n in enumerate(a.shape)}
    scalar = a.contract_modes(all_vecs)
    ref = np.einsum("abcde,a,b,c,d,e->", a.full(), *all_vecs.values())
    np.testing.assert_allclose(scalar, ref, rtol=1e-12)


def test_order_one_and_two():
    v = TensorTrain.from_dense(np.arange(1.0, 5.0))
    np.testing.assert_allclose(v.full(), np.arange(1.0, 5.0))
    np.testing.assert_allclose((v + v).full(), 2 * np.arange(1.0, 5.0))
    m = np.random.default_rng(0).standard_normal((4, 5))
    tt = TensorTrain.from_dense(m)
    np.testing.assert_allclose(tt.full(), m, atol=1e-13)
    np.testing.assert_allclose(tt.norm(), np.linalg.norm(m), rtol=1e-13)


# ------------------------------------------------------------------ order 1000
def test_order_1000_all_ones():
    d = 1000
    ones = TensorTrain([np.ones((1, 4, 1))] * d)
    assert np.isclose(ones.log_norm(), d * np.log(2.0), rtol=1e-12)  # norm 2^1000
    np.testing.assert_allclose(ones.norm(), 2.0**1000, rtol=1e-10)
    phase, log_abs = ones.log_dot(ones)  # 4^1000 is past float range
    assert phase == 1.0 and np.isclose(log_abs, d * np.log(4.0), rtol=1e-12)
    assert ones.dot(ones) == np.inf
    eights = TensorTrain([np.ones((1, 8, 1))] * d)  # norm 2^1500
    assert np.isclose(eights.log_norm(), 1500 * np.log(2.0), rtol=1e-12)
    assert eights.norm() == np.inf
    idx = np.zeros((3, d), dtype=int)
    np.testing.assert_allclose(ones.evaluate(idx), 1.0)
    small = ones * 1e-3
    assert np.isclose(small.log_norm(), d * np.log(2.0) + np.log(1e-3), rtol=1e-12)
    rounded = (ones + ones).round(1e-10)
    assert max(rounded.ranks) == 1
    assert np.isclose(rounded.log_norm(), d * np.log(2.0) + np.log(2.0), rtol=1e-12)


def test_order_1000_random_norm_dot_round():
    d = 1000
    tt = TensorTrain.random([4] * d, 3, seed=5)
    log_norm = tt.log_norm()
    assert np.isfinite(log_norm)
    phase, log_abs = tt.log_dot(tt)
    assert np.isclose(phase, 1.0) and np.isclose(log_abs, 2 * log_norm, rtol=1e-10)
    rounded, err = (tt + tt).round(1e-10, return_error=True)
    assert max(rounded.ranks) <= 3
    assert np.isclose(rounded.log_norm(), log_norm + np.log(2.0), rtol=1e-10)
    assert err < 1e-9
    other = TensorTrain.random([4] * d, 2, seed=6)
    _, log_cross = tt.log_dot(other)
    assert np.isfinite(log_cross) and log_cross <= log_norm + other.log_norm() + 1e-8
    centred = tt.orthogonalize(d // 2)
    assert np.isclose(centred.log_scale, log_norm, rtol=1e-10)
    idx = np.random.default_rng(0).integers(0, 4, size=(5, d))
    np.testing.assert_allclose(centred.evaluate(idx), tt.evaluate(idx), rtol=1e-8)


# ------------------------------------------------------------------ bad input
def test_bad_cores():
    good = np.ones((1, 2, 1))
    with pytest.raises(ValueError, match="empty"):
        TensorTrain([])
    with pytest.raises(TypeError, match="list of 3-D arrays"):
        TensorTrain(np.ones((1, 2, 1)))
    with pytest.raises(ValueError, match="3-D"):
        TensorTrain([np.ones((2, 2))])
    with pytest.raises(ValueError, match="rank mismatch"):
        TensorTrain([np.ones((1, 2, 2)), np.ones((3, 2, 1))])
    with pytest.raises(ValueError, match="boundary ranks"):
        TensorTrain([np.ones((2, 2, 1))])
    with pytest.raises(ValueError, match="zero dimension"):
        TensorTrain([np.ones((1, 0, 1))])
    with pytest.raises(ValueError, match="NaN"):
        TensorTrain([np.full((1, 2, 1), np.nan)])
    with pytest.raises(TypeError, match="dtype"):
        TensorTrain([np.array([[["a"]]])])
    with pytest.raises(ValueError, match="log_scale"):
        TensorTrain([good], log_scale=np.inf)


def test_bad_arguments():
    tt = TensorTrain.random([2, 3, 2], 2, seed=0)
    with pytest.raises(ValueError, match=r"shape \(M, 3\)"):
        tt.evaluate(np.zeros((4, 2), dtype=int))
    with pytest.raises(IndexError, match="column 1"):
        tt.evaluate(np.array([[0, 3, 0]]))
    with pytest.raises(TypeError, match="astype"):
        tt.evaluate(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="shape mismatch"):
        tt + TensorTrain.random([2, 3, 3], 2, seed=0)
    with pytest.raises(TypeError, match="TensorTrain"):
        tt.dot(np.ones((2, 3, 2)))
    with pytest.raises(ValueError, match="center"):
        tt.orthogonalize(3)
    with pytest.raises(ZeroDivisionError):
        tt / 0
    with pytest.raises(ValueError):
        tt * np.inf
    with pytest.raises(MemoryError, match="max_size"):
        tt.full(max_size=5)
    with pytest.raises(ValueError, match="shape"):
        tt.contract_modes({0: np.ones(3)})
    with pytest.raises(ValueError, match="ranks"):
        TensorTrain.random([2, 2, 2], [2, 2, 2])
    with pytest.raises(ValueError, match="max_rank"):
        tt.round(max_rank=0)
    with pytest.raises(ValueError, match="scalar"):
        TensorTrain.from_dense(np.float64(1.0))
