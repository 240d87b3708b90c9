"""Tests for tomography.pauli: conventions, PTMs in ttqst order, dense conversions."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from qiskit.circuit import Measure
from qiskit.circuit.library import CXGate, HGate, UnitaryGate
from qiskit.quantum_info import (
    Chi,
    DensityMatrix,
    Kraus,
    Operator,
    Pauli,
    SuperOp,
    random_density_matrix,
    random_unitary,
)
from qiskit_aer.noise import amplitude_damping_error, phase_damping_error

from tomography.pauli import (
    PAULI_MATRICES,
    dense_to_pauli,
    parse_pauli_string,
    pauli_to_dense,
    ptm,
    reverse_qubit_axes,
    reverse_qubit_label,
)


def _pauli_qiskit_matrix(indices: tuple[int, ...]) -> np.ndarray:
    """sigma_{p_0} on qubit 0, ... as a Qiskit-ordered matrix (qubit 0 = right-most factor)."""
    out = np.eye(1)
    for p in indices:
        out = np.kron(PAULI_MATRICES[p], out)
    return out


def _direct_ptm(kraus_ops: list[np.ndarray], k: int) -> np.ndarray:
    """R[p, q] = 2^-k tr(sigma_p E(sigma_q)), p = 4 p_a + p_b for operation qubits (a, b)."""
    paulis = [_pauli_qiskit_matrix(idx) for idx in itertools.product(range(4), repeat=k)]
    out = np.zeros((4**k, 4**k))
    for q, sq in enumerate(paulis):
        image = sum(K @ sq @ K.conj().T for K in kraus_ops)
        for p, sp in enumerate(paulis):
            out[p, q] = np.trace(sp @ image).real / 2**k
    return out


def test_pauli_matrices_are_i_x_y_z_and_read_only():
    assert PAULI_MATRICES.shape == (4, 2, 2)
    np.testing.assert_array_equal(PAULI_MATRICES[1], Pauli("X").to_matrix())
    np.testing.assert_array_equal(PAULI_MATRICES[2], Pauli("Y").to_matrix())
    np.testing.assert_array_equal(PAULI_MATRICES[3], Pauli("Z").to_matrix())
    with pytest.raises(ValueError):
        PAULI_MATRICES[0, 0, 0] = 2


@pytest.mark.parametrize("k", [1, 2])
def test_ptm_of_unitary_matches_direct_definition(k):
    unitary = random_unitary(2**k, seed=11 + k).data
    expected = _direct_ptm([unitary], k)
    for form in (unitary, Operator(unitary), UnitaryGate(unitary)):
        np.testing.assert_allclose(ptm(form, k), expected, atol=1e-12)


def test_ptm_of_cx_uses_first_operation_qubit_as_leading_digit():
    r = ptm(CXGate(), 2)  # control = operation qubit 0 = a
    x_on_control = 4 * 1 + 0
    assert r[:, x_on_control].nonzero()[0].tolist() == [4 * 1 + 1]  # X_a -> X_a X_b
    z_on_target = 4 * 0 + 3
    assert r[:, z_on_target].nonzero()[0].tolist() == [4 * 3 + 3]  # Z_b -> Z_a Z_b
    np.testing.assert_allclose(ptm(HGate(), 1)[[1, 3]][:, [3, 1]], np.eye(2), atol=1e-12)


def test_ptm_of_asymmetric_channel_in_every_form():
    error = amplitude_damping_error(0.3).tensor(phase_damping_error(0.2))  # AD on qubit 1
    kraus = Kraus(error.to_quantumchannel())
    expected = _direct_ptm(kraus.data, 2)
    for form in (error, kraus, SuperOp(kraus), Chi(kraus)):
        np.testing.assert_allclose(ptm(form, 2), expected, atol=1e-12)
    # amplitude damping acts on operation qubit 1 = b: Z_b picks up the I_b component
    gamma = 0.3
    assert ptm(error, 2)[4 * 0 + 3, 0] == pytest.approx(gamma)
    assert ptm(error, 2)[4 * 3 + 0, 0] == pytest.approx(0.0, abs=1e-12)


def test_ptm_errors():
    with pytest.raises(ValueError, match="acts on 1 qubits, expected n_qubits=2"):
        ptm(HGate(), 2)
    with pytest.raises(ValueError, match="not unitary"):
        ptm(np.diag([1.0, 0.5]), 1)
    with pytest.raises(ValueError, match="power of two"):
        ptm(np.eye(3), 1)
    with pytest.raises(TypeError, match="cannot make a PTM from str"):
        ptm("cx", 2)
    with pytest.raises(ValueError, match="no unitary matrix"):
        ptm(Measure(), 1)


def test_dense_to_pauli_matches_qiskit_expectations_in_ttqst_order():
    rho = random_density_matrix(8, seed=3)
    x = dense_to_pauli(rho.data)
    assert x.shape == (4, 4, 4) and x.dtype == np.float64
    for idx in itertools.product(range(4), repeat=3):
        label = reverse_qubit_label("".join("IXYZ"[p] for p in idx))
        assert x[idx] == pytest.approx(rho.expectation_value(Pauli(label)).real, abs=1e-12)
    assert x[0, 0, 0] == pytest.approx(1.0)


def test_dense_to_pauli_qubit_zero_is_first_axis():
    state = DensityMatrix.from_label("001")  # Qiskit: qubit 0 in |1>
    x = dense_to_pauli(state)
    assert x[3, 0, 0] == pytest.approx(-1.0)
    assert x[0, 3, 0] == pytest.approx(1.0)
    assert x[0, 0, 3] == pytest.approx(1.0)


@pytest.mark.parametrize("n", [1, 2, 5])
def test_pauli_to_dense_inverts_dense_to_pauli(n):
    rho = random_density_matrix(2**n, seed=n).data
    np.testing.assert_allclose(pauli_to_dense(dense_to_pauli(rho)), rho, atol=1e-13)


def test_dense_conversion_errors():
    with pytest.raises(ValueError, match="square"):
        dense_to_pauli(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="power of two"):
        dense_to_pauli(np.zeros((6, 6)))
    with pytest.raises(ValueError, match="at most 12"):
        dense_to_pauli(np.broadcast_to(np.zeros(1, dtype=complex), (2**13, 2**13)))
    with pytest.raises(ValueError, match="at most 12"):
        pauli_to_dense(np.broadcast_to(np.zeros(1), (4,) * 13))
    with pytest.raises(ValueError, match=r"expected \(4,\) \* n"):
        pauli_to_dense(np.zeros(16))


def test_parse_pauli_string_character_k_is_qubit_k():
    np.testing.assert_array_equal(parse_pauli_string("IXYZ", 4), [0, 1, 2, 3])
    assert parse_pauli_string("ZII", 3)[0] == 3


def test_parse_pauli_string_errors():
    with pytest.raises(ValueError, match="has 3 letters, expected n_qubits=4"):
        parse_pauli_string("IXY", 4)
    with pytest.raises(ValueError, match="'x' at position 1"):
        parse_pauli_string("IxY", 3)
    with pytest.raises(ValueError, match="'A' at position 0"):
        parse_pauli_string("AZ", 2)
    with pytest.raises(TypeError, match="must be a str"):
        parse_pauli_string(["I", "X"], 2)


def test_reverse_qubit_helpers():
    assert reverse_qubit_label("ZXI") == "IXZ"
    t = np.arange(16).reshape(2, 2, 2, 2)
    np.testing.assert_array_equal(reverse_qubit_axes(t, 2), t.transpose(1, 0, 3, 2))
    np.testing.assert_array_equal(reverse_qubit_axes(reverse_qubit_axes(t, 2), 2), t)
    with pytest.raises(ValueError, match="multiple of n_qubits=3"):
        reverse_qubit_axes(t, 3)
