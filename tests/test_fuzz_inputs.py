"""Hostile inputs to the loaders and the public API's size and type checks (issue 15).

Every bad input must end in a clear refusal: a ``ValueError`` (``FileFormatError`` is one) or a
``TypeError`` whose message names the input and the problem; never an AttributeError,
IndexError, KeyError, OverflowError, ZeroDivisionError or MemoryError, never a numpy warning
(warnings are errors here), never a file changed, never a silent result.

Property-based (hypothesis) over malformed counts dicts, counts JSON texts, tampered archive
headers and arrays, report fields, sampler results and sizes; table-driven for the examples
of the issue. Examples are few (``max_examples`` 50) so that the file runs in seconds.
"""

from __future__ import annotations

import hashlib
import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from qiskit import QuantumCircuit

from tomography.circuit_ops import circuit_to_ops
from tomography.exchange import load_counts, load_qasm
from tomography.io import FileFormatError, read_report
from tomography.measure import (
    MeasurementData,
    MeasurementDesign,
    assignment_from_calibration,
    measure,
)
from tomography.simulate import simulate
from tomography.state import PauliMPO
from ttcross import TensorTrain
from ttcross.validation import INT64_MAX, check_count, check_int_array

FUZZ = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

N, WINDOW = 3, 1
DESIGN = MeasurementDesign(N, WINDOW)


def refused(func, *args, words=(), types=(ValueError, TypeError), **kwargs) -> str:
    """Run ``func``; it must raise one of ``types`` (no warning) naming every word in
    ``words``. Returns the message."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            result = func(*args, **kwargs)
        except types as exc:
            message = str(exc)
        except Exception as exc:  # noqa: BLE001 - the point of the test
            pytest.fail(f"{type(exc).__name__} instead of a clear refusal: {exc}")
        else:
            pytest.fail(f"accepted silently, returned {result!r:.200}")
    assert message.strip(), "empty message"
    for word in words:
        assert str(word) in message, f"{word!r} not named in: {message}"
    return message


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def good_counts() -> list[dict[str, int]]:
    return [{"000": 3, "101": 2} for _ in range(DESIGN.n_settings)]


# ---------------------------------------------------------------------- counts values
bad_count = st.one_of(
    st.text(max_size=5),
    st.none(),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True).filter(
        lambda x: not (math.isfinite(x) and x.is_integer() and 0 <= x <= 2**53)
    ),
    st.integers(max_value=-1),
    st.integers(min_value=INT64_MAX + 1, max_value=2**200),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)


@FUZZ
@given(value=bad_count, setting=st.integers(0, DESIGN.n_settings - 1))
def test_from_counts_refuses_every_bad_count(value, setting):
    counts = good_counts()
    counts[setting] = {"011": value}
    refused(MeasurementData.from_counts, DESIGN, counts, words=("'011'", "not a count"))


bad_key = st.one_of(
    st.text(max_size=6).filter(lambda k: not (len(k) == N and set(k) <= {"0", "1"})),
    st.integers(),
    st.none(),
    st.sampled_from(["0x5", "0 01", "01 0", " 000", "0001", "00", "0b101"]),
)


@FUZZ
@given(key=bad_key, setting=st.integers(0, DESIGN.n_settings - 1))
def test_from_counts_refuses_every_bad_bitstring(key, setting):
    counts = good_counts()
    counts[setting] = {key: 4}
    refused(MeasurementData.from_counts, DESIGN, counts, words=("not a bitstring of 3 bits",))


@FUZZ
@given(big=st.integers(min_value=2**62, max_value=INT64_MAX))
def test_large_counts_have_exact_totals_or_are_refused(big):
    counts = good_counts()
    counts[0] = {"000": big}
    total = big + 5 * (DESIGN.n_settings - 1)
    if total <= INT64_MAX:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            data = MeasurementData.from_counts(DESIGN, counts)
        assert data.total_shots == total and int(data.shots[0]) == big
    else:
        refused(MeasurementData.from_counts, DESIGN, counts, words=(str(INT64_MAX),))


@pytest.mark.parametrize(
    "value, expected",
    [(5, 5), (np.int32(7), 7), (2.0, 2), (np.float64(3.0), 3), (0, 0), (INT64_MAX, INT64_MAX)],
)
def test_check_count_accepts_exact_integers(value, expected):
    assert check_count(value, "count") == expected


# ---------------------------------------------------------------------- counts JSON files
def counts_text(table: dict) -> str:
    return json.dumps(table)


def _valid_table() -> dict:
    return {s: {"000": 4, "110": 1} for s in DESIGN.settings}


json_mutations = st.sampled_from(
    [
        # (description, function from text to text)
        ("repeated setting", lambda t: t[:-1] + ', "X": {"000": 9}}'),
        ("repeated bitstring", lambda t: t.replace('"000": 4', '"000": 4, "000": 7', 1)),
        ("string count", lambda t: t.replace('"000": 4', '"000": "4"', 1)),
        ("null count", lambda t: t.replace('"000": 4', '"000": null', 1)),
        ("bool count", lambda t: t.replace('"000": 4', '"000": true', 1)),
        ("fraction", lambda t: t.replace('"000": 4', '"000": 4.5', 1)),
        ("negative", lambda t: t.replace('"000": 4', '"000": -4', 1)),
        ("overflow", lambda t: t.replace('"000": 4', '"000": 1e400', 1)),
        ("NaN", lambda t: t.replace('"000": 4', '"000": NaN', 1)),
        ("Infinity", lambda t: t.replace('"000": 4', '"000": Infinity', 1)),
        ("huge", lambda t: t.replace('"000": 4', '"000": 99999999999999999999999', 1)),
        ("hex key", lambda t: t.replace('"000"', '"0x0"', 1)),
        ("spaced key", lambda t: t.replace('"000"', '"0 00"', 1)),
        ("short key", lambda t: t.replace('"000"', '"00"', 1)),
        ("foreign setting", lambda t: t.replace('"XXX"', '"XQX"', 1)),
        ("setting list", lambda t: t.replace('{"000": 4, "110": 1}', "[4, 1]", 1)),
        ("truncated", lambda t: t[: len(t) // 2]),
        ("not an object", lambda t: "[" + t + "]"),
    ]
)


@FUZZ
@given(mutation=json_mutations)
def test_load_counts_refuses_malformed_json(tmp_path_factory, mutation):
    _, change = mutation
    path = tmp_path_factory.mktemp("counts") / "counts.json"
    path.write_text(change(counts_text(_valid_table())), encoding="utf-8")
    before = digest(path)
    refused(load_counts, path, words=(path.name,))
    assert digest(path) == before


@FUZZ
@given(junk=st.binary(max_size=64))
def test_load_counts_refuses_random_bytes(tmp_path_factory, junk):
    path = tmp_path_factory.mktemp("junk") / "junk.json"
    path.write_bytes(junk)
    refused(load_counts, path)


def test_load_counts_accepts_the_valid_table(tmp_path):
    path = tmp_path / "counts.json"
    path.write_text(counts_text(_valid_table()), encoding="utf-8")
    assert load_counts(path).total_shots == 5 * DESIGN.n_settings


# ---------------------------------------------------------------------- archives
@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("archives")
    data = MeasurementData.from_counts(DESIGN, good_counts())
    state = simulate(QuantumCircuit(N))
    return data.save(folder / "data.npz"), state.save(folder / "state.npz")


def _tamper(source: Path, target: Path, meta_change=None, arrays_change=None) -> Path:
    with np.load(source, allow_pickle=False) as raw:
        arrays = {key: raw[key] for key in raw.files}
    meta = json.loads(str(arrays.pop("meta")))
    for key, value in (meta_change or {}).items():
        if value is _DROP:
            meta.pop(key, None)
        else:
            meta[key] = value
    for key, value in (arrays_change or {}).items():
        if value is _DROP:
            arrays.pop(key, None)
        else:
            arrays[key] = value
    np.savez_compressed(target, meta=np.array(json.dumps(meta)), **arrays)
    return target


_DROP = object()
json_values = st.one_of(
    st.integers(-3, 40),
    st.integers(min_value=10**6, max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=4),
    st.none(),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.just(_DROP),
)
DATA_HEADER = {"format": "ttqst.MeasurementData", "version": 1, "n": N, "window": WINDOW,
               "outcome_bits": N}  # fmt: skip


@FUZZ
@given(key=st.sampled_from(sorted(DATA_HEADER)), value=json_values)
def test_measurement_file_with_tampered_header_is_refused(saved, tmp_path_factory, key, value):
    if value is not _DROP and type(value) is int and value == DATA_HEADER[key]:
        return  # unchanged
    if key == "outcome_bits" and value is _DROP:
        return  # files of earlier writers have no outcome_bits: still valid
    path = _tamper(saved[0], tmp_path_factory.mktemp("h") / "t.npz", {key: value})
    before = digest(path)
    refused(MeasurementData.load, path, words=(path.name,), types=(FileFormatError,))
    assert digest(path) == before


def _bad_array(draw_kind: str, rows: int) -> np.ndarray:
    return {
        "fraction": np.full(rows, 1.5),
        "negative": -np.ones(rows, dtype=np.int64),
        "text": np.array(["1"] * rows),
        "nan": np.full(rows, np.nan),
        "short": np.ones(max(rows - 1, 0), dtype=np.int64),
        "matrix": np.ones((rows, 2), dtype=np.int64),
        "huge": np.full(rows, 2**64 - 1, dtype=np.uint64),
        "empty": np.zeros(0, dtype=np.int64),
    }[draw_kind]


@FUZZ
@given(
    key=st.sampled_from(["counts", "setting_index", "outcomes", "assignment"]),
    kind=st.sampled_from(["fraction", "negative", "text", "nan", "short", "matrix", "huge"]),
)
def test_measurement_file_with_tampered_arrays_is_refused(saved, tmp_path_factory, key, kind):
    with np.load(saved[0], allow_pickle=False) as raw:
        rows = raw["counts"].shape[0]
    array = _bad_array(kind, rows)
    if key == "assignment":
        array = np.broadcast_to(array[:1].astype(np.float64, copy=False), (N, 2, 2)).copy() \
            if kind not in ("text", "short", "empty") else array  # fmt: skip
    path = _tamper(saved[0], tmp_path_factory.mktemp("a") / "t.npz", None, {key: array})
    refused(MeasurementData.load, path, words=(path.name,), types=(FileFormatError,))


@FUZZ
@given(key=st.sampled_from(["n", "log_scale", "truncation_error", "version", "format"]),
       value=json_values)  # fmt: skip
def test_state_file_with_tampered_header_is_refused(saved, tmp_path_factory, key, value):
    original = {"n": N, "version": 1, "format": "ttqst.PauliMPO"}
    if key in ("log_scale", "truncation_error") and type(value) in (int, float):
        if key == "log_scale" or value >= 0:
            return  # another finite scale or error bound is a valid file
    if value is not _DROP and type(value) is int and value == original.get(key):
        return
    path = _tamper(saved[1], tmp_path_factory.mktemp("s") / "t.npz", {key: value})
    refused(PauliMPO.load, path, words=(path.name,), types=(FileFormatError,))


@FUZZ
@given(
    signs=st.lists(st.sampled_from([-1.0, 0.0, np.nan, np.inf]), min_size=N, max_size=N),
)
def test_state_file_without_a_positive_trace_is_refused(saved, tmp_path_factory, signs):
    with np.errstate(invalid="ignore"):
        cores = {f"core_{k}": (s * np.array([1.0, 0, 0, 1])).reshape(1, 4, 1) for k, s in
                 enumerate(signs)}  # fmt: skip
        if np.prod(signs) > 0:
            return
    path = _tamper(saved[1], tmp_path_factory.mktemp("c") / "t.npz", None, cores)
    refused(PauliMPO.load, path, words=(path.name,), types=(FileFormatError,))


@pytest.mark.parametrize("trace_sign", [-1.0, 0.0])
def test_sampling_a_non_state_is_refused(trace_sign):
    core = np.array([1.0, 0, 0, 1]).reshape(1, 4, 1)
    state = PauliMPO(TensorTrain([trace_sign * core, core, core]))
    refused(state.sample, ["ZZZ"], 5, words=("trace",))
    refused(measure, state, DESIGN, 5, words=("trace",))


# ---------------------------------------------------------------------- reports
REPORT = {
    "format": "ttqst-report", "version": 1, "kind": "reconstruction", "created": "2026",
    "inputs": {}, "state": {"n": 3}, "method": "cross", "window": 3, "settings": 27,
    "cuts": [], "quality": {}, "warnings": [], "timings": {},
}  # fmt: skip


def test_read_report_accepts_a_complete_report(tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(REPORT))
    assert read_report(path) == REPORT


@FUZZ
@given(key=st.sampled_from(sorted(REPORT)), value=json_values)
def test_read_report_refuses_tampered_fields(tmp_path_factory, key, value):
    if value is not _DROP and type(value) is type(REPORT[key]):
        if key not in ("format", "version") or value == REPORT[key]:
            return  # a value of the right type (other than format and version) is valid
    report = {k: v for k, v in REPORT.items() if k != key}
    if value is not _DROP:
        report[key] = value
    path = tmp_path_factory.mktemp("r") / "r.json"
    path.write_text(json.dumps(report))
    refused(read_report, path, words=(path.name,), types=(FileFormatError,))


@pytest.mark.parametrize(
    "text",
    ['{"format": "ttqst-report", "version": "1"}', '{"format": "ttqst-report", "version": 1.0}',
     '{"format": "ttqst-report", "version": true}', '{"format": "ttqst-report", "format": "x"}',
     '{"format": "ttqst-report", "version": NaN}', "[]", "", "\u00ff"],
)  # fmt: skip
def test_read_report_refuses_malformed_text(tmp_path, text):
    path = tmp_path / "r.json"
    path.write_text(text, encoding="utf-8")
    message = refused(read_report, path, words=(path.name,), types=(FileFormatError,))
    if '"1"' in text:
        assert "version '1' (a str), expected the integer 1" in message


# ---------------------------------------------------------------------- sampler results
class _Job:
    def result(self):  # pragma: no cover - never called
        raise AssertionError


@FUZZ
@given(
    result=st.one_of(
        st.none(),
        st.integers(),
        st.text(max_size=3),
        st.just(_Job()),
        st.just([{"000": 5}] * 3),
        st.just({"000": 5}),
        st.lists(st.integers(), min_size=3, max_size=3),
    )
)
def test_from_sampler_result_refuses_what_is_not_a_result(result):
    message = refused(MeasurementData.from_sampler_result, DESIGN, result, types=(TypeError,))
    assert "result" in message


def test_from_sampler_result_names_job_result():
    refused(MeasurementData.from_sampler_result, DESIGN, _Job(), words=("job.result()",))


# ---------------------------------------------------------------------- arrays, sizes, types
@FUZZ
@given(
    value=st.one_of(
        st.sampled_from([0.5, -1, 2, 255, np.nan, -0.5, 1.5]),
        st.integers(min_value=2, max_value=2**40),
    ),
    which=st.sampled_from(["outcomes", "counts", "setting_index"]),
)
def test_constructor_refuses_bad_values(value, which):
    outcomes = np.zeros((3, N), dtype=np.uint8)
    counts = np.ones(3, dtype=np.int64)
    index = np.arange(3)
    if which == "outcomes":
        outcomes = outcomes.astype(float)
        outcomes[1, 2] = value
    elif which == "counts":
        counts = counts.astype(float)
        counts[1] = -abs(value) if isinstance(value, int) else value
    else:
        index = index.astype(float)
        index[1] = value + 3 if isinstance(value, int) and value >= 0 else value
    refused(MeasurementData, DESIGN, outcomes, counts, index, words=(which,))


@FUZZ
@given(
    array=st.one_of(
        st.just(np.array(["a", "b"])),
        st.just(np.array([1, None], dtype=object)),
        st.just(np.array([1.25, 2.0])),
        st.just(np.array([2**70], dtype=object)),
        st.just(np.array([np.inf])),
    )
)
def test_check_int_array_refuses(array):
    refused(check_int_array, array, "idx", words=("idx",))


@FUZZ
@given(n=st.integers(min_value=10**11, max_value=10**18), window=st.integers(1, 3))
def test_designs_beyond_memory_are_refused_with_the_size(n, window):
    refused(MeasurementDesign, n, window, words=("would need", "lower the window"))


@FUZZ
@given(shots=st.integers(min_value=10**12, max_value=10**20))
def test_measuring_beyond_memory_is_refused_with_the_size(shots):
    state = simulate(QuantumCircuit(N))
    refused(measure, state, DESIGN, shots, words=("would need", "lower shots"))


@pytest.mark.parametrize(
    "args, word",
    [(("3", 1), "`n`"), ((3.0, 1), "`n`"), ((True, 1), "`n`"), ((3, None), "`window`"),
     ((3, 4), "window <= 3"), ((0, 1), "`n == 0`")],
)  # fmt: skip
def test_design_types_and_values(args, word):
    refused(MeasurementDesign, *args, words=(word,))


def test_tiny_file_declaring_window_20_is_refused_with_the_size(saved, tmp_path):
    path = _tamper(saved[0], tmp_path / "w20.npz", {"n": 20, "window": 20, "outcome_bits": 20})
    with np.load(saved[0], allow_pickle=False) as raw:
        packed = np.zeros((raw["counts"].shape[0], 3), dtype=np.uint8)
    path = _tamper(path, tmp_path / "w20b.npz", None, {"outcomes": packed})
    refused(MeasurementData.load, path, words=("would need", path.name), types=(FileFormatError,))


# ---------------------------------------------------------------------- calibration, circuits
@pytest.mark.parametrize(
    "zeros, ones, word",
    [({"00": 0}, {"11": 5}, "no shots"), ({"00": -5, "01": 10}, {"11": 5}, "-5"),
     ({"00": 2.5}, {"11": 5}, "2.5"), ({"00": "5"}, {"11": 5}, "'5'"),
     ({"00": 5}, {"111": 5}, "different qubit counts"), ([], {"11": 5}, "counts_zeros"),
     ({"0x0": 5}, {"11": 5}, "hexadecimal")],
)  # fmt: skip
def test_calibration_counts_are_checked(zeros, ones, word):
    refused(assignment_from_calibration, zeros, ones, words=(word,))


def _gate(kind: str) -> QuantumCircuit:
    qc = QuantumCircuit(3)
    if kind == "ccx":
        qc.ccx(0, 1, 2)
    elif kind == "nan":
        qc.h(0)
        qc.rx(float("nan"), 1)
    elif kind == "inf":
        qc.rzz(float("inf"), 0, 1)
    return qc


@pytest.mark.parametrize(
    "kind, words",
    [("ccx", ("'ccx' on qubits (0, 1, 2)", "'cx'")), ("nan", ("instruction 1 'rx'", "nan")),
     ("inf", ("'rzz' on qubits (0, 1)", "inf"))],
)  # fmt: skip
def test_circuit_messages_name_the_written_instruction(kind, words):
    refused(circuit_to_ops, _gate(kind), words=words)


def test_empty_circuits():
    assert simulate(QuantumCircuit(2)).n == 2  # no gates: the product state |00>
    refused(simulate, QuantumCircuit(0), words=("no qubits",))


@pytest.mark.parametrize(
    "text, word",
    [("OPENQASM 2.0;\n", "no qubits"), ('OPENQASM 2.0;\nqreg q[2];\nfoo q[0];\n', "cannot parse"),
     ("OPENQASM 3.0;\nqubit[2] q;\nfoo q[0];\n", "cannot parse"), ("hello", "OpenQASM")],
)  # fmt: skip
def test_load_qasm_refuses_with_the_path(tmp_path, text, word):
    path = tmp_path / "c.qasm"
    path.write_text(text)
    refused(load_qasm, path, words=(word, path.name), types=(ValueError,))


@FUZZ
@given(junk=st.binary(max_size=300), loader=st.sampled_from(["data", "state"]))
def test_archive_loaders_refuse_random_bytes(tmp_path_factory, junk, loader):
    path = tmp_path_factory.mktemp("bytes") / "junk.npz"
    path.write_bytes(junk)
    load = MeasurementData.load if loader == "data" else PauliMPO.load
    refused(load, path, words=(path.name,), types=(FileFormatError,))
    assert path.read_bytes() == junk


@FUZZ
@given(
    counts=st.one_of(
        st.none(), st.integers(), st.text(max_size=3), st.just({"000": 1}),
        st.lists(st.integers(), min_size=3, max_size=3), st.just(np.zeros(3)),
    )
)  # fmt: skip
def test_from_counts_refuses_what_is_not_a_list_of_dicts(counts):
    refused(MeasurementData.from_counts, DESIGN, counts, words=("count",))
