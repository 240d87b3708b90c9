"""MPO bond dimension against circuit depth at n = 40 for several noise rates.

Noh, Jiang, Fefferman (arXiv:2003.13163): the operator entanglement of a noisy 1D random
circuit stays bounded by a constant set by the error rate, so the bond dimension needed at a
fixed accuracy stops growing as 4^depth. Depolarizing noise is unital, so at large depth
the state approaches the maximally mixed one and the bond comes back down.

Haar brickwork (one seed; depth d is the first d layers of the deeper circuits) under
``depolarizing(p1=p2/10, p2)`` for p2 in {0.005, 0.01, 0.02, 0.05}; p1 never acts (a Haar
brickwork has no one-qubit gates). Each (p2, depth) is one ``simulate`` with ``tol`` (relative
singular-value tail dropped per gate) and a cap of 512; the largest bond of the result is
recorded with the time. Two accuracy criteria:

- ``nonidentity_weight=0.5, tol=1e-2``: the norm that weights a Pauli string by 0.5^weight,
  which keeps the trace and few-qubit marginals (see ``simulate_truncation.py``);
- ``nonidentity_weight=1, tol=1e-6``: the plain Hilbert-Schmidt norm of the Pauli tensor. At
  n = 40 this norm is dominated by the ~4^40 high-weight strings and the bond passes the cap
  within a few layers at every rate here, so this series stops at the first capped depth.

A series stops at its first capped depth (the bond there is a lower bound, marked x) or when
it has used ``BUDGET_S`` seconds. Writes ``benchmarks/results/bond_vs_depth.{json,md,png}``.
Run: ``python benchmarks/bond_vs_depth.py`` (about 5 minutes on 2 cores).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # see simulate_vs_aer.py

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from tomography.circuits import brickwork  # noqa: E402
from tomography.noise import depolarizing  # noqa: E402
from tomography.simulate import simulate  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
N, SEED, CAP = 40, 5, 512
P2S = (0.05, 0.02, 0.01, 0.005)
CRITERIA = ((0.5, 1e-2), (1.0, 1e-6))  # (nonidentity_weight, tol)
DEPTHS = [*range(1, 17), *range(18, 31, 2)]
BUDGET_S = 60.0  # per series


def main() -> None:
    RESULTS.mkdir(exist_ok=True)
    rows = []
    for weight, tol in CRITERIA:
        for p2 in P2S:
            rows += series(weight, tol, p2)
    payload = {"n": N, "seed": SEED, "cap": CAP, "criteria": CRITERIA, "rows": rows,
               "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
               "load": os.getloadavg()[0]}  # fmt: skip
    (RESULTS / "bond_vs_depth.json").write_text(json.dumps(payload, indent=1))
    (RESULTS / "bond_vs_depth.md").write_text(markdown(payload))
    plot(rows, RESULTS / "bond_vs_depth.png")


def series(weight: float, tol: float, p2: float) -> list[dict]:
    model = depolarizing(p2 / 10, p2)
    rows, spent = [], 0.0
    for depth in DEPTHS:
        circuit = brickwork(N, depth, gates="haar", seed=SEED)  # a prefix of deeper ones
        start = time.perf_counter()
        state, info = simulate(
            circuit, model, tol=tol, max_rank=CAP, nonidentity_weight=weight, return_info=True
        )
        elapsed = time.perf_counter() - start
        spent += elapsed
        rows.append({
            "weight": weight, "tol": tol, "p2": p2, "depth": depth,
            "bond": max(state.bond_dims), "capped": info.max_rank >= CAP,
            "truncation_error": info.truncation_error,
            "trace_before": info.trace_before_normalization, "time_s": elapsed,
        })  # fmt: skip
        print(json.dumps(rows[-1]), flush=True)
        if rows[-1]["capped"] or spent > BUDGET_S:
            break
    return rows


def plot(rows: list[dict], path: Path) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    for ax, (weight, tol) in zip(axes, CRITERIA, strict=True):
        for p2 in P2S:
            mine = [r for r in rows if r["p2"] == p2 and r["weight"] == weight]
            line = ax.plot([r["depth"] for r in mine], [r["bond"] for r in mine], "o-",
                           ms=3, label=f"p2 = {p2}")[0]  # fmt: skip
            capped = [r for r in mine if r["capped"]]
            ax.plot([r["depth"] for r in capped], [r["bond"] for r in capped], "x",
                    color=line.get_color(), ms=9, mew=2)  # fmt: skip
        depths = sorted({r["depth"] for r in rows if r["weight"] == weight})
        ax.plot(depths, [4.0**d for d in depths], "k:", lw=1,
                label="noiseless 4^d (light cone)")  # fmt: skip
        ax.axhline(CAP, color="grey", lw=0.8, ls="--", label=f"cap {CAP} (x: reached)")
        ax.set_yscale("log")
        ax.set_ylim(0.8, CAP * 3)
        ax.set_xlabel("depth (two-qubit layers)")
        ax.set_title(f"nonidentity_weight {weight}, tol {tol:g}")
        ax.legend(fontsize=8)
    axes[0].set_ylabel("max bond dimension")
    fig.suptitle(f"n = {N}, Haar brickwork, depolarizing p2")
    fig.tight_layout()
    fig.savefig(path, dpi=130)


def markdown(p: dict) -> str:
    lines = [
        "# Bond dimension vs depth",
        "",
        f"n = {p['n']}, Haar brickwork (seed {p['seed']}), depolarizing p2 (p1 = p2/10 has no "
        f"one-qubit gates to act on), cap {p['cap']}, one BLAS thread. Cell: max bond of the "
        "final MPO (* = the cap was reached: a lower bound) and seconds; - = not run (series "
        "stopped at the cap or the time budget).",
    ]
    for weight, tol in p["criteria"]:
        mine = [r for r in p["rows"] if r["weight"] == weight]
        depths = sorted({r["depth"] for r in mine})
        lines += [
            "",
            f"## nonidentity_weight {weight}, tol {tol:g}",
            "",
            "| depth | " + " | ".join(f"p2 = {p2}" for p2 in P2S) + " |",
            "|---|" + "---|" * len(P2S),
        ]
        for d in depths:
            cells = []
            for p2 in P2S:
                r = next((r for r in mine if r["p2"] == p2 and r["depth"] == d), None)
                star = "*" if r and r["capped"] else ""
                cells.append(f"{r['bond']}{star} ({r['time_s']:.1f} s)" if r else "-")
            lines.append(f"| {d} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
