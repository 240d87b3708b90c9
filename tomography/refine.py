"""Refinement of a cross estimate by fitting every measured string (method note, section 6).

The cross estimate (:func:`tomography.reconstruct.reconstruct`, arXiv:2207.06397) uses only the
fibres and intersections of the Pauli tensor. :func:`refine` starts from it and fits a tensor
train to *all* the data with L-BFGS, holding part of the data out to stop early.

Strings and windows. For a design of window ``w``, window ``j = 0..n-w`` covers qubits
``j..j+w-1``. For ``loss="lsq"`` it owns the strings on it whose first letter (qubit ``j``) is
not the identity, and the last window ``j = n-w`` owns every non-identity string on it, so each
measured string is fitted once, as in :meth:`MeasurementData.expectations`.

Model and trace. The model value of a string ``s`` is ``X(s) / X(0..0)``: the tensor train is
normalised by its own trace. In window ``j``, with ``L_j`` the cores left of it contracted with
``e_0`` and ``R_{j+w}`` likewise on the right, ``A_j(q) = L_j G_j[q_1] ... G_{j+w-1}[q_w]
R_{j+w}`` (4^w,) and ``X(s) / X(0..0) = A_j(q) / A_j(0..0)``: the environments' scale factors
cancel, so they are renormalised freely.

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

Gradients are exact, by reverse mode through the window contractions and the environment
chains written out by hand: O(n 4^w chi^2) per evaluation. The complex cores of the positive
form go through the same linear maps (holomorphic transposes) and one chain rule per core.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import minimize
from tqdm.auto import tqdm

from ttcross import TensorTrain
from ttcross import contract as ct
from ttcross._validation import check_int, check_real

from .pauli import PAULI_MATRICES
from .physical import project_to_simplex
from .state import PauliMPO, marginal_environments

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

VARIANCE_FLOOR = 1e-12
"""Smallest variance used in a weight (exact data has variance 0)."""

_PURIFY_ITERS = 100
"""L-BFGS iterations of the fit that turns the starting state into a purified form."""


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
    loss: str = "nll",
    positive: bool = True,
    kraus_dim: int = 4,
    init: str = "state",
    max_iters: int = 200,
    holdout: float = 0.1,
    patience: int = 10,
    seed: int | np.random.Generator | None = None,
    callback=None,
    progress: bool | None = None,
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
    progress : bool or None, default=None
        Progress bar (tqdm, on stderr) over the iterations: None shows it only when stderr is
        a terminal, True always, False never.

    Returns
    -------
    Refinement

    Raises
    ------
    TypeError
        ``state`` not a PauliMPO, ``data`` without ``window_estimates``, ``"nll"`` without
        counts.
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
    rng = np.random.default_rng(seed)
    head = _CountsHead(data, holdout, rng) if loss == "nll" else _LsqHead(data, holdout, rng)
    if positive:
        model = _PurifiedModel.from_state(state, kraus_dim, init, rng)
    else:
        model = _PauliModel.from_state(state, init, rng)
    run = _Run(model, head, patience, callback)
    reason = run.minimize(max_iters, progress, "refine")
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


# ---------------------------------------------------------------------- losses per window
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
        masks = (np.arange(2**w)[:, None] >> np.arange(w)) & 1  # (2^w, w): bit i = site i
        self.hadamard = (-1.0) ** (masks @ masks.T)  # (2^w, 2^w) symmetric
        self.window = w
        self.strings, self.train, self.hold, self.floor, self.assignment = [], [], [], [], []
        per_setting = np.bincount(
            data.setting_index, weights=counts, minlength=data.design.n_settings
        )
        if np.any(per_setting <= 0):
            raise ValueError("loss 'nll' needs shots in every setting")
        for j in range(n - w + 1):
            sites = np.arange(j, j + w)
            pattern = data.outcomes[:, sites].astype(np.int64) @ (1 << np.arange(w))
            slot = data.setting_index * 2**w + pattern
            size = data.design.n_settings * 2**w
            hist = np.bincount(slot, weights=counts - held_counts, minlength=size)
            held = np.bincount(slot, weights=held_counts, minlength=size)
            bases = data.design.basis_indices[:, sites]  # (S, w)
            digits = bases[:, None, :] * masks[None, :, :]
            self.strings.append(digits @ (4 ** np.arange(w - 1, -1, -1)))
            self.train.append(hist.reshape(-1, 2**w))
            self.hold.append(held.reshape(-1, 2**w))
            self.floor.append((0.1 / per_setting)[:, None])
            self.assignment.append(None if data.assignment is None else data.assignment[sites])
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
        """Apply the assignment matrices (or their transposes) bit by bit: (S, 2^w)."""
        matrices = self.assignment[j]
        if matrices is None:
            return probs
        w = self.window
        out = probs.reshape((-1,) + (2,) * w)
        for i, matrix in enumerate(matrices):  # bit i is axis w - i of the C-ordered reshape
            m = matrix.T if transpose else matrix
            out = np.moveaxis(np.tensordot(m, out, axes=(1, w - i)), 0, w - i)
        return out.reshape(-1, 2**w)


def _neg_log(p: np.ndarray, floor: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``-log p`` and its derivative, continued below ``floor`` by its Taylor polynomial."""
    safe = np.maximum(p, floor)
    below = p < floor
    d = np.where(below, p - floor, 0.0)
    value = -np.log(safe) - d / floor + 0.5 * (d / floor) ** 2
    slope = np.where(below, -1.0 / floor + d / floor**2, -1.0 / safe)
    return value, slope


# ---------------------------------------------------------------------- parametrisations
class _PauliModel:
    """The real Pauli cores themselves as parameters."""

    def __init__(self, shapes: list[tuple[int, ...]], x0: np.ndarray):
        self.shapes = shapes
        self.sizes = [math.prod(s) for s in shapes]
        self.x0 = x0

    @classmethod
    def from_state(cls, state: PauliMPO, init: str, rng: np.random.Generator) -> _PauliModel:
        cores = list(state.tt.orthogonalize(state.n // 2).cores)  # scale is dropped
        if init == "random":
            cores = _random_pauli_cores([c.shape for c in cores], rng)
        return cls([c.shape for c in cores], np.concatenate([c.ravel() for c in cores]))

    def cores(self, x: np.ndarray) -> list[np.ndarray]:
        parts = np.split(x, np.cumsum(self.sizes)[:-1])
        return [p.reshape(s) for p, s in zip(parts, self.shapes, strict=True)]

    real_cores = cores

    def gradient(self, x: np.ndarray, core_bars: list[np.ndarray]) -> np.ndarray:
        return np.concatenate([g.ravel() for g in core_bars])


def _random_pauli_cores(shapes, rng: np.random.Generator) -> list[np.ndarray]:
    """Cores of the maximally mixed state plus small random entries, of the given shapes."""
    cores = []
    for shape in shapes:
        core = 0.1 * rng.standard_normal(shape) / math.sqrt(shape[0] * shape[2])
        core[0, 0, 0] = 1.0
        cores.append(core)
    return cores


class _PurifiedModel:
    """``rho = L L^dagger``: complex tensors ``A_k`` (D[k], 2, kappa, D[k+1]) as parameters."""

    def __init__(self, shapes: list[tuple[int, ...]], x0: np.ndarray):
        self.shapes = shapes
        self.sizes = [math.prod(s) for s in shapes]
        self.x0 = x0

    @classmethod
    def from_state(
        cls, state: PauliMPO, kraus: int, init: str, rng: np.random.Generator
    ) -> _PurifiedModel:
        bonds = [1, *(math.ceil(math.sqrt(r)) for r in state.bond_dims), 1]
        shapes = [(bonds[k], 2, kraus, bonds[k + 1]) for k in range(state.n)]
        singles = (
            [state.marginal([k]).tt.full() for k in range(state.n)]
            if init == "state"
            else [np.array([1.0, 0.0, 0.0, 0.0])] * state.n
        )
        tensors = []
        for shape, single in zip(shapes, singles, strict=True):
            noise = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
            tensor = 0.05 * noise / math.sqrt(shape[0] * shape[3])
            root = _sqrt_one_qubit(single)  # (2, 2)
            tensor[0, :, : min(2, kraus), 0] = root[:, : min(2, kraus)]
            tensors.append(tensor)
        model = cls(shapes, cls.pack(tensors))
        if init == "state":
            windows = _window_tensors(state, _purify_window(state))
            run = _Run(model, _LsqHead.uniform(windows), patience=1, callback=None)
            run.minimize(_PURIFY_ITERS, False, "purify")
            model.x0 = run.best_x
        return model

    @staticmethod
    def pack(tensors: list[np.ndarray]) -> np.ndarray:
        flat = np.concatenate([t.ravel() for t in tensors])
        return np.concatenate([flat.real, flat.imag])

    def tensors(self, x: np.ndarray) -> list[np.ndarray]:
        half = x.size // 2
        flat = x[:half] + 1j * x[half:]
        parts = np.split(flat, np.cumsum(self.sizes)[:-1])
        return [p.reshape(s) for p, s in zip(parts, self.shapes, strict=True)]

    def complex_cores(self, x: np.ndarray) -> list[np.ndarray]:
        """Pauli cores (D^2, 4, D'^2) of ``L L^dagger``, complex, bond index ``(a, a')``."""
        return [_purified_core(a) for a in self.tensors(x)]

    def cores(self, x: np.ndarray) -> list[np.ndarray]:
        """The same Pauli tensor with real cores: each bond space in a Hermitian basis.

        Real arithmetic in the window passes costs a quarter of complex.
        """
        bases = self._bases()
        return [
            np.real(_rotate_bonds(core, bases[k].conj(), bases[k + 1]))
            for k, core in enumerate(self.complex_cores(x))
        ]

    real_cores = cores

    def _bases(self) -> list[sparse.csr_array]:
        """Hermitian bases of the bonds (sparse: two entries per column), cached."""
        if not hasattr(self, "_bases_cache"):
            dims = [s[0] ** 2 for s in self.shapes] + [1]
            self._bases_cache = [sparse.csr_array(_hermitian_basis(d)) for d in dims]
        return self._bases_cache

    def gradient(self, x: np.ndarray, core_bars: list[np.ndarray]) -> np.ndarray:
        """Real gradient (d/dRe A, d/dIm A) from the cotangents of the real cores.

        The real core is ``W^dagger G W'`` of the complex one ``G`` (a holomorphic linear map),
        so ``G``'s cotangent is ``conj(W) bar W'^T``; then the chain rule through the
        bilinear ``G(A, conj(A))``.
        """
        grads = []
        bases = self._bases()
        for k, (a, bar) in enumerate(zip(self.tensors(x), core_bars, strict=True)):
            d0, _, _, d1 = a.shape
            z = _rotate_bonds(bar, bases[k].conj().T, bases[k + 1].T)
            z = z.reshape(d0, d0, 4, d1, d1)
            m1 = np.tensordot(z, a.conj(), axes=([1, 4], [0, 3]))  # (a, p, b, t, k)
            m1 = np.tensordot(m1, PAULI_MATRICES, axes=([1, 3], [0, 1]))  # (a, b, k, s)
            m2 = np.tensordot(z, a, axes=([0, 3], [0, 3]))  # (c, p, d, s, k)
            m2 = np.tensordot(m2, PAULI_MATRICES, axes=([1, 3], [0, 2]))  # (c, d, k, t)
            grads.append(m1.transpose(0, 3, 2, 1) + m2.transpose(0, 3, 2, 1).conj())
        flat = np.concatenate([g.ravel() for g in grads])
        return np.concatenate([flat.real, -flat.imag])


def _purified_core(a: np.ndarray) -> np.ndarray:
    """Pauli core (D^2, 4, D'^2) of one tensor (D, 2, kappa, D') of ``L``:
    ``sum_{s, t, k} a[a, s, k, b] conj(a[c, t, k, d]) sigma_p[t, s]`` at ``(a c), p, (b d)``.
    """
    d0, _, _, d1 = a.shape
    m = np.tensordot(a, PAULI_MATRICES, axes=([1], [2]))  # (a, k, b, p, t)
    core = np.tensordot(m, a.conj(), axes=([1, 4], [2, 1]))  # (a, b, p, c, d)
    return core.transpose(0, 3, 2, 1, 4).reshape(d0 * d0, 4, d1 * d1)


def _rotate_bonds(core: np.ndarray, left, right) -> np.ndarray:
    """``out[a, p, b] = sum_{x, y} left[x, a] core[x, p, y] right[y, b]``.

    ``left`` and ``right`` are sparse (x, a) and (y, b) matrices: two products.
    """
    x, p, y = core.shape
    out = left.T @ core.reshape(x, p * y)  # (a, p y)
    out = (right.T @ out.reshape(-1, y).T).T  # (a p, b)
    return out.reshape(left.shape[1], p, right.shape[1])


def _hermitian_basis(d2: int) -> np.ndarray:
    """Unitary (D^2, D^2): columns an orthonormal basis of Hermitian D x D matrices.

    A core ``G`` of a purified form satisfies ``conj(G) = S G S`` (``S`` swaps ``a, a'`` on
    each bond), so ``W^dagger G W'`` is real for these bases.
    """
    d = math.isqrt(d2)
    basis = np.zeros((d, d, d2), dtype=complex)
    col = 0
    for a in range(d):
        basis[a, a, col] = 1.0
        col += 1
        for b in range(a + 1, d):
            basis[a, b, col] = basis[b, a, col] = 1 / math.sqrt(2)
            basis[a, b, col + 1], basis[b, a, col + 1] = 1j / math.sqrt(2), -1j / math.sqrt(2)
            col += 2
    return basis.reshape(d2, d2)


def _sqrt_one_qubit(pauli: np.ndarray) -> np.ndarray:
    """``sqrt(rho)`` (2, 2) of a one-qubit state from its Pauli vector, made physical."""
    rho = np.einsum("p,pab->ab", pauli / pauli[0], PAULI_MATRICES) / 2
    values, vectors = np.linalg.eigh((rho + rho.conj().T) / 2)
    values = project_to_simplex(values)
    return (vectors * np.sqrt(values)) @ vectors.conj().T


def _purify_window(state: PauliMPO) -> int:
    """Window of the purification fit: 5 qubits, fewer on short chains."""
    return min(5, state.n)


def _window_tensors(state: PauliMPO, width: int) -> list[np.ndarray]:
    """Pauli coefficients (4,) * width of every window marginal of ``state``, trace 1."""
    out = []
    for j in range(state.n - width + 1):
        values = state.marginal(range(j, j + width)).tt.full()
        out.append(values / values.flat[0])
    return out


# ---------------------------------------------------------------------- loss and gradient
def _loss_and_gradient(cores: list[np.ndarray], head) -> tuple[float, float, list[np.ndarray]]:
    """Training loss, holdout loss and the cotangents of the training loss on the cores.

    Parameters
    ----------
    cores : list of ndarray, each (r[k], 4, r[k+1]), real or complex
        Complex cores must give a real Pauli tensor (the purified form); their cotangents
        are holomorphic transposes (``J^T bar``, no conjugation).
    head : _LsqHead or _CountsHead

    Returns
    -------
    train_loss : float
    holdout_loss : float
        NaN when nothing is held out.
    core_bars : list of ndarray, shapes as ``cores``
    """
    n, w = len(cores), head.window
    dtype = np.result_type(*cores)
    left, left_logs = marginal_environments(cores, from_left=True)
    right, right_logs = marginal_environments(cores, from_left=False)
    left_bar = [np.zeros(e.shape, dtype) for e in left]
    right_bar = [np.zeros(e.shape, dtype) for e in right]
    grads = [np.zeros(c.shape, dtype) for c in cores]
    train = hold = 0.0
    for j in range(n - w + 1):
        part_train, part_hold, env_bar, core_bars, far_bar = _window_pass(
            left[j], cores[j : j + w], right[j + w], head, j
        )
        train += part_train
        hold += part_hold
        left_bar[j] += env_bar
        right_bar[j + w] += far_bar
        for t, core_bar in enumerate(core_bars):
            grads[j + t] += core_bar
    _environment_chain_vjp(cores, left, left_logs, left_bar, grads, from_left=True)
    _environment_chain_vjp(cores, right, right_logs, right_bar, grads, from_left=False)
    hold = hold / head.n_holdout if head.n_holdout else float("nan")
    return train / head.n_train, hold, grads


def _window_pass(left, window_cores, right, head, j: int):
    """Forward and reverse pass of one window.

    ``A(q) = left G_1[q_1] ... G_w[q_w] right`` (4^w,), model ``Y = Re(A / A[0])``; returns
    the head's train and holdout sums, and the derivatives of the train loss w.r.t. ``left``
    (r,), the window cores and ``right`` (r',). Meet in the middle: the first ``w // 2``
    cores are contracted from the left into rows (4^a, r), the others from the right into
    columns (r, 4^b), and ``A`` is one product of the two: O(4^w r) instead of O(4^w r^2).
    """
    half = len(window_cores) // 2
    rows = [left[None, :]]  # rows[t]: (4^t, r) partial products from the left
    for core in window_cores[:half]:
        rows.append(ct.rows_times_core(rows[-1], core).reshape(-1, core.shape[2]))
    columns = [right[:, None]]  # columns[t]: (r, 4^t) partial products from the right
    for core in reversed(window_cores[half:]):
        columns.append(ct.core_times_columns(core, columns[-1]).reshape(core.shape[0], -1))
    local = (rows[-1] @ columns[-1]).ravel()  # (4^w,), C order: prefix * 4^b + suffix
    model = local / local[0]
    train, hold, model_bar = head(j, np.real(model).copy())
    local_bar = model_bar / local[0]
    local_bar[0] -= (model_bar @ model) / local[0]
    local_bar = local_bar.reshape(rows[-1].shape[0], columns[-1].shape[1])
    rows_bar = local_bar @ columns[-1].T
    columns_bar = rows[-1].T @ local_bar
    core_bars = [None] * len(window_cores)
    for t in range(half - 1, -1, -1):
        core = window_cores[t]
        cotangent = rows_bar.reshape(-1, core.shape[1], core.shape[2])
        rows_bar, core_bars[t] = ct.rows_times_core_vjp(rows[t], core, cotangent)
    for t in range(len(window_cores) - half - 1, -1, -1):  # columns[t + 1] from columns[t]
        core = window_cores[len(window_cores) - 1 - t]
        cotangent = columns_bar.reshape(core.shape[0], core.shape[1], -1)
        core_bars[len(window_cores) - 1 - t], columns_bar = ct.core_times_columns_vjp(
            core, columns[t], cotangent
        )
    return train, hold, rows_bar[0], core_bars, columns_bar[:, 0]


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
    """One L-BFGS-B run over a model's parameters: evaluation cache, history, early stop."""

    def __init__(self, model, head, patience: int, callback):
        self.model = model
        self.head = head
        self.patience = patience
        self.callback = callback
        self.history: list[tuple[float, float]] = []
        self.best_x = model.x0.copy()
        self.best_score = np.inf
        self.best_iteration = 0
        self._cache: tuple[np.ndarray, float, float, np.ndarray] | None = None
        self._bar = None

    def evaluate(self, x: np.ndarray) -> tuple[float, float, np.ndarray]:
        if self._cache is not None and np.array_equal(self._cache[0], x):
            return self._cache[1:]
        train, hold, core_bars = _loss_and_gradient(self.model.cores(x), self.head)
        gradient = self.model.gradient(x, core_bars)
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
        if self._bar is not None and iteration:
            self._bar.update(1)
            self._bar.set_postfix(train=f"{train:.4g}", holdout=f"{hold:.4g}", refresh=False)
        score = hold if self.head.n_holdout else train
        if score < self.best_score:
            self.best_score, self.best_x, self.best_iteration = score, x.copy(), iteration
        elif self.head.n_holdout and iteration - self.best_iteration >= self.patience:
            raise _Stop("holdout")
        if self.callback is not None and self.callback(iteration, train, hold):
            raise _Stop("callback")

    def minimize(self, max_iters: int, progress: bool | None, label: str) -> str:
        """Run L-BFGS-B from the model's ``x0``; returns the stop reason."""
        try:
            self.record(self.model.x0)
        except _NonFiniteLoss as exc:
            raise ValueError("the starting state gives a non-finite loss") from exc
        except _Stop as stop:  # a callback that stops at once
            return stop.reason

        def hook(intermediate_result):
            self.record(intermediate_result.x)

        disable = None if progress is None else not progress  # None: only on a terminal
        self._bar = tqdm(total=max_iters, desc=label, disable=disable, leave=False)
        try:
            result = minimize(
                self.objective,
                self.model.x0,
                jac=True,
                method="L-BFGS-B",
                callback=hook,
                options={"maxiter": max_iters},
            )
        except _NonFiniteLoss:
            return "nan"
        except _Stop as stop:
            return stop.reason
        finally:
            self._bar.close()
            self._bar = None
        if result.status == 0:
            return "converged"
        if result.status == 1:
            return "max_iters"
        return "line_search"
