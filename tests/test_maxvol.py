"""maxvol and rect_maxvol: their defining bounds, real and complex, and bad input."""

import numpy as np
import pytest

from ttcross import maxvol, rect_maxvol


def _tall(n, r, seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((n, r))
    if np.issubdtype(dtype, np.complexfloating):
        a = a + 1j * rng.standard_normal((n, r))
    return a


@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
@pytest.mark.parametrize(("n", "r"), [(5, 1), (20, 3), (200, 10), (7, 7)])
def test_maxvol_bound(n, r, dtype):
    a = _tall(n, r, n + r, dtype)
    rows, coef = maxvol(a, tol=1.05)
    assert rows.shape == (r,) and rows.dtype == np.int64
    assert len(set(rows.tolist())) == r
    np.testing.assert_allclose(coef[rows], np.eye(r), atol=1e-10)
    np.testing.assert_allclose(coef @ a[rows], a, atol=1e-10)
    assert np.abs(coef).max() <= 1.05 + 1e-10


def test_maxvol_volume_is_locally_maximal():
    a = _tall(30, 4, 1)
    rows, _ = maxvol(a, tol=1.0)
    vol = abs(np.linalg.det(a[rows]))
    for j in range(4):  # no single swap increases the volume
        for i in range(30):
            trial = rows.copy()
            trial[j] = i
            assert abs(np.linalg.det(a[trial])) <= vol * (1 + 1e-10)


@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_rect_maxvol_bound(dtype):
    a = _tall(100, 5, 3, dtype)
    rows, coef = rect_maxvol(a, tol=1.1)
    assert 5 <= len(rows) <= 100 and len(set(rows.tolist())) == len(rows)
    np.testing.assert_allclose(coef, a @ np.linalg.pinv(a[rows]), atol=1e-10)
    assert np.linalg.norm(coef, axis=1).max() <= 1.1 + 1e-10
    np.testing.assert_allclose(coef @ a[rows], a, atol=1e-10)


def test_rect_maxvol_max_rows():
    a = _tall(100, 5, 4)
    rows, coef = rect_maxvol(a, tol=1.0, max_rows=7)
    assert len(rows) == 7 and coef.shape == (100, 7)
    np.testing.assert_allclose(coef, a @ np.linalg.pinv(a[rows]), atol=1e-10)
    rows, _ = rect_maxvol(a, tol=1.0, max_rows=1000)
    assert len(rows) <= 100


def test_bad_input():
    with pytest.raises(ValueError, match="2-D"):
        maxvol(np.ones(5))
    with pytest.raises(ValueError, match="tall"):
        maxvol(np.ones((2, 5)))
    with pytest.raises(ValueError, match="tall"):
        rect_maxvol(np.ones((5, 0)))
    with pytest.raises(ValueError, match="NaN"):
        maxvol(np.full((4, 2), np.nan))
    with pytest.raises(ValueError, match="tol"):
        maxvol(_tall(5, 2, 0), tol=0.5)
    with pytest.raises(ValueError, match="max_rows"):
        rect_maxvol(_tall(5, 2, 0), max_rows=1)
    with pytest.raises(np.linalg.LinAlgError):
        maxvol(np.ones((6, 2)))  # rank 1 < 2 columns
