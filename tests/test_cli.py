"""Tests for the ``ttqst`` command line, run as a user would: the installed entry point in a
subprocess (falling back to ``python -m tomography.cli`` only when no script is installed)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TIMEOUT = 120  # seconds per command


def _ttqst() -> list[str]:
    """The installed ``ttqst`` script next to this interpreter, else on PATH, else ``-m``."""
    bindir = str(Path(sys.executable).parent)
    script = shutil.which("ttqst", path=bindir + os.pathsep + os.environ.get("PATH", ""))
    return [script] if script else [sys.executable, "-m", "tomography.cli"]


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.run(
        [*_ttqst(), *args], capture_output=True, text=True, timeout=TIMEOUT, env=env
    )


def test_entry_point_is_installed():
    assert Path(_ttqst()[0]).name == "ttqst", "the ttqst console script is not installed"


def test_help_lists_demo_with_an_example():
    out = _run("--help")
    assert out.returncode == 0, out.stderr
    assert "demo" in out.stdout and "Example" in out.stdout and "ttqst demo" in out.stdout


def test_demo_help_has_an_example_and_the_options():
    out = _run("demo", "--help")
    assert out.returncode == 0, out.stderr
    assert "Example:" in out.stdout and "ttqst demo --qubits" in out.stdout
    for option in ("--qubits", "--depth", "--window", "--shots", "--p2", "--seed"):
        assert option in out.stdout


def test_module_invocation_and_version():
    out = subprocess.run(
        [sys.executable, "-m", "tomography.cli", "--version"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert out.returncode == 0, out.stderr
    assert "0.1.0" in out.stdout


def test_demo_runs_and_reports_fidelity():
    out = _run("demo", "--qubits", "6", "--shots", "500")
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    text = out.stdout
    assert "6-qubit" in text and "243 settings x 500 shots" in text
    line = next(line for line in text.splitlines() if line.startswith("fidelity"))
    value = float(line.rsplit(":", 1)[1])
    assert 0.7 < value <= 1.0  # measured 0.905 with the default seed
    assert "overlap fidelity" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--qubits", "3"), "'--window': 5 exceeds --qubits 3"),
        (("--shots", "0"), "'--shots'"),
        (("--qubits", "1"), "'--qubits'"),
        (("--window", "2"), "'--window'"),
        (("--p2", "-0.1"), "'--p2'"),
        (("--qubits", "six"), "'--qubits'"),
    ],
)
def test_demo_rejects_bad_options_without_a_traceback(args, message):
    out = _run("demo", *args)
    assert out.returncode == 2
    assert message in out.stderr and "Traceback" not in out.stderr


def test_demo_with_refine_prints_the_fidelity_after_the_fit():
    done = _run("demo", "--qubits", "6", "--shots", "500", "--refine")
    assert done.returncode == 0, done.stderr
    assert "refined in" in done.stdout and "fidelity" in done.stdout.split("refined in")[1]
