"""Peer estimators: qiskit-experiments' full state tomography on Aer, run and fitted.

One home for running ``qiskit_experiments.library.StateTomography`` (3^n Pauli settings) on
``AerSimulator(noise_model=...)`` with our noise models, used by the sweep estimator
``"qiskit-experiments"`` (:mod:`tomography.sweep.task`) and by
``examples/compare_qiskit_experiments.py``. Two stages, as qiskit-experiments has them:
:func:`run_state_tomography` (transpile + Aer run, once) and :func:`fit_state_tomography`
(one fitter on those counts, any number of times); :func:`state_tomography` does both.

qiskit-experiments reports a failed run or fit as a status, not an exception: both stages
check the experiment and analysis statuses (and cvxpy's solver status) and raise
``RuntimeError`` on failure. Aer attaches two-qubit noise to the Haar gates by their label
(:data:`tomography.circuits.HAAR_LABEL`); the run checks that transpilation kept every
labelled gate. Needs ``qiskit-experiments`` (and ``cvxpy`` for the cvxpy fitters), imported
only when called.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "check_done",
    "PEER_FITTERS",
    "PEER_MAX_QUBITS",
    "PeerRun",
    "fit_state_tomography",
    "run_state_tomography",
    "state_tomography",
]

PEER_MAX_QUBITS = 6
"""Largest n a sweep runs the peer at (3^n settings, a dense 4^n fit)."""

PEER_FITTERS = ("linear_inversion", "cvxpy_gaussian_lstsq")
"""qiskit-experiments fitters the sweep accepts (``cvxpy_gaussian_lstsq`` needs cvxpy)."""

_CVXPY_OK = ("optimal", "optimal_inaccurate")


@dataclass(frozen=True)
class PeerRun:
    """The counts of one ``StateTomography`` run, ready to be fitted.

    Attributes
    ----------
    experiment : qiskit_experiments.library.StateTomography
    data : qiskit_experiments.framework.ExperimentData
        The counts (no analysis run yet).
    seconds : float
        Wall time of the Aer run (transpile + simulate).
    """

    experiment: Any
    data: Any
    seconds: float


def check_done(data, what: str) -> None:
    """Raise when an ``ExperimentData`` did not finish: qiskit-experiments reports a failed run
    or fit as a status, not an exception.

    Parameters
    ----------
    data : qiskit_experiments.framework.ExperimentData
    what : str
        What ran, for the message.

    Raises
    ------
    RuntimeError
        The experiment or its analysis is not done (the status and errors in the message).
    """
    from qiskit_experiments.framework import AnalysisStatus, ExperimentStatus

    if data.status() not in (ExperimentStatus.DONE, ExperimentStatus.POST_PROCESSING):
        raise RuntimeError(f"{what}: experiment status {data.status()}: {data.errors()}")
    status = data.analysis_status()
    if status not in (None, AnalysisStatus.DONE):
        raise RuntimeError(f"{what}: analysis status {status}: {data.analysis_errors()}")


def run_state_tomography(circuit, noise_model, shots: int, *, seed: int) -> PeerRun:
    """Run ``StateTomography(circuit)`` on ``AerSimulator(noise_model=noise_model)``.

    Parameters
    ----------
    circuit : qiskit.QuantumCircuit
        The state preparation, n qubits (3^n settings are run).
    noise_model : qiskit_aer.noise.NoiseModel or None
        Aer's noise; our models keep ``unitary`` among the basis gates so that labelled Haar
        gates survive transpilation.
    shots : int
        Shots per setting.
    seed : int
        Aer's ``seed_simulator``.

    Returns
    -------
    PeerRun

    Raises
    ------
    RuntimeError
        Transpilation lost labelled gates, or the run's status is not done.
    """
    from qiskit_aer import AerSimulator
    from qiskit_experiments.library import StateTomography

    from .circuits import HAAR_LABEL

    n = circuit.num_qubits
    backend = AerSimulator(noise_model=noise_model)
    experiment = StateTomography(circuit, backend=backend, target=None)
    kept = sum(i.operation.label == HAAR_LABEL for i in experiment._transpiled_circuits()[0].data)
    expected = sum(i.operation.label == HAAR_LABEL for i in circuit.data)
    if kept != expected:
        raise RuntimeError(f"transpilation kept {kept} of {expected} {HAAR_LABEL} gates")
    started = time.perf_counter()
    data = experiment.run(
        backend, shots=int(shots), seed_simulator=int(seed), analysis=None
    ).block_for_results()
    seconds = time.perf_counter() - started
    check_done(data, f"StateTomography run, n = {n}")
    return PeerRun(experiment, data, seconds)


def fit_state_tomography(run: PeerRun, fitter: str) -> tuple[np.ndarray, float]:
    """Fit the counts of ``run`` with one qiskit-experiments fitter (PSD rescaling on).

    Parameters
    ----------
    run : PeerRun
    fitter : str
        A qiskit-experiments fitter name, e.g. one of :data:`PEER_FITTERS`.

    Returns
    -------
    rho : ndarray, (2^n, 2^n), complex128
        The fitted density matrix, Qiskit bit order.
    seconds : float
        Wall time of the fit.

    Raises
    ------
    RuntimeError
        The analysis status is not done, or cvxpy's status is not optimal.
    """
    n = run.experiment.num_qubits
    run.experiment.analysis.set_options(fitter=fitter)
    started = time.perf_counter()
    fitted = run.experiment.analysis.run(run.data, replace_results=False).block_for_results()
    seconds = time.perf_counter() - started
    check_done(fitted, f"StateTomography analysis {fitter}, n = {n}")
    row = fitted.analysis_results("state", dataframe=True).iloc[0]
    status = dict(row["fitter_metadata"]).get("cvxpy_status", [])
    if any(s not in _CVXPY_OK for s in status):
        raise RuntimeError(f"{fitter}, n = {n}: cvxpy status {status}")
    return np.asarray(row["value"].data), seconds


def state_tomography(
    circuit, noise_model, shots: int, *, fitter: str = "linear_inversion", seed: int
) -> tuple[np.ndarray, float, float]:
    """:func:`run_state_tomography`, then :func:`fit_state_tomography` with one fitter.

    Parameters
    ----------
    circuit : qiskit.QuantumCircuit
    noise_model : qiskit_aer.noise.NoiseModel or None
    shots : int
        Shots per setting (3^n settings).
    fitter : str, default="linear_inversion"
        One of :data:`PEER_FITTERS` (or any qiskit-experiments fitter name).
    seed : int
        Aer's ``seed_simulator``.

    Returns
    -------
    rho : ndarray, (2^n, 2^n), complex128
    seconds_run : float
        Aer run (transpile + simulate).
    seconds_fit : float

    Raises
    ------
    RuntimeError
        A failed run or fit (see the stages).
    """
    run = run_state_tomography(circuit, noise_model, shots, seed=seed)
    rho, seconds_fit = fit_state_tomography(run, fitter)
    return rho, run.seconds, seconds_fit
