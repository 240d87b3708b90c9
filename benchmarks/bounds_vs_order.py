"""TT cross error bounds against the true (dense) error, order d = 4..20, mode size 2.

For each order and seed: a random TT ``T`` of rank 3 (normalised), index sets of rank 3 chosen
by maxvol (nested TT-cross sweep on ``T``) or at random, and two kinds of error:

- model error: ``A = T + E`` with dense Gaussian ``E``, ``||E||_F = 1e-6 ||T||_F``; bounds with
  the worst case on the samples (``sampled_model_error = ||E||_F``) and with the sampled part of
  ``E`` known (``||E_b||_F`` per block);
- noise: exact ``T``, every sample with independent Gaussian noise, std ``1e-6 max|T|``; the
  bound at confidence 0.95.

Writes ``benchmarks/results/bounds_vs_order.{json,png}``. Run: ``python
benchmarks/bounds_vs_order.py`` (about a minute).
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ttcross import TensorTrain, assemble_cross, cross_matrices, maxvol  # noqa: E402
from ttcross.bounds import cross_error_bound  # noqa: E402

ORDERS = range(4, 21)
SEEDS = range(5)
RANK = 3
LEVEL = 1e-6
RESULTS = Path(__file__).resolve().parent / "results"


def nested_maxvol_sets(tt: TensorTrain):
    """Nested left/right sets by maxvol on the interfaces of ``tt``, one core at a time."""
    cores, d = tt.cores, tt.ndim
    left, rows_val, prev = [], np.ones((1, 1)), np.zeros((1, 0), dtype=np.int64)
    for k in range(d - 1):
        n = cores[k].shape[1]
        block = np.tensordot(rows_val, cores[k], axes=(1, 0)).reshape(-1, cores[k].shape[2])
        rows, _ = maxvol(np.linalg.qr(block)[0])
        cand = np.concatenate(
            [np.repeat(prev, n, axis=0), np.tile(np.arange(n), len(prev))[:, None]], axis=1
        )
        prev, rows_val = cand[rows], block[rows] / np.abs(block[rows]).max()
        left.append(prev)
    right, cols_val, nxt = [None] * (d - 1), np.ones((1, 1)), np.zeros((1, 0), dtype=np.int64)
    for k in range(d - 1, 0, -1):
        n = cores[k].shape[1]
        block = np.tensordot(cores[k], cols_val, axes=(2, 0)).reshape(cores[k].shape[0], -1).T
        rows, _ = maxvol(np.linalg.qr(block)[0])
        cand = np.concatenate(
            [np.repeat(np.arange(n), len(nxt))[:, None], np.tile(nxt, (n, 1))], axis=1
        )
        nxt, cols_val = cand[rows], block[rows].T / np.abs(block[rows]).max()
        right[k - 1] = nxt
    return left, right


def random_sets(shape, ranks, rng):
    """Distinct random left and right multi-indices of the given sizes (not nested)."""
    left, right = [], []
    for k in range(len(shape) - 1):
        for sets, dims in ((left, shape[: k + 1]), (right, shape[k + 1 :])):
            flat = rng.choice(math.prod(dims), ranks[k], replace=False)
            sets.append(np.array(np.unravel_index(flat, dims)).T.reshape(ranks[k], len(dims)))
    return left, right


def sample(array, left, right):
    return cross_matrices(lambda idx: array[tuple(idx.T)], array.shape, left, right)


def dense_error(full, fibres, intersections) -> float:
    tt, _ = assemble_cross(fibres, intersections)
    return float(np.linalg.norm(full - tt.full()))


def finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def one_case(d: int, kind: str, rng) -> dict:
    tt = TensorTrain.random((2,) * d, RANK, seed=rng).round()
    tt = tt / tt.norm()
    full = tt.full()
    left, right = (
        nested_maxvol_sets(tt) if kind == "maxvol" else random_sets(full.shape, tt.ranks[1:-1], rng)
    )
    e = rng.standard_normal(full.shape)
    e *= LEVEL / np.linalg.norm(e)
    fibres, inters = sample(full + e, left, right)
    ef, ew = sample(e, left, right)
    worst = cross_error_bound(fibres, inters, model_error=LEVEL)
    known = cross_error_bound(
        fibres,
        inters,
        model_error=LEVEL,
        sampled_model_error=([np.linalg.norm(x) for x in ef], [np.linalg.norm(x) for x in ew]),
    )
    model_true = dense_error(full + e, fibres, inters)
    sigma = LEVEL * np.abs(full).max()
    fib_t, int_t = sample(full, left, right)
    noisy_f = [x + sigma * rng.standard_normal(x.shape) for x in fib_t]
    noisy_w = [x + sigma * rng.standard_normal(x.shape) for x in int_t]
    noise = cross_error_bound(noisy_f, noisy_w, noise_std=sigma, confidence=0.95)
    noise_true = dense_error(full, noisy_f, noisy_w)
    for bound, err in ((worst, model_true), (known, model_true), (noise, noise_true)):
        assert bound.value >= err, (d, kind, bound.value, err)  # never below the true error
    return {
        "order": d,
        "sets": kind,
        "n_samples": worst.n_samples,
        "model_true": model_true,
        "model_bound_worst": finite(worst.value),
        "model_bound_known": finite(known.value),
        "noise_true": noise_true,
        "noise_bound": finite(noise.value),
        "noise_form": noise.form,
        "node_kappa": noise.node_kappa,
        "max_interface_kappa": float(np.max(noise.interfaces.kappa)),
        "paper_factor": noise.paper_factor,
    }


def summarise(rows: list[dict]) -> dict:
    out = {}
    for kind in ("maxvol", "random"):
        for key in ("model_bound_worst", "model_bound_known", "noise_bound"):
            truth = "noise_true" if key.startswith("noise") else "model_true"
            ratios = [r[key] / r[truth] for r in rows if r["sets"] == kind and r[key] is not None]
            total = sum(r["sets"] == kind for r in rows)
            out[f"{kind}/{key}"] = {
                "ratio_min": min(ratios),
                "ratio_median": float(np.median(ratios)),
                "ratio_max": max(ratios),
                "finite": len(ratios),
                "cases": total,
            }
    return out


def medians(rows: list[dict], orders: list[int], key: str) -> np.ndarray:
    """Median of ``key`` over seeds, per order (NaN where every bound is infinite)."""
    out = []
    for d in orders:
        vals = [r[key] for r in rows if r["order"] == d and r[key] is not None]
        out.append(np.median(vals) if vals else np.nan)
    return np.array(out)


def plot(rows: list[dict], path: Path) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharex=True)
    styles = {"maxvol": "tab:blue", "random": "tab:red"}
    panels = (
        (
            "model error, ||E|| = 1e-6 ||T||",
            "model_true",
            (
                ("model_bound_worst", ":", "bound, worst case"),
                ("model_bound_known", "--", "bound, sampled E known"),
            ),
        ),
        ("noise, std 1e-6 max|T| (95%)", "noise_true", (("noise_bound", "--", "bound"),)),
    )
    for ax, (title, truth, bounds) in zip(axes, panels, strict=True):
        for kind, color in styles.items():
            sel = [r for r in rows if r["sets"] == kind]
            orders = sorted({r["order"] for r in sel})

            ax.semilogy(
                orders, medians(sel, orders, truth), "-o", color=color, ms=3, label=f"{kind}: true"
            )
            for key, style, label in bounds:
                ax.semilogy(
                    orders, medians(sel, orders, key), style, color=color, label=f"{kind}: {label}"
                )
        ax.set_ylim(1e-8, 1e6)  # random sets go off-scale (or to inf) from d ~ 12
        ax.set_title(title)
        ax.set_xlabel("order d (mode size 2, rank 3)")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("||A - A_hat||_F (median of 5 seeds)")
    axes[0].legend(fontsize=7)
    axes[1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=130)


def main() -> None:
    start = time.perf_counter()
    rng = np.random.default_rng(2022)
    rows = [one_case(d, kind, rng) for d in ORDERS for kind in ("maxvol", "random") for _ in SEEDS]
    RESULTS.mkdir(parents=True, exist_ok=True)
    summary = summarise(rows)
    payload = {
        "description": __doc__.strip().splitlines()[0],
        "rank": RANK,
        "level": LEVEL,
        "seconds": time.perf_counter() - start,
        "summary": summary,
        "cases": rows,
    }
    (RESULTS / "bounds_vs_order.json").write_text(json.dumps(payload, indent=1))
    plot(rows, RESULTS / "bounds_vs_order.png")
    for key, stats in summary.items():
        print(
            f"{key:28s} ratio bound/true: min {stats['ratio_min']:.3g}  median "
            f"{stats['ratio_median']:.3g}  max {stats['ratio_max']:.3g}  "
            f"({stats['finite']}/{stats['cases']} finite)"
        )
    print(f"{time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
