"""The recursions of :func:`ttcross.bounds.cross_error_bound` (private kernels).

From the leaf bounds of every core (``ttcross.bounds.perturbation``) and the norms of the cross
cores (``ttcross.bounds._norms``), all in log scale:

- the balanced split (*) (``_balanced``) and its closed form (``_closed_form``);
- the telescoping sum (**) (``_sequential``);
- the linearised first-order estimate (``_linearised``).

The derivations, notation (``C_k``, ``W_k``, ``X_k``, ``G_k``, ``T``) and references are in the
docstring of :mod:`ttcross.bounds`.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ._norms import (
    InterfaceLogs,
    _ladd,
    _lsum,
    _right_logs,
    _segment_log_norm,
    _segment_table,
)


# ---------------------------------------------------------------------------- balanced split
class BalancedSplit(NamedTuple):
    """The balanced recursion (*) on a segment ``[a..b]`` of cores, in log scale.

    Attributes
    ----------
    log_error : float
        ``log e(S)``, the bound on the segment's error.
    log_norm : float
        ``log n(S)``, its norm (a bound on it for nodes longer than the exact length).
    log_kappas : tuple of float
        ``log kappa_S`` of every inner node below (and at) ``S`` with nonzero norm, children
        before parents.
    log_leaf_relative : tuple of float
        ``log e(k) / n(k)`` of every leaf, left to right.
    """

    log_error: float
    log_norm: float
    log_kappas: tuple[float, ...]
    log_leaf_relative: tuple[float, ...]


class ClosedForm(NamedTuple):
    """Closed form of the balanced recursion (see :func:`_closed_form`).

    Attributes
    ----------
    kappa : float
        ``max_S kappa_S`` (1 when there is no inner node).
    leaf_relative : float
        ``eps_0 = max_k e(k) / n(k)``.
    relative : float
        ``g^L(eps_0)``, ``g(x) = max(1, kappa) ((1 + x)^2 - 1)``.
    """

    kappa: float
    leaf_relative: float
    relative: float


def _balanced(
    units: list[np.ndarray], logs: list[float], leaf_logs: list[float], length: int
) -> BalancedSplit:
    """Log error bound and log norm of all cores by the balanced recursion (*).

    ``units``, ``logs``: the cross cores (:class:`~ttcross.bounds._norms.CrossCores`);
    ``leaf_logs`` (d): logs of the leaf bounds ``e(k)``. Node norms are exact up to
    ``length`` cores and bounded by the product of their halves' above (sub-multiplicative,
    cached: O(d log length) environment steps, not O(d log d)); the recursion only needs
    upper bounds on them. A long node records ``kappa_S = 1`` (the ratio of its bound to its
    halves'), which keeps the closed form valid with the bound as ``n(S)``.

    Returns
    -------
    BalancedSplit
        Of the whole chain ``[0..d-1]``.
    """

    @functools.cache
    def node_norm(a: int, b: int, side: str) -> float:
        if b - a < length:
            return _segment_log_norm(units, logs, a, b, side)
        m = (a + b) // 2
        return float(_ladd(node_norm(a, m, side), node_norm(m + 1, b, side)))

    def split(a: int, b: int, side: str) -> BalancedSplit:
        log_n = node_norm(a, b, side)
        if a == b:
            rel = float(_ladd(leaf_logs[a], -log_n)) if log_n > -math.inf else math.inf
            rel = -math.inf if leaf_logs[a] == -math.inf else rel
            return BalancedSplit(leaf_logs[a], log_n, (), (rel,))
        m = (a + b) // 2
        one, two = split(a, m, "left"), split(m + 1, b, "right")
        le1, ln1, le2, ln2 = one.log_error, one.log_norm, two.log_error, two.log_norm
        log_e = _lsum([_ladd(le1, ln2), _ladd(ln1, le2), _ladd(le1, le2)])
        kappas = one.log_kappas + two.log_kappas
        if log_n > -math.inf:
            kappas += (float(_ladd(ln1, ln2)) - log_n if b - a < length else 0.0,)
        return BalancedSplit(log_e, log_n, kappas, one.log_leaf_relative + two.log_leaf_relative)

    return split(0, len(units) - 1, "left")


def _closed_form(split: BalancedSplit, depth: int) -> ClosedForm:
    """``(kappa, eps_0, g^L(eps_0))``, ``g(x) = max(1, kappa)((1 + x)^2 - 1)``, ``kappa`` max."""
    kappa = math.exp(max(split.log_kappas)) if split.log_kappas else 1.0
    top = max(split.log_leaf_relative)
    eps0 = math.exp(top) if top < 700.0 else math.inf
    rel, k_bar = eps0, max(1.0, kappa)
    for _ in range(depth):
        rel = k_bar * ((1.0 + rel) ** 2 - 1.0) if rel < 1e150 else math.inf
    return ClosedForm(kappa, eps0, rel)


# ---------------------------------------------------------------------------- telescoping sum
class SequentialLeaves(NamedTuple):
    """Logs of the per-core inputs of the telescoping sum (**), each an ndarray of shape (d,).

    Attributes
    ----------
    projected : ``log p_i``, ``p_i >= ||(G_i - G^T_i) Pi_i||_F``.
    weighted : ``log w_i``, ``w_i >= ||(G_i - G^T_i) W0_i||_F`` (last entry ``inf``).
    pinv : ``log ||X_i - W0_i^+||_2`` (last entry ``inf``).
    inverse : ``log ||W0_i^+||_2`` (last entry ``inf``).
    x_right : ``log ||X_i G_{>i}||_2`` (last entry ``inf``).
    """

    projected: np.ndarray
    weighted: np.ndarray
    pinv: np.ndarray
    inverse: np.ndarray
    x_right: np.ndarray


def _sequential(
    units: list[np.ndarray], logs: list[float], leaf: SequentialLeaves, length: int
) -> float:
    """Log error bound by telescoping, ``A_hat - T = sum_i G_{<i} (G_i - G_i^T) G^T_{>i}``.

    Suffix errors ``E_k >= ||G_{>=k} - G^T_{>=k}||_F`` from the right (**)::

        E_k <= sum_{k <= i < k+j} ||G_k ... G_{i-1}||_2 t_i + ||G_k ... G_{k+j-1}||_2 E_{k+j},
        t_i = min(p_i (||G_{>i}||_2 + E_{i+1}), w_i rho_i),
        rho_i = ||X_i G_{>i}||_2 + ||X_i - W0_i^+||_2 ||G_{>i}||_2 + ||W0_i^+||_2 E_{i+1}
              >= ||W0_i^+ G^T_{>i}||_2,

    for every ``1 <= j <= length`` (the least is taken; ``j = d - k`` with ``E_d = 0`` when
    ``d - k <= length``): split ``G_{>=k} - G^T_{>=k}`` after ``j`` cores,
    ``sum_{i < k+j} G_{k..i-1} (G_i - G^T_i) G^T_{>i} + G_{k..k+j-1} (G_{>=k+j} -
    G^T_{>=k+j})``. Exact segment norms up to ``length`` cores only: the segments longer than
    that are bounded through sub-multiplicativity, ``||G_k..G_{i-1}|| <= ||G_k..G_{m-1}||
    ||G_m..G_{i-1}||`` (as ``(r N) x r`` matrices), which is what the split does; with
    ``length >= d`` this is the full telescoping sum. ``p``, ``w``: the projected and
    weighted leaf bounds of :func:`_leaf_error` (``G^T_{>i} = Pi_i G^T_{>i} = W0_i W0_i^+
    G^T_{>i}``). ``leaf`` holds their logs and those of ``||X_i - W0_i^+||_2``,
    ``||W0_i^+||_2``, ``||X_i G_{>i}||_2`` (:class:`SequentialLeaves`). O(d length) work.
    """
    d = len(units)
    seg = _segment_table(units, logs, length)
    right = _right_logs(units, logs)
    suffix = np.full(d + 1, -np.inf)
    for k in range(d - 1, -1, -1):
        i = np.arange(k, min(d, k + length))
        tail = suffix[i + 1]
        plain = _ladd(leaf.projected[i], np.logaddexp(right[i], tail))
        parts = [
            leaf.x_right[i],
            _ladd(leaf.pinv[i], right[i]),
            _ladd(leaf.inverse[i], tail),
        ]
        weighted = _ladd(leaf.weighted[i], np.logaddexp.reduce(np.array(parts), axis=0))
        terms = _ladd(seg[k, : i.size], np.minimum(plain, weighted))
        partial = np.logaddexp.accumulate(terms)  # sum over the first j terms, j = 1..
        split = np.logaddexp(partial, _ladd(seg[k, 1 : i.size + 1], suffix[i + 1]))
        suffix[k] = float(np.min(split))
    return float(suffix[0])


# ---------------------------------------------------------------------------- linearised estimate
@dataclass(frozen=True)
class LinearInputs:
    """Block norms that enter the linearised estimate (see :func:`_linearised`).

    Attributes
    ----------
    fibre_fro, fibre_2 : ndarray, shape (d,), float64
        ``delta_F``, ``delta_2`` of the fibres.
    inter_fro, inter_2 : ndarray, shape (d-1,), float64
        ``delta_F``, ``delta_2`` of the intersections.
    bias_fro, bias_2 : ndarray, shape (d-1,), float64
        Frobenius and max norm of the regularisation bias ``s (1 - s x)`` per cut.
    std : list of 2d-1 ndarrays or None
        Per-entry Gaussian standard deviations of every block (fibres, then intersections),
        each of the block's shape; None for no Gaussian noise model.
    x : float or None
        ``log((2d - 1) / (1 - confidence))``, the tail level of the Gaussian terms (with ``std``).
    """

    fibre_fro: np.ndarray
    fibre_2: np.ndarray
    inter_fro: np.ndarray
    inter_2: np.ndarray
    bias_fro: np.ndarray
    bias_2: np.ndarray
    std: list[np.ndarray] | None = None
    x: float | None = None


def _gaussian_sandwich(
    col: np.ndarray, row: np.ndarray, std: np.ndarray, lipschitz: float, x: float
) -> float:
    """``log`` of a bound on ``||L Z M||_F`` for independent ``Z_apb ~ N(0, std_apb^2)``.

    ``E ||L Z M||_F^2 = sum std_apb^2 ||L e_a||^2 ||M^T e_b||^2`` (``col``, ``row``: logs of
    those squared norms); ``Z -> ||L Z M||_F`` is ``||L||_2 ||M||_2 max std``-Lipschitz, so
    with probability ``>= 1 - exp(-x)`` it is below ``sqrt(E) + lipschitz sqrt(2 x)``
    (Gaussian concentration; ``lipschitz`` given as a log).
    """
    block = std.reshape(len(col), -1, len(row))
    top = float(np.max(block, initial=0.0))
    if top == 0.0:
        return -math.inf
    shift = float(max(np.max(col), np.max(row)))
    with np.errstate(under="ignore"):
        weights = np.exp(col - shift)[:, None, None] * np.exp(row - shift)[None, None, :]
        mean = float(np.sum((block / top) ** 2 * weights))
    log_mean = 0.5 * (math.log(mean) + 2 * shift) + math.log(top) if mean > 0 else -math.inf
    return float(np.logaddexp(log_mean, lipschitz + math.log(top) + 0.5 * math.log(2 * x)))


class LogNorms(NamedTuple):
    """Logs of the spectral and Frobenius norms of a family of matrices, arrays of one shape."""

    spectral: np.ndarray
    fro: np.ndarray


def _sandwich(
    left: LogNorms, right: LogNorms, middle_fro: np.ndarray, middle_2: np.ndarray
) -> np.ndarray:
    """``log`` of a bound on ``||L M R||_F`` from the logs of ``||L||``, ``||R||`` and
    ``||M||_F``, ``||M||_2`` (arrays of one shape): the least of the three placements."""
    with np.errstate(divide="ignore"):
        mf, m2 = np.log(middle_fro), np.log(middle_2)
    forms = [
        _ladd(_ladd(left.spectral, mf), right.spectral),
        _ladd(_ladd(left.spectral, m2), right.fro),
        _ladd(_ladd(left.fro, m2), right.spectral),
    ]
    return np.min(np.array(forms), axis=0)


def _linearised(inputs: LinearInputs, faces: InterfaceLogs) -> float:
    """Log of the first-order (linearised) error estimate.

    ``A_hat`` is multilinear in the fibres and smooth in the intersections; with
    ``L_k = G_0 ... G_k`` and ``M_k = X_k G_{k+1} ... G_{d-1}`` (the interfaces of
    :class:`InterfaceNorms`), perturbations ``Z`` of the samples move it by::

        fibre k:         L_{k-1} Z_k M_k
        intersection k:  L_k (dW) M_k + (second Tikhonov term, <= 1/4 of the first)

    (``dX = -X dW X + (W^T W + tau^2)^-1 dW^T (I - W X)``), and the regularisation itself
    (bias against the cross-exact tensor, whose intersections have singular values ``s``)
    by ``L_k U diag(s (1 - s x)) V^T M_k`` (:func:`_bias_values`, ``s`` observed: the noise
    inflates the unresolved tail, so this over-estimates it). Each ``||L Z M||_F`` is
    bounded by :func:`_sandwich` (and, with ``inputs.std``, by
    :func:`_gaussian_sandwich`); ``faces`` holds the logs of the interface norms (with the
    Gram diagonals when ``inputs.std`` is given).
    """
    zero = np.zeros(1)
    lf = LogNorms(np.concatenate([zero, faces.left]), np.concatenate([zero, faces.left_fro]))
    rf = LogNorms(np.append(faces.right, 0.0), np.append(faces.right_fro, 0.0))
    fibre = _sandwich(lf, rf, inputs.fibre_fro, inputs.fibre_2)
    li = LogNorms(faces.left, faces.left_fro)
    ri = LogNorms(faces.right, faces.right_fro)
    inter = _sandwich(li, ri, 1.25 * inputs.inter_fro, 1.25 * inputs.inter_2)
    if inputs.std is not None:  # Gaussian: expectation plus concentration, per block
        d = len(fibre)
        cols = [np.zeros(1)] + faces.left_diag
        rows = faces.right_diag + [np.zeros(1)]
        x = inputs.x
        for k in range(d):
            lip = float(lf.spectral[k] + rf.spectral[k])
            fibre[k] = min(fibre[k], _gaussian_sandwich(cols[k], rows[k], inputs.std[k], lip, x))
        for k in range(d - 1):
            lip = float(li.spectral[k] + ri.spectral[k])
            gauss = _gaussian_sandwich(cols[k + 1], rows[k], inputs.std[d + k], lip, x)
            inter[k] = min(inter[k], gauss + math.log(1.25))
    bias = _sandwich(li, ri, inputs.bias_fro, inputs.bias_2)
    return _lsum(np.concatenate([fibre, inter, bias]))
