"""Noise models for the circuit families, as ``qiskit_aer.noise.NoiseModel``s.

Each builder attaches all-qubit (default) errors to instruction names; by default

- one-qubit errors to :data:`ONE_QUBIT_GATES` = ``("u", "h", "rx")``,
- two-qubit errors to :data:`TWO_QUBIT_GATES` = ``("cx", "rzz", "haar2q")``,

which covers every gate :mod:`tomography.circuits` emits (``"haar2q"`` is the label of the
Haar ``UnitaryGate``s: Aer looks up noise for a gate by its label when it has one, by its name
otherwise). Pass ``one_qubit_gates`` / ``two_qubit_gates`` to target other names. Errors act
after the gate, as in Aer. :func:`combine` merges models; :func:`noise_tables` is the one
place that reads a ``NoiseModel``'s error tables.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from qiskit import QuantumCircuit
from qiskit.circuit.library import get_standard_gate_name_mapping
from qiskit_aer.noise import (
    NoiseModel,
    QuantumError,
    ReadoutError,
    amplitude_damping_error,
    depolarizing_error,
    thermal_relaxation_error,
)

from tomography.circuits import HAAR_LABEL
from ttcross.validation import check_probability as _check_probability
from ttcross.validation import check_real

__all__ = [
    "ONE_QUBIT_GATES",
    "TWO_QUBIT_GATES",
    "NoiseTables",
    "amplitude_damping",
    "combine",
    "depolarizing",
    "noise_tables",
    "readout",
    "thermal",
]

ONE_QUBIT_GATES = ("u", "h", "rx")
"""Instruction names that one-qubit errors attach to by default."""

TWO_QUBIT_GATES = ("cx", "rzz", HAAR_LABEL)
"""Instruction names (or ``unitary`` labels) that two-qubit errors attach to by default."""


def _check_positive(value: object, name: str, *, allow_zero: bool = False) -> float:
    """A finite time, ``> 0`` (``>= 0`` with ``allow_zero``)."""
    return check_real(value, name, minimum=0.0, strict=not allow_zero)


def _check_gate_names(names: object, arity: int, argname: str) -> tuple[str, ...]:
    """Return ``names`` as a tuple; reject standard gates of another arity."""
    if isinstance(names, str) or not isinstance(names, Sequence):
        raise TypeError(f"{argname} must be a sequence of str, e.g. ('u', 'h'), not {names!r}")
    standard = get_standard_gate_name_mapping()
    for name in names:
        if not isinstance(name, str) or not name:
            raise TypeError(f"{argname} must hold non-empty str, got {name!r}")
        if name in standard and standard[name].num_qubits != arity:
            raise ValueError(
                f"{argname} lists {name!r}, a {standard[name].num_qubits}-qubit gate, expected "
                f"{arity}-qubit gates; move it to the other list"
            )
    return tuple(names)


def _gate_model(
    error_1q: QuantumError | None,
    error_2q: QuantumError | None,
    one_qubit_gates: object,
    two_qubit_gates: object,
) -> NoiseModel:
    one = _check_gate_names(one_qubit_gates, 1, "one_qubit_gates")
    two = _check_gate_names(two_qubit_gates, 2, "two_qubit_gates")
    model = NoiseModel()
    if error_1q is not None and one:
        model.add_all_qubit_quantum_error(error_1q, list(one), warnings=False)
    if error_2q is not None and two:
        model.add_all_qubit_quantum_error(error_2q, list(two), warnings=False)
    if HAAR_LABEL in two:
        # without "unitary" among the basis gates, transpiling for AerSimulator(noise_model=...)
        # splits each labelled Haar gate into rzz and u gates, each with its own error
        model.add_basis_gates(["unitary"])
    return model


def depolarizing(
    p1: float,
    p2: float,
    *,
    one_qubit_gates: Sequence[str] = ONE_QUBIT_GATES,
    two_qubit_gates: Sequence[str] = TWO_QUBIT_GATES,
) -> NoiseModel:
    """Depolarizing noise after every gate.

    The k-qubit channel is ``rho -> (1 - p) rho + p I / 2^k`` (Aer's ``depolarizing_error``).

    Parameters
    ----------
    p1 : float
        One-qubit depolarizing parameter, in [0, 4/3].
    p2 : float
        Two-qubit depolarizing parameter, in [0, 16/15].
    one_qubit_gates : sequence of str, default=ONE_QUBIT_GATES
        Instruction names (or labels) that get the one-qubit error.
    two_qubit_gates : sequence of str, default=TWO_QUBIT_GATES
        Instruction names (or labels) that get the two-qubit error.

    Returns
    -------
    qiskit_aer.noise.NoiseModel
    """
    p1 = _check_probability(p1, "p1", 4.0 / 3.0)
    p2 = _check_probability(p2, "p2", 16.0 / 15.0)
    return _gate_model(
        depolarizing_error(p1, 1), depolarizing_error(p2, 2), one_qubit_gates, two_qubit_gates
    )


def amplitude_damping(
    gamma: float,
    *,
    one_qubit_gates: Sequence[str] = ONE_QUBIT_GATES,
    two_qubit_gates: Sequence[str] = TWO_QUBIT_GATES,
) -> NoiseModel:
    """Amplitude damping (decay ``|1> -> |0>`` with probability ``gamma``) after every gate.

    Two-qubit gates get independent damping on both qubits (``E (x) E``).

    Parameters
    ----------
    gamma : float
        Damping probability, in [0, 1].
    one_qubit_gates, two_qubit_gates : sequence of str
        As in :func:`depolarizing`.

    Returns
    -------
    qiskit_aer.noise.NoiseModel
    """
    gamma = _check_probability(gamma, "gamma")
    error = amplitude_damping_error(gamma)
    return _gate_model(error, error.tensor(error), one_qubit_gates, two_qubit_gates)


def thermal(
    t1: float,
    t2: float,
    gate_times: tuple[float, float],
    *,
    excited_population: float = 0.0,
    one_qubit_gates: Sequence[str] = ONE_QUBIT_GATES,
    two_qubit_gates: Sequence[str] = TWO_QUBIT_GATES,
) -> NoiseModel:
    """Thermal relaxation (T1, T2) for the duration of every gate.

    Aer's ``thermal_relaxation_error(t1, t2, time)``; two-qubit gates get it on both qubits
    independently. Times in any one unit (e.g. ns), the same for all arguments.

    Parameters
    ----------
    t1 : float
        Relaxation time, > 0.
    t2 : float
        Dephasing time, > 0 and <= 2 * t1.
    gate_times : (float, float)
        Durations ``(one_qubit_time, two_qubit_time)``, each >= 0.
    excited_population : float, default=0.0
        Equilibrium population of ``|1>``, in [0, 1].
    one_qubit_gates, two_qubit_gates : sequence of str
        As in :func:`depolarizing`.

    Returns
    -------
    qiskit_aer.noise.NoiseModel
    """
    t1 = _check_positive(t1, "t1")
    t2 = _check_positive(t2, "t2")
    if t2 > 2.0 * t1:
        raise ValueError(f"t2 == {t2} > 2 * t1 == {2.0 * t1}: unphysical; expected t2 <= 2 t1")
    if not isinstance(gate_times, Sequence) or len(gate_times) != 2:
        raise ValueError(f"gate_times == {gate_times!r}, expected (one_qubit_time, two_qubit_time)")
    time_1q = _check_positive(gate_times[0], "gate_times[0]", allow_zero=True)
    time_2q = _check_positive(gate_times[1], "gate_times[1]", allow_zero=True)
    population = _check_probability(excited_population, "excited_population")
    error_1q = thermal_relaxation_error(t1, t2, time_1q, population)
    single_2q = thermal_relaxation_error(t1, t2, time_2q, population)
    return _gate_model(error_1q, single_2q.tensor(single_2q), one_qubit_gates, two_qubit_gates)


def readout(p01: float, p10: float) -> NoiseModel:
    """Classical readout error on every measured qubit.

    Parameters
    ----------
    p01 : float
        Probability of reading 1 when the qubit is in ``|0>``, in [0, 1].
    p10 : float
        Probability of reading 0 when the qubit is in ``|1>``, in [0, 1].

    Returns
    -------
    qiskit_aer.noise.NoiseModel
        With the all-qubit readout error ``[[1 - p01, p01], [p10, 1 - p10]]`` (Aer's layout:
        row = true state, column = recorded outcome).
    """
    p01 = _check_probability(p01, "p01")
    p10 = _check_probability(p10, "p10")
    model = NoiseModel()
    model.add_all_qubit_readout_error(
        ReadoutError([[1.0 - p01, p01], [p10, 1.0 - p10]]), warnings=False
    )
    return model


@dataclass(frozen=True)
class NoiseTables:
    """Read-only copy of a ``NoiseModel``'s error tables.

    Attributes
    ----------
    default : Mapping[str, QuantumError]
        All-qubit quantum errors by instruction name or label.
    local : Mapping[str, Mapping[tuple[int, ...], QuantumError]]
        Qubit-specific quantum errors by name or label, then by the qubits in instruction
        order (``(1, 0)`` and ``(0, 1)`` are different keys).
    readout_default : ReadoutError or None
        All-qubit readout error.
    readout_local : Mapping[tuple[int, ...], ReadoutError]
        Qubit-specific readout errors.
    """

    default: Mapping[str, QuantumError]
    local: Mapping[str, Mapping[tuple[int, ...], QuantumError]]
    readout_default: ReadoutError | None
    readout_local: Mapping[tuple[int, ...], ReadoutError]


def noise_tables(noise_model: NoiseModel) -> NoiseTables:
    """Error tables of an Aer noise model (the one place that reads its private fields).

    Parameters
    ----------
    noise_model : qiskit_aer.noise.NoiseModel

    Returns
    -------
    NoiseTables
    """
    if not isinstance(noise_model, NoiseModel):
        raise TypeError(
            f"noise_model must be a qiskit_aer.noise.NoiseModel, not {type(noise_model).__name__}"
        )
    # qiskit-aer keeps these as private dicts with no public getter (checked on 0.15-0.18).
    local = {
        label: MappingProxyType({tuple(q): e for q, e in by_qubits.items()})
        for label, by_qubits in noise_model._local_quantum_errors.items()
    }
    return NoiseTables(
        default=MappingProxyType(dict(noise_model._default_quantum_errors)),
        local=MappingProxyType(local),
        readout_default=noise_model._default_readout_error,
        readout_local=MappingProxyType(
            {tuple(q): e for q, e in noise_model._local_readout_errors.items()}
        ),
    )


def _compose_all(errors: list) -> object | None:
    """Compose quantum or readout errors in order (first applied first); None if empty."""
    errors = [e for e in errors if e is not None]
    if not errors:
        return None
    total = errors[0]
    for error in errors[1:]:
        if isinstance(total, ReadoutError):
            # Aer stores P[true, recorded] (row-stochastic), and ReadoutError.compose(other)
            # applies `other` FIRST; multiply explicitly to keep "first applied first".
            total = ReadoutError(total.probabilities @ error.probabilities)
        else:
            total = total.compose(error)  # QuantumError: self first, then error
    return total


def combine(*models: NoiseModel) -> NoiseModel:
    """One noise model that applies the errors of all ``models``, in argument order.

    For every instruction, the combined error is the composition of what each model alone
    would apply there (its qubit-specific error if it has one for those qubits, else its
    all-qubit error), so a qubit-specific error in one model does not hide another model's
    all-qubit error. Readout errors compose the same way.

    Parameters
    ----------
    *models : qiskit_aer.noise.NoiseModel
        At least one.

    Returns
    -------
    qiskit_aer.noise.NoiseModel
    """
    if not models:
        raise ValueError("combine() needs at least one NoiseModel, got none")
    tables = [noise_tables(m) for m in models]
    out = NoiseModel(basis_gates=sorted({g for m in models for g in m.basis_gates}))
    _combine_quantum(out, tables)
    _combine_readout(out, tables)
    return out


def _combine_quantum(out: NoiseModel, tables: list[NoiseTables]) -> None:
    """Add to ``out`` the composed gate errors of ``tables``, all-qubit then qubit-specific."""
    for label in {lab for t in tables for lab in t.default}:
        error = _compose_all([t.default.get(label) for t in tables])
        out.add_all_qubit_quantum_error(error, label, warnings=False)
    for label in {lab for t in tables for lab in t.local}:
        for qubits in {q for t in tables for q in t.local.get(label, {})}:
            parts = [t.local.get(label, {}).get(qubits, t.default.get(label)) for t in tables]
            out.add_quantum_error(_compose_all(parts), label, qubits, warnings=False)


def _combine_readout(out: NoiseModel, tables: list[NoiseTables]) -> None:
    """Add to ``out`` the composed readout errors of ``tables``."""
    readout_default = _compose_all([t.readout_default for t in tables])
    if readout_default is not None:
        out.add_all_qubit_readout_error(readout_default, warnings=False)
    for qubits in {q for t in tables for q in t.readout_local}:
        fallback = [t.readout_default if len(qubits) == 1 else None for t in tables]
        parts = [t.readout_local.get(qubits, f) for t, f in zip(tables, fallback, strict=True)]
        out.add_readout_error(_compose_all(parts), qubits, warnings=False)


# ---------------------------------------------------------------------- models from rates

P1_MAX = 4.0 / 3.0
"""Largest one-qubit depolarizing parameter :func:`depolarizing` accepts (fully depolarizing)."""

P2_MAX = 16.0 / 15.0
"""Largest two-qubit depolarizing parameter :func:`depolarizing` accepts."""

_readout_model = readout  # from_rates's argument `readout` hides the function
_NOT_GATES = frozenset({"barrier", "measure", "reset", "delay"})


def circuit_gates(circuit: QuantumCircuit) -> dict[str, int]:
    """The keys gate noise can attach to in ``circuit``, with their number of qubits.

    A key is an instruction's label when it has one, else its name (Aer's lookup order);
    barriers, measurements, resets and delays are not gates.

    Parameters
    ----------
    circuit : qiskit.QuantumCircuit

    Returns
    -------
    dict of str to int
        Key -> number of qubits, in order of first appearance.

    Raises
    ------
    TypeError
        ``circuit`` not a QuantumCircuit.
    """
    if not isinstance(circuit, QuantumCircuit):
        raise TypeError(f"circuit must be a qiskit.QuantumCircuit, not {type(circuit).__name__}")
    gates: dict[str, int] = {}
    for item in circuit.data:
        op = item.operation
        if op.name not in _NOT_GATES:
            gates.setdefault(op.label or op.name, op.num_qubits)
    return gates


def gate_names(
    names: Sequence[str] | None = None,
    *,
    circuit: QuantumCircuit | None = None,
    strict: bool = False,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The one- and two-qubit instruction names (or labels) that gate noise attaches to.

    Parameters
    ----------
    names : sequence of str, optional
        Names or labels chosen by the caller, split by arity: as they act in ``circuit``,
        else as the Qiskit standard gate of that name, else two-qubit.
    circuit : qiskit.QuantumCircuit, optional
        Without ``names``: every one- and two-qubit gate name of the circuit (for a circuit
        from an OpenQASM file; wider gates get decomposed by the simulator, barriers,
        measurements, resets and delays are not gates).
    strict : bool, default=False
        Refuse ``names`` that would get no noise: with ``circuit``, a name (or label) the
        circuit does not have, or one of a gate on more than two qubits; without it, a name
        that is neither a Qiskit standard one- or two-qubit gate nor a label of
        :mod:`tomography.circuits`. The message lists the valid names.

    Returns
    -------
    one_qubit_gates, two_qubit_gates : tuple of str
        Without ``names`` and ``circuit``: :data:`ONE_QUBIT_GATES`, :data:`TWO_QUBIT_GATES`
        (every gate of :mod:`tomography.circuits`).

    Raises
    ------
    TypeError
        ``names`` not a sequence of non-empty str, ``circuit`` not a QuantumCircuit.
    ValueError
        With ``strict``: names that would get no noise.
    """
    if circuit is not None and not isinstance(circuit, QuantumCircuit):
        raise TypeError(f"circuit must be a qiskit.QuantumCircuit, not {type(circuit).__name__}")
    operations = [] if circuit is None else [item.operation for item in circuit.data]
    if names is not None:
        one, two = _split_by_arity(names, operations)
        if strict:
            _check_known(names, circuit)
        return one, two
    if circuit is None:
        return ONE_QUBIT_GATES, TWO_QUBIT_GATES
    gates = {op.name: op.num_qubits for op in operations if op.name not in _NOT_GATES}
    return (
        tuple(sorted(g for g, k in gates.items() if k == 1)),
        tuple(sorted(g for g, k in gates.items() if k == 2)),
    )


def _check_known(names: Sequence[str], circuit: QuantumCircuit | None) -> None:
    """ValueError for ``names`` that gate noise cannot reach (see :func:`gate_names`)."""
    if circuit is not None:
        present = circuit_gates(circuit)
        valid = sorted(g for g, k in present.items() if k in (1, 2))
        where = f"the circuit's one- and two-qubit gates are {valid}"
    else:
        standard = get_standard_gate_name_mapping()
        valid = sorted({g for g, op in standard.items() if op.num_qubits in (1, 2)} | {HAAR_LABEL})
        where = f"expected Qiskit standard one- or two-qubit gates or {HAAR_LABEL!r}: {valid}"
    unknown = [g for g in names if g not in valid]
    if unknown:
        wide = [g for g in unknown if circuit is not None and present.get(g, 0) > 2]
        why = f" ({wide} act on more than two qubits)" if wide else ""
        raise ValueError(
            f"no gate noise can attach to {unknown}{why}: {where}; name gates from that list"
        )


def _split_by_arity(names: object, operations: list) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``names`` split into one- and two-qubit ones: as in ``operations``, else standard."""
    if isinstance(names, str) or not isinstance(names, Sequence):
        raise TypeError(f"names must be a sequence of str, e.g. ('u', 'cx'), not {names!r}")
    if not all(isinstance(g, str) and g for g in names):
        raise TypeError(f"names must hold non-empty str, got {list(names)!r}")
    in_circuit = {(op.label or op.name): op.num_qubits for op in operations}
    standard = get_standard_gate_name_mapping()
    arity = {g: in_circuit.get(g, getattr(standard.get(g), "num_qubits", 2)) for g in names}
    return tuple(g for g in names if arity[g] == 1), tuple(g for g in names if arity[g] == 2)


def from_rates(
    *,
    p1: float = 0.0,
    p2: float = 0.0,
    damping: float = 0.0,
    t1: float | None = None,
    t2: float | None = None,
    gate_times: tuple[float, float] = (50.0, 300.0),
    readout: tuple[float, float] | None = None,
    one_qubit_gates: Sequence[str] = ONE_QUBIT_GATES,
    two_qubit_gates: Sequence[str] = TWO_QUBIT_GATES,
    circuit: QuantumCircuit | None = None,
) -> tuple[NoiseModel | None, str]:
    """One noise model from error rates, with a one-line description of it.

    The non-zero parts, in this order, are :func:`combine`-d: :func:`depolarizing`
    (``p1``, ``p2``), :func:`amplitude_damping` (``damping``), :func:`thermal` (``t1``,
    ``t2``, ``gate_times``), :func:`readout`. A rate that reaches no gate (``p1`` with no
    one-qubit gate to attach to, ``p2`` with no two-qubit gate, damping or thermal noise with
    neither) is left out of the model and the description, with a ``UserWarning`` that names
    it and the gates.

    Parameters
    ----------
    p1 : float, default=0.0
        One-qubit depolarizing parameter, in [0, :data:`P1_MAX`].
    p2 : float, default=0.0
        Two-qubit depolarizing parameter, in [0, :data:`P2_MAX`].
    damping : float, default=0.0
        Amplitude damping probability, in [0, 1].
    t1, t2 : float or None, default=None
        Thermal relaxation and dephasing times (both or neither; ``t2 <= 2 t1``).
    gate_times : (float, float), default=(50.0, 300.0)
        Durations of one- and two-qubit gates, in the unit of ``t1`` and ``t2`` (e.g. ns).
    readout : (float, float) or None, default=None
        Readout error ``(p01, p10)``: P(1|0) and P(0|1).
    one_qubit_gates, two_qubit_gates : sequence of str
        As in :func:`depolarizing` (see :func:`gate_names`).
    circuit : qiskit.QuantumCircuit, optional
        The circuit the model is for: the gate lists are cut to the keys it has (see
        :func:`circuit_gates`), so the description says what fires in it.

    Returns
    -------
    noise_model : qiskit_aer.noise.NoiseModel or None
        None when every rate is zero, or reaches no gate (noiseless).
    description : str
        E.g. ``"depolarizing p1=0 p2=0.01, readout P01=0.02 P10=0.02"``, or ``"noiseless"``.

    Raises
    ------
    ValueError
        A rate out of range, only one of ``t1`` and ``t2``, ``t2 > 2 t1``.
    TypeError
        A rate that is not a number, ``circuit`` not a QuantumCircuit.
    """
    if (t1 is None) != (t2 is None):
        raise ValueError(f"thermal noise needs both t1 and t2, got t1={t1}, t2={t2}")
    one = _check_gate_names(one_qubit_gates, 1, "one_qubit_gates")
    two = _check_gate_names(two_qubit_gates, 2, "two_qubit_gates")
    if circuit is not None:
        present = circuit_gates(circuit)
        one, two = tuple(g for g in one if g in present), tuple(g for g in two if g in present)
    p1, p2, damping, t1 = _rates_that_fire(one, two, circuit, p1=p1, p2=p2, damping=damping, t1=t1)
    gates = {"one_qubit_gates": one, "two_qubit_gates": two}
    parts = []
    if p1 or p2:
        parts.append((depolarizing(p1, p2, **gates), f"depolarizing p1={p1:g} p2={p2:g}"))
    if damping:
        parts.append((amplitude_damping(damping, **gates), f"amplitude damping {damping:g}"))
    if t1 is not None:
        parts.append((thermal(t1, t2, tuple(gate_times), **gates), f"thermal T1={t1:g} T2={t2:g}"))
    if readout is not None:
        p01, p10 = readout
        parts.append((_readout_model(p01, p10), f"readout P01={p01:g} P10={p10:g}"))
    if not parts:
        return None, "noiseless"
    models = [model for model, _ in parts]
    model = models[0] if len(models) == 1 else combine(*models)
    return model, ", ".join(text for _, text in parts)


def _rates_that_fire(
    one: tuple[str, ...],
    two: tuple[str, ...],
    circuit: QuantumCircuit | None,
    *,
    p1: float,
    p2: float,
    damping: float,
    t1: float | None,
) -> tuple[float, float, float, float | None]:
    """``p1, p2, damping, t1`` with the rates that reach no gate set to zero (None for
    ``t1``), each with a ``UserWarning`` naming it and the gates there are."""
    there = "" if circuit is None else f" (the circuit's gates: {sorted(circuit_gates(circuit))})"
    dropped = []
    if p1 and not one:
        dropped.append((f"p1={p1:g}", "no one-qubit gate"))
        p1 = 0.0
    if p2 and not two:
        dropped.append((f"p2={p2:g}", "no two-qubit gate"))
        p2 = 0.0
    if damping and not (one or two):
        dropped.append((f"damping={damping:g}", "no gate"))
        damping = 0.0
    if t1 is not None and not (one or two):
        dropped.append((f"t1={t1:g}", "no gate"))
        t1 = None
    for rate, why in dropped:
        warnings.warn(
            f"{rate} is not applied: {why} gets noise{there}; name the gates to make noisy",
            UserWarning,
            stacklevel=3,
        )
    return p1, p2, damping, t1


__all__ += ["P1_MAX", "P2_MAX", "circuit_gates", "from_rates", "gate_names"]
