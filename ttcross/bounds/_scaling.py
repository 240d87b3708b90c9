"""The data in the frame of scaled pseudo-inverses (private, for ``cross_error_bound(scales=)``).

``W'_k = diag(1/a_k) W_k diag(1/b_k)`` and ``C'_k = diag(1/a_{k-1}) C_k diag(1/b_k)`` give the
same cross as ``C_k``, ``W_k``; the bound of the rescaled data bounds the same ``A_hat``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import _per_block


class NoiseModel(NamedTuple):
    """The noise of the samples as stated by the caller (at most one of the two levels).

    Attributes
    ----------
    noise_std, noise_max : float, (fibre arrays, intersection arrays) or None
        Gaussian standard deviations or bounded magnitudes, as in :func:`noise_bounds`.
    confidence : float
        Probability the Gaussian bounds hold with.
    """

    noise_std: float | tuple | None
    noise_max: float | tuple | None
    confidence: float


class ScaledData(NamedTuple):
    """The data in the frame of the scaled inverses (see :func:`_rescale`).

    Attributes
    ----------
    fibres : list of d ndarrays, ``fibres[k]`` (r[k-1], n[k], r'[k])
    intersections : list of d-1 ndarrays, ``intersections[k]`` (r[k], r'[k])
    noise : NoiseModel
        Per-entry levels scaled as the entries.
    sampled_model_error : (list of d float, list of d-1 float) or None
        Per-block bounds scaled by ``1 / (min a min b)``.
    """

    fibres: list[np.ndarray]
    intersections: list[np.ndarray]
    noise: NoiseModel
    sampled_model_error: tuple[list[float], list[float]] | None


def _check_scales(scales, wks: list[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
    """One ``(row_scale (r[k],), col_scale (r'[k],))`` pair per cut, ``None`` as ones."""
    if len(scales) != len(wks):
        raise ValueError(
            f"`scales` needs one (row, column) pair per cut ({len(wks)}), got {len(scales)}"
        )
    pairs = []
    for k, pair in enumerate(scales):
        if pair is None:
            pairs.append((np.ones(wks[k].shape[0]), np.ones(wks[k].shape[1])))
            continue
        a, b = (np.asarray(v, dtype=float) for v in pair)
        if a.shape != (wks[k].shape[0],) or b.shape != (wks[k].shape[1],):
            raise ValueError(
                f"scales[{k}] must have shapes ({wks[k].shape[0]},) and ({wks[k].shape[1]},), "
                f"got {a.shape} and {b.shape}"
            )
        if not (
            np.all(a > 0) and np.all(b > 0) and np.all(np.isfinite(a)) and np.all(np.isfinite(b))
        ):
            raise ValueError(f"scales[{k}] must be finite and positive")
        pairs.append((a, b))
    return pairs


class _Frame(NamedTuple):
    """Row and column scales of every block: ``rows[k]`` (r[k-1],) and ``cols[k]`` (r'[k],)
    for fibre ``k``, ``pairs[k]`` ((r[k],), (r'[k],)) for intersection ``k``."""

    rows: list[np.ndarray]
    cols: list[np.ndarray]
    pairs: list[tuple[np.ndarray, np.ndarray]]

    def scale(self, blocks: list[np.ndarray]) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Blocks (d fibres, then d-1 intersections, or arrays of their shapes) divided by the
        scales entry by entry, as (fibres, intersections)."""
        d = len(self.rows)
        fibres = [
            c / self.rows[k][:, None, None] / self.cols[k][None, None, :]
            for k, c in enumerate(blocks[:d])
        ]
        inters = [w / np.outer(*self.pairs[k]) for k, w in enumerate(blocks[d:])]
        return fibres, inters

    def lows(self) -> list[float]:
        """``min a min b`` per block: the least factor an entry of it is divided by."""
        fibres = [r.min() * c.min() for r, c in zip(self.rows, self.cols, strict=True)]
        return fibres + [a.min() * b.min() for a, b in self.pairs]


def _rescale(
    fib: list[np.ndarray], wks: list[np.ndarray], scales, noise: NoiseModel, sampled
) -> ScaledData:
    """The blocks in the frame of the scaled inverses (see ``regularized_pinv``).

    ``W'_k = diag(1/a_k) W_k diag(1/b_k)`` and ``C'_k = diag(1/a_{k-1}) C_k diag(1/b_k)``
    give the same cross (the scales cancel between ``C'_k X'_k`` and ``C'_{k+1}``), so the
    bound of the scaled data is a bound of the same ``A_hat``. Noise levels are scaled entry
    by entry; sampled model errors (norms) by ``1 / (min a min b)``, an upper bound.
    """
    d = len(fib)
    pairs = _check_scales(scales, wks)
    frame = _Frame(
        [np.ones(1)] + [a for a, _ in pairs], [b for _, b in pairs] + [np.ones(1)], pairs
    )
    std = _per_block(noise.noise_std, fib, wks, "noise_std")
    top = _per_block(noise.noise_max, fib, wks, "noise_max")
    noise = noise._replace(
        noise_std=noise.noise_std if std is None else frame.scale(std),
        noise_max=noise.noise_max if top is None else frame.scale(top),
    )
    if sampled is not None:
        if np.isscalar(sampled):
            values = [float(sampled)] * (2 * d - 1)
        else:
            values = [float(v) for v in list(sampled[0]) + list(sampled[1])]
        values = [v / low for v, low in zip(values, frame.lows(), strict=True)]
        sampled = (values[:d], values[d:])
    fibres, inters = frame.scale(fib + wks)
    return ScaledData(fibres, inters, noise, sampled)
