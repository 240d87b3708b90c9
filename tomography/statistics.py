"""Statistics of an estimated state, for :func:`tomography.bootstrap.bootstrap`.

A statistic is any callable ``PauliMPO -> float``. The ones here are small frozen dataclasses
(picklable, so they travel to Dask workers) that hold their reference once, checked at
construction:

==================  ==============================================================  ========
class               value on an estimate ``rho`` (divided by its trace)             n
==================  ==============================================================  ========
TargetFidelity      ``<psi|rho|psi>`` for a pure target (circuit or PauliMPO)        any
FidelityTo          Uhlmann fidelity to a state, ``rho`` repaired first              <= 12
OverlapTo           ``tr(rho sigma) / max(tr rho^2, tr sigma^2)``                    any
Expectation         ``sum_p c_p tr(rho P_p)``: one Pauli string, or an energy        any
Purity              ``tr rho^2``                                                     any
LocalFidelity       Uhlmann fidelity of the marginals on ``first .. first+width-1``  any
==================  ==============================================================  ========

Pauli strings are in ttqst order: character k acts on qubit k (the reverse of Qiskit labels).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from qiskit import QuantumCircuit

from ttcross.validation import check_int

from ._state_input import State, _as_state
from .metrics import MAX_LOCAL_WIDTH, fidelity, overlap_fidelity
from .pauli import MAX_DENSE_QUBITS, parse_pauli_string
from .state import PauliMPO
from .target import fidelity_to_pure, pure_target

__all__ = [
    "Expectation",
    "FidelityTo",
    "LocalFidelity",
    "OverlapTo",
    "Purity",
    "TargetFidelity",
]


def _checked_n(state: PauliMPO, n: int, name: str) -> None:
    if state.n != n:
        raise ValueError(
            f"qubit count mismatch: {name} is for {n} qubits, the estimate has {state.n}"
        )


@dataclass(frozen=True)
class TargetFidelity:
    """``<psi|rho|psi>`` to the pure state a unitary circuit prepares (or a pure PauliMPO).

    Parameters
    ----------
    target : qiskit.QuantumCircuit or PauliMPO
        Checked and simulated once, here (see :func:`tomography.target.pure_target`).
    """

    target: QuantumCircuit | PauliMPO
    _state: PauliMPO = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_state", pure_target(self.target))

    @property
    def n(self) -> int:
        """Qubits of the target."""
        return self._state.n

    def __call__(self, estimate: PauliMPO) -> float:
        _checked_n(estimate, self.n, "the target")
        return fidelity_to_pure(estimate, self._state)


@dataclass(frozen=True)
class FidelityTo:
    """Uhlmann fidelity to a reference state, the estimate repaired first (n <= 12).

    Parameters
    ----------
    state : PauliMPO or array_like, shape (2^n, 2^n)
        The reference, n <= 12.
    """

    state: State

    def __post_init__(self):
        reference = _as_state(self.state, "state")
        n = reference.n if isinstance(reference, PauliMPO) else reference.shape[0].bit_length() - 1
        if n > MAX_DENSE_QUBITS:
            raise ValueError(
                f"FidelityTo is dense: n = {n} > {MAX_DENSE_QUBITS}; use OverlapTo, or "
                "TargetFidelity for a pure reference"
            )
        object.__setattr__(self, "state", reference)

    def __call__(self, estimate: PauliMPO) -> float:
        return fidelity(estimate, self.state)


@dataclass(frozen=True)
class OverlapTo:
    """Overlap fidelity ``tr(rho sigma) / max(tr rho^2, tr sigma^2)`` to a state, any n."""

    state: PauliMPO

    def __post_init__(self):
        if not isinstance(self.state, PauliMPO):
            raise TypeError(f"`state` must be a PauliMPO, got {type(self.state).__name__}")

    def __call__(self, estimate: PauliMPO) -> float:
        return overlap_fidelity(estimate, self.state)


@dataclass(frozen=True)
class Expectation:
    """``sum_p c_p tr(rho P_p) / tr rho``: one Pauli string, or a weighted sum (an energy).

    Parameters
    ----------
    observable : str or mapping of str to float
        ``"ZZIIII"``, or ``{"ZZII": 0.5, "IXXI": -1.0}``; ttqst order (character k on qubit
        k), all strings of one length n.
    """

    observable: str | Mapping[str, float]
    terms: tuple[tuple[str, float], ...] = field(init=False, repr=False)

    def __post_init__(self):
        items = (
            [(self.observable, 1.0)]
            if isinstance(self.observable, str)
            else list(dict(self.observable).items())
        )
        if not items:
            raise ValueError("the observable has no Pauli strings; give e.g. 'ZZII'")
        n = len(items[0][0])
        terms = []
        for string, coefficient in items:
            string = str(string).upper()
            parse_pauli_string(string, n)  # raises on bad letters or length
            terms.append((string, float(coefficient)))
        object.__setattr__(self, "terms", tuple(terms))

    def __call__(self, estimate: PauliMPO) -> float:
        strings = [s for s, _ in self.terms]
        values = np.atleast_1d(estimate.expectation(strings))
        coefficients = np.array([c for _, c in self.terms])
        return float(coefficients @ values / estimate.trace())


@dataclass(frozen=True)
class Purity:
    """``tr rho^2`` of the estimate divided by its trace."""

    def __call__(self, estimate: PauliMPO) -> float:
        return float(np.exp(estimate.normalized().log_purity()))


@dataclass(frozen=True)
class LocalFidelity:
    """Uhlmann fidelity of the marginals on qubits ``first .. first + width - 1``.

    Both marginals are repaired first (:func:`tomography.metrics.fidelity`).

    Parameters
    ----------
    state : PauliMPO
        The reference state.
    first : int
        First qubit of the window.
    width : int, default=3
        Window width, ``1 <= width <= 8``.
    """

    state: PauliMPO
    first: int
    width: int = 3
    _marginal: PauliMPO = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        if not isinstance(self.state, PauliMPO):
            raise TypeError(f"`state` must be a PauliMPO, got {type(self.state).__name__}")
        first = check_int(self.first, "first", minimum=0)
        width = check_int(self.width, "width", minimum=1)
        if width > MAX_LOCAL_WIDTH or first + width > self.state.n:
            raise ValueError(
                f"window {first}..{first + width - 1} does not fit: the state has "
                f"{self.state.n} qubits and windows are at most {MAX_LOCAL_WIDTH} wide"
            )
        object.__setattr__(self, "_marginal", self.state.marginal(self._sites()))

    def _sites(self) -> list[int]:
        return list(range(self.first, self.first + self.width))

    def __call__(self, estimate: PauliMPO) -> float:
        _checked_n(estimate, self.state.n, "the reference")
        return fidelity(estimate.marginal(self._sites()), self._marginal)
