"""Refinement on the data of the cross reconstruction, at a budget of about 2.4e6 copies.

Brickwork of Haar gates with two-qubit depolarizing p2 = 0.01; window 5 with 10^4 shots per
setting or window 7 with 1100 shots; n = 8 and 12, depth 2 (windows 5, 7) and 4 (window 7);
seeds 0, 1, 2. For each data set: the cross estimate, then ``refine`` with each loss and
parametrisation, and the default (``nll``, ``positive=True``) from a random start. Fidelity
against the exact state (dense; on a GPU with ``--gpu``), iterations, wall time and the
held-out loss per iteration. ``--time50`` times the default refinement against the cross
reconstruction of the same data at n = 50.

Usage: python benchmarks/refine_budget.py [--jobs 16] [--gpu] [--quick] [--only n,depth]
       python benchmarks/refine_budget.py --report   (table and figure from the .jsonl log)
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from _common import RESULTS, run_all, write_results  # noqa: E402

SHOTS = {5: 10_000, 7: 1_100}
WINDOWS = {2: (5, 7), 4: (7,)}
VARIANTS = {  # name: (refine options, init)
    "lsq": {"loss": "lsq", "positive": False},
    "nll": {"loss": "nll", "positive": False},
    "lsq+positive": {"loss": "lsq", "positive": True},
    "nll+positive": {"loss": "nll", "positive": True},  # refine's defaults
    "nll+positive, random start": {"loss": "nll", "positive": True, "init": "random"},
}
TARGETS = {(12, 2): 0.95, (12, 4, 7): 0.85}
LOG = RESULTS / "refine_budget.jsonl"


def _fidelity(truth, estimate, gpu: bool) -> float:
    if not gpu:
        from tomography.metrics import fidelity

        return fidelity(truth, estimate)
    from tomography_budget import _dense_fidelity_gpu

    return _dense_fidelity_gpu(truth, estimate)


def _data(n: int, depth: int, window: int, seed: int):
    from tomography.circuits import brickwork
    from tomography.measure import MeasurementDesign, measure
    from tomography.noise import depolarizing
    from tomography.simulate import simulate

    truth = simulate(brickwork(n, depth, seed=seed), depolarizing(0.0, 0.01))
    return truth, measure(truth, MeasurementDesign(n, window), SHOTS[window], seed=1000 + seed)


def one_run(
    n: int, depth: int, window: int, seed: int, variant: str, gpu: bool, purify: int | None = None
) -> dict:
    """The cross estimate and one refinement of it, scored against the exact state.

    ``purify``: iterations of the purification fit (``positive=True``), default the module's.
    """
    refine_module = importlib.import_module("tomography._refine_models")  # holds _PURIFY_ITERS
    from tomography.reconstruct import reconstruct
    from tomography.refine import refine

    if purify is not None:
        refine_module._PURIFY_ITERS = purify

    truth, data = _data(n, depth, window, seed)
    cross = reconstruct(data, compute_bound=False)
    fit = refine(cross.state, data, seed=seed, max_iters=300, **VARIANTS[variant])
    row = {
        "n": n,
        "depth": depth,
        "window": window,
        "seed": seed,
        "variant": variant,
        "purify_iters": refine_module._PURIFY_ITERS,
        "fidelity_cross": _fidelity(truth, cross.state, gpu),
        "fidelity": _fidelity(truth, fit.state, gpu),
        "iterations": fit.iterations,
        "best_iteration": fit.best_iteration,
        "stop_reason": fit.stop_reason,
        "cross_bonds": list(cross.state.bond_dims),
        "bonds": list(fit.state.bond_dims),
        "seconds": {"cross": cross.seconds, "refine": fit.seconds},
        "history": fit.history,
    }
    print(
        f"n={n} depth={depth} w={window} seed={seed} {variant}: "
        f"F {row['fidelity_cross']:.4f} -> {row['fidelity']:.4f} ({fit.seconds:.0f} s)",
        flush=True,
    )
    return row


def time50(seed: int) -> dict:
    """Wall time of the cross reconstruction and of the default refinement at n = 50."""
    from tomography.reconstruct import reconstruct
    from tomography.refine import refine

    _, data = _data(50, 2, 5, seed)
    cross = reconstruct(data, compute_bound=False)
    out = {"n": 50, "seed": seed, "cross_seconds": cross.seconds}
    for name, options in {"default": {}, "lsq": VARIANTS["lsq"]}.items():
        fit = refine(cross.state, data, seed=seed, max_iters=300, **options)
        out[name] = {
            "seconds": fit.seconds,
            "iterations": fit.iterations,
            "ratio": fit.seconds / cross.seconds,
        }
    print("n=50:", out, flush=True)
    return out


def report() -> None:
    rows = [json.loads(line) for line in LOG.read_text().splitlines()]
    runs = [r for r in rows if "variant" in r]
    timing = [r for r in rows if "cross_seconds" in r]
    keys = sorted({(r["n"], r["depth"], r["window"]) for r in runs})
    lines = [
        "# Refinement on the same data (budget 2.4e6 copies, 3 seeds)",
        "",
        "Fidelity against the exact state, mean over seeds (per-seed values in the JSON). "
        "`infidelity ratio` = (1 - F_refined) / (1 - F_cross), mean over seeds; the goal is "
        "<= 0.7. Iterations: L-BFGS iterations run (the returned one is the best on the "
        "held-out shots or strings).",
        "",
        "| n | depth | window | variant | F cross | F refined | infidelity ratio | "
        "iterations | refine time (s) | cross time (s) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    summary = []
    for key in keys:
        for variant in VARIANTS:
            sel = [
                r
                for r in runs
                if (r["n"], r["depth"], r["window"]) == key and r["variant"] == variant
            ]
            if not sel:
                continue
            f0 = np.array([r["fidelity_cross"] for r in sel])
            f1 = np.array([r["fidelity"] for r in sel])
            ratio = float(np.mean((1 - f1) / (1 - f0)))
            its = np.mean([r["iterations"] for r in sel])
            t1 = np.mean([r["seconds"]["refine"] for r in sel])
            t0 = np.mean([r["seconds"]["cross"] for r in sel])
            summary.append(
                {
                    "n": key[0],
                    "depth": key[1],
                    "window": key[2],
                    "variant": variant,
                    "fidelity_cross": float(f0.mean()),
                    "fidelity": float(f1.mean()),
                    "infidelity_ratio": ratio,
                    "seeds": len(sel),
                }
            )
            lines.append(
                f"| {key[0]} | {key[1]} | {key[2]} | {variant} | {f0.mean():.4f} | "
                f"{f1.mean():.4f} | {ratio:.2f} | {its:.0f} | {t1:.1f} | {t0:.1f} |"
            )
    if timing:
        lines += [
            "",
            "## Time at n = 50 (depth 2, window 5, 10^4 shots per setting)",
            "",
            "| seed | cross (s) | default refine (s) | ratio | lsq refine (s) | ratio |",
            "|---|---|---|---|---|---|",
        ]
        for t in timing:
            lines.append(
                f"| {t['seed']} | {t['cross_seconds']:.2f} | {t['default']['seconds']:.1f} | "
                f"{t['default']['ratio']:.1f} | {t['lsq']['seconds']:.1f} | "
                f"{t['lsq']['ratio']:.1f} |"
            )
    table = "\n".join(lines) + "\n"
    write_results("refine_budget", {"runs": runs, "timing": timing, "summary": summary}, table)
    _figure(runs)
    print(table)


def _figure(runs: list[dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(12, 4.2))
    case = [r for r in runs if (r["n"], r["depth"], r["window"], r["seed"]) == (8, 2, 5, 0)]
    curves = {
        r["variant"]: np.array([h[1] for h in r["history"]])
        for r in case
        if r["variant"] in ("nll+positive", "nll+positive, random start")
    }
    floor = min(c.min() for c in curves.values()) if curves else 0.0
    for (variant, curve), style in zip(curves.items(), ("-", "--"), strict=False):
        r = next(r for r in case if r["variant"] == variant)
        ax0.plot(curve - floor + 1e-6, style, label=f"{variant} (F = {r['fidelity']:.4f})")
        ax0.axvline(r["best_iteration"], ls=style, color="grey", lw=0.6)
    ax0.set(
        xlabel="L-BFGS iteration",
        yscale="log",
        ylabel="held-out nll per shot - lowest value",
        title="n = 8, depth 2, window 5, seed 0 (| = returned iterate)",
    )
    ax0.legend(fontsize=8)
    keys = sorted({(r["n"], r["depth"], r["window"]) for r in runs})
    names = list(VARIANTS)
    width = 0.8 / (len(names) + 1)
    for i, key in enumerate(keys):
        sel = [r for r in runs if (r["n"], r["depth"], r["window"]) == key]
        base = np.mean([1 - r["fidelity_cross"] for r in sel])
        ax1.bar(i, base, width, color="black", label="cross" if i == 0 else None)
        for v, variant in enumerate(names):
            vals = [1 - r["fidelity"] for r in sel if r["variant"] == variant]
            if vals:
                ax1.bar(
                    i + (v + 1) * width,
                    np.mean(vals),
                    width,
                    color=f"C{v}",
                    label=variant if i == 0 else None,
                )
    ax1.set_xticks(
        np.arange(len(keys)) + 0.4, [f"n={k[0]}\ndepth {k[1]}\nw={k[2]}" for k in keys], fontsize=8
    )
    ax1.set(
        ylabel="infidelity 1 - F (mean of seeds)",
        yscale="log",
        title="cross estimate and refinements, same data",
    )
    ax1.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(RESULTS / "refine_budget.png", dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--gpu", action="store_true", help="dense fidelity with torch on CUDA")
    parser.add_argument("--quick", action="store_true", help="n = 8, depth 2, w = 5, seed 0")
    parser.add_argument("--only", help="comma-separated n,depth")
    parser.add_argument("--variants", help="comma-separated subset of the variants")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--time50", action="store_true", help="only the n = 50 timing")
    parser.add_argument("--purify", help="comma-separated purification iterations to compare")
    parser.add_argument("--report", action="store_true", help="table and figure from the log")
    args = parser.parse_args()
    if args.report:
        report()
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    seeds = [int(s) for s in args.seeds.split(",")]
    if args.time50:
        run_all(time50, [{"seed": s} for s in seeds], args.jobs, log=LOG)
        return
    variants = args.variants.split("|") if args.variants else list(VARIANTS)
    cases = [(8, 2), (12, 2), (8, 4), (12, 4)]
    if args.quick:
        cases, seeds = [(8, 2)], [0]
    if args.only:
        cases = [tuple(int(x) for x in args.only.split(","))]
    purify = [None] if not args.purify else [int(x) for x in args.purify.split(",")]
    configs = [
        {"n": n, "depth": d, "window": w, "seed": s, "variant": v, "gpu": args.gpu, "purify": p}
        for n, d in cases
        for w in WINDOWS[d]
        for s in seeds
        for v in variants
        for p in purify
        if not (args.quick and w != 5)
    ]
    configs.sort(key=lambda c: -c["n"] * c["depth"] * c["window"])
    t = time.perf_counter()
    run_all(one_run, configs, args.jobs, log=LOG)
    print(f"done in {time.perf_counter() - t:.0f} s")


if __name__ == "__main__":
    main()
