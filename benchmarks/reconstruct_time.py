"""Reconstruction time against n, up to 1000 qubits, from sampled data.

What it measures. A depth-2 brickwork of Haar two-qubit gates with two-qubit depolarizing
p2 = 0.01 (no one-qubit noise) is simulated exactly as a Pauli MPO (bond dimension 16) for
n = 50, 100, 200, 500, 1000; window 5 (243 settings), 200 shots per setting (48,600 copies
whatever n) sampled from the MPO (seed 1000). On the same data:

- ``reconstruct(data, compute_bound=False)``: the cross step alone (local estimates, per-cut
  SVDs and regularised inverses, assembly, rounding, diagnostics);
- ``reconstruct(data)``: the same plus the error bound of ``ttcross.bounds``;

each timed ``--repeats`` times (median reported, all kept in the JSON), in this process, one
after the other. Fits: least-squares lines t = a n + b and the log-log slope of t against n
(1 for linear cost), and the ratio t(1000) / t(100). Accuracy: overlap fidelity
``tr(rho sigma) / max(tr rho^2, tr sigma^2)`` to the exact MPO (global: decays like
exp(-c n) for any fixed per-qubit error), its per-qubit rate -ln(F) / n, and the mean / worst
Uhlmann fidelity of the 3-qubit marginals; all by TT contractions, so affordable at n = 1000.

Usage: python benchmarks/reconstruct_time.py [--quick] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from _common import write_results  # noqa: E402

DEPTH = 2
P2 = 0.01
WINDOW = 5
SHOTS = 200
LOCAL_WIDTH = 3


def one_size(n: int, repeats: int, seed: int = 0) -> dict:
    from tomography.circuits import brickwork
    from tomography.measure import MeasurementDesign, measure
    from tomography.metrics import local_fidelities, overlap_fidelity
    from tomography.noise import depolarizing
    from tomography.reconstruct import reconstruct
    from tomography.simulate import simulate

    t = time.perf_counter()
    truth = simulate(brickwork(n, DEPTH, seed=seed), depolarizing(0.0, P2))
    t_sim = time.perf_counter() - t
    t = time.perf_counter()
    data = measure(truth, MeasurementDesign(n, WINDOW), SHOTS, seed=1000 + seed)
    t_sample = time.perf_counter() - t
    times = {"no_bound": [], "with_bound": []}
    caught = []
    for _ in range(repeats):
        for key, bound in (("no_bound", False), ("with_bound", True)):
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                t = time.perf_counter()
                result = reconstruct(data, compute_bound=bound)
                times[key].append(time.perf_counter() - t)
            caught += [str(x.message) for x in w]
    t = time.perf_counter()
    overlap = overlap_fidelity(truth, result.state)
    local = local_fidelities(result.state, truth, width=LOCAL_WIDTH)
    t_metrics = time.perf_counter() - t
    return {
        "n": n,
        "seed": seed,
        "shots_per_setting": SHOTS,
        "total_shots": data.total_shots,
        "truth_max_rank": max(truth.bond_dims),
        "max_rank": max(result.ranks),
        "seconds": {
            "simulate": t_sim,
            "sample": t_sample,
            "reconstruct_no_bound": times["no_bound"],
            "reconstruct_with_bound": times["with_bound"],
            "metrics": t_metrics,
        },
        "median_no_bound": float(np.median(times["no_bound"])),
        "median_with_bound": float(np.median(times["with_bound"])),
        "bound": None if result.bound is None else float(result.bound.value),
        "overlap_fidelity": overlap,
        "overlap_rate_per_qubit": float(-np.log(overlap) / n) if overlap > 0 else None,
        "local_fidelity_mean": local.mean_fidelity,
        "local_fidelity_min": local.min_fidelity,
        "negativity_worst_marginal": result.negativity,
        "warnings": sorted(set(caught)),
    }


def _fit(ns, ts) -> dict:
    ns, ts = np.asarray(ns, float), np.asarray(ts, float)
    slope, intercept = np.polyfit(ns, ts, 1)
    loglog = np.polyfit(np.log(ns), np.log(ts), 1)[0]
    residual = ts - (slope * ns + intercept)
    return {
        "seconds_per_qubit": float(slope),
        "intercept": float(intercept),
        "max_abs_residual": float(np.abs(residual).max()),
        "loglog_slope": float(loglog),
    }


def _plot(rows, fits, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ns = np.array([r["n"] for r in rows], float)
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for key, label, marker in (
        ("no_bound", "reconstruct", "o"),
        ("with_bound", "reconstruct + bound", "s"),
    ):
        ts = [r[f"median_{key}"] for r in rows]
        ax.plot(ns, ts, marker, label=label)
        fit = fits[key]
        ax.plot(ns, fit["seconds_per_qubit"] * ns + fit["intercept"], "k:", lw=0.8)
    ax.set_xlabel("n (qubits)")
    ax.set_ylabel("seconds (median)")
    ax.set_title(f"window {WINDOW}, {SHOTS} shots/setting, depth {DEPTH}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n = 50, 100, 200; one repeat")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sizes = (50, 100, 200) if args.quick else (50, 100, 200, 500, 1000)
    repeats = 1 if args.quick else args.repeats
    started = time.perf_counter()
    rows = [one_size(n, repeats) for n in sizes]
    elapsed = time.perf_counter() - started
    ns = [r["n"] for r in rows]
    fits = {key: _fit(ns, [r[f"median_{key}"] for r in rows]) for key in ("no_bound", "with_bound")}
    ratios = {}
    if 100 in ns and max(ns) >= 1000:
        by_n = {r["n"]: r for r in rows}
        ratios = {
            key: by_n[1000][f"median_{key}"] / by_n[100][f"median_{key}"]
            for key in ("no_bound", "with_bound")
        }
    lines = [
        "| n | reconstruct (s) | + bound (s) | sample (s) | overlap F | -ln F / n | "
        "3-qubit marginal F mean / min | rank |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        rate = "-" if r["overlap_rate_per_qubit"] is None else f"{r['overlap_rate_per_qubit']:.4f}"
        lines.append(
            f"| {r['n']} | {r['median_no_bound']:.3f} | {r['median_with_bound']:.3f} | "
            f"{r['seconds']['sample']:.1f} | {r['overlap_fidelity']:.3g} | {rate} | "
            f"{r['local_fidelity_mean']:.4f} / {r['local_fidelity_min']:.4f} | {r['max_rank']} |"
        )
    fit_lines = [
        "",
        "| timing | s per qubit | intercept (s) | log-log slope | t(1000)/t(100) |",
        "|---|---|---|---|---|",
    ]
    for key, fit in fits.items():
        ratio = f"{ratios[key]:.2f}" if key in ratios else "-"
        fit_lines.append(
            f"| {key} | {fit['seconds_per_qubit']:.3g} | {fit['intercept']:.3g} | "
            f"{fit['loglog_slope']:.3f} | {ratio} |"
        )
    table = (
        "# Reconstruction time against n\n\n"
        f"Depth-{DEPTH} Haar brickwork, p2 = {P2}, window {WINDOW}, {SHOTS} shots per setting "
        f"(48,600 copies), MPO-sampled; median of {repeats} timing(s). Script wall time "
        f"{elapsed:.0f} s.\n\n" + "\n".join(lines + fit_lines) + "\n"
    )
    paths = write_results(
        "reconstruct_time",
        {
            "config": vars(args),
            "wall_seconds": elapsed,
            "runs": rows,
            "fits": fits,
            "ratio_1000_over_100": ratios,
        },
        table,
    )
    png = paths[0].with_suffix(".png")
    _plot(rows, fits, png)
    print(table)
    print("written:", *paths, png)


if __name__ == "__main__":
    main()
