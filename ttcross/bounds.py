"""Error bounds for TT cross approximation, computable from the sampled entries.

Setting. ``A`` is the order-d tensor the entries come from; at every cut ``k`` (between modes
``k`` and ``k+1``) the cross uses left indices ``I_k`` and right indices ``J_k`` and samples
fibres and intersections (possibly with noise ``Z``)::

    C_k = A(I_{k-1}, i_k, J_k) + Z,    W_k = A(I_k, J_k) + Z,
    A_hat = G_0 G_1 ... G_{d-1},       G_k = C_k X_k (k < d-1),   G_{d-1} = C_{d-1},

with ``X_k`` the regularised pseudo-inverse of ``W_k`` (``ttcross.interpolate``: hard cut-off
``rcond`` or Tikhonov ``tau``). Interfaces of the approximation at cut ``k``::

    Chat_k = C_0 X_0 C_1 ... X_{k-1} C_k     (N_{<=k} x r'_k)   the column block,
    Rhat_k = C_{k+1} X_{k+1} ... C_{d-1}     (r_k x N_{>k})     the row block,
    A_hat^{<k>} = Chat_k X_k Rhat_k.

For exact samples of a tensor ``T`` with ``rank T(I_k, J_k) = rank T^{<k>}`` at every cut these
are exactly ``T^{<k>}(:, J_k)`` and ``T^{<k>}(I_k, :)``, and ``T = A_hat`` (no nestedness needed).

The bound (:func:`cross_error_bound`). Assume a reference tensor ``T`` with

- (model) ``||A - T||_F <= model_error``, and ``T`` cross-exact on these index sets:
  ``rank T(I_k, J_k) = rank T^{<k>} = rho_k`` (``rho_k``: ``model_ranks``, by default the
  number of singular values the pseudo-inverse keeps);
- (samples) on every sampled block ``b`` (fibre or intersection) the samples differ from ``T``
  by ``D_b = (A - T)_b + Z_b`` with ``||D_b||_F <= delta_F[b]`` and ``||D_b||_2 <= delta_2[b]``:
  model part ``||(A - T)_b||_F <= sampled_model_error`` (default ``model_error``: always true)
  plus the noise part (deterministic from ``noise_max``, or with probability ``>= confidence``
  for independent Gaussian noise of known ``noise_std``).

Then ``||A - A_hat||_F <= model_error + min(balanced, sequential)``. With ``G^T_k = C^T_k
(W^T_k)^+`` the cores of ``T`` (``T = G^T_0 ... G^T_{d-1}`` by cross-exactness) and leaf
bounds ``e(k) >= ||G_k - G^T_k||_F`` (Wedin's theorem for the perturbed pseudo-inverse, plus
the identity ``C^T_k = C^T_k (W^T_k)^+ W^T_k``):

- balanced split (*): for the segment ``S = [a..b]`` of cores, halves ``S1 = [a..m]``,
  ``S2 = [m+1..b]``, ``L1 R1 - L0 R0 = (L1 - L0) R1 + L0 (R1 - R0)`` gives::

      e(S) <= e(S1) n(S2) + n(S1) e(S2) + e(S1) e(S2)

  (``n``: spectral norms of the approximation's segments, ``G_a ... G_m`` as a
  ``(r_{a-1} N) x r_m`` matrix and ``G_{m+1} ... G_b`` as ``r_m x (N r_b)``). In relative
  terms (``eps = e / n``) ``eps(S) <= kappa_S ((1 + eps(S1))(1 + eps(S2)) - 1)`` with
  ``kappa_S = n(S1) n(S2) / n(S)``, so with ``kappa = max kappa_S``, leaf errors ``<= eps_0``
  and depth ``L = ceil(log2 d)`` the relative error is at most ``(3 kappa)^L eps_0`` while it
  stays below one: polynomial in ``d``, the growth the paper (arXiv:2207.04327) proves in its
  ``((3 kappa)^L - 1) / (3 kappa - 1)`` form under its own assumptions (exact low rank and
  constants of the unknown low-rank part, which no sample reveals);
- telescoping (**): ``A_hat - T = sum_k G_{<k} (G_k - G^T_k) G^T_{>k}`` and, with
  ``W0_k = T(I_k, J_k)``, ``G^T_{>k} = W0_k W0_k^+ G^T_{>k}`` (cross-exactness), so each term
  is bounded either by ``||G_{<k}||_2 ||(G_k - G^T_k) Pi_k||_F ||G^T_{>k}||_2`` (``Pi_k``:
  projector onto range W0_k; copes with Tikhonov on oversampled sets) or by
  ``||G_{<k}||_2 ||(G_k - G^T_k) W0_k||_F ||W0_k^+ G^T_{>k}||_2``, whose middle factor is
  first order in the perturbation with no ``1 / s_min(W_k)`` (a condition number tighter).
  The unknown norms of ``G^T_{>k}`` are those of the approximation plus the same sum over
  the suffix. Each leaf gets interface norms as coefficients instead of a product over
  levels: usually the tighter of the two forms.

What is not possible: no function of the samples and of ``||A - A_r||`` alone bounds the
error. ``A = diag(M, eps)`` sampled at ``(1, 1)`` gives the samples of ``diag(0, eps)`` for
every ``M``; the best rank-1 part ``diag(M, 0)`` is invisible to the sets. The cross-exactness
of ``T`` is the assumption that excludes this; it is checked by :func:`model_error_from_tensor`
when the full tensor is known, and is otherwise the caller's to state.

References: arXiv:2207.04327 (Qin, Lidiak, Gong, Tang, Wakin, Zhu, NeurIPS 2022); P.-A. Wedin,
BIT 13 (1973) (perturbation of pseudo-inverses); B. Laurent, P. Massart, Ann. Statist. 28
(2000) (chi-square tails); D. Szyld, Numer. Algorithms 42 (2006) (``||P|| = ||I - P||``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from . import contract as ct
from ._validation import check_finite, check_int, check_real, check_shape
from .interpolate import PinvInfo, cross_matrices, regularized_pinv

__all__ = [
    "PinvStats",
    "InterfaceNorms",
    "ModelError",
    "CrossBound",
    "pinv_stats",
    "sample_count",
    "interface_norms",
    "oblique_projectors",
    "matrix_cross_bound",
    "pinv_perturbation_bound",
    "noise_bounds",
    "unfolding_tails",
    "model_error_from_tensor",
    "geometric_factor",
    "paper_factor",
    "cross_error_bound",
]

#: Wedin's constants: ``||B^+ - A^+|| <= mu max(||A^+||_2, ||B^+||_2)^2 ||B - A||``.
WEDIN_SPECTRAL = (1.0 + math.sqrt(5.0)) / 2.0
WEDIN_FROBENIUS = math.sqrt(2.0)


# ---------------------------------------------------------------------------- results
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


@dataclass(frozen=True)
class CrossBound:
    """An upper bound on ``||A - A_hat||_F`` and every ingredient of it.

    Attributes
    ----------
    value : float
        ``min(balanced, sequential)``; ``inf`` when the data violate an assumption.
    log_value : float
        Its natural log (for orders where ``value`` overflows).
    relative : float
        ``value / ||A_hat||_F``.
    form : {"balanced", "sequential"}
        The recursion that gave ``value``.
    balanced, sequential : float
        ``model_error`` plus the balanced-split recursion (*) / the telescoping sum (**).
    probability : float
        1.0 for a deterministic bound, else the confidence it holds with (Gaussian noise).
    needs_full_tensor : bool
        False: everything comes from the samples and the stated error levels.
    order, depth : int
        ``d`` and ``L = ceil(log2 d)``.
    n_samples : int
        Sampled entries, ``sum_k |C_k| + sum_k |W_k|``.
    approximation_norm : float
        ``||A_hat||_F``.
    model_error : float
    perturbation_fro, perturbation_spectral : ndarray, shape (2d-1,)
        ``delta_F``, ``delta_2`` per block: fibres ``0..d-1``, then intersections ``0..d-2``.
    leaf_errors : ndarray, shape (d,)
        Bounds on ``||G_k - G_k^T||_F`` (used by the balanced recursion).
    projected_leaf_errors : ndarray, shape (d,)
        Bounds on ``||(G_k - G_k^T) Pi_k||_F``, ``Pi_k`` the projector onto range T(I_k, J_k)
        (used by the telescoping sum, where ``G^T_{>k} = Pi_k G^T_{>k}``).
    weighted_leaf_errors : ndarray, shape (d,)
        Bounds on ``||(G_k - G_k^T) T(I_k, J_k)||_F`` (first order in the perturbation, no
        inverse of a small singular value; paired with ``||T(I_k, J_k)^+ G^T_{>k}||_2``).
    pinv_errors : ndarray, shape (d-1,)
        Bounds on ``||X_k - (W_k^T)^+||_2`` (Wedin).
    model_ranks : tuple of int
    pinv : PinvStats
    interfaces : InterfaceNorms
    node_kappa : float
        ``max_S kappa_S`` over the nodes of the balanced split (1 for d = 1).
    leaf_relative : float
        ``eps_0 = max_k e(k) / n(k)``.
    closed_form : float
        ``model_error + ||A_hat||_F g^L(eps_0)``, ``g(x) = kappa ((1 + x)^2 - 1)`` with
        ``kappa = max(1, node_kappa)``: ``>= balanced``, and ``g^L(eps_0) <= (3 kappa)^L eps_0``
        while the iterates stay ``<= 1``.
    paper_factor : float
        ``((3 kappa)^L - 1) / (3 kappa - 1)`` at that kappa, for comparison with the paper
        (``(3 kappa)^L = 1 + (3 kappa - 1) paper_factor``); not a bound by itself.
    consistent : bool
        No assumption was found violated by the data.
    violations : tuple of str
        What was violated (e.g. a dropped singular value above the perturbation level).
    """

    value: float
    log_value: float
    relative: float
    form: str
    balanced: float
    sequential: float
    probability: float
    needs_full_tensor: bool
    order: int
    depth: int
    n_samples: int
    approximation_norm: float
    model_error: float
    perturbation_fro: np.ndarray
    perturbation_spectral: np.ndarray
    leaf_errors: np.ndarray
    projected_leaf_errors: np.ndarray
    weighted_leaf_errors: np.ndarray
    pinv_errors: np.ndarray
    model_ranks: tuple[int, ...]
    pinv: PinvStats
    interfaces: InterfaceNorms
    node_kappa: float
    leaf_relative: float
    closed_form: float
    paper_factor: float
    consistent: bool
    violations: tuple[str, ...]

    def to_dict(self) -> dict:
        """Plain JSON-ready dict (arrays as lists, inf as the string "inf")."""
        return _jsonable(asdict(self))


def _jsonable(obj):
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | np.ndarray):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return str(obj)
    return obj


# ---------------------------------------------------------------------------- validation
def _check_cross_data(fibres, intersections) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Return fibres (3-D) and intersections (2-D) as arrays with matching shapes."""
    if isinstance(fibres, np.ndarray) or isinstance(intersections, np.ndarray):
        raise TypeError("`fibres` and `intersections` must be lists of arrays, not one array")
    fib = [np.asarray(c) for c in fibres]
    wks = [np.asarray(w) for w in intersections]
    d = len(fib)
    if d == 0:
        raise ValueError("`fibres` is empty: a cross needs at least one fibre")
    if len(wks) != d - 1:
        raise ValueError(f"need {d - 1} intersection matrices for {d} fibres, got {len(wks)}")
    for k, c in enumerate(fib):
        if c.ndim != 3:
            raise ValueError(f"fibres[{k}] must be 3-D (r[k-1], n[k], r'[k]), got shape {c.shape}")
        if not np.issubdtype(c.dtype, np.number):
            raise TypeError(f"fibres[{k}] has dtype {c.dtype}: expected real or complex")
        check_finite(c, f"fibres[{k}]")
    if fib[0].shape[0] != 1 or fib[-1].shape[2] != 1:
        raise ValueError(
            f"boundary fibres need outer size 1, got fibres[0].shape = {fib[0].shape} and "
            f"fibres[-1].shape = {fib[-1].shape}"
        )
    for k, w in enumerate(wks):
        expected = (fib[k + 1].shape[0], fib[k].shape[2])
        if w.shape != expected:
            raise ValueError(
                f"intersections[{k}] has shape {w.shape}, expected {expected} from the fibres"
            )
        check_finite(w, f"intersections[{k}]")
    return fib, wks


def _check_tau(tau, n_cuts: int) -> list[float | None]:
    if tau is None:
        return [None] * n_cuts
    tau = list(np.atleast_1d(np.asarray(tau, dtype=float)))
    if len(tau) == 1 and n_cuts != 1:
        tau = tau * n_cuts
    if len(tau) != n_cuts:
        raise ValueError(f"`tau` needs one value per cut ({n_cuts}), got {len(tau)}")
    return [check_real(float(t), f"tau[{k}]", minimum=0.0) for k, t in enumerate(tau)]


def _per_block(value, fibres, intersections, name: str) -> list[np.ndarray] | None:
    """Broadcast a scalar or a (fibre_values, intersection_values) pair to every block."""
    if value is None:
        return None
    blocks = list(fibres) + list(intersections)
    if np.isscalar(value):
        value = check_real(value, name, minimum=0.0)
        return [np.full(b.shape, value) for b in blocks]
    if not (isinstance(value, tuple | list) and len(value) == 2):
        raise TypeError(f"`{name}` must be a float or a pair (fibre values, intersection values)")
    given = list(value[0]) + list(value[1])
    if len(given) != len(blocks):
        raise ValueError(
            f"`{name}` needs {len(fibres)} fibre and {len(intersections)} intersection entries, "
            f"got {len(value[0])} and {len(value[1])}"
        )
    out = []
    for j, (v, b) in enumerate(zip(given, blocks, strict=True)):
        v = np.asarray(v, dtype=float)
        try:
            v = np.broadcast_to(v, b.shape)
        except ValueError:
            raise ValueError(
                f"`{name}` block {j} has shape {v.shape}, not broadcastable to {b.shape}"
            ) from None
        if np.any(~np.isfinite(v)) or np.any(v < 0):
            raise ValueError(f"`{name}` block {j} must be finite and >= 0")
        out.append(v)
    return out


# ---------------------------------------------------------------------------- pseudo-inverses
def _inverse_values(info: PinvInfo, tau: float | None) -> np.ndarray:
    """Singular values of ``X``, paired with those of ``W`` (same rule as regularized_pinv)."""
    s = info.singular_values
    if tau is not None and tau > 0:
        return s / (s**2 + tau**2)
    keep = s > info.cutoff
    return np.where(keep, 1.0 / np.where(keep, s, 1.0), 0.0)


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


# ---------------------------------------------------------------------------- counting
def sample_count(fibres: Sequence[np.ndarray], intersections: Sequence[np.ndarray]) -> int:
    """Number of sampled entries, ``sum_k |C_k| + sum_k |W_k|`` (repeats counted).

    Needs no full tensor. For local index sets of width ``l`` on ``n`` sites this is
    ``O(n 16^l)``, not ``4^n``.
    """
    return int(sum(np.size(c) for c in fibres) + sum(np.size(w) for w in intersections))


# ---------------------------------------------------------------------------- interfaces
def _cross_cores(fib, wks, rcond, taus):
    """Cores ``G_k / max|G_k|``, ``log max|G_k|`` (-inf for zero), pseudo-inverses, infos."""
    units, logs, pinvs, infos = [], [], [], []
    for k, c in enumerate(fib):
        core = c
        if k < len(wks):
            x, info = regularized_pinv(wks[k], rcond=rcond, tau=taus[k])
            pinvs.append(x)
            infos.append(info)
            core = np.tensordot(c, x, axes=(2, 0))
        unit, lg = _max_scaled(core)
        units.append(unit)
        logs.append(lg if np.any(unit) else -math.inf)
    return units, logs, pinvs, infos


def _fro(array) -> float:
    """Frobenius norm, scaled so that tiny or huge entries neither underflow nor overflow."""
    array = np.asarray(array)
    top = float(np.max(np.abs(array), initial=0.0))
    return top * float(np.linalg.norm(array / top)) if top > 0 and np.isfinite(top) else top


def _max_scaled(array: np.ndarray) -> tuple[np.ndarray, float]:
    """``(array / max|array|, log max|array|)``, safe where the Frobenius norm overflows."""
    top = float(np.max(np.abs(array), initial=0.0))
    return (array / top, math.log(top)) if top > 0 else (array, 0.0)


def _log_top_eig(gram: np.ndarray, log_scale: float) -> float:
    """``0.5 log lambda_max`` of a Hermitian PSD matrix ``exp(log_scale) gram``."""
    lam = float(np.linalg.eigvalsh((gram + np.conj(gram.T)) / 2).max())
    return -math.inf if lam <= 0 else 0.5 * (math.log(lam) + log_scale)


def _sweep(units, a: int, b: int, side: str):
    """Gram matrix of ``G_a ... G_b``: rows (left bond, phys) for side 'left', else columns.

    Yields ``(k, gram, log_scale)`` after each core, ``k`` running away from the start.
    """
    if side == "left":
        env, order, step = np.eye(units[a].shape[0]), range(a, b + 1), ct.left_env_step
    else:
        env, order, step = np.eye(units[b].shape[2]), range(b, a - 1, -1), ct.right_env_step
    log_scale = 0.0
    for k in order:
        env = step(env, units[k], units[k])
        scale = float(np.max(np.abs(env)))
        if scale == 0.0:
            yield k, env, -math.inf
            continue
        env = env / scale
        log_scale += math.log(scale)
        yield k, env, log_scale


def _segment_log_norm(units, logs, a: int, b: int, side: str) -> float:
    """``log ||G_a ... G_b||_2`` as ``(r_{a-1} N) x r_b`` ('left') or ``r_{a-1} x (N r_b)``."""
    *_, (_, gram, log_scale) = _sweep(units, a, b, side)
    if not math.isfinite(log_scale):
        return -math.inf
    return _log_top_eig(gram, log_scale) + float(sum(logs[a : b + 1]))


def _interface_logs(units, logs, pinvs) -> tuple[np.ndarray, np.ndarray]:
    """Per cut: ``log ||G_0 ... G_k||_2`` and ``log ||X_k Rhat_k||_2`` (one sweep each way)."""
    d = len(units)
    left, right = np.full(d - 1, -math.inf), np.full(d - 1, -math.inf)
    for k, gram, log_scale in _sweep(units, 0, d - 1, "left"):
        if k < d - 1 and math.isfinite(log_scale):
            left[k] = _log_top_eig(gram, log_scale) + sum(logs[: k + 1])
    for k, gram, log_scale in _sweep(units, 0, d - 1, "right"):
        if k > 0 and math.isfinite(log_scale):
            x, lx = _max_scaled(pinvs[k - 1])  # X_{k-1} R_{k-1}, R_{k-1} = G_k ... G_{d-1}
            outer = x @ np.conj(gram) @ np.conj(x.T)
            right[k - 1] = _log_top_eig(outer, log_scale + 2 * lx) + sum(logs[k:])
    return left, right


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
    units, logs, pinvs, _ = _cross_cores(fib, wks, rcond, _check_tau(tau, len(wks)))
    left, right = _interface_logs(units, logs, pinvs)
    with np.errstate(over="ignore"):
        return InterfaceNorms(np.exp(left), np.exp(right), np.exp(left + right))


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


# ---------------------------------------------------------------------------- noise
def _block_matrix(block: np.ndarray) -> np.ndarray:
    """A fibre (a, n, b) as the (a n) x b matrix the bounds use; matrices unchanged."""
    return block.reshape(-1, block.shape[-1])


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


# ---------------------------------------------------------------------------- model error
def _check_ranks(ranks, d: int) -> list[int]:
    if np.isscalar(ranks):
        return [check_int(ranks, "ranks", minimum=0)] * (d - 1)
    ranks = [check_int(r, f"ranks[{k}]", minimum=0) for k, r in enumerate(ranks)]
    if len(ranks) != d - 1:
        raise ValueError(f"`ranks` needs one rank per cut ({d - 1}), got {len(ranks)}")
    return ranks


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


def _mul(x: float, y: float) -> float:
    """Product of two nonnegative bounds where an exact zero factor wins over ``inf``."""
    return 0.0 if (x == 0.0 or y == 0.0) else x * y


def _spectral_terms(s, inverse, rank, delta_2, delta_fro) -> dict:
    """Spectral pieces of ``X`` against ``B = W_rank`` (``W = W0 + D``, ``rank W0 = rank``).

    ``eta >= ||B - W0||`` (``||s_{rank+1:}|| + ||D||``), ``gap <= s_rank(W0)`` (Weyl),
    ``fit_i = s_i x_i - 1`` (``i <= rank``), ``noise = max_{i > rank} x_i``.
    """
    kept = inverse[:rank]
    target = np.zeros_like(s)
    target[:rank] = 1.0 / s[:rank]
    diff = np.abs(inverse - target)
    return {
        "diff_2": float(diff.max()),
        "diff_f": float(_fro(diff)),
        "eta_2": (float(s[rank]) if rank < s.size else 0.0) + delta_2,
        "eta_f": float(_fro(s[rank:])) + delta_fro,
        "gap": float(s[rank - 1]) - delta_2,
        "s_rank": float(s[rank - 1]),
        "fit_2": float(np.max(np.abs(s[:rank] * kept - 1.0))),
        "fit_f": float(_fro(s[:rank] * kept - 1.0)),
        "kept": float(np.max(kept)),
        "noise": float(np.max(inverse[rank:], initial=0.0)),
    }


def _range_forms(t: dict) -> tuple[tuple[float, float], tuple[float, float, float]]:
    """Bounds on ``W0 (X - W0^+)`` and on ``W0 (X Pi - W0^+)``, ``Pi`` = projector on range W0.

    Plain (``2`` and ``F``; ``diff = |x_i - 1/s_i|`` for ``i <= rank``, ``x_i`` beyond)::

        W0 (X - W0^+) = B (X - B^+) - (B - W0)(X - B^+) + (P_B - P_W0) - (B - W0) B^+,
        ||P_B - P_W0||_2 <= eta_2 / s_rank,  ||.||_F <= sqrt 2 eta_F / s_rank (equal ranks).

    Projected, with ``xi >= ||X Pi||_2 = kept + noise eta / gap + kept eta / s_rank``::

        W0 (X Pi - W0^+) = (B X - P_B) Pi - (I - P_B) Pi - (B - W0) X Pi,
        ||(I - P_B) Pi|| <= eta / gap.
    """
    e2, ef, gap, sr = t["eta_2"], t["eta_f"], t["gap"], t["s_rank"]
    plain = (
        t["fit_2"] + e2 * t["diff_2"] + 2.0 * e2 / sr,
        t["fit_f"] + min(e2 * t["diff_f"], ef * t["diff_2"]) + (1.0 + WEDIN_FROBENIUS) * ef / sr,
    )
    xi = t["kept"] + t["noise"] * e2 / gap + t["kept"] * e2 / sr
    projected = (t["fit_2"] + e2 / gap + e2 * xi, t["fit_f"] + ef / gap + ef * xi, xi)
    return plain, projected


def _leaf_error(cut, rank, deltas_c, deltas_w) -> dict:
    """Bounds for one core ``G = C X`` against ``G^T = C0 W0^+`` (``W0 = T(I_k, J_k)``).

    Returned (``D_C = C - C0``, ``D_W = W - W0``, ``Pi`` the projector onto range W0):

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
    fibre, x, w, info, inverse = cut
    s = info.singular_values
    (dc2, dcf), (dw2, dwf) = deltas_c, deltas_w
    issue = ""
    if rank < s.size and s[rank] > dw2:
        issue = f"s_{rank + 1} = {s[rank]:.3g} > delta_2 = {dw2:.3g}: rank above {rank}"
    elif rank > 0 and s[rank - 1] <= dw2:
        issue = f"s_{rank} = {s[rank - 1]:.3g} <= delta_2 = {dw2:.3g}: rank {rank} unresolved"
    z2, zf, inv_norm = pinv_perturbation_bound(s, inverse, rank=rank, delta_2=dw2, delta_fro=dwf)
    c = _block_matrix(fibre)
    c2, cf, cx = float(np.linalg.norm(c, 2)), _fro(c), float(np.linalg.norm(c @ x, 2))
    out = {"pinv_2": z2, "inverse": inv_norm, "issue": issue}
    out["weighted"] = _fro(c @ (x @ w - np.eye(w.shape[1]))) + _mul(cx, dwf) + dcf
    first = _mul(dcf, info.norm) + min(_mul(c2 + dc2, zf), _mul(cf + dcf, z2))
    second = min(_mul(c2, zf), _mul(cf, z2)) + _mul(dcf, inv_norm)
    out["plain"] = out["projected"] = min(first, second)
    if rank == 0:  # W0 = 0: T is zero past this cut, Pi = 0
        out["projected"] = 0.0
        return out
    if not math.isfinite(inv_norm):
        return out
    (a2, af), (p2, pf, xi) = _range_forms(_spectral_terms(s, inverse, rank, dw2, dwf))
    gamma = _mul(c2 + dc2, inv_norm)
    g_plain = min(gamma, (cx + _mul(dc2, info.norm)) / (1 - a2)) if a2 < 1 else gamma
    g_proj = min(gamma, (cx + _mul(dc2, xi)) / (1 - p2)) if p2 < 1 else gamma
    out["plain"] = min(out["plain"], _mul(dcf, info.norm) + _mul(g_plain, af))
    out["projected"] = min(out["plain"], _mul(dcf, xi) + _mul(g_proj, pf))
    return out


def _check_model_ranks(model_ranks, infos) -> list[int]:
    if model_ranks is None:
        return [int(i.rank) for i in infos]
    ranks = _check_ranks(model_ranks, len(infos) + 1)
    for k, (r, info) in enumerate(zip(ranks, infos, strict=True)):
        if r > info.singular_values.size:
            raise ValueError(
                f"model_ranks[{k}] == {r} exceeds the size of intersection {k} "
                f"({info.singular_values.size} singular values)"
            )
    return ranks


def _perturbations(fib, wks, model_error, sampled, noise, roundoff):
    """``delta_F``, ``delta_2`` per block: sampled model error + noise + round-off slack."""
    blocks = fib + wks
    if sampled is None:
        sampled = model_error
    if np.isscalar(sampled):
        model = np.full(len(blocks), check_real(sampled, "sampled_model_error", minimum=0.0))
    else:
        per = _per_block(
            sampled, [np.zeros(())] * len(fib), [np.zeros(())] * len(wks), "sampled_model_error"
        )
        model = np.array([float(v) for v in per])
    slack = roundoff * np.array([_fro(b) for b in blocks])
    noise_f, noise_2, probability = noise_bounds(fib, wks, **noise)
    return model + noise_f + slack, model + noise_2 + slack, probability


def _ladd(x, y):
    """Log of a product of nonnegative numbers given by logs: an exact zero wins over inf."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where((x == -np.inf) | (y == -np.inf), -np.inf, x + y)


def _lsum(terms) -> float:
    """log of a sum of nonnegative numbers given by logs."""
    terms = np.asarray(terms, dtype=float)
    return float(np.logaddexp.reduce(terms)) if terms.size and terms.max() > -np.inf else -np.inf


def _balanced(units, logs, leaf_logs, a: int, b: int, side: str, record: dict):
    """Log error bound and log norm of segment [a..b] by the balanced recursion (*)."""
    log_n = _segment_log_norm(units, logs, a, b, side)
    if a == b:
        rel = float(_ladd(leaf_logs[a], -log_n)) if log_n > -math.inf else math.inf
        record["leaf_rel"].append(-math.inf if leaf_logs[a] == -math.inf else rel)
        return leaf_logs[a], log_n
    m = (a + b) // 2
    le1, ln1 = _balanced(units, logs, leaf_logs, a, m, "left", record)
    le2, ln2 = _balanced(units, logs, leaf_logs, m + 1, b, "right", record)
    log_e = _lsum([_ladd(le1, ln2), _ladd(ln1, le2), _ladd(le1, le2)])
    if log_n > -math.inf:
        record["kappa"].append(float(_ladd(ln1, ln2)) - log_n)
    return log_e, log_n


def _segment_table(units, logs) -> np.ndarray:
    """``seg[k, i] = log ||G_k ... G_{i-1}||_2`` as ``(r_{k-1} N) x r_{i-1}``; ``seg[k, k] = 0``.

    All starts ``k`` sweep together: one batched environment step per core.
    """
    d = len(units)
    finite = np.isfinite(logs)
    cum = np.concatenate([[0.0], np.cumsum(np.where(finite, logs, 0.0))])
    zeros = np.concatenate([[0], np.cumsum(~finite)])  # zero cores before each position
    seg = np.full((d, d + 1), -np.inf)
    seg[np.arange(d), np.arange(d)] = 0.0
    envs = np.zeros((0, units[0].shape[0], units[0].shape[0]), dtype=units[0].dtype)
    scales = np.zeros(0)
    for i, core in enumerate(units):
        start = np.eye(core.shape[0], dtype=envs.dtype)[None]
        envs = ct.left_env_step_batched(np.concatenate([envs, start]), core, core)
        scales = np.append(scales, 0.0)
        top = np.max(np.abs(envs), axis=(1, 2))
        envs = envs / np.where(top > 0, top, 1.0)[:, None, None]
        with np.errstate(divide="ignore"):
            scales = scales + np.log(top)
            lam = np.linalg.eigvalsh((envs + np.conj(np.swapaxes(envs, 1, 2))) / 2)[:, -1]
            log_norm = np.where(lam > 0, 0.5 * (np.log(np.maximum(lam, 1e-300)) + scales), -np.inf)
        zero = zeros[i + 1] > zeros[: i + 1]
        seg[: i + 1, i + 1] = np.where(zero, -np.inf, log_norm + cum[i + 1] - cum[: i + 1])
    return seg


def _sequential(units, logs, leaf: dict) -> float:
    """Log error bound by telescoping, ``A_hat - T = sum_i G_{<i} (G_i - G_i^T) G^T_{>i}``.

    Suffix errors ``E_k >= ||G_{>=k} - G^T_{>=k}||_F`` from the right (**)::

        E_k <= sum_{i >= k} ||G_k ... G_{i-1}||_2 min(p_i (||G_{>i}||_2 + E_{i+1}), w_i rho_i),
        rho_i = ||X_i G_{>i}||_2 + ||X_i - W0_i^+||_2 ||G_{>i}||_2 + ||W0_i^+||_2 E_{i+1}
              >= ||W0_i^+ G^T_{>i}||_2,

    ``E_d = 0``, with the projected (``p``) and weighted (``w``) leaf bounds of
    :func:`_leaf_error` (``G^T_{>i} = Pi_i G^T_{>i} = W0_i W0_i^+ G^T_{>i}``). ``leaf`` holds
    their logs and those of ``||X_i - W0_i^+||_2``, ``||W0_i^+||_2``, ``||X_i G_{>i}||_2``
    (arrays of length d; the last entries of all but ``projected`` are ``inf``).
    O(d^2) segment norms in O(d) batched sweeps.
    """
    d = len(units)
    seg = _segment_table(units, logs)
    right = np.zeros(d)  # right[i] = log ||G_{i+1} ... G_{d-1}||_2, r_i x N
    right[:-1] = -np.inf
    for i, gram, log_scale in _sweep(units, 0, d - 1, "right"):
        if i > 0 and math.isfinite(log_scale):
            right[i - 1] = _log_top_eig(gram, log_scale) + float(np.sum(logs[i:]))
    suffix = np.full(d + 1, -np.inf)
    for k in range(d - 1, -1, -1):
        i = np.arange(k, d)
        tail = suffix[i + 1]
        plain = _ladd(leaf["projected"][i], np.logaddexp(right[i], tail))
        parts = [
            leaf["x_right"][i],
            _ladd(leaf["pinv"][i], right[i]),
            _ladd(leaf["inverse"][i], tail),
        ]
        weighted = _ladd(leaf["weighted"][i], np.logaddexp.reduce(np.array(parts), axis=0))
        suffix[k] = _lsum(_ladd(seg[k, i], np.minimum(plain, weighted)))
    return float(suffix[0])


def _closed_form(record: dict, depth: int) -> tuple[float, float, float]:
    """``(kappa, eps_0, g^L(eps_0))``, ``g(x) = max(1, kappa)((1 + x)^2 - 1)``, ``kappa`` max."""
    kappa = math.exp(max(record["kappa"])) if record["kappa"] else 1.0
    top = max(record["leaf_rel"])
    eps0 = math.exp(top) if top < 700.0 else math.inf
    rel, k_bar = eps0, max(1.0, kappa)
    for _ in range(depth):
        rel = k_bar * ((1.0 + rel) ** 2 - 1.0) if rel < 1e150 else math.inf
    return kappa, eps0, rel


def cross_error_bound(
    fibres: Sequence[np.ndarray],
    intersections: Sequence[np.ndarray],
    *,
    rcond: float = 1e-12,
    tau: Sequence[float] | float | None = None,
    model_error: float = 0.0,
    sampled_model_error: float | tuple | None = None,
    model_ranks: Sequence[int] | None = None,
    noise_std: float | tuple | None = None,
    noise_max: float | tuple | None = None,
    confidence: float = 0.95,
    roundoff: float = 1e-13,
) -> CrossBound:
    """Upper bound on ``||A - A_hat||_F`` from the sampled fibres and intersections only.

    ``A_hat = C_0 X_0 C_1 ... X_{d-2} C_{d-1}`` is the cross that
    ``assemble_cross(fibres, intersections, rcond=rcond, tau=tau)`` builds. The bound is
    ``model_error + min(balanced, sequential)`` (module docstring), with leaf bounds from
    Wedin's theorem and the block perturbations of :func:`noise_bounds`.

    Assumptions (stated, not checkable from the samples; see :func:`model_error_from_tensor`):

    1. some ``T`` has ``||A - T||_F <= model_error`` and is cross-exact on the sets with
       ``rank T^{<k>} = rank T(I_k, J_k) = model_ranks[k]``;
    2. on every sampled block, ``||(A - T)_b||_F <= sampled_model_error`` (default
       ``model_error``, which is always true);
    3. the noise is bounded by ``noise_max`` (deterministic) or independent real Gaussian with
       standard deviations ``noise_std`` (then the bound holds with probability
       ``>= confidence``).

    Checked: a dropped singular value of ``W_k`` above the perturbation level (rank above
    ``model_ranks``) or a kept one below it (rank unresolved) sets ``value = inf`` and names
    the cut in ``violations``.

    Parameters
    ----------
    fibres : sequence of d ndarrays, ``fibres[k]`` (r[k-1], n[k], r'[k])
        Sampled (maybe noisy) fibres, as from :func:`ttcross.cross_matrices`.
    intersections : sequence of d-1 ndarrays, ``intersections[k]`` (r[k], r'[k])
    rcond : float, default=1e-12
        Relative cut-off of the pseudo-inverses (as in ``assemble_cross``).
    tau : float or sequence of d-1 float, optional
        Per-cut Tikhonov strengths (absolute), replacing the cut-off.
    model_error : float, default=0.0
        ``||A - T||_F``.
    sampled_model_error : float or (sequence of d, sequence of d-1), optional
        ``||(A - T)_b||_F`` per block (fibres, intersections), or one value for all.
    model_ranks : sequence of d-1 int, optional
        ``rank T^{<k>}``; default: the singular values each pseudo-inverse keeps (above
        ``rcond * s_max``, or above ``tau``).
    noise_std, noise_max : float or (fibre arrays, intersection arrays), optional
        Per-entry noise standard deviations (Gaussian) or magnitudes (bounded); at most one.
    confidence : float, default=0.95
    roundoff : float, default=1e-13
        Relative slack ``roundoff * ||block||_F`` added to each block perturbation and
        ``roundoff * d * ||A_hat||_F`` to the bound, for floating-point error in the samples
        and in ``A_hat``; 0 for exact arithmetic.

    Returns
    -------
    CrossBound
        ``needs_full_tensor`` is False.

    Raises
    ------
    ValueError, TypeError
        Mismatched shapes, NaN, negative levels, both noise models, ranks too large.
    """
    fib, wks = _check_cross_data(fibres, intersections)
    d = len(fib)
    taus = _check_tau(tau, d - 1)
    model_error = check_real(model_error, "model_error", minimum=0.0)
    roundoff = check_real(roundoff, "roundoff", minimum=0.0)
    cores = _cross_cores(fib, wks, check_real(rcond, "rcond", minimum=0.0), taus)
    ranks = _check_model_ranks(model_ranks, cores[3])
    noise = {"noise_std": noise_std, "noise_max": noise_max, "confidence": confidence}
    d_fro, d_spec, probability = _perturbations(
        fib, wks, model_error, sampled_model_error, noise, roundoff
    )
    leaves = {key: np.zeros(d) for key in ("plain", "projected", "weighted", "inverse")}
    pinv_err, violations = np.zeros(d - 1), []
    for k in range(d - 1):
        cut = (fib[k], cores[2][k], wks[k], cores[3][k], _inverse_values(cores[3][k], taus[k]))
        out = _leaf_error(cut, ranks[k], (d_spec[k], d_fro[k]), (d_spec[d + k], d_fro[d + k]))
        for key in leaves:
            leaves[key][k] = out[key]
        pinv_err[k] = out["pinv_2"]
        if out["issue"]:
            violations.append(f"cut {k}: {out['issue']}")
    for key in ("plain", "projected", "weighted"):
        leaves[key][d - 1] = d_fro[d - 1]
    parts = {
        "model_error": model_error,
        "perturbation_fro": d_fro,
        "perturbation_spectral": d_spec,
        "leaf_errors": leaves["plain"],
        "projected_leaf_errors": leaves["projected"],
        "weighted_leaf_errors": leaves["weighted"],
        "pinv_errors": pinv_err,
        "model_ranks": tuple(ranks),
        "pinv": pinv_stats(cores[3]),
        "n_samples": sample_count(fib, wks),
        "probability": probability,
        "violations": tuple(violations),
    }
    return _combine(cores, parts, leaves["inverse"][:-1], roundoff)


def _combine(cores, parts: dict, inverse: np.ndarray, roundoff: float) -> CrossBound:
    """Run both recursions on the leaf bounds and fill a CrossBound."""
    units, logs, pinvs, _ = cores
    d = len(units)
    left, right = _interface_logs(units, logs, pinvs) if d > 1 else (np.zeros(0), np.zeros(0))
    with np.errstate(divide="ignore"):
        leaf_logs = [float(v) for v in np.log(parts["leaf_errors"])]
        padded = {
            "projected": np.log(parts["projected_leaf_errors"]),
            "weighted": np.append(np.log(parts["weighted_leaf_errors"][:-1]), np.inf),
            "pinv": np.append(np.log(parts["pinv_errors"]), np.inf),
            "inverse": np.append(np.log(inverse), np.inf),
            "x_right": np.append(right, np.inf),
        }
    record: dict[str, list[float]] = {"kappa": [], "leaf_rel": []}
    log_balanced, log_norm = _balanced(units, logs, leaf_logs, 0, d - 1, "left", record)
    log_sequential = _sequential(units, logs, padded)
    depth = math.ceil(math.log2(d)) if d > 1 else 0
    kappa, eps0, rel = _closed_form(record, depth)
    model_error = parts["model_error"]
    with np.errstate(divide="ignore", over="ignore"):
        slack = math.log(roundoff * d) + log_norm if roundoff > 0 else -math.inf
        extra = float(np.logaddexp(np.log(model_error), slack))
        logs_of = {
            "balanced": float(np.logaddexp(extra, log_balanced)),
            "sequential": float(np.logaddexp(extra, log_sequential)),
        }
        norm = float(np.exp(log_norm))
        closed = model_error + norm * rel + roundoff * d * norm
    form = min(logs_of, key=logs_of.get)
    log_value = math.inf if parts["violations"] else logs_of[form]
    with np.errstate(over="ignore"):
        value = float(np.exp(log_value))
        return CrossBound(
            value=value,
            log_value=log_value,
            relative=value / norm if norm > 0 else math.inf,
            form=form,
            balanced=math.inf if parts["violations"] else float(np.exp(logs_of["balanced"])),
            sequential=math.inf if parts["violations"] else float(np.exp(logs_of["sequential"])),
            needs_full_tensor=False,
            order=d,
            depth=depth,
            approximation_norm=norm,
            interfaces=InterfaceNorms(np.exp(left), np.exp(right), np.exp(left + right)),
            node_kappa=kappa,
            leaf_relative=eps0,
            closed_form=math.inf if parts["violations"] else max(closed, value),
            paper_factor=paper_factor(max(1.0, kappa), d),
            consistent=not parts["violations"],
            **parts,
        )
