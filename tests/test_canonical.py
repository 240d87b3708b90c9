"""CanonicalTrain against dense references."""

import numpy as np
import pytest

from ttcross import TensorTrain
from ttcross import contract as ct
from ttcross.canonical import CanonicalTrain


def _dense(train: CanonicalTrain) -> np.ndarray:
    return train.to_tensor_train().full()


def _random_train(seed: int, shape=(2, 3, 2, 3), rank=3) -> TensorTrain:
    return TensorTrain.random(shape, rank, seed=seed)


def test_move_center_keeps_tensor_and_orthonormality():
    tt = _random_train(0)
    train = CanonicalTrain.from_tensor_train(tt, center=0)
    for target in (3, 1, 2, 0):
        train.move_center(target)
        assert train.center == target
        np.testing.assert_allclose(_dense(train), tt.full(), atol=1e-12)
        for k, core in enumerate(train.cores):
            r0, n, r1 = core.shape
            if k < target:
                m = core.reshape(r0 * n, r1)
                np.testing.assert_allclose(m.T @ m, np.eye(r1), atol=1e-12)
            elif k > target:
                m = core.reshape(r0, n * r1)
                np.testing.assert_allclose(m @ m.T, np.eye(r0), atol=1e-12)


def test_apply_two_site_exact_matches_dense():
    tt = _random_train(1)
    rng = np.random.default_rng(2)
    op = rng.standard_normal((6, 6))  # sites 0, 1 have sizes 2, 3
    train = CanonicalTrain.from_tensor_train(tt, center=3)
    discarded = train.apply_two_site(0, op)
    assert discarded == pytest.approx(0.0, abs=1e-28)
    assert train.center == 1
    ref = tt.full().reshape(6, 6)
    ref = (op @ ref).reshape(tt.shape)
    np.testing.assert_allclose(_dense(train), ref, atol=1e-11)


def test_apply_two_site_truncation_is_svd_optimal():
    tt = _random_train(3, shape=(2, 2, 2, 2), rank=4)
    op = np.random.default_rng(4).standard_normal((4, 4))
    block = ct.contract("pq,aqb->apb", op, tt.full().reshape(2, 4, 2))  # sites 1, 2 fused
    ref = block.reshape(4, 4)  # rows (site 0, site 1), columns (site 2, site 3)
    train = CanonicalTrain.from_tensor_train(tt, center=0)
    discarded = train.apply_two_site(1, op, max_rank=1)
    assert train.ranks[2] == 1
    # dense reference: best rank-1 approximation across the bond (0,1 | 2,3) of the new tensor
    s = np.linalg.svd(ref, compute_uv=False)
    assert discarded == pytest.approx(np.sum(s[1:] ** 2) / np.sum(s**2), rel=1e-10)
    got = _dense(train).reshape(4, 4)
    u, sv, vh = np.linalg.svd(ref)
    best = sv[0] * np.outer(u[:, 0], vh[0])
    np.testing.assert_allclose(got, best, atol=1e-10)


def test_tol_sets_rank_and_site_operators_on_the_way_out():
    cores = [np.array([1.0, 0.0]).reshape(1, 2, 1) for _ in range(3)]
    train = CanonicalTrain(cores, log_scale=np.log(2.0))
    cnot = np.eye(4)[[0, 1, 3, 2]]
    hadamard = np.array([[1, 1], [1, -1]]) / np.sqrt(2)
    train.apply_two_site(0, cnot @ np.kron(hadamard, np.eye(2)), tol=1e-12)
    assert train.ranks == (1, 2, 1, 1)
    flip = [np.eye(2), np.eye(2), np.array([[0.0, 1.0], [1.0, 0.0]])]
    dense = train.to_tensor_train(flip).full()
    ref = np.zeros((2, 2, 2))
    ref[0, 0, 1] = ref[1, 1, 1] = 2.0 / np.sqrt(2)
    np.testing.assert_allclose(dense, ref, atol=1e-14)
    np.testing.assert_allclose(_dense(train)[:, :, 0], ref[:, :, 1], atol=1e-14)


def test_vanishing_block_and_bad_center_raise():
    cores = [np.array([1.0, 0.0]).reshape(1, 2, 1) for _ in range(2)]
    with pytest.raises(FloatingPointError, match="vanished"):
        CanonicalTrain(cores).apply_two_site(0, np.zeros((4, 4)))
    with pytest.raises(ValueError, match="center"):
        CanonicalTrain(cores, center=2)
    with pytest.raises(TypeError, match="center"):
        CanonicalTrain(cores, center=1.0)
