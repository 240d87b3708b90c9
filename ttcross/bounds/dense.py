"""Reference bounds that need the full tensor: every entry, not the samples alone.

The bound :func:`ttcross.bounds.cross_error_bound` uses the samples only; these functions check
it and its assumptions where the whole matrix or tensor is known (tests, small examples):

- matrix cross: :func:`oblique_projectors` and the projector bound :func:`matrix_cross_bound`;
- model error: :func:`unfolding_tails` and :func:`model_error_from_tensor`, which measures
  ``||A - T||`` for the TT-SVD ``T`` of ``A`` and whether ``T`` is cross-exact on the index
  sets (the assumption of the bound), returned as a :class:`ModelError`.

All are re-exported by :mod:`ttcross.bounds`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..interpolate import cross_matrices, regularized_pinv
from ..validation import check_finite, check_shape
from ._checks import _check_ranks
from ._norms import _fro

__all__ = [
    "ModelError",
    "oblique_projectors",
    "matrix_cross_bound",
    "unfolding_tails",
    "model_error_from_tensor",
]


# ---------------------------------------------------------------------------- results
@dataclass(frozen=True)
class ModelError:
    """Model error of a full tensor against its TT-SVD truncation ``T`` (needs the full tensor).

    Attributes
    ----------
    model_error : float
        ``||A - T||_F`` (exact).
    tail_bound : float
        ``sqrt(sum_k tail_k^2)`` from the unfoldings' discarded singular values, ``>=
        model_error`` (Oseledets 2011, Theorem 2.2).
    sampled_fibres : ndarray, shape (d,)
        ``||(A - T)(I_{k-1}, :, J_k)||_F``.
    sampled_intersections : ndarray, shape (d-1,)
        ``||(A - T)(I_k, J_k)||_F``.
    model_ranks : tuple of int, length d-1
        Ranks of the unfoldings of ``T``.
    intersection_margin : ndarray, shape (d-1,)
        ``s_rho / s_1`` of ``T(I_k, J_k)`` with ``rho`` the model rank: 0 (up to round-off)
        where ``T`` is not cross-exact on the sets.
    cross_exact : bool
        Every margin above ``1e-10``: the assumption of :func:`cross_error_bound` holds.
    needs_full_tensor : bool
        Always True.
    """

    model_error: float
    tail_bound: float
    sampled_fibres: np.ndarray
    sampled_intersections: np.ndarray
    model_ranks: tuple[int, ...]
    intersection_margin: np.ndarray
    cross_exact: bool
    needs_full_tensor: bool = True

    def bound_kwargs(self) -> dict:
        """Keyword arguments of :func:`cross_error_bound` that describe this model error."""
        return {
            "model_error": self.model_error,
            "sampled_model_error": (self.sampled_fibres, self.sampled_intersections),
            "model_ranks": self.model_ranks,
        }


# ---------------------------------------------------------------------------- matrix cross
def _check_matrix_cross(a, rows, cols):
    a = np.asarray(a)
    if a.ndim != 2:
        raise ValueError(f"`a` must be 2-D, got shape {a.shape}")
    check_finite(a, "a")
    idx = []
    for name, sel, size in (("rows", rows, a.shape[0]), ("cols", cols, a.shape[1])):
        sel = np.asarray(sel)
        if sel.ndim != 1 or sel.size == 0 or not np.issubdtype(sel.dtype, np.integer):
            raise ValueError(f"`{name}` must be a non-empty 1-D int array, got {sel!r}")
        if sel.min() < 0 or sel.max() >= size:
            raise IndexError(f"`{name}` has values outside [0, {size})")
        idx.append(sel)
    return a, idx[0], idx[1]


def oblique_projectors(
    a: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    *,
    rcond: float = 1e-12,
    tau: float | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Oblique projectors of a matrix cross ``A ~ C X R`` (needs the full matrix).

    With ``C = A[:, J]``, ``U = A[I, J]``, ``R = A[I, :]``, ``X`` the regularised
    pseudo-inverse of ``U`` and selectors ``S_I``, ``S_J``::

        P_c = C X S_I  (m x m),     P_r = S_J X R  (n x n),
        A - C X R = (I - P_c) A (I - P_r) + C (X - X U X) R.

    The last term vanishes for a hard cut-off (``X U X = X``); then ``P_c``, ``P_r`` are
    projectors with ``||P_c||_2 = ||C X||_2``, ``||P_r||_2 = ||X R||_2`` and, unless 0 or I,
    ``||I - P||_2 = ||P||_2``.

    Parameters
    ----------
    a : ndarray, shape (m, n)
    rows, cols : ndarray of int, shapes (p,), (q,)
    rcond : float, default=1e-12
    tau : float, optional
        Tikhonov strength (then ``X U X != X``).

    Returns
    -------
    p_col : ndarray, shape (m, m)
    p_row : ndarray, shape (n, n)
    x : ndarray, shape (q, p)
    """
    a, rows, cols = _check_matrix_cross(a, rows, cols)
    x, _ = regularized_pinv(a[np.ix_(rows, cols)], rcond=rcond, tau=tau)
    p_col = np.zeros((a.shape[0], a.shape[0]), dtype=np.result_type(a, x))
    p_row = np.zeros((a.shape[1], a.shape[1]), dtype=p_col.dtype)
    np.add.at(p_col.T, rows, (a[:, cols] @ x).T)
    np.add.at(p_row, cols, x @ a[rows, :])
    return p_col, p_row, x


def _residual(m: np.ndarray, basis_source: np.ndarray, norm: str) -> float:
    """Norm of ``(I - Pi) m``, ``Pi`` the orthogonal projector onto range(basis_source)."""
    u, s, _ = np.linalg.svd(basis_source, full_matrices=False)
    tol = max(basis_source.shape) * np.finfo(float).eps * (s[0] if s.size else 0.0)
    q = u[:, s > tol]
    res = m - q @ (np.conj(q.T) @ m)
    return float(np.linalg.norm(res, 2 if norm == "2" else "fro"))


def matrix_cross_bound(
    a: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    *,
    rcond: float = 1e-12,
    norm: str = "fro",
    roundoff: float = 1e-13,
) -> float:
    """Projector bound on the matrix cross error (hard cut-off; needs the full matrix).

    ::

        ||A - C X R|| <= ||I - P_c||_2 ||I - P_r||_2 min(||(I - Pi_c) A||, ||A (I - Pi_r)||)

    with ``Pi_c`` the orthogonal projector onto range(C X U) and ``Pi_r`` onto the row space of
    ``U X R``: ``(I - P_c)`` kills range(C X U), so ``(I - P_c) A (I - P_r) = (I - P_c)(A -
    B)(I - P_r)`` for every ``B`` with columns there; the min is over those ``B``. Holds in
    the spectral and the Frobenius norm.

    The tempting ``(1 + ||C U^+||)(1 + ||U^+ R||) ||A - A_r||`` is FALSE: ``A = diag(M, eps)``,
    ``I = J = {1}`` has error ``M`` while the right side is ``4 eps``. ``||(I - Pi_c) A||`` is
    ``>= ||A - A_r||`` and is what the sets see.

    Parameters
    ----------
    a : ndarray, shape (m, n)
    rows, cols : ndarray of int
    rcond : float, default=1e-12
    norm : {"fro", "2"}, default="fro"
    roundoff : float, default=1e-13
        Adds ``roundoff (||A||_F + ||C X||_2 ||R||_F)`` for floating-point error in ``C X R``.

    Returns
    -------
    float
    """
    if norm not in ("fro", "2"):
        raise ValueError(f"`norm` must be 'fro' or '2', got {norm!r}")
    p_col, p_row, x = oblique_projectors(a, rows, cols, rcond=rcond)
    a = np.asarray(a)
    u = a[np.ix_(rows, cols)]
    f_col = np.linalg.norm(np.eye(a.shape[0]) - p_col, 2)
    f_row = np.linalg.norm(np.eye(a.shape[1]) - p_row, 2)
    col_res = _residual(a, a[:, cols] @ x @ u, norm)
    row_res = _residual(np.conj(a.T), np.conj((u @ x @ a[rows, :]).T), norm)
    slack = roundoff * (_fro(a) + np.linalg.norm(a[:, cols] @ x, 2) * _fro(a[rows, :]))
    return float(f_col * f_row * min(col_res, row_res) + slack)


# ---------------------------------------------------------------------------- model error
def _check_dense(a) -> np.ndarray:
    a = np.asarray(a)
    if a.ndim < 2:
        raise ValueError(f"`a` must have order >= 2, got shape {a.shape}")
    if not np.issubdtype(a.dtype, np.inexact):
        a = a.astype(np.float64)
    return check_finite(a, "a")


def unfolding_tails(a: np.ndarray, ranks: int | Sequence[int]) -> np.ndarray:
    """Per-cut tails ``||A^{<k>} - best rank-r_k||_F = ||s_{r_k+1:}(A^{<k>})||`` (full tensor).

    Parameters
    ----------
    a : ndarray, shape (n[0], ..., n[d-1])
    ranks : int or sequence of d-1 int

    Returns
    -------
    ndarray, shape (d-1,)
        Also ``sqrt(sum tails^2) >= ||A - TT-SVD_r(A)||_F`` (Oseledets 2011, Theorem 2.2).
    """
    a = _check_dense(a)
    ranks = _check_ranks(ranks, a.ndim)
    tails = np.zeros(a.ndim - 1)
    for k in range(a.ndim - 1):
        s = np.linalg.svd(a.reshape(math.prod(a.shape[: k + 1]), -1), compute_uv=False)
        tails[k] = _fro(s[ranks[k] :])
    return tails


def _truncate_dense(a: np.ndarray, ranks: list[int]) -> np.ndarray:
    """TT-SVD of ``a`` with per-cut rank caps, returned dense."""
    left, rest, rank = np.ones((1, 1), dtype=a.dtype), a.reshape(1, -1), 1
    for k, n in enumerate(a.shape[:-1]):
        u, s, vh = np.linalg.svd(rest.reshape(rank * n, -1), full_matrices=False)
        new = max(1, min(ranks[k], s.size))
        left = (left @ u[:, :new].reshape(rank, n * new)).reshape(-1, new)
        rest, rank = s[:new, None] * vh[:new], new
    return (left @ rest).reshape(a.shape)


def _numerical_rank(m: np.ndarray, rtol: float = 1e-12) -> tuple[int, np.ndarray]:
    s = np.linalg.svd(m, compute_uv=False)
    return int(np.count_nonzero(s > rtol * (s[0] if s.size else 0.0))), s


def model_error_from_tensor(
    a: np.ndarray,
    ranks: int | Sequence[int],
    left_sets: Sequence[np.ndarray],
    right_sets: Sequence[np.ndarray],
) -> ModelError:
    """Model error of a full tensor for :func:`cross_error_bound` (needs the full tensor).

    ``T`` is the TT-SVD of ``A`` with ranks capped at ``ranks``; reported: ``||A - T||_F``,
    the tail bound, ``||A - T||_F`` on every sampled block, the ranks of ``T`` and whether
    ``T`` is cross-exact on the sets (``rank T(I_k, J_k) = rank T^{<k>}``), which the bound
    assumes. Pass ``ModelError.bound_kwargs()`` to :func:`cross_error_bound`.

    Parameters
    ----------
    a : ndarray, shape (n[0], ..., n[d-1])
    ranks : int or sequence of d-1 int
    left_sets, right_sets : index sets as in :func:`ttcross.cross_matrices`

    Returns
    -------
    ModelError
    """
    a = _check_dense(a)
    d, shape = a.ndim, check_shape(a.shape)
    ranks = _check_ranks(ranks, d)
    t = _truncate_dense(a, ranks)
    err = a - t
    fib_e, int_e = cross_matrices(lambda idx: err[tuple(idx.T)], shape, left_sets, right_sets)
    _, int_t = cross_matrices(lambda idx: t[tuple(idx.T)], shape, left_sets, right_sets)
    model_ranks, margins = [], np.zeros(d - 1)
    for k in range(d - 1):
        rho, _ = _numerical_rank(t.reshape(math.prod(shape[: k + 1]), -1))
        _, s = _numerical_rank(int_t[k])
        model_ranks.append(rho)
        margins[k] = s[rho - 1] / s[0] if 0 < rho <= s.size and s[0] > 0 else 0.0
    return ModelError(
        model_error=float(_fro(err)),
        tail_bound=float(_fro(unfolding_tails(a, ranks))),
        sampled_fibres=np.array([_fro(f) for f in fib_e]),
        sampled_intersections=np.array([_fro(w) for w in int_e]),
        model_ranks=tuple(model_ranks),
        intersection_margin=margins,
        cross_exact=bool(np.all(margins > 1e-10)),
    )
