"""Tomography of a chain laid on a (fake) IBM device, with the device's calibrated noise.

Steps:

1. Chain: the path of ``n`` physically adjacent qubits of the fake backend's coupling map
   (default ``FakeGuadalupeV2``, 16 qubits) with the smallest sum of readout and two-qubit
   gate errors from its calibration data.
2. Circuit: brickwork of Haar-random two-qubit gates, depth 2, on a line of n qubits,
   transpiled ONCE for the backend with ``initial_layout=chain`` (qubit k of the line on
   physical qubit ``chain[k]``; the script checks that the layout is kept and no swap is
   added). Noise: ``NoiseModel.from_backend`` (gate errors with thermal relaxation, readout
   errors), measured through ``AerSimulator.from_backend``.
3. Measurement: ``tomography.measure.measure(circuit, design, backend=...,
   initial_layout=chain)`` would place the chain on the same qubits, but it transpiles each
   setting circuit anew, so the basis rotations may merge into the state preparation and the
   gates (and their noise) differ from the one circuit the exact truth below is computed for.
   For an exact comparison the script instead appends the rotations of
   ``MeasurementDesign.circuits`` to the transpiled circuit on the chain's physical qubits,
   measures ``chain[k]`` into clbit k (the Qiskit bit order ``MeasurementData.from_counts``
   expects), translates only
   the rotations to the device's gates (``optimization_level=0``), and runs all 243 settings
   plus the two circuits of ``readout_calibration_circuits`` laid on the chain the same way.
   ``assignment_from_calibration`` + ``MeasurementData.with_assignment`` mitigate readout.
4. Truth: Aer's ``density_matrix`` method on the transpiled circuit restricted to the chain
   (physical qubit ``chain[k]`` -> qubit k, the noise model's per-qubit errors relabelled the
   same way) with ``enable_truncation=False``. Checked: noiseless, its state equals the
   ``Statevector`` of the original circuit; noisy, it equals ``simulate`` of the restricted
   circuit and noise model (max |difference| printed); a noiseless run of the measurement
   path gives a reconstruction close to the ideal state (bit order end to end).

Printed: fidelity of the reconstruction to the exact noisy state, without and with readout
mitigation, and refined (:func:`tomography.refine.refine`: the likelihood of the raw counts
through the calibrated assignment matrices, with the positive purified model); the worst
3-qubit marginal fidelity, the fidelity of the noisy state to the ideal one (how much noise
the device adds), and the bond dimensions.

Run: python examples/device_noise.py [--quick] [--out PATH] [--backend FakeGuadalupeV2]
Full run (n = 7, 10^4 shots per setting): 18-35 s measured on a shared 2-core machine;
--quick (n = 5, 1000 shots): ~20 s.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

DEFAULT_OUT = Path(__file__).resolve().parent / "figures" / "device_noise.png"
TWO_QUBIT_GATES = ("cx", "ecr", "cz")
LOCAL_WIDTH = 3


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n = 5 and 1000 shots")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="figure path (.png)")
    parser.add_argument("--backend", default="FakeGuadalupeV2", help="a fake_provider class")
    parser.add_argument("-n", "--qubits", type=int, help="chain length (default 7; quick 5)")
    parser.add_argument("--shots", type=int, help="shots per setting (default 10000)")
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.qubits is None:
        args.qubits = 5 if args.quick else 7
    if args.shots is None:
        args.shots = 1000 if args.quick else 10_000
    return args


# ---------------------------------------------------------------------- the chain
def two_qubit_gate(target) -> str:
    names = [g for g in TWO_QUBIT_GATES if g in target.operation_names]
    if not names:
        raise ValueError(f"no two-qubit gate among {TWO_QUBIT_GATES} in this backend")
    return names[0]


def pick_chain(backend, n: int) -> list[int]:
    """Path of n adjacent physical qubits with the least readout + two-qubit gate error."""
    target, gate = backend.target, two_qubit_gate(backend.target)
    neighbours: dict[int, set[int]] = {}
    for a, b in backend.coupling_map.get_edges():
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)

    def gate_error(a: int, b: int) -> float:
        errors = [target[gate][q].error for q in ((a, b), (b, a)) if q in target[gate]]
        return min(e for e in errors if e is not None)

    def score(path: list[int]) -> float:
        readout = sum(target["measure"][(q,)].error for q in path)
        return readout + sum(gate_error(a, b) for a, b in zip(path, path[1:], strict=False))

    best: tuple[float, list[int]] | None = None
    stack = [[q] for q in sorted(neighbours)]
    while stack:  # every simple path of n qubits (small coupling maps only)
        path = stack.pop()
        if len(path) == n:
            if best is None or score(path) < best[0]:
                best = (score(path), path)
            continue
        stack += [path + [q] for q in sorted(neighbours[path[-1]]) if q not in path]
    if best is None:
        raise ValueError(f"the coupling map has no path of {n} qubits")
    return best[1]


def restrict_to_chain(physical, chain: list[int]):
    """The physical circuit on qubits 0..n-1, physical ``chain[k]`` -> k (barriers dropped)."""
    from qiskit import QuantumCircuit

    index = {q: k for k, q in enumerate(chain)}
    out = QuantumCircuit(len(chain), global_phase=physical.global_phase)
    for instruction in physical.data:
        if instruction.operation.name == "barrier":
            continue
        qubits = [physical.find_bit(q).index for q in instruction.qubits]
        if any(q not in index for q in qubits):
            raise ValueError(f"{instruction.operation.name} on {qubits} leaves the chain {chain}")
        out.append(instruction.operation, [index[q] for q in qubits])
    return out


def chain_noise_model(noise, chain: list[int]):
    """The per-qubit errors of ``noise`` on the chain, relabelled ``chain[k]`` -> k."""
    from qiskit_aer.noise import NoiseModel

    from tomography.noise import noise_tables

    index = {q: k for k, q in enumerate(chain)}
    tables = noise_tables(noise)
    if tables.default or tables.readout_default is not None:
        raise ValueError("expected only per-qubit errors, as NoiseModel.from_backend makes")
    out = NoiseModel(basis_gates=noise.basis_gates)
    for name, by_qubits in tables.local.items():
        for qubits, error in by_qubits.items():
            if all(q in index for q in qubits):
                out.add_quantum_error(error, name, [index[q] for q in qubits], warnings=False)
    for qubits, error in tables.readout_local.items():
        if all(q in index for q in qubits):
            out.add_readout_error(error, [index[q] for q in qubits], warnings=False)
    return out


def exact_density_matrix(circuit, noise=None) -> np.ndarray:
    """Aer's density matrix of an n-qubit circuit (Qiskit order), no truncation of qubits."""
    from qiskit_aer import AerSimulator

    circuit = circuit.copy()
    circuit.save_density_matrix()
    simulator = AerSimulator(method="density_matrix", noise_model=noise, enable_truncation=False)
    return np.asarray(simulator.run(circuit).result().data(0)["density_matrix"])


# ---------------------------------------------------------------------- measuring
def on_chain(local_circuits, physical, chain: list[int], backend, *, with_state: bool):
    """Each n-qubit measurement circuit appended on ``chain`` (after ``physical`` when
    ``with_state``), clbit k = qubit ``chain[k]``, rotations translated at level 0."""
    from qiskit import ClassicalRegister, QuantumCircuit, transpile

    out = []
    for local in local_circuits:
        qc = QuantumCircuit(*physical.qregs, name=local.name, metadata=local.metadata)
        if with_state:
            qc.compose(physical, inplace=True)
        qc.add_register(ClassicalRegister(len(chain), "meas"))
        qc.compose(local, qubits=chain, clbits=qc.clbits, inplace=True)
        out.append(qc)
    return transpile(out, backend, optimization_level=0)


def run_counts(circuits, backend, shots: int) -> list[dict]:
    result = backend.run(circuits, shots=shots).result()
    return [result.get_counts(i) for i in range(len(circuits))]


def measure_on_device(design, physical, chain, backend, shots):
    """Data of every setting and the readout assignment matrices, from one backend run."""
    from qiskit import QuantumCircuit

    from tomography.measure import (
        MeasurementData,
        assignment_from_calibration,
        readout_calibration_circuits,
    )

    n = design.n
    settings = design.circuits(QuantumCircuit(n))  # rotations + measure_all only
    calibration = readout_calibration_circuits(n)
    circuits = on_chain(settings, physical, chain, backend, with_state=True)
    circuits += on_chain(calibration, physical, chain, backend, with_state=False)
    counts = run_counts(circuits, backend, shots)
    data = MeasurementData.from_counts(design, counts[: design.n_settings])
    return data, assignment_from_calibration(*counts[design.n_settings :])


# ---------------------------------------------------------------------- main
def run(args: argparse.Namespace) -> dict:
    from qiskit import transpile
    from qiskit.quantum_info import Statevector
    from qiskit_aer import AerSimulator
    from qiskit_aer.noise import NoiseModel
    from qiskit_ibm_runtime import fake_provider

    from tomography.circuits import brickwork
    from tomography.measure import MeasurementDesign
    from tomography.metrics import fidelity, local_fidelities
    from tomography.reconstruct import reconstruct
    from tomography.refine import refine
    from tomography.simulate import simulate

    n = args.qubits
    device = getattr(fake_provider, args.backend)()
    chain = pick_chain(device, n)
    circuit = brickwork(n, 2, seed=args.seed)
    physical = transpile(
        circuit, device, initial_layout=chain, optimization_level=1, seed_transpiler=args.seed
    )
    if physical.layout.final_index_layout() != chain:
        raise RuntimeError(f"layout {physical.layout.final_index_layout()} is not {chain}")
    local = restrict_to_chain(physical, chain)
    noise = NoiseModel.from_backend(device)
    local_noise = chain_noise_model(noise, chain)

    checks = {}  # the exact state and the bit order, checked
    ideal = Statevector(circuit).data
    checks["1 - |<ideal|restricted>|^2"] = 1 - abs(np.vdot(ideal, Statevector(local).data)) ** 2
    checks["max|aer - simulate|, noiseless"] = float(
        np.abs(exact_density_matrix(local) - simulate(circuit).to_dense()).max()
    )
    rho = exact_density_matrix(local, local_noise)
    truth = simulate(local, local_noise)
    checks["max|aer - simulate|, device noise"] = float(np.abs(rho - truth.to_dense()).max())
    design = MeasurementDesign(n, args.window)
    noiseless = AerSimulator(seed_simulator=args.seed)
    clean, _ = measure_on_device(design, physical, chain, noiseless, args.shots)
    checks["F(noiseless data, ideal)"] = fidelity(
        np.outer(ideal, ideal.conj()), reconstruct(clean, compute_bound=False).state
    )

    simulator = AerSimulator.from_backend(device, seed_simulator=args.seed)
    started = time.perf_counter()
    data, assignment = measure_on_device(design, physical, chain, simulator, args.shots)
    t_measure = time.perf_counter() - started
    results = {}
    mitigated = data.with_assignment(assignment)
    for label, d, refine_it in (
        ("raw", data, False),
        ("readout-mitigated", mitigated, False),
        ("mitigated+refined", mitigated, True),  # fits raw counts through the assignment
    ):
        result = reconstruct(d)
        state = refine(result.state, d, seed=args.seed).state if refine_it else result.state
        results[label] = {
            "state": state,
            "fidelity": fidelity(rho, state),
            "local": local_fidelities(state, truth, LOCAL_WIDTH),
        }
    return {
        "chain": chain,
        "ops": dict(physical.count_ops()),
        "checks": checks,
        "noisy_vs_ideal": fidelity(rho, np.outer(ideal, ideal.conj())),
        "readout_error": 1 - np.mean(assignment[:, [0, 1], [0, 1]], axis=1),
        "t_measure": t_measure,
        "copies": data.total_shots,
        "truth": truth,
        "results": results,
    }


def print_report(out: dict, args) -> None:
    print(f"backend {args.backend}, chain of physical qubits {out['chain']}")
    print(f"transpiled circuit: {out['ops']}")
    print(
        "readout error per chain qubit (calibration): "
        + " ".join(f"{e:.3f}" for e in out["readout_error"])
    )
    for name, value in out["checks"].items():
        print(f"check {name}: {value:.3g}")
    print(f"F(exact noisy state, ideal state) = {out['noisy_vs_ideal']:.4f}")
    print(f"{out['copies']:,} copies, device run {out['t_measure']:.1f} s")
    print(f"{'readout':<18} {'F':>7} {'min F_3':>8} {'ranks':<28} {'true bond dims'}")
    for label, r in out["results"].items():
        print(
            f"{label:<18} {r['fidelity']:>7.4f} {r['local'].min_fidelity:>8.4f} "
            f"{str(r['state'].bond_dims):<28} {out['truth'].bond_dims}"
        )


def make_figure(out: dict, args, path: Path) -> None:
    from matplotlib.figure import Figure

    from tomography.plotting import plot_bond_dimensions, plot_local_fidelities

    fig = Figure(figsize=(11, 4), layout="constrained")
    left, right = fig.subplots(1, 2)
    for label, r in out["results"].items():
        plot_local_fidelities(r["local"], ax=left)
        left.lines[-1].set_label(f"{label}: F = {r['fidelity']:.3f}")
    left.legend()
    left.set_title(f"{args.backend}, chain {out['chain']}, {args.shots} shots x 243")
    plot_bond_dimensions(out["results"]["readout-mitigated"]["state"], truth=out["truth"], ax=right)
    right.set_title("bond dimensions (readout-mitigated estimate)")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)


def main(argv=None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    out = run(args)
    print_report(out, args)
    make_figure(out, args, args.out)
    print(f"figure: {args.out}")
    print(f"total time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
