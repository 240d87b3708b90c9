"""Our Pauli-MPO simulator against Aer: ``density_matrix`` at n = 8..14, MPS trajectories at n = 30.

Part 1, dense: the same Haar brickwork (depth 2 and 4, seed fixed) under the same noise model
(``depolarizing(p1=0.001, p2=0.01)``; p1 attaches to one-qubit gates, which a Haar brickwork does
not have, so only p2 acts) through ``tomography.simulate.simulate`` (untruncated) and through
Aer ``density_matrix`` (``enable_truncation=False``). Times: wall clock of the call, best of a
few repeats. Agreement: trace distance of the dense matrices for n <= 12; at n = 14 (Aer needs
4 GiB there) the trace distance of every 3-qubit window marginal (Aer saves the reduced density
matrices in the same run) and a few Pauli expectations.

Part 2, trajectories: n = 30, depth 4. Reference: our untruncated MPO (bond 256, exact up to
round-off). Error of a method = mean / max trace distance of the 28 consecutive 3-qubit
marginals to the reference. Aer ``matrix_product_state`` does noise by trajectories: one run with
``shots`` trajectories and one ``seed_simulator`` (no overlapping seeds) averages the saved
reduced density matrices over the shots. Against it: our MPO with bond caps (plain and with
``nonidentity_weight=0.5``) and the untruncated one, each with its wall time; the Aer run
"at equal time" gets as many shots as fit in the time of our exact run.

Writes ``benchmarks/results/simulate_vs_aer.{json,md,png}``. Run: ``python
benchmarks/simulate_vs_aer.py`` (about 10 minutes on 2 cores; ``--quick`` skips n = 14).
Timings on a shared machine are noisy: the load average is recorded with every timing; our
simulator runs with one BLAS thread (see below), Aer with its default threads.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

# numpy's BLAS on one thread, set before numpy loads: on a shared 2-core machine two-thread
# OpenBLAS stalls whenever the other core is busy (a 256 x 256 SVD: 0.13 s -> 1.5 s). Aer keeps
# its own OpenMP threads (all cores), so the comparison is conservative for us.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from qiskit.quantum_info import Pauli  # noqa: E402
from qiskit_aer import AerSimulator  # noqa: E402
from qiskit_aer.library import SaveDensityMatrix, SaveExpectationValue  # noqa: E402

from tomography.circuit_ops import prepare_circuit  # noqa: E402
from tomography.circuits import brickwork  # noqa: E402
from tomography.noise import depolarizing  # noqa: E402
from tomography.simulate import simulate  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
P1, P2 = 0.001, 0.01
SEED = 2024
DENSE_SIZES = (8, 10, 12, 14)
DEPTHS = (2, 4)
TRAJ_N, TRAJ_DEPTH = 30, 4
PAULI_CHECKS = ("Z", "X", "ZZ", "XX", "YZ", "XYZ")  # placed at the chain's middle


def trace_distance(a: np.ndarray, b: np.ndarray) -> float:
    return 0.5 * float(np.abs(np.linalg.eigvalsh(a - b)).sum())


def load() -> float:
    return round(os.getloadavg()[0], 2)


def timed(fn, repeats: int):
    """(result of the last call, best wall time, all times, load averages)."""
    times, loads, out = [], [], None
    for _ in range(repeats):
        before = load()
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
        loads.append(max(before, load()))
    return out, min(times), times, loads


def windows(n: int) -> list[tuple[int, int, int]]:
    return [(k, k + 1, k + 2) for k in range(n - 2)]


def middle_strings(n: int) -> list[str]:
    """ttqst strings (character k on qubit k) of PAULI_CHECKS placed at the middle."""
    start = n // 2 - 1
    return ["I" * start + p + "I" * (n - start - len(p)) for p in PAULI_CHECKS]


def aer_dense_run(circuit, model, n: int, full: bool):
    """Aer density_matrix run; saves the full state or window marginals + expectations."""
    prepared = prepare_circuit(circuit, model)
    if full:
        prepared.append(SaveDensityMatrix(n, label="rho"), prepared.qubits)
    else:
        for w in windows(n):
            prepared.append(SaveDensityMatrix(3, label=f"w{w[0]}"), [prepared.qubits[q] for q in w])
        for j, s in enumerate(middle_strings(n)):
            prepared.append(SaveExpectationValue(Pauli(s[::-1]), label=f"e{j}"), prepared.qubits)
    simulator = AerSimulator(method="density_matrix", noise_model=model, enable_truncation=False)

    def run():
        result = simulator.run(prepared, shots=1).result()
        if not result.success:
            raise RuntimeError(f"Aer failed: {result.status}")
        return result

    return run


def dense_case(n: int, depth: int, repeats: int) -> dict:
    circuit = brickwork(n, depth, gates="haar", seed=SEED)
    model = depolarizing(P1, P2)
    ours, t_ours, times_ours, loads_ours = timed(lambda: simulate(circuit, model), repeats)
    full = n <= 12
    row = {"n": n, "depth": depth, "bond": max(ours.bond_dims)}
    try:
        result, t_aer, times_aer, loads_aer = timed(
            aer_dense_run(circuit, model, n, full), repeats if n < 14 else 1
        )
    except Exception as exc:  # MemoryError or Aer's own failure at n = 14
        row.update(ours_s=t_ours, aer_s=None, note=f"Aer failed: {type(exc).__name__}: {exc}")
        return row
    row.update(ours_s=t_ours, aer_s=t_aer, speedup=t_aer / t_ours, aer_time_taken=result.time_taken,
               ours_times=times_ours, aer_times=times_aer, load=loads_ours + loads_aer)  # fmt: skip
    data = result.data(0)
    if full:
        rho = np.asarray(data["rho"])
        row["trace_distance"] = trace_distance(ours.to_dense(), rho)
        del rho
    else:
        dists = [
            trace_distance(ours.marginal(w).to_dense(), np.asarray(data[f"w{w[0]}"]))
            for w in windows(n)
        ]
        expect = np.array([data[f"e{j}"] for j in range(len(PAULI_CHECKS))]).real
        row["max_marginal_trace_distance"] = max(dists)
        row["max_expectation_error"] = float(
            np.abs(ours.expectation(middle_strings(n)) - expect).max()
        )
    return row


def marginal_errors(state, reference: list[np.ndarray]) -> tuple[float, float]:
    d = [
        trace_distance(state.marginal(w).to_dense(), r)
        for w, r in zip(windows(TRAJ_N), reference, strict=True)
    ]
    return float(np.mean(d)), float(np.max(d))


def aer_mps_run(circuit, model, shots: int, seed: int):
    prepared = prepare_circuit(circuit, model)
    for w in windows(TRAJ_N):
        prepared.append(SaveDensityMatrix(3, label=f"w{w[0]}"), [prepared.qubits[q] for q in w])
    simulator = AerSimulator(method="matrix_product_state", noise_model=model)
    start = time.perf_counter()
    result = simulator.run(prepared, shots=shots, seed_simulator=seed).result()
    elapsed = time.perf_counter() - start
    if not result.success:
        raise RuntimeError(f"Aer failed: {result.status}")
    data = result.data(0)
    return [np.asarray(data[f"w{w[0]}"]) for w in windows(TRAJ_N)], elapsed


def trajectory_case(aer_shots: list[int]) -> dict:
    circuit = brickwork(TRAJ_N, TRAJ_DEPTH, gates="haar", seed=SEED)
    model = depolarizing(P1, P2)
    (exact, info), t_exact, _, loads = timed(lambda: simulate(circuit, model, return_info=True), 2)
    reference = [exact.marginal(w).to_dense() for w in windows(TRAJ_N)]
    rows = [{"method": "ours, untruncated", "max_rank": max(exact.bond_dims), "time_s": t_exact,
             "mean_td": 0.0, "max_td": 0.0, "load": max(loads),
             "trace_before_normalization": info.trace_before_normalization}]  # fmt: skip
    for cap in (8, 16, 32, 64, 128):
        for weight in (1.0, 0.5):
            (state, info), t, _, loads = timed(
                lambda c=cap, w=weight: simulate(
                    circuit, model, max_rank=c, nonidentity_weight=w, return_info=True
                ),
                2,
            )
            mean, worst = marginal_errors(state, reference)
            rows.append({"method": f"ours, max_rank={cap}, weight={weight}", "max_rank": cap,
                         "time_s": t, "mean_td": mean, "max_td": worst, "load": max(loads),
                         "trace_before_normalization": info.trace_before_normalization,
                         })  # fmt: skip
    per_shot = []
    for j, shots in enumerate(aer_shots):
        before = load()
        marginals, t = aer_mps_run(circuit, model, shots, seed=10_000_019 * (j + 1))
        d = [trace_distance(a, r) for a, r in zip(marginals, reference, strict=True)]
        per_shot.append(t / shots)
        rows.append({"method": f"Aer MPS, {shots} trajectories", "shots": shots, "time_s": t,
                     "mean_td": float(np.mean(d)), "max_td": float(np.max(d)),
                     "load": max(before, load())})  # fmt: skip
    equal = max(10, int(round(t_exact / float(np.median(per_shot)))))
    before = load()
    marginals, t = aer_mps_run(circuit, model, equal, seed=987_654_321)
    d = [trace_distance(a, r) for a, r in zip(marginals, reference, strict=True)]
    rows.append({"method": f"Aer MPS at equal time, {equal} trajectories", "shots": equal,
                 "time_s": t, "mean_td": float(np.mean(d)), "max_td": float(np.max(d)),
                 "load": max(before, load())})  # fmt: skip
    return {"n": TRAJ_N, "depth": TRAJ_DEPTH, "rows": rows}


def plot(dense: list[dict], traj: dict, path: Path) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    ax = axes[0]
    for depth, marker in zip(DEPTHS, "os", strict=True):
        rows = [r for r in dense if r["depth"] == depth]
        ax.semilogy([r["n"] for r in rows], [r["ours_s"] for r in rows], marker + "-",
                    label=f"ours, depth {depth}")  # fmt: skip
        rows = [r for r in rows if r.get("aer_s")]
        ax.semilogy([r["n"] for r in rows], [r["aer_s"] for r in rows], marker + "--",
                    label=f"Aer density_matrix, depth {depth}")  # fmt: skip
    ax.set_xlabel("qubits n")
    ax.set_ylabel("wall time (s)")
    ax.set_title(f"brickwork haar, p2={P2}")
    ax.legend(fontsize=8)
    ax = axes[1]
    for key, style, label in (("ours, max_rank", "o", "ours, capped, weight 1"),
                              ("weight=0.5", "s", "ours, capped, weight 0.5"),
                              ("Aer MPS", "^", "Aer MPS trajectories")):  # fmt: skip
        rows = [r for r in traj["rows"] if key in r["method"]]
        if key == "ours, max_rank":
            rows = [r for r in rows if "weight=1.0" in r["method"]]
        ax.loglog([r["time_s"] for r in rows], [r["mean_td"] for r in rows], style, label=label)
    exact = traj["rows"][0]
    ax.axvline(exact["time_s"], color="k", ls=":", label="ours, untruncated (reference)")
    ax.set_xlabel("wall time (s)")
    ax.set_ylabel("mean trace distance, 3-qubit marginals")
    ax.set_title(f"n={TRAJ_N}, depth {TRAJ_DEPTH}: error vs time")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=130)


def fmt(x, digits=3) -> str:
    if x is None:
        return "-"
    return f"{x:.{digits}g}" if isinstance(x, float) else str(x)


def markdown(payload: dict) -> str:
    lines = [
        "# simulate vs Aer",
        "",
        f"{payload['machine']}; {payload['date']}. Noise: depolarizing p1={P1} (no one-qubit "
        f"gates in a Haar brickwork, so it never acts), p2={P2}. Times: best of repeats, wall "
        "clock; `load` is the 1-minute load average seen (other jobs shared the machine).",
        "",
        "## Dense: Aer density_matrix",
        "",
        "| n | depth | bond | ours (s) | Aer (s) | Aer/ours | agreement | load |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in payload["dense"]:
        if "trace_distance" in r:
            agree = f"trace distance {r['trace_distance']:.1e}"
        elif "max_marginal_trace_distance" in r:
            agree = (f"max 3-qubit marginal TD {r['max_marginal_trace_distance']:.1e}, max "
                     f"expectation error {r['max_expectation_error']:.1e}")  # fmt: skip
        else:
            agree = r.get("note", "-")
        lines.append(f"| {r['n']} | {r['depth']} | {r['bond']} | {fmt(r['ours_s'])} | "
                     f"{fmt(r.get('aer_s'))} | {fmt(r.get('speedup'))} | {agree} | "
                     f"{max(r.get('load', [0]))} |")  # fmt: skip
    t = payload["trajectories"]
    lines += [
        "",
        f"## n = {t['n']}, depth {t['depth']}: error of 3-qubit marginals vs our exact MPO",
        "",
        "| method | time (s) | mean TD | max TD | trace before normalisation | load |",
        "|---|---|---|---|---|---|",
    ]
    for r in t["rows"]:
        lines.append(f"| {r['method']} | {fmt(r['time_s'])} | {fmt(r['mean_td'])} | "
                     f"{fmt(r['max_td'])} | {fmt(r.get('trace_before_normalization'), 4)} | "
                     f"{r['load']} |")  # fmt: skip
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip n = 14, fewer trajectories")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    sizes = [n for n in DENSE_SIZES if not (args.quick and n == 14)]
    dense = []
    for n in sizes:
        for depth in DEPTHS:
            row = dense_case(n, depth, repeats=3 if n <= 12 else 1)
            print(json.dumps({k: v for k, v in row.items() if not isinstance(v, list)}), flush=True)
            dense.append(row)
    shots = [30, 100, 300] if args.quick else [30, 100, 300, 1000, 3000]
    traj = trajectory_case(shots)
    for r in traj["rows"]:
        print(json.dumps(r), flush=True)
    payload = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "noise": {"p1": P1, "p2": P2, "seed": SEED},
        "dense": dense,
        "trajectories": traj,
    }
    (RESULTS / "simulate_vs_aer.json").write_text(json.dumps(payload, indent=1))
    (RESULTS / "simulate_vs_aer.md").write_text(markdown(payload))
    plot(dense, traj, RESULTS / "simulate_vs_aer.png")


if __name__ == "__main__":
    main()
