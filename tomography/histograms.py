"""Outcome histograms of a window of qubits, their readout correction and correlators.

One implementation for both users: :meth:`tomography.measure.MeasurementData.window_estimates`
(mitigated expectations) and the counts likelihood of :func:`tomography.refine.refine` (raw
counts against the model's readout-distorted probabilities).

Conventions. A window has ``w`` qubits ``start .. start + w - 1``; an outcome (or a mask)
``o`` in ``0 .. 2^w - 1`` has bit ``i`` for qubit ``start + i`` (bit 0 least significant), so
after a C-ordered reshape to ``(..., 2, ..., 2)`` bit ``i`` is axis ``-1 - i``. A local Pauli
string is an index into ``4^w`` in C order (the first qubit most significant).
"""

from __future__ import annotations

import numpy as np

from ttcross import contract as ct

__all__ = [
    "outcome_masks",
    "window_strings",
    "window_histograms",
    "apply_assignment",
    "walsh_hadamard",
]


def outcome_masks(width: int) -> np.ndarray:
    """Bits of every outcome (or mask) of ``width`` qubits.

    Returns
    -------
    ndarray of int, shape (2^width, width)
        ``masks[o, i]`` is bit ``i`` (qubit ``i`` of the window) of ``o``.
    """
    return (np.arange(2**width)[:, None] >> np.arange(width)) & 1


def window_strings(basis_indices: np.ndarray, start: int, width: int) -> np.ndarray:
    """Local Pauli string measured by each setting for each outcome mask.

    Parameters
    ----------
    basis_indices : ndarray of int, shape (S, n)
        Measured basis per setting and qubit, 1..3 for X, Y, Z.
    start, width : int
        The window.

    Returns
    -------
    ndarray of int, shape (S, 2^width)
        Index into ``4^width`` (C order) of the string whose expectation is the correlator of
        each mask: the setting's letters on the mask's qubits, identity elsewhere.
    """
    bases = basis_indices[:, start : start + width]  # (S, width)
    digits = bases[:, None, :] * outcome_masks(width)[None, :, :]  # (S, 2^w, width)
    return digits @ (4 ** np.arange(width - 1, -1, -1))


def window_histograms(
    data, start: int, width: int, weights: np.ndarray | None = None
) -> np.ndarray:
    """Counts of every outcome of a window, per setting.

    Parameters
    ----------
    data : MeasurementData
        Supplies ``outcomes`` (K, n) bits, ``setting_index`` (K,), ``counts`` (K,) and
        ``design.n_settings``.
    start, width : int
        The window.
    weights : ndarray, shape (K,), optional
        Counts to histogram instead of ``data.counts`` (e.g. a training share of them).

    Returns
    -------
    ndarray, shape (S, 2^width), float64
        ``hist[s, o]``: shots of setting ``s`` whose bits on the window spell ``o``.
    """
    weights = data.counts if weights is None else weights
    pattern = data.outcomes[:, start : start + width].astype(np.int64) @ (1 << np.arange(width))
    hist = np.bincount(
        data.setting_index * 2**width + pattern,
        weights=weights,
        minlength=data.design.n_settings * 2**width,
    )
    return hist.reshape(-1, 2**width)


def apply_assignment(
    probs: np.ndarray, matrices: np.ndarray, *, transpose: bool = False
) -> np.ndarray:
    """Apply one 2 x 2 matrix per qubit to distributions over a window's outcomes.

    ``out[s] = (M_{w-1} (x) ... (x) M_0) probs[s]`` with ``M_i`` acting on bit ``i``: with the
    assignment matrices ``A[measured, true]`` this turns true into measured probabilities,
    with their inverses it corrects counts for readout. Bits are done in order 0, 1, ...

    Parameters
    ----------
    probs : ndarray, shape (S, 2^w)
    matrices : ndarray, shape (w, 2, 2)
        ``matrices[i]`` for bit ``i``.
    transpose : bool, default=False
        Apply the transposes (the reverse-mode map).

    Returns
    -------
    ndarray, shape (S, 2^w)
    """
    w = len(matrices)
    stack = [m.T if transpose else m for m in matrices]
    out = ct.apply_axis_matrices(probs.reshape((-1,) + (2,) * w), stack, [w - i for i in range(w)])
    return out.reshape(-1, 2**w)


def walsh_hadamard(hist: np.ndarray, width: int) -> np.ndarray:
    """Correlators ``out[s, m] = sum_o hist[s, o] (-1)^popcount(o & m)``, by butterflies.

    Parameters
    ----------
    hist : ndarray, shape (S, 2^width)
    width : int

    Returns
    -------
    ndarray, shape (S, 2^width), float64
    """
    out = np.array(hist, dtype=np.float64).reshape((-1,) + (2,) * width)
    for axis in range(1, width + 1):
        a = np.take(out, 0, axis=axis)
        b = np.take(out, 1, axis=axis)
        out = np.stack([a + b, a - b], axis=axis)
    return out.reshape(-1, 2**width)
