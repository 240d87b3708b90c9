"""Tests for tomography.noise.from_rates, gate_names and combine."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit

from tomography.circuits import HAAR_LABEL
from tomography.noise import (
    ONE_QUBIT_GATES,
    P1_MAX,
    P2_MAX,
    TWO_QUBIT_GATES,
    circuit_gates,
    combine,
    depolarizing,
    from_rates,
    gate_names,
    noise_tables,
    readout,
)


def test_no_rates_is_noiseless():
    assert from_rates() == (None, "noiseless")


def test_one_part_is_that_model():
    model, text = from_rates(p2=0.01)
    assert text == "depolarizing p1=0 p2=0.01"
    tables, expected = noise_tables(model), noise_tables(depolarizing(0.0, 0.01))
    assert set(tables.default) == set(expected.default)
    assert tables.default["cx"] == expected.default["cx"]


def test_all_parts_combine_in_order():
    model, text = from_rates(
        p1=0.001, p2=0.01, damping=0.02, t1=100.0, t2=150.0, readout=(0.02, 0.05)
    )
    assert text == (
        "depolarizing p1=0.001 p2=0.01, amplitude damping 0.02, thermal T1=100 T2=150, "
        "readout P01=0.02 P10=0.05"
    )
    tables = noise_tables(model)
    assert set(ONE_QUBIT_GATES + TWO_QUBIT_GATES) <= set(tables.default)
    np.testing.assert_allclose(tables.readout_default.probabilities, [[0.98, 0.02], [0.05, 0.95]])


def test_gates_reach_the_models():
    model, _ = from_rates(p1=0.01, p2=0.02, one_qubit_gates=("sx",), two_qubit_gates=("cz",))
    assert set(noise_tables(model).default) == {"sx", "cz"}


def test_rates_are_validated():
    with pytest.raises(ValueError, match="both t1 and t2"):
        from_rates(t1=100.0)
    with pytest.raises(ValueError, match="p2 =="):
        from_rates(p2=P2_MAX + 0.1)
    with pytest.raises(ValueError, match="unphysical"):
        from_rates(t1=10.0, t2=30.0)
    with pytest.raises(TypeError, match="`p01` must be a real number"):
        from_rates(readout=("a", 0.1))
    assert P1_MAX == pytest.approx(4 / 3) and P2_MAX == pytest.approx(16 / 15)


def test_gate_names_defaults_and_circuit():
    assert gate_names() == (ONE_QUBIT_GATES, TWO_QUBIT_GATES)
    circuit = QuantumCircuit(3)
    circuit.h(0)
    circuit.sx(1)
    circuit.cz(0, 1)
    circuit.ccx(0, 1, 2)
    circuit.barrier()
    circuit.reset(2)
    assert gate_names(circuit=circuit) == (("h", "sx"), ("cz",))


def test_gate_names_split_chosen_names_by_arity():
    circuit = QuantumCircuit(2)
    circuit.unitary(np.eye(2), [0], label="mine")
    assert gate_names(["mine", "cx", "rx", HAAR_LABEL], circuit=circuit) == (
        ("mine", "rx"),
        ("cx", HAAR_LABEL),
    )
    with pytest.raises(TypeError, match="sequence of str"):
        gate_names("cx")
    with pytest.raises(TypeError, match="non-empty str"):
        gate_names(["cx", ""])
    with pytest.raises(TypeError, match="QuantumCircuit"):
        gate_names(circuit="not a circuit")


def test_combine_keeps_readout_and_gate_errors():
    model = combine(depolarizing(0.01, 0.02), readout(0.1, 0.1), readout(0.1, 0.1))
    tables = noise_tables(model)
    assert "cx" in tables.default
    np.testing.assert_allclose(tables.readout_default.probabilities, [[0.82, 0.18], [0.18, 0.82]])
    with pytest.raises(ValueError, match="at least one"):
        combine()


def test_circuit_gates_are_labels_or_names():
    circuit = QuantumCircuit(3)
    circuit.h(0)
    circuit.unitary(np.eye(4), [0, 1], label=HAAR_LABEL)
    circuit.ccx(0, 1, 2)
    circuit.barrier()
    circuit.measure_all()
    assert circuit_gates(circuit) == {"h": 1, HAAR_LABEL: 2, "ccx": 3}
    with pytest.raises(TypeError, match="QuantumCircuit"):
        circuit_gates("h q[0];")


def test_strict_gate_names_refuse_what_gets_no_noise():
    circuit = QuantumCircuit(3)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.ccx(0, 1, 2)
    assert gate_names(["h", "cx"], circuit=circuit, strict=True) == (("h",), ("cx",))
    with pytest.raises(ValueError, match=r"\['rzz'\].*\['cx', 'h'\]"):
        gate_names(["rzz"], circuit=circuit, strict=True)
    with pytest.raises(ValueError, match=r"\['ccx'\] act on more than two qubits"):
        gate_names(["ccx"], circuit=circuit, strict=True)
    with pytest.raises(ValueError, match=r"\['foo'\].*standard"):
        gate_names(["cx", "foo"], strict=True)
    assert gate_names(["foo"]) == ((), ("foo",))  # not strict: as before


def test_a_rate_that_reaches_no_gate_is_warned_and_left_out():
    circuit = QuantumCircuit(2)
    circuit.unitary(np.eye(4), [0, 1], label=HAAR_LABEL)
    with pytest.warns(UserWarning, match=r"p1=0.1 is not applied.*\['haar2q'\]"):
        model, text = from_rates(p1=0.1, p2=0.01, circuit=circuit)
    assert text == "depolarizing p1=0 p2=0.01"
    assert set(noise_tables(model).default) == {HAAR_LABEL}
    with pytest.warns(UserWarning, match="p1=0.1 is not applied: no one-qubit gate"):
        assert from_rates(p1=0.1, one_qubit_gates=()) == (None, "noiseless")
    empty = QuantumCircuit(2)
    with pytest.warns(UserWarning, match="damping=0.2 is not applied: no gate"):
        model, text = from_rates(damping=0.2, readout=(0.1, 0.1), circuit=empty)
    assert text == "readout P01=0.1 P10=0.1"


def test_rates_that_fire_are_described_as_before():
    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    model, text = from_rates(p1=0.01, p2=0.02, damping=0.1, circuit=circuit)
    assert text == "depolarizing p1=0.01 p2=0.02, amplitude damping 0.1"
    assert set(noise_tables(model).default) == {"h", "cx"}  # cut to the circuit's gates
