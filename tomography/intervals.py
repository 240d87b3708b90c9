"""Bootstrap confidence intervals from replica values (array layer of :mod:`tomography.bootstrap`).

Given the point estimate ``t`` of a statistic on the data and its values ``t*_1..t*_R`` on
``R`` bootstrap replicas, three intervals at confidence ``1 - alpha``:

- **percentile**: the ``alpha/2`` and ``1 - alpha/2`` quantiles of ``t*``;
- **basic** (also "reverse percentile"): ``2t - q(1 - alpha/2), 2t - q(alpha/2)``: corrects a
  shift of the replica distribution relative to ``t`` (a biased estimator whose bias the
  bootstrap reproduces);
- **bias-corrected percentile, BC** (Efron, "Nonparametric standard errors and confidence
  intervals", Can. J. Stat. 9 (1981); Efron 1982, SIAM monograph, ch. 10): with
  ``z0 = Phi^-1(#{t* < t} / R)`` (ties counted half), the quantiles at
  ``Phi(2 z0 + z_{alpha/2})`` and ``Phi(2 z0 + z_{1-alpha/2})``. It is BCa (Efron 1987) with
  acceleration ``a = 0``.

Why BC and not BCa: BCa's acceleration is usually estimated by a jackknife over the
independent units of the data. Here the units are the measurement settings, and every
setting of a design is needed (a reconstruction without one of them is not defined: its
window strings would be missing), so a delete-one-setting jackknife does not exist; a
jackknife over shots would cost one reconstruction per shot. BC keeps the median-bias
correction, which is the part that matters for a biased estimator such as a fidelity near 1,
at no extra cost.

``z0`` is clipped to the quantiles ``1/(2R)`` and ``1 - 1/(2R)`` when every replica lies on one
side of ``t`` (``z0`` would be infinite); the interval is then an end of the replica range.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import ndtr, ndtri

from ttcross.validation import check_real

__all__ = ["INTERVAL_KINDS", "StatisticSummary", "summarize_replicas"]

INTERVAL_KINDS = ("percentile", "bias_corrected", "basic")
"""Interval kinds of :class:`StatisticSummary`, in the order they are printed."""


@dataclass(frozen=True, eq=False)
class StatisticSummary:
    """One statistic's bootstrap: point estimate, spread, bias and intervals.

    Attributes
    ----------
    name : str
    point : float
        The statistic on the estimate from the original data.
    values : ndarray, shape (R_ok,), float64
        Its value on each successful replica, in replica order.
    standard_error : float
        Standard deviation of ``values`` (``ddof=1``).
    bias : float
        ``mean(values) - point``: the bootstrap estimate of the estimator's bias.
    confidence : float
        Nominal coverage of the intervals, e.g. 0.95.
    percentile, bias_corrected, basic : tuple of float
        ``(low, high)`` of each interval kind (see the module docstring).
    z0 : float
        Bias-correction constant of the BC interval, ``Phi^-1`` of the fraction of replicas
        below ``point`` (after clipping).
    clipped : bool
        Every replica fell on one side of ``point``: ``z0`` was clipped and the BC interval
        shrinks to an end of the replica range. The bootstrap then sees a shift larger than
        its spread; the basic interval, which moves by that shift, is the one to read.
    """

    name: str
    point: float
    values: np.ndarray
    standard_error: float
    bias: float
    confidence: float
    percentile: tuple[float, float]
    bias_corrected: tuple[float, float]
    basic: tuple[float, float]
    z0: float
    clipped: bool = False

    def __post_init__(self):
        values = np.array(self.values, dtype=np.float64, copy=True)
        values.flags.writeable = False
        object.__setattr__(self, "values", values)

    def interval(self, kind: str = "bias_corrected") -> tuple[float, float]:
        """The ``(low, high)`` of one kind in :data:`INTERVAL_KINDS`."""
        if kind not in INTERVAL_KINDS:
            raise ValueError(f"unknown interval kind {kind!r}; expected one of {INTERVAL_KINDS}")
        return getattr(self, kind)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (``values`` as a list)."""
        return {
            "name": self.name,
            "point": self.point,
            "standard_error": self.standard_error,
            "bias": self.bias,
            "confidence": self.confidence,
            "percentile": list(self.percentile),
            "bias_corrected": list(self.bias_corrected),
            "basic": list(self.basic),
            "z0": self.z0,
            "clipped": self.clipped,
            "values": self.values.tolist(),
        }


def summarize_replicas(
    name: str, point: float, values: np.ndarray, *, confidence: float = 0.95
) -> StatisticSummary:
    """Standard error, bias and the three intervals of one statistic.

    Parameters
    ----------
    name : str
        The statistic's name (for messages and reports).
    point : float
        Its value on the original data, finite.
    values : array_like, shape (R,), float
        Its finite values on R >= 2 replicas.
    confidence : float, default=0.95
        Nominal coverage, in (0, 1).

    Returns
    -------
    StatisticSummary

    Raises
    ------
    ValueError
        Fewer than 2 values, non-finite input, or ``confidence`` outside (0, 1).
    """
    confidence = check_real(confidence, "confidence", minimum=0.0)
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"`confidence == {confidence}`, must be in (0, 1), e.g. 0.95")
    values = np.asarray(values, dtype=np.float64).ravel()
    if values.size < 2 or not np.all(np.isfinite(values)) or not np.isfinite(point):
        raise ValueError(
            f"statistic {name!r}: need a finite point and >= 2 finite replica values, got "
            f"point {point!r} and {values.size} values ({np.isfinite(values).sum()} finite)"
        )
    alpha = 1.0 - confidence
    levels = np.array([alpha / 2.0, 1.0 - alpha / 2.0])
    low, high = np.quantile(values, levels)
    z0, clipped = _bias_constant(values, float(point))
    bc_low, bc_high = np.quantile(values, ndtr(2.0 * z0 + ndtri(levels)))
    return StatisticSummary(
        name=name,
        point=float(point),
        values=values,
        standard_error=float(np.std(values, ddof=1)),
        bias=float(values.mean() - point),
        confidence=confidence,
        percentile=(float(low), float(high)),
        bias_corrected=(float(bc_low), float(bc_high)),
        basic=(float(2.0 * point - high), float(2.0 * point - low)),
        z0=z0,
        clipped=clipped,
    )


def _bias_constant(values: np.ndarray, point: float) -> tuple[float, bool]:
    """``Phi^-1`` of the fraction of replicas below ``point`` (ties count half), clipped;
    and whether it was clipped."""
    size = values.size
    below = float(np.sum(values < point) + 0.5 * np.sum(values == point))
    fraction = np.clip(below / size, 0.5 / size, 1.0 - 0.5 / size)
    return float(ndtri(fraction)), bool(fraction != below / size)
