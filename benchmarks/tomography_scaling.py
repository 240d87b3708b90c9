"""Fidelity of the cross reconstruction against qubit number and against shots per setting.

What it measures. Brickwork of Haar two-qubit gates, depth 2, two-qubit depolarizing
p2 = 0.01 (no one-qubit noise), window 5 (243 settings whatever n), data sampled from the
exact Pauli MPO of the noisy state (``simulate`` + ``measure``), ``reconstruct`` with its
defaults; seeds 0 and 1 (circuit seed s, shot seed 1000 + s).

(a) Against n, 10^4 shots per setting (2.43e6 copies whatever n):
    n = 6, 8, 10, 12: Uhlmann fidelity to the dense truth (estimate made physical by
    ``make_physical``: trace 1, eigenvalues projected onto the simplex) and the overlap
    fidelity ``tr(rho sigma) / max(tr rho^2, tr sigma^2)``;
    n = 20, 40, 60, 100: overlap fidelity to the MPO truth (no dense state exists), plus the
    mean / worst Uhlmann fidelity of the 3-qubit marginals.
    Fits: infidelity 1 - F against n (least squares line, slope per qubit) and -ln F against n
    (a per-qubit rate: a global fidelity of a product of n local errors decays exponentially,
    so 1 - F is only linear while it is small).
(b) Against shots per setting, 10^2 .. 10^5 (10^5 is 24.3e6 copies), at n = 10, not 12: at
    n = 12 each Uhlmann fidelity (three dense 4096 x 4096 eigendecompositions, one BLAS thread)
    took 190-480 s on this 2-core box, and (a) already has n = 12 at 10^4 shots. Uhlmann
    fidelity, with the log-log slope of the infidelity (-1 for a shot-noise-limited error).

Cost (2 jobs, 2 cores): about 10 min, most of it the two dense n = 12 fidelities of (a) and
MPO sampling at n = 100 (2.43e6 shots) and n = 10 with 10^5 shots per setting.

Usage: python benchmarks/tomography_scaling.py [--jobs 2] [--quick]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from _common import run_all, write_results  # noqa: E402

DEPTH = 2
P2 = 0.01
WINDOW = 5
DENSE_MAX = 12
LOCAL_WIDTH = 3


def one_run(n: int, shots: int, seed: int, part: str) -> dict:
    from tomography.circuits import brickwork
    from tomography.measure import MeasurementDesign, measure
    from tomography.metrics import fidelity, local_fidelities, overlap_fidelity
    from tomography.noise import depolarizing
    from tomography.reconstruct import reconstruct
    from tomography.simulate import simulate

    seconds = {}
    t = time.perf_counter()
    truth = simulate(brickwork(n, DEPTH, seed=seed), depolarizing(0.0, P2))
    seconds["simulate"] = time.perf_counter() - t
    t = time.perf_counter()
    data = measure(truth, MeasurementDesign(n, WINDOW), shots, seed=1000 + seed)
    seconds["sample"] = time.perf_counter() - t
    result = reconstruct(data)
    seconds["reconstruct"] = result.seconds
    t = time.perf_counter()
    row = {
        "part": part,
        "n": n,
        "shots_per_setting": shots,
        "total_shots": data.total_shots,
        "seed": seed,
        "overlap_fidelity": overlap_fidelity(truth, result.state),
        "fidelity": fidelity(truth, result.state) if n <= DENSE_MAX else None,
        "negativity": result.negativity,
        "max_rank": max(result.ranks),
        "truth_max_rank": max(truth.bond_dims),
        "bound": None if result.bound is None else float(result.bound.value),
        "warnings": result.warnings,
    }
    if n > DENSE_MAX:
        local = local_fidelities(result.state, truth, width=LOCAL_WIDTH)
        row["local_fidelity_mean"] = local.mean_fidelity
        row["local_fidelity_min"] = local.min_fidelity
    seconds["metrics"] = time.perf_counter() - t
    row["seconds"] = seconds
    return row


def _mean(rows, key):
    values = [r[key] for r in rows if r.get(key) is not None]
    return float(np.mean(values)) if values else None


def _line_fit(x, y) -> dict:
    """Least-squares line y = slope x + intercept, with the largest residual."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    slope, intercept = np.polyfit(x, y, 1)
    residual = y - (slope * x + intercept)
    return {
        "slope": float(slope),
        "intercept": float(intercept),
        "max_abs_residual": float(np.abs(residual).max()),
    }


def _fits(rows_a, rows_b) -> dict:
    fits = {}
    dense = [r for r in rows_a if r["fidelity"] is not None]
    if len({r["n"] for r in dense}) >= 2:
        ns = [r["n"] for r in dense]
        fits["uhlmann_infidelity_vs_n"] = _line_fit(ns, [1 - r["fidelity"] for r in dense])
        fits["uhlmann_minus_log_vs_n"] = _line_fit(ns, [-np.log(r["fidelity"]) for r in dense])
    if len({r["n"] for r in rows_a}) >= 2:
        ns = [r["n"] for r in rows_a]
        ovl = [r["overlap_fidelity"] for r in rows_a]
        fits["overlap_infidelity_vs_n"] = _line_fit(ns, [1 - f for f in ovl])
        fits["overlap_minus_log_vs_n"] = _line_fit(ns, [-np.log(f) for f in ovl])
    if len({r["shots_per_setting"] for r in rows_b}) >= 2:
        fits["log10_infidelity_vs_log10_shots"] = _line_fit(
            [np.log10(r["shots_per_setting"]) for r in rows_b],
            [np.log10(1 - r["fidelity"]) for r in rows_b],
        )
    return fits


def _tables(rows_a, rows_b, fits, shots_n) -> str:
    out = [
        "## (a) against n (10^4 shots per setting unless stated)\n",
        "| n | shots/setting | Uhlmann F (mean; per seed) | overlap F (mean; per seed) | "
        "3-qubit marginal F mean / min | time: sample / reconstruct (s) |",
        "|---|---|---|---|---|---|",
    ]
    for n in sorted({r["n"] for r in rows_a}):
        runs = sorted((r for r in rows_a if r["n"] == n), key=lambda r: r["seed"])
        f = _mean(runs, "fidelity")
        uhl = "-" if f is None else (f"{f:.4f}; " + ", ".join(f"{r['fidelity']:.4f}" for r in runs))
        ovl = f"{_mean(runs, 'overlap_fidelity'):.4f}; " + ", ".join(
            f"{r['overlap_fidelity']:.4f}" for r in runs
        )
        loc = (
            "-"
            if _mean(runs, "local_fidelity_mean") is None
            else (
                f"{_mean(runs, 'local_fidelity_mean'):.5f} / "
                f"{min(r['local_fidelity_min'] for r in runs):.5f}"
            )
        )
        sample = np.mean([r["seconds"]["sample"] for r in runs])
        rec = np.mean([r["seconds"]["reconstruct"] for r in runs])
        out.append(
            f"| {n} | {runs[0]['shots_per_setting']} | {uhl} | {ovl} | {loc} | "
            f"{sample:.1f} / {rec:.2f} |"
        )
    out += [
        "",
        f"## (b) against shots per setting (n = {shots_n}, 243 settings)\n",
        "| shots/setting | total copies | Uhlmann F (mean; per seed) | overlap F | "
        "time: sample / reconstruct (s) |",
        "|---|---|---|---|---|",
    ]
    for shots in sorted({r["shots_per_setting"] for r in rows_b}):
        runs = sorted(
            (r for r in rows_b if r["shots_per_setting"] == shots), key=lambda r: r["seed"]
        )
        out.append(
            f"| {shots} | {runs[0]['total_shots']:,} | {_mean(runs, 'fidelity'):.4f}; "
            + ", ".join(f"{r['fidelity']:.4f}" for r in runs)
            + f" | {_mean(runs, 'overlap_fidelity'):.4f} | "
            f"{np.mean([r['seconds']['sample'] for r in runs]):.1f} / "
            f"{np.mean([r['seconds']['reconstruct'] for r in runs]):.2f} |"
        )
    out += [
        "",
        "## Fits (all seeds, least squares)\n",
        "| fit | slope | intercept | max |residual| |",
        "|---|---|---|---|",
    ]
    for name, fit in fits.items():
        out.append(
            f"| {name} | {fit['slope']:.4g} | {fit['intercept']:.4g} | "
            f"{fit['max_abs_residual']:.3g} |"
        )
    return "\n".join(out)


def _plot(rows_a, rows_b, path, shots_n) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ns = sorted({r["n"] for r in rows_a})
    ovl = [_mean([r for r in rows_a if r["n"] == n], "overlap_fidelity") for n in ns]
    ax1.plot(ns, [1 - f for f in ovl], "o-", label="1 - overlap F")
    dense = [n for n in ns if n <= DENSE_MAX]
    if dense:
        uhl = [_mean([r for r in rows_a if r["n"] == n], "fidelity") for n in dense]
        ax1.plot(dense, [1 - f for f in uhl], "s-", label="1 - Uhlmann F")
    ax1.set_xlabel("n (qubits)")
    ax1.set_ylabel("infidelity")
    ax1.set_title("depth 2, window 5, 1e4 shots/setting")
    ax1.legend()
    shots = sorted({r["shots_per_setting"] for r in rows_b})
    if shots:
        inf = [
            1 - _mean([r for r in rows_b if r["shots_per_setting"] == s], "fidelity") for s in shots
        ]
        ax2.loglog(shots, inf, "o-", label=f"1 - Uhlmann F, n = {shots_n}")
        ax2.loglog(shots, inf[0] * shots[0] / np.asarray(shots, float), "k:", label="1 / shots")
        ax2.set_xlabel("shots per setting (243 settings)")
        ax2.set_ylabel("infidelity")
        ax2.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _cost(config: dict) -> float:
    """Rough seconds of one run: MPO sampling, plus the dense fidelity (cubic in 2^n)."""
    dense = 200.0 * 8.0 ** (config["n"] - 12) if config["n"] <= DENSE_MAX else 0.0
    return 6e-5 * config["n"] * config["shots"] + dense


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument(
        "--quick", action="store_true", help="n = 6, 8, 20; shots 1e2, 1e3 at n = 8; one seed"
    )
    args = parser.parse_args()
    if args.quick:
        sizes, shots_n, shot_list, seeds = (6, 8, 20), 8, (100, 1000), (0,)
    else:
        sizes, shots_n, shot_list, seeds = (
            (6, 8, 10, 12, 20, 40, 60, 100),
            10,
            (100, 1000, 10_000, 100_000),
            (0, 1),
        )
    configs = [{"n": n, "shots": 10_000, "seed": s, "part": "a"} for n in sizes for s in seeds]
    configs += [
        {"n": shots_n, "shots": m, "seed": s, "part": "b"}
        for m in shot_list
        for s in seeds
        if not (shots_n in sizes and m == 10_000)
    ]
    configs.sort(key=_cost, reverse=True)  # long ones first
    started = time.perf_counter()
    rows = run_all(one_run, configs, args.jobs)
    elapsed = time.perf_counter() - started
    rows_a = [r for r in rows if r["part"] == "a"]
    # (b) reuses the (a) runs at n = shots_n, 10^4 shots
    rows_b = [
        r
        for r in rows
        if r["n"] == shots_n and (r["part"] == "b" or r["shots_per_setting"] == 10_000)
    ]
    fits = _fits(rows_a, rows_b)
    table = (
        "# Cross tomography: fidelity against n and against shots\n\n"
        f"Brickwork Haar depth {DEPTH}, two-qubit depolarizing p2 = {P2}, window {WINDOW}, "
        "data sampled from the exact MPO; seeds "
        + ", ".join(map(str, seeds))
        + f". Script wall time {elapsed:.0f} s ({args.jobs} job(s)).\n\n"
        + _tables(rows_a, rows_b, fits, shots_n)
        + "\n"
    )
    paths = write_results(
        "tomography_scaling",
        {
            "config": vars(args),
            "wall_seconds": elapsed,
            "runs": rows,
            "fits": fits,
        },
        table,
    )
    png = paths[0].with_suffix(".png")
    _plot(rows_a, rows_b, png, shots_n)
    print(table)
    print("written:", *paths, png)


if __name__ == "__main__":
    main()
