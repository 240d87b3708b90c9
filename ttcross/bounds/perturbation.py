"""Perturbation of one regularised pseudo-inverse, and the leaf bounds of one core built on it.

:func:`pinv_perturbation_bound` is Wedin's theorem for ``X``, the regularised inverse of a
sampled intersection ``W = W0 + D``; the private ``_leaf_error`` turns it into the three leaf
bounds of one core ``G_k = C_k X_k`` that :func:`ttcross.bounds.cross_error_bound` recurses on.
Needs the samples only. Notation (``C_k``, ``W_k``, ``X_k``, ``G_k``, ``T``) and references are
in the docstring of :mod:`ttcross.bounds`.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..interpolate import PinvInfo
from ..validation import check_int
from ._norms import _block_matrix, _fro, _mul

__all__ = ["WEDIN_SPECTRAL", "WEDIN_FROBENIUS", "pinv_perturbation_bound"]

#: Wedin's constants: ``||B^+ - A^+|| <= mu max(||A^+||_2, ||B^+||_2)^2 ||B - A||``.
WEDIN_SPECTRAL = (1.0 + math.sqrt(5.0)) / 2.0
WEDIN_FROBENIUS = math.sqrt(2.0)


def _inverse_values(info: PinvInfo, tau: float | None) -> np.ndarray:
    """Singular values of ``X``, paired with those of ``W`` (same rule as regularized_pinv)."""
    s = info.singular_values
    if tau is not None and tau > 0:
        return s / (s**2 + tau**2)
    keep = s > info.cutoff
    return np.where(keep, 1.0 / np.where(keep, s, 1.0), 0.0)


def pinv_perturbation_bound(
    singular_values: np.ndarray,
    inverse_values: np.ndarray,
    *,
    rank: int,
    delta_2: float,
    delta_fro: float,
) -> tuple[float, float, float]:
    """Bound ``||X - W0^+||`` for a regularised inverse ``X`` of ``W = W0 + D``.

    ``X = V diag(inverse_values) U^H`` with ``W = U diag(singular_values) V^H``; ``W0`` has rank
    ``rank``, ``||D||_2 <= delta_2``, ``||D||_F <= delta_fro``. With ``B = W_rank`` (the best
    rank-``rank`` part of ``W``), ``g_i = 1/s_i`` for ``i <= rank`` else 0::

        ||X - W0^+|| <= ||diag(inverse_values - g)|| + mu ||B - W0|| / (s_rank - delta_2)^2,
        ||B - W0|| <= ||s_{rank+1:}|| + ||D||,      ||W0^+||_2 <= 1 / (s_rank - delta_2),

    (Weyl for ``s_rank(W0)``; Wedin with ``mu = (1 + sqrt 5)/2`` for the spectral norm and
    ``sqrt 2`` for Frobenius). Needs no full tensor.

    Parameters
    ----------
    singular_values : ndarray, shape (p,)
        Of ``W``, descending.
    inverse_values : ndarray, shape (p,)
        Of ``X``, paired with them.
    rank : int
        ``rank W0``, ``0 <= rank <= p``.
    delta_2, delta_fro : float
        Bounds on ``||D||_2`` and ``||D||_F``.

    Returns
    -------
    bound_2 : float
        ``>= ||X - W0^+||_2`` (``inf`` when ``s_rank <= delta_2``).
    bound_fro : float
        ``>= ||X - W0^+||_F``.
    inverse_norm : float
        ``>= ||W0^+||_2``.
    """
    s = np.asarray(singular_values, dtype=float)
    inv = np.asarray(inverse_values, dtype=float)
    rank = check_int(rank, "rank", minimum=0)
    if rank > s.size:
        raise ValueError(f"`rank == {rank}`, must be <= {s.size} (number of singular values)")
    if rank == 0:  # W0 = 0
        return float(np.max(inv, initial=0.0)), float(_fro(inv)), 0.0
    gap = s[rank - 1] - delta_2
    if gap <= 0:
        return math.inf, math.inf, math.inf
    target = np.zeros_like(s)
    target[:rank] = 1.0 / s[:rank]
    diff = np.abs(inv - target)
    tail_2 = float(s[rank]) if rank < s.size else 0.0
    tail_f = float(_fro(s[rank:]))
    bound_2 = float(diff.max()) + WEDIN_SPECTRAL * (tail_2 + delta_2) / gap / gap
    bound_f = float(_fro(diff)) + WEDIN_FROBENIUS * (tail_f + delta_fro) / gap / gap
    return bound_2, bound_f, 1.0 / gap


class _Delta(NamedTuple):
    """Bounds on the perturbation ``D`` of one sampled block: ``||D||_2`` and ``||D||_F``."""

    spectral: float
    fro: float


class _CutSamples(NamedTuple):
    """What one cut ``k < d-1`` contributes to its core ``G_k = C_k X_k``.

    Attributes
    ----------
    fibre : ndarray, (r[k-1], n[k], r'[k])
        ``C_k``.
    pinv : ndarray, (r'[k], r[k])
        ``X_k``.
    intersection : ndarray, (r[k], r'[k])
        ``W_k``.
    info : PinvInfo
        Statistics of ``X_k`` (singular values ``s`` of ``W_k``, shape (p,)).
    inverse_values : ndarray, shape (p,)
        Singular values of ``X_k`` paired with ``s`` (:func:`_inverse_values`).
    """

    fibre: np.ndarray
    pinv: np.ndarray
    intersection: np.ndarray
    info: PinvInfo
    inverse_values: np.ndarray


class _SpectralTerms(NamedTuple):
    """Spectral pieces of ``X`` against ``B = W_rank`` (``W = W0 + D``, ``rank W0 = rank``).

    Attributes (float each)
    ----------
    diff_2, diff_f : ``||x - g||`` in max and 2-norm, ``g_i = 1/s_i`` (``i <= rank``) else 0.
    eta_2, eta_f : ``>= ||B - W0||`` (``||s_{rank+1:}|| + ||D||``), spectral and Frobenius.
    gap : ``s_rank - delta_2 <= s_rank(W0)`` (Weyl).
    s_rank : ``s_rank`` of ``W``.
    fit_2, fit_f : ``|s_i x_i - 1|`` (``i <= rank``) in max and 2-norm.
    kept : ``max_{i <= rank} x_i``.
    noise : ``max_{i > rank} x_i`` (0 if none).
    """

    diff_2: float
    diff_f: float
    eta_2: float
    eta_f: float
    gap: float
    s_rank: float
    fit_2: float
    fit_f: float
    kept: float
    noise: float


class _LeafError(NamedTuple):
    """Bounds for one core ``G = C X`` against ``G^T = C0 W0^+`` (see :func:`_leaf_error`).

    Attributes
    ----------
    plain : float
        ``>= ||G - G^T||_F``.
    projected : float
        ``>= ||(G - G^T) Pi||_F``, ``Pi`` the projector onto range W0.
    weighted : float
        ``>= ||(G - G^T) W0||_F``.
    pinv_2 : float
        ``>= ||X - W0^+||_2``.
    inverse : float
        ``>= ||W0^+||_2``.
    issue : str
        Empty, or the assumption the data violate at this cut.
    """

    plain: float
    projected: float
    weighted: float
    pinv_2: float
    inverse: float
    issue: str


def _spectral_terms(s: np.ndarray, inverse: np.ndarray, rank: int, delta: _Delta) -> _SpectralTerms:
    """:class:`_SpectralTerms` of singular values ``s`` (p,) of ``W`` and ``inverse`` (p,) of
    ``X``, for ``1 <= rank <= p`` and the perturbation bounds ``delta`` of ``D``."""
    kept = inverse[:rank]
    target = np.zeros_like(s)
    target[:rank] = 1.0 / s[:rank]
    diff = np.abs(inverse - target)
    return _SpectralTerms(
        diff_2=float(diff.max()),
        diff_f=float(_fro(diff)),
        eta_2=(float(s[rank]) if rank < s.size else 0.0) + delta.spectral,
        eta_f=float(_fro(s[rank:])) + delta.fro,
        gap=float(s[rank - 1]) - delta.spectral,
        s_rank=float(s[rank - 1]),
        fit_2=float(np.max(np.abs(s[:rank] * kept - 1.0))),
        fit_f=float(_fro(s[:rank] * kept - 1.0)),
        kept=float(np.max(kept)),
        noise=float(np.max(inverse[rank:], initial=0.0)),
    )


def _range_forms(t: _SpectralTerms) -> tuple[tuple[float, float], tuple[float, float, float]]:
    """Bounds on ``W0 (X - W0^+)`` and on ``W0 (X Pi - W0^+)``, ``Pi`` = projector on range W0.

    Plain (``2`` and ``F``; ``diff = |x_i - 1/s_i|`` for ``i <= rank``, ``x_i`` beyond)::

        W0 (X - W0^+) = B (X - B^+) - (B - W0)(X - B^+) + (P_B - P_W0) - (B - W0) B^+,
        ||P_B - P_W0||_2 <= eta_2 / s_rank,  ||.||_F <= sqrt 2 eta_F / s_rank (equal ranks).

    Projected, with ``xi >= ||X Pi||_2 = kept + noise eta / gap + kept eta / s_rank``::

        W0 (X Pi - W0^+) = (B X - P_B) Pi - (I - P_B) Pi - (B - W0) X Pi,
        ||(I - P_B) Pi|| <= eta / gap.

    Returns ``((alpha_2, alpha_F), (pi_2, pi_F, xi))``.
    """
    e2, ef, gap, sr = t.eta_2, t.eta_f, t.gap, t.s_rank
    plain = (
        t.fit_2 + e2 * t.diff_2 + 2.0 * e2 / sr,
        t.fit_f + min(e2 * t.diff_f, ef * t.diff_2) + (1.0 + WEDIN_FROBENIUS) * ef / sr,
    )
    xi = t.kept + t.noise * e2 / gap + t.kept * e2 / sr
    projected = (t.fit_2 + e2 / gap + e2 * xi, t.fit_f + ef / gap + ef * xi, xi)
    return plain, projected


def _rank_issue(s: np.ndarray, rank: int, delta_2: float) -> str:
    """Why the singular values ``s`` of ``W`` contradict ``rank W0 = rank`` (empty: they don't)."""
    if rank < s.size and s[rank] > delta_2:
        return f"s_{rank + 1} = {s[rank]:.3g} > delta_2 = {delta_2:.3g}: rank above {rank}"
    if rank > 0 and s[rank - 1] <= delta_2:
        return f"s_{rank} = {s[rank - 1]:.3g} <= delta_2 = {delta_2:.3g}: rank {rank} unresolved"
    return ""


def _leaf_error(cut: _CutSamples, rank: int, delta_c: _Delta, delta_w: _Delta) -> _LeafError:
    """Bounds for one core ``G = C X`` against ``G^T = C0 W0^+`` (``W0 = T(I_k, J_k)``).

    ``delta_c`` bounds ``D_C = C - C0`` (``C`` as the (r n) x r' matrix), ``delta_w`` bounds
    ``D_W = W - W0``; ``rank = rank W0``. Returned (``Pi`` the projector onto range W0):

    - ``plain >= ||C X - C0 W0^+||_F``, the least of::

          D_C X + C0 (X - W0^+)  |  C (X - W0^+) + D_C W0^+  |  D_C X + (C0 W0^+) W0 (X - W0^+)

      (Wedin on ``X - W0^+``; the last uses ``C0 = C0 W0^+ W0``, cross-exactness, and
      ``gamma >= ||C0 W0^+||_2``: ``||C0||_2 ||W0^+||_2``, or ``(||C X||_2 + ||D_C||_2
      ||X||_2) / (1 - alpha_2)`` when ``alpha_2 >= ||W0 (X - W0^+)||_2`` is below one);
    - ``projected >= ||(C X - C0 W0^+) Pi||_F`` (``D_C X Pi + (C0 W0^+) W0 (X Pi - W0^+)``):
      what reaches the true tensor, as ``G^T_{>k} = Pi G^T_{>k}``;
    - ``weighted >= ||(C X - C0 W0^+) W0||_F = ||C (X W - I) - C X D_W + D_C||_F``: no
      inverse of a small singular value, paired with ``||W0^+ G^T_{>k}||_2`` in (**);
    - ``pinv_2 >= ||X - W0^+||_2``, ``inverse >= ||W0^+||_2``, and a violation message.
    """
    x, w, info, inverse = cut.pinv, cut.intersection, cut.info, cut.inverse_values
    s = info.singular_values
    dc2, dcf = delta_c
    issue = _rank_issue(s, rank, delta_w.spectral)
    z2, zf, inv_norm = pinv_perturbation_bound(
        s, inverse, rank=rank, delta_2=delta_w.spectral, delta_fro=delta_w.fro
    )
    c = _block_matrix(cut.fibre)
    c2, cf, cx = float(np.linalg.norm(c, 2)), _fro(c), float(np.linalg.norm(c @ x, 2))
    weighted = _fro(c @ (x @ w - np.eye(w.shape[1]))) + _mul(cx, delta_w.fro) + dcf
    first = _mul(dcf, info.norm) + min(_mul(c2 + dc2, zf), _mul(cf + dcf, z2))
    second = min(_mul(c2, zf), _mul(cf, z2)) + _mul(dcf, inv_norm)
    plain = min(first, second)
    if rank == 0:  # W0 = 0: T is zero past this cut, Pi = 0
        return _LeafError(plain, 0.0, weighted, z2, inv_norm, issue)
    if not math.isfinite(inv_norm):
        return _LeafError(plain, plain, weighted, z2, inv_norm, issue)
    (a2, af), (p2, pf, xi) = _range_forms(_spectral_terms(s, inverse, rank, delta_w))
    gamma = _mul(c2 + dc2, inv_norm)
    g_plain = min(gamma, (cx + _mul(dc2, info.norm)) / (1 - a2)) if a2 < 1 else gamma
    g_proj = min(gamma, (cx + _mul(dc2, xi)) / (1 - p2)) if p2 < 1 else gamma
    plain = min(plain, _mul(dcf, info.norm) + _mul(g_plain, af))
    projected = min(plain, _mul(dcf, xi) + _mul(g_proj, pf))
    return _LeafError(plain, projected, weighted, z2, inv_norm, issue)


def _bias_values(info: PinvInfo, inverse: np.ndarray) -> np.ndarray:
    """``s_i (1 - s_i x_i)``: what the regularised inverse leaves out of each singular value.

    Tikhonov: ``s tau^2 / (s^2 + tau^2)`` (``s`` for ``s << tau``, ``tau^2 / s`` above); hard
    cut: 0 kept, ``s`` dropped.
    """
    s = info.singular_values
    return np.abs(s * (1.0 - s * inverse))
