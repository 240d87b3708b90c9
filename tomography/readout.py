"""Readout calibration: the two circuits and the per-qubit assignment matrices from their counts.

``A[k][measured, true]`` (column-stochastic, (n, 2, 2)) for each qubit ``k``, from the counts of
preparing ``|0..0>`` and ``|1..1>``; :meth:`tomography.measure.MeasurementData.with_assignment`
applies them (mitigated expectations) and the likelihood of :func:`tomography.refine.refine`
fits the raw counts through them.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from qiskit import QuantumCircuit

from ttcross.validation import check_int

from .counts import check_counts_table, counts_total
from .pauli import bitstrings_to_bits

__all__ = ["readout_calibration_circuits", "assignment_from_calibration"]


def readout_calibration_circuits(n: int) -> list[QuantumCircuit]:
    """Two circuits preparing ``|0..0>`` and ``|1..1>`` then measuring all qubits."""
    n = check_int(n, "n", minimum=1)
    zeros = QuantumCircuit(n, name="readout_cal_0")
    zeros.measure_all()
    ones = QuantumCircuit(n, name="readout_cal_1")
    ones.x(range(n))
    ones.measure_all()
    return [zeros, ones]


def assignment_from_calibration(
    counts_zeros: Mapping[str, int], counts_ones: Mapping[str, int]
) -> np.ndarray:
    """Per-qubit assignment matrices ``A[k][measured, true]`` (n, 2, 2) from the counts of
    :func:`readout_calibration_circuits` (Qiskit bitstrings, qubit 0 right-most)."""
    columns = []
    for name, table in (("counts_zeros", counts_zeros), ("counts_ones", counts_ones)):
        if not isinstance(table, Mapping):
            raise TypeError(
                f"`{name}` must be a dict {{bitstring: count}}, got a {type(table).__name__}"
            )
        if not table:
            raise ValueError(
                f"`{name}` is empty: calibration counts must be non-empty bitstring -> count "
                "dicts, from a run of readout_calibration_circuits"
            )
        n = len(next(iter(table))) if isinstance(next(iter(table)), str) else 0
        try:
            pairs = list(check_counts_table(table, name, n))
        except ValueError as exc:
            raise ValueError(
                f"calibration counts must be non-empty bitstring -> count dicts: {exc}"
            ) from None
        total = counts_total([c for _, c in pairs], f"`{name}`")
        if total == 0:
            raise ValueError(
                f"`{name}` has no shots (every count is 0): expected the counts of a "
                "calibration run; run readout_calibration_circuits with shots >= 1"
            )
        bits = bitstrings_to_bits([k for k, _ in pairs], n)
        weights = np.array([c for _, c in pairs], dtype=float)
        columns.append(weights @ bits / total)  # P(measured 1 | true) per qubit
    p1_given_0, p1_given_1 = columns
    if p1_given_0.shape != p1_given_1.shape:
        raise ValueError(
            f"the two calibration runs have different qubit counts: {p1_given_0.size} "
            f"(counts_zeros) and {p1_given_1.size} (counts_ones); run both on the same qubits"
        )
    a = np.empty((len(p1_given_0), 2, 2))
    a[:, 0, 0], a[:, 1, 0] = 1 - p1_given_0, p1_given_0
    a[:, 0, 1], a[:, 1, 1] = 1 - p1_given_1, p1_given_1
    return a
