"""Fuzz the ``ttqst`` command line as a hostile user would: bad options and bad input files
for every subcommand.

For each case: exit code 1 (run time) or 2 (usage), exactly one ``Error:`` line on stderr that
names the input and the problem, no traceback, and no file changed or created in the folder
(hashed before and after), also with ``--force`` where an output would overwrite an input.

Most cases run in-process with click's ``CliRunner`` (as the ``ttqst`` script runs ``main``:
standalone mode); a few run as real subprocesses, where stderr is the process's own.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tomography.cli
from tomography.cli import main
from tomography.measure import MeasurementData, MeasurementDesign
from tomography.state import PauliMPO

REPO = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------------- files
def _npz_with_meta(path: Path, source: Path, **changes) -> None:
    """A copy of the archive ``source`` with entries of its JSON ``meta`` replaced."""
    with np.load(source) as raw:
        arrays = dict(raw)
    meta = json.loads(str(arrays.pop("meta")))
    meta.update(changes)
    np.savez(path, meta=np.array(json.dumps(meta)), **arrays)


def _write_inputs(folder: Path) -> None:
    """A good state, data and counts file, and hostile variants of each kind."""
    PauliMPO.from_dense(np.diag([1.0] + [0.0] * 7)).save(folder / "state.npz")
    design = MeasurementDesign(3, 3)
    MeasurementData.from_bits(design, np.zeros((27, 4, 3), np.uint8)).save(folder / "data.npz")
    good = (folder / "data.npz").read_bytes()
    files = {
        "truncated.npz": good[: len(good) // 2],
        "empty.npz": b"",
        "garbage.npz": np.random.default_rng(0).bytes(300),
        "text.npz": b"hello, I am not an archive\n",
        "utf16.json": '{"XXX": {"000": 1}}'.encode("utf-16"),
        "binary.json": b"\xff\xfe\x00\x81{",
        "notjson.json": b"{not json",
        "list.json": b"[1, 2, 3]",
        "emptyobj.json": b"{}",
        "duplicate.json": b'{"XXX": {"000": 1}, "XXX": {"000": 2}}',
        "noheader.qasm": b"qreg q[2];\nh q[0];\n",
        "broken2.qasm": b'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\nfoo q[0];\n',
        "broken3.qasm": b"OPENQASM 3.0;\nqubit[2] q;\nh q[0;\n",
        "undeclared.qasm": b'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncx q[0], r[1];\n',
        "noqubits.qasm": b'OPENQASM 2.0;\ninclude "qelib1.inc";\n',
        "binary.qasm": b"OPENQASM 2.0;\n\xff\xfe\x00\x81",
        "ghz.qasm": b'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[3];\nh q[0];\ncx q[0],q[1];\n',
    }
    for name, content in files.items():
        (folder / name).write_bytes(content)
    settings_ = design.settings
    for name, value in {
        "string": "5",
        "null": None,
        "negative": -3,
        "fraction": 1.5,
        "huge": 2**70,
        "boolean": True,
    }.items():
        counts = {s: {"000": 7} for s in settings_}
        counts[settings_[0]] = {"000": value}
        (folder / f"count_{name}.json").write_text(json.dumps(counts))
    counts = {s: {"000": 7} for s in settings_}
    (folder / "counts.json").write_text(json.dumps(counts))
    (folder / "widebits.json").write_text(json.dumps({s: {"0000": 7} for s in settings_}))
    (folder / "notbits.json").write_text(json.dumps({s: {"0a2": 7} for s in settings_}))
    (folder / "badsetting.json").write_text(json.dumps({"QQQ": {"000": 7}}))
    (folder / "nested.json").write_text(json.dumps({s: [7] for s in settings_}))
    np.save(folder / "array.npy", np.zeros(3))
    (folder / "array.npy").rename(folder / "array.npz")
    np.savez(folder / "nometa.npz", x=np.zeros(3))
    np.savez(folder / "badmeta.npz", meta=np.array("{not json"))
    np.savez(folder / "objects.npz", meta=np.array([{"a": 1}], dtype=object), allow_pickle=True)
    _npz_with_meta(folder / "strversion.npz", folder / "data.npz", version="1")
    _npz_with_meta(folder / "wideheader.npz", folder / "data.npz", n=5)
    _npz_with_meta(folder / "window20.npz", folder / "data.npz", window=20)
    with np.load(folder / "data.npz") as raw:  # a consistent 20-qubit header and outcome width
        arrays = dict(raw)
    meta = {**json.loads(str(arrays.pop("meta"))), "n": 20, "window": 20, "outcome_bits": 20}
    arrays["outcomes"] = np.zeros((arrays["outcomes"].shape[0], 3), np.uint8)
    np.savez(folder / "design20.npz", meta=np.array(json.dumps(meta)), **arrays)
    with zipfile.ZipFile(folder / "zipped.npz", "w") as archive:
        archive.writestr("meta.npy", b"not an npy")
    (folder / "circuits").mkdir()
    (folder / "circuits" / "manifest.json").write_text("{}")
    (folder / "circuits" / "setting_0000.qasm").write_bytes(files["ghz.qasm"])
    (folder / "afile").write_text("a file where a folder belongs")
    (folder / "folder.npz").mkdir()
    (folder / "link.npz").symlink_to(folder / "data.npz")
    two = MeasurementDesign(2, 1)  # two qubits that were never measured together
    MeasurementData.from_bits(two, np.zeros((3, 4, 2), np.uint8)).save(folder / "two.npz")
    PauliMPO.from_dense(np.diag([1.0, 0, 0, 0])).save(folder / "two_state.npz")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hostile")
    _write_inputs(path)
    return path


def _snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with the hash of its content."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _invoke(folder: Path, args: list[str]):
    runner = CliRunner()
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        return runner.invoke(main, args, prog_name="ttqst")
    finally:
        os.chdir(cwd)


def _error_line(code: int, stderr: str, expected: tuple[int, ...] = (1, 2)) -> str:
    """The one ``Error:`` line of a failure (exit code in ``expected``, no traceback)."""
    assert code in expected, (code, stderr)
    assert "Traceback" not in stderr, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, stderr
    if code == 1:  # a run-time failure: that line, and at most warnings before it
        others = [line for line in stderr.strip().splitlines() if line not in errors]
        assert all(line.startswith("Warning: ") for line in others), stderr
        assert "ResourceWarning" not in stderr, stderr  # a file left open
    return errors[0]


# ---------------------------------------------------------------------- the table
# case id -> (arguments, exit code, words the Error line must contain)
SIM = "simulate --circuit ghz --qubits 3"
REC = "reconstruct data.npz"
CNT = "measure --from-counts"
EXP = "measure --export-circuits out_circuits --circuit ghz --qubits"
T12 = str(10**12)
CASES: dict[str, tuple[str, int, tuple[str, ...]]] = {
    # --- bad options, every command
    "simulate seed -1": (f"{SIM} --seed -1 -o o", 2, ("'--seed'", "-1")),
    "measure seed -1": ("measure state.npz --seed -1 -o o", 2, ("'--seed'",)),
    "reconstruct seed -1": (f"{REC} --seed -1 -o o", 2, ("'--seed'",)),
    "compare seed -1": ("compare state.npz --circuit ghz --seed -1", 2, ("'--seed'",)),
    "demo seed -1": ("demo --seed -1", 2, ("'--seed'",)),
    "circuit seed -1": (f"{EXP} 3 --circuit-seed -1", 2, ("'--circuit-seed'",)),
    "simulate qubits 1": ("simulate --qubits 1 -o o", 2, ("'--qubits'", "at least 2")),
    "demo qubits 2": ("demo --qubits 2", 2, ("'--qubits'", "at least 3")),
    "simulate qubits 10^9": ("simulate --qubits 1000000000 -o o", 2, ("'--qubits'", "would need")),
    "demo qubits 10^9": ("demo --qubits 1000000000 --window 3", 2, ("'--qubits'", "would need")),
    "measure shots 10^12": (f"measure state.npz --shots {T12} -o o", 2, ("'--shots'", "TiB")),
    "demo shots 10^12": (
        f"demo --qubits 4 --window 3 --shots {T12}",
        2,
        ("'--shots'", "would need"),
    ),
    "measure shots 0": ("measure state.npz --shots 0 -o o", 2, ("'--shots'",)),
    "measure window 20": (
        "measure state.npz --window 20 -o o",
        2,
        ("'--window'", "largest window is 3"),
    ),
    "demo window 20": ("demo --qubits 30 --window 20", 2, ("'--window'", "would need")),
    "export window 20": (f"{EXP} 30 --window 20", 2, ("'--window'", "would need")),
    "counts window 40": (f"{CNT} counts.json --window 40 -o o", 2, ("'--window'", "would need")),
    "measure window 0": ("measure state.npz --window 0 -o o", 2, ("'--window'",)),
    "reconstruct window 100": (f"{REC} --window 100 -o o", 1, ("window == 100", "allows is 3")),
    "reconstruct window 4": (f"{REC} --window 4 -o o", 1, ("window == 4", "allows is 3")),
    "reconstruct window 1": (f"{REC} --window 1 -o o", 1, ("window == 1", "allows is 3")),
    "reconstruct max rank 0": (f"{REC} --max-rank 0 -o o", 2, ("'--max-rank'",)),
    "reconstruct 2 qubits, window 1": ("reconstruct two.npz -o o", 1, ("window 2",)),
    "p1 out of range": (f"{SIM} --p1 5 -o o", 2, ("'--p1'",)),
    "p2 not a number": (f"{SIM} --p2 lots -o o", 2, ("'--p2'",)),
    "damping negative": (f"{SIM} --damping -0.1 -o o", 2, ("'--damping'",)),
    "t2 above 2 t1": (f"{SIM} --t1 10 --t2 100 -o o", 1, ("t2", "2 t1")),
    "t1 alone": (f"{SIM} --t1 10 -o o", 2, ("--t2",)),
    "gate times negative": (f"{SIM} --t1 9 --t2 9 --gate-times -1 2 -o o", 2, ("'--gate-times'",)),
    "readout text": (f"{SIM} --readout high -o o", 2, ("'--readout'",)),
    "readout triple": (f"{SIM} --readout 0.1,0.1,0.1 -o o", 2, ("'--readout'",)),
    "noisy gates unknown": (
        f"{SIM} --p2 0.1 --noisy-gates foo -o o",
        2,
        ("'--noisy-gates'", "'foo'", "'cx'"),
    ),
    "noisy gates absent": (
        f"{SIM} --p2 0.1 --noisy-gates rzz -o o",
        2,
        ("'--noisy-gates'", "'rzz'", "'h'"),
    ),
    "noisy gates empty": (f"{SIM} --p2 0.1 --noisy-gates , -o o", 2, ("'--noisy-gates'",)),
    "noisy gates of a qasm file": (
        "simulate --qasm ghz.qasm --p1 0.1 --noisy-gates ccx -o o",
        2,
        ("'--noisy-gates'", "'ccx'"),
    ),
    "qasm and qubits disagree": (
        "simulate --qasm ghz.qasm --qubits 5 -o o",
        2,
        ("'--qubits'", "3 qubits"),
    ),
    "tol negative": (f"{SIM} --tol -1 -o o", 2, ("'--tol'",)),
    "p2 nan": (f"{SIM} --p2 nan -o o", 2, ("'--p2'", "finite")),
    "dt infinite": ("simulate --circuit ising --dt inf -o o", 2, ("'--dt'", "finite")),
    "coupling overflows": ("simulate --circuit ising --coupling 1e400 -o o", 2, ("'--coupling'",)),
    "noise scale nan": (f"{REC} --noise-scale nan -o o", 2, ("'--noise-scale'", "finite")),
    "demo p2 nan": ("demo --p2 nan", 2, ("'--p2'", "finite")),
    "compare width 0": ("compare state.npz state.npz --width 0", 2, ("'--width'",)),
    "compare truth twice": ("compare state.npz state.npz --p2 0.1", 2, ("not both",)),
    "unknown option": ("simulate --bogus -o o", 2, ("--bogus",)),
    # --- outputs that collide (with --force too: never over an input)
    "output is the report": (f"{REC} -o x --report x.npz", 2, ("'--report'", "x.npz", "--output")),
    "output is the report, force": (f"{REC} -o x --report x.npz --force", 2, ("'--report'",)),
    "output is the input": (f"{REC} -o data --force", 2, ("'--output'", "data.npz", "input")),
    "report is the input": (f"{REC} -o x --report data.npz --force", 2, ("'--report'", "input")),
    "output is the truth": (
        f"{REC} -o state.npz --truth state.npz --force",
        2,
        ("'--output'", "--truth"),
    ),
    "output is a link to the input": (f"{REC} -o link.npz --force", 2, ("'--output'", "input")),
    "measure output is the state": ("measure state.npz -o state --force", 2, ("input",)),
    "counts output is the counts": (f"{CNT} counts.json -o counts.json --force", 2, ("input",)),
    "simulate output is the qasm": ("simulate --qasm ghz.qasm -o ghz.qasm --force", 2, ("input",)),
    "export over its qasm": (
        "measure --export-circuits circuits --qasm circuits/setting_0000.qasm --force",
        2,
        ("'--export-circuits'", "setting_0000.qasm"),
    ),
    "output exists": (f"{REC} -o state.npz", 1, ("state.npz exists", "--force")),
    "report exists": (f"{REC} -o x --report counts.json", 1, ("counts.json exists", "--force")),
    "both exist": (
        f"{REC} -o state --report counts.json",
        1,
        ("state.npz and counts.json exist", "--force"),
    ),
    "simulate output exists": (f"{SIM} -o state", 1, ("state.npz exists", "--force")),
    "measure output exists": ("measure state.npz -o data.npz", 1, ("data.npz exists", "--force")),
    "counts output exists": (f"{CNT} counts.json -o data.npz", 1, ("data.npz exists", "--force")),
    "output is a folder": (f"{SIM} -o folder.npz", 2, ("folder.npz", "directory")),
    "output is .": (f"{SIM} -o .", 2, ("'--output'", "directory")),
    "report is ..": (f"{REC} -o x --report ..", 2, ("'--report'", "directory")),
    "output folder missing": (f"{SIM} -o nowhere/state", 1, ("nowhere", "does not exist")),
    "export over a manifest": (
        "measure --export-circuits circuits --circuit ghz --qubits 3",
        1,
        ("manifest.json exists", "--force"),
    ),
    "export into a file": (
        "measure --export-circuits afile --circuit ghz --qubits 3",
        2,
        ("afile",),
    ),
    # --- hostile state and data files
    "missing file": ("reconstruct absent.npz -o o", 1, ("absent.npz",)),
    "truncated data": ("reconstruct truncated.npz -o o", 1, ("truncated.npz",)),
    "empty data": ("reconstruct empty.npz -o o", 1, ("empty.npz",)),
    "garbage state": ("compare garbage.npz state.npz", 1, ("garbage.npz",)),
    "text as state": ("measure text.npz -o o", 1, ("text.npz",)),
    "npy as npz": ("compare array.npz state.npz", 1, ("array.npz",)),
    "npz without meta": ("reconstruct nometa.npz -o o", 1, ("nometa.npz",)),
    "npz with broken meta": ("reconstruct badmeta.npz -o o", 1, ("badmeta.npz",)),
    "npz with a pickle": ("compare objects.npz state.npz", 1, ("objects.npz",)),
    "zip with bad member": ("reconstruct zipped.npz -o o", 1, ("zipped.npz",)),
    "state as data": ("reconstruct state.npz -o o", 1, ("state.npz", "state file")),
    "data as state": ("measure data.npz -o o", 1, ("data.npz", "state file")),
    "header of 3^20 settings": ("reconstruct design20.npz -o o", 1, ("design20.npz", "would need")),
    "data as truth": (f"{REC} -o o --truth data.npz", 1, ("data.npz",)),
    "truth of other size": (f"{REC} -o o --truth two_state.npz", 1, ("--truth", "2 qubits")),
    "counts as state": ("compare counts.json state.npz", 1, ("counts.json",)),
    "folder as state": ("compare circuits state.npz", 1, ("circuits",)),
    "qubits differ": ("compare state.npz --circuit ghz --qubits 4", 1, ("qubit count mismatch",)),
    # --- hostile counts files
    "counts not json": (f"{CNT} notjson.json -o o", 1, ("notjson.json",)),
    "counts utf-16": (f"{CNT} utf16.json -o o", 1, ("utf16.json",)),
    "counts binary": (f"{CNT} binary.json -o o", 1, ("binary.json",)),
    "counts a list": (f"{CNT} list.json -o o", 1, ("list.json",)),
    "counts empty": (f"{CNT} emptyobj.json -o o", 1, ("emptyobj.json",)),
    "counts wide bitstrings": (f"{CNT} widebits.json -o o", 1, ("widebits.json",)),
    "counts not bits": (f"{CNT} notbits.json -o o", 1, ("notbits.json",)),
    "counts bad setting": (f"{CNT} badsetting.json -o o", 1, ("badsetting.json",)),
    "counts nested list": (f"{CNT} nested.json -o o", 1, ("nested.json",)),
    "counts missing file": (f"{CNT} absent.json -o o", 1, ("absent.json",)),
    "counts a folder": (f"{CNT} circuits -o o", 2, ("circuits",)),
    # --- hostile OpenQASM files
    "qasm without header": ("simulate --qasm noheader.qasm -o o", 1, ("noheader.qasm", "OPENQASM")),
    "qasm 2 unknown gate": ("simulate --qasm broken2.qasm -o o", 1, ("broken2.qasm", "foo")),
    "qasm 3 syntax error": ("simulate --qasm broken3.qasm -o o", 1, ("broken3.qasm", "line 3")),
    "qasm undeclared register": ("simulate --qasm undeclared.qasm -o o", 1, ("undeclared.qasm",)),
    "qasm without qubits": (
        "simulate --qasm noqubits.qasm -o o",
        1,
        ("noqubits.qasm", "no qubits"),
    ),
    "qasm binary": ("simulate --qasm binary.qasm -o o", 1, ("binary.qasm",)),
    "qasm is npz": ("simulate --qasm state.npz -o o", 1, ("state.npz", "OPENQASM")),
    "qasm missing": ("measure --export-circuits out --qasm absent.qasm", 1, ("absent.qasm",)),
    "compare qasm broken": ("compare state.npz --qasm broken3.qasm", 1, ("broken3.qasm",)),
}

# files the loaders themselves refuse (tomography.exchange, tomography.io, MeasurementData.load):
# accepted silently or with a message that did not name the problem before they checked them
LIBRARY_CASES: dict[str, tuple[str, int, tuple[str, ...]]] = {
    "counts string": (f"{CNT} count_string.json -o o", 1, ("count_string.json", "count")),
    "counts null": (f"{CNT} count_null.json -o o", 1, ("count_null.json", "count")),
    "counts negative": (f"{CNT} count_negative.json -o o", 1, ("count_negative.json",)),
    "counts fraction": (f"{CNT} count_fraction.json -o o", 1, ("count_fraction.json",)),
    "counts huge": (f"{CNT} count_huge.json -o o", 1, ("count_huge.json",)),
    "counts boolean": (f"{CNT} count_boolean.json -o o", 1, ("count_boolean.json",)),
    "counts duplicate key": (f"{CNT} duplicate.json -o o", 1, ("duplicate.json", "XXX")),
    "header wider than outcomes": ("reconstruct wideheader.npz -o o", 1, ("wideheader.npz",)),
    "header window 20": ("reconstruct window20.npz -o o", 1, ("window20.npz",)),
    "version as a string": ("reconstruct strversion.npz -o o", 1, ("strversion.npz",)),
}
# wordings that do not name the problem: a library exception the CLI could only pass on
_VAGUE = ("cannot be read (", "version 1, this ttqst reads version 1", "`window == 0`")


def _check_case(folder: Path, args: str, code: int, words: tuple[str, ...]) -> None:
    before = _snapshot(folder)
    result = _invoke(folder, args.split())
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    line = _error_line(result.exit_code, result.stderr, (code,))
    for word in words:
        assert word in line, (word, line)
    assert _snapshot(folder) == before, "a file was changed or created"


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_input_gives_one_error_line_and_changes_nothing(folder, case):
    _check_case(folder, *CASES[case])


@pytest.mark.parametrize("case", list(LIBRARY_CASES), ids=list(LIBRARY_CASES))
def test_hostile_files_the_loaders_refuse(folder, tmp_path, case):
    args, code, words = LIBRARY_CASES[case]
    work = tmp_path / "work"
    shutil.copytree(folder, work, symlinks=True)
    before = _snapshot(work)
    result = _invoke(work, args.split())
    assert result.exit_code != 0, "accepted silently"
    assert "Traceback" not in result.stderr
    line = _error_line(result.exit_code, result.stderr, (code,))
    for word in words:
        assert word in line, (word, line)
    assert not any(vague in line for vague in _VAGUE), line
    assert _snapshot(work) == before


@pytest.mark.parametrize("option", ["-o", "--report"])
def test_an_empty_file_name_is_refused(folder, option):
    args = ["reconstruct", "data.npz", "-o", "x", option, ""]
    before = _snapshot(folder)
    result = _invoke(folder, args)
    line = _error_line(result.exit_code, result.stderr, (2,))
    assert "expected a file name, got" in line
    assert _snapshot(folder) == before


def test_every_subcommand_is_fuzzed():
    covered = {args.split()[0] for args, _, _ in CASES.values()}
    assert set(main.commands) - {"sweep", "plot"} <= covered  # new commands: add cases
    assert {"simulate", "measure", "reconstruct", "compare", "demo"} <= covered
    modes = " ".join(args for args, _, _ in CASES.values())
    assert "--from-counts" in modes and "--export-circuits" in modes


# ---------------------------------------------------------------------- properties
def _json_containers(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.text(max_size=4), children, max_size=3),
    )


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    _json_containers,
    max_leaves=8,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(content=st.one_of(st.binary(max_size=200), _json.map(lambda v: json.dumps(v).encode())))
def test_any_counts_file_is_refused_in_one_line(tmp_path_factory, content):
    folder = tmp_path_factory.mktemp("counts")
    (folder / "c.json").write_bytes(content)
    before = _snapshot(folder)
    result = _invoke(folder, ["measure", "--from-counts", "c.json", "-o", "o"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "c.json" in _error_line(result.exit_code, result.stderr, (1,))
    assert _snapshot(folder) == before


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(content=st.binary(max_size=300), keep=st.integers(0, 10**6))
def test_any_broken_archive_is_refused_in_one_line(folder, tmp_path_factory, content, keep):
    work = tmp_path_factory.mktemp("archive")
    good = (folder / "data.npz").read_bytes()
    cut = keep % (len(good) - 22)  # into the zip's central directory at least
    (work / "d.npz").write_bytes(good[:cut] + content)
    before = _snapshot(work)
    result = _invoke(work, ["reconstruct", "d.npz", "-o", "o"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "d.npz" in _error_line(result.exit_code, result.stderr, (1,))
    assert _snapshot(work) == before


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    option=st.sampled_from(["--shots", "--window", "--seed", "--max-rank", "--qubits"]),
    value=st.one_of(
        st.integers(max_value=0),
        st.integers(min_value=10**12),
        st.text(max_size=4).filter(lambda t: not t.strip().lstrip("+-").isdigit()),
    ),
)
def test_bad_numbers_name_their_option(folder, option, value):
    if option in ("--max-rank",):
        args = ["reconstruct", "data.npz", "-o", "o", option, str(value)]
    elif option == "--qubits":
        args = ["simulate", "--circuit", "ghz", option, str(value), "-o", "o"]
    else:
        args = ["measure", "state.npz", "-o", "o", option, str(value)]
    if option in ("--seed", "--max-rank") and str(value).isdigit():
        return  # a large seed or rank cap is valid
    before = _snapshot(folder)
    result = _invoke(folder, args)
    line = _error_line(result.exit_code, result.stderr, (2,))
    assert option in line, line
    assert _snapshot(folder) == before


# ---------------------------------------------------------------------- errors, warnings
def test_an_internal_error_is_one_line_and_debug_shows_it(folder, monkeypatch):
    import tomography.metrics

    def broken(*args, **kwargs):
        raise AttributeError("'NoneType' object has no attribute 'cores'")

    monkeypatch.setattr(tomography.cli, "compare", broken)
    result = _invoke(folder, ["compare", "state.npz", "state.npz"])
    line = _error_line(result.exit_code, result.stderr, (1,))
    assert "internal error: AttributeError" in line and "--debug" in line
    result = _invoke(folder, ["--debug", "compare", "state.npz", "state.npz"])
    assert isinstance(result.exception, AttributeError)
    assert tomography.metrics.compare is not broken


def test_memory_error_is_one_line(folder, monkeypatch):
    def hungry(*args, **kwargs):
        raise MemoryError("Unable to allocate 7.3 TiB")

    monkeypatch.setattr(tomography.cli, "compare", hungry)
    line = _error_line(*_result(_invoke(folder, ["compare", "state.npz", "state.npz"])), (1,))
    assert "out of memory" in line and "7.3 TiB" in line


def _result(result) -> tuple[int, str]:
    return result.exit_code, result.stderr


def test_a_rate_that_reaches_no_gate_is_warned_and_left_out(tmp_path):
    result = _invoke(
        tmp_path, ["simulate", "--qubits", "3", "--p1", "0.1", "--p2", "0.01", "-o", "s"]
    )
    assert result.exit_code == 0, result.stderr
    assert "Warning: UserWarning: p1=0.1 is not applied" in result.stderr
    assert "haar2q" in result.stderr
    assert "depolarizing p1=0 p2=0.01" in result.stdout  # what is applied


# ---------------------------------------------------------------------- real processes
def _run(folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, "-m", "tomography.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=folder,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "code", "word"),
    [
        (["simulate", "--qasm", "broken3.qasm", "-o", "o"], 1, "line 3"),
        (["reconstruct", "data.npz", "-o", "x", "--report", "x.npz", "--force"], 2, "--report"),
        (["measure", "state.npz", "--shots", str(10**12), "-o", "o"], 2, "would need"),
    ],
    ids=["qasm 3 parser prints nothing of its own", "collision", "runaway shots"],
)
def test_real_process_prints_one_error_line(folder, args, code, word):
    before = _snapshot(folder)
    out = _run(folder, *args)
    assert word in _error_line(out.returncode, out.stderr, (code,))
    assert _snapshot(folder) == before


def test_warnings_while_reading_an_input_are_shown(folder, monkeypatch):
    import warnings

    load = PauliMPO.load

    def warned(path):
        warnings.warn("stored trace 0.99, renormalised", UserWarning, stacklevel=1)
        return load(path)

    monkeypatch.setattr(PauliMPO, "load", staticmethod(warned))
    result = _invoke(folder, ["compare", "state.npz", "state.npz"])
    assert result.exit_code == 0, result.stderr
    assert "Warning: UserWarning: stored trace 0.99, renormalised" in result.stderr
