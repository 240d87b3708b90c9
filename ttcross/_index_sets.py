"""Index sets of :func:`ttcross.tt_cross`: multi-indices as int64 arrays, one row each.

At cut ``k`` a left set is (r, k+1) over modes ``0..k`` and a right set (r', d-k-1) over modes
``k+1..d-1``; the sets are nested (every prefix of a left row is a row of the set before).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_EMPTY = np.zeros((1, 0), dtype=np.int64)  # the index set of zero modes (never written to)


def _block_indices(left: np.ndarray, sizes: Sequence[int], right: np.ndarray) -> np.ndarray:
    """All multi-indices ``(left[a], i..., right[b])`` in C order (a, i..., b).

    Parameters
    ----------
    left : ndarray of int64, shape (a, p)
    sizes : sequence of int
        Sizes of the free modes between ``left`` and ``right``.
    right : ndarray of int64, shape (b, q)

    Returns
    -------
    ndarray of int64, shape (a * prod(sizes) * b, p + len(sizes) + q)
    """
    mid = np.indices(tuple(sizes)).reshape(len(sizes), -1).T
    ia, im, ib = np.unravel_index(
        np.arange(len(left) * len(mid) * len(right)), (len(left), len(mid), len(right))
    )
    return np.hstack([left[ia], mid[im], right[ib]]).astype(np.int64, copy=False)


def _unique_rows(rows: np.ndarray) -> np.ndarray:
    """Rows without repeats, first occurrences in their original order."""
    if len(rows) == 0:
        return rows
    _, first = np.unique(rows, axis=0, return_index=True)
    return rows[np.sort(first)]


def _mirror_sets(sets: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Index sets of the mirrored tensor: cut k <-> cut d-2-k, columns reversed."""
    return [np.ascontiguousarray(s[:, ::-1]) for s in reversed(sets)]


def _random_nested_sets(
    shape: tuple[int, ...], rank: int, rng: np.random.Generator
) -> list[np.ndarray]:
    """Nested right sets of (at most) ``rank`` random suffixes, ``sets[k]`` (r, d-k-1)."""
    d = len(shape)
    sets: list[np.ndarray] = [_EMPTY] * (d - 1)
    suffix = _EMPTY
    for k in range(d - 2, -1, -1):
        candidates = _block_indices(_EMPTY, (shape[k + 1],), suffix)
        pick = rng.choice(len(candidates), size=min(rank, len(candidates)), replace=False)
        suffix = candidates[np.sort(pick)]
        sets[k] = suffix
    return sets


def _add_paths(sets: list[np.ndarray], points: np.ndarray, side: str) -> list[np.ndarray]:
    """Add the prefixes (``side="left"``) or suffixes of ``points`` (m, d) at every cut.

    Adding whole paths keeps nested sets nested.
    """
    out = []
    for k, current in enumerate(sets):
        part = points[:, : k + 1] if side == "left" else points[:, k + 1 :]
        out.append(_unique_rows(np.vstack([current, part])))
    return out


def _find_rows(candidates: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Positions in ``candidates`` (m, p) of the rows of ``points`` (q, p) found there."""
    if len(points) == 0:
        return np.zeros(0, dtype=np.int64)
    lookup = {row.tobytes(): i for i, row in enumerate(np.ascontiguousarray(candidates))}
    found = {lookup.get(row.tobytes()) for row in np.ascontiguousarray(points)}
    return np.array(sorted(found - {None}), dtype=np.int64)
