"""Sweep runner on Dask: serial against 2 local workers, and the scheduling overhead per run.

What it measures.

(a) Speed-up: a 32-run sweep of reconstructions (``tomography.run_sweep``): Haar brickwork
    depth 2, p2 = 0.01, window 5, 1500 shots per setting (364,500 copies), cross estimator,
    overlap and local fidelity; n = 8, 10, 11, 12, 8 seeds each. Once serially in this
    process (``workers=0``, BLAS single-threaded as in the workers) and once on a
    ``LocalCluster`` of 2 worker processes (1 thread each), each into a fresh store. The
    cluster is started, and the pipeline imported on its workers, before the clock starts
    (that start-up time is reported apart); the
    speed-up is serial wall time / distributed wall time. Both runs give the same numbers
    (checked).
(b) Overhead per run: 32 trivially small runs (n = 4, window 3, 10 shots) on the same warm
    cluster: ``(workers x wall - sum of the tasks' own seconds) / runs`` is the time a worker
    slot spends per run on anything but the run (scheduling, transfer, writing the row in
    the client). The same quantity for the 32 runs of (a). Goal: <= 5% of a 1 s run (50 ms).

The machine is a shared 2-core box on which other jobs run: the load average before and after
is recorded, and the speed-up is a lower bound of what two idle cores give.

Usage: python benchmarks/sweep_scaling.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

from _common import write_results  # noqa: E402

WORKERS = 2
NUMBERS = ["overlap_fidelity", "local_fidelity_min"]


def spec_reconstructions(quick: bool) -> dict:
    return {
        "version": 1,
        "name": "sweep_scaling",
        "seeds": 2 if quick else 8,
        "metrics": NUMBERS,
        "grid": {"n": [8, 10, 11, 12], "depth": 2, "p2": 0.01, "window": 5, "shots": 1500},
    }


def spec_trivial(quick: bool) -> dict:
    return {
        "version": 1,
        "name": "overhead",
        "seeds": 8 if quick else 32,
        "metrics": ["overlap_fidelity"],
        "grid": {"n": 4, "depth": 1, "window": 3, "shots": 10},
    }


def timed_sweep(spec: dict, root: Path, name: str, **options) -> dict:
    from tomography import read_sweep, run_sweep

    store = root / name
    started = time.perf_counter()
    result = run_sweep(spec, store, **options)
    wall = time.perf_counter() - started
    frame = read_sweep(store)
    assert result.failed == 0 and len(frame) == result.total, (result, frame["error"])
    task_seconds = float(frame["seconds_total"].sum())
    return {
        "runs": result.total,
        "wall_s": wall,
        "task_seconds_sum": task_seconds,
        "mean_run_s": task_seconds / result.total,
        "frame": frame,
    }


def warm_up() -> str:
    """Import the pipeline on a worker (part of the start-up, not of any run)."""
    import tomography.sweep.task  # noqa: F401
    from tomography import measure, metrics, reconstruct, simulate  # noqa: F401

    return "ok"


def overhead_per_run(measured: dict, workers: int) -> float:
    return (workers * measured["wall_s"] - measured["task_seconds_sum"]) / measured["runs"]


def table(results: dict) -> str:
    a, b = results["serial"], results["distributed"]
    t = results["trivial"]
    lines = [
        "# Sweep runner: serial vs 2 local Dask workers",
        "",
        f"Machine: shared 2-core box, load average {results['load_before']} before and "
        f"{results['load_after']} after (other jobs were running: the speed-up is a lower "
        "bound). `benchmarks/sweep_scaling.py`.",
        "",
        "| sweep | runs | serial wall (s) | 2 workers wall (s) | speed-up | mean run (s) |",
        "|---|---|---|---|---|---|",
        f"| reconstructions n = 8-12 | {a['runs']} | {a['wall_s']:.1f} | {b['wall_s']:.1f} | "
        f"{results['speedup']:.2f}x | {a['mean_run_s']:.2f} (serial), "
        f"{b['mean_run_s']:.2f} (workers) |",
        "",
        f"LocalCluster start-up (2 processes, pipeline imported), not in the walls above: "
        f"{results['cluster_start_s']:.1f} s. Same numbers serial and distributed: "
        f"{results['identical']}.",
        "",
        "Overhead per run, `(workers x wall - sum of task seconds) / runs`:",
        "",
        "| sweep | runs | wall (s) | mean task (s) | overhead per run (ms) | of a 1 s run |",
        "|---|---|---|---|---|---|",
        f"| trivial (n = 4, 10 shots) | {t['runs']} | {t['wall_s']:.2f} | "
        f"{t['mean_run_s'] * 1e3:.1f} ms | {results['overhead_trivial_s'] * 1e3:.1f} | "
        f"{results['overhead_trivial_s'] * 100:.1f}% |",
        f"| reconstructions (a) | {b['runs']} | {b['wall_s']:.1f} | {b['mean_run_s']:.2f} | "
        f"{results['overhead_reconstructions_s'] * 1e3:.0f} | "
        f"{results['overhead_reconstructions_s'] * 100:.1f}% |",
        "",
        "The overhead of (a) includes the idle tail (the last runs on one worker while the "
        "other has nothing left) and the load of the other jobs on the machine.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (a smoke test)")
    args = parser.parse_args()
    from tomography.sweep import local_cluster

    root = Path(tempfile.mkdtemp(prefix="sweep_scaling_"))
    load_before = [round(x, 2) for x in os.getloadavg()]
    try:
        spec = spec_reconstructions(args.quick)
        serial = timed_sweep(spec, root, "serial", workers=0)
        started = time.perf_counter()
        with local_cluster(WORKERS) as client:
            client.wait_for_workers(WORKERS, timeout=60)
            client.run(warm_up)
            cluster_start = time.perf_counter() - started
            distributed = timed_sweep(spec, root, "distributed", client=client)
            trivial = timed_sweep(spec_trivial(args.quick), root, "trivial", client=client)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    columns = ["run_id", *NUMBERS]
    identical = serial["frame"][columns].equals(distributed["frame"][columns])
    results = {
        "workers": WORKERS,
        "load_before": load_before,
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "shared_machine": True,
        "cluster_start_s": cluster_start,
        "serial": serial,
        "distributed": distributed,
        "trivial": trivial,
        "speedup": serial["wall_s"] / distributed["wall_s"],
        "overhead_trivial_s": overhead_per_run(trivial, WORKERS),
        "overhead_reconstructions_s": overhead_per_run(distributed, WORKERS),
        "identical": bool(identical),
        "spec": spec,
    }
    for key in ("serial", "distributed", "trivial"):
        results[key] = {k: v for k, v in results[key].items() if k != "frame"}
    text = table(results)
    print(text)
    if not args.quick:
        paths = write_results("sweep_scaling", results, text)
        print("wrote", *paths)


if __name__ == "__main__":
    main()
