"""Tests for the ``ttqst`` command line, run as a user would: ``python -m tomography.cli`` in a
subprocess, importing this tree (``PYTHONPATH`` = the repository root), at small sizes."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tomography.io import read_report
from tomography.measure import DATA_FORMAT_VERSION, MeasurementData, MeasurementDesign
from tomography.state import PauliMPO

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 120  # seconds per command
COMMANDS = ("simulate", "measure", "reconstruct", "compare", "demo")


def _run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "OPENBLAS_NUM_THREADS": "1",
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, "-m", "tomography.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=env,
        cwd=cwd,
    )


def _ok(out: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    return out


def _one_error_line(out: subprocess.CompletedProcess, code: int = 1) -> str:
    """A failure with exactly one ``Error:`` line on stderr and no traceback."""
    assert out.returncode == code, (out.returncode, out.stdout, out.stderr)
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), out.stderr
    return lines[0]


# ---------------------------------------------------------------------- entry points, help
def test_entry_point_is_installed():
    script = shutil.which("ttqst", path=str(Path(sys.executable).parent))
    assert script is not None, "the ttqst console script is not installed next to python"


def test_module_invocation_and_version():
    out = _ok(_run("--version"))
    assert "0.1.0" in out.stdout


def test_group_help_lists_the_commands_with_an_example():
    out = _ok(_run("--help"))
    assert "Example" in out.stdout and "--debug" in out.stdout
    for command in COMMANDS:
        assert command in out.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_shows_an_example(command):
    out = _ok(_run(command, "--help"))
    assert "Example:" in out.stdout and f"ttqst {command}" in out.stdout


def test_measure_help_documents_the_counts_layout():
    text = " ".join(_ok(_run("measure", "-h")).stdout.split())
    assert "--from-counts" in text and "--export-circuits" in text
    assert "Qiskit bit order" in text and "right-most" in text


# ---------------------------------------------------------------------- the pipeline
def _readme_commands() -> list[list[str]]:
    """The bash block of README.md's "Command line" section, one argv per line."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Command line", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [shlex.split(line) for line in block.strip().splitlines()]


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    """Run the README's command-line block: simulate -> measure -> reconstruct -> compare."""
    folder = tmp_path_factory.mktemp("pipeline")
    outputs = []
    for argv in _readme_commands():
        assert argv[0] == "ttqst"
        outputs.append(_ok(_run(*argv[1:], cwd=folder)))
    return folder, outputs


def test_readme_pipeline_writes_every_file_and_prints_a_summary(pipeline):
    folder, (simulated, measured, reconstructed, compared) = pipeline
    truth = PauliMPO.load(folder / "truth.npz")
    assert truth.n == 6 and max(truth.bond_dims) == 16
    assert re.search(r"bond dims 4,16,4,16,4 .*truncation error 0, trace kept 1", simulated.stdout)
    data = MeasurementData.load(folder / "data.npz")
    assert data.design.window == 5 and data.total_shots == 243 * 1000
    assert "243 settings" in measured.stdout
    estimate = PauliMPO.load(folder / "estimate.npz")
    assert estimate.n == 6 and "ranks" in reconstructed.stdout
    fidelity = float(re.search(r"fidelity \(Uhlmann.*: ([0-9.]+)", compared.stdout).group(1))
    assert 0.85 < fidelity <= 1.0  # measured 0.948
    for what in ("trace distance", "overlap fidelity", "relative error", "min local fidelity"):
        assert what in compared.stdout


def test_reconstruction_report_has_the_promised_fields(pipeline):
    folder, _ = pipeline
    report = read_report(folder / "report.json")
    assert report["format"] == "ttqst-report" and report["version"] == 1
    assert report["inputs"]["data_file"] == "data.npz"
    assert report["state"]["ranks"] == list(PauliMPO.load(folder / "estimate.npz").bond_dims)
    assert len(report["cuts"]) == 5
    assert {"singular_values", "noise_norm", "rank_above_noise", "effective_condition"} <= set(
        report["cuts"][0]
    )
    assert set(report["bound"]) >= {"value", "probability", "violations"}
    assert isinstance(report["warnings"], list)
    assert report["timings"]["reconstruct"] > 0 and report["timings"]["total"] > 0
    assert report["quality"]["negativity"] >= 0
    json.loads((folder / "report.json").read_text(), parse_constant=pytest.fail)  # strict JSON


def test_compare_with_a_simulated_truth_prints_json(pipeline):
    folder, (*_, compared) = pipeline
    out = _ok(
        _run(
            "compare", "estimate.npz", "--circuit", "brickwork", "--qubits", "6", "--depth", "2",
            "--seed", "1", "--p1", "0.001", "--p2", "0.01", "--json", "--quiet", cwd=folder,
        )
    )  # fmt: skip
    result = json.loads(out.stdout)
    assert result["format"] == "ttqst-comparison" and result["n"] == 6
    text_fidelity = float(re.search(r"Uhlmann.*: ([0-9.]+)", compared.stdout).group(1))
    assert result["fidelity"] == pytest.approx(text_fidelity, abs=1e-6)  # same truth
    assert 0 < result["min_local_fidelity"] <= 1 and result["relative_error"] > 0
    assert result["metrics"]["local"]["width"] == 3


def test_reconstruct_options_and_truth_reach_the_report(pipeline):
    folder, _ = pipeline
    out = _ok(
        _run(
            "reconstruct", "data.npz", "-o", "capped", "--report", "capped.json", "--window", "3",
            "--max-rank", "4", "--regularization", "truncation", "--truth", "truth.npz", cwd=folder,
        )
    )  # fmt: skip
    assert "fidelity" in out.stdout
    report = read_report(folder / "capped.json")
    assert max(report["state"]["ranks"]) <= 4 and report["window"] == 3
    assert report["inputs"]["options"]["max_rank"] == 4 and report["bound"] is None
    assert 0 < report["comparison"]["fidelity"] <= 1


# ---------------------------------------------------------------------- circuits out, counts in
def test_export_circuits_run_in_aer_and_import_counts(tmp_path):
    from qiskit import qasm2, transpile
    from qiskit_aer import AerSimulator

    family = ("--circuit", "brickwork", "--qubits", "4", "--depth", "1")
    _ok(_run("measure", "--export-circuits", tmp_path / "circuits", *family, "--circuit-seed",
             "5", "--window", "3"))  # fmt: skip
    manifest = json.loads((tmp_path / "circuits" / "manifest.json").read_text())
    assert manifest["format"] == "ttqst-circuits" and manifest["n"] == 4
    assert len(manifest["settings"]) == 27 and "right-most" in manifest["bit_order"]
    circuits = [
        qasm2.load(
            tmp_path / "circuits" / entry["file"],
            custom_instructions=qasm2.LEGACY_CUSTOM_INSTRUCTIONS,
        )
        for entry in manifest["settings"]
    ]
    backend = AerSimulator(seed_simulator=11)
    result = backend.run(transpile(circuits, backend, seed_transpiler=1), shots=4000).result()
    counts = {
        entry["setting"]: result.get_counts(i) for i, entry in enumerate(manifest["settings"])
    }
    (tmp_path / "counts.json").write_text(json.dumps(counts))
    _ok(_run("measure", "--from-counts", tmp_path / "counts.json", "-o", tmp_path / "data"))
    data = MeasurementData.load(tmp_path / "data.npz")
    assert data.design.window == 3 and data.total_shots == 27 * 4000
    _ok(_run("reconstruct", tmp_path / "data.npz", "-o", tmp_path / "estimate"))
    out = _ok(_run("compare", tmp_path / "estimate.npz", *family, "--seed", "5", "--json"))
    assert json.loads(out.stdout)["fidelity"] > 0.95  # noiseless depth 1: window 3 is exact


def test_export_circuits_as_openqasm_3(tmp_path):
    _ok(_run("measure", "--export-circuits", tmp_path, "--circuit", "ising", "--qubits", "3",
             "--steps", "1", "--window", "2", "--qasm-version", "3"))  # fmt: skip
    files = sorted(tmp_path.glob("setting_*.qasm"))
    assert len(files) == 9 and files[0].read_text().startswith("OPENQASM 3")
    again = _run("measure", "--export-circuits", tmp_path, "--qubits", "3", "--window", "2")
    assert "--force" in _one_error_line(again)


def test_simulate_reads_openqasm_2_and_3_files(tmp_path):
    body = "h q[0];\ncx q[0], q[1];\ncx q[1], q[2];\n"
    (tmp_path / "ghz2.qasm").write_text(
        'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[3];\ncreg c[3];\n' + body
        + "measure q -> c;\n"
    )  # fmt: skip
    (tmp_path / "ghz3.qasm").write_text(
        'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[3] q;\n' + body
    )
    for name in ("ghz2", "ghz3"):
        out = _ok(_run("simulate", "--qasm", tmp_path / f"{name}.qasm", "--p2", "0.02",
                       "-o", tmp_path / name))  # fmt: skip
        assert "3 qubits" in out.stdout
    a, b = (PauliMPO.load(tmp_path / f"{name}.npz") for name in ("ghz2", "ghz3"))
    np.testing.assert_allclose(a.to_dense(), b.to_dense(), atol=1e-12)
    assert a.purity() < 0.99  # the noise reached the file's cx gates


# ---------------------------------------------------------------------- --force
def test_outputs_are_never_replaced_without_force(tmp_path):
    args = ("simulate", "--circuit", "ghz", "--qubits", "3", "-o", tmp_path / "state.npz")
    _ok(_run(*args))
    before = (tmp_path / "state.npz").read_bytes()
    refused = _run(*args[:-2], "--qubits", "4", "-o", tmp_path / "state")  # .npz added
    assert "exists" in _one_error_line(refused) and "--force" in refused.stderr
    assert (tmp_path / "state.npz").read_bytes() == before
    _ok(_run(*args[:-2], "--qubits", "4", "-o", tmp_path / "state", "--force"))
    assert PauliMPO.load(tmp_path / "state.npz").n == 4


# ---------------------------------------------------------------------- bad input
@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A state, a data file and broken variants of them."""
    folder = tmp_path_factory.mktemp("files")
    state = PauliMPO.from_dense(np.diag([1.0, 0, 0, 0]))
    state.save(folder / "state.npz")
    data = MeasurementData.from_bits(MeasurementDesign(2, 2), np.zeros((9, 3, 2), np.uint8))
    data.save(folder / "data.npz")
    good = (folder / "data.npz").read_bytes()
    (folder / "truncated.npz").write_bytes(good[: len(good) // 2])
    (folder / "garbage.npz").write_bytes(np.random.default_rng(0).bytes(200))
    with np.load(folder / "data.npz") as raw:
        arrays = dict(raw)
    meta = json.loads(str(arrays.pop("meta")))
    meta["version"] = DATA_FORMAT_VERSION + 1
    np.savez(folder / "future.npz", meta=np.array(json.dumps(meta)), **arrays)
    (folder / "noheader.qasm").write_text("qreg q[2];\nh q[0];\n")
    (folder / "broken.qasm").write_text("OPENQASM 2.0;\nqreg q[2];\nfoo q[0];\n")
    (folder / "counts.json").write_text(json.dumps({"XX": {"00": 5}, "XY": {"00": 5}}))
    (folder / "notjson.json").write_text("{not json")
    return folder


BAD_INPUTS = {
    "missing data file": (("reconstruct", "absent.npz", "-o", "out"), "no file at absent.npz"),
    "state given as data": (("reconstruct", "state.npz", "-o", "out"), "it is a ttqst state file"),
    "data given as state": (("compare", "data.npz", "state.npz"), "it is a ttqst measurement"),
    "data to measure": (("measure", "data.npz", "-o", "out"), "not a ttqst state file"),
    "other version": (("reconstruct", "future.npz", "-o", "out"), "format version 2"),
    "truncated file": (("reconstruct", "truncated.npz", "-o", "out"), "corrupt or truncated"),
    "garbage file": (("compare", "garbage.npz", "state.npz"), "not an .npz archive"),
    "qasm without header": (("simulate", "--qasm", "noheader.qasm", "-o", "out"), "OPENQASM"),
    "qasm that fails to parse": (("simulate", "--qasm", "broken.qasm", "-o", "out"), "foo"),
    "counts with missing settings": (
        ("measure", "--from-counts", "counts.json", "--window", "2", "-o", "out"),
        "missing: expected 9",
    ),
    "counts that are not JSON": (
        ("measure", "--from-counts", "notjson.json", "-o", "out"),
        "not a JSON file",
    ),
    "report exists": (
        ("reconstruct", "data.npz", "-o", "fresh", "--report", "state.npz"),
        "state.npz exists; pass --force",
    ),
    "window wider than the data": (
        ("reconstruct", "data.npz", "-o", "out", "--window", "5"),
        "exceeds",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_input_gives_one_error_line(files, case):
    args, message = BAD_INPUTS[case]
    line = _one_error_line(_run(*args, cwd=files))
    assert message in line
    assert not (files / "out.npz").exists() and not (files / "fresh.npz").exists()


BAD_USAGE = {
    "probability out of range": (("simulate", "--p2", "2", "-o", "x"), "'--p2'"),
    "no measure mode": (("measure",), "exactly one of"),
    "two measure modes": (("measure", "state.npz", "--from-counts", "c.json", "-o", "x"), "one"),
    "no output": (("measure", "state.npz"), "'--output'"),
    "window wider than the state": (("measure", "state.npz", "-o", "x", "--window", "3"), "3"),
    "compare without a truth": (("compare", "state.npz"), "missing the true state"),
    "truth twice": (("compare", "state.npz", "state.npz", "--p2", "0.1"), "not both"),
    "t1 without t2": (("simulate", "--t1", "100", "-o", "x"), "--t2"),
    "circuit option when sampling": (("measure", "state.npz", "-o", "x", "--qasm", "a"), "--qasm"),
    "shots with counts": (
        ("measure", "--from-counts", "c.json", "-o", "x", "--shots", "9"),
        "--shots",
    ),
    "bad readout": (("simulate", "--readout", "0.1,2", "-o", "x"), "'--readout'"),
    "unknown command": (("tomograph",), "No such command"),
}


@pytest.mark.parametrize("case", list(BAD_USAGE), ids=list(BAD_USAGE))
def test_bad_usage_exits_2_with_an_error_line(files, case):
    args, message = BAD_USAGE[case]
    out = _run(*args, cwd=files)
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: ") and message in last


def test_debug_shows_the_traceback(files):
    out = _run("--debug", "reconstruct", "state.npz", "-o", "out", cwd=files)
    assert out.returncode == 1
    assert "Traceback" in out.stderr and "FileFormatError" in out.stderr


# ---------------------------------------------------------------------- demo
def test_demo_runs_and_reports_fidelity_before_and_after_refine():
    out = _ok(_run("demo", "--qubits", "6", "--shots", "500", "--refine"))
    text = out.stdout
    assert "6-qubit" in text and "243 settings x 500 shots" in text
    line = next(line for line in text.splitlines() if line.startswith("fidelity"))
    assert 0.7 < float(line.rsplit(":", 1)[1]) <= 1.0  # measured 0.905 with the default seed
    assert "overlap fidelity" in text
    assert "refined in" in text and "fidelity" in text.split("refined in")[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--qubits", "3"), "'--window': 5 exceeds --qubits 3"),
        (("--shots", "0"), "'--shots'"),
        (("--window", "2"), "'--window'"),
        (("--qubits", "six"), "'--qubits'"),
    ],
)
def test_demo_rejects_bad_options_without_a_traceback(args, message):
    out = _run("demo", *args)
    assert out.returncode == 2
    assert message in out.stderr and "Traceback" not in out.stderr


# ---------------------------------------------------------------------- warnings
def test_reconstruct_warnings_go_to_stderr_and_the_report(tmp_path):
    _ok(_run("simulate", "--circuit", "ghz", "--qubits", "5", "-o", tmp_path / "ghz"))
    _ok(_run("measure", tmp_path / "ghz.npz", "--window", "3", "--shots", "200", "-o",
             tmp_path / "data", "--readout-error", "0.02,0.05", "--mitigate"))  # fmt: skip
    assignment = MeasurementData.load(tmp_path / "data.npz").assignment
    np.testing.assert_allclose(assignment[3], [[0.98, 0.05], [0.02, 0.95]])  # A[measured, true]
    out = _ok(_run("reconstruct", tmp_path / "data.npz", "-o", tmp_path / "est", "--report",
                   tmp_path / "report.json"))  # fmt: skip
    assert "Warning: LongRangeCorrelationWarning: " in out.stderr
    report = read_report(tmp_path / "report.json")
    assert any("coherence beyond the window" in text for text in report["warnings"])


# ---------------------------------------------------------------------- library hooks
@pytest.mark.filterwarnings("ignore:qubits 2 apart")  # 50 shots, window 3 < light cone 5
def test_progress_callbacks_count_to_the_end_and_change_nothing():
    from tomography.circuits import brickwork
    from tomography.measure import measure
    from tomography.noise import depolarizing
    from tomography.reconstruct import reconstruct
    from tomography.simulate import simulate

    calls = {"simulate": [], "measure": [], "reconstruct": []}
    circuit, noise = brickwork(5, 2, seed=3), depolarizing(0.001, 0.01)
    state = simulate(circuit, noise, progress=lambda *a: calls["simulate"].append(a))
    np.testing.assert_array_equal(state.to_dense(), simulate(circuit, noise).to_dense())
    design = MeasurementDesign(5, 3)
    data = measure(state, design, 50, seed=1, progress=lambda *a: calls["measure"].append(a))
    np.testing.assert_array_equal(data.outcomes, measure(state, design, 50, seed=1).outcomes)
    result = reconstruct(data, progress=lambda *a: calls["reconstruct"].append(a))
    np.testing.assert_allclose(
        result.state.to_dense(), reconstruct(data).state.to_dense(), atol=1e-14
    )
    assert calls["simulate"][0] == (0, 4) and calls["simulate"][-1] == (4, 4)  # 4 gates
    assert calls["measure"][0] == (0, 27 * 50) and calls["measure"][-1] == (27 * 50, 27 * 50)
    assert calls["reconstruct"] == [(k, 5) for k in range(6)]


def test_option_defaults_and_choices_come_from_the_library():
    import inspect

    from tomography import cli, noise
    from tomography.circuits import BRICKWORK_GATES, CIRCUIT_FAMILIES, build
    from tomography.metrics import compare
    from tomography.reconstruct import INDEX_SETS, REGULARIZATIONS, reconstruct
    from tomography.simulate import simulate

    def params(command):
        return {p.name: p for p in command.params}

    def default(func, name):
        return inspect.signature(func).parameters[name].default

    rec = params(cli.reconstruct_command)
    for option, name in [
        ("noise_scale", "noise_scale"),
        ("index_sets", "index_sets"),
        ("regularization", "regularization"),
        ("method", "method"),
        ("repair", "repair"),
        ("bound", "compute_bound"),
    ]:
        assert rec[option].default == default(reconstruct, name), option
    assert tuple(rec["index_sets"].type.choices) == INDEX_SETS
    assert tuple(rec["regularization"].type.choices) == REGULARIZATIONS
    sim = params(cli.simulate_command)
    assert sim["tol"].default == default(simulate, "tol")
    assert tuple(sim["circuit"].type.choices) == tuple(CIRCUIT_FAMILIES)
    assert tuple(sim["gates"].type.choices) == BRICKWORK_GATES
    for name in ("depth", "gates", "dt", "coupling", "field"):
        assert sim[name].default == default(build, name), name
    for name in ("p1", "p2", "damping", "t1", "t2", "readout"):
        assert sim[name].default == default(noise.from_rates, name), name
    assert tuple(sim["gate_times"].default) == default(noise.from_rates, "gate_times")
    assert params(cli.compare_command)["width"].default == default(compare, "width")
