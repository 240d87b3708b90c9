"""What bounding long segments by products costs the error bound (``segment_length``).

``cross_error_bound`` computes the norms of runs of cores exactly up to ``segment_length``
cores and bounds longer ones by sub-multiplicativity (O(d L) instead of O(d^2)). On the
families of tests/test_bounds.py (random TT of rank 1-4, mode size 2-3, index sets by maxvol
on the unfoldings' singular vectors, by a nested TT-cross sweep, or at random; uniform noise
of level 1e-10..1e-3 max|T| on every sample, bounded-noise bound), orders 6-12 (mode size 2-3)
and 13-20 (mode size 2): the ratio of the bound at L = 1, 2, 4, 8, 16 to the exact
telescoping bound (``segment_length=None``), and whether every bound stays >= the dense error.

Usage: python benchmarks/bound_segments.py [--cases 150]
"""

from __future__ import annotations

import argparse
import math
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from _common import write_results  # noqa: E402

from ttcross import TensorTrain, assemble_cross, cross_matrices, maxvol  # noqa: E402
from ttcross import bounds as tb  # noqa: E402

LENGTHS = (1, 2, 4, 8, 16)


def _multi(flat, dims):
    return np.array(np.unravel_index(flat, dims)).T.reshape(len(flat), len(dims))


def _svd_sets(full, ranks):
    shape, left, right = full.shape, [], []
    for k in range(full.ndim - 1):
        u, _, vh = np.linalg.svd(full.reshape(math.prod(shape[: k + 1]), -1), full_matrices=False)
        rows, _ = maxvol(u[:, : ranks[k]])
        cols, _ = maxvol(vh[: ranks[k]].T)
        left.append(_multi(rows, shape[: k + 1]))
        right.append(_multi(cols, shape[k + 1 :]))
    return left, right


def _random_sets(shape, ranks, rng):
    left, right = [], []
    for k in range(len(shape) - 1):
        nl, nr = math.prod(shape[: k + 1]), math.prod(shape[k + 1 :])
        left.append(_multi(rng.choice(nl, ranks[k], replace=False), shape[: k + 1]))
        right.append(_multi(rng.choice(nr, ranks[k], replace=False), shape[k + 1 :]))
    return left, right


def one_case(rng, kind: str) -> dict | None:
    d = int(rng.integers(6, 21))
    size = int(rng.integers(2, 4)) if d <= 12 else 2
    tt = TensorTrain.random((size,) * d, int(rng.integers(1, 5)), seed=rng).round()
    full = tt.full()
    ranks = tt.ranks[1:-1]
    left, right = (
        _svd_sets(full, ranks) if kind == "maxvol" else _random_sets(full.shape, ranks, rng)
    )
    fibres, inters = cross_matrices(lambda idx: full[tuple(idx.T)], full.shape, left, right)
    level = 10 ** rng.uniform(-10, -3) * np.abs(full).max()
    noisy_f = [f + rng.uniform(-level, level, f.shape) for f in fibres]
    noisy_w = [w + rng.uniform(-level, level, w.shape) for w in inters]
    approx, _ = assemble_cross(noisy_f, noisy_w)
    error = float(np.linalg.norm(full - approx.full()))
    exact = tb.cross_error_bound(noisy_f, noisy_w, noise_max=level, segment_length=None)
    if not exact.consistent:
        return None
    row = {"order": d, "mode_size": size, "sets": kind, "error": error, "exact": exact.value}
    for length in LENGTHS:
        bound = tb.cross_error_bound(noisy_f, noisy_w, noise_max=level, segment_length=length)
        row[f"L{length}"] = bound.value
        row[f"L{length}_sequential_ratio"] = bound.sequential / exact.sequential
    row["all_cover"] = all(row[f"L{length}"] >= error for length in LENGTHS)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=150)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    started = time.perf_counter()
    rows = []
    for i in range(args.cases):
        row = one_case(rng, "maxvol" if i % 2 == 0 else "random")
        if row is not None:
            rows.append(row)
    elapsed = time.perf_counter() - started
    lines = [
        "| L | value / exact: median | 90% | max | sequential / exact: median | max | covers |",
        "|---|---|---|---|---|---|---|",
    ]
    summary = {}
    for length in LENGTHS:
        value = np.array([r[f"L{length}"] / r["exact"] for r in rows])
        seq = np.array([r[f"L{length}_sequential_ratio"] for r in rows])
        covers = sum(r[f"L{length}"] >= r["error"] for r in rows)
        summary[length] = {
            "value_ratio_median": float(np.median(value)),
            "value_ratio_p90": float(np.quantile(value, 0.9)),
            "value_ratio_max": float(value.max()),
            "sequential_ratio_median": float(np.median(seq)),
            "sequential_ratio_max": float(seq.max()),
            "covers": covers,
        }
        s = summary[length]
        lines.append(
            f"| {length} | {s['value_ratio_median']:.4f} | {s['value_ratio_p90']:.4f} | "
            f"{s['value_ratio_max']:.4g} | {s['sequential_ratio_median']:.4f} | "
            f"{s['sequential_ratio_max']:.4g} | {covers} / {len(rows)} |"
        )
    table = (
        "# Cost of bounding long segments by products (segment_length)\n\n"
        f"{len(rows)} consistent cases of {args.cases} (orders 6-20, maxvol and random sets, "
        "bounded noise). Ratios to the exact telescoping bound (segment_length=None); the "
        f"default is {tb.SEGMENT_LENGTH}. 'covers': bound >= dense error. Wall time "
        f"{elapsed:.0f} s.\n\n" + "\n".join(lines) + "\n"
    )
    paths = write_results(
        "bound_segments",
        {"config": vars(args), "wall_seconds": elapsed, "summary": summary, "cases": rows},
        table,
    )
    print(table)
    print("written:", *paths)


if __name__ == "__main__":
    main()
