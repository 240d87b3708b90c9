"""Model error of the cross formula on exact data: fidelity against window and rank.

Depth-2 and depth-4 brickworks of Haar gates (two-qubit depolarizing p2 = 0.01), n = 8 and 10,
exact local expectations (``ExactExpectations``: the limit of infinitely many shots); windows
5, 7, 9 and rank caps 4 .. 256. Shows where the formula is exact (window >= 2 depth + 1), how
it degrades below, and which warning the user gets.

Usage: python benchmarks/model_error.py [--jobs 2]
"""

from __future__ import annotations

import argparse
import os
import warnings

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from _common import run_all, write_results  # noqa: E402

RANKS = (4, 16, 64, 256, None)


def one_run(n: int, depth: int, seed: int) -> list[dict]:
    from tomography.circuits import brickwork
    from tomography.measure import ExactExpectations
    from tomography.metrics import fidelity, trace_distance
    from tomography.noise import depolarizing
    from tomography.reconstruct import reconstruct
    from tomography.simulate import simulate

    truth = simulate(brickwork(n, depth, seed=seed), depolarizing(0.0, 0.01))
    rows = []
    for window in (5, 7, 9):
        if window > n:
            continue
        for rank in RANKS:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = reconstruct(
                    ExactExpectations(truth, window), max_rank=rank, compute_bound=False
                )
            rows.append(
                {
                    "n": n,
                    "depth": depth,
                    "seed": seed,
                    "window": window,
                    "rank": rank,
                    "truth_max_rank": max(truth.bond_dims),
                    "max_rank": max(result.ranks),
                    "fidelity": fidelity(truth, result.state),
                    "trace_distance": trace_distance(truth, result.state, repair=True),
                    "negativity": result.negativity,
                    "warnings": sorted({w.category.__name__ for w in caught}),
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    configs = [{"n": n, "depth": d, "seed": 0} for n in (8, 10) for d in (2, 4)]
    rows = [r for group in run_all(one_run, configs, args.jobs) for r in group]
    lines = [
        "| n | depth | window | rank cap | truth bond | F | trace distance | negativity "
        "| warnings |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']} | {r['depth']} | {r['window']} | {r['rank'] or 'none'} | "
            f"{r['truth_max_rank']} | {r['fidelity']:.6f} | {r['trace_distance']:.2e} | "
            f"{r['negativity']:.2e} | {', '.join(r['warnings']) or '-'} |"
        )
    table = "# Model error on exact data: fidelity against window and rank\n\n" + "\n".join(lines)
    paths = write_results("model_error", {"runs": rows}, table + "\n")
    print(table)
    print("written:", *paths, np.__version__)


if __name__ == "__main__":
    main()
