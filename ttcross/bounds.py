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

Cost: the telescoping sum needs the norms of every segment ``G_k ... G_{i-1}``; exact ones are
computed up to ``segment_length`` cores and longer segments are bounded by splitting
(``||G_k..G_{i-1}|| <= ||G_k..G_{m-1}|| ||G_m..G_{i-1}||``), O(d L) in all; the balanced
split likewise bounds its nodes longer than L by their halves, O(d log L).
benchmarks/bound_segments.py measures the loss (none at L >= d; <= 2% at the default 16 for
orders up to 20).

Under shot noise the rigorous bound may not be resolved (noise at the level of singular
values the inverse keeps); ``cross_error_bound(unresolved="estimate")`` then reports a
linearised estimate instead, flagged ``rigorous=False`` with the reason (see there).

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

from ._bounds_dense import (
    ModelError,
    matrix_cross_bound,
    model_error_from_tensor,
    oblique_projectors,
    unfolding_tails,
)
from ._bounds_kernels import WEDIN_FROBENIUS as WEDIN_FROBENIUS
from ._bounds_kernels import WEDIN_SPECTRAL as WEDIN_SPECTRAL
from ._bounds_kernels import (
    _balanced,
    _bias_values,
    _block_matrix,
    _check_ranks,
    _closed_form,
    _cross_cores,
    _fro,
    _interface_diag_logs,
    _interface_fro_logs,
    _interface_logs,
    _inverse_values,
    _leaf_error,
    _linearised,
    _segment_log_norm,
    _sequential,
    pinv_perturbation_bound,
)
from ._validation import check_finite, check_int, check_real
from .interpolate import PinvInfo, regularized_pinv

#: Default longest segment of cores whose norm the telescoping bound computes exactly; longer
#: ones are bounded by products of shorter ones (sub-multiplicativity). See
#: benchmarks/bound_segments.py for what it costs in tightness.
SEGMENT_LENGTH = 16

#: What :func:`cross_error_bound` reports where the rigorous bound is not resolved.
_UNRESOLVED = ("inf", "estimate")

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
    form : {"balanced", "sequential", "linearised"}
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
    linearised : float
        The linearised estimate (``unresolved="estimate"``; ``inf`` otherwise or where its
        relative size reaches one): see :func:`cross_error_bound`.
    rigorous : bool
        ``value`` is the rigorous bound (``min(balanced, sequential)``, a theorem under the
        stated assumptions); False: it is the linearised estimate, or ``inf``.
    reason : str
        Empty when the rigorous bound is resolved; else why not, and what ``value`` is.
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
    linearised: float
    rigorous: bool
    reason: str

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
    units, logs, pinvs, _ = _cross_cores(fib, wks, rcond, _check_tau(tau, len(wks)))
    left, right = _interface_logs(units, logs, pinvs)
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
    segment_length: int | None = SEGMENT_LENGTH,
    scales: Sequence[tuple[np.ndarray, np.ndarray] | None] | None = None,
    unresolved: str = "inf",
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
    ``model_ranks``) or a kept one below it (rank unresolved) violates assumption 1 for the
    data at hand; the cut is named in ``violations`` and ``reason``. Then:

    - ``unresolved="inf"``: ``value = inf``;
    - ``unresolved="estimate"``: ``value`` is the *linearised estimate* (``rigorous`` False).
      Where the noise reaches singular values the (Tikhonov) inverse keeps, no finite bound
      follows from the samples alone: the reference ``T`` needs ``(W^T_k)^+``, whose small
      singular values the data cannot resolve (module docstring, "What is not possible").
      The estimate instead expands ``A_hat`` to first order about the cross-exact ``A``
      (model error 0, assumption 1 with the full rank of ``A(I_k, J_k)``): each sampled
      block ``b`` moves it by ``L Z_b M`` (``L``, ``M`` the interfaces of
      :class:`InterfaceNorms`; ``1.25 L_k Z_W M_k`` for an intersection, the second
      Tikhonov term of ``dX`` included), the regularisation by
      ``L_k U diag(s (1 - s x)) V^T M_k`` (the singular values it damps or drops, observed:
      the noise-dominated tail is charged as bias, over-estimated by the noise in it).
      With Gaussian ``noise_std`` each ``||L Z M||_F`` is bounded by its root mean square
      plus a concentration term (holds together with probability ``>= confidence``),
      otherwise by norm products. Assumed, not proven: (i) the interfaces of the true
      tensor are those computed from ``A_hat``; (ii) the higher orders behave as for a
      product of factors whose relative perturbations sum to ``eps``, the relative
      first-order estimate: ``||A - A_hat|| <= ||A_hat|| (exp(eps) - 1)``, i.e. the first
      order times ``(e^eps - 1) / eps`` (at most 1.72). Where ``eps >= 1`` the
      linearisation is not credible and ``value = inf`` with the reason.
      benchmarks/bound_coverage.py measures how often it covers the true error.

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
    segment_length : int or None, default=SEGMENT_LENGTH (16)
        Longest run of cores whose norm the telescoping bound computes exactly; longer
        segments are bounded by products of shorter ones (sub-multiplicativity), which keeps
        the bound valid and makes it O(d segment_length) instead of O(d^2). None: all
        (exact, quadratic).
    scales : sequence of d-1 (row_scale, col_scale) pairs or None, optional
        As in :func:`ttcross.assemble_cross`: bound the cross built with the pseudo-inverses
        of the rescaled ``diag(1/a) W_k diag(1/b)`` (noise-whitened Tikhonov). The data are
        rescaled (same cross; ``tau`` then acts on the rescaled matrices).
    unresolved : {"inf", "estimate"}, default="inf"
        What ``value`` is where the rigorous bound is not resolved (see above).
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
    if unresolved not in _UNRESOLVED:
        raise ValueError(f"unknown unresolved {unresolved!r}; valid: {', '.join(_UNRESOLVED)}")
    noise = {"noise_std": noise_std, "noise_max": noise_max, "confidence": confidence}
    model_error = check_real(model_error, "model_error", minimum=0.0)
    if scales is not None:
        sampled = model_error if sampled_model_error is None else sampled_model_error
        fib, wks, noise, sampled_model_error = _rescale(fib, wks, scales, noise, sampled)
    taus = _check_tau(tau, d - 1)
    roundoff = check_real(roundoff, "roundoff", minimum=0.0)
    cores = _cross_cores(fib, wks, check_real(rcond, "rcond", minimum=0.0), taus)
    ranks = _check_model_ranks(model_ranks, cores[3])
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
    bias = [
        _bias_values(info, _inverse_values(info, t)) for info, t in zip(cores[3], taus, strict=True)
    ]
    linear = {
        "fibre_fro": d_fro[:d],
        "fibre_2": d_spec[:d],
        "inter_fro": d_fro[d:],
        "inter_2": d_spec[d:],
        "bias_fro": [_fro(b) for b in bias],
        "bias_2": [float(np.max(b, initial=0.0)) for b in bias],
        "std": None,
    }
    if noise["noise_std"] is not None and noise["noise_max"] is None:
        linear["std"] = _per_block(noise["noise_std"], fib, wks, "noise_std")
        linear["x"] = math.log((2 * d - 1) / (1.0 - check_real(confidence, "confidence")))
    if unresolved == "inf":
        linear = None
    length = d if segment_length is None else check_int(segment_length, "segment_length", minimum=1)
    return _combine(cores, parts, leaves["inverse"][:-1], roundoff, min(length, d), linear)


def _combine(cores, parts: dict, inverse, roundoff: float, length: int, linear) -> CrossBound:
    """Run both recursions on the leaf bounds (and the linearised estimate) into a CrossBound."""
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
    record = {"kappa": [], "leaf_rel": [], "length": length, "memo": {}}
    log_balanced, log_root = _balanced(units, logs, leaf_logs, 0, d - 1, "left", record)
    log_norm = log_root if d <= length else _segment_log_norm(units, logs, 0, d - 1, "left")
    log_sequential = _sequential(units, logs, padded, length)
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
        closed = model_error + float(np.exp(log_root)) * rel + roundoff * d * norm
    form = min(logs_of, key=logs_of.get)
    violated = bool(parts["violations"])
    log_value = math.inf if violated else logs_of[form]
    log_linear = math.inf
    reason = ""
    if linear is not None:
        linear["left"], linear["right"] = left, right
        linear["left_fro"], linear["right_fro"] = _interface_fro_logs(units, logs, pinvs)
        if linear["std"] is not None:
            linear["left_diag"], linear["right_diag"] = _interface_diag_logs(units, logs, pinvs)
        log_first = _linearised(linear)
        ratio = math.exp(min(log_first - log_norm, 50.0)) if log_norm > -math.inf else math.inf
        if ratio < 1.0:  # all orders as for a product with relative perturbations summing to it
            factor = math.expm1(ratio) / ratio if ratio > 0 else 1.0
            log_linear = float(np.logaddexp(extra, log_first + math.log(factor)))
        elif violated:
            reason = (
                f"relative first-order error {ratio:.3g} >= 1: the noise is as large as the "
                "estimate itself; "
            )
    if violated:
        reason += "rigorous bound not resolved: " + "; ".join(parts["violations"])
        if linear is not None and math.isfinite(log_linear):
            log_value, form = log_linear, "linearised"
            reason += (
                "; value is the linearised estimate (first order in the noise, unresolved "
                "singular values charged as bias), not a theorem"
            )
    with np.errstate(over="ignore"):
        value = float(np.exp(log_value))
        return CrossBound(
            value=value,
            log_value=log_value,
            relative=value / norm if norm > 0 else math.inf,
            form=form,
            balanced=math.inf if violated else float(np.exp(logs_of["balanced"])),
            sequential=math.inf if violated else float(np.exp(logs_of["sequential"])),
            needs_full_tensor=False,
            order=d,
            depth=depth,
            approximation_norm=norm,
            interfaces=InterfaceNorms(np.exp(left), np.exp(right), np.exp(left + right)),
            node_kappa=kappa,
            leaf_relative=eps0,
            closed_form=math.inf if violated else max(closed, value),
            paper_factor=paper_factor(max(1.0, kappa), d),
            consistent=not violated,
            linearised=float(np.exp(log_linear)),
            rigorous=not violated,
            reason=reason,
            **parts,
        )


def _rescale(fib, wks, scales, noise: dict, sampled):
    """The blocks in the frame of the scaled inverses (see ``regularized_pinv``).

    ``W'_k = diag(1/a_k) W_k diag(1/b_k)`` and ``C'_k = diag(1/a_{k-1}) C_k diag(1/b_k)``
    give the same cross (the scales cancel between ``C'_k X'_k`` and ``C'_{k+1}``), so the
    bound of the scaled data is a bound of the same ``A_hat``. Noise levels are scaled entry
    by entry; sampled model errors (norms) by ``1 / (min a min b)``, an upper bound.
    """
    d = len(fib)
    if len(scales) != d - 1:
        raise ValueError(
            f"`scales` needs one (row, column) pair per cut ({d - 1}), got {len(scales)}"
        )
    pairs = []
    for k, pair in enumerate(scales):
        if pair is None:
            pairs.append((np.ones(wks[k].shape[0]), np.ones(wks[k].shape[1])))
            continue
        a, b = (np.asarray(v, dtype=float) for v in pair)
        if a.shape != (wks[k].shape[0],) or b.shape != (wks[k].shape[1],):
            raise ValueError(
                f"scales[{k}] must have shapes ({wks[k].shape[0]},) and ({wks[k].shape[1]},), "
                f"got {a.shape} and {b.shape}"
            )
        if not (
            np.all(a > 0) and np.all(b > 0) and np.all(np.isfinite(a)) and np.all(np.isfinite(b))
        ):
            raise ValueError(f"scales[{k}] must be finite and positive")
        pairs.append((a, b))
    rows = [np.ones(1)] + [a for a, _ in pairs]
    cols = [b for _, b in pairs] + [np.ones(1)]

    def fibre(c, k):
        return c / rows[k][:, None, None] / cols[k][None, None, :]

    def inter(w, k):
        return w / np.outer(*pairs[k])

    out = dict(noise)
    for key in ("noise_std", "noise_max"):
        per = _per_block(noise[key], fib, wks, key)
        if per is not None:
            out[key] = (
                [fibre(v, k) for k, v in enumerate(per[:d])],
                [inter(v, k) for k, v in enumerate(per[d:])],
            )
    if sampled is not None:
        lows = [rows[k].min() * cols[k].min() for k in range(d)] + [
            a.min() * b.min() for a, b in pairs
        ]
        if np.isscalar(sampled):
            values = [float(sampled)] * (2 * d - 1)
        else:
            values = [float(v) for v in list(sampled[0]) + list(sampled[1])]
        values = [v / low for v, low in zip(values, lows, strict=True)]
        sampled = (values[:d], values[d:])
    return (
        [fibre(c, k) for k, c in enumerate(fib)],
        [inter(w, k) for k, w in enumerate(wks)],
        out,
        sampled,
    )
