"""MPO tomography by TT cross from local reductions (arXiv:2207.06397; method note, section 4).

With ``w = 2l + 1`` the window of the measurement design, the index sets are local:
``I_k`` = every Pauli string on qubits ``(k-l, k]`` (identity elsewhere on the left), ``J_k`` =
every string on ``(k, k+l]``. Then each fibre ``C_k(a, p, b) = X(a, p, b)`` is a string inside a
window of ``2l + 1`` qubits and each intersection ``W_k = X(I_k, J_k)`` a string inside ``2l``:
all are measured, and

    X_hat = C_0 W_0^+ C_1 W_1^+ ... W_{n-2}^+ C_{n-1}

is exact whenever rank ``W_k`` equals the bond dimension at every cut (``<= 4^l``).

Two ways to use the local unfoldings (``index_sets``):

- ``"all"`` (default): all ``4^l`` rows and columns, with a Tikhonov-regularised inverse
  ``s / (s^2 + tau_k^2)`` of each noise-whitened ``W_k`` (rows and columns scaled by the
  root-mean-square standard deviation of their entries, since a string of weight k is
  measured ``3^(w-k)`` times as often); ``tau_k`` is ``noise_scale`` times an estimate of the
  spectral norm of the whitened shot noise (entry variances ``(1 - x^2) / N``). Exact on exact
  data; least squares over every row and column averages the shot noise. Measured at n = 8
  (benchmarks/results/tomography_budget.md): whitening adds 0.002-0.007 to the fidelity.
- ``"maxvol"``: the paper's choice, ``r_k`` rows and columns picked by maxvol on the leading
  singular vectors of the measured ``W_k``, ``r_k`` the number of singular values above the
  noise (or ``max_rank``), with a plain pseudo-inverse.
"""

from __future__ import annotations

import dataclasses
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ttcross import TensorTrain, assemble_cross, maxvol
from ttcross.bounds import cross_error_bound
from ttcross.validation import check_int, check_memory, check_real

from .io import to_jsonable
from .lightcone import (
    LongRangeCorrelationWarning,
    WindowTooNarrowWarning,
    edge_correlation,
    saturated_cuts,
    window_warnings,
)
from .measure import ExactExpectations, MeasurementData
from .pauli import MAX_DENSE_QUBITS, pauli_to_dense
from .physical import PhysicalRepair, make_physical
from .state import PauliMPO

__all__ = [
    "reconstruct",
    "Reconstruction",
    "CutDiagnostics",
    "WindowTooNarrowWarning",
    "LongRangeCorrelationWarning",
]

INDEX_SETS = ("all", "maxvol")

#: ``nonidentity_weight`` of the rounding to ``max_rank`` (see PauliMPO.compress): a Frobenius
#: rounding of the Pauli tensor can destroy the trace (seen: depth 4, rank 4, trace -9e-5).
RANK_CAP_WEIGHT = 0.5
#: Largest n whose negativity is computed from the dense estimate.
DENSE_NEGATIVITY_QUBITS = 10
REGULARIZATIONS = ("tikhonov", "truncation")


@dataclass(frozen=True)
class CutDiagnostics:
    """Per cut ``k`` (between qubits k and k+1).

    Attributes
    ----------
    singular_values : ndarray
        Of the measured intersection matrix ``W_k``.
    noise_norm : float
        Estimated spectral norm of the shot noise on ``W_k`` (0 on exact data).
    regularization : float
        ``tau_k`` (Tikhonov, on the noise-whitened ``W_k``) or ``noise_scale * noise_norm``
        (truncation, the absolute cut-off on ``W_k``).
    rank_above_noise : int
        Singular values of ``W_k`` above ``noise_norm`` (above ``1e-10 s_max`` on exact data).
    effective_condition : float
        ``s_max * ||W_k^+||_2``: the amplification the regularised inverse applies.
    """

    singular_values: np.ndarray
    noise_norm: float
    regularization: float
    rank_above_noise: int
    effective_condition: float


@dataclass(frozen=True)
class Reconstruction:
    """Result of :func:`reconstruct`.

    Attributes
    ----------
    state : PauliMPO
        The estimate, trace 1 (Hermitian by construction, not always positive).
    ranks : tuple of int
        Its bond dimensions.
    index_sets : list of (ndarray, ndarray)
        Per cut, the local left strings (r, #sites) on qubits ``(k-l, k]`` and right strings on
        ``(k, k+l]`` used (Pauli indices, identity elsewhere).
    cuts : list of CutDiagnostics
    bound : object or None
        Error bound from :mod:`ttcross.bounds` on the Pauli tensor before normalisation.
    consistency : float
        Mean over all measured strings of (estimate - data)^2 / variance (about 1 when the
        model fits; relative Frobenius mismatch on exact data). All ``4^l`` sets interpolate
        nearly exactly, so this does not detect a window that is too narrow: see
        ``edge_correlation``.
    edge_correlation : float
        Connected correlations between qubits ``2l`` apart: ``max |C|`` on exact data, mean
        ``C^2 / var`` on measured data (about 1 for shot noise alone). Large values mean the
        light cone is wider than the window (a WindowTooNarrowWarning is issued).
    negativity : float or None
        Sum of |negative eigenvalues| of the estimate (dense, n <= 12), else of its worst
        ``w``-qubit marginal.
    repair : PhysicalRepair or None
        With ``repair=True``: the negativity, smallest eigenvalue and trace-norm distance of
        the projection onto states (``negativity`` then describes the repaired state).
    trace_before_normalization : float
        ``X_hat(0..0)`` before dividing by it.
    settings : int
        Settings used (``3^w``).
    total_shots : float
        Shots used (inf for exact data).
    window : int
    method : str
    seconds : float
    """

    state: PauliMPO
    ranks: tuple[int, ...]
    index_sets: list[tuple[np.ndarray, np.ndarray]]
    cuts: list[CutDiagnostics]
    bound: object | None
    consistency: float
    edge_correlation: float
    negativity: float | None
    repair: PhysicalRepair | None
    trace_before_normalization: float
    settings: int
    total_shots: float
    window: int
    method: str
    seconds: float
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """Everything but the state and the index sets, JSON-ready (the one serialisation of
        a reconstruction: the ``ttqst reconstruct`` report is built on it).

        Returns
        -------
        dict
            ``method``, ``window``, ``settings``, ``total_shots``, ``ranks``,
            ``trace_before_normalization``, ``cuts`` (per cut ``cut``, ``singular_values``,
            ``noise_norm``, ``regularization``, ``rank_above_noise``,
            ``effective_condition``), ``bound`` (``value``, ``relative``, ``probability``,
            ``form``, ``consistent``, ``violations``, ``rigorous``, ``reason``; or None),
            ``quality`` (``consistency``, ``edge_correlation``, ``negativity``, ``repair``),
            ``warnings`` and ``seconds``. Non-finite floats are the strings ``"inf"``,
            ``"-inf"``, ``"nan"``.
        """
        cuts = [
            {"cut": k, **{f.name: getattr(c, f.name) for f in dataclasses.fields(c)}}
            for k, c in enumerate(self.cuts)
        ]
        bound = None
        if self.bound is not None:
            bound = {name: getattr(self.bound, name) for name in _BOUND_SUMMARY}
        return to_jsonable(
            {
                "method": self.method,
                "window": self.window,
                "settings": self.settings,
                "total_shots": self.total_shots,
                "ranks": list(self.ranks),
                "trace_before_normalization": self.trace_before_normalization,
                "cuts": cuts,
                "bound": bound,
                "quality": {
                    "consistency": self.consistency,
                    "edge_correlation": self.edge_correlation,
                    "negativity": self.negativity,
                    "repair": self.repair,
                },
                "warnings": list(self.warnings),
                "seconds": self.seconds,
            }
        )


#: Fields of the error bound kept in :meth:`Reconstruction.to_dict`.
_BOUND_SUMMARY = (
    "value",
    "relative",
    "probability",
    "form",
    "consistent",
    "violations",
    "rigorous",
    "reason",
)


@dataclass(frozen=True)
class _LocalBlock:
    """Estimates of every string on qubits ``first..last`` (the fibre window of one site).

    ``mean`` and ``variance`` are (4,) * (last - first + 1), float64.
    """

    first: int
    last: int
    mean: np.ndarray
    variance: np.ndarray


@dataclass(frozen=True)
class _Options:
    """The checked options of :func:`reconstruct`; ``half`` is ``l`` of the window ``2l + 1``."""

    half: int
    max_rank: int | None
    index_sets: str
    regularization: str
    noise_scale: float


@dataclass(frozen=True)
class _CrossInputs:
    """What the cross formula and its bound take, cut out of the local blocks.

    Attributes
    ----------
    fibres : list of ndarray, each (r[k], 4, r'[k])
        ``C_k`` restricted to the chosen index sets.
    intersections : list of ndarray, each (r'[k], r[k+1])
        ``W_k`` likewise.
    fibre_std, intersection_std : list of ndarray
        Standard deviations of their entries, same shapes (zeros on exact data).
    index_sets : list of (ndarray, ndarray)
        Per cut, the local strings kept (see :attr:`Reconstruction.index_sets`).
    cuts : list of CutDiagnostics
        Without ``effective_condition`` (NaN until the cross is assembled).
    taus : list of float
        Tikhonov parameters per cut (0 for maxvol subsets).
    scales : list of (ndarray, ndarray) or None
        Row and column noise scales of each ``W_k`` (None for exact data or maxvol).
    """

    fibres: list[np.ndarray]
    intersections: list[np.ndarray]
    fibre_std: list[np.ndarray]
    intersection_std: list[np.ndarray]
    index_sets: list[tuple[np.ndarray, np.ndarray]]
    cuts: list[CutDiagnostics]
    taus: list[float]
    scales: list[tuple[np.ndarray, np.ndarray]] | None

    @property
    def exact(self) -> bool:
        """No entry carries noise (exact expectations)."""
        return not any(np.any(s) for s in (*self.fibre_std, *self.intersection_std))


def reconstruct(
    data: MeasurementData | ExactExpectations,
    *,
    window: int | None = None,
    max_rank: int | None = None,
    method: str = "cross",
    index_sets: str = "all",
    regularization: str = "tikhonov",
    noise_scale: float = 0.75,
    compute_bound: bool = True,
    repair: bool = False,
    progress: Callable[[int, int], object] | None = None,
) -> Reconstruction:
    """Reconstruct an n-qubit state as a Pauli MPO from local Pauli measurements.

    The first estimation stage: the cross estimate from the local reductions. The second,
    :func:`tomography.refine.refine`, fits it to every measured count of the same data
    (``refine(reconstruct(data).state, data)``) and returns a positive semidefinite state.

    Parameters
    ----------
    data : MeasurementData or ExactExpectations
        Counts of a :class:`~tomography.measure.MeasurementDesign` (or exact expectations).
    window : int, optional
        Odd width ``2l + 1`` of the fibres, at most the design's window (default: the design's
        window, or the largest odd width below it).
    max_rank : int, optional
        Cap on the bond dimension (default: chosen from the data, see ``index_sets``).
    method : {"cross"}
        Only the cross formula for now.
    index_sets : {"all", "maxvol"}
        - ``"all"``: every local string, regularised inverses (default; see module docstring).
        - ``"maxvol"``: maxvol-chosen subsets of size ``rank_above_noise`` (or ``max_rank``).
    regularization : {"tikhonov", "truncation"}
        - ``"tikhonov"``: ``1/s -> s / (s^2 + tau^2)``.
        - ``"truncation"``: singular values below ``tau`` dropped.
    noise_scale : float, default=0.75
        ``tau_k = noise_scale * ||noise on W_k||_2`` (estimated from the data).
    compute_bound : bool, default=True
        Compute the error bound of :mod:`ttcross.bounds`.
    repair : bool, default=False
        Make the estimate a state: normalise, take the dense matrix, project its eigenvalues
        onto the probability simplex (the nearest state in Frobenius norm; better than
        clipping negative eigenvalues and renormalising), and compress back to a Pauli MPO.
        Cost: one dense eigendecomposition, O(8^n) time and O(4^n) memory, so n <= 12; the
        bond dimension of the repaired state can grow. What it changed is in ``.repair``.
    progress : callable, optional
        Called as ``progress(done, total)`` with the number of sites whose local estimates are
        collected (most of the time at large n), before each site and once at the end; its
        return value is ignored.

    Returns
    -------
    Reconstruction

    Raises
    ------
    ValueError
        Unknown options, an even or too wide window, a non-positive reconstructed trace.

    Warns
    -----
    WindowTooNarrowWarning
        Qubits ``2l`` apart are still correlated and some intersection matrix has full rank
        ``4^l`` above the noise: the window likely misses the circuit's light cone (the
        message names the window to try).
    LongRangeCorrelationWarning
        Correlations reach the window's edge but no rank saturates: local data is reproduced,
        coherence beyond the window (GHZ-type) would be invisible.
    IllConditionedWarning
        An intersection's regularised inverse amplifies by more than 1e10 (number in the text).
    """
    started = time.perf_counter()
    options = _check_options(
        data, window, max_rank, method, index_sets, regularization, noise_scale
    )
    if _measured_whole(data):
        return _whole_chain(data, repair, started)
    blocks = _local_blocks(data, options.half, progress)
    cross = _cross_inputs(blocks, options)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tt, cuts = _assemble(cross, options)
    state, trace = _normalize(tt, options.max_rank)
    repair_info = None
    if repair:
        state, repair_info = _repair(state)
    bound = None
    if compute_bound and options.regularization == "tikhonov":
        bound = _bound(cross)
    edge = edge_correlation(blocks, options.half)
    found = [(w.category, str(w.message)) for w in caught]
    found += window_warnings(
        edge, saturated_cuts([c.rank_above_noise for c in cuts], options.half), data, options.half
    )
    for category, text in found:
        warnings.warn(text, category, stacklevel=2)
    return Reconstruction(
        state=state,
        ranks=state.bond_dims,
        index_sets=cross.index_sets,
        cuts=cuts,
        bound=bound,
        consistency=_consistency(state, blocks),
        edge_correlation=edge,
        negativity=_negativity(state, 2 * options.half + 1),
        repair=repair_info,
        trace_before_normalization=trace,
        settings=data.design.n_settings,
        total_shots=float(data.total_shots),
        window=2 * options.half + 1,
        method=f"cross/{options.index_sets}/{options.regularization}",
        seconds=time.perf_counter() - started,
        warnings=[text for _, text in found],
    )


# ---------------------------------------------------------------------- steps, in order
def _check_options(
    data, window, max_rank, method, index_sets, regularization, noise_scale
) -> _Options:
    """Validate :func:`reconstruct`'s arguments (messages name the argument)."""
    if not isinstance(data, (MeasurementData, ExactExpectations)):
        raise TypeError(
            f"`data` must be MeasurementData or ExactExpectations, got {type(data).__name__}"
        )
    if method != "cross":
        raise ValueError(f"unknown method {method!r}; valid: 'cross'")
    if index_sets not in INDEX_SETS:
        raise ValueError(f"unknown index_sets {index_sets!r}; valid: {', '.join(INDEX_SETS)}")
    if regularization not in REGULARIZATIONS:
        raise ValueError(
            f"unknown regularization {regularization!r}; valid: {', '.join(REGULARIZATIONS)}"
        )
    return _Options(
        half=_half_window(data, window),
        max_rank=None if max_rank is None else check_int(max_rank, "max_rank", minimum=1),
        index_sets=index_sets,
        regularization=regularization,
        noise_scale=check_real(noise_scale, "noise_scale", minimum=0.0),
    )


def _local_blocks(data, half: int, progress) -> list[_LocalBlock]:
    """Step 1: the estimates of every string in each site's fibre window (most of the time
    at large n), reported to ``progress(done, n)``."""
    n = data.n
    check_memory(
        n * 4 ** (2 * half + 1) * 16,
        f"the local estimates of {n} qubits for window {2 * half + 1} (4^w means and "
        "variances per qubit)",
        "lower the window",
    )
    blocks = []
    for k in range(n):
        if progress is not None:
            progress(k, n)
        first, last = max(0, k - half), min(n - 1, k + half)
        est = data.window_estimates(first, last - first + 1)
        blocks.append(_LocalBlock(first, last, est.mean, est.variance))
    if progress is not None:
        progress(n, n)
    return blocks


def _assemble(cross: _CrossInputs, options: _Options) -> tuple[TensorTrain, list[CutDiagnostics]]:
    """Step 3: the cross formula ``C_0 W_0^+ C_1 ...`` with each cut's regularised inverse;
    the cut diagnostics completed with the inverse's effective condition number."""
    if options.regularization == "tikhonov":
        tt, infos = assemble_cross(
            cross.fibres, cross.intersections, tau=cross.taus, rcond=1e-10, scales=cross.scales
        )
    else:  # hard cut at tau_k, as a per-cut relative cut-off (at least 1e-10, as above)
        rconds = [
            max(options.noise_scale * c.noise_norm / max(c.singular_values[0], 1e-300), 1e-10)
            for c in cross.cuts
        ]
        tt, infos = assemble_cross(cross.fibres, cross.intersections, rcond=rconds)
    cuts = [
        dataclasses.replace(c, effective_condition=info.effective_condition)
        for c, info in zip(cross.cuts, infos, strict=True)
    ]
    return tt, cuts


def _normalize(tt: TensorTrain, max_rank: int | None) -> tuple[PauliMPO, float]:
    """Step 4: divide by the trace ``X_hat(0..0)`` and round (to ``max_rank``); returns the
    state and the trace before normalising."""
    trace = float(tt.contract_modes({k: np.eye(4)[0] for k in range(tt.ndim)}))
    if not trace > 0:
        raise ValueError(
            f"the reconstructed trace X(0..0) is {trace:.3g}, not positive: the data does not "
            "determine a state (too few shots, or a window narrower than the light cone)"
        )
    state = PauliMPO(tt / trace).compress(1e-10, max_rank, nonidentity_weight=RANK_CAP_WEIGHT)
    if max_rank is not None:  # a capped rank changes the trace a little
        state = state.normalized()
    return state, trace


def _half_window(data, window: int | None) -> int:
    """``l`` of the fibre window ``2l + 1``: odd, at least 3 (for n > 1) and at most the
    design's window; the messages say the largest window the design allows."""
    design_window = data.design.window
    if _measured_whole(data):
        if window is not None and window > design_window:
            raise ValueError(
                f"`window == {window}` exceeds the design's window {design_window}: strings "
                f"that wide were not measured; {data.n} qubit(s) measured whole are "
                "estimated directly (leave `window` out)"
            )
        if window not in (None, data.n):
            raise ValueError(
                f"`window == {window}`: {data.n} qubit(s) measured with window {data.n} are "
                f"estimated directly, as a whole; leave `window` out (or give {data.n})"
            )
        return 0
    largest = design_window if design_window % 2 else design_window - 1
    if largest >= 3:
        allowed = f"the largest window the design allows is {largest}"
    else:
        allowed = (
            f"a design of window {design_window} ({data.n} qubits) allows none: the cross "
            "needs a window of at least 3 (2 qubits are estimated directly when measured "
            "with window 2)"
        )
    if window is None:
        window = largest
    window = check_int(window, "window", minimum=1)
    if window > design_window:
        raise ValueError(
            f"`window == {window}` exceeds the design's window {design_window}: strings that "
            f"wide were not measured; {allowed}"
        )
    if window % 2 == 0:
        raise ValueError(f"`window == {window}` must be odd (2l + 1); try {window - 1}")
    if window < 3 and data.n > 1:
        raise ValueError(
            f"`window == {window}` must be at least 3 (l >= 1) to couple neighbouring qubits; "
            f"{allowed}"
        )
    return (window - 1) // 2


def _intersection(blocks: list[_LocalBlock], k: int, half: int) -> tuple[np.ndarray, np.ndarray]:
    """``W_k`` and its entry variances, cut out of the next site's block (identity on its
    last qubit when that qubit lies beyond ``k + l``)."""
    nxt = blocks[k + 1]
    mean, var = nxt.mean, nxt.variance
    last = nxt.last
    if last > k + half:
        mean, var, last = mean[..., 0], var[..., 0], last - 1
    rows = 4 ** (k + 1 - nxt.first)
    return mean.reshape(rows, -1), var.reshape(rows, -1)


def _noise_norm(variance: np.ndarray) -> float:
    """Spectral-norm estimate of a matrix of independent noise with entry variances ``v``:
    ``max_i sqrt(sum_j v_ij) + max_j sqrt(sum_i v_ij)`` (exact order for i.i.d. entries)."""
    return float(np.sqrt(variance.sum(axis=1).max()) + np.sqrt(variance.sum(axis=0).max()))


def _cross_inputs(blocks: list[_LocalBlock], options: _Options) -> _CrossInputs:
    """Step 2: per cut, the intersection ``W_k``, its noise level and regularisation, and the
    index sets (all local strings, or maxvol subsets); fibres cut to the same sets."""
    n, half = len(blocks), options.half
    rows_kept, cols_kept, intersections, inter_std, cuts, taus, scales = [], [], [], [], [], [], []
    for k in range(n - 1):
        w, var = _intersection(blocks, k, half)
        cut, scale = _cut_noise(w, var, options.noise_scale)
        rows, cols = _index_set(w, cut.rank_above_noise, options)
        rows_kept.append(rows)
        cols_kept.append(cols)
        intersections.append(w[np.ix_(rows, cols)])
        inter_std.append(np.sqrt(var[np.ix_(rows, cols)]))
        cuts.append(cut)
        taus.append(cut.regularization if options.index_sets == "all" else 0.0)
        scales.append(scale)
    fibres, fibre_std = [], []
    for k, b in enumerate(blocks):
        shape = (4 ** (k - b.first), 4, 4 ** (b.last - k))
        left = rows_kept[k - 1] if k > 0 else slice(None)
        right = cols_kept[k] if k < n - 1 else slice(None)
        fibres.append(b.mean.reshape(shape)[left][:, :, right])
        fibre_std.append(np.sqrt(b.variance).reshape(shape)[left][:, :, right])
    sets = [
        (
            _local_strings(rows_kept[k], k + 1 - max(0, k + 1 - half)),
            _local_strings(cols_kept[k], min(n - 1, k + half) - k),
        )
        for k in range(n - 1)
    ]
    whitened = options.index_sets == "all" and all(x is not None for x in scales)
    return _CrossInputs(
        fibres=fibres,
        intersections=intersections,
        fibre_std=fibre_std,
        intersection_std=inter_std,
        index_sets=sets,
        cuts=cuts,
        taus=taus,
        scales=scales if whitened else None,
    )


def _cut_noise(
    w: np.ndarray, variance: np.ndarray, noise_scale: float
) -> tuple[CutDiagnostics, tuple[np.ndarray, np.ndarray] | None]:
    """Singular values, noise norm, Tikhonov ``tau`` (on the whitened ``W_k``) and rank above
    the noise of one intersection (``effective_condition`` NaN until assembled), and its
    whitening scales (None on exact data)."""
    s = np.linalg.svd(w, compute_uv=False)
    noise = _noise_norm(variance)
    floor = noise if noise > 0 else 1e-10 * s[0]
    above = max(1, int(np.count_nonzero(s > floor)))
    scale = _noise_scales(variance)
    whitened = variance if scale is None else variance / np.outer(*scale) ** 2
    tau = noise_scale * _noise_norm(whitened)
    return CutDiagnostics(s, noise, tau, above, np.nan), scale


def _index_set(w: np.ndarray, rank: int, options: _Options) -> tuple[np.ndarray, np.ndarray]:
    """Sorted rows and columns of ``W_k`` kept: all of them, or ``min(max_rank or rank, .)``
    chosen by maxvol on its leading singular vectors."""
    if options.index_sets != "maxvol":
        return np.arange(w.shape[0]), np.arange(w.shape[1])
    r = min(options.max_rank or rank, min(w.shape))
    u, _, vh = np.linalg.svd(w)
    rows, _ = maxvol(u[:, :r])
    cols, _ = maxvol(vh[:r].T)
    return np.sort(rows), np.sort(cols)


def _noise_scales(variance: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Row and column scales ``a, b`` with ``variance ~ (a_i b_j)^2`` (root-mean-square of the
    entry variances along each row and column, normalised so that the whitened variances
    average 1); None for exact data.

    The shot noise of a string of weight k has variance about ``3^k / N``: separable over the
    left and right halves, so ``diag(1/a) W diag(1/b)`` has nearly i.i.d. noise.
    """
    a = np.sqrt(variance.mean(axis=1))
    b = np.sqrt(variance.mean(axis=0))
    if not (np.any(a > 0) and np.any(b > 0)):
        return None
    a = np.where(a > 0, a, a[a > 0].min())
    b = np.where(b > 0, b, b[b > 0].min())
    unit = np.sqrt(np.sqrt(np.mean(variance / np.outer(a, b) ** 2)))  # whitened variance ~ 1
    return a * unit, b * unit


def _local_strings(flat: np.ndarray, n_sites: int) -> np.ndarray:
    """Flat base-4 indices (C order) -> Pauli digits (r, n_sites)."""
    return np.stack(np.unravel_index(flat, (4,) * n_sites), axis=1) if n_sites else flat[:, None]


def _measured_whole(data) -> bool:
    """A chain too short for the cross (1 qubit, or 2) whose design measures it whole."""
    return data.n <= 2 and data.design.window >= data.n


def _whole_chain(data, repair: bool, started: float) -> Reconstruction:
    """n <= 2 measured whole: every Pauli string is estimated directly (no cross, no cut)."""
    est = data.window_estimates(0, data.n)
    state = PauliMPO(TensorTrain.from_dense(est.mean))
    trace = float(est.mean.flat[0])
    repair_info = None
    if repair:
        state, repair_info = _repair(state)
    return Reconstruction(
        state=state,
        ranks=state.bond_dims,
        index_sets=[],
        cuts=[],
        bound=None,
        consistency=0.0,
        edge_correlation=0.0,
        negativity=_negativity(state, data.n),
        repair=repair_info,
        trace_before_normalization=trace,
        settings=data.design.n_settings,
        total_shots=float(data.total_shots),
        window=data.n,
        method="direct",
        seconds=time.perf_counter() - started,
    )


def _repair(state: PauliMPO) -> tuple[PauliMPO, PhysicalRepair]:
    """Projection onto states (see ``reconstruct(repair=True)``)."""
    if state.n > MAX_DENSE_QUBITS:
        raise ValueError(
            f"repair=True needs the dense {2**state.n} x {2**state.n} matrix: n <= "
            f"{MAX_DENSE_QUBITS}, got n = {state.n}; the unrepaired estimate and its negativity "
            "are available without it"
        )
    rho, info = make_physical(state)
    return PauliMPO.from_dense(rho, tol=1e-12), info


def _bound(cross: _CrossInputs):
    """ttcross.bounds on ||X - X_hat||_F of the Pauli tensor before normalisation.

    Bounds the cross that was assembled (same ``tau`` and noise-whitening ``scales``). Where
    the shot noise reaches singular values the Tikhonov inverse keeps, the rigorous bound is
    not resolved and the value is the linearised estimate (``bound.rigorous`` False,
    ``bound.reason`` says why; see ``cross_error_bound(unresolved="estimate")``).
    """
    exact = cross.exact
    return cross_error_bound(
        cross.fibres,
        cross.intersections,
        tau=None if exact else cross.taus,
        rcond=1e-10,
        noise_std=None if exact else (cross.fibre_std, cross.intersection_std),
        scales=None if exact else cross.scales,
        unresolved="estimate",
    )


def _consistency(state: PauliMPO, blocks: list[_LocalBlock]) -> float:
    """Mismatch between the estimate's local Pauli coefficients and the data (see
    Reconstruction.consistency)."""
    local = state.local_tensors([(b.first, b.last) for b in blocks])
    chi2, count, diff2, norm2 = 0.0, 0, 0.0, 0.0
    for est, b in zip(local, blocks, strict=True):
        diff = est - b.mean
        positive = b.variance > 0
        chi2 += float(np.sum(diff[positive] ** 2 / b.variance[positive]))
        count += int(np.count_nonzero(positive))
        diff2 += float(np.sum(diff**2))
        norm2 += float(np.sum(b.mean**2))
    return chi2 / count if count else float(np.sqrt(diff2 / norm2))


def _negativity(state: PauliMPO, width: int) -> float:
    """Sum of |negative eigenvalues|: of the whole state for n <= 10, else the largest over
    the ``width``-qubit marginals."""
    if state.n <= DENSE_NEGATIVITY_QUBITS:
        eig = np.linalg.eigvalsh(state.to_dense())
        return max(0.0, float(-eig[eig < 0].sum()))  # 0.0, not -0.0, when none is negative
    width = min(width, state.n)
    worst = 0.0
    spans = [(a, a + width - 1) for a in range(state.n - width + 1)]
    for local in state.local_tensors(spans):
        eig = np.linalg.eigvalsh(pauli_to_dense(local))
        worst = max(worst, float(-eig[eig < 0].sum()))
    return worst
