"""Tests for tomography.simulate: the Pauli-MPO simulator against Aer's density-matrix method.

Reference: ``simulate_dense`` (Aer ``density_matrix``, ``enable_truncation=False``); agreement
is measured by the trace distance ``1/2 ||rho - sigma||_1`` of the dense matrices.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest
from noise_cases import noise_models
from qiskit import ClassicalRegister, QuantumCircuit, transpile
from qiskit.circuit import Gate, Instruction, Parameter
from qiskit.providers.fake_provider import GenericBackendV2
from qiskit.transpiler import CouplingMap
from qiskit_aer.noise import NoiseModel, depolarizing_error

from tomography.circuit_ops import assignment_matrices, simulate_dense
from tomography.circuits import brickwork, ghz_line, ising_trotter
from tomography.noise import amplitude_damping, combine, depolarizing, readout
from tomography.pauli import dense_to_pauli
from tomography.simulate import SimulationInfo, simulate
from tomography.state import PauliMPO

AGREEMENT_TOL = 1e-10

FAMILIES = {
    "haar": lambda n, seed: brickwork(n, 4, gates="haar", seed=seed),
    "cx": lambda n, seed: brickwork(n, 4, gates="cx", seed=100 + seed),
    "ghz": lambda n, seed: ghz_line(n),
    "ising": lambda n, seed: ising_trotter(n, 3, dt=0.2 + 0.05 * seed, coupling=0.9, field=0.7),
}


MODELS = noise_models(ideal_name="none")
NOISE_NAMES = [*MODELS, "backend"]


@functools.lru_cache(maxsize=16)
def _line_backend(n: int) -> GenericBackendV2:
    return GenericBackendV2(
        n, basis_gates=["cx", "id", "rz", "sx", "x"], coupling_map=CouplingMap.from_line(n), seed=n
    )


def _case(family: str, noise: str, n: int, seed: int) -> tuple[QuantumCircuit, NoiseModel | None]:
    """Circuit and noise model; "backend" is NoiseModel.from_backend of a line GenericBackendV2."""
    circuit = FAMILIES[family](n, seed)
    if noise != "backend":
        return circuit, MODELS[noise]
    backend = _line_backend(n)
    transpiled = transpile(
        circuit, backend, initial_layout=list(range(n)), optimization_level=0, seed_transpiler=seed
    )
    return transpiled, NoiseModel.from_backend(backend)


def trace_distance(a: np.ndarray, b: np.ndarray) -> float:
    """``1/2 ||a - b||_1`` of two Hermitian matrices."""
    return 0.5 * float(np.abs(np.linalg.eigvalsh(a - b)).sum())


def trace_distance_at_most(a: np.ndarray, b: np.ndarray, tol: float) -> float:
    """A value >= ``trace_distance(a, b)`` that is <= ``tol`` if the distance is.

    ``||A||_1 <= sqrt(dim) ||A||_F``: when that bound is already below ``tol`` the O(dim^3)
    eigendecomposition is skipped (it dominates the run time at n = 10).
    """
    bound = 0.5 * np.sqrt(a.shape[0]) * float(np.linalg.norm(a - b))
    return bound if bound <= tol else trace_distance(a, b)


def _assert_agrees(circuit: QuantumCircuit, model: NoiseModel | None) -> PauliMPO:
    """Trace distance to Aer <= AGREEMENT_TOL, before our normalisation to trace 1.

    Aer drops error terms of probability <= 1e-10 without renormalising, as do we (device
    models have them): its state then has trace 1 - O(1e-9), and so has ours before
    ``simulate`` divides by ``trace_before_normalization``.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # every model here fires on its circuit
        state, info = simulate(circuit, model, return_info=True)
    expected = simulate_dense(circuit, model)
    assert info.trace_before_normalization == pytest.approx(np.trace(expected).real, abs=1e-12)
    ours = info.trace_before_normalization * state.to_dense()
    distance = trace_distance_at_most(ours, expected, AGREEMENT_TOL)
    assert distance <= AGREEMENT_TOL, f"trace distance {distance:.3g}"
    return state


# every family x every noise model at two sizes; n = 2..10 below
GRID = [(f, m, n, s) for f in FAMILIES for m in NOISE_NAMES for n, s in ((3, 0), (6, 1))]
# n = 2..8: three families a size, noise models rotating so that each n sees several
SWEEP = [
    (family, NOISE_NAMES[(n + j) % len(NOISE_NAMES)], n, seed)
    for n in range(2, 9)
    for j, (family, seed) in enumerate((("haar", n), ("cx", 2 * n), ("ising", n % 3)))
]
# n = 9, 10: fewer, heavier cases (Aer's density matrix and our to_dense cost ~1 s each)
LARGE = [
    ("cx", "backend", 9, 1),
    ("haar", "thermal", 9, 2),
    ("haar", "combined", 10, 3),
    ("cx", "backend", 10, 4),
    ("ising", "combined", 10, 1),
    ("ghz", "backend", 10, 0),
]


@pytest.mark.parametrize("family, noise, n, seed", GRID + SWEEP + LARGE)
def test_simulate_agrees_with_aer_density_matrix(family, noise, n, seed):
    circuit, model = _case(family, noise, n, seed)
    state = _assert_agrees(circuit, model)
    assert state.n == n
    assert abs(state.trace() - 1.0) < 1e-12


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_haar_brickwork_agrees_for_several_seeds_and_depths(seed):
    circuit = brickwork(7, 2 + 2 * seed, gates="haar", seed=seed)
    _assert_agrees(circuit, combine(depolarizing(0.002, 0.02), amplitude_damping(0.01)))


def test_gates_in_both_orders_and_single_qubit_gates_between():
    circuit = QuantumCircuit(4)
    circuit.h(0)
    circuit.cx(1, 0)
    circuit.rzz(0.3, 2, 1)
    circuit.sx(3)
    circuit.cx(3, 2)
    circuit.rx(0.4, 1)
    circuit.cz(1, 2)
    circuit.u(0.1, 0.2, 0.3, 0)
    circuit.cx(0, 1)
    model = combine(depolarizing(0.01, 0.03), amplitude_damping(0.02))
    model.add_all_qubit_quantum_error(depolarizing_error(0.02, 2), ["cz"])
    _assert_agrees(circuit, model)


def test_info_without_truncation():
    circuit = brickwork(6, 4, gates="haar", seed=3)
    state, info = simulate(circuit, depolarizing(0.001, 0.01), return_info=True)
    assert isinstance(info, SimulationInfo)
    assert info.discarded_weights == [] and info.truncation_error == 0.0
    assert info.n_gates == 3 + 2 + 3 + 2
    assert info.max_rank == max(state.bond_dims) == 4**3  # the middle cut of 6 qubits
    assert abs(info.trace_before_normalization - 1.0) < 1e-12
    assert state.truncation_error == 0.0


def test_single_qubit_and_gate_free_circuits():
    empty = simulate(QuantumCircuit(3))
    zero = np.zeros((8, 8))
    zero[0, 0] = 1.0
    np.testing.assert_allclose(empty.to_dense(), zero, atol=1e-15)
    one = QuantumCircuit(1)
    one.h(0)
    state = simulate(one, depolarizing(0.1, 0.1))
    assert state.n == 1 and state.bond_dims == ()
    assert trace_distance(state.to_dense(), simulate_dense(one, depolarizing(0.1, 0.1))) < 1e-14


def test_truncation_is_reported_and_bounded():
    circuit = brickwork(8, 6, gates="haar", seed=11)
    model = depolarizing(0.001, 0.01)  # unital: PTMs do not increase the Frobenius norm
    exact = dense_to_pauli(simulate_dense(circuit, model))
    # the bound is in the truncation norm: Hilbert-Schmidt (Frobenius of X) for weight 1
    state, info = simulate(circuit, model, max_rank=16, nonidentity_weight=1.0, return_info=True)
    assert max(state.bond_dims) <= 16 and info.max_rank == 16
    assert info.discarded_weights and all(0 < w < 1 for w in info.discarded_weights)
    assert info.truncation_error == pytest.approx(np.sqrt(info.discarded_weights).sum())
    assert state.truncation_error == info.truncation_error
    assert abs(state.trace() - 1.0) < 1e-12
    unnormalised = state.tt.full() * info.trace_before_normalization
    error = np.linalg.norm(unnormalised - exact) / np.linalg.norm(exact)
    assert 0 < error <= info.truncation_error
    assert 0 < info.trace_before_normalization < 1


def test_tol_lowers_bonds():
    circuit = brickwork(7, 6, gates="haar", seed=12)
    model = depolarizing(0.01, 0.05)
    full = simulate(circuit, model)
    # tol is relative in the truncation norm; in the Hilbert-Schmidt norm (weight 1) 1e-2
    # keeps the whole state close, the weighted default keeps the trace and marginals instead
    loose, info = simulate(circuit, model, tol=1e-2, nonidentity_weight=1.0, return_info=True)
    assert sum(loose.bond_dims) < sum(full.bond_dims) and max(full.bond_dims) == 64
    assert info.truncation_error > 0
    assert trace_distance(loose.to_dense(), full.to_dense()) < 0.1  # measured 0.03


@pytest.mark.parametrize("weight", [0.35, 0.5, 0.7, 2.0])
def test_nonidentity_weight_does_not_change_the_untruncated_state(weight):
    circuit = brickwork(6, 4, gates="cx", seed=13)
    model = combine(depolarizing(0.01, 0.02), amplitude_damping(0.02))
    weighted = simulate(circuit, model, nonidentity_weight=weight)
    plain = simulate(circuit, model)
    assert trace_distance(weighted.to_dense(), plain.to_dense()) < AGREEMENT_TOL


def test_low_weight_truncation_keeps_trace_and_marginals_closer():
    circuit = brickwork(7, 6, gates="haar", seed=14)
    model = depolarizing(0.001, 0.01)
    exact = simulate(circuit, model)
    marginal = exact.marginal([2, 3, 4]).to_dense()
    errors, traces = {}, {}
    for weight in (1.0, 0.5):
        state, info = simulate(circuit, model, max_rank=8, nonidentity_weight=weight,
                               return_info=True)  # fmt: skip
        traces[weight] = info.trace_before_normalization
        errors[weight] = trace_distance(state.marginal([2, 3, 4]).to_dense(), marginal)
    # measured: trace 0.30 vs 0.992, marginal trace distance 0.62 vs 0.21
    assert abs(1 - traces[0.5]) < 0.1 * abs(1 - traces[1.0])
    assert errors[0.5] < 0.5 * errors[1.0]


def test_readout_is_attached_not_applied():
    circuit = brickwork(4, 2, gates="cx", seed=15)
    model = combine(depolarizing(0.01, 0.02), readout(0.03, 0.08))
    state = simulate(circuit, model)
    np.testing.assert_array_equal(state.assignment, assignment_matrices(model, 4))
    assert simulate(circuit, depolarizing(0.01, 0.02)).assignment is None
    assert simulate(circuit).assignment is None
    assert (
        trace_distance(state.to_dense(), simulate(circuit, depolarizing(0.01, 0.02)).to_dense())
        < AGREEMENT_TOL
    )


def test_device_model_with_assignment_on_some_qubits():
    backend = _line_backend(5)
    model = NoiseModel.from_backend(backend)
    circuit = transpile(brickwork(5, 3, gates="cx", seed=16), backend, initial_layout=range(5),
                        optimization_level=0, seed_transpiler=1)  # fmt: skip
    state = _assert_agrees(circuit, model)
    np.testing.assert_allclose(state.assignment, assignment_matrices(model, 5))


# ---------------------------------------------------------------------- bad input
def _with(build) -> QuantumCircuit:
    circuit = QuantumCircuit(3)
    build(circuit)
    return circuit


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda c: c.append(Instruction("blackbox", 1, 0, []), [0]), "non-unitary"),
        (lambda c: c.append(Gate("mystery", 1, []), [1]), "cannot decompose"),
        (lambda c: c.reset(1), "reset"),
        (lambda c: c.cx(0, 2), "not neighbours"),
        (lambda c: c.swap(2, 0), "not neighbours"),
        (lambda c: c.ccx(0, 1, 2), "not neighbours"),
    ],
)
def test_rejected_instructions(build, message):
    with pytest.raises(ValueError, match=message):
        simulate(_with(build))


def test_classical_control_is_rejected():
    circuit = QuantumCircuit(2)
    circuit.add_register(ClassicalRegister(1))
    circuit.h(0)
    circuit.measure(0, 0)
    with circuit.if_test((circuit.clbits[0], 1)):
        circuit.x(1)
    with pytest.raises(ValueError, match="classical"):
        simulate(circuit)


def test_mid_circuit_measurement_is_rejected_final_one_ignored():
    circuit = QuantumCircuit(2, 2)
    circuit.h(0)
    circuit.measure(0, 0)
    circuit.cx(0, 1)
    with pytest.raises(ValueError, match="mid-circuit"):
        simulate(circuit)
    final = QuantumCircuit(2, 2)
    final.h(0)
    final.cx(0, 1)
    final.barrier()
    final.measure([0, 1], [0, 1])
    bare = QuantumCircuit(2)
    bare.h(0)
    bare.cx(0, 1)
    assert trace_distance(simulate(final).to_dense(), simulate(bare).to_dense()) < 1e-15


def test_noise_on_gates_the_circuit_lacks_warns():
    circuit = brickwork(4, 2, gates="haar", seed=17)  # unitary gates labelled "haar2q"
    model = NoiseModel()
    model.add_all_qubit_quantum_error(depolarizing_error(0.05, 2), ["unitary"])
    with pytest.warns(UserWarning, match="never fires"):
        state = simulate(circuit, model)
    assert trace_distance(state.to_dense(), simulate(circuit).to_dense()) < AGREEMENT_TOL


def test_argument_errors():
    circuit = brickwork(3, 2, seed=18)
    with pytest.raises(TypeError, match="QuantumCircuit"):
        simulate("not a circuit")
    with pytest.raises(TypeError, match="NoiseModel"):
        simulate(circuit, {"cx": 0.01})
    with pytest.raises(ValueError, match="max_rank"):
        simulate(circuit, max_rank=0)
    with pytest.raises(TypeError, match="max_rank"):
        simulate(circuit, max_rank=2.5)
    with pytest.raises(ValueError, match="tol"):
        simulate(circuit, tol=-1e-3)
    with pytest.raises(ValueError, match="nonidentity_weight"):
        simulate(circuit, nonidentity_weight=0.0)
    unbound = QuantumCircuit(1)
    unbound.rx(Parameter("theta"), 0)
    with pytest.raises(ValueError, match="unbound parameters"):
        simulate(unbound)
