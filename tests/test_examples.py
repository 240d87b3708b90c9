"""Every script in examples/ runs to the end, prints its numbers and saves a PNG figure.

``--quick`` runs are the default tests (the whole file takes about a minute); the full-size
runs, which write the figures committed in examples/figures/, are marked slow.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.py"))
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: A line of output that must appear in each example's output (its key number).
EXPECTED = {
    "quickstart.py": r"fidelity: 0\.\d{4}",
    "ttcross_function.py": r"held-out relative error: \d\.\d\de-\d\d",
    "fidelity_vs_qubits.py": r"\n\s+6\s+[\d,]+\s+0\.\d{4}",
    "fidelity_vs_shots.py": r"\n\s+100\s+[\d,]+\s+0\s+0\.\d{4}",
    "compare_qiskit_experiments.py": r"qiskit-exp linear_inversion .* 0\.\d{4}",
    "device_noise.py": r"readout-mitigated\s+0\.\d{4}",
}
#: Modules some examples need beyond the core dependencies (all in the `test` extra).
NEEDS = {
    "compare_qiskit_experiments.py": ("qiskit_experiments", "cvxpy"),
    "device_noise.py": ("qiskit_ibm_runtime",),
}


def run_example(script: Path, out: Path, *extra: str, timeout: float) -> str:
    for module in NEEDS.get(script.name, ()):
        pytest.importorskip(module, reason=f"{script.name} needs {module}: pip install -e .[test]")
    pytest.importorskip("matplotlib", reason="the examples draw figures: pip install ttqst[plot]")
    # the checkout's packages first, not another copy installed in the environment
    path = os.pathsep.join([str(EXAMPLES_DIR.parent), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path, "OPENBLAS_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    done = subprocess.run(
        [sys.executable, str(script), "--out", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip(), "the example printed nothing"
    assert out.is_file(), f"no figure written to {out}"
    assert out.read_bytes()[:8] == PNG_SIGNATURE, f"{out} is not a PNG file"
    return done.stdout


def test_examples_exist():
    assert {p.name for p in EXAMPLES} == set(EXPECTED), "update EXPECTED for new examples"


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_quick(script, tmp_path):
    out = run_example(script, tmp_path / "figure.png", "--quick", timeout=120)
    assert re.search(EXPECTED[script.name], out), out


@pytest.mark.slow
@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_full(script, tmp_path):
    out = run_example(script, tmp_path / "figure.png", timeout=900)
    assert re.search(EXPECTED[script.name], out), out
