"""TT cross interpolation from given index sets.

For an order-d tensor ``A`` and, at every cut ``k`` (between modes ``k`` and ``k+1``, for
``k = 0..d-2``), a set of left multi-indices ``I_k`` (over modes ``0..k``) and right
multi-indices ``J_k`` (over modes ``k+1..d-1``), the cross formula is

    A_hat = C_0 W_0^+ C_1 W_1^+ ... W_{d-2}^+ C_{d-1}

with fibres ``C_k[a, i, b] = A(I_{k-1}[a], i, J_k[b])`` and intersections
``W_k[a, b] = A(I_k[a], J_k[b])``. It is exact when ``rank W_k`` equals the TT rank of ``A`` at
every cut; the sets need not be nested and may hold more rows or columns than the rank
(least squares through the pseudo-inverse). ``W^+`` is regularised: singular values below
``rcond * s_max`` are dropped, or (``tau`` given) damped as ``s / (s^2 + tau^2)``.

References: I. Oseledets, E. Tyrtyshnikov, "TT-cross approximation for multidimensional
arrays", Linear Algebra Appl. 432 (2010); arXiv:2207.06397 (local index sets).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .decompose import split_log_scale
from .tensortrain import TensorTrain
from .validation import check_finite, check_indices, check_real, check_shape

__all__ = [
    "IllConditionedWarning",
    "PinvInfo",
    "regularized_pinv",
    "cross_matrices",
    "assemble_cross",
    "cross_interpolate",
    "call_oracle",
]

#: Condition number of an intersection matrix above which a warning is issued.
ILL_CONDITIONED = 1e10


class IllConditionedWarning(UserWarning):
    """An intersection matrix is nearly singular; the message carries its condition number."""


@dataclass(frozen=True)
class PinvInfo:
    """What a regularised pseudo-inverse did.

    Attributes
    ----------
    singular_values : ndarray, shape (min(m, n),)
        Singular values of the matrix, descending.
    rank : int
        Number of singular values kept (hard cut) or above ``tau`` (Tikhonov).
    condition : float
        ``s_max / s_min`` over all singular values (``inf`` if singular).
    effective_condition : float
        ``s_max`` over the smallest singular value kept (hard cut) or over ``max(s_min, tau)``
        (Tikhonov): the amplification the pseudo-inverse actually applies.
    cutoff : float
        The absolute threshold used: ``rcond * s_max`` or ``tau``.
    norm : float
        Spectral norm of the pseudo-inverse.
    """

    singular_values: np.ndarray
    rank: int
    condition: float
    effective_condition: float
    cutoff: float
    norm: float


def regularized_pinv(
    matrix: np.ndarray,
    *,
    rcond: float = 1e-12,
    tau: float | None = None,
    row_scale: np.ndarray | None = None,
    col_scale: np.ndarray | None = None,
) -> tuple[np.ndarray, PinvInfo]:
    """Epsilon-pseudo-inverse of a matrix by SVD, optionally in a weighted norm.

    With scales ``a`` (rows) and ``b`` (columns) the inverse is taken of the rescaled matrix
    ``W_s = diag(1/a) W diag(1/b)`` and mapped back: ``W^+ = diag(1/b) W_s^+ diag(1/a)``. When
    the entries' noise has standard deviation about ``a_i b_j``, ``W_s`` has i.i.d. noise and
    ``tau`` acts evenly on it (weighted least squares). Exact data gives the same cross either
    way: any generalised inverse of the right rank reproduces an exact low-rank tensor.

    Parameters
    ----------
    matrix : ndarray, shape (m, n), float or complex
    rcond : float, default=1e-12
        Singular values ``s <= rcond * s_max`` are dropped (ignored when ``tau`` is given).
    tau : float, optional
        Tikhonov damping: ``1/s`` becomes ``s / (s^2 + tau^2)`` (absolute scale, of the
        rescaled matrix when scales are given).
    row_scale : ndarray, shape (m,), optional
        Positive row scales ``a``.
    col_scale : ndarray, shape (n,), optional
        Positive column scales ``b``.

    Returns
    -------
    pinv : ndarray, shape (n, m)
    info : PinvInfo
        Of the rescaled matrix.
    """
    m, n = matrix.shape
    a = np.ones(m) if row_scale is None else np.asarray(row_scale, dtype=float)
    b = np.ones(n) if col_scale is None else np.asarray(col_scale, dtype=float)
    if a.shape != (m,) or b.shape != (n,) or not (np.all(a > 0) and np.all(b > 0)):
        raise ValueError(
            f"row_scale and col_scale must be positive with shapes ({m},) and ({n},), "
            f"got {a.shape} and {b.shape}"
        )
    matrix = matrix / a[:, None] / b[None, :]
    u, s, vh = np.linalg.svd(matrix, full_matrices=False)
    s_max = float(s[0]) if s.size else 0.0
    s_min = float(s[-1]) if s.size else 0.0
    condition = np.inf if s_min == 0.0 else s_max / s_min
    if tau is not None and tau > 0:
        inv = s / (s**2 + tau**2)
        cutoff, rank = float(tau), int(np.count_nonzero(s > tau))
    else:
        cutoff = rcond * s_max
        keep = s > cutoff
        inv = np.where(keep, 1.0 / np.where(keep, s, 1.0), 0.0)
        rank = int(np.count_nonzero(keep))
    pinv = ((np.conj(vh).T * inv) @ np.conj(u).T) / b[:, None] / a[None, :]
    norm = float(inv.max()) if inv.size else 0.0
    effective = s_max * norm if norm > 0 else np.inf
    return pinv, PinvInfo(s, rank, float(condition), float(effective), float(cutoff), norm)


def call_oracle(f: Callable[[np.ndarray], np.ndarray], idx: np.ndarray) -> np.ndarray:
    """Call a batched oracle and check what it returns.

    Parameters
    ----------
    f : callable
        ``f(idx) -> values`` with ``idx`` int64 of shape (M, d).
    idx : ndarray of int64, shape (M, d)

    Returns
    -------
    ndarray, shape (M,)

    Raises
    ------
    ValueError
        When ``f`` returns the wrong number of values, or NaN / infinity.
    """
    values = np.asarray(f(idx))
    if values.dtype == object or not np.issubdtype(values.dtype, np.number):
        raise TypeError(f"f returned dtype {values.dtype}: expected real or complex numbers")
    values = values.reshape(-1) if values.ndim > 1 and values.size == idx.shape[0] else values
    if values.shape != (idx.shape[0],):
        raise ValueError(
            f"f returned shape {values.shape} for {idx.shape[0]} indices: "
            f"expected ({idx.shape[0]},), one value per row of idx"
        )
    if not np.isfinite(values).all():
        bad = int(np.flatnonzero(~np.isfinite(values))[0])
        kind = "NaN" if np.isnan(values[bad]) else "infinity"
        raise ValueError(f"f returned {kind} at index {idx[bad].tolist()}")
    return values


def _check_sets(shape, left_sets, right_sets) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Convert and check index sets: ``left_sets[k]`` (r, k+1), ``right_sets[k]`` (r', d-k-1)."""
    d = len(shape)
    if len(left_sets) != d - 1 or len(right_sets) != d - 1:
        raise ValueError(
            f"need one left and one right set per cut: {d - 1} each for order {d}, "
            f"got {len(left_sets)} left and {len(right_sets)} right"
        )
    lefts, rights = [], []
    for k in range(d - 1):
        for sets, out, side, modes in (
            (left_sets, lefts, "left", shape[: k + 1]),
            (right_sets, rights, "right", shape[k + 1 :]),
        ):
            arr = np.asarray(sets[k])
            if arr.size == 0:
                raise ValueError(f"{side}_sets[{k}] is empty: each cut needs at least one index")
            out.append(check_indices(arr, tuple(modes), name=f"{side}_sets[{k}]"))
    return lefts, rights


def _fibre_indices(shape, k, lefts, rights) -> tuple[np.ndarray, tuple[int, int, int]]:
    """All multi-indices of fibre ``C_k``, shape (r_left * n_k * r_right, d), C order."""
    left = lefts[k - 1] if k > 0 else np.zeros((1, 0), dtype=np.int64)
    right = rights[k] if k < len(shape) - 1 else np.zeros((1, 0), dtype=np.int64)
    a, n, b = left.shape[0], shape[k], right.shape[0]
    ia, ii, ib = np.meshgrid(np.arange(a), np.arange(n), np.arange(b), indexing="ij")
    idx = np.concatenate([left[ia.ravel()], ii.reshape(-1, 1), right[ib.ravel()]], axis=1)
    return idx, (a, n, b)


def cross_matrices(
    f: Callable[[np.ndarray], np.ndarray],
    shape: Sequence[int],
    left_sets: Sequence[np.ndarray],
    right_sets: Sequence[np.ndarray],
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Evaluate the fibres and intersection matrices of the cross formula.

    Parameters
    ----------
    f : callable
        Batched oracle ``f(idx (M, d) int64) -> (M,)``.
    shape : sequence of int, length d
    left_sets : sequence of d-1 int arrays, ``left_sets[k]`` of shape (r[k], k+1)
    right_sets : sequence of d-1 int arrays, ``right_sets[k]`` of shape (r'[k], d-k-1)

    Returns
    -------
    fibres : list of d ndarrays, ``fibres[k]`` of shape (r[k-1], n[k], r'[k])
        (with ``r[-1] = r'[d-1] = 1``).
    intersections : list of d-1 ndarrays, ``intersections[k]`` of shape (r[k], r'[k])
    """
    shape = check_shape(shape)
    lefts, rights = _check_sets(shape, left_sets, right_sets)
    fibres = []
    for k in range(len(shape)):
        idx, dims = _fibre_indices(shape, k, lefts, rights)
        fibres.append(call_oracle(f, idx).reshape(dims))
    intersections = []
    for k in range(len(shape) - 1):
        rows, cols = lefts[k], rights[k]
        ia, ib = np.meshgrid(np.arange(len(rows)), np.arange(len(cols)), indexing="ij")
        idx = np.concatenate([rows[ia.ravel()], cols[ib.ravel()]], axis=1)
        intersections.append(call_oracle(f, idx).reshape(len(rows), len(cols)))
    return fibres, intersections


def assemble_cross(
    fibres: Sequence[np.ndarray],
    intersections: Sequence[np.ndarray],
    *,
    rcond: float | Sequence[float] = 1e-12,
    tau: Sequence[float] | None = None,
    scales: Sequence[tuple[np.ndarray, np.ndarray]] | None = None,
    warn_condition: float = ILL_CONDITIONED,
) -> tuple[TensorTrain, list[PinvInfo]]:
    """Assemble ``C_0 W_0^+ C_1 ... W_{d-2}^+ C_{d-1}`` as a TensorTrain.

    Parameters
    ----------
    fibres : sequence of d ndarrays, ``fibres[k]`` (r[k-1], n[k], r'[k])
    intersections : sequence of d-1 ndarrays, ``intersections[k]`` (r[k], r'[k])
    rcond : float or sequence of d-1 floats, default=1e-12
        Relative cut-off of the pseudo-inverses, one for all cuts or one per cut.
    tau : sequence of d-1 floats, optional
        Per-cut Tikhonov strengths (absolute); replaces the hard cut-off where given.
    scales : sequence of d-1 (row_scale, col_scale) pairs, optional
        Per-cut weights of :func:`regularized_pinv` (e.g. noise standard deviations).
    warn_condition : float, default=1e10
        Warn (IllConditionedWarning) when the regularised inverse of some ``W_k`` amplifies by
        more than this (``s_max * ||W_k^+||_2``).

    Returns
    -------
    tt : TensorTrain
        Core ``k`` is ``C_k W_k^+``, of shape (r[k-1], n[k], r[k]).
    pinv_info : list of d-1 PinvInfo
    """
    d = len(fibres)
    if len(intersections) != d - 1:
        raise ValueError(
            f"need {d - 1} intersection matrices for {d} fibres, got {len(intersections)}"
        )
    if isinstance(rcond, Sequence) or isinstance(rcond, np.ndarray):
        if len(rcond) != d - 1:
            raise ValueError(f"`rcond` needs one value per cut ({d - 1}), got {len(rcond)}")
        rconds = [check_real(r, f"rcond[{k}]", minimum=0.0) for k, r in enumerate(rcond)]
    else:
        rconds = [check_real(rcond, "rcond", minimum=0.0)] * (d - 1)
    if tau is not None and len(tau) != d - 1:
        raise ValueError(f"`tau` needs one value per cut ({d - 1}), got {len(tau)}")
    cores, infos, log_scale = [], [], 0.0
    for k in range(d):
        core = np.asarray(fibres[k])
        check_finite(core, f"fibres[{k}]")
        if k < d - 1:
            w = np.asarray(intersections[k])
            if w.shape != (fibres[k + 1].shape[0], core.shape[2]):
                raise ValueError(
                    f"intersections[{k}] has shape {w.shape}, expected "
                    f"({fibres[k + 1].shape[0]}, {core.shape[2]}) from the neighbouring fibres"
                )
            row_scale, col_scale = (None, None) if scales is None else scales[k]
            pinv, info = regularized_pinv(
                w,
                rcond=rconds[k],
                tau=None if tau is None else tau[k],
                row_scale=row_scale,
                col_scale=col_scale,
            )
            if info.effective_condition > warn_condition:
                warnings.warn(
                    f"intersection matrix at cut {k} has condition number "
                    f"{info.effective_condition:.3g} over the singular values kept; "
                    f"kept {info.rank} of {len(info.singular_values)} singular values "
                    f"(cut-off {info.cutoff:.3g})",
                    IllConditionedWarning,
                    stacklevel=2,
                )
            infos.append(info)
            core = np.tensordot(core, pinv, axes=(2, 0))
        core, lg = split_log_scale(core)
        log_scale += lg
        cores.append(core)
    return TensorTrain(cores, log_scale=log_scale), infos


def cross_interpolate(
    f: Callable[[np.ndarray], np.ndarray],
    shape: Sequence[int],
    left_sets: Sequence[np.ndarray],
    right_sets: Sequence[np.ndarray],
    *,
    rcond: float = 1e-12,
    tau: Sequence[float] | None = None,
) -> TensorTrain:
    """TT cross approximation from given index sets (nested or not).

    Parameters
    ----------
    f : callable
        Batched oracle: ``f(idx)`` with ``idx`` int64 of shape (M, d) returns M values.
    shape : sequence of int, length d
        Mode sizes.
    left_sets : sequence of d-1 int arrays
        ``left_sets[k]`` has shape (r[k], k+1): multi-indices over modes ``0..k``.
    right_sets : sequence of d-1 int arrays
        ``right_sets[k]`` has shape (r'[k], d-k-1): multi-indices over modes ``k+1..d-1``.
    rcond : float, default=1e-12
        Relative singular-value cut-off of each pseudo-inverse ``W_k^+``.
    tau : sequence of d-1 floats, optional
        Per-cut Tikhonov strengths (absolute), replacing the hard cut-off.

    Returns
    -------
    TensorTrain
        Ranks ``r[k]`` (the left-set sizes); round it to compress oversampled sets.

    Raises
    ------
    ValueError
        Wrong number of sets, empty sets, sets of the wrong width, an ``f`` returning NaN or the
        wrong number of values.
    IndexError
        Indices out of range.

    Warns
    -----
    IllConditionedWarning
        An intersection matrix with condition number above 1e10 (the number is in the message).
    """
    shape = check_shape(shape)
    if len(shape) == 1:
        if len(left_sets) or len(right_sets):
            raise ValueError("an order-1 tensor has no cuts: pass empty left_sets and right_sets")
        values = call_oracle(f, np.arange(shape[0]).reshape(-1, 1))
        return TensorTrain([values.reshape(1, -1, 1)])
    fibres, intersections = cross_matrices(f, shape, left_sets, right_sets)
    tt, _ = assemble_cross(fibres, intersections, rcond=rcond, tau=tau)
    return tt
