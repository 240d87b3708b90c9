"""One run of a sweep: simulate -> measure -> reconstruct (-> refine) -> metrics, as a pure task.

:func:`run_task` is what a Dask worker (or the serial loop) executes. It is a module-level
function of a plain dict (:meth:`tomography.sweep.spec.Run.to_dict`), so any worker that can
import ``tomography`` runs it, and it never writes a file: it returns the row (and the
estimate, when asked) to the client, which writes it. An exception inside a run becomes an
error row (``status = "error"``, ``error``, ``traceback``); the sweep goes on.

Seeds come from the run's identity, not from its position in the sweep: with
``h(keys) =`` the integer of the SHA-256 of the canonical JSON of those parameters,

- circuit seed: ``SeedSequence([seed, h(CIRCUIT_SEED_KEYS), 0])``;
- data seed (the measurement shots): ``SeedSequence([seed, h(DATA_KEYS), 1])``;
- refine seed: ``SeedSequence([seed, h(DATA_KEYS), 2])``.

The estimator, ``max_rank`` and the metrics are not in them: estimators compared at the same
seed see the same circuit and the same counts. The ``qiskit-experiments`` estimator runs its
own 3^n circuits on Aer (:func:`tomography.peers.state_tomography`), seeded with
``seed_simulator`` drawn from the data seed: the same circuit, but its shots are independent
draws, not our counts. Its row's ``shots`` is its own per-setting count, ``seconds_measure``
the Aer run and ``seconds_reconstruct`` the fit.
"""

from __future__ import annotations

import hashlib
import os
import time
import traceback
import warnings
from importlib import metadata
from typing import Any

import numpy as np

from .spec import CIRCUIT_SEED_KEYS, DATA_KEYS, PEER_ESTIMATOR, canonical_json

__all__ = ["LOCAL_WIDTH", "ROW_COLUMNS", "base_row", "run_task", "stream_seed"]

LOCAL_WIDTH = 3
"""Qubits per marginal of ``local_fidelity_min`` / ``local_fidelity_mean``."""

_PARAM_COLUMNS = {
    "circuit": "string",
    "qasm": "string",
    "n": "int64",
    "depth": "int64",
    "gates": "string",
    "dt": "float64",
    "coupling": "float64",
    "field": "float64",
    "p1": "float64",
    "p2": "float64",
    "damping": "float64",
    "t1": "float64",
    "t2": "float64",
    "readout_p01": "float64",
    "readout_p10": "float64",
    "window": "int64",
    "shots": "int64",
    "copies": "int64",
    "estimator": "string",
    "refine_options": "string",
    "max_rank": "int64",
    "fitter": "string",
}
_RESULT_COLUMNS = {
    "fidelity": "float64",
    "overlap_fidelity": "float64",
    "relative_error": "float64",
    "local_fidelity_min": "float64",
    "local_fidelity_mean": "float64",
    "ranks": "list<int64>",
    "rank_max": "int64",
    "truth_rank_max": "int64",
    "total_shots": "int64",
    "refine_iterations": "int64",
    "refine_stop_reason": "string",
    "seconds_circuit": "float64",
    "seconds_simulate": "float64",
    "seconds_measure": "float64",
    "seconds_reconstruct": "float64",
    "seconds_refine": "float64",
    "seconds_metrics": "float64",
    "seconds_total": "float64",
}
ROW_COLUMNS: dict[str, str] = {
    "index": "int64",
    "run_id": "string",
    "seed": "int64",
    "status": "string",
    **_PARAM_COLUMNS,
    **_RESULT_COLUMNS,
    "warnings": "string",
    "error": "string",
    "traceback": "string",
    "ttqst_version": "string",
    "worker_pid": "int64",
}
"""Every column of a row and its type (``string``, ``int64``, ``float64``, ``list<int64>``);
missing values are null (a metric not asked for, ``fidelity`` above 12 qubits, the results
of an error row)."""


def _ttqst_version() -> str:
    try:
        return metadata.version("ttqst")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout
        return "unknown"


def stream_seed(seed: int, params: dict, keys: tuple[str, ...], stream: int):
    """A ``numpy.random.SeedSequence`` from the run's seed and the parameters ``keys``.

    Parameters
    ----------
    seed : int
        The run's seed.
    params : dict
        The run's parameters.
    keys : tuple of str
        The parameters that define this random stream.
    stream : int
        0 circuit, 1 data, 2 refine.

    Returns
    -------
    numpy.random.SeedSequence
    """
    text = canonical_json({k: params[k] for k in keys})
    digest = int.from_bytes(hashlib.sha256(text.encode()).digest()[:16], "little")
    return np.random.SeedSequence([seed, digest, stream])


def run_task(run: dict, *, keep_state: bool = False) -> dict[str, Any]:
    """Run one sweep run; never raises for a failure of the run itself.

    Parameters
    ----------
    run : dict
        ``index``, ``run_id``, ``seed``, ``params``, ``metrics`` (see
        :class:`tomography.sweep.spec.Run`).
    keep_state : bool, default=False
        Also return the final estimate.

    Returns
    -------
    dict
        ``{"row": row, "state": PauliMPO or None}``; ``row`` has the keys of
        :data:`ROW_COLUMNS`, ``status`` ``"ok"`` or ``"error"``; the run's warnings (e.g.
        :class:`tomography.reconstruct.WindowTooNarrowWarning`) are in ``warnings``, one
        per line, not printed.
    """
    started = time.perf_counter()
    row = base_row(run)
    state = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            state, results = _pipeline(run["params"], run["seed"], tuple(run["metrics"]))
            row.update(results, status="ok")
        except Exception as exc:  # noqa: BLE001 - a failing run is recorded, the sweep goes on
            row.update(status="error", error=f"{type(exc).__name__}: {exc}")
            row["traceback"] = traceback.format_exc()
    texts = dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught)
    row["warnings"] = "\n".join(texts) or None
    row["seconds_total"] = time.perf_counter() - started
    return {"row": row, "state": state if keep_state else None}


def base_row(run: dict) -> dict[str, Any]:
    """The columns of a row known before the run: parameters, seed, ids (results null)."""
    row: dict[str, Any] = dict.fromkeys(ROW_COLUMNS)
    params = run["params"]
    row.update({k: params[k] for k in _PARAM_COLUMNS if k in params})
    readout = params.get("readout")
    row["readout_p01"], row["readout_p10"] = readout if readout else (None, None)
    row["refine_options"] = canonical_json(params["refine_options"])
    row.update(
        index=run["index"],
        run_id=run["run_id"],
        seed=run["seed"],
        ttqst_version=_ttqst_version(),
        worker_pid=os.getpid(),
    )
    return row


def _pipeline(params: dict, seed: int, metrics: tuple[str, ...]):
    from ..measure import MeasurementDesign, measure
    from ..reconstruct import reconstruct
    from ..simulate import simulate

    clock = _Clock()
    circuit, noise = _circuit_and_noise(params, seed)
    clock.lap("seconds_circuit")
    truth = simulate(circuit, noise)
    clock.lap("seconds_simulate")
    data_seed = np.random.default_rng(stream_seed(seed, params, DATA_KEYS, 1))
    if params["estimator"] == PEER_ESTIMATOR:
        estimate, results = _peer(circuit, noise, params, data_seed, clock)
        results.update(_metrics(estimate, truth, metrics))
        clock.lap("seconds_metrics")
        return estimate, _finish(results, estimate, truth, clock)
    design = MeasurementDesign(truth.n, params["window"])
    data = measure(truth, design, params["shots"], seed=data_seed)
    clock.lap("seconds_measure")
    estimate = reconstruct(data, max_rank=params["max_rank"], compute_bound=False).state
    clock.lap("seconds_reconstruct")
    results: dict[str, Any] = {"total_shots": int(data.total_shots)}
    if params["estimator"] == "refine":
        estimate, refined = _refine(estimate, data, params, seed)
        results.update(refined)
        clock.lap("seconds_refine")
    results.update(_metrics(estimate, truth, metrics))
    clock.lap("seconds_metrics")
    return estimate, _finish(results, estimate, truth, clock)


def _finish(results: dict[str, Any], estimate, truth, clock: _Clock) -> dict[str, Any]:
    results.update(
        ranks=list(estimate.bond_dims),
        rank_max=max(estimate.bond_dims, default=1),
        truth_rank_max=max(truth.bond_dims, default=1),
        **clock.laps,
    )
    return results


class _Clock:
    def __init__(self):
        self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name], self.last = now - self.last, now

    def record(self, **seconds: float) -> None:
        """Laps timed elsewhere; the next :meth:`lap` starts now."""
        self.laps.update(seconds)
        self.last = time.perf_counter()


def _peer(circuit, noise, params: dict, rng: np.random.Generator, clock: _Clock):
    """qiskit-experiments' state tomography on Aer, its dense fit as a PauliMPO."""
    from ..peers import PEER_MAX_QUBITS, state_tomography
    from ..state import PauliMPO

    n = circuit.num_qubits
    if n > PEER_MAX_QUBITS:
        raise ValueError(
            f"estimator: {PEER_ESTIMATOR!r} runs only at n <= {PEER_MAX_QUBITS}, got a "
            f"{n}-qubit circuit"
        )
    shots = params["shots"] if params["copies"] is None else params["copies"] // 3**n
    if shots < 1:
        raise ValueError(f"copies: expected >= 3^n = {3**n}, got {params['copies']}")
    rho, seconds_run, seconds_fit = state_tomography(
        circuit, noise, shots, fitter=params["fitter"], seed=int(rng.integers(2**31))
    )
    clock.record(seconds_measure=seconds_run, seconds_reconstruct=seconds_fit)
    estimate = PauliMPO.from_dense(rho)
    return estimate, {"shots": shots, "total_shots": 3**n * shots}


def _circuit_and_noise(params: dict, seed: int):
    from ..circuits import build
    from ..exchange import load_qasm
    from ..noise import from_rates

    if params["qasm"] is not None:
        circuit = load_qasm(params["qasm"])
        if params["n"] is not None and params["n"] != circuit.num_qubits:
            raise ValueError(
                f"n: expected the {circuit.num_qubits} qubits of {params['qasm']}, "
                f"got {params['n']}"
            )
    else:
        rng = np.random.default_rng(stream_seed(seed, params, CIRCUIT_SEED_KEYS, 0))
        circuit, _ = build(
            params["circuit"],
            params["n"],
            params["depth"],
            gates=params["gates"],
            seed=rng,
            dt=params["dt"],
            coupling=params["coupling"],
            field=params["field"],
        )
    if params["window"] > circuit.num_qubits:
        raise ValueError(
            f"window: expected at most the circuit's {circuit.num_qubits} qubits, "
            f"got {params['window']}"
        )
    readout = params["readout"]
    noise, _ = from_rates(
        p1=params["p1"],
        p2=params["p2"],
        damping=params["damping"],
        t1=params["t1"],
        t2=params["t2"],
        readout=None if readout is None else tuple(readout),
    )
    return circuit, noise


def _refine(estimate, data, params: dict, seed: int):
    from ..refine import refine

    rng = np.random.default_rng(stream_seed(seed, params, DATA_KEYS, 2))
    fit = refine(estimate, data, seed=rng, **params["refine_options"])
    return fit.state, {"refine_iterations": fit.iterations, "refine_stop_reason": fit.stop_reason}


def _metrics(estimate, truth, metrics: tuple[str, ...]) -> dict[str, Any]:
    from ..metrics import fidelity, local_fidelities, overlap_fidelity, relative_error
    from ..pauli import MAX_DENSE_QUBITS

    out: dict[str, Any] = {}
    if "fidelity" in metrics and truth.n <= MAX_DENSE_QUBITS:
        out["fidelity"] = fidelity(truth, estimate)
    if "overlap_fidelity" in metrics:
        out["overlap_fidelity"] = overlap_fidelity(truth, estimate)
    if "relative_error" in metrics:
        out["relative_error"] = relative_error(estimate, truth)
    if {"local_fidelity_min", "local_fidelity_mean"} & set(metrics):
        local = local_fidelities(estimate, truth, min(LOCAL_WIDTH, truth.n))
        if "local_fidelity_min" in metrics:
            out["local_fidelity_min"] = local.min_fidelity
        if "local_fidelity_mean" in metrics:
            out["local_fidelity_mean"] = local.mean_fidelity
    return {k: float(v) for k, v in out.items()}
