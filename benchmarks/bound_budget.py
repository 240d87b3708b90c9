"""The reported bound at the budget of ``tomography_budget.py`` (2.4e6 copies), against the error.

Brickwork of Haar gates, p2 = 0.01; n = 8 and 12; depth 2 with windows 5 (10^4 shots per
setting) and 7 (1100), depth 4 with window 7; seeds 0, 1, 2. Per run (``bound_coverage.one_run``):
the true error ``||X_hat - X||_F`` of the Pauli tensor before normalisation, the reported
value, whether it is rigorous or the flagged linearised estimate, and whether it covers.

Usage: python benchmarks/bound_budget.py [--jobs 16]
"""

from __future__ import annotations

import argparse
import math
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from _common import run_all, write_results  # noqa: E402
from bound_coverage import one_run  # noqa: E402

CASES = [
    (8, 2, 5, 10_000),
    (8, 2, 7, 1100),
    (12, 2, 5, 10_000),
    (12, 2, 7, 1100),
    (8, 4, 7, 1100),
    (12, 4, 7, 1100),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    configs = [
        {"n": n, "depth": d, "window": w, "shots": m, "seed": s}
        for n, d, w, m in CASES
        for s in range(3)
    ]
    rows = run_all(one_run, configs, args.jobs)
    lines = [
        "# The reported bound at a budget of 2.4e6 copies",
        "",
        "Value and true error are ||X_hat - X||_F of the Pauli tensor before normalisation. "
        "'rigorous' counts runs where the rigorous bound was resolved; else the value is the "
        "flagged linearised estimate (`bound.rigorous` False).",
        "",
        "| n | depth | window | shots/setting | runs | finite | covered | rigorous | "
        "bound/error per seed |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for n, d, w, m in CASES:
        group = sorted(
            (r for r in rows if (r["n"], r["depth"], r["window"]) == (n, d, w)),
            key=lambda r: r["seed"],
        )
        ratios = ", ".join("inf" if r["ratio"] is None else f"{r['ratio']:.1f}" for r in group)
        lines.append(
            f"| {n} | {d} | {w} | {m} | {len(group)} | "
            f"{sum(math.isfinite(r['bound']) for r in group)} | "
            f"{sum(r['covered'] for r in group)} | {sum(r['rigorous'] for r in group)} | "
            f"{ratios} |"
        )
    finite = [r for r in rows if math.isfinite(r["bound"])]
    lines += [
        "",
        f"All: {sum(r['covered'] for r in rows)} of {len(rows)} covered, {len(finite)} finite; "
        f"median bound/error {np.median([r['ratio'] for r in finite]):.1f}."
        if finite
        else "No finite value.",
    ]
    lines += [
        f"- not finite: n = {r['n']}, depth {r['depth']}, window {r['window']}, seed "
        f"{r['seed']}: {r['reason'].split(';')[0]}"
        for r in rows
        if not math.isfinite(r["bound"])
    ]
    table = "\n".join(lines) + "\n"
    write_results("bound_budget", {"runs": rows}, table)
    print(table)


if __name__ == "__main__":
    main()
