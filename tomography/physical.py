"""Repair of an estimated state into a density matrix (method note, section 7).

:func:`make_physical`: divide by the trace ``X(0..0)`` first, take the Hermitian part, then
replace its eigenvalues by their Euclidean projection onto the probability simplex
(:func:`project_to_simplex`), keeping the eigenvectors. This is the Frobenius-nearest density
matrix (Smolin, Gambetta, Smith, arXiv:1106.5458), not a clip-and-renormalise. What it changed is
returned in a :class:`PhysicalRepair`; nothing is repaired silently. The dense metrics of
:mod:`tomography.metrics` use it (and re-export these names).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ttcross.validation import check_finite

from ._state_input import State, _as_state, _dense_matrix

__all__ = ["PhysicalRepair", "make_physical", "project_to_simplex"]


# ---------------------------------------------------------------------- results
@dataclass(frozen=True)
class PhysicalRepair:
    """What :func:`make_physical` changed.

    Attributes
    ----------
    trace_before : float
        Real part of ``tr rho`` of the input (``X(0..0)``); the input is divided by it.
    negativity : float
        Sum of ``|lambda|`` over the negative eigenvalues of the Hermitian part of
        ``rho / tr rho``: 0 for a state.
    min_eigenvalue : float
        Smallest eigenvalue of that Hermitian part.
    distance : float
        Trace norm ``||rho_phys - H||_1`` of the change, ``H`` the Hermitian part of
        ``rho / tr rho`` (the sum of the eigenvalue changes).
    anti_hermitian_norm : float
        Frobenius norm of the anti-Hermitian part of ``rho / tr rho``, dropped (0 for input
        from a :class:`PauliMPO`).
    rank : int
        Numerical rank of the repaired state: eigenvalues above ``dim * eps * max``.
    """

    trace_before: float
    negativity: float
    min_eigenvalue: float
    distance: float
    anti_hermitian_norm: float
    rank: int

    def to_dict(self) -> dict[str, float | int]:
        """JSON-ready dictionary of the fields."""
        return {
            "trace_before": self.trace_before,
            "negativity": self.negativity,
            "min_eigenvalue": self.min_eigenvalue,
            "distance": self.distance,
            "anti_hermitian_norm": self.anti_hermitian_norm,
            "rank": self.rank,
        }


# ---------------------------------------------------------------------- simplex and repair
def project_to_simplex(values: Any) -> np.ndarray:
    """Euclidean projection onto the probability simplex.

    ``argmin_p ||p - v||_2`` subject to ``p >= 0``, ``sum p = 1``; sort-based algorithm of
    Duchi, Shalev-Shwartz, Singer, Chandra, "Efficient projections onto the l1-ball for
    learning in high dimensions", ICML 2008 (Fig. 1): ``p = max(v - theta, 0)``.

    Parameters
    ----------
    values : array_like, shape (m,), real
        The vector ``v``, m >= 1, finite.

    Returns
    -------
    ndarray, shape (m,), float64
        Nonnegative, summing to 1 (up to round-off).

    Raises
    ------
    TypeError
        Complex or non-numeric input.
    ValueError
        Not 1-D, empty, NaN or infinite entries.
    """
    v = np.asarray(values)
    if v.dtype == object or not (np.issubdtype(v.dtype, np.number) or v.dtype == bool):
        raise TypeError(f"`values` must be a real array, got dtype {v.dtype}")
    if np.iscomplexobj(v):
        raise TypeError("`values` must be real, got a complex array; pass eigenvalues (real)")
    if v.ndim != 1 or v.size == 0:
        raise ValueError(
            f"`values` must be a non-empty 1-D array, got shape {v.shape}; flatten it first"
        )
    v = check_finite(v.astype(np.float64), "values")
    u = np.sort(v)[::-1]
    excess = np.cumsum(u) - 1.0
    counts = np.arange(1, v.size + 1)
    rank = int(counts[u - excess / counts > 0][-1])  # the first entry always qualifies
    theta = excess[rank - 1] / rank
    return np.maximum(v - theta, 0.0)


def make_physical(rho: State) -> tuple[np.ndarray, PhysicalRepair]:
    """The nearest density matrix to ``rho / tr rho``, and what changed.

    Steps: divide by the (real part of the) trace, i.e. ``X(0..0)``; take the Hermitian part
    ``H``; eigendecompose ``H = V diag(lambda) V^dagger``; return ``V diag(p) V^dagger`` with
    ``p`` the Euclidean projection of ``lambda`` onto the probability simplex
    (:func:`project_to_simplex`). This is the Frobenius-nearest density matrix to ``H``
    (arXiv:1106.5458); unlike clip-and-renormalise it keeps the trace without rescaling.

    Parameters
    ----------
    rho : PauliMPO or array_like, shape (2^n, 2^n)
        Qiskit-ordered matrix (complex or real), n <= 12.

    Returns
    -------
    physical : ndarray, shape (2^n, 2^n), complex128
        Hermitian, positive semidefinite, trace 1.
    info : PhysicalRepair
        Trace before, negativity, smallest eigenvalue, trace-norm distance moved.

    Raises
    ------
    ValueError
        Non-square or non-power-of-two shape, NaN/inf, n > 12, or a trace that is not
        positive (nothing to normalise by).
    TypeError
        Input that is neither a PauliMPO nor a numeric array.
    """
    return _repair(_dense_matrix(_as_state(rho, "rho"), "rho", "make_physical"), "rho")


def _repair(matrix: np.ndarray, name: str) -> tuple[np.ndarray, PhysicalRepair]:
    """:func:`make_physical` on a validated complex matrix."""
    probabilities, vectors, info = _repair_spectrum(matrix, name)
    return _from_spectrum(probabilities, vectors), info


def _repair_spectrum(
    matrix: np.ndarray, name: str
) -> tuple[np.ndarray, np.ndarray, PhysicalRepair]:
    """Eigenvalues ``(d,)`` and eigenvectors ``(d, d)`` of the repaired state, and the report."""
    trace = float(np.trace(matrix).real)
    if not trace > 0:
        raise ValueError(
            f"cannot make `{name}` physical: its trace is {trace:.3g}, expected > 0 to normalise "
            "by; a reconstruction with X(0..0) <= 0 has failed"
        )
    normalised = matrix / trace
    hermitian = 0.5 * (normalised + normalised.conj().T)
    eigenvalues, vectors = np.linalg.eigh(hermitian)
    probabilities = project_to_simplex(eigenvalues)
    info = PhysicalRepair(
        trace_before=trace,
        negativity=float(np.abs(eigenvalues[eigenvalues < 0]).sum()),
        min_eigenvalue=float(eigenvalues[0]),
        distance=float(np.abs(probabilities - eigenvalues).sum()),
        anti_hermitian_norm=float(np.linalg.norm(normalised - hermitian)),
        rank=int(np.count_nonzero(probabilities > _round_off(probabilities))),
    )
    return probabilities, vectors, info


def _from_spectrum(weights: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """``V diag(w) V^dagger`` over the nonzero weights, exactly Hermitian."""
    keep = weights > 0
    support = vectors[:, keep]
    matrix = (support * weights[keep]) @ support.conj().T
    return 0.5 * (matrix + matrix.conj().T)


def _round_off(eigenvalues: np.ndarray) -> float:
    """``dim * eps * max``: eigenvalues below it are indistinguishable from zero."""
    return eigenvalues.size * np.finfo(np.float64).eps * max(float(eigenvalues.max()), 0.0)
