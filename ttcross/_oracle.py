"""Cached, counted, budgeted access to the batched oracle of :func:`ttcross.tt_cross`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .interpolate import call_oracle


class _BudgetExhausted(Exception):
    """The next batch would pass ``max_evals``."""


class _Oracle:
    """Cached, counted, budgeted access to ``f``: no multi-index is asked twice."""

    def __init__(self, f: Callable[[np.ndarray], np.ndarray], max_evals: int | None):
        self._f = f
        self._cache: dict[bytes, float | complex] = {}
        self.max_evals = max_evals
        self.n_evals = 0
        self.n_hits = 0

    @property
    def remaining(self) -> int | None:
        """Entries still affordable (``None``: no budget)."""
        return None if self.max_evals is None else self.max_evals - self.n_evals

    def __call__(self, idx: np.ndarray) -> np.ndarray:
        """Values at ``idx`` (M, d) int64, asking ``f`` only for entries not seen before."""
        idx = np.ascontiguousarray(idx, dtype=np.int64)
        keys = idx.view(np.dtype((np.void, 8 * idx.shape[1]))).ravel().tolist()
        new = {}
        for row, key in enumerate(keys):
            if key not in self._cache and key not in new:
                new[key] = row
        if new:
            if self.remaining is not None and len(new) > self.remaining:
                raise _BudgetExhausted
            rows = np.fromiter(new.values(), dtype=np.int64, count=len(new))
            values = call_oracle(self._f, idx[rows])
            values = values.astype(np.result_type(values.dtype, np.float64), copy=False)
            self._cache.update(zip(new, values.tolist(), strict=True))
            self.n_evals += len(new)
        self.n_hits += len(keys) - len(new)
        return np.array([self._cache[key] for key in keys])
