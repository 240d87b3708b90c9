"""State arguments of :mod:`tomography.metrics` and :mod:`tomography.physical`, checked.

A state is a :class:`~tomography.state.PauliMPO` or a dense density matrix ``(2^n, 2^n)`` in
Qiskit's little-endian order (a numpy array or anything with a ``.data`` array, such as
``qiskit.quantum_info.DensityMatrix``); dense input is limited to
``n <= MAX_DENSE_QUBITS``: the type :data:`State`. Each check returns the converted
value or raises.
"""

from __future__ import annotations

from typing import Protocol, TypeAlias, runtime_checkable

import numpy as np

from ttcross import TensorTrain
from ttcross.validation import check_finite

from .pauli import MAX_DENSE_QUBITS, check_operator_qubits
from .state import PauliMPO

_TT_METRICS = "overlap_fidelity, relative_error or local_fidelities (tensor-train metrics, any n)"


@runtime_checkable
class DenseHolder(Protocol):
    """An object holding a dense density matrix ``(2^n, 2^n)`` as ``.data``, such as
    ``qiskit.quantum_info.DensityMatrix``."""

    @property
    def data(self) -> np.ndarray: ...


State: TypeAlias = PauliMPO | np.ndarray | DenseHolder
"""A state argument: a :class:`~tomography.state.PauliMPO`, a dense density matrix
``numpy.ndarray`` ``(2^n, 2^n)`` (n <= ``MAX_DENSE_QUBITS``) or a
:class:`DenseHolder` of one (``qiskit.quantum_info.DensityMatrix``)."""


def _as_state(x: State, name: str) -> PauliMPO | np.ndarray:
    """A PauliMPO as it is, or a validated complex128 matrix (2^n, 2^n) with n <= 12."""
    if isinstance(x, PauliMPO):
        return x
    if isinstance(x, TensorTrain):
        raise TypeError(f"`{name}` is a TensorTrain: wrap it as PauliMPO(tt) to use it as a state")
    matrix = np.asarray(x if isinstance(x, np.ndarray) else getattr(x, "data", x))
    if matrix.dtype == object or not (np.issubdtype(matrix.dtype, np.number)):
        raise TypeError(
            f"`{name}` must be a PauliMPO or a numeric (2^n, 2^n) matrix, "
            f"got {type(x).__name__} with dtype {matrix.dtype}"
        )
    n = check_operator_qubits(matrix, name)
    if n > MAX_DENSE_QUBITS:
        raise ValueError(
            f"`{name}` is a dense {n}-qubit matrix, expected n <= {MAX_DENSE_QUBITS}; "
            f"pass a PauliMPO and use {_TT_METRICS}"
        )
    return check_finite(matrix.astype(np.complex128), name)


def _qubits(x: PauliMPO | np.ndarray) -> int:
    return x.n if isinstance(x, PauliMPO) else x.shape[0].bit_length() - 1


def _checked_pair(
    a: State, b: State, names: tuple[str, str]
) -> tuple[PauliMPO | np.ndarray, PauliMPO | np.ndarray, int]:
    xa, xb = _as_state(a, names[0]), _as_state(b, names[1])
    na, nb = _qubits(xa), _qubits(xb)
    if na != nb:
        raise ValueError(
            f"qubit count mismatch: `{names[0]}` has {na} qubits, `{names[1]}` has {nb}; "
            "compare states of the same qubits"
        )
    return xa, xb, na


def _dense_matrix(x: PauliMPO | np.ndarray, name: str, caller: str) -> np.ndarray:
    if not isinstance(x, PauliMPO):
        return x
    if x.n > MAX_DENSE_QUBITS:
        raise ValueError(
            f"{caller} needs dense matrices, so n <= {MAX_DENSE_QUBITS}; `{name}` has "
            f"{x.n} qubits: use {_TT_METRICS}"
        )
    return x.to_dense()


def _dense_pair(
    a: State, b: State, caller: str, names: tuple[str, str] = ("a", "b")
) -> tuple[np.ndarray, np.ndarray]:
    xa, xb, _ = _checked_pair(a, b, names)
    return _dense_matrix(xa, names[0], caller), _dense_matrix(xb, names[1], caller)


def _check_hermitian(
    matrix: np.ndarray, name: str, tol: float, fix: str = "pass repair=True"
) -> None:
    scale = max(float(np.max(np.abs(matrix))), 1e-300)
    deviation = float(np.max(np.abs(matrix - matrix.conj().T)))
    if deviation > tol * scale:
        raise ValueError(
            f"`{name}` is not Hermitian: max |A - A^dagger| = {deviation:.3g}, above "
            f"tol={tol:g} x max |A|; {fix} to use its Hermitian part"
        )
