"""MPO bond dimension against circuit depth at n = 40 for several noise rates.

Noh, Jiang, Fefferman (arXiv:2003.13163): the operator entanglement of a noisy 1D random
circuit stays bounded by a constant set by the error rate, so the bond dimension needed at a
fixed accuracy saturates with depth instead of growing as 4^(depth/2).

Haar brickwork (one seed, depth d is the first d layers of the deepest circuit) under
``depolarizing(p1=p2/10, p2)`` for p2 in {0.005, 0.01, 0.02, 0.05}; p1 never acts (a Haar
brickwork has no one-qubit gates). Each (p2, depth) is one ``simulate`` with ``tol`` (relative
singular-value tail dropped per gate) and a cap; the largest bond of the result and of the run
(``info.max_bond``) are recorded with the time. A run that meets the cap is marked capped: its
bond is then a lower bound. Depths 1..DEPTH_MAX, every depth to 12 then every other one.

Writes ``benchmarks/results/bond_vs_depth.{json,png}``. Run: ``python
benchmarks/bond_vs_depth.py`` (about 5-10 minutes on 2 cores).
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
N, SEED = 40, 5
TOL, CAP = 1e-6, 384
P2S = (0.05, 0.02, 0.01, 0.005)
DEPTH_MAX = 24
DEPTHS = [*range(1, 13), *range(14, DEPTH_MAX + 1, 2)]
BUDGET_S = 150.0  # per noise rate: stop going deeper once this much time is spent


def main() -> None:
    RESULTS.mkdir(exist_ok=True)
    rows = []
    for p2 in P2S:
        model = depolarizing(p2 / 10, p2)
        spent = 0.0
        for depth in DEPTHS:
            circuit = brickwork(N, depth, gates="haar", seed=SEED)  # a prefix of deeper ones
            start = time.perf_counter()
            state, info = simulate(circuit, model, tol=TOL, max_bond=CAP, return_info=True)
            elapsed = time.perf_counter() - start
            spent += elapsed
            rows.append({
                "p2": p2, "depth": depth, "bond": max(state.bond_dims, default=1),
                "run_max_bond": info.max_bond, "capped": info.max_bond >= CAP,
                "truncation_error": info.truncation_error,
                "trace_before": info.trace_before_normalization, "time_s": elapsed,
            })  # fmt: skip
            print(json.dumps(rows[-1]), flush=True)
            if spent > BUDGET_S:
                break
    payload = {"n": N, "seed": SEED, "tol": TOL, "cap": CAP, "rows": rows,
               "load": os.getloadavg()[0]}  # fmt: skip
    (RESULTS / "bond_vs_depth.json").write_text(json.dumps(payload, indent=1))
    (RESULTS / "bond_vs_depth.md").write_text(markdown(payload))
    plot(rows, RESULTS / "bond_vs_depth.png")


def plot(rows: list[dict], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    for p2 in P2S:
        mine = [r for r in rows if r["p2"] == p2]
        line = ax.plot([r["depth"] for r in mine], [r["bond"] for r in mine], "o-",
                       ms=3, label=f"p2 = {p2}")[0]  # fmt: skip
        capped = [r for r in mine if r["capped"]]
        if capped:
            ax.plot([r["depth"] for r in capped], [r["bond"] for r in capped], "x",
                    color=line.get_color(), ms=8)  # fmt: skip
    depths = sorted({r["depth"] for r in rows})
    ax.plot(depths, [min(4 ** (d // 2 + d % 2), 4 ** (N // 2)) for d in depths], "k:", lw=1,
            label="noiseless bound 4^ceil(d/2)")  # fmt: skip
    ax.axhline(CAP, color="grey", lw=0.8, ls="--", label=f"cap {CAP} (x: reached)")
    ax.set_yscale("log")
    ax.set_ylim(1, CAP * 3)
    ax.set_xlabel("depth (two-qubit layers)")
    ax.set_ylabel(f"max bond dimension at tol {TOL:g}")
    ax.set_title(f"n = {N}, Haar brickwork, depolarizing p2")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=130)


def markdown(p: dict) -> str:
    depths = sorted({r["depth"] for r in p["rows"]})
    lines = [
        "# Bond dimension vs depth",
        "",
        f"n = {p['n']}, Haar brickwork (seed {p['seed']}), tol {p['tol']:g} per gate, cap "
        f"{p['cap']}; cell = max bond of the final MPO (* = the run reached the cap), then "
        "seconds.",
        "",
        "| depth | " + " | ".join(f"p2 = {p2}" for p2 in P2S) + " |",
        "|---|" + "---|" * len(P2S),
    ]
    for d in depths:
        cells = []
        for p2 in P2S:
            r = next((r for r in p["rows"] if r["p2"] == p2 and r["depth"] == d), None)
            star = "*" if r and r["capped"] else ""
            cells.append(f"{r['bond']}{star} ({r['time_s']:.1f} s)" if r else "-")
        lines.append(f"| {d} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
