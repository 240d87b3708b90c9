"""Tests for tomography.circuit_ops (and tomography.noise): PTM ops reproduce Aer exactly."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from noise_cases import noise_models
from qiskit import ClassicalRegister, QuantumCircuit, transpile
from qiskit.circuit import Instruction, Parameter
from qiskit.circuit.library import DiagonalGate, QFTGate, iSwapGate
from qiskit.providers.fake_provider import GenericBackendV2
from qiskit.quantum_info import Kraus, SuperOp
from qiskit.transpiler import CouplingMap
from qiskit_aer import AerSimulator
from qiskit_aer.noise import (
    NoiseModel,
    ReadoutError,
    amplitude_damping_error,
    depolarizing_error,
    pauli_error,
)

from tomography.circuit_ops import (
    Operation,
    assignment_matrices,
    circuit_to_ops,
    prepare_circuit,
    simulate_dense,
)
from tomography.circuits import brickwork, ghz_line, ising_trotter
from tomography.noise import (
    amplitude_damping,
    combine,
    depolarizing,
    noise_tables,
    readout,
    thermal,
)
from tomography.pauli import dense_to_pauli, ptm

FAMILIES = {
    "haar": lambda n: brickwork(n, 3, gates="haar", seed=n),
    "cx": lambda n: brickwork(n, 3, gates="cx", seed=10 + n),
    "ghz": ghz_line,
    "ising": lambda n: ising_trotter(n, 2, dt=0.3, coupling=0.9, field=0.6),
}


MODELS = noise_models(ideal_name="ideal")


def apply_ops_dense(ops: list[Operation], n: int) -> np.ndarray:
    """Reference: start from |0...0> (X = 1 on {I, Z}^n) and apply each PTM on its qubits."""
    x = np.zeros((4,) * n)
    for index in np.ndindex(*(2,) * n):
        x[tuple(3 * np.array(index))] = 1.0
    for op in ops:
        first, width = op.qubits[0], len(op.qubits)
        x = np.matmul(op.ptm, x.reshape(4**first, 4**width, -1)).reshape((4,) * n)
    return x


def assert_matches_aer(circuit, noise_model, atol=1e-10):
    ops = circuit_to_ops(circuit, noise_model)
    ours = apply_ops_dense(ops, circuit.num_qubits)
    aer = dense_to_pauli(simulate_dense(circuit, noise_model))
    np.testing.assert_allclose(ours, aer, atol=atol, rtol=0)
    return ops


@pytest.mark.parametrize("model", list(MODELS))
@pytest.mark.parametrize("family", list(FAMILIES))
def test_ops_reproduce_aer_density_matrix(family, model):
    for n in range(2, 7):
        circuit = FAMILIES[family](n)
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)  # default models never misfire
            ops = assert_matches_aer(circuit, MODELS[model])
        for op in ops:
            assert op.qubits in {(i,) for i in range(n)} | {(i, i + 1) for i in range(n - 1)}
            assert op.ptm.shape == (4 ** len(op.qubits),) * 2 and op.ptm.dtype == np.float64


def test_noise_builders_attach_to_documented_names():
    tables = noise_tables(depolarizing(0.01, 0.02))
    assert sorted(tables.default) == sorted(["u", "h", "rx", "cx", "rzz", "haar2q"])
    assert noise_tables(readout(0.1, 0.2)).readout_default is not None


def test_haar_gates_keep_label_through_prepare():
    prepared = prepare_circuit(brickwork(4, 2, seed=0), depolarizing(0.0, 0.1))
    assert {(i.operation.name, i.operation.label) for i in prepared.data} == {("unitary", "haar2q")}
    assert [op.name for op in circuit_to_ops(brickwork(3, 1, seed=0))] == ["haar2q"]


def test_label_overrides_name_for_standard_gates():
    circuit = QuantumCircuit(3)
    circuit.h(0)
    circuit.cx(0, 1, label="mycx")
    circuit.cx(1, 2)
    on_cx = NoiseModel()
    on_cx.add_all_qubit_quantum_error(depolarizing_error(0.3, 2), ["cx"])
    ops = assert_matches_aer(circuit, on_cx)
    assert [op.name for op in ops] == ["h", "mycx", "cx"]
    np.testing.assert_allclose(ops[1].ptm, ptm(circuit.data[1].operation, 2), atol=1e-12)
    on_label = NoiseModel()
    on_label.add_all_qubit_quantum_error(depolarizing_error(0.3, 2), ["mycx"])
    assert_matches_aer(circuit, on_label)


def _asymmetric_2q(gamma_a: float, gamma_b: float):
    return amplitude_damping_error(gamma_b).tensor(amplitude_damping_error(gamma_a))


def test_local_error_replaces_default_and_matches_instruction_order():
    circuit = QuantumCircuit(3)
    circuit.h([0, 1, 2])
    circuit.cx(0, 1)
    circuit.cx(1, 2)
    circuit.cx(2, 1)
    default = pauli_error([("XZ", 0.3), ("II", 0.7)])
    local = _asymmetric_2q(0.4, 0.05)
    model = NoiseModel()
    model.add_all_qubit_quantum_error(default, ["cx"], warnings=False)
    model.add_quantum_error(local, ["cx"], [1, 2], warnings=False)
    ops = assert_matches_aer(circuit, model)
    gate = ptm(circuit.data[-1].operation, 2)
    np.testing.assert_allclose(ops[-2].ptm, ptm(local, 2) @ gate, atol=1e-12)
    # cx on (2, 1) falls back to the default error, then is re-expressed on (1, 2)
    swap = np.arange(16).reshape(4, 4).T.ravel()
    expected = (ptm(default, 2) @ gate)[np.ix_(swap, swap)]
    assert ops[-1].qubits == (1, 2)
    np.testing.assert_allclose(ops[-1].ptm, expected, atol=1e-12)


def test_reversed_gates_with_asymmetric_noise_match_aer():
    circuit = QuantumCircuit(4)
    circuit.x([1, 3])
    circuit.cx(1, 0)
    circuit.cx(3, 2)
    circuit.append(iSwapGate(), [2, 1])
    model = NoiseModel()
    model.add_all_qubit_quantum_error(_asymmetric_2q(0.3, 0.02), ["cx", "iswap"])
    assert_matches_aer(circuit, model)


def test_local_only_noise_on_other_order_warns():
    circuit = QuantumCircuit(2)
    circuit.cx(1, 0)
    model = NoiseModel()
    model.add_quantum_error(_asymmetric_2q(0.3, 0.1), ["cx"], [0, 1])
    with pytest.warns(UserWarning, match=r"\('cx', \(1, 0\)\).*instruction order"):
        assert_matches_aer(circuit, model)


def test_noise_that_never_fires_warns():
    model = depolarizing(0.01, 0.05, two_qubit_gates=["unitary"])
    with pytest.warns(UserWarning, match=r"\['unitary'\] never fires.*\['haar2q'\]"):
        circuit_to_ops(brickwork(3, 2, seed=1), model)


def test_decompositions_of_other_gates_match_aer():
    circuit = QuantumCircuit(3)
    circuit.h([0, 1, 2])
    circuit.ch(0, 1)
    circuit.cx(2, 1, ctrl_state=0)
    circuit.append(DiagonalGate([1, 1j, -1, 1]), [1, 2])
    circuit.append(QFTGate(2), [2, 1])
    neighbour_only = QuantumCircuit(3)
    neighbour_only.cx(0, 1)
    neighbour_only.cx(1, 2)
    circuit.append(neighbour_only.to_gate(), [0, 1, 2])
    model = combine(depolarizing(0.02, 0.05, one_qubit_gates=["sx", "x"]), amplitude_damping(0.1))
    ops = assert_matches_aer(circuit, model)
    assert {op.name for op in ops} <= set(model.basis_gates)


def test_channel_instructions_match_aer():
    circuit = QuantumCircuit(3)
    circuit.h(0)
    circuit.append(Kraus(amplitude_damping_error(0.4).to_quantumchannel()), [0])
    circuit.append(SuperOp(amplitude_damping_error(0.2).to_quantumchannel()), [2])
    circuit.append(pauli_error([("XY", 0.3), ("II", 0.7)]), [2, 1])
    circuit.cx(0, 1)
    assert_matches_aer(circuit, None)
    assert_matches_aer(circuit, depolarizing(0.01, 0.03))


def test_device_noise_model_matches_aer():
    backend = GenericBackendV2(
        4, basis_gates=["cx", "id", "rz", "sx", "x"], coupling_map=CouplingMap.from_line(4), seed=3
    )
    model = NoiseModel.from_backend(backend)
    logical = brickwork(4, 2, gates="cx", seed=4)
    circuit = transpile(logical, backend, initial_layout=[0, 1, 2, 3], optimization_level=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # virtual rz is noiseless on purpose
        assert_matches_aer(circuit, model)
    assert_matches_aer(circuit, combine(model, depolarizing(0.01, 0.02)))


def test_combine_applies_models_in_order():
    first, second = depolarizing(0.0, 0.2), amplitude_damping(0.3)
    circuit = QuantumCircuit(2)
    circuit.cx(0, 1)
    (op,) = circuit_to_ops(circuit, combine(first, second))
    expected = ptm(_asymmetric_2q(0.3, 0.3), 2) @ ptm(depolarizing_error(0.2, 2), 2)
    np.testing.assert_allclose(op.ptm, expected @ ptm(circuit.data[0].operation, 2), atol=1e-12)
    with pytest.raises(ValueError, match="at least one"):
        combine()


def test_final_measurements_and_barriers_are_stripped():
    circuit = ghz_line(3)
    circuit.barrier()
    circuit.measure_all()
    prepared = prepare_circuit(circuit)
    assert prepared.num_clbits == 0
    assert [i.operation.name for i in prepared.data] == ["h", "cx", "cx"]
    np.testing.assert_allclose(simulate_dense(circuit), simulate_dense(ghz_line(3)), atol=1e-12)


def test_assignment_matrices():
    a = assignment_matrices(combine(depolarizing(0.01, 0.02), readout(0.1, 0.3)), 3)
    np.testing.assert_allclose(a[2], [[0.9, 0.3], [0.1, 0.7]])
    np.testing.assert_allclose(assignment_matrices(None, 2), np.tile(np.eye(2), (2, 1, 1)))
    model = readout(0.1, 0.3)
    model.add_readout_error(ReadoutError([[0.8, 0.2], [0.0, 1.0]]), [1], warnings=False)
    a = assignment_matrices(model, 2)
    np.testing.assert_allclose(a[1], [[0.8, 0.0], [0.2, 1.0]])
    np.testing.assert_allclose(a[0], [[0.9, 0.3], [0.1, 0.7]])


def test_assignment_matrices_match_aer_sampling():
    circuit = QuantumCircuit(2)
    circuit.x(0)
    circuit.measure_all()
    model = readout(0.1, 0.3)
    counts = AerSimulator(noise_model=model, seed_simulator=1).run(circuit, shots=40000)
    counts = counts.result().get_counts()
    p_qubit0_reads_0 = sum(c for key, c in counts.items() if key[-1] == "0") / 40000
    assert p_qubit0_reads_0 == pytest.approx(assignment_matrices(model, 2)[0, 0, 1], abs=0.01)


def test_assignment_matrices_errors():
    model = NoiseModel()
    correlated = np.eye(4)
    correlated[0, :2] = [0.9, 0.1]
    model.add_readout_error(ReadoutError(correlated), [0, 1])
    with pytest.raises(ValueError, match=r"correlated readout errors on qubits \[\(0, 1\)\]"):
        assignment_matrices(model, 2)
    with pytest.raises(ValueError, match="n_qubits"):
        assignment_matrices(None, 0)
    with pytest.raises(TypeError, match="n_qubits` must be an int"):
        assignment_matrices(None, 1.5)


def _circuit_with(build) -> QuantumCircuit:
    circuit = QuantumCircuit(3, 1)
    build(circuit)
    return circuit


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda c: c.cx(0, 2), r"'cx' on qubits \(0, 2\): not neighbours"),
        (lambda c: c.ccx(0, 1, 2), r"'cx' on qubits \(\d, \d\): not neighbours"),
        (lambda c: (c.measure(0, 0), c.h(0)), r"'measure' on qubits \(0,\): mid-circuit"),
        (lambda c: c.reset(1), r"'reset' on qubits \(1,\): reset is not supported"),
        (lambda c: c.delay(10, 0), r"'delay' on qubits \(0,\)"),
        (
            lambda c: c.append(Instruction("odd", 1, 0, []), [1]),
            "'odd'.*non-unitary and not one of",
        ),
        (lambda c: c.rx(Parameter("t"), 0), r"unbound parameters \['t'\]"),
    ],
)
def test_prepare_circuit_errors(build, message):
    with pytest.raises(ValueError, match=message):
        prepare_circuit(_circuit_with(build))


def test_classical_control_is_rejected():
    circuit = QuantumCircuit(2, 1)
    circuit.measure(0, 0)
    with circuit.if_test((circuit.clbits[0], 1)):
        circuit.x(1)
    with pytest.raises(ValueError, match="'if_else'.*classical control"):
        prepare_circuit(circuit)
    bits = QuantumCircuit(1)
    bits.add_register(ClassicalRegister(1))
    bits.measure(0, 0)
    bits.x(0)
    with pytest.raises(ValueError, match="mid-circuit"):
        circuit_to_ops(bits)


def test_argument_and_size_errors():
    with pytest.raises(TypeError, match="QuantumCircuit"):
        prepare_circuit("qc")
    with pytest.raises(TypeError, match="NoiseModel or None"):
        circuit_to_ops(ghz_line(2), noise_model={"cx": 0.1})
    with pytest.raises(ValueError, match="13 qubits, expected at most max_qubits=12"):
        simulate_dense(ghz_line(13))
    assert simulate_dense(ghz_line(3), max_qubits=3).shape == (8, 8)
    model = NoiseModel()
    model.add_all_qubit_quantum_error(depolarizing_error(0.1, 1), ["haar2q"])
    with pytest.raises(ValueError, match="1-qubit error but the gate acts on qubits"):
        circuit_to_ops(brickwork(2, 1, seed=0), model)


def test_operation_validation():
    with pytest.raises(ValueError, match=r"expected \(i,\) or \(i, i \+ 1\)"):
        Operation(qubits=(2, 1), ptm=np.eye(16), name="cx")
    with pytest.raises(ValueError, match="expected"):
        Operation(qubits=(0,), ptm=np.eye(16), name="h")
    op = Operation(qubits=(0,), ptm=np.eye(4), name="h")
    with pytest.raises(ValueError):
        op.ptm[0, 0] = 2.0


def test_noise_builder_errors():
    with pytest.raises(ValueError, match=r"p1 == -0.1`, must be in \[0, 1.33333\]"):
        depolarizing(-0.1, 0.0)
    with pytest.raises(ValueError, match="p2 == 2"):
        depolarizing(0.0, 2)
    with pytest.raises(ValueError, match="'cx', a 2-qubit gate, expected 1-qubit gates"):
        depolarizing(0.1, 0.1, one_qubit_gates=["cx"])
    with pytest.raises(TypeError, match="sequence of str"):
        amplitude_damping(0.1, one_qubit_gates="u")
    with pytest.raises(ValueError, match=r"t2 == 120.0 > 2 \* t1 == 100.0"):
        thermal(50.0, 120.0, (1.0, 2.0))
    with pytest.raises(ValueError, match="expected \\(one_qubit_time, two_qubit_time\\)"):
        thermal(50.0, 60.0, 1.0)
    with pytest.raises(ValueError, match="t1 == 0"):
        thermal(0, 60.0, (1.0, 2.0))
    with pytest.raises(ValueError, match="p01 == 1.5"):
        readout(1.5, 0.0)
    with pytest.raises(TypeError, match="NoiseModel, not dict"):
        noise_tables({})
