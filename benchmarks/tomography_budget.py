"""Fidelity of the cross reconstruction at a fixed budget of about 2.4e6 copies.

Brickwork of Haar gates with two-qubit depolarizing p2 = 0.01; window 5 with 10^4 shots per
setting (243 settings) or window 7 with 1100 shots (2187 settings); seeds 0, 1, 2. Compared
with the numbers a plain numpy prototype of the same method reached (method note, section 4).

Usage: python benchmarks/tomography_budget.py [--jobs 16] [--quick]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from _common import run_all, write_results  # noqa: E402

SHOTS = {5: 10_000, 7: 1_100}
PROTOTYPE = {  # (n, depth, window): fidelity reached by the prototype
    (8, 2, 5): 0.951,
    (8, 2, 7): 0.960,
    (12, 2, 5): 0.83,
    (12, 2, 7): 0.915,
    (8, 4, 7): 0.866,
    (12, 4, 7): 0.779,
}


def one_run(n: int, depth: int, window: int, seed: int, noise_scale: float = 0.75) -> dict:
    from tomography.circuits import brickwork
    from tomography.measure import MeasurementDesign, measure
    from tomography.metrics import fidelity, overlap_fidelity, trace_distance
    from tomography.noise import depolarizing
    from tomography.reconstruct import reconstruct
    from tomography.simulate import simulate

    timings = {}
    t = time.perf_counter()
    truth = simulate(brickwork(n, depth, seed=seed), depolarizing(0.0, 0.01))
    timings["simulate"] = time.perf_counter() - t
    t = time.perf_counter()
    data = measure(truth, MeasurementDesign(n, window), SHOTS[window], seed=1000 + seed)
    timings["sample"] = time.perf_counter() - t
    result = reconstruct(data, noise_scale=noise_scale)
    timings["reconstruct"] = result.seconds
    t = time.perf_counter()
    fid = fidelity(truth, result.state)
    td = trace_distance(truth, result.state, repair=True)
    timings["metrics"] = time.perf_counter() - t
    bound = result.bound
    return {
        "n": n,
        "depth": depth,
        "window": window,
        "seed": seed,
        "shots": SHOTS[window],
        "copies": data.total_shots,
        "noise_scale": noise_scale,
        "fidelity": fid,
        "trace_distance": td,
        "overlap_fidelity": overlap_fidelity(truth, result.state),
        "negativity": result.negativity,
        "edge_correlation": result.edge_correlation,
        "max_rank": max(result.ranks),
        "truth_max_bond": max(truth.bond_dims),
        "bound": None if bound is None else float(bound.value),
        "warnings": result.warnings,
        "seconds": timings,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="n = 8 only, one seed")
    args = parser.parse_args()
    sizes = (8,) if args.quick else (8, 12)
    seeds = (0,) if args.quick else (0, 1, 2)
    configs = [
        {"n": n, "depth": depth, "window": window, "seed": seed}
        for n in sizes
        for (depth, window) in ((2, 5), (2, 7), (4, 7))
        for seed in seeds
    ]
    configs.sort(key=lambda c: -c["n"] * (c["depth"] + c["window"]))  # long ones first
    rows = run_all(one_run, configs, args.jobs)
    lines = [
        "| n | depth | window | shots/setting | F mean (3 seeds) | F per seed | prototype | "
        "overlap F | bound | time: sample / reconstruct (s) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    summary = []
    for key, proto in PROTOTYPE.items():
        runs = [r for r in rows if (r["n"], r["depth"], r["window"]) == key]
        if not runs:
            continue
        f = [r["fidelity"] for r in runs]
        summary.append(
            {
                "n": key[0],
                "depth": key[1],
                "window": key[2],
                "fidelity_mean": float(np.mean(f)),
                "prototype": proto,
            }
        )
        lines.append(
            f"| {key[0]} | {key[1]} | {key[2]} | {SHOTS[key[2]]} | {np.mean(f):.4f} | "
            + ", ".join(f"{x:.4f}" for x in f)
            + f" | {proto} | {np.mean([r['overlap_fidelity'] for r in runs]):.4f} | "
            + f"{np.mean([r['bound'] or np.nan for r in runs]):.3g} | "
            + f"{np.mean([r['seconds']['sample'] for r in runs]):.1f} / "
            + f"{np.mean([r['seconds']['reconstruct'] for r in runs]):.2f} |"
        )
    table = (
        "# Fidelity at a budget of 2.4e6 copies (cross step alone)\n\n" + "\n".join(lines) + "\n"
    )
    paths = write_results("tomography_budget", {"runs": rows, "summary": summary}, table)
    print(table)
    print("written:", *paths)


if __name__ == "__main__":
    main()
