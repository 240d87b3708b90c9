"""How sure am I? Bootstrap confidence intervals for any statistic of a reconstruction.

:func:`bootstrap` repeats the whole estimation pipeline (cross, or cross + refinement) on
``R`` data sets resampled from the measured one and reports, for every statistic (target
fidelity, fidelity to a state, Pauli expectations and energies, purity, local fidelities,
any callable), the point estimate, the standard error, the bias and three 95% intervals
(:mod:`tomography.intervals`: percentile, bias-corrected percentile BC, basic)::

    from tomography.bootstrap import CrossEstimator, bootstrap
    from tomography.statistics import Expectation, TargetFidelity

    result = bootstrap(data, CrossEstimator(), {"F": TargetFidelity(circuit),
                                                "ZZ": Expectation("ZZII")}, seed=1)
    print(result.summary())

Resampling (``method``):

- ``"counts"`` (nonparametric, as qiskit-experiments does): every setting's shots are redrawn
  from its observed outcome frequencies, a multinomial with that setting's total;
- ``"model"`` (parametric): every setting's shots are drawn from the point estimate's own
  outcome probabilities (:meth:`PauliMPO.sample_bits`), with the data's readout assignment
  applied to the draws and carried into the replica, so mitigation works as on the data.

Replica ``r`` gets the seed ``SeedSequence(seed).spawn(replicas)[r]``, split into one seed for
the resampling and one for the estimator, so the numbers do not depend on the order in which
replicas run, nor on the executor (serial, or one Dask task per replica).
"""

from __future__ import annotations

import contextlib
import inspect
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ttcross.validation import check_int, check_real

from .intervals import INTERVAL_KINDS, StatisticSummary, summarize_replicas
from .measure import ExactExpectations, MeasurementData
from .state import PauliMPO

__all__ = [
    "RESAMPLING_METHODS",
    "BootstrapResult",
    "CrossEstimator",
    "RefinedEstimator",
    "ReplicaFailure",
    "bootstrap",
    "compressed",
    "resample",
    "run_replica",
]

RESAMPLING_METHODS = ("counts", "model")
"""Values of ``bootstrap(method=...)``."""


# ---------------------------------------------------------------------- estimators
def _checked_options(options: Mapping[str, Any], function: Callable, what: str) -> dict:
    """``options`` as a dict, every name a keyword of ``function`` (misspellings fail here)."""
    allowed = set(inspect.signature(function).parameters) - {"progress", "state", "data"}
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise TypeError(f"unknown {what} option(s) {unknown}; expected some of {sorted(allowed)}")
    return dict(options)


@dataclass(frozen=True, init=False)
class CrossEstimator:
    """The cross estimate, ``reconstruct(data, **options).state``, as a bootstrap estimator.

    Parameters
    ----------
    **options
        Keyword options of :func:`tomography.reconstruct.reconstruct`; ``compute_bound``
        defaults to False here (replicas do not need the bound).
    """

    options: dict

    def __init__(self, **options: Any):
        from .reconstruct import reconstruct

        merged = {"compute_bound": False, **options}
        object.__setattr__(self, "options", _checked_options(merged, reconstruct, "reconstruct"))

    def __call__(self, data: MeasurementData, seed: Any = None) -> PauliMPO:
        from .reconstruct import reconstruct

        return reconstruct(data, **self.options).state


@dataclass(frozen=True)
class RefinedEstimator:
    """Cross estimate then refinement, ``refine(reconstruct(data).state, data).state``.

    Parameters
    ----------
    reconstruct_options : dict, optional
        Options of :func:`tomography.reconstruct.reconstruct` (``compute_bound`` False by
        default).
    refine_options : dict, optional
        Options of :func:`tomography.refine.refine` other than ``seed``, which comes from the
        replica's seed.
    """

    reconstruct_options: dict = field(default_factory=dict)
    refine_options: dict = field(default_factory=dict)

    def __post_init__(self):
        from .reconstruct import reconstruct
        from .refine import refine

        merged = {"compute_bound": False, **dict(self.reconstruct_options)}
        object.__setattr__(
            self, "reconstruct_options", _checked_options(merged, reconstruct, "reconstruct")
        )
        options = _checked_options(dict(self.refine_options), refine, "refine")
        if "seed" in options:
            raise TypeError("refine_options must not hold `seed`: it comes from bootstrap's seed")
        object.__setattr__(self, "refine_options", options)

    def __call__(self, data: MeasurementData, seed: Any = None) -> PauliMPO:
        from .reconstruct import reconstruct
        from .refine import refine

        start = reconstruct(data, **self.reconstruct_options).state
        return refine(start, data, seed=seed, **self.refine_options).state


# ---------------------------------------------------------------------- results
@dataclass(frozen=True)
class ReplicaFailure:
    """A replica that did not give a value: its index and the exception."""

    index: int
    error_type: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {"index": self.index, "error_type": self.error_type, "message": self.message}


@dataclass(frozen=True, eq=False)
class BootstrapResult:
    """What :func:`bootstrap` found.

    Attributes
    ----------
    statistics : dict of str to StatisticSummary
        Per statistic: ``point``, ``standard_error``, ``bias``, the ``percentile``,
        ``bias_corrected`` (BC) and ``basic`` intervals, the replica ``values``. Also
        reachable as ``result[name]``.
    indices : ndarray, shape (R_ok,), int64
        Index of each successful replica (the order of every ``values`` array).
    failed : list of ReplicaFailure
    replicas : int
        Replicas asked for (successful + failed).
    method : str
        ``"counts"`` or ``"model"``.
    confidence : float
    seed_entropy : int
        Entropy of the root ``SeedSequence``: passing it as ``seed`` repeats the result.
    seconds : float
        Wall time of the call.
    """

    statistics: dict[str, StatisticSummary]
    indices: np.ndarray
    failed: list[ReplicaFailure]
    replicas: int
    method: str
    confidence: float
    seed_entropy: int
    seconds: float

    def __getitem__(self, name: str) -> StatisticSummary:
        return self.statistics[name]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "replicas": self.replicas,
            "succeeded": int(self.indices.size),
            "method": self.method,
            "confidence": self.confidence,
            "seed_entropy": str(self.seed_entropy),
            "seconds": self.seconds,
            "statistics": {k: v.to_dict() for k, v in self.statistics.items()},
            "failed": [f.to_dict() for f in self.failed],
        }

    def summary(self) -> str:
        """A text table: one row per statistic, point, standard error, bias, intervals."""
        level = f"{100 * self.confidence:g}%"
        width = max(9, *(len(k) for k in self.statistics))
        head = f"{'statistic':<{width}}  {'point':>10}  {'std err':>9}  {'bias':>10}"
        head += "".join(f"  {kind + ' ' + level:>27}" for kind in INTERVAL_KINDS)
        lines = [head]
        for name, s in self.statistics.items():
            row = f"{name:<{width}}  {s.point:>10.6f}  {s.standard_error:>9.2e}  {s.bias:>10.2e}"
            row += "*" if s.clipped else " "
            row += "".join(
                f"  [{lo:>11.6f}, {hi:>11.6f}]" for lo, hi in map(s.interval, INTERVAL_KINDS)
            )
            lines.append(row)
        if any(s.clipped for s in self.statistics.values()):
            lines.append("* every replica on one side of the point: BC degenerate, read basic")
        lines.append(
            f"{self.indices.size} of {self.replicas} replicas ({self.method} resampling), "
            f"{len(self.failed)} failed, {self.seconds:.1f} s"
        )
        return "\n".join(lines)


# ---------------------------------------------------------------------- resampling
def resample(
    data: MeasurementData,
    method: str = "counts",
    *,
    estimate: PauliMPO | None = None,
    seed: int | np.random.Generator | np.random.SeedSequence | None = None,
) -> MeasurementData:
    """One bootstrap replica of a data set: every setting keeps its number of shots.

    Parameters
    ----------
    data : MeasurementData
    method : {"counts", "model"}, default="counts"
        - ``"counts"``: per setting, a multinomial over its observed outcomes with their
          observed frequencies (outcomes never seen stay unseen);
        - ``"model"``: per setting, shots drawn from ``estimate`` in the setting's bases, then
          flipped by ``data.assignment`` when it is set.
    estimate : PauliMPO, optional
        The point estimate, required by ``"model"``.
    seed : int, Generator, SeedSequence or None

    Returns
    -------
    MeasurementData
        Same design, shots per setting and readout assignment as ``data``.
    """
    rng = np.random.default_rng(seed)
    if method == "counts":
        data = compressed(data)
        counts = _resampled_counts(data, rng)
        keep = counts > 0
        return MeasurementData(
            data.design,
            data.outcomes[keep],
            counts[keep],
            data.setting_index[keep],
            assignment=data.assignment,
        )
    if method == "model":
        if not isinstance(estimate, PauliMPO):
            raise TypeError("method='model' needs the point estimate as a PauliMPO (`estimate`)")
        return _model_replica(data, estimate, rng)
    raise ValueError(f"unknown resampling method {method!r}; expected one of {RESAMPLING_METHODS}")


def _resampled_counts(data: MeasurementData, rng: np.random.Generator) -> np.ndarray:
    """Multinomial redraw of every setting's counts, rows in the order of ``data.outcomes``."""
    counts = np.zeros_like(data.counts)
    order = np.argsort(data.setting_index, kind="stable")
    bounds = np.searchsorted(data.setting_index[order], np.arange(data.design.n_settings + 1))
    for s in range(data.design.n_settings):
        rows = order[bounds[s] : bounds[s + 1]]
        counts[rows] = rng.multinomial(data.shots[s], data.counts[rows] / data.shots[s])
    return counts


def _model_replica(
    data: MeasurementData, estimate: PauliMPO, rng: np.random.Generator
) -> MeasurementData:
    """Shots drawn from ``estimate`` (settings grouped by their shot count)."""
    if estimate.n != data.n:
        raise ValueError(f"qubit count mismatch: estimate {estimate.n}, data {data.n}")
    source = estimate.with_assignment(data.assignment)
    outcomes, settings = [], []
    for shots in np.unique(data.shots):
        chosen = np.flatnonzero(data.shots == shots)
        bases = [data.design.settings[s] for s in chosen]
        bits = source.sample_bits(bases, int(shots), seed=rng)  # (len(chosen), shots, n)
        outcomes.append(bits.reshape(-1, data.n))
        settings.append(np.repeat(chosen, shots))
    rows, counts, index = _unique_rows(
        np.concatenate(settings), np.concatenate(outcomes), np.ones(data.total_shots, np.int64)
    )
    return MeasurementData(data.design, rows, counts, index, assignment=data.assignment)


def compressed(data: MeasurementData) -> MeasurementData:
    """The same data with one row per distinct (setting, outcome) and its count.

    Data from :meth:`MeasurementData.from_bits` has one row per shot; resampling and
    estimation are faster on the distinct rows, and give the same numbers.
    """
    rows, counts, index = _unique_rows(data.setting_index, data.outcomes, data.counts)
    if len(rows) == len(data.outcomes):
        return data
    return MeasurementData(data.design, rows, counts, index, assignment=data.assignment)


def _unique_rows(
    setting_index: np.ndarray, outcomes: np.ndarray, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (setting, outcome) rows (outcomes (K, n) uint8), their summed counts, settings."""
    keys = np.column_stack([setting_index.astype(np.int64), outcomes.astype(np.int64)])
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    summed = np.bincount(inverse.ravel(), weights=counts, minlength=len(unique))
    return unique[:, 1:].astype(np.uint8), np.rint(summed).astype(np.int64), unique[:, 0]


# ---------------------------------------------------------------------- one replica
def _call_estimator(estimator: Callable, data: MeasurementData, seed: Any) -> PauliMPO:
    """``estimator(data, seed=...)`` (or ``estimator(data)`` when it takes no seed)."""
    try:
        parameters = inspect.signature(estimator).parameters
    except (TypeError, ValueError):  # builtins without a signature
        parameters = {}
    takes_seed = "seed" in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )
    out = estimator(data, seed=seed) if takes_seed else estimator(data)
    out = getattr(out, "state", out)  # a Reconstruction or Refinement is fine too
    if not isinstance(out, PauliMPO):
        raise TypeError(f"the estimator returned a {type(out).__name__}, expected a PauliMPO")
    return out


def _evaluate(statistics: Mapping[str, Callable], state: PauliMPO) -> dict[str, float]:
    """Every statistic on ``state``, each checked to be a finite real number."""
    values = {}
    for name, statistic in statistics.items():
        value = statistic(state)
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(
                f"statistic {name!r} returned a {type(value).__name__} ({value!r}), expected a "
                "real number (float)"
            )
        if not np.isfinite(value):
            raise ValueError(f"statistic {name!r} returned {value}, expected a finite number")
        values[name] = float(value)
    return values


def run_replica(
    data: MeasurementData,
    estimator: Callable,
    statistics: Mapping[str, Callable],
    method: str,
    estimate: PauliMPO | None,
    seed: np.random.SeedSequence,
) -> dict[str, Any]:
    """One replica: resample, estimate, evaluate; never raises.

    Module-level so that a Dask worker can run it. Returns ``{"values": {name: float}}`` or
    ``{"error": (type name, message)}``. Warnings of the replica's reconstruction (window,
    long-range correlations) are silenced: they concern the data, and the point estimate
    already showed them.
    """
    resample_seed, estimator_seed = seed.spawn(2)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            replica = resample(data, method, estimate=estimate, seed=resample_seed)
            state = _call_estimator(estimator, replica, np.random.default_rng(estimator_seed))
            return {"values": _evaluate(statistics, state)}
    except Exception as exc:  # noqa: BLE001 - recorded, the other replicas go on
        return {"error": (type(exc).__name__, str(exc))}


# ---------------------------------------------------------------------- the front function
def bootstrap(
    data: MeasurementData,
    estimator: Callable,
    statistics: Mapping[str, Callable[[PauliMPO], float]],
    replicas: int = 200,
    *,
    method: str = "counts",
    confidence: float = 0.95,
    estimate: PauliMPO | None = None,
    seed: int | np.random.SeedSequence | None = None,
    executor: Any = None,
    progress: Callable[[int, int], object] | None = None,
) -> BootstrapResult:
    """Bootstrap intervals of statistics of the state estimated from ``data``.

    Parameters
    ----------
    data : MeasurementData
        Measured counts (an :class:`~tomography.measure.ExactExpectations` has no shots to
        resample and is refused).
    estimator : callable
        ``estimator(data, seed=...) -> PauliMPO`` (``seed`` optional; a returned
        ``Reconstruction`` or ``Refinement`` is taken for its ``.state``):
        :class:`CrossEstimator` or :class:`RefinedEstimator`, or any picklable module-level
        callable for Dask.
    statistics : mapping of str to callable
        ``name -> statistic(PauliMPO) -> float``, e.g. those of :mod:`tomography.statistics`.
        Each must give a finite real number on the point estimate.
    replicas : int, default=200
        Bootstrap replicas R >= 2.
    method : {"counts", "model"}, default="counts"
        Resampling, see :func:`resample`.
    confidence : float, default=0.95
        Nominal coverage of the intervals.
    estimate : PauliMPO, optional
        The point estimate if already computed (``estimator(data)``), to save one run.
    seed : int, SeedSequence or None
        Root of every replica's seed (``SeedSequence(seed).spawn(replicas)[r]``); the point
        estimate uses the root itself. None: fresh entropy, reported as ``seed_entropy``.
    executor : None, "local" or distributed.Client, default=None
        None: replicas one after the other in this process; a Dask ``Client``: one task per
        replica, collected as they finish; ``"local"``: a local cluster
        (:func:`tomography.sweep.runner.local_cluster`) for this call. Results do not depend
        on it.
    progress : callable, optional
        ``progress(done, replicas)`` before the first replica and after each.

    Returns
    -------
    BootstrapResult

    Raises
    ------
    TypeError
        ``data`` not a MeasurementData, a statistic that is not callable or returns a
        non-number on the point estimate, an estimator that does not return a PauliMPO.
    ValueError
        ``replicas < 2``, unknown ``method``, no statistics, a statistic that is not finite
        on the point estimate, or fewer than 2 successful replicas (with the reasons).

    Notes
    -----
    Coverage is measured in ``benchmarks/results/bootstrap_coverage.md`` (n = 6, K = 30 data
    sets): 0.83-0.97 for local Pauli observables with counts resampling, but the cross
    estimate's fidelities are biased low by more than their spread, and only the basic
    interval of ``method="model"`` moves with that bias (0.70 for the target fidelity); see
    ``docs/limits.md``.
    """
    started = time.perf_counter()
    replicas, statistics = _check_inputs(data, estimator, statistics, replicas, method)
    confidence = check_real(confidence, "confidence", minimum=0.0)
    root = np.random.SeedSequence(seed) if not isinstance(seed, np.random.SeedSequence) else seed
    if estimate is None:
        estimate = _call_estimator(estimator, data, np.random.default_rng(root))
    point = _evaluate(statistics, estimate)
    children = root.spawn(replicas)
    data = compressed(data)
    task = (data, estimator, statistics, method, estimate if method == "model" else None)
    with _executor(executor) as client:
        outcomes = _run_all(task, children, client, progress)
    return _collect(outcomes, point, replicas, method, confidence, root, started)


def _check_inputs(data, estimator, statistics, replicas, method) -> tuple[int, dict]:
    if isinstance(data, ExactExpectations):
        raise TypeError(
            "data is an ExactExpectations: exact expectation values have no shots to "
            "resample; bootstrap needs measured counts (a MeasurementData)"
        )
    if not isinstance(data, MeasurementData):
        raise TypeError(f"`data` must be a MeasurementData, got {type(data).__name__}")
    if not callable(estimator):
        raise TypeError(f"`estimator` must be callable, got {type(estimator).__name__}")
    replicas = check_int(replicas, "replicas", minimum=2)
    if method not in RESAMPLING_METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {RESAMPLING_METHODS}")
    if not isinstance(statistics, Mapping):
        raise TypeError(
            f"`statistics` must be a mapping name -> callable, got {type(statistics).__name__}; "
            "e.g. {'purity': Purity()}"
        )
    if not statistics:
        raise ValueError("no statistics: give at least one, e.g. {'purity': Purity()}")
    for name, statistic in statistics.items():
        if not isinstance(name, str) or not callable(statistic):
            raise TypeError(
                f"statistic {name!r} must be a str name with a callable PauliMPO -> float, "
                f"got a {type(statistic).__name__}"
            )
    return replicas, dict(statistics)


@contextlib.contextmanager
def _executor(executor: Any) -> Iterator[Any]:
    """None, a Client as given, or a local cluster's Client for ``"local"``."""
    if isinstance(executor, str):
        if executor != "local":
            raise ValueError(f"executor {executor!r}: expected None, 'local' or a dask Client")
        from .sweep.runner import local_cluster

        with local_cluster() as client:
            yield client
        return
    if executor is not None and not hasattr(executor, "submit"):
        raise TypeError(f"executor must be None, 'local' or a dask Client, not {type(executor)}")
    yield executor


def _run_all(task: tuple, children: list, client: Any, progress) -> dict[int, dict]:
    total = len(children)
    if progress is not None:
        progress(0, total)
    outcomes: dict[int, dict] = {}
    if client is None:
        for index, child in enumerate(children):
            outcomes[index] = run_replica(*task, child)
            if progress is not None:
                progress(len(outcomes), total)
        return outcomes
    from distributed import as_completed

    shared = client.scatter(list(task), broadcast=True)
    futures = {
        client.submit(run_replica, *shared, child, pure=False): i
        for i, child in enumerate(children)
    }
    try:
        for future in as_completed(list(futures)):
            outcomes[futures.pop(future)] = future.result()
            if progress is not None:
                progress(len(outcomes), total)
    finally:
        client.cancel(list(futures))
    return outcomes


def _collect(outcomes, point, replicas, method, confidence, root, started) -> BootstrapResult:
    failed = [
        ReplicaFailure(index=i, error_type=o["error"][0], message=o["error"][1])
        for i, o in sorted(outcomes.items())
        if "error" in o
    ]
    indices = np.array(sorted(i for i, o in outcomes.items() if "values" in o), dtype=np.int64)
    if indices.size < 2:
        reasons = "; ".join(f"replica {f.index}: {f.error_type}: {f.message}" for f in failed[:5])
        raise ValueError(
            f"only {indices.size} of {replicas} bootstrap replicas succeeded (need 2): {reasons}"
        )
    summaries = {
        name: summarize_replicas(
            name,
            value,
            np.array([outcomes[i]["values"][name] for i in indices]),
            confidence=confidence,
        )
        for name, value in point.items()
    }
    return BootstrapResult(
        statistics=summaries,
        indices=indices,
        failed=failed,
        replicas=replicas,
        method=method,
        confidence=confidence,
        seed_entropy=int(root.entropy),
        seconds=time.perf_counter() - started,
    )
