"""Fidelity of the reconstruction against the number of qubits, at a fixed measurement budget.

Brickwork of Haar-random two-qubit gates, depth 2, two-qubit depolarizing p2 = 0.01 (no
one-qubit noise: the circuit has no one-qubit gates), window 5 (243 settings whatever n),
5000 shots per setting (1.2e6 copies whatever n), data sampled from the exact noisy state
(``simulate`` + ``measure``), ``reconstruct`` with its defaults. Per n:

- n = 6, 8, 10, 12: Uhlmann fidelity to the dense truth (the estimate projected onto states);
- every n (also 20, 50, 100, where no dense matrix exists): the overlap fidelity
  ``tr(rho sigma) / max(tr rho^2, tr sigma^2)`` of the two MPOs and the worst fidelity of the
  3-qubit marginals.

Figure: fidelities against n, and the 3-qubit marginal fidelity along the n = 100 chain.

Run: python examples/fidelity_vs_qubits.py [--quick] [--out PATH] [--sizes N ...]
Full run: 197 s measured on this 2-core machine shared with other jobs (load ~2.5), 138 s of
it the dense n = 12 fidelity (three 4096 x 4096 eigendecompositions) and 30 s n = 100; under
a load of ~5 the same run took 512 s (n = 12: 285 s). ``--sizes 6 8 10 20 50 100`` skips
n = 12. --quick: ~5 s.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

DEFAULT_OUT = Path(__file__).resolve().parent / "figures" / "fidelity_vs_qubits.png"
DENSE_MAX = 12  # tomography.metrics.fidelity needs the dense matrices
LOCAL_WIDTH = 3


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n = 6, 8, 20 and 500 shots")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="figure path (.png)")
    parser.add_argument("--sizes", type=int, nargs="+", help="qubit numbers (default by mode)")
    parser.add_argument("--shots", type=int, help="shots per setting (default 5000)")
    parser.add_argument("--depth", type=int, default=2)
    parser.add_argument("--p2", type=float, default=0.01)
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.sizes is None:
        args.sizes = [6, 8, 20] if args.quick else [6, 8, 10, 12, 20, 50, 100]
    if args.shots is None:
        args.shots = 500 if args.quick else 5000
    return args


def one_size(n: int, args: argparse.Namespace) -> dict:
    from tomography.circuits import brickwork
    from tomography.measure import MeasurementDesign, measure
    from tomography.metrics import fidelity, local_fidelities, overlap_fidelity
    from tomography.noise import depolarizing
    from tomography.reconstruct import reconstruct
    from tomography.simulate import simulate

    started = time.perf_counter()
    truth = simulate(brickwork(n, args.depth, seed=args.seed), depolarizing(0.0, args.p2))
    data = measure(truth, MeasurementDesign(n, args.window), args.shots, seed=1000 + args.seed)
    result = reconstruct(data, compute_bound=False)
    local = local_fidelities(result.state, truth, LOCAL_WIDTH)
    return {
        "n": n,
        "copies": data.total_shots,
        "fidelity": fidelity(truth, result.state) if n <= DENSE_MAX else None,
        "overlap": overlap_fidelity(truth, result.state),
        "local_min": local.min_fidelity,
        "local": local,
        "max_rank": max(result.ranks),
        "true_max_rank": max(truth.bond_dims),
        "seconds": time.perf_counter() - started,
    }


def print_header() -> None:
    print(
        f"{'n':>4} {'copies':>10} {'F (dense)':>10} {'overlap F':>10} "
        f"{'min F_3':>8} {'rank':>5} {'true':>5} {'s':>6}"
    )


def print_row(r: dict) -> None:
    dense = "-" if r["fidelity"] is None else f"{r['fidelity']:.4f}"
    print(
        f"{r['n']:>4} {r['copies']:>10,} {dense:>10} {r['overlap']:>10.4f} "
        f"{r['local_min']:>8.4f} {r['max_rank']:>5} {r['true_max_rank']:>5} "
        f"{r['seconds']:>6.1f}",
        flush=True,
    )


def make_figure(rows: list[dict], args: argparse.Namespace, out: Path) -> None:
    from matplotlib.figure import Figure

    from tomography.plotting import plot_fidelity_curve, plot_local_fidelities

    fig = Figure(figsize=(11, 4), layout="constrained")
    left, right = fig.subplots(1, 2)
    dense = [r for r in rows if r["fidelity"] is not None]
    ns = [r["n"] for r in rows]
    plot_fidelity_curve(
        ns,
        {
            "overlap fidelity": [r["overlap"] for r in rows],
            f"min {LOCAL_WIDTH}-qubit marginal F": [r["local_min"] for r in rows],
        },
        ax=left,
        xlabel="qubits n",
        title=f"depth {args.depth}, p2 = {args.p2}, {args.shots} shots x 243 settings",
    )
    if dense:
        left.plot(
            [r["n"] for r in dense],
            [r["fidelity"] for r in dense],
            marker="s",
            label="Uhlmann fidelity (dense)",
        )
        left.legend()
    largest = rows[-1]
    plot_local_fidelities(largest["local"], ax=right)
    right.set_title(f"marginal fidelity along the chain, n = {largest['n']}")
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=90)


def main(argv=None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    rows = []
    print_header()
    for n in args.sizes:  # one row as each size is done (n = 12 takes minutes)
        rows.append(one_size(n, args))
        print_row(rows[-1])
    make_figure(rows, args, args.out)
    print(f"figure: {args.out}")
    print(f"total time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
