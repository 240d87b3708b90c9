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
from _common import RESULTS, run_all, write_results  # noqa: E402

SHOTS = {5: 10_000, 7: 1_100}
PROTOTYPE = {  # (n, depth, window): fidelity reached by the prototype
    (8, 2, 5): 0.951,
    (8, 2, 7): 0.960,
    (12, 2, 5): 0.83,
    (12, 2, 7): 0.915,
    (8, 4, 7): 0.866,
    (12, 4, 7): 0.779,
}


WINDOWS = {2: (5, 7), 4: (7,)}


def _dense_fidelity_gpu(truth, estimate) -> float:
    """Uhlmann fidelity after the same repair as tomography.metrics.fidelity, on a GPU (torch).

    Only for this benchmark: n = 12 needs several 4096 x 4096 eigendecompositions per run.
    """
    import torch

    from tomography.metrics import project_to_simplex

    def physical(rho):
        m = torch.as_tensor(rho, device="cuda")
        m = (m + m.conj().T) / 2
        m = m / torch.trace(m).real
        w, v = torch.linalg.eigh(m)
        w = torch.as_tensor(project_to_simplex(w.cpu().numpy()), device="cuda")
        return w, v

    wa, va = physical(truth.to_dense())
    wb, vb = physical(estimate.to_dense())
    root = (va * torch.sqrt(wa.clamp(min=0))) @ va.conj().T
    sigma = (vb * wb) @ vb.conj().T
    eig = torch.linalg.eigvalsh(root @ sigma @ root).clamp(min=0)
    return float(min(1.0, torch.sqrt(eig).sum().item() ** 2))


def one_run(n: int, depth: int, seed: int, noise_scale: float = 0.75, gpu: bool = False) -> list:
    """Every window of WINDOWS[depth] on one circuit: truth, sampling, reconstruction, scores."""
    from tomography.circuits import brickwork
    from tomography.measure import MeasurementDesign, measure
    from tomography.metrics import fidelity, overlap_fidelity
    from tomography.noise import depolarizing
    from tomography.reconstruct import reconstruct
    from tomography.simulate import simulate

    truth = simulate(brickwork(n, depth, seed=seed), depolarizing(0.0, 0.01))
    rows = []
    for window in WINDOWS[depth]:
        t = time.perf_counter()
        data = measure(truth, MeasurementDesign(n, window), SHOTS[window], seed=1000 + seed)
        sample_time = time.perf_counter() - t
        result = reconstruct(data, noise_scale=noise_scale)
        t = time.perf_counter()
        fid = _dense_fidelity_gpu(truth, result.state) if gpu else fidelity(truth, result.state)
        check = fidelity(truth, result.state) if gpu and n <= 8 else None
        bound = result.bound
        rows.append(
            {
                "n": n,
                "depth": depth,
                "window": window,
                "seed": seed,
                "shots": SHOTS[window],
                "copies": data.total_shots,
                "noise_scale": noise_scale,
                "fidelity": fid,
                "fidelity_cpu_check": check,
                "overlap_fidelity": overlap_fidelity(truth, result.state),
                "negativity": result.negativity,
                "edge_correlation": result.edge_correlation,
                "max_rank": max(result.ranks),
                "truth_max_rank": max(truth.bond_dims),
                "bound": None if bound is None else float(bound.value),
                "warnings": result.warnings,
                "seconds": {
                    "sample": sample_time,
                    "reconstruct": result.seconds,
                    "fidelity": time.perf_counter() - t,
                },
            }
        )
        print(f"n={n} depth={depth} w={window} seed={seed}: F={fid:.4f}", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="n = 8 only, one seed")
    parser.add_argument("--gpu", action="store_true", help="dense fidelity with torch on CUDA")
    parser.add_argument("--noise-scale", type=float, default=0.75)
    args = parser.parse_args()
    sizes = (8,) if args.quick else (8, 12)
    seeds = (0,) if args.quick else (0, 1, 2)
    configs = [
        {"n": n, "depth": depth, "seed": seed, "gpu": args.gpu, "noise_scale": args.noise_scale}
        for n in sizes
        for depth in WINDOWS
        for seed in seeds
    ]
    configs.sort(key=lambda c: -c["n"] * c["depth"])  # long ones first
    log = RESULTS / "tomography_budget.jsonl"
    RESULTS.mkdir(parents=True, exist_ok=True)
    log.unlink(missing_ok=True)
    rows = [row for group in run_all(one_run, configs, args.jobs, log=log) for row in group]
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
