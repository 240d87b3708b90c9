"""Sweeps (tomography.sweep, ``ttqst sweep``, ``ttqst plot``): tiny runs (n = 4-6, few shots).

A real ``LocalCluster`` of 2 worker processes is used (results equal to the serial mode, an
interrupted sweep resumed, a worker killed by its pid mid-sweep), and a scheduler and two
workers started as separate processes on 127.0.0.1 drive ``ttqst sweep --scheduler``. Every
process started here is stopped in a ``finally``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("distributed")
pytest.importorskip("pyarrow")
pytest.importorskip("pandas")

from tomography import PauliMPO, load_spec, read_sweep, run_sweep  # noqa: E402
from tomography.sweep import SpecError, StoreError, local_cluster  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
NUMBERS = ["fidelity", "overlap_fidelity", "relative_error", "local_fidelity_min"]


def _spec(seeds: int | list[int] = 2, **grid) -> dict:
    base = {"n": [4, 5], "depth": 1, "p2": 0.01, "window": 3, "shots": 50}
    return {"version": 1, "name": "tiny", "seeds": seeds, "grid": base | grid}


def _numbers(frame):
    return frame[["run_id", "seed", "n", "estimator", "status", *NUMBERS]]


def _env() -> dict:
    path = os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path, "OPENBLAS_NUM_THREADS": "1"}


def _cli(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tomography.cli", *args],
        env=_env(),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def client():
    with local_cluster(2, retries=2) as c:
        yield c


# ---------------------------------------------------------------------- spec
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"grid": {"n": 5, "window": 4}}, "grid.window: expected an odd int >= 3, got 4"),
        ({"grid": {"n": 5, "qubits": 5}}, "grid.qubits: unknown key; valid keys: circuit, qasm"),
        ({"grid": {"n": 5, "p2": [0.01, 2.0]}}, "grid.p2: expected a number in [0.0, "),
        ({"grid": {"n": 5, "circuit": "ladder"}}, "grid.circuit: expected one of brickwork"),
        ({"grid": {"n": 3, "window": 5}}, "grid.window: expected an odd int <= n = 3, got 5"),
        ({"grid": {"n": 5, "window": 3, "copies": 10}}, "grid.copies: expected >= 3^window"),
        ({"grid": {"n": 5, "shots": 10, "copies": 100}}, "grid: give shots or copies, not both"),
        ({"grid": {"n": []}}, "grid.n: an axis needs at least one value, got []"),
        ({"grid": {"depth": 1}}, "grid.n: missing"),
        ({"grid": {"n": 5, "refine_options": {"iters": 3}}}, "grid.refine_options.iters"),
        ({"grid": {"n": 5, "refine_options": {"max_iters": "3"}}}, "refine_options.max_iters"),
        ({"version": 2}, "version: expected 1, got 2"),
        ({"seeds": 0}, "seeds: expected a count >= 1"),
        ({"seeds": [1, 1]}, "seeds: repeated seeds"),
        ({"metrics": ["purity"]}, "metrics: unknown metric 'purity'"),
        ({"size": 3}, "spec.size: unknown key; valid keys: version, name"),
        ({"runs": [{"n": 4, "p2": -1}]}, "runs[0].p2: expected a number"),
        ({"runs": [{"n": 4, "t1": 10.0}]}, "runs[0]: thermal noise needs both t1 and t2"),
        (
            {"grid": {"n": [5, 7], "estimator": "qiskit-experiments"}},
            "grid.estimator: 'qiskit-experiments' runs only at n <= 6 (3^n settings, a dense "
            "4^n fit), got n = 7",
        ),
        (
            {"grid": {"n": 4, "estimator": "qiskit-experiments", "fitter": "mle"}},
            "grid.fitter: expected one of linear_inversion, cvxpy_gaussian_lstsq, got 'mle'",
        ),
        (
            {"runs": [{"n": 4, "estimator": "qiskit-experiments", "copies": 80}]},
            "runs[0].copies: expected >= 3^n = 81 for 'qiskit-experiments'",
        ),
    ],
)
def test_spec_errors_name_the_key_and_value(change, message):
    spec = {"version": 1, "grid": {"n": 4}} | change
    with pytest.raises(SpecError) as info:
        load_spec(spec)
    assert message in str(info.value)


def test_spec_file_errors(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("version = 1\n[grid\n")
    with pytest.raises(SpecError, match="not valid TOML"):
        load_spec(bad)
    with pytest.raises(FileNotFoundError):
        load_spec(tmp_path / "missing.toml")


def test_grid_expansion_and_stable_run_ids():
    spec = load_spec(_spec(estimator=["cross", "refine"]))
    runs = spec.expand()
    assert len(runs) == 2 * 2 * 2  # n x estimator x seeds
    assert [r.index for r in runs] == list(range(8))
    assert len({r.run_id for r in runs}) == 8
    assert {(r.params["n"], r.params["estimator"], r.seed) for r in runs} == {
        (n, e, s) for n in (4, 5) for e in ("cross", "refine") for s in (0, 1)
    }
    # key order, explicit defaults and int-vs-float spellings do not change any identity
    reordered = load_spec(
        {"name": "tiny", "version": 1, "seeds": [0, 1], "grid": dict(
            reversed(list((_spec(estimator=["cross", "refine"], gates="haar", p2=0.01)["grid"]
                           | {"p1": 0}).items()))
        )}
    )  # fmt: skip
    assert [r.run_id for r in reordered.expand()] == [r.run_id for r in runs]
    assert reordered.hash == spec.hash
    assert load_spec(_spec(shots=51)).hash != spec.hash
    # an identity does not depend on the rest of the sweep
    single = load_spec({"version": 1, "seeds": [1], "grid": _spec()["grid"] | {"n": 5}})
    assert single.expand()[0].run_id in {r.run_id for r in runs}


def test_explicit_runs_merge_over_grid_scalars(tmp_path):
    spec = load_spec(
        {
            "version": 1,
            "grid": {"p2": 0.02, "shots": 40, "window": 3},
            "runs": [{"n": 4}, {"qasm": "prep.qasm", "copies": 270}],
        }
    )
    first, second = (r.params for r in spec.expand())
    assert first["circuit"] == "brickwork" and first["p2"] == 0.02 and first["shots"] == 40
    assert second["circuit"] is None and second["qasm"] == str(Path.cwd() / "prep.qasm")
    assert second["shots"] == 10 and second["copies"] == 270 and second["p2"] == 0.02


def test_peer_shots_and_fitter_resolved():
    pytest.importorskip("qiskit_experiments")
    grid = {"n": 5, "window": 3, "copies": 2430, "estimator": ["cross", "qiskit-experiments"]}
    cross, peer = (r.params for r in load_spec({"version": 1, "grid": grid}).expand())
    assert cross["shots"] == 2430 // 27 and "fitter" not in cross
    assert peer["shots"] == 2430 // 243 and peer["fitter"] == "linear_inversion"
    # the peer's key leaves the other estimators' identities as they were
    plain = load_spec({"version": 1, "grid": grid | {"estimator": "cross"}}).expand()[0]
    assert plain.params == cross


def test_peer_refused_when_not_installed(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "qiskit_experiments" else real(name, *a),
    )
    load_spec({"version": 1, "grid": {"n": 4}})  # no peer run: nothing to check
    with pytest.raises(
        SpecError, match="'qiskit-experiments' needs the qiskit-experiments package"
    ):
        load_spec({"version": 1, "grid": {"n": 4, "estimator": ["cross", "qiskit-experiments"]}})


def test_example_spec_loads():
    spec = load_spec(REPO / "examples" / "sweeps" / "fidelity_vs_n.toml")
    assert spec.name == "fidelity_vs_n"
    assert len(spec.expand()) == 3 * 2 * 3


def test_estimators_example_spec_runs_tiny(tmp_path):
    pytest.importorskip("qiskit_experiments")
    import tomllib

    path = REPO / "examples" / "sweeps" / "estimators_small.toml"
    spec = load_spec(path)
    assert len(spec.expand()) == 3 * 3 * 3  # n x estimator x seeds
    peer_shots = {r.params["n"]: r.params["shots"] for r in spec.expand()
                  if r.params["estimator"] == "qiskit-experiments"}  # fmt: skip
    assert peer_shots == {3: 900, 4: 300, 5: 100}  # equal total copies, 24300
    raw = tomllib.loads(path.read_text())
    raw["seeds"], raw["grid"] = 1, raw["grid"] | {"n": 3, "copies": 2700}
    raw["grid"]["refine_options"] = {"max_iters": 2}
    result = run_sweep(raw, tmp_path / "s", workers=0)
    assert (result.done, result.failed) == (3, 0)
    frame = read_sweep(tmp_path / "s")
    assert set(frame["estimator"]) == {"cross", "refine", "qiskit-experiments"}
    assert (frame["total_shots"] == 2700).all()


# ---------------------------------------------------------------------- running
def test_serial_equals_local_cluster(tmp_path, client):
    spec = _spec(estimator=["cross", "refine"], refine_options={"max_iters": 5})
    serial = run_sweep(spec, tmp_path / "serial", workers=0, save_states=True)
    distributed = run_sweep(spec, tmp_path / "dask", client=client, save_states=True)
    assert (serial.done, serial.failed, serial.skipped) == (8, 0, 0)
    assert (distributed.done, distributed.failed, distributed.skipped) == (8, 0, 0)
    a, b = read_sweep(tmp_path / "serial"), read_sweep(tmp_path / "dask")
    assert len(set(b["worker_pid"])) == 2 and os.getpid() not in set(b["worker_pid"])
    assert _numbers(a).equals(_numbers(b))
    assert (a["ranks"].map(list) == b["ranks"].map(list)).all()
    for run_id in a["run_id"]:
        left = PauliMPO.load(tmp_path / "serial" / "states" / f"{run_id}.npz")
        right = PauliMPO.load(tmp_path / "dask" / "states" / f"{run_id}.npz")
        np.testing.assert_array_equal(left.to_dense(), right.to_dense())


def test_same_seed_same_data_across_estimators(tmp_path):
    run_sweep(_spec(estimator=["cross", "refine"], seeds=1, refine_options={"max_iters": 2}),
              tmp_path / "s", workers=0)  # fmt: skip
    frame = read_sweep(tmp_path / "s")
    cross = frame[frame.estimator == "cross"].set_index(["n", "seed"])
    refined = frame[frame.estimator == "refine"].set_index(["n", "seed"])
    assert (cross["truth_rank_max"] == refined["truth_rank_max"]).all()
    assert (cross["total_shots"] == refined["total_shots"]).all()
    assert not np.allclose(cross["fidelity"], refined["fidelity"])


def test_estimators_against_the_peer(tmp_path):
    pytest.importorskip("qiskit_experiments")
    pytest.importorskip("qiskit_aer")
    spec = _spec(
        seeds=1,
        n=3,
        shots=100,
        estimator=["cross", "refine", "qiskit-experiments"],
        refine_options={"max_iters": 3},
    )
    result = run_sweep(spec, tmp_path / "s", workers=0)
    assert (result.done, result.failed) == (3, 0)
    frame = read_sweep(tmp_path / "s").set_index("estimator")
    assert (frame["status"] == "ok").all(), frame["error"].tolist()
    for column in ("fidelity", "overlap_fidelity", "local_fidelity_min"):
        assert ((frame[column] > 0) & (frame[column] <= 1 + 1e-9)).all(), column
    peer = frame.loc["qiskit-experiments"]
    assert peer["fitter"] == "linear_inversion"
    assert (peer["shots"], peer["total_shots"]) == (100, 3**3 * 100)
    assert peer["seconds_measure"] > 0 and peer["seconds_reconstruct"] > 0
    assert frame.loc["cross", "total_shots"] == 3**3 * 100  # window 3 = n: 27 settings too
    assert frame["truth_rank_max"].nunique() == 1  # the same circuit for every estimator


class _StopAfter:
    """A progress callback that raises KeyboardInterrupt (Ctrl-C) after ``rows`` rows."""

    def __init__(self, rows: int):
        self.rows = rows
        self.first: int | None = None

    def __call__(self, done: int, total: int) -> None:
        self.first = done if self.first is None else self.first
        if done - self.first >= self.rows:
            raise KeyboardInterrupt


@pytest.mark.parametrize("mode", ["serial", "dask"])
def test_resume_after_interrupt(tmp_path, client, mode):
    spec = _spec()
    run_sweep(spec, tmp_path / "reference", workers=0)
    options = {"workers": 0} if mode == "serial" else {"client": client}
    with pytest.raises(KeyboardInterrupt):
        run_sweep(spec, tmp_path / "s", progress=_StopAfter(2), **options)
    kept = read_sweep(tmp_path / "s")
    assert 2 <= len(kept) < 4 and (kept["status"] == "ok").all()
    assert not list((tmp_path / "s" / "rows").glob(".*"))  # no partial files
    result = run_sweep(spec, tmp_path / "s", **options)
    assert result.skipped == len(kept) and result.done == 4 - len(kept)
    frame = read_sweep(tmp_path / "s")
    assert frame["run_id"].is_unique and len(frame) == 4
    assert _numbers(frame).equals(_numbers(read_sweep(tmp_path / "reference")))


def test_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path, client):
    spec = {
        "version": 1,
        "grid": {"window": 3, "shots": 30},
        "runs": [{"n": 4}, {"qasm": str(tmp_path / "missing.qasm")}],
    }
    for name, options in (("serial", {"workers": 0}), ("dask", {"client": client})):
        result = run_sweep(spec, tmp_path / name, **options)
        assert (result.done, result.failed) == (1, 1)
        frame = read_sweep(tmp_path / name)
        failed = frame[frame["status"] == "error"].iloc[0]
        assert failed["error"].startswith("FileNotFoundError")
        assert "Traceback" in failed["traceback"] and failed["fidelity"] != failed["fidelity"]
        assert (frame[frame["status"] == "ok"]["fidelity"] > 0.5).all()
    again = run_sweep(spec, tmp_path / "serial", workers=0)
    assert (again.done, again.failed, again.skipped) == (0, 0, 2)
    retried = run_sweep(spec, tmp_path / "serial", workers=0, retry_failed=True)
    assert (retried.done, retried.failed, retried.skipped) == (0, 1, 1)
    assert len(read_sweep(tmp_path / "serial")) == 2


# runs of about a second each, so that both workers are busy when one is killed
SLOW_SPEC = {
    "version": 1,
    "seeds": 6,
    "grid": {"n": 6, "depth": 1, "window": 3, "shots": 200, "estimator": "refine",
             "refine_options": {"max_iters": 40, "holdout": 0.0}},
}  # fmt: skip


def _sweep_killing_one_worker(store: Path, retries: int):
    killed = []
    with local_cluster(2, retries=retries) as client:
        pids = client.run(os.getpid)

        def kill_once(done, total):
            if done >= 1 and not killed:
                pid = sorted(pids.values())[0]
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

        result = run_sweep(SLOW_SPEC, store, client=client, retries=retries, progress=kill_once)
    assert killed
    return result


def test_worker_killed_mid_sweep(tmp_path):
    result = _sweep_killing_one_worker(tmp_path / "s", retries=3)
    assert (result.done, result.failed, result.skipped) == (6, 0, 0)
    frame = read_sweep(tmp_path / "s")
    assert len(frame) == 6 and frame["run_id"].is_unique and (frame["status"] == "ok").all()
    assert sorted(frame["seed"]) == list(range(6))


def test_retries_are_bounded(tmp_path):
    """With no retry allowed, the run lost with the killed worker is an error row
    (KilledWorker); the sweep still completes with every run once."""
    result = _sweep_killing_one_worker(tmp_path / "s", retries=0)
    assert result.failed >= 1 and result.done + result.failed == 6
    frame = read_sweep(tmp_path / "s")
    assert len(frame) == 6 and frame["run_id"].is_unique
    assert frame[frame["status"] == "error"]["error"].str.contains("KilledWorker").all()
    again = run_sweep(SLOW_SPEC, tmp_path / "s", workers=0, retry_failed=True)
    assert (again.done, again.failed) == (result.failed, 0)
    assert (read_sweep(tmp_path / "s")["status"] == "ok").all()


def test_foreign_store_refused(tmp_path):
    store = tmp_path / "s"
    run_sweep(_spec(n=4, seeds=1), store, workers=0)
    with pytest.raises(StoreError, match="holds another sweep"):
        run_sweep(_spec(n=4, shots=60), store, workers=0)
    assert len(read_sweep(store)) == 1  # untouched
    result = run_sweep(_spec(n=4, shots=60), store, workers=0, overwrite=True)
    assert (result.done, result.skipped) == (2, 0) and len(read_sweep(store)) == 2
    header = json.loads((store / "sweep.json").read_text())
    for change, message in (({"version": 99}, "version 99"), ({"format": "x"}, "not a ttqst")):
        (store / "sweep.json").write_text(json.dumps(header | change))
        with pytest.raises(StoreError, match=message):
            run_sweep(_spec(n=4, shots=60), store, workers=0)
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="not empty and has no sweep.json"):
        run_sweep(_spec(n=4), other, workers=0, overwrite=True)
    assert (other / "notes.txt").read_text() == "mine"


def test_read_sweep_dataframe(tmp_path):
    run_sweep(_spec(n=4, seeds=[3, 1]), tmp_path / "s", workers=0)
    frame = read_sweep(tmp_path / "s")
    assert list(frame["index"]) == [0, 1] and list(frame["seed"]) == [3, 1]
    assert frame["fidelity"].dtype == np.float64 and frame["n"].dtype == np.int64
    assert frame["local_fidelity_mean"].notna().all()
    assert frame.attrs["spec"]["name"] == "tiny"
    assert (frame["seconds_total"] >= frame["seconds_reconstruct"]).all()
    assert frame["ttqst_version"].iloc[0]
    with pytest.raises(StoreError):
        read_sweep(tmp_path)


# ---------------------------------------------------------------------- command line
def test_cli_sweep_serial_and_plot(tmp_path):
    pytest.importorskip("matplotlib")
    spec = tmp_path / "spec.toml"
    spec.write_text(
        'version = 1\nname = "cli"\nseeds = 2\n[grid]\nn = [4, 5]\ndepth = 1\nwindow = 3\n'
        "shots = 40\n"
    )
    out = _cli("sweep", str(spec), "-o", str(tmp_path / "s"), "--workers", "0")
    assert out.returncode == 0, out.stderr
    assert "4 runs: 4 done, 0 failed, 0 skipped" in out.stdout and "read_sweep" in out.stdout
    again = _cli("sweep", str(spec), "-o", str(tmp_path / "s"), "--workers", "0")
    assert "0 done, 0 failed, 4 skipped" in again.stdout
    figure = tmp_path / "fig.png"
    out = _cli("plot", str(tmp_path / "s"), "--x", "n", "--y", "fidelity", "-o", str(figure))
    assert out.returncode == 0, out.stderr
    assert figure.stat().st_size > 0
    out = _cli("plot", str(tmp_path / "s"), "--x", "n", "--y", "fidelity", "-o", str(figure))
    assert out.returncode == 1 and "pass --force" in out.stderr
    out = _cli("plot", str(tmp_path / "s"), "--x", "qubits", "--y", "fidelity",
               "-o", str(tmp_path / "g.png"))  # fmt: skip
    assert out.returncode == 1 and "'qubits'` is not a column" in out.stderr


def test_cli_sweep_errors(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text("version = 1\n[grid]\nn = 5\nwindow = 4\n")
    out = _cli("sweep", str(spec), "-o", str(tmp_path / "s"), "--workers", "0")
    assert out.returncode == 1
    assert out.stderr.strip() == "Error: grid.window: expected an odd int >= 3, got 4"
    out = _cli("sweep", str(spec), "-o", str(tmp_path / "s"), "--workers", "2",
               "--scheduler", "tcp://127.0.0.1:1")  # fmt: skip
    assert out.returncode == 2 and "either --scheduler or --workers" in out.stderr
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "x").write_text("")
    spec.write_text("version = 1\n[grid]\nn = 4\nwindow = 3\nshots = 10\n")
    out = _cli("sweep", str(spec), "-o", str(tmp_path / "busy"), "--workers", "0")
    assert out.returncode == 1 and out.stderr.startswith("Error: ")
    assert "no sweep.json" in out.stderr and len(out.stderr.strip().splitlines()) == 1


def _wait_for(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise TimeoutError(f"{what} not ready after {seconds} s")


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def test_cli_sweep_on_a_separate_scheduler_and_workers(tmp_path):
    """``dask scheduler`` + two ``dask worker`` processes on 127.0.0.1, then
    ``ttqst sweep --scheduler ADDRESS``; everything stopped afterwards."""
    scheduler_file = tmp_path / "scheduler.json"
    log = open(tmp_path / "cluster.log", "w")  # noqa: SIM115 - closed in finally
    common = {"env": _env(), "cwd": tmp_path, "stdout": log, "stderr": subprocess.STDOUT}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
             "--port", "0", "--scheduler-file", str(scheduler_file), "--no-dashboard"],
            **common,
        )
    ]  # fmt: skip
    try:
        _wait_for(scheduler_file.exists, 60, "scheduler")
        address = json.loads(scheduler_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        for _ in range(2):
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "distributed.cli.dask_worker", "--scheduler-file",
                     str(scheduler_file), "--nthreads", "1", "--no-dashboard",
                     "--host", "127.0.0.1"],
                    **common,
                )
            )  # fmt: skip
        spec = tmp_path / "spec.toml"
        spec.write_text("version = 1\nseeds = 2\n[grid]\nn = [4, 5]\nwindow = 3\nshots = 40\n")
        out = _cli("sweep", str(spec), "-o", str(tmp_path / "s"), "--scheduler", address,
                   timeout=180)  # fmt: skip
        assert out.returncode == 0, out.stderr
        assert "4 runs: 4 done, 0 failed" in out.stdout
        frame = read_sweep(tmp_path / "s")
        assert len(frame) == 4 and (frame["status"] == "ok").all()
        assert frame["run_id"].is_unique
        reference = tmp_path / "reference"
        run_sweep(spec, reference, workers=0)
        assert _numbers(frame).equals(_numbers(read_sweep(reference)))
    finally:
        _stop(processes[1:])
        _stop(processes[:1])
        log.close()


def test_plot_sweep(tmp_path):
    pytest.importorskip("matplotlib")
    from tomography.plotting import plot_sweep

    run_sweep(_spec(estimator=["cross", "refine"], refine_options={"max_iters": 2}),
              tmp_path / "s", workers=0)  # fmt: skip
    frame = read_sweep(tmp_path / "s")
    ax = plot_sweep(frame, "n", "fidelity", hue="estimator", spread="std")
    assert [line.get_label() for line in ax.get_lines()] == [
        "estimator = cross",
        "estimator = refine",
    ]
    means = frame[frame.estimator == "cross"].groupby("n")["fidelity"].mean().to_numpy()
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), means)
    with pytest.raises(ValueError, match="'purity'` is not a column"):
        plot_sweep(frame, "n", "purity")
    with pytest.raises(ValueError, match="spread"):
        plot_sweep(frame, "n", "fidelity", spread="iqr")
