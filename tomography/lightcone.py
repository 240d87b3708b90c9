"""Is the window wide enough? Light-cone checks of a cross reconstruction.

In a circuit of depth D from a product state, qubits more than about 2D apart are
uncorrelated. :func:`edge_correlation` measures the connected correlations left between the
two end qubits of every full window; :func:`saturated_cuts` finds the intersections whose rank
above the noise is the full ``4^l``; :func:`window_warnings` turns the two into
:class:`WindowTooNarrowWarning` (the cross formula is unstable: measure or reconstruct with a
wider window) or :class:`LongRangeCorrelationWarning` (GHZ-type coherence, invisible to local
data). :func:`tomography.reconstruct.reconstruct` issues them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from .measure import ExactExpectations

__all__ = [
    "WindowTooNarrowWarning",
    "LongRangeCorrelationWarning",
    "LocalEstimates",
    "EDGE_LIMIT_EXACT",
    "EDGE_LIMIT_NOISY",
    "edge_correlation",
    "saturated_cuts",
    "window_warnings",
]

#: Edge correlation (see :func:`edge_correlation`) above which the window is reported too narrow.
EDGE_LIMIT_EXACT = 1e-8
EDGE_LIMIT_NOISY = 2.0


class LocalEstimates(Protocol):
    """The estimates of every Pauli string on qubits ``first..last``: ``mean`` and
    ``variance``, each (4,) * (last - first + 1), float64."""

    first: int
    last: int
    mean: np.ndarray
    variance: np.ndarray


class WindowTooNarrowWarning(UserWarning):
    """Correlations reach the window's edge and the intersection ranks saturate at ``4^l``:
    the window likely misses the circuit's light cone and the cross formula is unstable."""


class LongRangeCorrelationWarning(UserWarning):
    """Correlations reach the window's edge with unsaturated ranks: local data is reproduced,
    but coherence beyond the window (GHZ-type) is invisible to it."""


def saturated_cuts(ranks: Sequence[int], half: int) -> list[int]:
    """Cuts whose intersection rank above the noise is the full ``4^l``.

    ``ranks[k]`` is the rank above the noise of cut ``k`` (between qubits k and k+1). A cut
    with at most ``l`` qubits on one side has rank <= 4^l anyway: saturation there is the
    unfolding's full rank, resolved exactly, not a sign of a narrow window.
    """
    n = len(ranks) + 1
    return [k for k, rank in enumerate(ranks) if rank == 4**half and min(k + 1, n - k - 1) > half]


def edge_correlation(blocks: Sequence[LocalEstimates], half: int) -> float:
    """Connected two-point correlations between the two end qubits of every full window.

    In a circuit of depth D from a product state, qubits more than about 2D apart are
    uncorrelated; correlations left at the window's full width (2l) mean the light cone is
    wider than the window. Returns ``max |C|`` on exact data, else the mean of ``C^2 / var``
    over all pairs (about 1 when the correlations are shot noise only).
    """
    values, scores = [], []
    for b in blocks:
        if b.last - b.first != 2 * half:
            continue
        middle = (0,) * (2 * half - 1)
        joint = b.mean[(slice(1, 4), *middle, slice(1, 4))]
        left = b.mean[(slice(1, 4), *middle, 0)]
        right = b.mean[(0, *middle, slice(1, 4))]
        connected = joint - np.outer(left, right)
        variance = b.variance[(slice(1, 4), *middle, slice(1, 4))]
        values.append(np.abs(connected).max())
        if np.all(variance > 0):
            scores.append(np.mean(connected**2 / variance))
    if not values:
        return 0.0
    return float(np.mean(scores)) if scores else float(np.max(values))


def window_warnings(edge: float, saturated: list[int], data, half: int) -> list[tuple]:
    """Warnings when correlations reach the window's edge (see edge_correlation).

    Edge correlations with a saturated intersection rank (``rank W_k = 4^l`` above the noise)
    mean the bond dimension likely exceeds what the window resolves: the cross formula is then
    unstable (WindowTooNarrowWarning). Edge correlations alone (classical mixtures, GHZ-type
    states) are reported as LongRangeCorrelationWarning: local data cannot see coherence beyond
    the window, so such a state may not be determined by it.
    """
    n = data.n
    exact = isinstance(data, ExactExpectations)
    limit = EDGE_LIMIT_EXACT if exact else EDGE_LIMIT_NOISY
    if edge <= limit or 2 * half + 1 >= n:  # a window over the whole chain sees everything
        return []
    window = 2 * half + 1
    what = "max |connected correlation|" if exact else "mean chi^2 of connected correlations"
    observed = (
        f"qubits {2 * half} apart (the window's full width) are still correlated ({what} "
        f"{edge:.3g}, expected <= {limit:g})"
    )
    if not saturated:
        return [
            (
                LongRangeCorrelationWarning,
                f"{observed}, while every intersection matrix has rank below {4**half}: the "
                "estimate reproduces all local data, but coherence beyond the window (GHZ-type "
                "states) is invisible to local measurements and not recovered",
            )
        ]
    if window + 2 <= data.design.window:
        suggestion = f"reconstruct with window={window + 2}"
    elif window + 2 <= n:
        suggestion = f"measure with MeasurementDesign(n={n}, window={window + 2}) or wider"
    else:  # no wider odd window fits in n qubits
        suggestion = (
            f"no odd window wider than {window} fits in {n} qubits: the state is not "
            "determined by its local reductions (a light cone as wide as the chain, or "
            "GHZ-type long-range coherence)"
        )
    cuts = ", ".join(map(str, saturated[:8])) + (" ..." if len(saturated) > 8 else "")
    return [
        (
            WindowTooNarrowWarning,
            f"{observed} and the intersection matrices at cuts {cuts} have full rank "
            f"{4**half} above the noise: the circuit's light cone is likely wider than the window "
            f"{window} (exact recovery of a depth-D brickwork needs window >= 2D + 1), which "
            f"makes the cross formula unstable, not merely biased; {suggestion}",
        )
    ]
