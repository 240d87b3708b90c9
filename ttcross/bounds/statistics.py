"""Statistics of the sampled data: pseudo-inverses, sample count, interface norms, noise.

Everything here needs the samples only (no full tensor). These are the ingredients of
:func:`ttcross.bounds.cross_error_bound` that are useful on their own, and the factors of the
closed form of its balanced recursion (:func:`geometric_factor`, :func:`paper_factor`).
Notation (``C_k``, ``W_k``, ``X_k``, ``Chat_k``, ``Rhat_k``) as in :mod:`ttcross.bounds`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..interpolate import PinvInfo, regularized_pinv
from ..validation import check_int, check_real
from ._checks import _check_cross_data, _check_tau, _per_block
from ._norms import _block_matrix, _cross_cores, _fro, _interface_logs

__all__ = [
    "PinvStats",
    "InterfaceNorms",
    "pinv_stats",
    "sample_count",
    "interface_norms",
    "noise_bounds",
    "geometric_factor",
    "paper_factor",
]


@dataclass(frozen=True)
class PinvStats:
    """Statistics of the regularised pseudo-inverses ``X_k`` of the intersections ``W_k``.

    Attributes (each an ndarray of shape (d-1,))
    ----------
    norm : float64
        ``||X_k||_2``.
    condition : float64
        ``s_max / s_min`` of ``W_k`` (``inf`` if singular).
    effective_condition : float64
        ``s_max ||X_k||_2``: the amplification the pseudo-inverse applies.
    rank : int64
        Singular values kept (hard cut) or above ``tau`` (Tikhonov).
    cutoff : float64
        Absolute threshold used (``rcond * s_max`` or ``tau``).
    smallest_kept : float64
        ``s_rank`` (0 when nothing is kept).
    largest_dropped : float64
        ``s_{rank+1}`` (0 when everything is kept).
    """

    norm: np.ndarray
    condition: np.ndarray
    effective_condition: np.ndarray
    rank: np.ndarray
    cutoff: np.ndarray
    smallest_kept: np.ndarray
    largest_dropped: np.ndarray


@dataclass(frozen=True)
class InterfaceNorms:
    """Interface norms of a cross approximation, per cut ``k = 0..d-2``.

    Attributes (each an ndarray of shape (d-1,), float64)
    ----------
    left : ``||Chat_k X_k||_2`` (the left partial product ``G_0 ... G_k``, N_{<=k} x r_k).
    right : ``||X_k Rhat_k||_2`` (r'_k x N_{>k}).
    kappa : ``left * right``: scale-free amplification of the matrix cross at cut ``k``.
        With nested sets (``A_hat(I_k, J_k) = W_k``) and a hard cut-off these are the norms
        ``||P_c||_2 ||P_r||_2 >= 1`` of the oblique projectors of the cut-``k`` unfolding.
    """

    left: np.ndarray
    right: np.ndarray
    kappa: np.ndarray


# ---------------------------------------------------------------------------- pseudo-inverses
def pinv_stats(
    source: Sequence[np.ndarray] | Sequence[PinvInfo],
    *,
    rcond: float = 1e-12,
    tau: Sequence[float] | float | None = None,
) -> PinvStats:
    """Statistics of the pseudo-inverses of the intersection matrices (no full tensor).

    Parameters
    ----------
    source : sequence of PinvInfo, or sequence of ndarray (r[k], r'[k])
        ``PinvInfo`` from :func:`ttcross.assemble_cross`, or the intersections (recomputed
        with ``regularized_pinv(W_k, rcond=rcond, tau=tau[k])``).
    rcond : float, default=1e-12
    tau : float or sequence of float, optional

    Returns
    -------
    PinvStats
    """
    source = list(source)
    if source and not all(isinstance(s, PinvInfo) for s in source):
        taus = _check_tau(tau, len(source))
        rcond = check_real(rcond, "rcond", minimum=0.0)
        source = [
            regularized_pinv(np.asarray(w), rcond=rcond, tau=t)[1]
            for w, t in zip(source, taus, strict=True)
        ]
    rank = np.array([i.rank for i in source], dtype=np.int64)
    sv = [i.singular_values for i in source]
    return PinvStats(
        norm=np.array([i.norm for i in source]),
        condition=np.array([i.condition for i in source]),
        effective_condition=np.array([i.effective_condition for i in source]),
        rank=rank,
        cutoff=np.array([i.cutoff for i in source]),
        smallest_kept=np.array([s[r - 1] if r > 0 else 0.0 for s, r in zip(sv, rank, strict=True)]),
        largest_dropped=np.array(
            [s[r] if r < len(s) else 0.0 for s, r in zip(sv, rank, strict=True)]
        ),
    )


# ---------------------------------------------------------------------------- counting
def sample_count(fibres: Sequence[np.ndarray], intersections: Sequence[np.ndarray]) -> int:
    """Number of sampled entries, ``sum_k |C_k| + sum_k |W_k|`` (repeats counted).

    Needs no full tensor. For local index sets of width ``l`` on ``n`` sites this is
    ``O(n 16^l)``, not ``4^n``.
    """
    return int(sum(np.size(c) for c in fibres) + sum(np.size(w) for w in intersections))


# ---------------------------------------------------------------------------- interfaces
def interface_norms(
    fibres: Sequence[np.ndarray],
    intersections: Sequence[np.ndarray],
    *,
    rcond: float = 1e-12,
    tau: Sequence[float] | float | None = None,
) -> InterfaceNorms:
    """Interface norms ``||Chat_k X_k||_2`` and ``||X_k Rhat_k||_2`` per cut (no full tensor).

    ``Chat_k = C_0 X_0 ... C_k`` and ``Rhat_k = C_{k+1} X_{k+1} ... C_{d-1}`` are the
    approximation's column and row blocks of the cut-``k`` unfolding (``T^{<k>}(:, J_k)`` and
    ``T^{<k>}(I_k, :)`` on exact data of a cross-exact ``T``), so ``A_hat^{<k>} = Chat_k X_k
    Rhat_k``, and with ``P_c = Chat_k X_k S_I``, ``P_r = S_J X_k Rhat_k``:
    ``||P_c||_2 = left[k]``, ``||P_r||_2 = right[k]``. Computed by Gram sweeps,
    O(d r^3 n) work.

    Parameters
    ----------
    fibres : sequence of d ndarrays, ``fibres[k]`` (r[k-1], n[k], r'[k])
    intersections : sequence of d-1 ndarrays, ``intersections[k]`` (r[k], r'[k])
    rcond, tau
        As in :func:`ttcross.assemble_cross`.

    Returns
    -------
    InterfaceNorms
    """
    fib, wks = _check_cross_data(fibres, intersections)
    rcond = check_real(rcond, "rcond", minimum=0.0)
    cores = _cross_cores(fib, wks, rcond, _check_tau(tau, len(wks)))
    left, right = _interface_logs(cores.units, cores.logs, cores.pinvs)
    with np.errstate(over="ignore"):
        return InterfaceNorms(np.exp(left), np.exp(right), np.exp(left + right))


# ---------------------------------------------------------------------------- noise
def noise_bounds(
    fibres: Sequence[np.ndarray],
    intersections: Sequence[np.ndarray],
    *,
    noise_std: float | tuple | None = None,
    noise_max: float | tuple | None = None,
    confidence: float = 0.95,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Bounds on the noise ``Z_b`` of every sampled block (no full tensor).

    Blocks are the fibres ``0..d-1`` (as ``(r n) x r'`` matrices), then the intersections.

    - ``noise_max`` (deterministic, ``|Z_ij| <= m_ij``): ``||Z||_F <= ||m||_F`` and
      ``||Z||_2 <= || |Z| ||_2 <= ||m||_2`` (Perron-Frobenius).
    - ``noise_std`` (independent real Gaussian, ``Z_ij ~ N(0, s_ij^2)``): with
      ``x = log(2 (2d-1) / (1 - confidence))`` (a union over the 2 (2d-1) events),
      ``||Z||_F^2 <= sum s^2 + 2 sqrt(x sum s^4) + 2 x max s^2`` (Laurent & Massart 2000,
      Lemma 1) and ``||Z||_2 <= s_max (sqrt p + sqrt q + sqrt(2 x))`` (Gordon's comparison and
      Gaussian concentration, ``p x q`` the block). All hold together with probability
      ``>= confidence``: the noise enters as ``~ s sqrt(#samples)``, not ``s sqrt(prod n)``.

    Parameters
    ----------
    fibres, intersections : sequences of ndarray
        Only their shapes are used.
    noise_std, noise_max : float or (fibre values, intersection values), optional
        One value for every entry, or per-block arrays broadcastable to the block shapes.
        At most one of the two.
    confidence : float, default=0.95
        In (0, 1); used with ``noise_std``.

    Returns
    -------
    fro : ndarray, shape (2d-1,)
    spectral : ndarray, shape (2d-1,)
    probability : float
        1.0 (no noise or ``noise_max``) or ``confidence``.
    """
    if noise_std is not None and noise_max is not None:
        raise ValueError("give `noise_std` (Gaussian) or `noise_max` (bounded), not both")
    blocks = [np.asarray(b) for b in list(fibres) + list(intersections)]
    fro, spec = np.zeros(len(blocks)), np.zeros(len(blocks))
    if noise_max is not None:
        for j, m in enumerate(_per_block(noise_max, fibres, intersections, "noise_max")):
            fro[j] = _fro(m)
            spec[j] = np.linalg.norm(_block_matrix(m), 2) if m.size else 0.0
        return fro, spec, 1.0
    if noise_std is None:
        return fro, spec, 1.0
    confidence = check_real(confidence, "confidence", minimum=0.0, strict=True)
    if confidence >= 1.0:
        raise ValueError(f"`confidence == {confidence}`, must be < 1")
    x = math.log(2 * len(blocks) / (1.0 - confidence))
    for j, s in enumerate(_per_block(noise_std, fibres, intersections, "noise_std")):
        top = float(np.max(s, initial=0.0))
        if top == 0.0:
            continue
        var = (s / top) ** 2  # scaled: the tiny stds of long chains would underflow
        fro[j] = top * math.sqrt(var.sum() + 2 * math.sqrt(x * np.sum(var**2)) + 2 * x)
        p, q = _block_matrix(s).shape
        spec[j] = min(fro[j], top * (math.sqrt(p) + math.sqrt(q) + math.sqrt(2 * x)))
    return fro, spec, confidence


# ---------------------------------------------------------------------------- recursion
def geometric_factor(rho: float, depth: int) -> float:
    """``(rho^L - 1) / (rho - 1) = 1 + rho + ... + rho^(L-1)`` (``L`` when ``rho = 1``)."""
    rho = check_real(rho, "rho", minimum=0.0)
    depth = check_int(depth, "depth", minimum=0)
    if rho == 1.0:
        return float(depth)
    with np.errstate(over="ignore"):
        return float((np.float64(rho) ** depth - 1.0) / (rho - 1.0))


def paper_factor(kappa: float, order: int) -> float:
    """The factor ``((3 kappa)^L - 1) / (3 kappa - 1)``, ``L = ceil(log2 d)``, of arXiv:2207.04327.

    A formula only: with our ``kappa`` (:attr:`CrossBound.node_kappa`) the valid closed form
    is ``(3 kappa)^L = 1 + (3 kappa - 1) paper_factor`` times the leaf error (while the
    relative errors stay below one); see the module docstring.
    """
    order = check_int(order, "order", minimum=1)
    return geometric_factor(
        3.0 * check_real(kappa, "kappa", minimum=0.0), math.ceil(math.log2(order))
    )
