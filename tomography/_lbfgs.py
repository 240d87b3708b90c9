"""An L-BFGS-B run over a parameter vector with a held-out loss: history, best iterate, stop.

Generic over the objective: :class:`_Run` takes ``evaluate(x) -> (train, holdout,
gradient)`` and minimises the training loss, records both losses per iteration, keeps the
iterate with the lowest holdout loss (the training loss when nothing is held out), stops early
when the holdout loss stalls, and names why it stopped (one of
:data:`tomography.refine.STOP_REASONS`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.optimize import minimize


class _NonFiniteLoss(Exception):
    """A loss or gradient evaluation gave NaN or infinity."""


class _Stop(Exception):
    """Raised by the iteration hook to end the run with a reason."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class _Run:
    """One L-BFGS-B run: evaluation cache, history, early stop, progress.

    Parameters
    ----------
    evaluate : callable
        ``evaluate(x) -> (train_loss, holdout_loss, gradient)`` with ``x`` and ``gradient``
        (n_params,); the training loss is minimised.
    x0 : ndarray, shape (n_params,)
    patience : int
        Iterations without a holdout improvement before stopping.
    holdout : bool
        Whether a holdout loss exists (else the training loss picks the best iterate).
    callback : callable, optional
        ``callback(iteration, train_loss, holdout_loss)``; True stops the run.
    """

    def __init__(
        self,
        evaluate: Callable[[np.ndarray], tuple[float, float, np.ndarray]],
        x0: np.ndarray,
        *,
        patience: int,
        holdout: bool,
        callback: Callable[[int, float, float], object] | None = None,
    ):
        self._evaluate = evaluate
        self.x0 = x0
        self.patience = patience
        self.holdout = holdout
        self.callback = callback
        self.history: list[tuple[float, float]] = []
        self.best_x = x0.copy()
        self.best_score = np.inf
        self.best_iteration = 0
        self._cache: tuple[np.ndarray, float, float, np.ndarray] | None = None
        self._report: Callable[[int], object] | None = None

    def evaluate(self, x: np.ndarray) -> tuple[float, float, np.ndarray]:
        """Losses and gradient at ``x`` (cached for the last ``x``); raises _NonFiniteLoss."""
        if self._cache is not None and np.array_equal(self._cache[0], x):
            return self._cache[1:]
        train, hold, gradient = self._evaluate(x)
        if not (np.isfinite(train) and np.isfinite(gradient).all()):
            raise _NonFiniteLoss
        self._cache = (x.copy(), train, hold, gradient)
        return train, hold, gradient

    def objective(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        train, _, gradient = self.evaluate(x)
        return train, gradient

    def record(self, x: np.ndarray) -> None:
        """Append the losses at ``x``, track the best iterate, raise _Stop when done."""
        train, hold, _ = self.evaluate(x)
        self.history.append((train, hold))
        iteration = len(self.history) - 1
        if self._report is not None and iteration:
            self._report(iteration)
        score = hold if self.holdout else train
        if score < self.best_score:
            self.best_score, self.best_x, self.best_iteration = score, x.copy(), iteration
        elif self.holdout and iteration - self.best_iteration >= self.patience:
            raise _Stop("holdout")
        if self.callback is not None and self.callback(iteration, train, hold):
            raise _Stop("callback")

    def minimize(self, max_iters: int, progress: Callable[[int, int], object] | None = None) -> str:
        """Run L-BFGS-B from ``x0``; returns the stop reason.

        ``progress(done, max_iters)`` is called with the iterations done before the first
        iteration, after each one and once at the end.

        Raises
        ------
        ValueError
            The loss or gradient at ``x0`` is not finite.
        """
        if progress is not None:
            self._report = lambda done: progress(done, max_iters)
            self._report(0)
        try:
            return self._minimize(max_iters)
        finally:
            if self._report is not None:
                self._report(max(len(self.history) - 1, 0))
            self._report = None

    def _minimize(self, max_iters: int) -> str:
        try:
            self.record(self.x0)
        except _NonFiniteLoss as exc:
            raise ValueError("the starting state gives a non-finite loss") from exc
        except _Stop as stop:  # a callback that stops at once
            return stop.reason

        def hook(intermediate_result):
            self.record(intermediate_result.x)

        try:
            result = minimize(
                self.objective,
                self.x0,
                jac=True,
                method="L-BFGS-B",
                callback=hook,
                options={"maxiter": max_iters},
            )
        except _NonFiniteLoss:
            return "nan"
        except _Stop as stop:
            return stop.reason
        if result.status == 0:
            return "converged"
        if result.status == 1:
            return "max_iters"
        return "line_search"
