"""Refinement of a cross estimate by fitting every measured string (method note, section 6).

The cross estimate (:func:`tomography.reconstruct.reconstruct`, arXiv:2207.06397) uses only the
fibres and intersections of the Pauli tensor. :func:`refine` starts from it and fits the TT
cores ``G_k`` (real, (r[k], 4, r[k+1])) to *all* measured strings by weighted least squares on
the expectations, with L-BFGS-B, holding a random part of the strings out to stop early.

Strings. For a design of window ``w``, window ``j = 0..n-w`` covers qubits ``j..j+w-1``; it
owns the strings on it whose first letter (qubit ``j``) is not the identity, and the last
window ``j = n-w`` owns every non-identity string on it. So each measured string (support
within ``w`` consecutive qubits) is used exactly once, from the window
``min(first qubit, n - w)``, as in :meth:`MeasurementData.expectations`.

Model and trace. The model value of a string ``s`` is ``X(s) / X(0..0)``: the tensor train is
normalised by its own trace, so the identity string is fixed at 1 and the loss is invariant to
the scale of ``X`` (and of every marginal environment). In window ``j``, with
``L_j`` (r[j],) the cores left of it contracted with ``e_0`` and ``R_{j+w}`` likewise on the
right, ``A_j(q) = L_j G_j[q_1] ... G_{j+w-1}[q_w] R_{j+w}`` and ``X(s) / X(0..0) =
A_j(q) / A_j(0..0)``: the environments' scale factors cancel, so they are renormalised freely.

Loss (``"lsq"``)::

    L = (1 / N_train) sum_{s in train} (X(s) / X(0..0) - y_s)^2 / max(v_s, VARIANCE_FLOOR)

with ``y_s, v_s`` the estimate and its variance from :meth:`MeasurementData.window_estimates`
(a chi-square per string: about 1 when the model fits to shot noise). The holdout loss is the
same sum over the held-out strings divided by their number. The gradient is exact, by reverse
mode through the window contractions and the environment chains written out by hand:
O(n 4^w chi^2) per evaluation.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from ttcross import TensorTrain
from ttcross import contract as ct
from ttcross._validation import check_int, check_real

from .state import PauliMPO, marginal_environments

__all__ = ["refine", "Refinement", "LOSSES", "STOP_REASONS", "VARIANCE_FLOOR"]

LOSSES = ("lsq",)
"""Loss functions built (``"nll"``, the likelihood of the raw counts, is not built yet)."""

STOP_REASONS = frozenset({"converged", "max_iters", "holdout", "nan", "callback", "line_search"})
"""Values of :attr:`Refinement.stopped_because`."""

VARIANCE_FLOOR = 1e-12
"""Smallest variance used in a weight (exact data has variance 0)."""


@dataclass(frozen=True)
class Refinement:
    """Result of :func:`refine`.

    Attributes
    ----------
    state : PauliMPO
        The refined estimate, trace 1, same bond dimensions as the start; the iterate with the
        lowest holdout loss (the last iterate when ``holdout == 0``). Readout matrices and
        truncation error are carried over from the input state.
    history : list of (float, float)
        ``(train_loss, holdout_loss)`` per iteration; entry 0 is the starting point (the cross
        estimate). The holdout loss is NaN when nothing is held out.
    stopped_because : str
        One of :data:`STOP_REASONS`:

        - ``"converged"``: L-BFGS-B met its tolerances;
        - ``"max_iters"``: ``max_iters`` iterations done;
        - ``"holdout"``: the holdout loss did not improve for ``patience`` iterations;
        - ``"nan"``: a loss or gradient was not finite (the best finite iterate is returned);
        - ``"callback"``: the user callback returned True;
        - ``"line_search"``: L-BFGS-B could not make progress along its search direction.
    n_train, n_holdout : int
        Strings fitted and held out.
    iterations : int
        L-BFGS-B iterations done (``len(history) - 1``).
    best_iteration : int
        Index into ``history`` of the returned state.
    loss : str
    seconds : float
    """

    state: PauliMPO
    history: list
    stopped_because: str
    n_train: int
    n_holdout: int
    iterations: int
    best_iteration: int
    loss: str
    seconds: float


@dataclass(frozen=True)
class _Targets:
    """Measured strings per window, as dense (J, 4^w) arrays over the window's local strings.

    ``train_weights`` / ``holdout_weights`` are ``1 / max(v, floor)`` on the strings of that
    set and 0 elsewhere (the identity and strings owned by another window are 0 in both).
    """

    window: int
    values: np.ndarray
    train_weights: np.ndarray
    holdout_weights: np.ndarray
    n_train: int
    n_holdout: int


class _NonFiniteLoss(Exception):
    """A loss or gradient evaluation gave NaN or infinity."""


class _Stop(Exception):
    """Raised by the iteration hook to end the run with a reason."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# ---------------------------------------------------------------------- front function
def refine(
    state: PauliMPO,
    data,
    *,
    loss: str = "lsq",
    max_iters: int = 200,
    holdout: float = 0.1,
    patience: int = 10,
    seed: int | np.random.Generator | None = None,
    callback=None,
) -> Refinement:
    """Fit the cores of a cross estimate to every measured Pauli string.

    Parameters
    ----------
    state : PauliMPO
        The starting point (the cross estimate), trace > 0; its bond dimensions are kept.
    data : MeasurementData or ExactExpectations
        The data the estimate came from; same qubit count.
    loss : {"lsq"}, default="lsq"
        - ``"lsq"``: weighted least squares on the expectations (see the module docstring).
    max_iters : int, default=200
        Cap on L-BFGS-B iterations.
    holdout : float, default=0.1
        Fraction of the measured strings (drawn at random) left out of the fit; the run stops
        when their loss has not improved for ``patience`` iterations, and the iterate with the
        lowest holdout loss is returned. 0 disables early stopping.
    patience : int, default=10
        Iterations without a holdout improvement before stopping.
    seed : int, Generator or None
        For the choice of the held-out strings.
    callback : callable, optional
        ``callback(iteration, train_loss, holdout_loss)`` after each iteration; returning True
        stops the run (``stopped_because == "callback"``).

    Returns
    -------
    Refinement

    Raises
    ------
    TypeError
        ``state`` not a PauliMPO, ``data`` without ``window_estimates``.
    ValueError
        Qubit counts differ, the state's trace is not positive, unknown ``loss``, ``holdout``
        outside [0, 1), nothing left to fit.
    """
    started = time.perf_counter()
    _check_loss(loss)
    max_iters = check_int(max_iters, "max_iters", minimum=1)
    patience = check_int(patience, "patience", minimum=1)
    holdout = _check_holdout(holdout)
    _check_pair(state, data)
    rng = np.random.default_rng(seed)
    targets = _build_targets(data, holdout, rng)
    start = state.tt.orthogonalize(state.n // 2)  # a well-scaled gauge; the scale is dropped
    run = _Run(list(start.cores), targets, patience, callback)
    reason = run.minimize(max_iters)
    tt = TensorTrain(run.unflatten(run.best_x))
    refined = PauliMPO(tt, truncation_error=state.truncation_error, readout=state.readout)
    return Refinement(
        state=refined.normalized(),
        history=list(run.history),
        stopped_because=reason,
        n_train=targets.n_train,
        n_holdout=targets.n_holdout,
        iterations=len(run.history) - 1,
        best_iteration=run.best_iteration,
        loss=loss,
        seconds=time.perf_counter() - started,
    )


# ---------------------------------------------------------------------- validation
def _check_loss(loss) -> str:
    if loss == "nll":
        raise ValueError(
            "loss 'nll' (likelihood of the raw counts) is not built yet; valid losses: "
            f"{list(LOSSES)}"
        )
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; valid losses: {list(LOSSES)}")
    return loss


def _check_holdout(holdout) -> float:
    holdout = check_real(holdout, "holdout", minimum=0.0)
    if holdout >= 1.0:
        raise ValueError(f"`holdout == {holdout}`, must be in [0, 1): a fraction of the strings")
    return holdout


def _check_pair(state, data) -> None:
    if not isinstance(state, PauliMPO):
        raise TypeError(f"`state` must be a PauliMPO, got {type(state).__name__}")
    if not hasattr(data, "window_estimates") or not hasattr(data, "design"):
        raise TypeError(
            f"`data` must be a MeasurementData or ExactExpectations, got {type(data).__name__}"
        )
    if data.n != state.n:
        raise ValueError(
            f"qubit count mismatch: the state has {state.n} qubits, the data {data.n}; "
            "refine the estimate made from this data"
        )
    trace = state.trace()
    if not trace > 0:
        raise ValueError(
            f"the state has trace {trace:.3g}: expected > 0 (the model is normalised by its "
            "trace); start from a cross estimate"
        )


# ---------------------------------------------------------------------- data
def _build_targets(data, holdout: float, rng: np.random.Generator) -> _Targets:
    """Estimates, weights and the train/holdout split of every measured string."""
    n, w = data.n, data.design.window
    starts = range(n - w + 1)
    values, weights, owned = [], [], []
    for j in starts:
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
    return _Targets(
        window=w,
        values=values,
        train_weights=np.where(train, weights, 0.0),
        holdout_weights=np.where(held, weights, 0.0),
        n_train=int(train.sum()),
        n_holdout=n_holdout,
    )


def _owned_strings(w: int, *, last: bool) -> np.ndarray:
    """Local strings (4^w,) a window owns: first letter non-identity, or any non-identity."""
    strings = np.arange(4**w)
    if last:
        return strings != 0
    return strings >= 4 ** (w - 1)  # C order: the first letter is the most significant digit


# ---------------------------------------------------------------------- loss and gradient
def _loss_and_gradient(
    cores: list[np.ndarray], targets: _Targets
) -> tuple[float, float, list[np.ndarray]]:
    """Training loss, holdout loss and the gradient of the training loss w.r.t. the cores.

    Parameters
    ----------
    cores : list of ndarray, each (r[k], 4, r[k+1]), float64
    targets : _Targets

    Returns
    -------
    train_loss : float
    holdout_loss : float
        NaN when nothing is held out.
    gradient : list of ndarray, shapes as ``cores``
    """
    n, w = len(cores), targets.window
    left, left_logs = marginal_environments(cores, from_left=True)
    right, right_logs = marginal_environments(cores, from_left=False)
    left_bar = [np.zeros_like(e) for e in left]
    right_bar = [np.zeros_like(e) for e in right]
    grads = [np.zeros_like(c) for c in cores]
    train = holdout = 0.0
    for j in range(n - w + 1):
        part_train, part_holdout, env_bar, core_bars, far_bar = _window_pass(
            left[j], cores[j : j + w], right[j + w], targets, j
        )
        train += part_train
        holdout += part_holdout
        left_bar[j] += env_bar
        right_bar[j + w] += far_bar
        for t, core_bar in enumerate(core_bars):
            grads[j + t] += core_bar
    _environment_chain_vjp(cores, left, left_logs, left_bar, grads, from_left=True)
    _environment_chain_vjp(cores, right, right_logs, right_bar, grads, from_left=False)
    holdout = holdout / targets.n_holdout if targets.n_holdout else float("nan")
    return train / targets.n_train, holdout, grads


def _window_pass(left, window_cores, right, targets: _Targets, j: int):
    """Forward and reverse pass of one window.

    ``A(q) = left G_1[q_1] ... G_w[q_w] right`` (4^w,), model ``Y = A / A[0]``; returns the
    unnormalised train and holdout sums ``sum weight (Y - y)^2``, and the derivatives of the
    train sum / n_train w.r.t. ``left`` (r,), the window cores and ``right`` (r',).
    """
    rows = [left[None, :]]  # rows[t]: (4^t, r) partial products
    for core in window_cores:
        rows.append(ct.rows_times_core(rows[-1], core).reshape(-1, core.shape[2]))
    local = rows[-1] @ right  # (4^w,)
    model = local / local[0]
    residual = model - targets.values[j]
    residual[0] = 0.0
    weighted = targets.train_weights[j] * residual
    train = float(weighted @ residual)
    holdout = float((targets.holdout_weights[j] * residual) @ residual)
    model_bar = 2.0 * weighted / targets.n_train
    local_bar = model_bar / local[0]
    local_bar[0] -= float(model_bar @ model) / local[0]
    right_bar = rows[-1].T @ local_bar
    rows_bar = local_bar[:, None] * right[None, :]
    core_bars = [None] * len(window_cores)
    for t in range(len(window_cores) - 1, -1, -1):
        core = window_cores[t]
        cotangent = rows_bar.reshape(-1, core.shape[1], core.shape[2])
        rows_bar, core_bars[t] = ct.rows_times_core_vjp(rows[t], core, cotangent)
    return train, holdout, rows_bar[0], core_bars, right_bar


def _environment_chain_vjp(cores, envs, logs, envs_bar, grads, *, from_left: bool) -> None:
    """Push environment derivatives down the chain of :func:`marginal_environments`.

    From the left ``env[k+1] = env[k] @ G_k[:, 0, :] / c`` with ``c = exp(logs[k+1] -
    logs[k])``; ``c`` is held constant, which is exact here: every window's loss is invariant
    to the scale of each environment, so the derivative through ``c`` vanishes. From the right
    ``env[k] = G_k[:, 0, :] @ env[k+1] / c``. Adds into ``envs_bar`` and ``grads`` in place.
    """
    n = len(cores)
    order = range(n - 1, -1, -1) if from_left else range(n)
    for k in order:
        identity_part = cores[k][:, 0, :]
        if from_left:
            src, dst = k, k + 1
            scale = np.exp(logs[dst] - logs[src])
            grads[k][:, 0, :] += np.outer(envs[src], envs_bar[dst]) / scale
            envs_bar[src] += identity_part @ envs_bar[dst] / scale
        else:
            src, dst = k + 1, k
            scale = np.exp(logs[dst] - logs[src])
            grads[k][:, 0, :] += np.outer(envs_bar[dst], envs[src]) / scale
            envs_bar[src] += envs_bar[dst] @ identity_part / scale


# ---------------------------------------------------------------------- optimisation
class _Run:
    """One L-BFGS-B run over the flattened cores: evaluation cache, history, early stop."""

    def __init__(self, cores, targets: _Targets, patience: int, callback):
        self.shapes = [c.shape for c in cores]
        self.sizes = [c.size for c in cores]
        self.targets = targets
        self.patience = patience
        self.callback = callback
        self.x0 = np.concatenate([c.ravel() for c in cores])
        self.history: list[tuple[float, float]] = []
        self.best_x = self.x0.copy()
        self.best_score = np.inf
        self.best_iteration = 0
        self._cache: tuple[np.ndarray, float, float, np.ndarray] | None = None

    def unflatten(self, x: np.ndarray) -> list[np.ndarray]:
        parts = np.split(x, np.cumsum(self.sizes)[:-1])
        return [p.reshape(s) for p, s in zip(parts, self.shapes, strict=True)]

    def evaluate(self, x: np.ndarray) -> tuple[float, float, np.ndarray]:
        if self._cache is not None and np.array_equal(self._cache[0], x):
            return self._cache[1:]
        train, holdout, grads = _loss_and_gradient(self.unflatten(x), self.targets)
        gradient = np.concatenate([g.ravel() for g in grads])
        if not (np.isfinite(train) and np.isfinite(gradient).all()):
            raise _NonFiniteLoss
        self._cache = (x.copy(), train, holdout, gradient)
        return train, holdout, gradient

    def objective(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        train, _, gradient = self.evaluate(x)
        return train, gradient

    def record(self, x: np.ndarray) -> None:
        """Append the losses at ``x``, track the best iterate, raise _Stop when done."""
        train, holdout, _ = self.evaluate(x)
        self.history.append((train, holdout))
        iteration = len(self.history) - 1
        score = holdout if self.targets.n_holdout else train
        if score < self.best_score:
            self.best_score, self.best_x, self.best_iteration = score, x.copy(), iteration
        elif self.targets.n_holdout and iteration - self.best_iteration >= self.patience:
            raise _Stop("holdout")
        if self.callback is not None and self.callback(iteration, train, holdout):
            raise _Stop("callback")

    def minimize(self, max_iters: int) -> str:
        """Run L-BFGS-B from ``x0``; returns the stop reason."""
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
