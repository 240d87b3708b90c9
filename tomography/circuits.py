"""Circuit families on a line of qubits: brickwork, GHZ, transverse-field Ising quench.

Every function returns a ``qiskit.QuantumCircuit`` with no classical bits and no
measurements; two-qubit gates act only on neighbours ``(i, i + 1)`` of the line. Instruction
names emitted (the names noise models in :mod:`tomography.noise` attach to by default):

- :func:`brickwork` ``gates="haar"``: ``unitary`` gates labelled ``"haar2q"`` (Aer matches
  noise on them by the label ``"haar2q"``, not by ``"unitary"``);
- :func:`brickwork` ``gates="cx"``: ``u`` and ``cx``;
- :func:`ghz_line`: ``h`` and ``cx``;
- :func:`ising_trotter`: ``rzz`` and ``rx``.
"""

from __future__ import annotations

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit.library import UnitaryGate

from ttcross.validation import check_int as _check_int
from ttcross.validation import check_real as _check_real

__all__ = ["HAAR_LABEL", "brickwork", "ghz_line", "ising_trotter"]

HAAR_LABEL = "haar2q"
"""Label of the Haar-random two-qubit ``UnitaryGate``s made by :func:`brickwork`."""

_BRICKWORK_GATES = ("haar", "cx")


def _haar_unitary(dim: int, rng: np.random.Generator) -> np.ndarray:
    """Haar-random unitary (Mezzadri, arXiv:math-ph/0609050): QR of a Ginibre matrix."""
    ginibre = rng.standard_normal((dim, dim)) + 1j * rng.standard_normal((dim, dim))
    q, r = np.linalg.qr(ginibre)
    phases = np.diagonal(r) / np.abs(np.diagonal(r))
    return q * phases


def _bonds(n_qubits: int, layer: int) -> range:
    """Left ends i of the bonds (i, i + 1) used in ``layer``: even bonds, then odd."""
    return range(layer % 2, n_qubits - 1, 2)


def brickwork(
    n_qubits: int,
    depth: int,
    *,
    gates: str = "haar",
    seed: int | np.random.Generator | None = None,
) -> QuantumCircuit:
    """Brickwork circuit of nearest-neighbour two-qubit gates on a line, from ``|0...0>``.

    Layer ``t = 0, ..., depth - 1`` acts on bonds ``(i, i + 1)`` with ``i = t mod 2, t mod 2
    + 2, ...`` (even bonds, odd bonds, alternating).

    Parameters
    ----------
    n_qubits : int
        Number of qubits, >= 2.
    depth : int
        Number of two-qubit layers, >= 0.
    gates : {"haar", "cx"}, default="haar"
        - ``"haar"``: each bond gets an independent Haar-random 4x4 unitary, a
          ``UnitaryGate`` with label ``"haar2q"`` (instruction name ``unitary``).
        - ``"cx"``: each layer is a Haar-random single-qubit ``u`` gate on every qubit, then
          ``cx`` (control ``i``, target ``i + 1``) on the layer's bonds.
    seed : int or numpy.random.Generator or None, default=None
        Randomness, through ``np.random.default_rng(seed)``.

    Returns
    -------
    qiskit.QuantumCircuit
        ``n_qubits`` qubits, no classical bits.
    """
    n_qubits = _check_int(n_qubits, "n_qubits", 2)
    depth = _check_int(depth, "depth", 0)
    if gates not in _BRICKWORK_GATES:
        raise ValueError(f"gates == {gates!r}, expected one of {list(_BRICKWORK_GATES)}")
    rng = np.random.default_rng(seed)
    circuit = QuantumCircuit(n_qubits, name=f"brickwork_{gates}")
    for layer in range(depth):
        if gates == "cx":
            _random_u_layer(circuit, rng)
        for i in _bonds(n_qubits, layer):
            if gates == "haar":
                gate = UnitaryGate(_haar_unitary(4, rng), label=HAAR_LABEL)
                circuit.append(gate, [i, i + 1])
            else:
                circuit.cx(i, i + 1)
    return circuit


def _random_u_layer(circuit: QuantumCircuit, rng: np.random.Generator) -> None:
    """Haar-random ``u(theta, phi, lam)`` on every qubit (density of theta ~ sin theta)."""
    for qubit in range(circuit.num_qubits):
        theta = float(np.arccos(1.0 - 2.0 * rng.random()))
        phi, lam = (float(a) for a in rng.uniform(0.0, 2.0 * np.pi, size=2))
        circuit.u(theta, phi, lam, qubit)


def ghz_line(n_qubits: int) -> QuantumCircuit:
    """GHZ state ``(|0...0> + |1...1>) / sqrt(2)`` by ``h`` then a line of ``cx``.

    Parameters
    ----------
    n_qubits : int
        Number of qubits, >= 1.

    Returns
    -------
    qiskit.QuantumCircuit
        ``h(0)``, then ``cx(i, i + 1)`` for ``i = 0, ..., n - 2``.
    """
    n_qubits = _check_int(n_qubits, "n_qubits", 1)
    circuit = QuantumCircuit(n_qubits, name="ghz_line")
    circuit.h(0)
    for i in range(n_qubits - 1):
        circuit.cx(i, i + 1)
    return circuit


def ising_trotter(
    n_qubits: int,
    steps: int,
    *,
    dt: float,
    coupling: float = 1.0,
    field: float = 1.0,
) -> QuantumCircuit:
    """Transverse-field Ising quench from ``|0...0>``, first-order Trotter.

    ``H = coupling sum_i Z_i Z_{i+1} + field sum_i X_i`` (open chain); each step applies
    ``exp(-i dt coupling Z_i Z_{i+1})`` on every bond (``rzz(2 dt coupling)``, even bonds then
    odd bonds) and then ``exp(-i dt field X_i)`` on every qubit (``rx(2 dt field)``).

    Parameters
    ----------
    n_qubits : int
        Number of qubits, >= 2.
    steps : int
        Number of Trotter steps, >= 0 (total time ``steps * dt``).
    dt : float
        Trotter step.
    coupling : float, default=1.0
        ZZ coupling J.
    field : float, default=1.0
        Transverse field h.

    Returns
    -------
    qiskit.QuantumCircuit
    """
    n_qubits = _check_int(n_qubits, "n_qubits", 2)
    steps = _check_int(steps, "steps", 0)
    dt = _check_real(dt, "dt")
    coupling = _check_real(coupling, "coupling")
    field = _check_real(field, "field")
    circuit = QuantumCircuit(n_qubits, name="ising_trotter")
    for _ in range(steps):
        for parity in (0, 1):
            for i in _bonds(n_qubits, parity):
                circuit.rzz(2.0 * dt * coupling, i, i + 1)
        for qubit in range(n_qubits):
            circuit.rx(2.0 * dt * field, qubit)
    return circuit


# ---------------------------------------------------------------------- families by name
BRICKWORK_GATES = _BRICKWORK_GATES
"""Values of ``gates`` that :func:`brickwork` accepts."""

CIRCUIT_FAMILIES: dict[str, str] = {
    "brickwork": "Haar (or cx) brickwork",
    "ghz": "GHZ line",
    "ising": "Ising Trotter quench",
}
"""The families :func:`build` makes, by name, with a few words on each."""


def build(
    family: str,
    n_qubits: int,
    depth: int = 2,
    *,
    gates: str = "haar",
    seed: int | np.random.Generator | None = None,
    dt: float = 0.25,
    coupling: float = 1.0,
    field: float = 1.0,
) -> tuple[QuantumCircuit, str]:
    """A circuit family by name, with a one-line description of what was built.

    Parameters
    ----------
    family : {"brickwork", "ghz", "ising"}
        A key of :data:`CIRCUIT_FAMILIES`: :func:`brickwork`, :func:`ghz_line` or
        :func:`ising_trotter`.
    n_qubits : int
        Number of qubits, >= 2.
    depth : int, default=2
        Brickwork layers, or Ising Trotter steps; ignored by ``"ghz"``.
    gates : {"haar", "cx"}, default="haar"
        Brickwork gates (see :func:`brickwork`); ignored by the other families.
    seed : int or numpy.random.Generator or None, default=None
        Randomness of the brickwork gates; ignored by the other families.
    dt : float, default=0.25
        Ising Trotter step.
    coupling : float, default=1.0
        Ising ZZ coupling J.
    field : float, default=1.0
        Ising transverse field h.

    Returns
    -------
    circuit : qiskit.QuantumCircuit
    description : str
        E.g. ``"haar brickwork depth 2, seed 0"``.

    Raises
    ------
    ValueError
        Unknown ``family``, or a parameter its builder rejects.
    TypeError
        A parameter of the wrong type.
    """
    if family not in CIRCUIT_FAMILIES:
        raise ValueError(f"family == {family!r}, expected one of {list(CIRCUIT_FAMILIES)}")
    n_qubits = _check_int(n_qubits, "n_qubits", 2)
    if family == "ghz":
        return ghz_line(n_qubits), "GHZ line"
    if family == "brickwork":
        circuit = brickwork(n_qubits, depth, gates=gates, seed=seed)
        return circuit, f"{gates} brickwork depth {depth}, seed {seed}"
    circuit = ising_trotter(n_qubits, depth, dt=dt, coupling=coupling, field=field)
    text = f"Ising quench, {depth} steps of dt {dt:g} (J {coupling:g}, h {field:g})"
    return circuit, text


__all__ += ["BRICKWORK_GATES", "CIRCUIT_FAMILIES", "build"]
