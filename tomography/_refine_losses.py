"""The two losses of the refinement, per window: least squares and the counts likelihood.

A *head* turns the model values of one window into a loss: ``head(j, model)`` takes the model's
Pauli coefficients ``X(s) / X(0..0)`` (4^w,) of window ``j`` (C order) and returns the window's
training and holdout sums and the derivative of the training loss (already divided by
``n_train``) with respect to them. Attributes ``window``, ``n_train`` and ``n_holdout`` say
the window width and the size of both sets.

- :class:`_LsqHead` (``loss="lsq"``): ``sum_s (X(s) / X(0..0) - y_s)^2 / max(v_s,
  VARIANCE_FLOOR)`` over the strings a window owns, with ``y_s, v_s`` from
  :meth:`MeasurementData.window_estimates`; strings held out at random.
- :class:`_CountsHead` (``loss="nll"``): ``-sum_settings sum_o h(o) log p_raw(o)``, the raw
  counts of every setting on the window against the model's outcome distribution distorted by
  the readout assignment; shots held out by binomial thinning of the counts. Histograms and
  readout come from :mod:`tomography.histograms`, as for the data's own estimates.
"""

from __future__ import annotations

import math

import numpy as np

from .histograms import apply_assignment, outcome_masks, window_histograms, window_strings

VARIANCE_FLOOR = 1e-12
"""Smallest variance used in a weight (exact data has variance 0)."""


class _LsqHead:
    """Weighted least squares on the window estimates; strings held out at random.

    ``values[j]`` (4^w,) are the estimates of window ``j``; ``train[j]`` / ``hold[j]`` are
    ``1 / max(v, floor)`` on the strings of that set and 0 elsewhere (the identity and strings
    owned by another window are 0 in both).
    """

    def __init__(self, data, holdout: float, rng: np.random.Generator):
        n, w = data.n, data.design.window
        values, weights, owned = [], [], []
        for j in range(n - w + 1):
            est = data.window_estimates(j)
            values.append(est.mean.ravel())
            weights.append(1.0 / np.maximum(est.variance.ravel(), VARIANCE_FLOOR))
            owned.append(_owned_strings(w, last=j == n - w))
        values, weights, owned = np.array(values), np.array(weights), np.array(owned)
        flat = np.flatnonzero(owned.ravel())
        n_holdout = int(round(holdout * flat.size))
        if flat.size - n_holdout < 1:
            raise ValueError(
                f"holdout {holdout} leaves no string to fit out of {flat.size}; lower `holdout`"
            )
        held = np.zeros(owned.size, dtype=bool)
        held[rng.choice(flat, size=n_holdout, replace=False)] = True
        held = held.reshape(owned.shape)
        train = owned & ~held
        self.window = w
        self.values = values
        self.train = np.where(train, weights, 0.0)
        self.hold = np.where(held, weights, 0.0)
        self.n_train = int(train.sum())
        self.n_holdout = n_holdout

    def __call__(self, j: int, model: np.ndarray) -> tuple[float, float, np.ndarray]:
        """Train and holdout sums of window ``j`` and d(train / n_train)/d(model)."""
        residual = model - self.values[j]
        residual[0] = 0.0
        weighted = self.train[j] * residual
        train = float(weighted @ residual)
        hold = float((self.hold[j] * residual) @ residual)
        return train, hold, 2.0 * weighted / self.n_train

    @classmethod
    def uniform(cls, windows: list[np.ndarray]) -> _LsqHead:
        """Unit weights on every non-identity string of the given window tensors, no holdout."""
        head = cls.__new__(cls)
        head.window = round(math.log(windows[0].size, 4))
        head.values = np.array([v.ravel() for v in windows])
        head.train = np.ones_like(head.values)
        head.train[:, 0] = 0.0
        head.hold = np.zeros_like(head.values)
        head.n_train = int(head.train.sum())
        head.n_holdout = 0
        return head


def _owned_strings(w: int, *, last: bool) -> np.ndarray:
    """Local strings (4^w,) a window owns: first letter non-identity, or any non-identity."""
    strings = np.arange(4**w)
    if last:
        return strings != 0
    return strings >= 4 ** (w - 1)  # C order: the first letter is the most significant digit


class _CountsHead:
    """Negative log-likelihood of the raw counts of every setting on every window.

    Per window ``j``: ``strings[j]`` (S, 2^w) the local string (index into 4^w) whose
    expectation is the correlator of each outcome mask in each setting, ``train[j]`` and
    ``hold[j]`` (S, 2^w) the counts, ``assignment[j]`` (w, 2, 2) or None.
    """

    def __init__(self, data, holdout: float, rng: np.random.Generator):
        n, w = data.n, data.design.window
        counts = np.asarray(data.counts, dtype=np.int64)
        held_counts = rng.binomial(counts, holdout) if holdout > 0 else np.zeros_like(counts)
        masks = outcome_masks(w)  # (2^w, w): bit i = site i
        self.hadamard = (-1.0) ** (masks @ masks.T)  # (2^w, 2^w) symmetric
        self.window = w
        self.strings, self.train, self.hold, self.floor, self.assignment = [], [], [], [], []
        per_setting = np.bincount(
            data.setting_index, weights=counts, minlength=data.design.n_settings
        )
        if np.any(per_setting <= 0):
            raise ValueError("loss 'nll' needs shots in every setting")
        for j in range(n - w + 1):
            self.strings.append(window_strings(data.design.basis_indices, j, w))
            self.train.append(window_histograms(data, j, w, weights=counts - held_counts))
            self.hold.append(window_histograms(data, j, w, weights=held_counts))
            self.floor.append((0.1 / per_setting)[:, None])
            assignment = None if data.assignment is None else data.assignment[j : j + w]
            self.assignment.append(assignment)
        self.n_train = int(sum(h.sum() for h in self.train))
        self.n_holdout = int(sum(h.sum() for h in self.hold))
        if self.n_train < 1:
            raise ValueError(f"holdout {holdout} leaves no shot to fit; lower `holdout`")

    def __call__(self, j: int, model: np.ndarray) -> tuple[float, float, np.ndarray]:
        """Train and holdout sums of window ``j`` and d(train / n_train)/d(model)."""
        w = self.window
        correlators = model[self.strings[j]]  # (S, 2^w)
        probs = self._readout(correlators @ self.hadamard / 2**w, j, transpose=False)
        value, slope = _neg_log(probs, self.floor[j])
        train = float((self.train[j] * value).sum())
        hold = float((self.hold[j] * value).sum())
        probs_bar = self._readout(self.train[j] * slope / self.n_train, j, transpose=True)
        correlators_bar = probs_bar @ self.hadamard / 2**w
        model_bar = np.bincount(
            self.strings[j].ravel(), weights=correlators_bar.ravel(), minlength=4**w
        )
        return train, hold, model_bar

    def _readout(self, probs: np.ndarray, j: int, *, transpose: bool) -> np.ndarray:
        """Apply window ``j``'s assignment matrices (or their transposes): (S, 2^w)."""
        matrices = self.assignment[j]
        if matrices is None:
            return probs
        return apply_assignment(probs, matrices, transpose=transpose)


def _neg_log(p: np.ndarray, floor: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``-log p`` and its derivative, continued below ``floor`` by its Taylor polynomial."""
    safe = np.maximum(p, floor)
    below = p < floor
    d = np.where(below, p - floor, 0.0)
    value = -np.log(safe) - d / floor + 0.5 * (d / floor) ** 2
    slope = np.where(below, -1.0 / floor + d / floor**2, -1.0 / safe)
    return value, slope
