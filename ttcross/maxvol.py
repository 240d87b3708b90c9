"""Row selection of (locally) maximal volume.

References
----------
S. A. Goreinov, I. V. Oseledets, D. V. Savostyanov, E. E. Tyrtyshnikov, N. L. Zamarashkin,
"How to find a good submatrix", in *Matrix Methods: Theory, Algorithms, Applications* (2010).
A. Mikhalev, I. V. Oseledets, "Rectangular maximum-volume submatrices and their applications",
Linear Algebra Appl. 538 (2018).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from .validation import check_finite, check_int, check_real

__all__ = ["maxvol", "rect_maxvol"]


def _check_tall(a, name: str = "A") -> np.ndarray:
    a = np.asarray(a)
    if a.ndim != 2:
        raise ValueError(f"`{name}` must be 2-D (n, r), got shape {a.shape}")
    n, r = a.shape
    if r == 0 or n < r:
        raise ValueError(f"`{name}` must be tall with r >= 1 columns (n >= r), got shape {a.shape}")
    if not np.issubdtype(a.dtype, np.inexact):
        a = a.astype(np.float64)
    return check_finite(a, name)


def _initial_rows(a: np.ndarray) -> np.ndarray:
    """``r`` rows from column-pivoted QR of ``A^T`` (a well-conditioned start)."""
    _, _, piv = scipy.linalg.qr(a.T, mode="economic", pivoting=True)
    return piv[: a.shape[1]]


def maxvol(a: np.ndarray, tol: float = 1.05, max_iters: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Square maximal-volume submatrix: ``r`` rows of a tall ``A`` with ``|A A[I]^-1| <= tol``.

    Parameters
    ----------
    a : ndarray, shape (n, r), n >= r
        Tall matrix, float or complex.
    tol : float, default=1.05
        Stop when every entry of ``B = A A[I]^-1`` has modulus ``<= tol`` (``tol >= 1``).
    max_iters : int, default=100
        Maximal number of row swaps.

    Returns
    -------
    rows : ndarray of int64, shape (r,)
        Chosen row indices.
    coefficients : ndarray, shape (n, r)
        ``B = A A[rows]^-1``, so that ``A = B A[rows]`` and ``B[rows] = I``.

    Raises
    ------
    ValueError
        ``A`` not 2-D or not tall, NaN entries, ``tol < 1``.
    numpy.linalg.LinAlgError
        ``A`` has rank below r (no non-singular r x r submatrix).
    """
    a = _check_tall(a)
    tol = check_real(tol, "tol", minimum=1.0)
    max_iters = check_int(max_iters, "max_iters", minimum=0)
    rows = _initial_rows(a)
    coefficients = np.linalg.solve(a[rows].T, a.T).T
    for _ in range(max_iters):
        i, j = np.unravel_index(np.argmax(np.abs(coefficients)), coefficients.shape)
        if abs(coefficients[i, j]) <= tol:
            break
        # swap row rows[j] for row i: rank-one update of B (Sherman-Morrison)
        row = coefficients[i].copy()
        row[j] -= 1.0
        coefficients -= np.outer(coefficients[:, j], row / coefficients[i, j])
        rows[j] = i
    return rows.astype(np.int64), coefficients


def rect_maxvol(
    a: np.ndarray, tol: float = 1.1, max_rows: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Rectangular maximal-volume submatrix: add rows while some row of ``A A[I]^+`` is long.

    Starts from :func:`maxvol` and adds, one at a time, the row ``i`` with the largest
    ``||B_i||_2``, where ``B = A A[I]^+``, until every row has ``||B_i||_2 <= tol`` or
    ``max_rows`` rows are chosen (Mikhalev & Oseledets 2018, Algorithm 3).

    Parameters
    ----------
    a : ndarray, shape (n, r), n >= r
    tol : float, default=1.1
        Row-norm threshold (``tol >= 1``).
    max_rows : int, optional
        At most this many rows (default ``n``).

    Returns
    -------
    rows : ndarray of int64, shape (k,), r <= k <= max_rows
    coefficients : ndarray, shape (n, k)
        ``B = A A[rows]^+``, so that ``A = B A[rows]`` when ``A`` has rank r.
    """
    a = _check_tall(a)
    tol = check_real(tol, "tol", minimum=1.0)
    n, r = a.shape
    max_rows = n if max_rows is None else check_int(max_rows, "max_rows", minimum=r)
    max_rows = min(max_rows, n)
    rows, square = maxvol(a)
    rows = list(rows)
    extra = np.zeros((n, max_rows), dtype=square.dtype)
    extra[:, :r] = square
    coefficients = extra
    norms2 = np.sum(np.abs(square) ** 2, axis=1)
    k = r
    while k < max_rows:
        i = int(np.argmax(norms2))
        if norms2[i] <= tol**2:
            break
        # Sherman-Morrison update of B = A A[I]^+ when row i joins I (Algorithm 3)
        b_i = coefficients[i, :k].copy()
        proj = coefficients[:, :k] @ np.conj(b_i)
        denom = 1.0 + norms2[i]
        coefficients[:, :k] -= np.outer(proj / denom, b_i)
        coefficients[:, k] = proj / denom
        norms2 -= np.abs(proj) ** 2 / denom
        norms2[rows] = 0.0
        norms2[i] = 0.0
        rows.append(i)
        k += 1
    return np.asarray(rows, dtype=np.int64), coefficients[:, :k]
