"""The tensor bound: :func:`cross_error_bound` and its result :class:`CrossBound`.

The steps, each passing a small typed value to the next (derivations in :mod:`ttcross.bounds`):

1. validate, and rescale the data into the frame of the scaled inverses
   (``_scaling.ScaledData``);
2. cross cores (``_norms.CrossCores``) and block perturbations (:class:`_Perturbations`);
3. leaf bounds of every core (:class:`_LeafBounds`, from ``perturbation._leaf_error``);
4. both recursions (:class:`_Recursions`) and, if asked, the linearised estimate
   (:class:`_Estimate`);
5. assembly into a :class:`CrossBound`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import NamedTuple

import numpy as np

from ..validation import check_int, check_real
from ._checks import _check_cross_data, _check_model_ranks, _check_tau, _per_block
from ._norms import (
    CrossCores,
    _cross_cores,
    _fro,
    _interface_log_norms,
    _interface_logs,
    _segment_log_norm,
)
from ._recursions import (
    ClosedForm,
    LinearInputs,
    SequentialLeaves,
    _balanced,
    _closed_form,
    _linearised,
    _sequential,
)
from ._scaling import NoiseModel, _rescale
from .perturbation import _bias_values, _CutSamples, _Delta, _inverse_values, _leaf_error
from .statistics import (
    InterfaceNorms,
    PinvStats,
    noise_bounds,
    paper_factor,
    pinv_stats,
    sample_count,
)

#: Default longest segment of cores whose norm the telescoping bound computes exactly; longer
#: ones are bounded by products of shorter ones (sub-multiplicativity). See
#: benchmarks/bound_segments.py for what it costs in tightness.
SEGMENT_LENGTH = 16

#: What :func:`cross_error_bound` reports where the rigorous bound is not resolved.
_UNRESOLVED = ("inf", "estimate")

__all__ = ["SEGMENT_LENGTH", "CrossBound", "cross_error_bound"]


# ---------------------------------------------------------------------------- result
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


# ---------------------------------------------------------------------------- intermediates
class _Perturbations(NamedTuple):
    """Bounds ``delta_F``, ``delta_2`` on ``||D_b||`` per block ``b``.

    Attributes
    ----------
    fro, spectral : ndarray, shape (2d-1,), float64
        Fibres ``0..d-1``, then intersections ``0..d-2``: sampled model error + noise +
        round-off slack.
    probability : float
        1.0, or the confidence of the Gaussian noise bounds.
    """

    fro: np.ndarray
    spectral: np.ndarray
    probability: float


@dataclass(frozen=True)
class _LeafBounds:
    """Leaf bounds of every core ``G_k`` against ``G^T_k`` (``perturbation._leaf_error``).

    Attributes
    ----------
    plain, projected, weighted : ndarray, shape (d,), float64
        ``||G_k - G^T_k||_F``, ``||(G_k - G^T_k) Pi_k||_F``, ``||(G_k - G^T_k) W0_k||_F``;
        the last core is a fibre, all three are its ``delta_F``.
    pinv : ndarray, shape (d-1,), float64
        ``||X_k - W0_k^+||_2``.
    inverse : ndarray, shape (d-1,), float64
        ``||W0_k^+||_2``.
    violations : tuple of str
        ``"cut k: ..."`` for each cut where the data violate the model ranks.
    """

    plain: np.ndarray
    projected: np.ndarray
    weighted: np.ndarray
    pinv: np.ndarray
    inverse: np.ndarray
    violations: tuple[str, ...]


class _Recursions(NamedTuple):
    """Both recursions on the leaf bounds, in log scale (without the model error).

    Attributes
    ----------
    log_balanced, log_sequential : float
        Logs of the balanced split (*) and of the telescoping sum (**).
    log_norm : float
        ``log ||A_hat||_2`` of the whole chain (exact, or the product bound of long nodes).
    log_root : float
        Log norm of the root node of the balanced split.
    closed : ClosedForm
        ``kappa``, ``eps_0`` and ``g^L(eps_0)`` of the balanced split.
    depth : int
        ``L = ceil(log2 d)``.
    """

    log_balanced: float
    log_sequential: float
    log_norm: float
    log_root: float
    closed: ClosedForm
    depth: int


class _Estimate(NamedTuple):
    """The linearised estimate (see :func:`cross_error_bound`).

    Attributes
    ----------
    log_value : float
        Its log, with the model error and round-off; ``inf`` where not credible.
    ratio : float
        Relative first-order error ``||first order|| / ||A_hat||``.
    """

    log_value: float
    ratio: float


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
    noise = NoiseModel(noise_std, noise_max, confidence)
    model_error = check_real(model_error, "model_error", minimum=0.0)
    if scales is not None:
        sampled = model_error if sampled_model_error is None else sampled_model_error
        fib, wks, noise, sampled_model_error = _rescale(fib, wks, scales, noise, sampled)
    taus = _check_tau(tau, d - 1)
    roundoff = check_real(roundoff, "roundoff", minimum=0.0)
    cores = _cross_cores(fib, wks, check_real(rcond, "rcond", minimum=0.0), taus)
    ranks = _check_model_ranks(model_ranks, cores.infos)
    pert = _perturbations(fib, wks, model_error, sampled_model_error, noise, roundoff)
    leaves = _leaf_bounds(fib, wks, cores, taus, ranks, pert)
    linear = _linear_inputs(fib, wks, cores, taus, pert, noise)
    if unresolved == "inf":
        linear = None
    length = d if segment_length is None else check_int(segment_length, "segment_length", minimum=1)
    interfaces = _interfaces(cores)
    return _assemble(
        cores,
        leaves,
        pert,
        _recursions(cores, leaves, interfaces[1], min(length, d)),
        interfaces=interfaces,
        model_error=model_error,
        model_ranks=tuple(ranks),
        n_samples=sample_count(fib, wks),
        roundoff=roundoff,
        linear=linear,
    )


def _perturbations(
    fib: list[np.ndarray],
    wks: list[np.ndarray],
    model_error: float,
    sampled,
    noise: NoiseModel,
    roundoff: float,
) -> _Perturbations:
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
    noise_f, noise_2, probability = noise_bounds(fib, wks, **noise._asdict())
    return _Perturbations(model + noise_f + slack, model + noise_2 + slack, probability)


def _leaf_bounds(
    fib: list[np.ndarray],
    wks: list[np.ndarray],
    cores: CrossCores,
    taus: list[float | None],
    ranks: list[int],
    pert: _Perturbations,
) -> _LeafBounds:
    """The leaf bounds of every core (Wedin per cut; the last core is its fibre)."""
    d = len(fib)
    plain, projected, weighted = np.zeros(d), np.zeros(d), np.zeros(d)
    pinv, inverse = np.zeros(d - 1), np.zeros(d - 1)
    violations = []
    for k in range(d - 1):
        info = cores.infos[k]
        cut = _CutSamples(fib[k], cores.pinvs[k], wks[k], info, _inverse_values(info, taus[k]))
        delta_c = _Delta(pert.spectral[k], pert.fro[k])
        delta_w = _Delta(pert.spectral[d + k], pert.fro[d + k])
        leaf = _leaf_error(cut, ranks[k], delta_c, delta_w)
        plain[k], projected[k], weighted[k] = leaf.plain, leaf.projected, leaf.weighted
        pinv[k], inverse[k] = leaf.pinv_2, leaf.inverse
        if leaf.issue:
            violations.append(f"cut {k}: {leaf.issue}")
    plain[d - 1] = projected[d - 1] = weighted[d - 1] = pert.fro[d - 1]
    return _LeafBounds(plain, projected, weighted, pinv, inverse, tuple(violations))


def _linear_inputs(
    fib: list[np.ndarray],
    wks: list[np.ndarray],
    cores: CrossCores,
    taus: list[float | None],
    pert: _Perturbations,
    noise: NoiseModel,
) -> LinearInputs:
    """Block norms of the linearised estimate: perturbations, regularisation bias, noise."""
    d = len(fib)
    bias = [
        _bias_values(info, _inverse_values(info, t))
        for info, t in zip(cores.infos, taus, strict=True)
    ]
    std = x = None
    if noise.noise_std is not None and noise.noise_max is None:
        std = _per_block(noise.noise_std, fib, wks, "noise_std")
        x = math.log((2 * d - 1) / (1.0 - check_real(noise.confidence, "confidence")))
    return LinearInputs(
        fibre_fro=pert.fro[:d],
        fibre_2=pert.spectral[:d],
        inter_fro=pert.fro[d:],
        inter_2=pert.spectral[d:],
        bias_fro=np.array([_fro(b) for b in bias]),
        bias_2=np.array([float(np.max(b, initial=0.0)) for b in bias]),
        std=std,
        x=x,
    )


def _interfaces(cores: CrossCores) -> tuple[np.ndarray, np.ndarray]:
    """``log ||G_0 ... G_k||_2`` and ``log ||X_k Rhat_k||_2`` per cut, each shape (d-1,)."""
    if len(cores.units) == 1:
        return np.zeros(0), np.zeros(0)
    return _interface_logs(cores.units, cores.logs, cores.pinvs)


def _recursions(
    cores: CrossCores, leaves: _LeafBounds, right: np.ndarray, length: int
) -> _Recursions:
    """Run the balanced split (*) and the telescoping sum (**) on the leaf bounds.

    ``right`` (d-1,): ``log ||X_k Rhat_k||_2`` per cut; ``length``: longest exact segment.
    """
    units, logs = cores.units, cores.logs
    d = len(units)
    with np.errstate(divide="ignore"):
        leaf_logs = [float(v) for v in np.log(leaves.plain)]
        padded = SequentialLeaves(
            projected=np.log(leaves.projected),
            weighted=np.append(np.log(leaves.weighted[:-1]), np.inf),
            pinv=np.append(np.log(leaves.pinv), np.inf),
            inverse=np.append(np.log(leaves.inverse), np.inf),
            x_right=np.append(right, np.inf),
        )
    split = _balanced(units, logs, leaf_logs, length)
    log_norm = split.log_norm
    if d > length:
        log_norm = _segment_log_norm(units, logs, 0, d - 1, "left")
    depth = math.ceil(math.log2(d)) if d > 1 else 0
    return _Recursions(
        log_balanced=split.log_error,
        log_sequential=_sequential(units, logs, padded, length),
        log_norm=log_norm,
        log_root=split.log_norm,
        closed=_closed_form(split, depth),
        depth=depth,
    )


def _estimate(
    cores: CrossCores,
    linear: LinearInputs,
    interfaces: tuple[np.ndarray, np.ndarray],
    log_norm: float,
    extra: float,
) -> _Estimate:
    """The linearised estimate, ``extra`` (log of model error plus round-off) included.

    All orders are taken as for a product whose relative perturbations sum to the first-order
    ratio: ``log_value = log(extra + first (e^ratio - 1) / ratio)``, ``inf`` for ratio >= 1.
    """
    faces = _interface_log_norms(cores, interfaces, diagonals=linear.std is not None)
    log_first = _linearised(linear, faces)
    ratio = math.exp(min(log_first - log_norm, 50.0)) if log_norm > -math.inf else math.inf
    if not ratio < 1.0:
        return _Estimate(math.inf, ratio)
    factor = math.expm1(ratio) / ratio if ratio > 0 else 1.0
    return _Estimate(float(np.logaddexp(extra, log_first + math.log(factor))), ratio)


def _reason(violations: tuple[str, ...], estimate: _Estimate | None) -> str:
    """Why the rigorous bound is not resolved, and what the value is instead (empty if it is)."""
    if not violations:
        return ""
    reason = ""
    if estimate is not None and not estimate.ratio < 1.0:
        reason = (
            f"relative first-order error {estimate.ratio:.3g} >= 1: the noise is as large as the "
            "estimate itself; "
        )
    reason += "rigorous bound not resolved: " + "; ".join(violations)
    if estimate is not None and math.isfinite(estimate.log_value):
        reason += (
            "; value is the linearised estimate (first order in the noise, unresolved "
            "singular values charged as bias), not a theorem"
        )
    return reason


def _assemble(
    cores: CrossCores,
    leaves: _LeafBounds,
    pert: _Perturbations,
    rec: _Recursions,
    *,
    model_error: float,
    model_ranks: tuple[int, ...],
    n_samples: int,
    roundoff: float,
    linear: LinearInputs | None,
    interfaces: tuple[np.ndarray, np.ndarray],
) -> CrossBound:
    """The :class:`CrossBound`: the least recursion (or the estimate) plus the model error.

    ``interfaces``: ``log ||G_0 ... G_k||_2`` and ``log ||X_k Rhat_k||_2``, each (d-1,).
    """
    d = len(cores.units)
    with np.errstate(divide="ignore", over="ignore"):
        slack = math.log(roundoff * d) + rec.log_norm if roundoff > 0 else -math.inf
        extra = float(np.logaddexp(np.log(model_error), slack))
        log_balanced = float(np.logaddexp(extra, rec.log_balanced))
        log_sequential = float(np.logaddexp(extra, rec.log_sequential))
        norm = float(np.exp(rec.log_norm))
        closed = model_error + float(np.exp(rec.log_root)) * rec.closed.relative
        closed += roundoff * d * norm
    form = "sequential" if log_sequential < log_balanced else "balanced"
    violated = bool(leaves.violations)
    log_value = math.inf if violated else min(log_balanced, log_sequential)
    if linear is None:
        estimate = None
    else:
        estimate = _estimate(cores, linear, interfaces, rec.log_norm, extra)
    log_linear = math.inf if estimate is None else estimate.log_value
    if violated and math.isfinite(log_linear):
        log_value, form = log_linear, "linearised"
    left, right = interfaces
    with np.errstate(over="ignore"):
        value = float(np.exp(log_value))
        return CrossBound(
            value=value,
            log_value=log_value,
            relative=value / norm if norm > 0 else math.inf,
            form=form,
            balanced=math.inf if violated else float(np.exp(log_balanced)),
            sequential=math.inf if violated else float(np.exp(log_sequential)),
            probability=pert.probability,
            needs_full_tensor=False,
            order=d,
            depth=rec.depth,
            n_samples=n_samples,
            approximation_norm=norm,
            model_error=model_error,
            perturbation_fro=pert.fro,
            perturbation_spectral=pert.spectral,
            leaf_errors=leaves.plain,
            projected_leaf_errors=leaves.projected,
            weighted_leaf_errors=leaves.weighted,
            pinv_errors=leaves.pinv,
            model_ranks=model_ranks,
            pinv=pinv_stats(cores.infos),
            interfaces=InterfaceNorms(np.exp(left), np.exp(right), np.exp(left + right)),
            node_kappa=rec.closed.kappa,
            leaf_relative=rec.closed.leaf_relative,
            closed_form=math.inf if violated else max(closed, value),
            paper_factor=paper_factor(max(1.0, rec.closed.kappa), d),
            consistent=not violated,
            violations=leaves.violations,
            linearised=float(np.exp(log_linear)),
            rigorous=not violated,
            reason=_reason(leaves.violations, estimate),
        )
