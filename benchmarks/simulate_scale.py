"""The MPO simulator at n = 100: Haar brickwork depth 10, p2 = 0.01, bond caps 64 and 128.

For each cap, with ``nonidentity_weight`` 1 (plain Frobenius truncation) and 0.5: wall time,
peak memory (``tracemalloc`` peak of the call: numpy reports its buffers to it; and the
process's maximum resident set size afterwards), what truncation cost (number of truncations,
their summed and largest discarded weight, the truncation error bound ``sum sqrt(discarded)``,
the trace before normalisation, the purity after it) and, as a convergence check, the trace
distance between the two caps' 3-qubit marginals. Then ``10^4`` shots in each of the 27
settings ``t in {X,Y,Z}^3`` (qubit j measured in ``t[j mod 3]``) sampled from the cap-128,
weight-0.5 state (weight 1 loses almost all of the trace at this size, see the results): time
and peak memory, and the largest deviation of sampled one-qubit frequencies from the state's
marginal probabilities in units of their binomial standard deviation.

Noise: ``depolarizing(p1=0.001, p2=0.01)``; p1 never acts (no one-qubit gates in a Haar
brickwork). Writes ``benchmarks/results/simulate_scale.{json,md}``. Run: ``python
benchmarks/simulate_scale.py`` (about 3 minutes on 2 cores).
"""

from __future__ import annotations

import itertools
import json
import os
import resource
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # see simulate_vs_aer.py

import numpy as np  # noqa: E402

from tomography.circuits import brickwork  # noqa: E402
from tomography.noise import depolarizing  # noqa: E402
from tomography.simulate import simulate  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
N, DEPTH, P1, P2, SEED = 100, 10, 0.001, 0.01, 11
CAPS = (64, 128)
WEIGHTS = (1.0, 0.5)
SHOTS = 10_000
SETTINGS = ["".join(t[j % 3] for j in range(N)) for t in itertools.product("XYZ", repeat=3)]


def max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def measured(fn):
    """(result, wall seconds, tracemalloc peak MiB)."""
    tracemalloc.start()
    start = time.perf_counter()
    out = fn()
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return out, elapsed, peak


def trace_distance(a: np.ndarray, b: np.ndarray) -> float:
    return 0.5 * float(np.abs(np.linalg.eigvalsh(a - b)).sum())


def one_qubit_check(state, bits: np.ndarray) -> float:
    """Largest |frequency - probability| / sigma of outcome 1 over qubits and settings."""
    worst = 0.0
    expectations = {}
    for s, setting in enumerate(SETTINGS):
        for k in range(N):
            label = "I" * k + setting[k] + "I" * (N - k - 1)
            if label not in expectations:
                expectations[label] = state.expectation(label)
            p_one = (1 - expectations[label]) / 2
            sigma = np.sqrt(max(p_one * (1 - p_one), 1e-12) / SHOTS)
            worst = max(worst, abs(bits[s, :, k].mean() - p_one) / sigma)
    return float(worst)


def main() -> None:
    RESULTS.mkdir(exist_ok=True)
    circuit = brickwork(N, DEPTH, gates="haar", seed=SEED)
    model = depolarizing(P1, P2)
    states, rows = {}, []
    for weight, cap in itertools.product(WEIGHTS, CAPS):
        (state, info), elapsed, peak = measured(
            lambda c=cap, w=weight: simulate(
                circuit, model, max_rank=c, nonidentity_weight=w, return_info=True
            )
        )
        states[weight, cap] = state
        weights = np.array(info.discarded_weights)
        rows.append({
            "max_rank": cap, "weight": weight, "time_s": elapsed, "tracemalloc_peak_mib": peak,
            "max_rss_mib": max_rss_mib(), "bond_dims_max": max(state.bond_dims),
            "n_gates": info.n_gates, "n_truncations": len(weights),
            "discarded_weight_sum": float(weights.sum()) if len(weights) else 0.0,
            "discarded_weight_max": float(weights.max()) if len(weights) else 0.0,
            "truncation_error": info.truncation_error,
            "trace_before_normalization": info.trace_before_normalization,
            "purity": state.purity(), "log_purity": state.log_purity(),
        })  # fmt: skip
        print(json.dumps(rows[-1]), flush=True)
    windows = [(k, k + 1, k + 2) for k in range(0, N - 2, 7)]
    gaps = {}
    for weight in WEIGHTS:
        low, high = states[weight, CAPS[0]], states[weight, CAPS[1]]
        d = [
            trace_distance(low.marginal(w).to_dense(), high.marginal(w).to_dense()) for w in windows
        ]
        gaps[str(weight)] = {"mean": float(np.mean(d)), "max": float(np.max(d))}
    across = [
        trace_distance(states[1.0, CAPS[1]].marginal(w).to_dense(),
                       states[0.5, CAPS[1]].marginal(w).to_dense())
        for w in windows
    ]  # fmt: skip
    gaps["weight 1 vs 0.5 at cap 128"] = {
        "mean": float(np.mean(across)),
        "max": float(np.max(across)),
    }
    state = states[0.5, CAPS[-1]]
    bits, elapsed, peak = measured(lambda: state.sample_bits(SETTINGS, SHOTS, seed=1))
    sampling = {
        "max_rank": CAPS[-1], "weight": 0.5, "settings": len(SETTINGS), "shots_per_setting": SHOTS,
        "time_s": elapsed, "tracemalloc_peak_mib": peak, "max_rss_mib": max_rss_mib(),
        "bits_mib": bits.nbytes / 2**20,
        "microseconds_per_shot": 1e6 * elapsed / (len(SETTINGS) * SHOTS),
        "max_one_qubit_deviation_sigma": one_qubit_check(state, bits),
    }  # fmt: skip
    print(json.dumps(sampling), flush=True)
    payload = {
        "n": N, "depth": DEPTH, "p1": P1, "p2": P2, "seed": SEED,
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS"), "load": os.getloadavg()[0],
        "simulate": rows, "marginal_windows": windows, "marginal_gaps_td": gaps,
        "sampling": sampling,
    }  # fmt: skip
    (RESULTS / "simulate_scale.json").write_text(json.dumps(payload, indent=1))
    (RESULTS / "simulate_scale.md").write_text(markdown(payload))


def markdown(p: dict) -> str:
    lines = [
        "# Simulator at n = 100",
        "",
        f"Haar brickwork depth {p['depth']} (seed {p['seed']}), depolarizing p2 = {p['p2']} "
        f"(p1 = {p['p1']} has no one-qubit gates to act on); one BLAS thread; load average at "
        f"the end {p['load']:.1f} on 2 cores (shared machine).",
        "",
        "| max_rank | weight | time (s) | tracemalloc peak (MiB) | max RSS (MiB) | truncations | "
        "sum discarded weight | max discarded weight | error bound | trace before | purity |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in p["simulate"]:
        lines.append(
            f"| {r['max_rank']} | {r['weight']} | {r['time_s']:.1f} | "
            f"{r['tracemalloc_peak_mib']:.0f} | {r['max_rss_mib']:.0f} | "
            f"{r['n_truncations']} / {r['n_gates']} | "
            f"{r['discarded_weight_sum']:.3g} | {r['discarded_weight_max']:.3g} | "
            f"{r['truncation_error']:.3g} | {r['trace_before_normalization']:.3g} | "
            f"{r['purity']:.3g} |"
        )
    s = p["sampling"]
    lines += ["", f"3-qubit marginals on {len(p['marginal_windows'])} windows, trace distance:", ""]
    for name, g in p["marginal_gaps_td"].items():
        label = f"cap 64 vs 128, weight {name}" if name in ("1.0", "0.5") else name
        lines.append(f"- {label}: mean {g['mean']:.2e}, max {g['max']:.2e}")
    lines += [
        "",
        f"Sampling (cap {s['max_rank']}, weight {s['weight']}): {s['settings']} settings x "
        f"{s['shots_per_setting']} shots in {s['time_s']:.1f} s "
        f"({s['microseconds_per_shot']:.0f} us per shot), "
        f"tracemalloc peak {s['tracemalloc_peak_mib']:.0f} MiB, max RSS {s['max_rss_mib']:.0f} "
        f"MiB, bits {s['bits_mib']:.0f} MiB; largest one-qubit frequency deviation "
        f"{s['max_one_qubit_deviation_sigma']:.2f} sigma over {s['settings'] * p['n']} checks.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
