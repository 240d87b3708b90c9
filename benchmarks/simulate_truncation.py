"""Truncation of the MPO simulator: bond cap x ``nonidentity_weight``, n = 10, depth 6, p2 = 0.01.

One Haar brickwork (seed fixed) under ``depolarizing(p1=0.001, p2=0.01)`` (p1 never acts: a Haar
brickwork has no one-qubit gates). Reference: the untruncated MPO (checked against Aer's dense
state). For bond caps 8, 16, 32 and ``nonidentity_weight`` in {1, 0.7, 0.5, 0.35}:

- ``trace_before``: ``X(0..0)`` before ``simulate`` normalises (1 without truncation);
- mean / max trace distance of the 8 consecutive 3-qubit marginals to the reference's;
- overlap fidelity ``tr(ab) / max(tr a^2, tr b^2)`` (TT contractions, both of trace 1);
- Uhlmann fidelity ``(tr sqrt(sqrt(a) b sqrt(a)))^2`` of the dense matrices, after the
  truncated state is made physical: eigenvalues projected onto the probability simplex (the
  closest state in Frobenius norm, Smolin, Gambetta, Smith arXiv:1106.5458); its negativity
  (sum of negative eigenvalues before that) is reported.

Writes ``benchmarks/results/simulate_truncation.{json,md}``. Run: ``python
benchmarks/simulate_truncation.py`` (about a minute).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # see simulate_vs_aer.py

import numpy as np  # noqa: E402

from tomography.circuit_ops import simulate_dense  # noqa: E402
from tomography.circuits import brickwork  # noqa: E402
from tomography.noise import depolarizing  # noqa: E402
from tomography.simulate import simulate  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
N, DEPTH, P1, P2, SEED = 10, 6, 0.001, 0.01, 7
CAPS = (8, 16, 32)
WEIGHTS = (1.0, 0.7, 0.5, 0.35)


def trace_distance(a: np.ndarray, b: np.ndarray) -> float:
    return 0.5 * float(np.abs(np.linalg.eigvalsh(a - b)).sum())


def project_to_simplex(values: np.ndarray) -> np.ndarray:
    """Euclidean projection of a real vector onto {p >= 0, sum p = 1}."""
    ordered = np.sort(values)[::-1]
    cumulative = np.cumsum(ordered) - 1.0
    ks = np.arange(1, len(values) + 1)
    k = ks[ordered - cumulative / ks > 0][-1]
    return np.maximum(values - cumulative[k - 1] / k, 0.0)


def physical(rho: np.ndarray) -> tuple[np.ndarray, float]:
    """(closest state in Frobenius norm, negativity = -sum of negative eigenvalues)."""
    w, v = np.linalg.eigh(rho)
    return (v * project_to_simplex(w)) @ v.conj().T, float(-w[w < 0].sum())


def uhlmann(a: np.ndarray, b: np.ndarray) -> float:
    w, v = np.linalg.eigh(a)
    root = (v * np.sqrt(np.clip(w, 0, None))) @ v.conj().T
    inner = np.linalg.eigvalsh(root @ b @ root)
    return float(np.sum(np.sqrt(np.clip(inner, 0, None))) ** 2)


def main() -> None:
    RESULTS.mkdir(exist_ok=True)
    circuit = brickwork(N, DEPTH, gates="haar", seed=SEED)
    model = depolarizing(P1, P2)
    exact = simulate(circuit, model)
    exact_dense = exact.to_dense()
    aer_check = trace_distance(exact_dense, simulate_dense(circuit, model))
    windows = [(k, k + 1, k + 2) for k in range(N - 2)]
    exact_marginals = [exact.marginal(w).to_dense() for w in windows]
    rows = []
    for cap in CAPS:
        for weight in WEIGHTS:
            start = time.perf_counter()
            state, info = simulate(
                circuit, model, max_rank=cap, nonidentity_weight=weight, return_info=True
            )
            elapsed = time.perf_counter() - start
            tds = [
                trace_distance(state.marginal(w).to_dense(), m)
                for w, m in zip(windows, exact_marginals, strict=True)
            ]
            overlap = state.inner(exact) / max(state.purity(), exact.purity())
            repaired, negativity = physical(state.to_dense())
            rows.append({
                "max_rank": cap, "weight": weight, "time_s": elapsed,
                "trace_before": info.trace_before_normalization,
                "truncation_error": info.truncation_error,
                "mean_marginal_td": float(np.mean(tds)), "max_marginal_td": float(np.max(tds)),
                "overlap_fidelity": overlap, "uhlmann_fidelity": uhlmann(exact_dense, repaired),
                "negativity": negativity,
            })  # fmt: skip
            print(json.dumps(rows[-1]), flush=True)
    payload = {
        "n": N, "depth": DEPTH, "p1": P1, "p2": P2, "seed": SEED,
        "exact_max_rank": max(exact.bond_dims), "exact_vs_aer_trace_distance": aer_check,
        "rows": rows,
    }  # fmt: skip
    (RESULTS / "simulate_truncation.json").write_text(json.dumps(payload, indent=1))
    (RESULTS / "simulate_truncation.md").write_text(markdown(payload))


def markdown(p: dict) -> str:
    lines = [
        "# Truncation: bond cap x nonidentity_weight",
        "",
        f"n = {p['n']}, Haar brickwork depth {p['depth']} (seed {p['seed']}), depolarizing "
        f"p2 = {p['p2']} (p1 = {p['p1']} has no one-qubit gates to act on). Exact MPO: max bond "
        f"{p['exact_max_rank']}, trace distance to Aer {p['exact_vs_aer_trace_distance']:.1e}. "
        "Marginals: the 8 consecutive 3-qubit windows. Uhlmann fidelity after projecting the "
        "truncated state's eigenvalues onto the simplex; negativity = -sum of its negative "
        "eigenvalues before that.",
        "",
        "| max_rank | weight | trace before | mean marginal TD | max marginal TD "
        "| overlap fidelity | Uhlmann fidelity | negativity |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in p["rows"]:
        lines.append(
            f"| {r['max_rank']} | {r['weight']} | {r['trace_before']:.4f} | "
            f"{r['mean_marginal_td']:.2e} | {r['max_marginal_td']:.2e} | "
            f"{r['overlap_fidelity']:.4f} | {r['uhlmann_fidelity']:.4f} | {r['negativity']:.3f} |"
        )
    lines += ["", "Best per cap:", ""]
    for cap in CAPS:
        rows = [r for r in p["rows"] if r["max_rank"] == cap]
        pick = {
            "trace": min(rows, key=lambda r: abs(1 - r["trace_before"]))["weight"],
            "marginals": min(rows, key=lambda r: r["mean_marginal_td"])["weight"],
            "overlap": max(rows, key=lambda r: r["overlap_fidelity"])["weight"],
            "Uhlmann": max(rows, key=lambda r: r["uhlmann_fidelity"])["weight"],
        }
        lines.append(f"- max_rank {cap}: " + ", ".join(f"{k}: weight {v}" for k, v in pick.items()))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
