"""Benchmark: ``ttcross.tt_cross`` against ``teneva.cross`` in the same run.

Problems
--------
- ``pauli10``: the Pauli-coefficient tensor ``X[p1..p10] = tr(rho sigma_p)`` (4^10 entries,
  Pauli order I, X, Y, Z; qubit 0 = mode 0) of a noisy 10-qubit state: |0..0>, depth-2
  brickwork of Haar-random two-qubit unitaries, two-qubit depolarizing noise p = 0.01 after
  every gate, all on the dense density matrix (numpy only).
- standard test functions on uniform grids: Ackley (d = 10 and 30), Griewank (d = 20),
  Rosenbrock (d = 50), Alpine (d = 50), Schwefel (d = 30).

Both methods stop on the same rule: relative error <= 1e-6 on 500 random held-out entries,
counted in the evaluations of both (teneva: ``I_vld, y_vld, e_vld``; ours: ``n_check``). Both
cache, so an entry counts once. teneva starts from a random rank-1 TT, as ours does, and runs
with ``dr_max`` 1 (its default) and 2. Ours also runs with ``tol`` halved 1 to 4 times, to compare
at equal or better measured error (errors below 1e-12 count as equal). Each (problem, method)
runs for three seeds; the table gives median evaluations and time and the worst error,
measured apart from both runs: on the full tensor (pauli10) or on 10^4 fresh random entries.

BLAS runs single-threaded (set below, before numpy loads, for both methods): on a shared
2-core machine threaded OpenBLAS took seconds for a 300 x 300 SVD.

Run: ``python benchmarks/ttcross_vs_teneva.py`` (under a minute on 2 cores); writes
``benchmarks/results/ttcross_vs_teneva.json`` and ``.md``.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import json  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import teneva  # noqa: E402

from ttcross import TensorTrain, tt_cross  # noqa: E402

TARGET = 1e-6
TIGHTER = (5e-7, 2.5e-7, 1.25e-7, 6.25e-8)  # stricter runs of ours (halving tol)
N_CHECK = 500
SEEDS = (0, 1, 2)
RESULTS = Path(__file__).parent / "results"


# ---------------------------------------------------------------------------- pauli tensor
def _haar_unitary(dim: int, rng: np.random.Generator) -> np.ndarray:
    z = (rng.standard_normal((dim, dim)) + 1j * rng.standard_normal((dim, dim))) / np.sqrt(2)
    q, r = np.linalg.qr(z)
    return q * (np.diag(r) / np.abs(np.diag(r)))


def _apply_gate(rho: np.ndarray, gate: np.ndarray, q: int, n: int) -> np.ndarray:
    """``U rho U^dagger`` for a 4 x 4 gate on qubits q, q+1; rho has axes (rows..., cols...)."""
    g = gate.reshape(2, 2, 2, 2)
    rho = np.moveaxis(np.tensordot(g, rho, axes=([2, 3], [q, q + 1])), [0, 1], [q, q + 1])
    rho = np.tensordot(rho, g.conj(), axes=([n + q, n + q + 1], [2, 3]))
    return np.moveaxis(rho, [2 * n - 2, 2 * n - 1], [n + q, n + q + 1])


def _depolarize(rho: np.ndarray, q: int, n: int, p: float) -> np.ndarray:
    """Two-qubit depolarizing channel: ``(1 - p) rho + p tr_{q,q+1}(rho) x I/4``."""
    reduced = np.trace(np.trace(rho, axis1=q, axis2=n + q), axis1=q, axis2=n + q - 1)
    mixed = np.multiply.outer(np.multiply.outer(reduced, np.eye(2) / 2), np.eye(2) / 2)
    rows, cols = list(range(n - 2)), list(range(n - 2, 2 * n - 4))
    ra, ca, rb, cb = range(2 * n - 4, 2 * n)
    order = rows[:q] + [ra, rb] + rows[q:] + cols[:q] + [ca, cb] + cols[q:]
    return (1 - p) * rho + p * np.transpose(mixed, order)


def pauli_tensor(n: int = 10, depth: int = 2, p: float = 0.01, seed: int = 0) -> np.ndarray:
    """Pauli coefficients ``tr(rho sigma_p)``, shape (4,) * n, of the noisy brickwork state."""
    rng = np.random.default_rng(seed)
    rho = np.zeros((2,) * (2 * n), dtype=complex)
    rho[(0,) * (2 * n)] = 1.0
    for layer in range(depth):
        for q in range(layer % 2, n - 1, 2):
            rho = _depolarize(_apply_gate(rho, _haar_unitary(4, rng), q, n), q, n, p)
    paulis = np.array([[[1, 0], [0, 1]], [[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]])
    x = np.transpose(rho, [a for k in range(n) for a in (k, n + k)]).reshape((4,) * n)
    to_pauli = np.transpose(paulis, (0, 2, 1)).reshape(4, 4)  # [p, (i, j)] = sigma_p[j, i]
    for k in range(n):
        x = np.moveaxis(np.tensordot(to_pauli, x, axes=([1], [k])), 0, k)
    return x.real


# ---------------------------------------------------------------------------- functions
def ackley(x):
    d = x.shape[1]
    return (
        -20 * np.exp(-0.2 * np.sqrt(np.sum(x**2, 1) / d))
        - np.exp(np.sum(np.cos(2 * np.pi * x), 1) / d)
        + 20
        + np.e
    )


def alpine(x):
    return np.sum(np.abs(x * np.sin(x) + 0.1 * x), 1)


def griewank(x):
    scale = np.sqrt(np.arange(1, x.shape[1] + 1))
    return np.sum(x**2, 1) / 4000 - np.prod(np.cos(x / scale), 1) + 1


def rosenbrock(x):
    return np.sum(100 * (x[:, 1:] - x[:, :-1] ** 2) ** 2 + (1 - x[:, :-1]) ** 2, 1)


def schwefel(x):
    return 418.9829 * x.shape[1] - np.sum(x * np.sin(np.sqrt(np.abs(x))), 1)


FUNCTIONS = {  # name: (function, lower, upper, d, grid points)
    "ackley10": (ackley, -32.768, 32.768, 10, 32),
    "ackley30": (ackley, -32.768, 32.768, 30, 16),
    "griewank20": (griewank, -600.0, 600.0, 20, 32),
    "rosenbrock50": (rosenbrock, -2.048, 2.048, 50, 16),
    "alpine50": (alpine, -10.0, 10.0, 50, 32),
    "schwefel30": (schwefel, -500.0, 500.0, 30, 32),
}


def problems():
    """``(name, f, shape, error)``: ``error(values_at, n_evals)`` measures the relative error."""
    x = pauli_tensor()
    dense = TensorTrain.from_dense(x)
    yield "pauli10", lambda idx: x[tuple(idx.T)], x.shape, _full_error(dense)
    for name, (fn, lower, upper, d, n) in FUNCTIONS.items():
        grid = np.linspace(lower, upper, n)
        f = (lambda g, h: lambda idx: h(g[idx]))(grid, fn)
        yield name, f, (n,) * d, _sampled_error(f, (n,) * d)


def _full_error(dense: TensorTrain):
    def error(tt: TensorTrain) -> float:
        return float((tt - dense).norm() / dense.norm())

    return error


def _sampled_error(f, shape):
    idx = np.random.default_rng(12345).integers(0, shape, size=(10_000, len(shape)))
    ref = f(idx)

    def error(tt: TensorTrain) -> float:
        return float(np.linalg.norm(tt.evaluate(idx) - ref) / np.linalg.norm(ref))

    return error


# ---------------------------------------------------------------------------- runners
def run_ttcross(f, shape, seed, method, tol=TARGET):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = tt_cross(f, shape, tol=tol, n_check=N_CHECK, seed=seed, method=method)
    seconds = time.perf_counter() - start
    return result.tt, result.n_evals, seconds, result.stop_reason, result.n_sweeps


def run_teneva(f, shape, seed, dr_max):
    start = time.perf_counter()
    rng = np.random.default_rng(seed + 1000)
    held_idx = rng.integers(0, shape, size=(N_CHECK, len(shape)))
    held_values = f(held_idx)
    info, cache = {}, {}
    cores = teneva.cross(
        f,
        teneva.rand(list(shape), 1, seed=seed),
        m=5_000_000,
        nswp=50,
        dr_min=1,
        dr_max=dr_max,
        cache=cache,
        I_vld=held_idx,
        y_vld=held_values,
        e_vld=TARGET,
        info=info,
    )
    seconds = time.perf_counter() - start
    tt = TensorTrain(cores)  # teneva cores are (r, n, r') like ours
    return tt, info["m"] + N_CHECK, seconds, info["stop"], 2 * info["nswp"]


METHODS = {
    "ttcross rect_maxvol (default)": lambda f, s, seed: run_ttcross(f, s, seed, "rect_maxvol"),
    **{
        f"ttcross rect_maxvol, tol={tol:g}": (
            lambda f, s, seed, tol=tol: run_ttcross(f, s, seed, "rect_maxvol", tol=tol)
        )
        for tol in TIGHTER
    },
    "ttcross dmrg": lambda f, s, seed: run_ttcross(f, s, seed, "dmrg"),
    "teneva.cross dr_max=1": lambda f, s, seed: run_teneva(f, s, seed, 1),
    "teneva.cross dr_max=2": lambda f, s, seed: run_teneva(f, s, seed, 2),
}


def measure(name, f, shape, error):
    rows = []
    for method, runner in METHODS.items():
        runs = []
        for seed in SEEDS:
            tt, n_evals, seconds, stop, sweeps = runner(f, shape, seed)
            runs.append(
                {
                    "seed": seed,
                    "n_evals": int(n_evals),
                    "seconds": seconds,
                    "error": error(tt),
                    "max_rank": int(max(tt.ranks)),
                    "stop": str(stop),
                    "passes": int(sweeps),
                }
            )
        rows.append(
            {
                "problem": name,
                "shape": f"{shape[0]}^{len(shape)}",
                "method": method,
                "median_evals": float(np.median([r["n_evals"] for r in runs])),
                "median_seconds": float(np.median([r["seconds"] for r in runs])),
                "worst_error": float(max(r["error"] for r in runs)),
                "runs": runs,
            }
        )
        print(
            f"{name:13s} {method:30s} evals {rows[-1]['median_evals']:9.0f} "
            f"time {rows[-1]['median_seconds']:7.2f}s error {rows[-1]['worst_error']:.1e}",
            flush=True,
        )
    return rows


def markdown(rows, total_seconds) -> str:
    lines = [
        "# tt_cross vs teneva.cross",
        "",
        f"Stop rule of both: relative error <= {TARGET:g} on {N_CHECK} held-out entries "
        "(counted in the evaluations). Median over seeds "
        f"{list(SEEDS)} of distinct evaluations and wall time; worst relative error measured "
        "apart (full tensor for pauli10, else 10^4 fresh random entries). "
        "Passes = one-direction sweeps (teneva: 2 per `nswp`).",
        "",
        "| problem | shape | method | evaluations | time [s] | worst error | max rank | passes |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        runs = row["runs"]
        lines.append(
            f"| {row['problem']} | {row['shape']} | {row['method']} | "
            f"{row['median_evals']:,.0f} | {row['median_seconds']:.2f} | "
            f"{row['worst_error']:.1e} | {max(r['max_rank'] for r in runs)} | "
            f"{int(np.median([r['passes'] for r in runs]))} |"
        )
    lines += [
        "",
        "ttcross over the teneva setting with fewer evaluations (ratios of medians; "
        "< 1: ttcross better). Same rule: the default run, same stop rule as teneva. "
        "Equal or better error: the cheapest ttcross run (tol 1e-6, "
        f"{', '.join(f'{t:g}' for t in TIGHTER)}) whose worst measured error is at most "
        "teneva's.",
        "",
        "| problem | evaluations, same rule | time, same rule | evaluations, equal error | "
        "time, equal error | ttcross tol | worst error: ttcross / teneva |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for problem in dict.fromkeys(r["problem"] for r in rows):
        lines.append(_summary_line(problem, [r for r in rows if r["problem"] == problem]))
    lines += [
        "",
        f"Total benchmark time {total_seconds:.0f} s; {platform.platform()}, "
        f"numpy {np.__version__}, teneva {teneva.__version__}, BLAS single-threaded.",
        "",
    ]
    return "\n".join(lines)


def _summary_line(problem: str, rows: list[dict]) -> str:
    best = min(
        (r for r in rows if r["method"].startswith("teneva")), key=lambda r: r["median_evals"]
    )
    ours = next(r for r in rows if "default" in r["method"])
    ladder = [ours] + [r for r in rows if "rect_maxvol, tol=" in r["method"]]
    matched = [r for r in ladder if r["worst_error"] <= max(best["worst_error"], 1e-12)]
    equal = min(matched, key=lambda r: r["median_evals"]) if matched else ladder[-1]
    tol = "1e-06" if equal is ours else equal["method"].split("tol=")[1]
    return (
        f"| {problem} | {ours['median_evals'] / best['median_evals']:.2f} | "
        f"{ours['median_seconds'] / best['median_seconds']:.2f} | "
        f"{equal['median_evals'] / best['median_evals']:.2f} | "
        f"{equal['median_seconds'] / best['median_seconds']:.2f} | {tol}"
        f"{'' if matched else ' (not matched)'} | "
        f"{equal['worst_error']:.1e} / {best['worst_error']:.1e} |"
    )


def main() -> None:
    start = time.perf_counter()
    rows = []
    for name, f, shape, error in problems():
        rows += measure(name, f, shape, error)
    total = time.perf_counter() - start
    RESULTS.mkdir(parents=True, exist_ok=True)
    meta = {
        "target": TARGET,
        "n_check": N_CHECK,
        "seeds": list(SEEDS),
        "numpy": np.__version__,
        "teneva": teneva.__version__,
        "platform": platform.platform(),
        "total_seconds": total,
    }
    (RESULTS / "ttcross_vs_teneva.json").write_text(
        json.dumps({"meta": meta, "rows": rows}, indent=1) + "\n"
    )
    (RESULTS / "ttcross_vs_teneva.md").write_text(markdown(rows, total))
    print(f"done in {total:.0f} s")


if __name__ == "__main__":
    main()
