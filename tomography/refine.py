"""Refinement of a cross estimate by fitting every measured string (method note, section 6).

The cross estimate (:func:`tomography.reconstruct.reconstruct`, arXiv:2207.06397) uses only the
fibres and intersections of the Pauli tensor. :func:`refine` starts from it and fits a tensor
train to *all* the data with L-BFGS, holding part of the data out to stop early.

Strings and windows. For a design of window ``w``, window ``j = 0..n-w`` covers qubits
``j..j+w-1``. For ``loss="lsq"`` it owns the strings on it whose first letter (qubit ``j``) is
not the identity, and the last window ``j = n-w`` owns every non-identity string on it, so each
measured string is fitted once, as in :meth:`MeasurementData.expectations`.

Losses.

- ``"lsq"``: ``(1 / N_train) sum_s (X(s) / X(0..0) - y_s)^2 / max(v_s, VARIANCE_FLOOR)`` over
  the training strings, with ``y_s, v_s`` from :meth:`MeasurementData.window_estimates` (a
  chi-square per string: about 1 when the model fits to shot noise). Held out: a random
  fraction of the strings.
- ``"nll"``: the negative log-likelihood of the raw counts of every setting on every window,
  ``-(1 / N_train) sum_j sum_settings sum_o h(o) log p_raw(o)``, where ``p(o) = 2^-w
  sum_m X(m) (-1)^{o.m}`` is the model's distribution of the ``2^w`` outcomes on the window
  in that setting and ``p_raw = (A_1 (x) ... (x) A_w) p`` applies the data's readout
  assignment matrices (so counts are fitted as measured, not mitigated). Overlapping windows
  reuse the same shots: a composite likelihood. Below ``p = eps = 0.1 / shots`` ``-log p`` is
  continued by its second-order Taylor polynomial, so a non-positive model stays finite.
  Held out: a random fraction of every setting's shots (binomial thinning of the counts),
  independent of the training shots.

Parametrisations.

- ``positive=False``: the real Pauli cores ``G_k`` (r[k], 4, r[k+1]) themselves, bond
  dimensions of the starting state.
- ``positive=True``: a locally purified density operator, ``rho = L L^dagger`` with ``L`` a
  matrix product operator of complex tensors ``A_k`` (D[k], 2, kappa, D[k+1]) (physical index,
  Kraus index). Its Pauli cores are ``G_k[(a, a'), p, (b, b')] = sum_{s, s', c} A_k[a, s, c,
  b] conj(A_k[a', s', c, b']) sigma_p[s', s]`` (bond D^2), so every iterate is positive
  semidefinite. It is initialised from the starting state by a first fit of the same form to
  that state's own window marginals (uniform weights, no data), starting from the product of
  its one-qubit marginals' square roots; the refined state is returned as a real Pauli MPO
  (the bond spaces rotated to a basis of Hermitian matrices).

Modules, in reading order: :mod:`tomography._refine_losses` (the two losses per window, on
histograms from :mod:`tomography.histograms`), :mod:`tomography._refine_gradient` (loss and
exact gradient through the window contractions of :mod:`ttcross.environments`),
:mod:`tomography._lbfgs` (the L-BFGS-B run with early stopping),
:mod:`tomography._refine_models` (the two parametrisations and the purification fit), then this
module (validation, the run, the result).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

from ttcross import TensorTrain
from ttcross.validation import check_int, check_real

from ._lbfgs import _Run
from ._refine_gradient import evaluate
from ._refine_losses import VARIANCE_FLOOR, _CountsHead, _LsqHead
from ._refine_models import _PauliModel, _PurifiedModel
from .state import PauliMPO

__all__ = [
    "refine",
    "Refinement",
    "LOSSES",
    "INITS",
    "STOP_REASONS",
    "VARIANCE_FLOOR",
]

LOSSES = ("lsq", "nll")
"""Loss functions: weighted least squares on expectations, likelihood of the raw counts."""

INITS = ("state", "random")
"""Starting points: the given state (the cross estimate), or a random one of its size."""

STOP_REASONS = frozenset({"converged", "max_iters", "holdout", "nan", "callback", "line_search"})
"""Values of :attr:`Refinement.stop_reason`."""


@dataclass(frozen=True)
class Refinement:
    """Result of :func:`refine`.

    Attributes
    ----------
    state : PauliMPO
        The refined estimate, trace 1; the iterate with the lowest holdout loss (the last
        iterate when ``holdout == 0``). Same bond dimensions as the start with
        ``positive=False``; ``D^2`` with ``positive=True``. Readout matrices and truncation
        error are carried over from the input state.
    history : list of (float, float)
        ``(train_loss, holdout_loss)`` per iteration; entry 0 is the starting point. The
        holdout loss is NaN when nothing is held out.
    stop_reason : str
        One of :data:`STOP_REASONS`:

        - ``"converged"``: L-BFGS-B met its tolerances;
        - ``"max_iters"``: ``max_iters`` iterations done;
        - ``"holdout"``: the holdout loss did not improve for ``patience`` iterations;
        - ``"nan"``: a loss or gradient was not finite; the best finite iterate is returned
          (a :class:`RuntimeWarning` says so);
        - ``"callback"``: the user callback returned True;
        - ``"line_search"``: L-BFGS-B could not make progress along its search direction.
    n_train, n_holdout : int
        Strings (``"lsq"``) or shots summed over windows (``"nll"``) fitted and held out.
    iterations : int
        L-BFGS-B iterations done (``len(history) - 1``).
    best_iteration : int
        Index into ``history`` of the returned state.
    loss : str
    positive : bool
        Whether the state came from the purified (positive semidefinite) form.
    seconds : float
        Wall time, including the purification fit with ``positive=True``.
    """

    state: PauliMPO
    history: list
    stop_reason: str
    n_train: int
    n_holdout: int
    iterations: int
    best_iteration: int
    loss: str
    positive: bool
    seconds: float


# ---------------------------------------------------------------------- front function
def refine(
    state: PauliMPO,
    data,
    *,
    loss: str = "nll",
    positive: bool = True,
    kraus_dim: int = 4,
    init: str = "state",
    max_iters: int = 200,
    holdout: float = 0.1,
    patience: int = 10,
    seed: int | np.random.Generator | None = None,
    callback=None,
    progress: Callable[[int, int], object] | None = None,
) -> Refinement:
    """Fit a tensor train to every measured count, starting from a cross estimate.

    The second estimation stage, after :func:`tomography.reconstruct.reconstruct` on the same
    data: ``refine(reconstruct(data).state, data)``. The defaults are the combination that
    measurably helps (likelihood of the raw counts, positive semidefinite purified form with
    Kraus dimension 4, 10% of the shots held out to stop early). Measured at a budget of 2.4e6
    copies (brickwork, p2 = 0.01, n = 8 and 12, depth 2 and 4, 3 seeds;
    ``benchmarks/results/refine_budget.md``): it keeps 20-36% of the cross estimate's
    infidelity (n = 12, depth 2, window 7: F 0.942 -> 0.984), for 2-17x the time of the cross
    step. Without positivity neither loss helps (the cross estimate already fits the data to
    the shot-noise level).

    Parameters
    ----------
    state : PauliMPO
        The starting point (the cross estimate), trace > 0. Its bond dimensions ``r[k]`` set
        the model's size: kept with ``positive=False``, ``D[k] = ceil(sqrt(r[k]))`` with
        ``positive=True``.
    data : MeasurementData or ExactExpectations
        The data the estimate came from; same qubit count. ``loss="nll"`` needs counts
        (a :class:`~tomography.measure.MeasurementData`).
    loss : {"nll", "lsq"}, default="nll"
        See the module docstring: weighted least squares on the expectations, or the
        likelihood of the raw counts of every setting on every window.
    positive : bool, default=True
        Fit the purified form ``rho = L L^dagger``: the result is positive semidefinite.
    kraus_dim : int, default=4
        Size of the Kraus (purification) index with ``positive=True``: how mixed each
        qubit's share of the state may be (1 = a pure matrix product state). Measured on
        depth-2 brickwork at n = 8: 2 kept 29% less infidelity than the cross estimate, 4
        kept 70%, 8 kept 65%.
    init : {"state", "random"}, default="state"
        ``"random"`` ignores the values of ``state`` (only its size is used) and starts from
        random cores near the maximally mixed state, drawn from ``seed``: the learning-only
        baseline the warm start is compared with.
    max_iters : int, default=200
        Cap on L-BFGS-B iterations.
    holdout : float, default=0.1
        Fraction of the data left out of the fit (strings for ``"lsq"``, shots for
        ``"nll"``); the run stops when its loss has not improved for ``patience`` iterations,
        and the iterate with the lowest holdout loss is returned. 0 disables early stopping.
    patience : int, default=10
        Iterations without a holdout improvement before stopping.
    seed : int, Generator or None
        The held-out split, the random start and the purification's initial noise.
    callback : callable, optional
        ``callback(iteration, train_loss, holdout_loss)`` after each iteration; returning True
        stops the run (``stop_reason == "callback"``).
    progress : callable, optional
        Called as ``progress(done, total)`` with the L-BFGS-B iterations done and
        ``total = max_iters``: before the first iteration, after each one and once at the end
        (``done < total`` when the run stopped early), e.g. to drive a progress bar. The
        purification fit before the run reports nothing. None: no progress reporting.

    Returns
    -------
    Refinement

    Raises
    ------
    TypeError
        ``state`` not a PauliMPO, ``data`` without ``window_estimates``, ``"nll"`` without
        counts, ``progress`` not callable.
    ValueError
        Qubit counts differ, the state's trace is not positive or not finite, unknown
        ``loss`` or ``init``, ``holdout`` outside [0, 1), nothing left to fit.

    Warns
    -----
    RuntimeWarning
        The loss became NaN or infinite (``stop_reason == "nan"``): the last good iterate
        is returned.
    """
    started = time.perf_counter()
    loss = _check_choice(loss, LOSSES, "loss")
    init = _check_choice(init, INITS, "init")
    max_iters = check_int(max_iters, "max_iters", minimum=1)
    patience = check_int(patience, "patience", minimum=1)
    kraus_dim = check_int(kraus_dim, "kraus_dim", minimum=1)
    holdout = _check_holdout(holdout)
    _check_pair(state, data, loss)
    if progress is not None and not callable(progress):
        raise TypeError(
            f"`progress` must be a callable progress(done, total) or None, "
            f"not {type(progress).__name__}"
        )
    rng = np.random.default_rng(seed)
    head = _CountsHead(data, holdout, rng) if loss == "nll" else _LsqHead(data, holdout, rng)
    if positive:
        model = _PurifiedModel.from_state(state, kraus_dim, init, rng)
    else:
        model = _PauliModel.from_state(state, init, rng)
    run = _Run(
        partial(evaluate, model, head),
        model.x0,
        patience=patience,
        holdout=head.n_holdout > 0,
        callback=callback,
    )
    reason = run.minimize(max_iters, progress)
    if reason == "nan":
        warnings.warn(
            f"the {loss} loss became NaN or infinite at iteration {len(run.history)}; "
            f"returning the best finite iterate (iteration {run.best_iteration})",
            RuntimeWarning,
            stacklevel=2,
        )
    refined = PauliMPO(
        TensorTrain(model.real_cores(run.best_x)),
        truncation_error=state.truncation_error,
        assignment=state.assignment,
    )
    return Refinement(
        state=refined.normalized(),
        history=list(run.history),
        stop_reason=reason,
        n_train=head.n_train,
        n_holdout=head.n_holdout,
        iterations=len(run.history) - 1,
        best_iteration=run.best_iteration,
        loss=loss,
        positive=bool(positive),
        seconds=time.perf_counter() - started,
    )


# ---------------------------------------------------------------------- validation
def _check_choice(value, valid: tuple, name: str) -> str:
    if value not in valid:
        raise ValueError(f"unknown {name} {value!r}; valid: {list(valid)}")
    return value


def _check_holdout(holdout) -> float:
    holdout = check_real(holdout, "holdout", minimum=0.0)
    if holdout >= 1.0:
        raise ValueError(f"`holdout == {holdout}`, must be in [0, 1): a fraction of the data")
    return holdout


def _check_pair(state, data, loss: str) -> None:
    if not isinstance(state, PauliMPO):
        raise TypeError(f"`state` must be a PauliMPO, got {type(state).__name__}")
    if not hasattr(data, "window_estimates") or not hasattr(data, "design"):
        raise TypeError(
            f"`data` must be a MeasurementData or ExactExpectations, got {type(data).__name__}"
        )
    if loss == "nll" and not hasattr(data, "outcomes"):
        raise TypeError(f"loss 'nll' fits counts; {type(data).__name__} has none (use loss='lsq')")
    if data.n != state.n:
        raise ValueError(
            f"qubit count mismatch: the state has {state.n} qubits, the data {data.n}; "
            "refine the estimate made from this data"
        )
    if data.design.window > state.n:
        raise ValueError(f"the design's window {data.design.window} exceeds {state.n} qubits")
    trace = state.trace()
    if not (np.isfinite(trace) and trace > 0):
        raise ValueError(
            f"the state has trace {trace:.3g}: expected finite and > 0 (the model is "
            "normalised by its trace); start from a cross estimate"
        )
