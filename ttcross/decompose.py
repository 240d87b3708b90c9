"""Factorisations of single tensor-train cores and matrices, on plain arrays.

The array layer under :class:`~ttcross.tensortrain.TensorTrain` and
:class:`~ttcross.canonical.CanonicalTrain`: QR of a core towards either bond, SVD truncated at
a tolerance and a rank cap, and the split of an array into a unit-scale mantissa and a log
factor that every sweep uses against overflow. Cores have axes ``(left, phys, right)``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["qr_left", "qr_right", "truncated_svd", "truncation_rank", "split_log_scale"]


def split_log_scale(array: np.ndarray) -> tuple[np.ndarray, float]:
    """Split an array into a unit-norm mantissa and the log of its Frobenius norm.

    Parameters
    ----------
    array : ndarray, any shape

    Returns
    -------
    mantissa : ndarray, shape of ``array``
        ``array / ||array||_F``; ``array`` itself when its norm is 0 or not finite.
    log_norm : float
        ``log ||array||_F`` (0 when the array is returned as it is).
    """
    nrm = float(np.linalg.norm(array))
    if nrm == 0.0 or not np.isfinite(nrm):
        return array, 0.0
    return array / nrm, float(np.log(nrm))


def truncation_rank(s: np.ndarray, delta: float, max_rank: int | None) -> int:
    """Smallest rank whose discarded singular values have 2-norm <= ``delta``, capped.

    Parameters
    ----------
    s : ndarray, shape (k,)
        Singular values, in decreasing order.
    delta : float
        Bound on ``||s[rank:]||_2``; 0 keeps every non-zero value.
    max_rank : int or None
        Cap on the rank.

    Returns
    -------
    int
        At least 1.
    """
    tail = np.sqrt(np.cumsum((s**2)[::-1]))[::-1]  # tail[j] = ||s[j:]||
    rank = int(np.count_nonzero(tail > delta)) if delta > 0 else int(np.count_nonzero(s))
    rank = max(rank, 1)
    if max_rank is not None:
        rank = min(rank, max_rank)
    return rank


def qr_left(core: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Left QR of a core: ``core = q_core R`` on the right bond.

    Parameters
    ----------
    core : ndarray, shape (r0, n, r1)

    Returns
    -------
    q_core : ndarray, shape (r0, n, r)
        Left-orthonormal: ``q_core.reshape(r0 * n, r)`` has orthonormal columns.
    r : ndarray, shape (r, r1)
        What goes on to the right neighbour (``contract.absorb_left``).
    """
    r0, n, r1 = core.shape
    q, r = np.linalg.qr(core.reshape(r0 * n, r1))
    return q.reshape(r0, n, q.shape[1]), r


def qr_right(core: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Right (LQ) factorisation of a core: ``core = L q_core`` on the left bond.

    Parameters
    ----------
    core : ndarray, shape (r0, n, r1)

    Returns
    -------
    q_core : ndarray, shape (r, n, r1)
        Right-orthonormal: ``q_core.reshape(r, n * r1)`` has orthonormal rows.
    l : ndarray, shape (r0, r)
        What goes on to the left neighbour (``contract.absorb_right``).
    """
    r0, n, r1 = core.shape
    q, r = np.linalg.qr(core.reshape(r0, n * r1).T)
    return q.T.reshape(q.shape[1], n, r1), r.T


def truncated_svd(
    matrix: np.ndarray, tol: float, max_rank: int | None, *, relative: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float]:
    """Truncated SVD of a matrix at the smallest rank whose tail is within ``tol``, capped.

    Parameters
    ----------
    matrix : ndarray, shape (m, k)
    tol : float
        Bound on the 2-norm of the discarded singular values; relative to the Frobenius norm
        of ``matrix`` if ``relative``.
    max_rank : int or None
        Cap on the rank kept.
    relative : bool, default=False

    Returns
    -------
    u : ndarray, shape (m, rank)
    s : ndarray, shape (rank,)
    vh : ndarray, shape (rank, k)
    discarded : float
        Sum of the squares of the singular values dropped.
    total : float
        Sum of the squares of all singular values (``||matrix||_F^2``).
    """
    u, s, vh = np.linalg.svd(matrix, full_matrices=False)
    total = float(np.sum(s**2))
    delta = tol * np.sqrt(total) if relative else tol
    rank = truncation_rank(s, delta, max_rank)
    discarded = float(np.sum(s[rank:] ** 2))
    return u[:, :rank], s[:rank], vh[:rank], discarded, total
