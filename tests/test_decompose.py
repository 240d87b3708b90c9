"""Tests for ttcross.decompose against numpy's own factorisations."""

from __future__ import annotations

import numpy as np
import pytest

from ttcross.decompose import qr_left, qr_right, split_log_scale, truncated_svd, truncation_rank


def test_qr_left_and_right_reproduce_the_core():
    core = np.random.default_rng(0).standard_normal((3, 4, 5))
    q, r = qr_left(core)
    assert np.allclose(np.tensordot(q, r, axes=(2, 0)), core)
    assert np.allclose(q.reshape(12, -1).T @ q.reshape(12, -1), np.eye(q.shape[2]))
    q, factor = qr_right(core)
    assert np.allclose(np.tensordot(factor, q, axes=(1, 0)), core)
    assert np.allclose(q.reshape(q.shape[0], -1) @ q.reshape(q.shape[0], -1).T, np.eye(3))


def test_truncated_svd_reports_what_it_drops():
    rng = np.random.default_rng(1)
    u, _ = np.linalg.qr(rng.standard_normal((6, 6)))
    v, _ = np.linalg.qr(rng.standard_normal((5, 5)))
    s = np.array([4.0, 2.0, 1.0, 1e-3, 1e-4])
    matrix = u[:, :5] @ np.diag(s) @ v
    uk, sk, vhk, discarded, total = truncated_svd(matrix, 1e-2, None)
    assert sk.size == 3 and discarded == pytest.approx(1e-6 + 1e-8)
    assert total == pytest.approx(np.sum(s**2))
    assert np.linalg.norm(matrix - uk @ np.diag(sk) @ vhk) == pytest.approx(np.sqrt(discarded))
    assert truncated_svd(matrix, 1e-2, 2)[1].size == 2  # the cap wins
    assert truncation_rank(s, 0.0, None) == 5 and truncation_rank(s, 10.0, None) == 1


def test_split_log_scale_keeps_the_value():
    array = np.full((2, 3), 1e150)
    mantissa, log_norm = split_log_scale(array)
    assert np.linalg.norm(mantissa) == pytest.approx(1.0)
    assert log_norm == pytest.approx(np.log(1e150 * np.sqrt(6)))
    zero = np.zeros(3)
    assert split_log_scale(zero)[0] is zero and split_log_scale(zero)[1] == 0.0
