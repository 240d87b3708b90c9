"""Quick start: simulate a noisy 8-qubit circuit, measure locally, reconstruct, refine, score.

Figure: fidelity of every 3-qubit marginal along the chain (cross estimate and refined), and
the bond dimensions of the cross estimate against the true state's.

Run: python examples/quickstart.py [--quick] [--out PATH]
Full run: 15-30 s on a shared 2-core machine (30 s measured under load); --quick: ~5 s.
"""

import argparse
from pathlib import Path

from tomography import MeasurementDesign, compare, measure, reconstruct, refine, simulate
from tomography.circuits import brickwork
from tomography.noise import depolarizing

DEFAULT_OUT = Path(__file__).resolve().parent / "figures" / "quickstart.png"

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--quick", action="store_true", help="1000 instead of 10000 shots")
parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="figure path (.png)")
args = parser.parse_args()
shots = 1_000 if args.quick else 10_000

circuit = brickwork(8, 2, seed=1)  # two layers of Haar-random gates on a line
truth = simulate(circuit, depolarizing(0.001, 0.01))  # the exact noisy state, as a Pauli MPO

design = MeasurementDesign(8, window=5)  # 3^5 = 243 settings, whatever n
data = measure(truth, design, shots=shots, seed=1)  # or: run design.circuits(circuit) anywhere
result = reconstruct(data)  # stage 1: the cross estimate
fit = refine(result.state, data, seed=1)  # stage 2: maximum likelihood, positive form

metrics = compare(result.state, truth)
after = compare(fit.state, truth)
print(f"copies used: {data.total_shots:,} in {design.n_settings} settings")
print(f"bond dimension: {max(result.ranks)}, negativity: {result.negativity:.3g}")
print(f"fidelity: {metrics.fidelity:.4f}, trace distance: {metrics.trace_distance:.4f}")
print(f"overlap fidelity: {metrics.overlap_fidelity:.4f}")
print(f"worst 3-qubit marginal fidelity: {metrics.local.min_fidelity:.4f}")
print(
    f"refined ({fit.iterations} iterations, {fit.seconds:.1f} s): fidelity {after.fidelity:.4f}, "
    f"trace distance {after.trace_distance:.4f}, "
    f"worst 3-qubit marginal fidelity {after.local.min_fidelity:.4f}"
)

# the figure (needs matplotlib: pip install ttqst[plot])
from matplotlib.figure import Figure  # noqa: E402

from tomography.plotting import plot_bond_dimensions, plot_local_fidelities  # noqa: E402

fig = Figure(figsize=(11, 4), layout="constrained")
left, right = fig.subplots(1, 2)
plot_local_fidelities(metrics.local, ax=left)
plot_local_fidelities(after.local, ax=left)
left.lines[0].set_label(f"cross estimate, F = {metrics.fidelity:.3f}")
left.lines[1].set_label(f"refined, F = {after.fidelity:.3f}")
left.legend()
plot_bond_dimensions(result, truth=truth, ax=right)
args.out.parent.mkdir(parents=True, exist_ok=True)
fig.savefig(args.out, dpi=90)
print(f"figure: {args.out}")
