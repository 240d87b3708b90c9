"""Bridge from a noisy Qiskit circuit to a list of local PTM operations, and Aer ground truth.

:func:`circuit_to_ops` turns ``(circuit, noise_model)`` into the sequence of one- and
two-qubit Pauli transfer matrices that Aer's density-matrix simulator applies, for the MPO
simulator to consume; :func:`simulate_dense` runs Aer itself (n <= 12) for reference.

Aer's noise rules, mirrored here (qiskit-aer 0.18, ``aer_compiler._assemble_op`` and
``src/noise/noise_model.hpp``):

- A gate (standard gate, ``unitary``, ``pauli``) is looked up by its **label** when it has
  one, by its name otherwise. This holds for standard gates too: ``cx`` with label
  ``"mycx"`` gets the errors of ``"mycx"``, not those of ``"cx"``.
- A qubit-specific error for the gate's qubits, **in instruction order**, replaces (does not
  compose with) the all-qubit error; ``(1, 0)`` does not match an error added on ``(0, 1)``.
- The error acts after the gate: total PTM = noise PTM @ gate PTM. No idle noise is added.
- ``kraus``/``superop`` instructions get no extra noise; an Aer ``QuantumError`` appended to
  the circuit (``quantum_channel``) is applied as itself.
- Errors on ``measure`` act after the projection and so never change the recorded outcome;
  readout errors are classical and returned apart by :func:`assignment_matrices`.

Conventions: see :mod:`tomography.pauli` (Pauli 0..3 = I, X, Y, Z; qubit 0 first).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from qiskit import QuantumCircuit, transpile
from qiskit.circuit import ControlFlowOp, Gate, Instruction
from qiskit.quantum_info import SuperOp
from qiskit_aer import AerSimulator
from qiskit_aer.library import SaveDensityMatrix
from qiskit_aer.noise import NoiseModel, QuantumError

from tomography.noise import NoiseTables, noise_tables
from tomography.pauli import CHANNEL_INSTRUCTIONS, MAX_DENSE_QUBITS, ptm
from ttcross.validation import check_int

__all__ = [
    "AER_NATIVE_GATES",
    "Operation",
    "circuit_to_ops",
    "prepare_circuit",
    "assignment_matrices",
    "simulate_dense",
]

AER_NATIVE_GATES = frozenset(
    {
        "cp", "cu1", "cx", "cy", "cz", "ecr", "h", "id", "p", "pauli", "r", "rx", "rxx",
        "ry", "ryy", "rz", "rzx", "rzz", "s", "sdg", "swap", "sx", "sxdg", "t", "tdg", "u",
        "u1", "u2", "u3", "unitary", "x", "y", "z",
    }
)  # fmt: skip
"""One- and two-qubit gates that Aer's density-matrix method runs as they are; they are
kept unchanged (name and label) by :func:`prepare_circuit`. Other gates are decomposed."""

_DEFAULT_BASIS = ("cx", "id", "rz", "sx")  # NoiseModel()'s default basis
_AER_PROBABILITY_CUTOFF = 1e-10  # Aer QuantumError::threshold_: terms with p <= it are dropped
_NO_NOISE_KEYS = frozenset({"measure", "reset"})


@dataclass(frozen=True, eq=False)
class Operation:
    """One local step of a noisy circuit in Pauli-transfer-matrix form.

    Attributes
    ----------
    qubits : tuple of int
        ``(i,)`` or ``(i, i + 1)``: ascending neighbours.
    ptm : ndarray, shape (4, 4) or (16, 16), float64, read-only
        Noise PTM @ gate PTM, ttqst index order (``p = 4 p_i + p_{i+1}``).
    name : str
        The key Aer used for the noise lookup: the gate's label if it has one, else its name.
    """

    qubits: tuple[int, ...]
    ptm: np.ndarray
    name: str

    def __post_init__(self) -> None:
        qubits = tuple(int(q) for q in self.qubits)
        if len(qubits) not in (1, 2) or (len(qubits) == 2 and qubits[1] != qubits[0] + 1):
            raise ValueError(f"qubits == {self.qubits}, expected (i,) or (i, i + 1)")
        dim = 4 ** len(qubits)
        matrix = np.array(self.ptm, dtype=np.float64)
        if matrix.shape != (dim, dim):
            raise ValueError(f"ptm has shape {matrix.shape}, expected {(dim, dim)}")
        matrix.setflags(write=False)
        object.__setattr__(self, "qubits", qubits)
        object.__setattr__(self, "ptm", matrix)


def _check_inputs(circuit: object, noise_model: object) -> None:
    if not isinstance(circuit, QuantumCircuit):
        raise TypeError(f"circuit must be a qiskit.QuantumCircuit, not {type(circuit).__name__}")
    if noise_model is not None and not isinstance(noise_model, NoiseModel):
        raise TypeError(
            f"noise_model must be a qiskit_aer.noise.NoiseModel or None, not "
            f"{type(noise_model).__name__}"
        )
    if circuit.num_qubits == 0:
        raise ValueError(
            "circuit has no qubits: ttqst needs n >= 1 (a circuit with qubits and no gates "
            "is fine: it prepares |0...0>)"
        )
    if circuit.parameters:
        names = sorted(p.name for p in circuit.parameters)
        raise ValueError(
            f"circuit has unbound parameters {names}; bind them with circuit.assign_parameters"
        )


def _last_gate_index(circuit: QuantumCircuit) -> dict[int, int]:
    """Index of the last instruction other than measure/barrier on each qubit."""
    last: dict[int, int] = {}
    for index, item in enumerate(circuit.data):
        if item.operation.name not in ("measure", "barrier"):
            for qubit in item.qubits:
                last[circuit.find_bit(qubit).index] = index
    return last


def _check_neighbours(
    name: str, qubits: tuple[int, ...], index: int, source: tuple[str, tuple[int, ...]]
) -> None:
    """Two-qubit gates act on neighbours; the message names the instruction as written.

    ``source`` is the written instruction's name and qubits; when ``name`` came from its
    decomposition (a three-qubit gate into ``cx``), both are named.
    """
    if len(qubits) == 2 and abs(qubits[0] - qubits[1]) != 1:
        written, on = source
        head = f"instruction {index} {written!r} on qubits {on}"
        if (name, qubits) != source:
            head += f" decomposes into {name!r} on qubits {qubits}"
        raise ValueError(
            f"{head}: not neighbours on the line; a two-qubit gate needs qubits (i, i + 1) or "
            "(i + 1, i); route the circuit first (e.g. with SWAPs)"
        )


def _check_params(op: Instruction, qubits: tuple[int, ...], index: int) -> None:
    """Numeric gate parameters (angles, matrices) must be finite."""
    for k, param in enumerate(op.params):
        try:
            values = np.asarray(param, dtype=np.complex128)
        except (TypeError, ValueError):
            continue  # parameter expressions are caught as unbound parameters
        if not np.all(np.isfinite(values)):
            raise _reject(
                op.name, qubits, index, f"parameter {k} is {param!r:.40}, expected a finite number"
            )


def _reject(name: str, qubits: tuple[int, ...], index: int, why: str) -> ValueError:
    return ValueError(f"instruction {index} {name!r} on qubits {qubits}: {why}")


def prepare_circuit(
    circuit: QuantumCircuit, noise_model: NoiseModel | None = None
) -> QuantumCircuit:
    """Bring a circuit to the form the simulators take: 1-2 qubit gates on neighbours.

    Kept unchanged (same name and label, so noise lookups are unchanged): gates in
    :data:`AER_NATIVE_GATES` on one or two qubits, and ``kraus``/``superop``/``quantum_channel``
    channels on one or two qubits. Other unitary gates (three-qubit gates, open controls,
    library gates) are transpiled alone into the noise model's basis gates (``cx, id, rz, sx``
    without a model). Barriers and final measurements are dropped; classical bits too.

    Parameters
    ----------
    circuit : qiskit.QuantumCircuit
        Qubit ``k`` of the line is ``circuit.qubits[k]``.
    noise_model : qiskit_aer.noise.NoiseModel or None, default=None
        Gives the basis for decompositions.

    Returns
    -------
    qiskit.QuantumCircuit
        Same number of qubits, no clbits, no measurements.

    Raises
    ------
    ValueError
        Naming the instruction and qubits, for: a two-qubit gate between non-neighbours (also
        after decomposition), classical control flow, a mid-circuit measurement, a reset, a
        delay, unbound parameters, or a non-unitary instruction that is not a channel.
    TypeError
        For wrong argument types.
    """
    _check_inputs(circuit, noise_model)
    last_gate = _last_gate_index(circuit)
    basis = _decomposition_basis(noise_model)
    out = QuantumCircuit(circuit.num_qubits, name=circuit.name, global_phase=circuit.global_phase)
    for index, item in enumerate(circuit.data):
        op = item.operation
        qubits = tuple(circuit.find_bit(q).index for q in item.qubits)
        if op.name == "barrier":
            continue
        if op.name == "measure":
            if any(last_gate.get(q, -1) > index for q in qubits):
                why = "mid-circuit measurement is not supported; only final ones (dropped)"
                raise _reject(op.name, qubits, index, why)
            continue
        _check_supported(op, qubits, index, bool(item.clbits))
        _check_params(op, qubits, index)
        for sub_op, sub_qubits in _expand(op, qubits, basis, index):
            _check_neighbours(sub_op.name, sub_qubits, index, (op.name, qubits))
            out.append(sub_op, [out.qubits[q] for q in sub_qubits])
    return out


def _check_supported(
    op: Instruction, qubits: tuple[int, ...], index: int, has_clbits: bool
) -> None:
    if isinstance(op, ControlFlowOp) or has_clbits:
        why = "classical control / classical bits are not supported; remove them"
    elif op.name == "reset":
        why = "reset is not supported (the state starts in |0...0>); remove it"
    elif op.name == "delay":
        why = "delay is not supported (Aer adds relaxation noise to delays in a private pass)"
    else:
        return
    raise _reject(op.name, qubits, index, why)


def _expand(
    op: Instruction, qubits: tuple[int, ...], basis: tuple[str, ...], index: int
) -> list[tuple[Instruction, tuple[int, ...]]]:
    """Keep ``op`` if the simulators take it as is, else decompose it into ``basis``."""
    if len(qubits) <= 2 and (op.name in AER_NATIVE_GATES or op.name in CHANNEL_INSTRUCTIONS):
        return [(op, qubits)]
    if not isinstance(op, Gate):
        why = f"non-unitary and not one of {sorted(CHANNEL_INSTRUCTIONS)}; remove it"
        raise _reject(op.name, qubits, index, why)
    small = QuantumCircuit(len(qubits))
    small.append(op, small.qubits)
    try:
        done = transpile(small, basis_gates=list(basis), optimization_level=0)
    except Exception as exc:  # qiskit raises TranspilerError, QiskitError, CircuitError
        raise _reject(
            op.name, qubits, index, f"cannot decompose into basis {list(basis)}: {exc}"
        ) from exc
    return [
        (sub.operation, tuple(qubits[done.find_bit(q).index] for q in sub.qubits))
        for sub in done.data
    ]


def _decomposition_basis(noise_model: NoiseModel | None) -> tuple[str, ...]:
    if noise_model is None:
        return _DEFAULT_BASIS
    basis = tuple(g for g in noise_model.basis_gates if g in AER_NATIVE_GATES - {"unitary"})
    return basis or _DEFAULT_BASIS


def _noise_key(op: Instruction) -> str:
    """The name Aer looks noise up by: the label of a gate if set, else the name."""
    if op.name in CHANNEL_INSTRUCTIONS:
        return op.name
    return op.label or op.name


def _lookup_error(
    tables: NoiseTables | None, key: str, qubits: tuple[int, ...]
) -> QuantumError | None:
    """Aer's rule: qubit-specific error (instruction order) if any, else all-qubit error."""
    if tables is None:
        return None
    local = tables.local.get(key, {})
    error = local.get(qubits, tables.default.get(key))
    if error is not None and error.num_qubits != len(qubits):
        raise ValueError(
            f"noise on {key!r} is a {error.num_qubits}-qubit error but the gate acts on qubits "
            f"{qubits}; attach errors with as many qubits as the gate"
        )
    return error


def _aer_error_ptm(error: QuantumError) -> np.ndarray:
    """PTM of a QuantumError as Aer applies it: sum_j p_j PTM(circuit_j) over p_j > 1e-10.

    Aer (``QuantumError::set_circuits``) silently drops terms with probability <= 1e-10
    without renormalising; device models have such terms (1e-9 total per gate).
    """
    terms = [
        (p, circ)
        for p, circ in zip(error.probabilities, error.circuits, strict=True)
        if p > _AER_PROBABILITY_CUTOFF
    ]
    return sum(p * ptm(SuperOp(circ), error.num_qubits) for p, circ in terms)


def _swap_two_qubit(matrix: np.ndarray) -> np.ndarray:
    """PTM on (b, a) from the PTM on (a, b): swap both multi-index digits."""
    return matrix.reshape(4, 4, 4, 4).transpose(1, 0, 3, 2).reshape(16, 16)


def circuit_to_ops(
    circuit: QuantumCircuit, noise_model: NoiseModel | None = None
) -> list[Operation]:
    """The noisy circuit as a list of local PTMs, exactly as Aer's density-matrix method runs it.

    The circuit first goes through :func:`prepare_circuit`. For each instruction, the error
    is looked up by Aer's rules (see the module docstring) and the operation's PTM is
    ``ptm(error) @ ptm(gate)`` on the gate's qubits in instruction order; a two-qubit
    operation on ``(i + 1, i)`` is then re-expressed on ``(i, i + 1)``. Applying the PTMs in
    order to the Pauli vector of ``|0...0>`` gives ``dense_to_pauli(simulate_dense(...))``.

    Parameters
    ----------
    circuit : qiskit.QuantumCircuit
    noise_model : qiskit_aer.noise.NoiseModel or None, default=None
        Readout errors are ignored here (see :func:`assignment_matrices`).

    Returns
    -------
    list of Operation

    Raises
    ------
    ValueError
        As :func:`prepare_circuit`; or an error whose qubit count differs from its gate's.

    Warns
    -----
    UserWarning
        When noise on some instruction name never fires while gates of the same size get no
        noise (typically a name/label mismatch, e.g. errors on ``"unitary"`` while the gates
        are labelled ``"haar2q"``), or when a gate gets no noise because the model has
        qubit-specific errors for it only on other qubits (or the other qubit order). Gates
        named in the model's ``basis_gates`` without errors (e.g. virtual ``rz`` in device
        models) are taken as noiseless on purpose.
    """
    prepared = prepare_circuit(circuit, noise_model)
    tables = None if noise_model is None else noise_tables(noise_model)
    cache: dict[int, np.ndarray] = {}
    ops, noiseless = [], []
    for item in prepared.data:
        op = item.operation
        qubits = tuple(prepared.find_bit(q).index for q in item.qubits)
        key = _noise_key(op)
        matrix = ptm(op, len(qubits))
        error = None if op.name in CHANNEL_INSTRUCTIONS else _lookup_error(tables, key, qubits)
        if error is not None:
            if id(error) not in cache:
                cache[id(error)] = _aer_error_ptm(error)
            matrix = cache[id(error)] @ matrix
        elif op.name not in CHANNEL_INSTRUCTIONS:
            noiseless.append((key, qubits))
        if len(qubits) == 2 and qubits[0] > qubits[1]:
            matrix, qubits = _swap_two_qubit(matrix), qubits[::-1]
        ops.append(Operation(qubits=qubits, ptm=matrix, name=key))
    if tables is not None:
        _warn_unfired(tables, set(noise_model.basis_gates), {o.name for o in ops}, noiseless)
    return ops


def _warn_unfired(
    tables: NoiseTables,
    basis: set[str],
    used: set[str],
    noiseless: list[tuple[str, tuple[int, ...]]],
) -> None:
    """Warn about noise that never fires where it looks like it was meant to fire.

    Gates named in the model's basis (e.g. virtual ``rz`` of device models) are noiseless on
    purpose and never count as victims.
    """
    arity = {k: e.num_qubits for k, e in tables.default.items()}
    for key, by_qubits in tables.local.items():
        arity.setdefault(key, next(iter(by_qubits.values())).num_qubits)
    unused = {k: a for k, a in arity.items() if k not in used and k not in _NO_NOISE_KEYS}
    bare = {(k, len(q)) for k, q in noiseless if k not in basis}
    suspects = sorted(k for k, a in unused.items() if (a in {n for _, n in bare}))
    if suspects:
        sizes = {unused[k] for k in suspects}
        victims = sorted({k for k, n in bare if n in sizes})
        warnings.warn(
            f"noise on {suspects} never fires: the circuit has no such instruction, while its "
            f"gates {victims} get no noise; check names and labels (Aer matches a gate by its "
            "label when it has one)",
            UserWarning,
            stacklevel=3,
        )
    misses = sorted({(k, q) for k, q in noiseless if k in tables.local and k not in tables.default})
    if misses:
        warnings.warn(
            f"gates {misses} (name, qubits) get no noise: the model has qubit-specific errors "
            "for these names only on other qubits; Aer matches qubits in instruction order",
            UserWarning,
            stacklevel=3,
        )


def assignment_matrices(noise_model: NoiseModel | None, n_qubits: int) -> np.ndarray:
    """Per-qubit readout assignment matrices of a noise model.

    Parameters
    ----------
    noise_model : qiskit_aer.noise.NoiseModel or None
    n_qubits : int

    Returns
    -------
    ndarray, shape (n_qubits, 2, 2), float64
        ``A[k, measured, true]``: probability of recording ``measured`` on qubit k when it is
        in ``|true>`` (columns sum to 1). The qubit-specific readout error wins over the
        all-qubit one; identity where there is none.

    Raises
    ------
    ValueError
        If the model has correlated (multi-qubit) readout errors.
    """
    n_qubits = check_int(n_qubits, "n_qubits", minimum=1)
    out = np.tile(np.eye(2), (n_qubits, 1, 1))
    if noise_model is None:
        return out
    tables = noise_tables(noise_model)
    wide = sorted(q for q in tables.readout_local if len(q) != 1)
    if wide:
        raise ValueError(
            f"noise model has correlated readout errors on qubits {wide}; expected one-qubit "
            "readout errors only (they cannot be written as per-qubit 2x2 matrices)"
        )
    for k in range(n_qubits):
        error = tables.readout_local.get((k,), tables.readout_default)
        if error is not None:
            out[k] = np.asarray(error.probabilities, dtype=np.float64).T
    return out


def simulate_dense(
    circuit: QuantumCircuit,
    noise_model: NoiseModel | None = None,
    *,
    max_qubits: int = MAX_DENSE_QUBITS,
) -> np.ndarray:
    """Exact noisy density matrix from Aer's density-matrix simulator.

    Runs :func:`prepare_circuit` output with ``save_density_matrix`` on
    ``AerSimulator(method="density_matrix", enable_truncation=False)``. Readout errors do not
    act on the state.

    Parameters
    ----------
    circuit : qiskit.QuantumCircuit
    noise_model : qiskit_aer.noise.NoiseModel or None, default=None
    max_qubits : int, default=MAX_DENSE_QUBITS (12)
        Refuse larger circuits (memory 16^n bytes).

    Returns
    -------
    ndarray, shape (2^n, 2^n), complex128
        In Qiskit's little-endian order (convert with ``dense_to_pauli``).
    """
    prepared = prepare_circuit(circuit, noise_model)
    n_qubits = prepared.num_qubits
    if n_qubits > max_qubits:
        raise ValueError(
            f"circuit has {n_qubits} qubits, expected at most max_qubits={max_qubits} for a "
            f"dense density matrix (16^{n_qubits} bytes); pass a larger max_qubits"
        )
    prepared.append(SaveDensityMatrix(n_qubits, label="density_matrix"), prepared.qubits)
    simulator = AerSimulator(
        method="density_matrix", noise_model=noise_model, enable_truncation=False
    )
    result = simulator.run(prepared, shots=1).result()
    if not result.success:
        raise RuntimeError(f"Aer simulation failed: {result.status}")
    return np.asarray(result.data(0)["density_matrix"], dtype=np.complex128)
