"""Fidelity of the reconstruction against the shots per setting, at a fixed number of qubits.

Brickwork of Haar-random two-qubit gates on n = 8 qubits, depth 2, two-qubit depolarizing
p2 = 0.01, window 5 (243 settings), shots per setting 10^2 .. 10^5 (2.4e4 .. 2.4e7 copies),
data sampled from the exact noisy state, ``reconstruct`` with its defaults; seed 0 (circuit
and shots; ``--seeds 0 1`` averages over two, about twice the time). Printed per budget:
Uhlmann fidelity to the dense truth (estimate projected onto states), overlap fidelity,
worst 3-qubit marginal fidelity, the negativity of the raw estimate, and the log-log slope
of the infidelity against the shots.

Figure: fidelities against shots (mean over the seeds), and the singular values of every
intersection matrix against the estimated noise level at the smallest and largest budgets
(seed 0): more shots lower the noise floor and reveal more of the spectrum.

Run: python examples/fidelity_vs_shots.py [--quick] [--out PATH]
Full run: 175 s measured on a shared 2-core machine (the 2.4e7 copies of 10^5 shots per
setting take 100 s of it; two seeds took 402 s); --quick (n = 6, 10^2 and 10^3 shots):
~5 s.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

DEFAULT_OUT = Path(__file__).resolve().parent / "figures" / "fidelity_vs_shots.png"
LOCAL_WIDTH = 3


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n = 6, 10^2 and 10^3 shots")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="figure path (.png)")
    parser.add_argument("-n", "--qubits", type=int, help="qubits (default 8; quick 6)")
    parser.add_argument("--shots", type=int, nargs="+", help="shots per setting to try")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="seeds (default 0)")
    parser.add_argument("--depth", type=int, default=2)
    parser.add_argument("--p2", type=float, default=0.01)
    parser.add_argument("--window", type=int, default=5)
    args = parser.parse_args(argv)
    if args.qubits is None:
        args.qubits = 6 if args.quick else 8
    if args.shots is None:
        args.shots = [100, 1000] if args.quick else [100, 300, 1000, 3000, 10_000, 30_000, 100_000]
    return args


def run(args: argparse.Namespace) -> tuple[list[dict], dict]:
    """One row per (shots, seed); the reconstructions of seed 0 by shots."""
    from tomography.circuits import brickwork
    from tomography.measure import MeasurementDesign, measure
    from tomography.metrics import fidelity, local_fidelities, overlap_fidelity
    from tomography.noise import depolarizing
    from tomography.reconstruct import reconstruct
    from tomography.simulate import simulate

    rows, kept = [], {}
    design = MeasurementDesign(args.qubits, args.window)
    for seed in args.seeds:
        truth = simulate(brickwork(args.qubits, args.depth, seed=seed), depolarizing(0.0, args.p2))
        for shots in args.shots:
            started = time.perf_counter()
            data = measure(truth, design, shots, seed=1000 * seed + shots)
            result = reconstruct(data, compute_bound=False)
            rows.append(
                {
                    "shots": shots,
                    "seed": seed,
                    "copies": data.total_shots,
                    "fidelity": fidelity(truth, result.state),
                    "overlap": overlap_fidelity(truth, result.state),
                    "local_min": local_fidelities(result.state, truth, LOCAL_WIDTH).min_fidelity,
                    "negativity": result.negativity,
                    "seconds": time.perf_counter() - started,
                }
            )
            if seed == args.seeds[0]:
                kept[shots] = result
    return rows, kept


def mean_by_shots(rows: list[dict], key: str, shots: list[int]) -> np.ndarray:
    return np.array([np.mean([r[key] for r in rows if r["shots"] == s]) for s in shots])


def print_table(rows: list[dict], shots: list[int]) -> None:
    print(
        f"{'shots':>7} {'copies':>11} {'seed':>4} {'F':>7} {'overlap F':>9} "
        f"{'min F_3':>7} {'negativity':>10} {'s':>5}"
    )
    for r in sorted(rows, key=lambda r: (r["shots"], r["seed"])):
        print(
            f"{r['shots']:>7} {r['copies']:>11,} {r['seed']:>4} {r['fidelity']:>7.4f} "
            f"{r['overlap']:>9.4f} {r['local_min']:>7.4f} {r['negativity']:>10.3g} "
            f"{r['seconds']:>5.1f}"
        )
    if len(shots) >= 2:
        infidelity = 1 - mean_by_shots(rows, "fidelity", shots)
        slope = np.polyfit(np.log10(shots), np.log10(infidelity), 1)[0]
        print(f"log-log slope of 1 - F (mean over seeds) against shots: {slope:.3f}")


def make_figure(rows, kept, args, out: Path) -> None:
    from matplotlib.figure import Figure

    from tomography.plotting import plot_fidelity_curve, plot_singular_values

    shots = sorted(args.shots)
    fig = Figure(figsize=(11, 4), layout="constrained")
    left, right = fig.subplots(1, 2)
    plot_fidelity_curve(
        shots,
        {
            "Uhlmann fidelity": mean_by_shots(rows, "fidelity", shots),
            "overlap fidelity": mean_by_shots(rows, "overlap", shots),
            f"min {LOCAL_WIDTH}-qubit marginal F": mean_by_shots(rows, "local_min", shots),
        },
        ax=left,
        xlabel="shots per setting (243 settings)",
        logx=True,
        title=f"n = {args.qubits}, depth {args.depth}, p2 = {args.p2}",
    )
    for shots_value, colour, shift in ((shots[0], "C0", -0.15), (shots[-1], "C2", 0.15)):
        plot_singular_values(
            kept[shots_value], ax=right, shift=shift, color=colour, label=f"{shots_value} shots"
        )
    right.legend(fontsize=8)
    right.set_title("intersection spectra against the shot noise (seed 0)")
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=90)


def main(argv=None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    rows, kept = run(args)
    print_table(rows, sorted(args.shots))
    make_figure(rows, kept, args, args.out)
    print(f"figure: {args.out}")
    print(f"total time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
