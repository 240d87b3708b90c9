"""The figure of docs/uncertainty.md: bootstrap replicas, their intervals and the truth.

n = 6, depth-2 Haar brickwork, p2 = 0.01, window 5, 1000 shots per setting; 200 replicas of
the cross estimate (counts resampling). Run from the repository root::

    python docs/figures/bootstrap_replicas.py
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from tomography import MeasurementDesign, measure, simulate  # noqa: E402
from tomography.bootstrap import CrossEstimator, bootstrap  # noqa: E402
from tomography.circuits import build  # noqa: E402
from tomography.noise import from_rates  # noqa: E402
from tomography.statistics import Expectation, FidelityTo, TargetFidelity  # noqa: E402

OUT = Path(__file__).resolve().parent / "bootstrap_replicas.png"


def main() -> None:
    circuit, _ = build("brickwork", 6, 2, seed=1)
    truth = simulate(circuit, from_rates(p2=0.01)[0])
    data = measure(truth, MeasurementDesign(6, window=5), 1000, seed=2)
    statistics = {
        "fidelity to the ideal circuit": TargetFidelity(circuit),
        "fidelity to the true noisy state": FidelityTo(truth),
        "<Z2 Z3>": Expectation("IIZZII"),
    }
    result = bootstrap(data, CrossEstimator(), statistics, 200, seed=3)
    print(result.summary())
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    for ax, (name, statistic) in zip(axes, statistics.items(), strict=True):
        s = result[name]
        ax.hist(s.values, bins=30, color="0.75", label="replicas")
        ax.axvline(s.point, color="k", lw=1.5, label="point estimate")
        ax.axvline(statistic(truth), color="tab:red", lw=2, ls="--", label="truth")
        for kind, color, y in (
            ("percentile", "tab:blue", 0.92),
            ("bias_corrected", "tab:green", 0.84),
        ):
            low, high = s.interval(kind)
            ax.plot([low, high], [y, y], color=color, lw=4, transform=ax.get_xaxis_transform(),
                    label=f"95% {kind.replace('_', '-')}")  # fmt: skip
        ax.set_title(name, fontsize=10)
        ax.set_yticks([])
    axes[0].legend(fontsize=7, loc="upper left")
    fig.suptitle(
        "200 bootstrap replicas of the cross estimate (n = 6, p2 = 0.01, 1000 shots x 243)"
    )
    fig.tight_layout()
    fig.savefig(OUT, dpi=110)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
