"""Counts as they come from Qiskit or a file, checked before anything is built from them.

A counts table is one ``{bitstring: count}`` dict per setting, keys in Qiskit order (qubit 0
right-most, see :func:`tomography.pauli.bitstrings_to_bits`). Every key and every count is
checked (:func:`tomography.pauli.check_bitstring`, :func:`ttcross.validation.check_count`),
totals are exact Python integers, and a SamplerV2 result is unpacked into such tables with a
``TypeError`` that says what was expected when it is something else (a job, plain dicts).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np

from ttcross.validation import INT64_MAX, check_count

from .pauli import check_bitstring

__all__ = ["check_counts_table", "counts_total", "sampler_counts"]


def counts_total(counts, name: str) -> int:
    """The exact total of non-negative counts.

    Parameters
    ----------
    counts : sequence of int, or ndarray of int64, each >= 0
    name : str
        What the counts are, for the message.

    Returns
    -------
    int
        The exact sum (a Python int).

    Raises
    ------
    ValueError
        The total exceeds ``2^63 - 1`` (int64, what ttqst stores).
    """
    total = sum(int(c) for c in counts) if not isinstance(counts, np.ndarray) else None
    if total is None:  # int64 array of values >= 0: sum in two halves to stay exact
        total = int(np.sum(counts >> 32, dtype=np.uint64)) * 2**32 + int(
            np.sum(counts & 0xFFFFFFFF, dtype=np.uint64)
        )
    if total > INT64_MAX:
        raise ValueError(
            f"{name} total {total} shots, more than {INT64_MAX} (2^63 - 1, the largest total "
            "ttqst stores); split the data"
        )
    return total


def check_counts_table(table: object, label: str, n: int) -> Iterator[tuple[str, int]]:
    """Yield ``(bitstring, count)`` of one counts dict, every key and count checked.

    Parameters
    ----------
    table : Mapping[str, int]
        ``{bitstring: count}``, Qiskit order, ``n`` characters of 0/1 per key.
    label : str
        Where the table comes from (``"setting 3"``), for the messages.
    n : int
        Qubits.

    Raises
    ------
    TypeError
        ``table`` is not a mapping.
    ValueError
        A key that is not an ``n``-bit string, a count that is not a non-negative integer.
    """
    if not isinstance(table, Mapping):
        raise TypeError(
            f"{label}: counts must be a dict {{bitstring: count}}, got a {type(table).__name__}"
        )
    for key, value in table.items():
        key = check_bitstring(key, n, label)
        yield key, check_count(value, f"count of {key!r} in {label}")


def sampler_counts(result: object) -> list[Mapping[str, int]]:
    """The counts of each pub of a SamplerV2 ``PrimitiveResult``, in pub order.

    Parameters
    ----------
    result : PrimitiveResult
        From ``job.result()``; each pub result with exactly one classical register.

    Returns
    -------
    list of Mapping[str, int]
        One counts dict per pub (Qiskit bitstrings).

    Raises
    ------
    TypeError
        A job (pass ``job.result()``), plain dicts (use ``MeasurementData.from_counts``) or
        another object that is not a sequence of pub results.
    ValueError
        A pub with several classical registers.
    """
    if hasattr(result, "result") and callable(result.result) and not hasattr(result, "__len__"):
        raise TypeError(
            f"`result` is a {type(result).__name__} (a job?): expected its result; pass "
            "`job.result()`"
        )
    if isinstance(result, (str, bytes, Mapping)) or not hasattr(result, "__iter__"):
        raise TypeError(
            "`result` must be a SamplerV2 PrimitiveResult (from `job.result()`), got "
            f"{result!r:.60} (type {type(result).__name__}); for the Result of "
            "`backend.run(...)` use from_counts with its get_counts(i)"
        )
    results = list(result)
    if results and isinstance(results[0], Mapping):
        raise TypeError(
            "`result` holds dicts: for counts dicts use MeasurementData.from_counts; "
            "from_sampler_result takes a SamplerV2 PrimitiveResult (from `job.result()`)"
        )
    return [_pub_counts(pub, s) for s, pub in enumerate(results)]


def _pub_counts(pub: object, s: int) -> Mapping:
    """The counts of the one classical register of a pub result."""
    data = getattr(pub, "data", None)
    if data is None or not callable(getattr(data, "keys", None)):
        raise TypeError(
            f"pub {s} is a {type(pub).__name__}, not a SamplerV2 pub result with `.data`; "
            "pass the PrimitiveResult from `job.result()`"
        )
    fields = list(data.keys())
    if len(fields) != 1:
        raise ValueError(
            f"pub {s} has classical registers {fields}; expected exactly one "
            "(use MeasurementDesign.circuits, which measures into 'meas')"
        )
    register = getattr(data, fields[0])
    if not callable(getattr(register, "get_counts", None)):
        raise TypeError(
            f"pub {s}: register {fields[0]!r} is a {type(register).__name__} without "
            "get_counts(); expected the BitArray of a SamplerV2 result"
        )
    return register.get_counts()
