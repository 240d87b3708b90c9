"""Quick start: simulate a noisy 8-qubit circuit, measure locally, reconstruct, score.

Run: python examples/quickstart.py   (about 15 s)
"""

from tomography.circuits import brickwork
from tomography.measure import MeasurementDesign, measure
from tomography.metrics import compare
from tomography.noise import depolarizing
from tomography.reconstruct import reconstruct
from tomography.simulate import simulate

circuit = brickwork(8, 2, seed=1)  # two layers of Haar-random gates on a line
truth = simulate(circuit, depolarizing(0.001, 0.01))  # the exact noisy state, as a Pauli MPO

design = MeasurementDesign(8, window=5)  # 3^5 = 243 settings, whatever n
data = measure(truth, design, shots=10_000, seed=1)  # or: run design.circuits(circuit) anywhere
result = reconstruct(data)

metrics = compare(result.state, truth)
print(f"copies used: {data.total_shots:,} in {design.n_settings} settings")
print(f"bond dimension: {max(result.ranks)}, negativity: {result.negativity:.3g}")
print(f"fidelity: {metrics.fidelity:.4f}, trace distance: {metrics.trace_distance:.4f}")
print(f"overlap fidelity: {metrics.overlap_fidelity:.4f}")
print(f"worst 3-qubit marginal fidelity: {metrics.local.min_fidelity:.4f}")
