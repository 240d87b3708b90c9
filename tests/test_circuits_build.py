"""Tests for tomography.circuits.build: the families by name."""

from __future__ import annotations

import pytest
from qiskit.quantum_info import Operator

from tomography.circuits import (
    BRICKWORK_GATES,
    CIRCUIT_FAMILIES,
    brickwork,
    build,
    ghz_line,
    ising_trotter,
)


def test_families_are_listed_with_words():
    assert tuple(CIRCUIT_FAMILIES) == ("brickwork", "ghz", "ising")
    assert all(isinstance(text, str) and text for text in CIRCUIT_FAMILIES.values())
    assert BRICKWORK_GATES == ("haar", "cx")


@pytest.mark.parametrize("gates", BRICKWORK_GATES)
def test_build_brickwork_is_brickwork(gates):
    circuit, text = build("brickwork", 5, 3, gates=gates, seed=4)
    assert Operator(circuit).equiv(Operator(brickwork(5, 3, gates=gates, seed=4)))
    assert text == f"{gates} brickwork depth 3, seed 4"


def test_build_ghz_ignores_depth():
    circuit, text = build("ghz", 4, 7)
    assert Operator(circuit).equiv(Operator(ghz_line(4)))
    assert text == "GHZ line"


def test_build_ising_passes_its_parameters():
    circuit, text = build("ising", 4, 2, dt=0.1, coupling=0.5, field=2.0)
    expected = ising_trotter(4, 2, dt=0.1, coupling=0.5, field=2.0)
    assert Operator(circuit).equiv(Operator(expected))
    assert text == "Ising quench, 2 steps of dt 0.1 (J 0.5, h 2)"


def test_build_rejects_unknown_family_and_bad_sizes():
    with pytest.raises(ValueError, match="family == 'mps'.*brickwork"):
        build("mps", 4)
    with pytest.raises(ValueError, match="n_qubits == 1"):
        build("ghz", 1)
    with pytest.raises(TypeError, match="`n_qubits` must be an int"):
        build("ising", 4.0)
    with pytest.raises(ValueError, match="depth == -1"):
        build("brickwork", 4, -1)
