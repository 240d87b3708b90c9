"""Fidelity of an estimate to the pure state an ideal circuit prepares, at any n.

What a hardware group reports is the fidelity of the state the chip prepared to the state it
was meant to prepare: the noiseless circuit applied to ``|0..0>``. For a pure target
``sigma = |psi><psi|`` the Uhlmann fidelity reduces to ``F = <psi|rho|psi> = tr(rho sigma)``,
which in the Pauli tensor-train form is one contraction::

    F = tr(rho sigma) = 2^-n <X_rho, X_sigma> / (tr rho  tr sigma)

carried on the log scale (:meth:`ttcross.TensorTrain.log_dot`), so n = 100 neither overflows
nor underflows. A mixed reference has no such formula: :func:`target_fidelity` refuses it
and names the quantities that do apply (:func:`tomography.metrics.fidelity` for n <= 12,
:func:`tomography.metrics.overlap_fidelity` at any n).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import Gate

from ttcross.validation import check_real

from ._state_input import State, _as_state
from .state import PauliMPO

__all__ = ["PURITY_TOL", "check_target_circuit", "pure_target", "target_fidelity"]

PURITY_TOL = 1e-8
"""Largest ``|tr sigma^2 - 1|`` of a target accepted as pure."""

_IGNORED = frozenset({"barrier"})


def check_target_circuit(circuit: QuantumCircuit) -> QuantumCircuit:
    """Refuse a target circuit that is not a sequence of unitary gates.

    Parameters
    ----------
    circuit : qiskit.QuantumCircuit
        The ideal state preparation; barriers are allowed.

    Returns
    -------
    qiskit.QuantumCircuit
        The same circuit.

    Raises
    ------
    TypeError
        Not a ``QuantumCircuit``.
    ValueError
        A measurement, reset, classically conditioned gate or any other non-unitary
        instruction, named with its position.
    """
    if not isinstance(circuit, QuantumCircuit):
        raise TypeError(f"target must be a QuantumCircuit or a PauliMPO, got {type(circuit)}")
    for position, instruction in enumerate(circuit.data):
        operation = instruction.operation
        if operation.name in _IGNORED:
            continue
        conditioned = getattr(operation, "condition", None) is not None
        if not isinstance(operation, Gate) or conditioned:
            what = "a classically conditioned gate" if conditioned else "a non-unitary instruction"
            raise ValueError(
                f"the target circuit holds {what} {operation.name!r} (instruction {position}): "
                "a target must be unitary gates only, the ideal state preparation from |0..0>; "
                "remove it (remove_final_measurements() drops final measurements)"
            )
    return circuit


def pure_target(target: QuantumCircuit | PauliMPO, *, tol: float = PURITY_TOL) -> PauliMPO:
    """The target as a trace-one pure :class:`PauliMPO`.

    Parameters
    ----------
    target : qiskit.QuantumCircuit or PauliMPO
        A unitary circuit (simulated without noise by :func:`tomography.simulate.simulate`,
        no truncation) or a pure state.
    tol : float, default=1e-8
        Accepted ``|tr sigma^2 - 1|`` after normalising the trace.

    Returns
    -------
    PauliMPO
        Trace 1, purity 1 within ``tol``.

    Raises
    ------
    TypeError
        Neither a circuit nor a PauliMPO.
    ValueError
        A non-unitary circuit, a trace that is not positive, or a mixed state.
    """
    from .simulate import simulate

    tol = check_real(tol, "tol", minimum=0.0)
    if isinstance(target, QuantumCircuit):
        state = simulate(check_target_circuit(target))
    elif isinstance(target, PauliMPO):
        state = target
    else:
        raise TypeError(
            f"target must be a QuantumCircuit or a PauliMPO, got {type(target).__name__}"
        )
    state = state.normalized()
    purity = float(np.exp(state.log_purity()))
    if not abs(purity - 1.0) <= tol:
        raise ValueError(
            f"the target is mixed: purity tr(sigma^2) = {purity:.10g}, expected 1 within "
            f"{tol:g}; target_fidelity is <psi|rho|psi> for a pure target only. For a mixed "
            "reference use tomography.metrics.fidelity (Uhlmann, n <= 12) or "
            "overlap_fidelity (any n)"
        )
    return state


def target_fidelity(estimate: State, target: QuantumCircuit | PauliMPO) -> float:
    """Fidelity ``<psi|rho|psi>`` of an estimate to a pure target, any n.

    The estimate is divided by its trace; it is not projected onto states, so a non-positive
    estimate can give a value outside [0, 1] (which is what its bootstrap should see). Cost:
    one noiseless simulation when ``target`` is a circuit, then one tensor-train contraction,
    ``O(n chi_rho^2 chi_psi^2)``.

    Parameters
    ----------
    estimate : PauliMPO or array_like, shape (2^n, 2^n)
        The estimated state (dense only for n <= 12), trace > 0.
    target : qiskit.QuantumCircuit or PauliMPO
        The ideal circuit (unitary gates only, acting on ``|0..0>``) or a pure state, same n.

    Returns
    -------
    float
        ``tr(rho sigma)`` with ``tr rho = tr sigma = 1``.

    Raises
    ------
    TypeError
        A target that is neither a circuit nor a PauliMPO, or an invalid estimate.
    ValueError
        Qubit-count mismatch, a non-unitary target circuit, a mixed target, or an estimate
        whose trace is not positive.
    """
    rho = _estimate_state(estimate)
    _check_qubits(rho.n, target)
    sigma = pure_target(target)
    return fidelity_to_pure(rho, sigma)


def fidelity_to_pure(rho: PauliMPO, sigma: PauliMPO) -> float:
    """``tr(rho sigma) / tr rho`` for a checked pure ``sigma`` of trace 1 (same n)."""
    trace = rho.trace()
    if not (np.isfinite(trace) and trace > 0):
        raise ValueError(
            f"the estimate's trace is {trace:.3g}: not positive, so it cannot be normalised "
            "(a failed reconstruction?)"
        )
    sign, log_abs = rho.tt.log_dot(sigma.tt)
    if sign == 0:
        return 0.0
    return float(np.real(sign) * np.exp(log_abs - rho.n * np.log(2.0) - np.log(trace)))


def _estimate_state(estimate: Any) -> PauliMPO:
    state = _as_state(estimate, "estimate")
    return state if isinstance(state, PauliMPO) else PauliMPO.from_dense(state)


def _check_qubits(n: int, target: Any) -> None:
    count = getattr(target, "num_qubits", getattr(target, "n", None))
    if isinstance(count, int) and count != n:
        raise ValueError(
            f"qubit count mismatch: the estimate has {n} qubits, the target {count}; "
            "give the circuit that prepared the measured qubits"
        )
