"""Pauli conventions, Pauli transfer matrices and dense <-> Pauli-coefficient conversions.

Conventions, stated once for the package:

- Pauli index ``0, 1, 2, 3`` = ``I, X, Y, Z``.
- Qubit order: in every ttqst array, qubit 0 comes FIRST (left-most tensor factor, first axis,
  first character of a ttqst Pauli string). Qiskit is little-endian: qubit 0 is the RIGHT-most
  tensor factor of its matrices and the right-most character of its labels and bitstrings.
  :func:`reverse_qubit_axes`, :func:`reverse_qubit_label` and, for measured bits,
  :func:`bitstrings_to_bits` / :func:`bits_to_bitstrings` are the only places where the two
  orders are converted; every other function goes through them.
- Pauli-coefficient form of an n-qubit state::

      X(p_1, ..., p_n) = tr(rho sigma_{p_1} (x) ... (x) sigma_{p_n}),   p_1 on qubit 0,
      rho              = 2^-n sum_p X(p) sigma_{p_1} (x) ... (x) sigma_{p_n}.

- Pauli transfer matrix (PTM) of a channel E on k qubits (listed as ``(a, b, ...)``)::

      R[p, q] = 2^-k tr(sigma_p E(sigma_q)),   p = 4 p_a + p_b  (k = 2),

  real, ``(4^k, 4^k)``; a Pauli-coefficient vector transforms as ``x' = R x``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from qiskit.circuit import Instruction
from qiskit.quantum_info import PTM, Operator, SuperOp
from qiskit.quantum_info.operators.channel.quantum_channel import QuantumChannel

__all__ = [
    "check_operator_qubits",
    "CHANNEL_INSTRUCTIONS",
    "MAX_DENSE_QUBITS",
    "PAULI_LETTERS",
    "PAULI_MATRICES",
    "bits_to_bitstrings",
    "bitstrings_to_bits",
    "check_bitstring",
    "dense_to_pauli",
    "parse_pauli_string",
    "pauli_to_dense",
    "ptm",
    "reverse_qubit_axes",
    "reverse_qubit_label",
]

PAULI_LETTERS = "IXYZ"
"""Letter of each Pauli index: ``PAULI_LETTERS[p]``."""


def _pauli_matrices() -> np.ndarray:
    mats = np.array(
        [[[1, 0], [0, 1]], [[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]],
        dtype=np.complex128,
    )
    mats.setflags(write=False)
    return mats


PAULI_MATRICES = _pauli_matrices()
"""ndarray (4, 2, 2), complex128, read-only: ``I, X, Y, Z``."""

CHANNEL_INSTRUCTIONS = frozenset({"kraus", "superop", "quantum_channel"})
"""Names of non-unitary channel instructions that :func:`ptm` accepts."""

MAX_DENSE_QUBITS = 12
"""Largest n of every dense ``(2^n, 2^n)`` computation of the package: :func:`dense_to_pauli`,
:func:`pauli_to_dense`, the dense metrics (``fidelity``, ``trace_distance``), ``make_physical``
and the default of ``circuit_ops.simulate_dense``. The one home of that limit."""

# (tr-pairing) M[p, 2 r + c] = sigma_p[c, r]: contracting a qubit's (row, col) pair with it
# gives tr(rho sigma_p) on that qubit.
_TO_PAULI = np.ascontiguousarray(PAULI_MATRICES.transpose(0, 2, 1).reshape(4, 4))
# Inverse map: rho[r, c] = 1/2 sum_p x_p sigma_p[r, c] on one qubit.
_FROM_PAULI = np.ascontiguousarray(PAULI_MATRICES.reshape(4, 4).T / 2)


def reverse_qubit_axes(tensor: np.ndarray, n_qubits: int) -> np.ndarray:
    """Convert between Qiskit's little-endian qubit order and ttqst's qubit-0-first order.

    The tensor's axes are split into ``tensor.ndim // n_qubits`` consecutive groups of
    ``n_qubits`` axes (e.g. row and column of a matrix, or output and input of a PTM); inside
    each group the order of the axes is reversed. The map is its own inverse.

    Parameters
    ----------
    tensor : ndarray, shape (d,) * (g * n_qubits)
        One axis per qubit and group, e.g. ``(2,) * 2n`` for a reshaped density matrix or
        ``(4,) * 2k`` for a reshaped PTM.
    n_qubits : int
        Number of qubit axes per group.

    Returns
    -------
    ndarray, same shape
        A transposed view.
    """
    if n_qubits < 1 or tensor.ndim % n_qubits != 0:
        raise ValueError(
            f"tensor has {tensor.ndim} axes, expected a multiple of n_qubits={n_qubits}; "
            "reshape it to one axis per qubit first"
        )
    groups = tensor.ndim // n_qubits
    axes = [g * n_qubits + (n_qubits - 1 - k) for g in range(groups) for k in range(n_qubits)]
    return tensor.transpose(axes)


def reverse_qubit_label(label: str) -> str:
    """Convert a Qiskit label or bitstring (qubit 0 right-most) to ttqst order (qubit 0 first).

    Its own inverse. ``reverse_qubit_label("ZXI")`` is ``"IXZ"``: Qiskit's ``"ZXI"`` has I on
    qubit 0, X on qubit 1 and Z on qubit 2.
    """
    return label[::-1]


def bitstrings_to_bits(keys: Sequence[str], n_qubits: int) -> np.ndarray:
    """Bit rows in ttqst order from Qiskit bitstrings (qubit 0 right-most).

    Parameters
    ----------
    keys : sequence of str
        Bitstrings of ``n_qubits`` characters ``'0'``/``'1'`` each (checked by the caller).
    n_qubits : int

    Returns
    -------
    ndarray, shape (len(keys), n_qubits), uint8
        ``bits[m, k]`` is qubit k's bit in ``keys[m]``, i.e. ``keys[m][n_qubits - 1 - k]``.
    """
    if len(keys) == 0:
        return np.zeros((0, n_qubits), dtype=np.uint8)
    raw = np.frombuffer("".join(keys).encode("ascii"), dtype=np.uint8)
    return np.ascontiguousarray((raw.reshape(len(keys), n_qubits) - ord("0"))[:, ::-1])


def check_bitstring(key: object, n_qubits: int, where: str) -> str:
    """Return ``key`` if it is a Qiskit bitstring of ``n_qubits`` characters ``0``/``1``.

    The one accepted form is what ``Result.get_counts()`` and SamplerV2's ``get_counts()``
    give for one classical register: ``n_qubits`` characters, qubit 0 right-most. Refused,
    with a sentence saying why: Qiskit's hexadecimal keys (``"0x3"``, from
    ``Result.data()["counts"]``), keys with spaces between several registers, other
    characters, other lengths and non-strings.

    Parameters
    ----------
    key : object
    n_qubits : int
    where : str
        Where the key was found, for the message (e.g. ``"setting 3"``).

    Returns
    -------
    str

    Raises
    ------
    ValueError
        Not a str (a key is data, read from a file), another form, length or alphabet.
    """
    if not isinstance(key, str):
        raise ValueError(
            f"{where}: outcome key {key!r} (a {type(key).__name__}) is not a bitstring of "
            f"{n_qubits} bits: expected a str of characters 0/1 (Qiskit order, qubit 0 "
            "right-most)"
        )
    if len(key) == n_qubits and not key.strip("01"):
        return key
    if key.lower().startswith("0x"):
        why = (
            "a hexadecimal key (Qiskit's raw Result.data() form); use Result.get_counts(), "
            "which gives bitstrings"
        )
    elif " " in key.strip():
        why = (
            "spaces separate several classical registers; measure all qubits into one "
            "register (MeasurementDesign.circuits does)"
        )
    elif key.strip("01"):
        bad = sorted(set(key) - {"0", "1"})
        why = f"characters {bad} are not bits; only 0 and 1"
    else:
        why = f"{len(key)} bits, one per qubit needed"
    raise ValueError(
        f"{where}: outcome key {key!r} is not a bitstring of {n_qubits} bits (Qiskit order, "
        f"qubit 0 right-most): {why}"
    )


def bits_to_bitstrings(bits: np.ndarray) -> list[str]:
    """Qiskit bitstrings (qubit 0 right-most) from bit rows in ttqst order; inverse of
    :func:`bitstrings_to_bits`.

    Parameters
    ----------
    bits : ndarray, shape (M, n), integer 0/1
        ``bits[m, k]`` is qubit k's bit.

    Returns
    -------
    list of str
        ``M`` strings of ``n`` characters.
    """
    rows = np.asarray(bits, dtype=np.uint8)[:, ::-1] + np.uint8(ord("0"))
    return [row.tobytes().decode("ascii") for row in np.ascontiguousarray(rows)]


def parse_pauli_string(pauli_string: str, n_qubits: int) -> np.ndarray:
    """Parse a ttqst Pauli string into Pauli indices.

    Character ``k`` belongs to qubit ``k`` (qubit 0 is the FIRST character). This is the
    opposite of Qiskit's ``Pauli`` labels; convert those with :func:`reverse_qubit_label`.

    Parameters
    ----------
    pauli_string : str
        ``n_qubits`` letters from ``"IXYZ"`` (upper case), e.g. ``"IXYZ"``.
    n_qubits : int
        Expected length.

    Returns
    -------
    ndarray, shape (n_qubits,), int64
        Index of each letter: I=0, X=1, Y=2, Z=3.

    Raises
    ------
    TypeError
        If ``pauli_string`` is not a str.
    ValueError
        On a wrong length or a letter outside ``IXYZ``.
    """
    if not isinstance(pauli_string, str):
        raise TypeError(f"pauli_string must be a str, not {type(pauli_string).__name__}")
    if len(pauli_string) != n_qubits:
        raise ValueError(
            f"Pauli string {pauli_string!r} has {len(pauli_string)} letters, expected "
            f"n_qubits={n_qubits}: one letter per qubit, qubit 0 first"
        )
    bad = [(k, c) for k, c in enumerate(pauli_string) if c not in PAULI_LETTERS]
    if bad:
        where = ", ".join(f"{c!r} at position {k}" for k, c in bad)
        raise ValueError(
            f"Pauli string {pauli_string!r} has letters outside 'IXYZ': {where}; "
            "use upper-case I, X, Y, Z"
        )
    return np.array([PAULI_LETTERS.index(c) for c in pauli_string], dtype=np.int64)


def _check_dense_size(n_qubits: int) -> None:
    if n_qubits > MAX_DENSE_QUBITS:
        raise ValueError(
            f"dense conversion on {n_qubits} qubits, expected at most {MAX_DENSE_QUBITS} "
            f"(4^{n_qubits} entries); use the tensor-train form for larger n"
        )


def _apply_per_qubit(tensor: np.ndarray, matrix: np.ndarray, n_qubits: int) -> np.ndarray:
    """Apply the (4, 4) ``matrix`` to each of the n leading size-4 axes of ``tensor``."""
    for k in range(n_qubits):
        tensor = np.matmul(matrix, tensor.reshape(4**k, 4, -1))
    return tensor


def dense_to_pauli(rho: Any) -> np.ndarray:
    """Pauli coefficients of a Qiskit-ordered density matrix, in ttqst order.

    Parameters
    ----------
    rho : array_like, shape (2^n, 2^n), complex
        Density matrix in Qiskit's little-endian order (as in ``DensityMatrix.data`` or Aer's
        ``save_density_matrix``). Only Hermitian input gives a real result; the imaginary part
        is dropped. ``n <= 12``.

    Returns
    -------
    ndarray, shape (4,) * n, float64
        ``X[p_1, ..., p_n] = tr(rho sigma_{p_1} (x) ... (x) sigma_{p_n})``, axis 0 = qubit 0.

    Raises
    ------
    ValueError
        If ``rho`` is not square with a power-of-two side, or n > 12.
    """
    rho = np.asarray(getattr(rho, "data", rho))
    n_qubits = check_operator_qubits(rho, "rho")
    _check_dense_size(n_qubits)
    rho = rho.astype(np.complex128, copy=False)
    tensor = reverse_qubit_axes(rho.reshape((2,) * (2 * n_qubits)), n_qubits)
    # interleave (row_k, col_k) so that axis k of the result is qubit k's 4-index 2 r + c
    order = [ax for k in range(n_qubits) for ax in (k, n_qubits + k)]
    tensor = tensor.transpose(order).reshape((4,) * n_qubits)
    out = _apply_per_qubit(tensor, _TO_PAULI, n_qubits)
    return np.ascontiguousarray(out.real.reshape((4,) * n_qubits))


def pauli_to_dense(pauli_tensor: Any) -> np.ndarray:
    """Qiskit-ordered density matrix from ttqst-ordered Pauli coefficients.

    Inverse of :func:`dense_to_pauli`: ``rho = 2^-n sum_p X(p) sigma_p``.

    Parameters
    ----------
    pauli_tensor : array_like, shape (4,) * n, real
        Axis 0 = qubit 0. ``n <= 12``.

    Returns
    -------
    ndarray, shape (2^n, 2^n), complex128
        In Qiskit's little-endian order.
    """
    x = np.asarray(pauli_tensor, dtype=np.float64)
    n_qubits = x.ndim
    if n_qubits < 1 or x.shape != (4,) * n_qubits:
        raise ValueError(
            f"pauli_tensor has shape {x.shape}, expected (4,) * n with one axis per qubit; "
            "reshape a flat vector with .reshape((4,) * n)"
        )
    _check_dense_size(n_qubits)
    tensor = _apply_per_qubit(x.astype(np.complex128), _FROM_PAULI, n_qubits)
    tensor = tensor.reshape((2,) * (2 * n_qubits))
    # axes are (r_0, c_0, r_1, c_1, ...): split rows and columns, then go to Qiskit order
    order = list(range(0, 2 * n_qubits, 2)) + list(range(1, 2 * n_qubits, 2))
    tensor = reverse_qubit_axes(tensor.transpose(order), n_qubits)
    return np.ascontiguousarray(tensor.reshape(2**n_qubits, 2**n_qubits))


def check_operator_qubits(matrix: np.ndarray, name: str = "matrix") -> int:
    """The number of qubits of a dense operator.

    Parameters
    ----------
    matrix : ndarray, shape (2^n, 2^n)
    name : str, default="matrix"
        Argument name for the message.

    Returns
    -------
    int
        ``n >= 1``.

    Raises
    ------
    ValueError
        Not square, or a side that is not a power of two ``>= 2``.
    """
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"`{name}` must be a square matrix (2^n, 2^n), got shape {matrix.shape}")
    dim = matrix.shape[0]
    n_qubits = dim.bit_length() - 1
    if dim < 2 or 2**n_qubits != dim:
        raise ValueError(f"`{name}` has side {dim}, expected a power of two 2^n >= 2")
    return n_qubits


def _to_qiskit_channel(channel: Any) -> Any:
    """Return something ``qiskit.quantum_info.PTM`` accepts."""
    if isinstance(channel, QuantumChannel | Operator):
        return channel
    if hasattr(channel, "to_quantumchannel"):  # qiskit_aer QuantumError
        return channel.to_quantumchannel()
    if isinstance(channel, Instruction):
        if channel.name in CHANNEL_INSTRUCTIONS:
            return SuperOp(channel)
        try:
            return Operator(channel)
        except Exception as exc:  # qiskit raises several types for non-unitary instructions
            raise ValueError(
                f"instruction {channel.name!r} has no unitary matrix, so no PTM; pass a "
                "unitary gate, a QuantumError or a Kraus/SuperOp/Chi channel"
            ) from exc
    matrix = np.asarray(channel)
    if matrix.dtype == object or not np.issubdtype(matrix.dtype, np.number):
        raise TypeError(
            f"cannot make a PTM from {type(channel).__name__}: expected a unitary matrix, a "
            "qiskit Gate/Operator, a qiskit_aer QuantumError or a Kraus/SuperOp/Chi/PTM"
        )
    check_operator_qubits(matrix)
    if not np.allclose(matrix.conj().T @ matrix, np.eye(matrix.shape[0]), atol=1e-10):
        raise ValueError(
            "matrix is not unitary (U^dagger U != I within 1e-10); pass a channel such as "
            "qiskit.quantum_info.Kraus for non-unitary maps"
        )
    return Operator(matrix)


def ptm(channel: Any, n_qubits: int) -> np.ndarray:
    """Pauli transfer matrix of a gate or channel, in ttqst index order.

    ``R[p, q] = 2^-k tr(sigma_p E(sigma_q))`` with multi-index ``p = 4 p_a + p_b`` for an
    operation on qubits ``(a, b)`` (its first qubit, i.e. Qiskit's qubit 0 of the operation,
    is the MOST significant digit; Qiskit's own ``PTM`` makes it the least significant).

    Parameters
    ----------
    channel : array_like or qiskit object
        A unitary matrix ``(2^k, 2^k)`` in Qiskit order, a qiskit ``Gate``/``Operator``, a
        ``qiskit_aer.noise.QuantumError``, a ``Kraus``/``SuperOp``/``Chi``/``Choi``/``PTM``, or
        a ``kraus``/``superop``/``quantum_channel`` circuit instruction.
    n_qubits : int
        Expected number of qubits k it acts on (checked).

    Returns
    -------
    ndarray, shape (4^k, 4^k), float64

    Raises
    ------
    ValueError
        If the channel acts on a different number of qubits, is a non-unitary matrix or
        instruction, or its PTM is not real (not Hermiticity preserving).
    TypeError
        If ``channel`` is of an unsupported type.
    """
    qchannel = _to_qiskit_channel(channel)
    if qchannel.num_qubits != n_qubits:
        raise ValueError(
            f"channel acts on {qchannel.num_qubits} qubits, expected n_qubits={n_qubits}"
        )
    data = np.asarray(PTM(qchannel).data)
    if np.iscomplexobj(data):
        if np.max(np.abs(data.imag), initial=0.0) > 1e-10:
            raise ValueError(
                "channel PTM has imaginary entries above 1e-10: the map is not Hermiticity "
                "preserving, so it has no real PTM"
            )
        data = data.real
    dim = 4**n_qubits
    tensor = reverse_qubit_axes(data.reshape((4,) * (2 * n_qubits)), n_qubits)
    return np.ascontiguousarray(tensor.reshape(dim, dim), dtype=np.float64)
