"""Coverage of the bootstrap intervals, measured on simulated truth (issue 12, a first cut).

n = 6, depth-2 Haar brickwork, p2 = 0.01, window 5 (243 settings) x 1000 shots. For each of
K independent data sets: the cross estimate, then ``bootstrap`` with counts resampling (R
replicas) and with model resampling (R_model replicas). For every statistic (fidelity to the
ideal circuit, Uhlmann fidelity to the true noisy state, five local Pauli observables) and
every interval kind (percentile, bias-corrected BC, basic) the coverage is the fraction of
the K intervals that contain the true value; the estimator's actual bias (mean of point -
truth over the data sets) is reported beside the bootstrap's estimate of it.

Writes ``benchmarks/results/bootstrap_coverage.{json,md}``::

    python benchmarks/bootstrap_coverage.py --datasets 30 --replicas 100 --model-replicas 50
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import RESULTS, run_all, write_results  # noqa: E402

from tomography import MeasurementDesign, measure, simulate  # noqa: E402
from tomography.bootstrap import CrossEstimator, bootstrap  # noqa: E402
from tomography.circuits import build  # noqa: E402
from tomography.intervals import INTERVAL_KINDS  # noqa: E402
from tomography.noise import from_rates  # noqa: E402
from tomography.statistics import Expectation, FidelityTo, TargetFidelity  # noqa: E402

N, DEPTH, P2, WINDOW, SHOTS = 6, 2, 0.01, 5, 1000
OBSERVABLES = ["ZZIIII", "IXXIII", "IIYYII", "IIIZXI", "IIIIIZ"]


def _setup():
    circuit, _ = build("brickwork", N, DEPTH, seed=1)
    truth = simulate(circuit, from_rates(p2=P2)[0])
    statistics = {
        "target_fidelity": TargetFidelity(circuit),
        "fidelity_to_truth": FidelityTo(truth),
    }
    statistics.update({f"<{p}>": Expectation(p) for p in OBSERVABLES})
    return truth, statistics


def one_dataset(index: int, replicas: int, model_replicas: int) -> dict:
    """Intervals of every statistic on data set ``index``, for both resampling methods."""
    warnings.simplefilter("ignore")
    truth, statistics = _setup()
    data = measure(truth, MeasurementDesign(N, window=WINDOW), SHOTS, seed=10_000 + index)
    out = {"index": index, "truth": {k: f(truth) for k, f in statistics.items()}}
    for method, count in (("counts", replicas), ("model", model_replicas)):
        if count < 2:
            continue
        started = time.perf_counter()
        result = bootstrap(data, CrossEstimator(), statistics, count, method=method, seed=index)
        out[method] = {
            "seconds": time.perf_counter() - started,
            "failed": len(result.failed),
            "statistics": {
                name: {
                    "point": s.point,
                    "bias": s.bias,
                    "standard_error": s.standard_error,
                    **{kind: list(s.interval(kind)) for kind in INTERVAL_KINDS},
                }
                for name, s in result.statistics.items()
            },
        }
    return out


def summarize(rows: list[dict]) -> tuple[list[dict], str]:
    """Coverage per (method, statistic, interval kind) and the bias table."""
    table = []
    for method in ("counts", "model"):
        runs = [r for r in rows if method in r]
        if not runs:
            continue
        for name in runs[0][method]["statistics"]:
            truth = np.array([r["truth"][name] for r in runs])
            stats = [r[method]["statistics"][name] for r in runs]
            point = np.array([s["point"] for s in stats])
            entry = {
                "method": method,
                "statistic": name,
                "datasets": len(runs),
                "actual_bias": float(np.mean(point - truth)),
                "bootstrap_bias": float(np.mean([s["bias"] for s in stats])),
                "spread_of_point": float(np.std(point, ddof=1)),
                "mean_standard_error": float(np.mean([s["standard_error"] for s in stats])),
            }
            for kind in INTERVAL_KINDS:
                bounds = np.array([s[kind] for s in stats])
                inside = (bounds[:, 0] <= truth) & (truth <= bounds[:, 1])
                entry[f"coverage_{kind}"] = float(inside.mean())
                entry[f"width_{kind}"] = float(np.mean(bounds[:, 1] - bounds[:, 0]))
            table.append(entry)
    columns = ["method", "statistic", "K", "cover pct", "cover BC", "cover basic"]
    columns += ["actual bias", "bootstrap bias", "sd of point", "mean se"]
    head = "| " + " | ".join(columns) + " |\n" + "|---" * len(columns) + "|\n"
    body = "".join(_row(e) for e in table)
    return table, head + body


def _row(e: dict) -> str:
    cells = [e["method"], e["statistic"], str(e["datasets"])]
    cells += [f"{e[f'coverage_{kind}']:.2f}" for kind in INTERVAL_KINDS]
    cells += [f"{e['actual_bias']:+.4f}", f"{e['bootstrap_bias']:+.4f}"]
    cells += [f"{e['spread_of_point']:.4f}", f"{e['mean_standard_error']:.4f}"]
    return "| " + " | ".join(cells) + " |\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=30, help="independent data sets K")
    parser.add_argument("--replicas", type=int, default=100, help="counts-bootstrap replicas R")
    parser.add_argument("--model-replicas", type=int, default=50, help="model-bootstrap R")
    parser.add_argument("--jobs", type=int, default=2, help="processes")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    configs = [
        {"index": k, "replicas": args.replicas, "model_replicas": args.model_replicas}
        for k in range(args.datasets)
    ]
    log = RESULTS / "bootstrap_coverage.jsonl"  # each data set as it finishes
    log.unlink(missing_ok=True)
    rows = sorted(run_all(one_dataset, configs, args.jobs, log=log), key=lambda r: r["index"])
    table, markdown = summarize(rows)
    seconds = time.perf_counter() - started
    setup = (
        f"n = {N}, depth-{DEPTH} Haar brickwork (seed 1), p2 = {P2}, window {WINDOW} "
        f"(243 settings) x {SHOTS} shots; cross estimator (default options); K = "
        f"{args.datasets} data sets, R = {args.replicas} counts replicas and "
        f"{args.model_replicas} model replicas each; {args.jobs} processes, {seconds:.0f} s"
    )
    write_results(
        "bootstrap_coverage",
        {"setup": setup, "args": vars(args), "seconds": seconds, "table": table, "rows": rows},
        f"# Bootstrap coverage (95% intervals)\n\n{setup}.\n\n{markdown}",
    )
    print(setup)
    print(markdown)


if __name__ == "__main__":
    main()
