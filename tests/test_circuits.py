"""Tests for tomography.circuits: structure, semantics, seeding and validation."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit.quantum_info import Operator, SparsePauliOp, Statevector
from scipy.linalg import expm

from tomography.circuits import HAAR_LABEL, brickwork, ghz_line, ising_trotter


def _two_qubit_layers(circuit):
    return [
        tuple(circuit.find_bit(q).index for q in item.qubits)
        for item in circuit.data
        if item.operation.num_qubits == 2
    ]


@pytest.mark.parametrize("n, depth", [(2, 3), (5, 4), (6, 1)])
def test_brickwork_haar_structure(n, depth):
    circuit = brickwork(n, depth, gates="haar", seed=1)
    expected = [(i, i + 1) for t in range(depth) for i in range(t % 2, n - 1, 2)]
    assert _two_qubit_layers(circuit) == expected
    assert circuit.num_clbits == 0
    for item in circuit.data:
        assert item.operation.name == "unitary" and item.operation.label == HAAR_LABEL
        u = item.operation.to_matrix()
        np.testing.assert_allclose(u.conj().T @ u, np.eye(4), atol=1e-12)


def test_brickwork_cx_structure():
    circuit = brickwork(5, 3, gates="cx", seed=2)
    assert dict(circuit.count_ops()) == {"u": 15, "cx": 2 + 2 + 2}
    assert _two_qubit_layers(circuit) == [(0, 1), (2, 3), (1, 2), (3, 4), (0, 1), (2, 3)]


@pytest.mark.parametrize("gates", ["haar", "cx"])
def test_brickwork_seeding(gates):
    a = Operator(brickwork(4, 3, gates=gates, seed=7))
    b = Operator(brickwork(4, 3, gates=gates, seed=np.random.default_rng(7)))
    c = Operator(brickwork(4, 3, gates=gates, seed=8))
    assert a.equiv(b)
    assert not a.equiv(c)


def test_brickwork_depth_zero_is_empty():
    assert len(brickwork(3, 0, seed=0).data) == 0


def test_haar_gates_look_haar():
    # E|U_00|^2 = 1/4 and E|U_00|^4 = 2 / (d (d + 1)) = 1/10 for Haar on U(4)
    circuit = brickwork(2, 2000, gates="haar", seed=5)
    u00 = np.array([abs(item.operation.to_matrix()[0, 0]) ** 2 for item in circuit.data])
    assert u00.mean() == pytest.approx(0.25, abs=0.02)
    assert (u00**2).mean() == pytest.approx(0.1, abs=0.015)


@pytest.mark.parametrize("n", [1, 2, 5])
def test_ghz_line_makes_ghz(n):
    circuit = ghz_line(n)
    expected = np.zeros(2**n, dtype=complex)
    expected[[0, -1]] = 2**-0.5
    np.testing.assert_allclose(Statevector(circuit).data, expected, atol=1e-12)
    assert all(b - a == 1 for a, b in _two_qubit_layers(circuit))


def _chain(n, letter_pairs):
    terms = []
    for sites in letter_pairs:
        label = ["I"] * n
        for site, letter in sites:
            label[n - 1 - site] = letter  # Qiskit labels: qubit 0 right-most
        terms.append("".join(label))
    return SparsePauliOp(terms).to_matrix()


def test_ising_trotter_matches_exponentials():
    n, steps, dt, coupling, field = 4, 3, 0.17, 0.8, 1.3
    zz = _chain(n, [((i, "Z"), (i + 1, "Z")) for i in range(n - 1)])
    x = _chain(n, [((i, "X"),) for i in range(n)])
    step = expm(-1j * dt * field * x) @ expm(-1j * dt * coupling * zz)
    expected = np.linalg.matrix_power(step, steps)
    circuit = ising_trotter(n, steps, dt=dt, coupling=coupling, field=field)
    assert Operator(circuit).equiv(Operator(expected))
    assert set(circuit.count_ops()) == {"rzz", "rx"}


def test_circuit_argument_errors():
    with pytest.raises(ValueError, match="n_qubits == 1`, must be >= 2"):
        brickwork(1, 2)
    with pytest.raises(ValueError, match="depth == -1`, must be >= 0"):
        brickwork(3, -1)
    with pytest.raises(ValueError, match=r"gates == 'cz', expected one of \['haar', 'cx'\]"):
        brickwork(3, 1, gates="cz")
    with pytest.raises(TypeError, match="n_qubits` must be an int, not float"):
        brickwork(3.0, 1)
    with pytest.raises(TypeError, match="must be an int, not bool"):
        ghz_line(True)
    with pytest.raises(ValueError, match="n_qubits == 0"):
        ghz_line(0)
    with pytest.raises(ValueError, match="dt == nan`, must be finite"):
        ising_trotter(3, 2, dt=float("nan"))
    with pytest.raises(TypeError, match="coupling` must be a real number"):
        ising_trotter(3, 2, dt=0.1, coupling="1")
    with pytest.raises(TypeError):
        ising_trotter(3, 2, 0.1)  # dt is keyword-only


def test_transpiling_for_a_noisy_aer_keeps_the_haar_gates():
    """Noise on labelled Haar gates needs 'unitary' in the basis: else transpile splits them
    into rzz and u gates, each with its own error, and the state is noisier than simulated."""
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    from tomography.circuits import HAAR_LABEL, brickwork
    from tomography.noise import depolarizing

    circuit = brickwork(4, 2, seed=0)
    model = depolarizing(0.001, 0.01)
    assert "unitary" in model.basis_gates
    compiled = transpile(circuit, AerSimulator(noise_model=model), seed_transpiler=0)
    labels = [i.operation.label for i in compiled.data if i.operation.num_qubits == 2]
    assert labels and all(label == HAAR_LABEL for label in labels)
