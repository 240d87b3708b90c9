"""Figures of merit between an estimated and a true n-qubit state (method note, section 7).

Every function takes a :class:`~tomography.state.PauliMPO` or a dense density matrix
``(2^n, 2^n)`` in Qiskit's little-endian order (a numpy array or anything with a ``.data``
array, such as ``qiskit.quantum_info.DensityMatrix``) for each state.

- Dense metrics, ``n <= 12``: :func:`fidelity` (Uhlmann) and :func:`trace_distance`, both
  using the repair :func:`~tomography.physical.make_physical` to turn an estimate into a state.
- Tensor-train metrics, any n (n = 1000 included): :func:`overlap_fidelity`,
  :func:`relative_error` and :func:`local_fidelities` (fidelity of every ``w``-qubit marginal).
  Scalars are carried as logarithms, so that ``tr rho^2 = 2^-n ||X||^2`` neither overflows nor
  underflows.
- :func:`compare` fills a :class:`Metrics` report with everything computable at that n.

The repair (:mod:`tomography.physical`: :func:`make_physical`, :func:`project_to_simplex`,
:class:`PhysicalRepair`) is re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ttcross import TensorTrain
from ttcross.environments import vector_environments
from ttcross.validation import check_int, check_real

from ._state_input import (
    State,
    _check_hermitian,
    _checked_pair,
    _dense_pair,
)
from .pauli import MAX_DENSE_QUBITS, dense_to_pauli, pauli_to_dense
from .physical import (
    PhysicalRepair,
    _from_spectrum,
    _repair,
    _repair_spectrum,
    _round_off,
    make_physical,
    project_to_simplex,
)
from .state import PauliMPO, marginal_pauli_tensors

__all__ = [
    "MAX_DENSE_QUBITS",
    "MAX_LOCAL_WIDTH",
    "LocalFidelities",
    "Metrics",
    "PhysicalRepair",
    "compare",
    "fidelity",
    "local_fidelities",
    "make_physical",
    "overlap_fidelity",
    "project_to_simplex",
    "relative_error",
    "trace_distance",
]

MAX_LOCAL_WIDTH = 8
"""Largest window of :func:`local_fidelities` (marginals are made dense, 256 x 256)."""

_DEFAULT_TOL = 1e-8


# ---------------------------------------------------------------------- results
@dataclass(frozen=True)
class LocalFidelities:
    """Fidelity and trace distance of every window of ``width`` consecutive qubits.

    Attributes
    ----------
    width : int
        Window width w.
    starts : ndarray, shape (n - w + 1,), int64
        First qubit of each window (window j is qubits ``starts[j] .. starts[j] + w - 1``).
    fidelity : ndarray, shape (n - w + 1,), float64
        Uhlmann fidelity of the two marginals, each repaired first when ``repaired``.
    trace_distance : ndarray, shape (n - w + 1,), float64
        Trace distance of the same (repaired) marginals.
    negativity : ndarray, shape (n - w + 1,), float64
        Negativity of the first argument's marginal (see :class:`PhysicalRepair`).
    repaired : bool
        Whether the marginals went through :func:`make_physical`.
    """

    width: int
    starts: np.ndarray
    fidelity: np.ndarray
    trace_distance: np.ndarray
    negativity: np.ndarray
    repaired: bool

    def __post_init__(self):
        for name in ("starts", "fidelity", "trace_distance", "negativity"):
            array = np.array(getattr(self, name), copy=True)
            array.flags.writeable = False
            object.__setattr__(self, name, array)

    @property
    def min_fidelity(self) -> float:
        """Worst window fidelity."""
        return float(self.fidelity.min())

    @property
    def mean_fidelity(self) -> float:
        """Mean window fidelity."""
        return float(self.fidelity.mean())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (arrays as lists)."""
        return {
            "width": self.width,
            "starts": self.starts.tolist(),
            "fidelity": self.fidelity.tolist(),
            "trace_distance": self.trace_distance.tolist(),
            "negativity": self.negativity.tolist(),
            "repaired": self.repaired,
        }


@dataclass(frozen=True)
class Metrics:
    """Every metric between an estimate and the truth that :func:`compare` could compute.

    Both states are divided by their traces ``X(0..0)`` (reported) before any metric.

    Attributes
    ----------
    n : int
        Number of qubits.
    trace_estimate, trace_truth : float
        ``X(0..0)`` of each input, before normalisation.
    inner : float
        ``tr(rho sigma)`` of the normalised states (may underflow to 0 at large n; see
        ``log_abs_inner``).
    log_abs_inner : float
        ``log |tr(rho sigma)|`` (``-inf`` when it is zero).
    purity_estimate, purity_truth : float
        ``tr rho^2`` of each normalised state (may underflow at large n).
    log_purity_estimate, log_purity_truth : float
        Their natural logs.
    overlap_fidelity : float
        ``tr(rho sigma) / max(tr rho^2, tr sigma^2)``.
    relative_error : float
        ``||X_est - X_true||_F / ||X_true||_F`` of the normalised Pauli tensors.
    local : LocalFidelities or None
        Marginal fidelities of width ``width``; None when ``width > n``.
    fidelity : float or None
        Uhlmann fidelity after :func:`make_physical` on both; None when n > 12.
    trace_distance : float or None
        Trace distance of the same repaired states; None when n > 12.
    repair_estimate, repair_truth : PhysicalRepair or None
        What the repair changed; None when n > 12.
    """

    n: int
    trace_estimate: float
    trace_truth: float
    inner: float
    log_abs_inner: float
    purity_estimate: float
    purity_truth: float
    log_purity_estimate: float
    log_purity_truth: float
    overlap_fidelity: float
    relative_error: float
    local: LocalFidelities | None = None
    fidelity: float | None = None
    trace_distance: float | None = None
    repair_estimate: PhysicalRepair | None = None
    repair_truth: PhysicalRepair | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (nested results as dictionaries, absent ones as None)."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            out[name] = value.to_dict() if hasattr(value, "to_dict") else value
        return out


@dataclass(frozen=True)
class _PauliScalars:
    """Logs of the Pauli-tensor scalars of a pair ``(a, b)``, each divided by its trace
    shift ``t`` (the trace when normalising, else 1); the factor ``2^-n`` is not included."""

    n: int
    log_trace_a: float
    log_trace_b: float
    sign_inner: float  # sign of <Xa, Xb>
    log_inner: float  # log |<Xa, Xb>| - log ta - log tb
    log_norm_a: float  # log ||Xa|| - log ta
    log_norm_b: float
    log_difference: float  # log ||Xa / ta - Xb / tb||


# ---------------------------------------------------------------------- dense metrics
def fidelity(a: State, b: State, *, repair: bool = True, tol: float = _DEFAULT_TOL) -> float:
    """Uhlmann fidelity ``(tr sqrt(sqrt(a) b sqrt(a)))^2``, n <= 12.

    With ``repair=True`` (default) each argument first goes through :func:`make_physical`
    (normalised by its trace, Hermitian part, eigenvalues projected onto the simplex), so an
    estimate that is not positive is compared as its nearest state; call
    :func:`make_physical` yourself to see what changed. Cost: one ``eigh`` of ``a``, then
    ``eigvalsh`` of ``sqrt(w) V^dagger b V sqrt(w)`` restricted to the support of ``a``
    (``a = V diag(w) V^dagger``); no matrix square-root routine.

    Parameters
    ----------
    a, b : PauliMPO or array_like, shape (2^n, 2^n)
        The two states, same n <= 12, Qiskit order. Symmetric in ``a`` and ``b``; a
        low-rank ``a`` (e.g. a pure truth) is cheapest.
    repair : bool, default=True
        Repair both first. With False both must be density matrices within ``tol``:
        Hermitian, ``|tr - 1| <= tol``, eigenvalues ``>= -tol``.
    tol : float, default=1e-8
        Tolerance of those checks (with ``repair=False``).

    Returns
    -------
    float
        In [0, 1].

    Raises
    ------
    ValueError
        n > 12 (use the tensor-train metrics), qubit-count mismatch, invalid matrices, or with
        ``repair=False`` a non-Hermitian, non-unit-trace or negative argument.
    """
    tol = check_real(tol, "tol", minimum=0.0)
    rho, sigma = _dense_pair(a, b, "fidelity")
    weights, vectors, _ = _state_spectrum(rho, "a", repair, tol)
    sigma = _from_spectrum(*_state_spectrum(sigma, "b", repair, tol)[:2])
    return _uhlmann(weights, vectors, sigma)


def trace_distance(a: State, b: State, *, repair: bool = False, tol: float = _DEFAULT_TOL) -> float:
    """Trace distance ``0.5 ||a - b||_1``, n <= 12.

    Parameters
    ----------
    a, b : PauliMPO or array_like, shape (2^n, 2^n)
        Same n <= 12, Qiskit order.
    repair : bool, default=False
        Pass both through :func:`make_physical` first (as :func:`fidelity` does by default).
        With False they are used as given and only need to be Hermitian within ``tol``.
    tol : float, default=1e-8
        Hermiticity tolerance (relative to the largest entry) when ``repair=False``.

    Returns
    -------
    float
        In [0, 1] for states.

    Raises
    ------
    ValueError
        n > 12, qubit-count mismatch, invalid or (with ``repair=False``) non-Hermitian input.
    """
    tol = check_real(tol, "tol", minimum=0.0)
    rho, sigma = _dense_pair(a, b, "trace_distance")
    if repair:
        rho, sigma = _repair(rho, "a")[0], _repair(sigma, "b")[0]
    else:
        _check_hermitian(rho, "a", tol)
        _check_hermitian(sigma, "b", tol)
    return _trace_distance(rho, sigma)


def _uhlmann(weights: np.ndarray, vectors: np.ndarray, sigma: np.ndarray) -> float:
    """Fidelity of ``rho = V diag(w) V^dagger`` and ``sigma``, both density matrices.

    ``F = (sum sqrt(eig(sqrt(w) V^dagger sigma V sqrt(w))))^2`` over the support of ``rho``.
    Weights below ``dim * eps * max`` are round-off of zero and are dropped: their square roots
    (~1e-8) would only add noise.
    """
    keep = weights > _round_off(weights)
    if not keep.any():
        return 0.0
    support = vectors[:, keep]
    roots = np.sqrt(weights[keep])
    product = roots[:, None] * (support.conj().T @ sigma @ support) * roots[None, :]
    eigenvalues = np.linalg.eigvalsh(0.5 * (product + product.conj().T))
    value = float(np.sqrt(np.clip(eigenvalues, 0.0, None)).sum() ** 2)
    return min(max(value, 0.0), 1.0)


def _trace_distance(rho: np.ndarray, sigma: np.ndarray) -> float:
    difference = rho - sigma
    eigenvalues = np.linalg.eigvalsh(0.5 * (difference + difference.conj().T))
    return float(0.5 * np.abs(eigenvalues).sum())


def _state_spectrum(
    matrix: np.ndarray, name: str, repair: bool, tol: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """Eigenvalues (clipped at 0) and eigenvectors of the state to use, and the negativity.

    With ``repair`` those of :func:`make_physical`; otherwise of ``matrix`` itself after
    checking that it is a density matrix within ``tol``.
    """
    if repair:
        weights, vectors, info = _repair_spectrum(matrix, name)
        return weights, vectors, info.negativity
    _check_hermitian(matrix, name, tol)
    trace = float(np.trace(matrix).real)
    if abs(trace - 1.0) > tol:
        raise ValueError(
            f"`{name}` has trace {trace:.10g}, expected 1 within tol={tol:g}; "
            "pass repair=True to normalise it (see make_physical)"
        )
    eigenvalues, vectors = np.linalg.eigh(0.5 * (matrix + matrix.conj().T))
    if eigenvalues[0] < -tol:
        raise ValueError(
            f"`{name}` has a negative eigenvalue {eigenvalues[0]:.3g} (below -tol={-tol:g}): "
            "not a state; pass repair=True to project it onto states (see make_physical)"
        )
    negativity = float(np.abs(eigenvalues[eigenvalues < 0]).sum())
    return np.clip(eigenvalues, 0.0, None), vectors, negativity


# ---------------------------------------------------------------------- tensor-train metrics
def overlap_fidelity(a: State, b: State, *, normalize: bool = True) -> float:
    """Fidelity-like overlap ``tr(ab) / max(tr a^2, tr b^2)``, any n, by TT contractions.

    Equal to the Uhlmann fidelity when both states are pure; 1 for equal states, at most 1
    for Hermitian inputs (Cauchy-Schwarz), negative only for non-positive estimates. Computed
    from ``log <X_a, X_b>`` and ``log ||X||`` (the ``2^-n`` cancels), so n = 1000 neither
    overflows nor underflows unless the result itself does.

    Parameters
    ----------
    a, b : PauliMPO or array_like, shape (2^n, 2^n)
        Same n; dense input only for n <= 12.
    normalize : bool, default=True
        Divide each state by its trace ``X(0..0)`` first.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        Qubit-count mismatch, a zero state, or (with ``normalize``) a trace that is not
        positive.
    """
    return _overlap_of(_pauli_scalars(a, b, normalize=normalize, difference=False))


def relative_error(estimate: State, truth: State, *, normalize: bool = False) -> float:
    """Relative Frobenius error ``||X_est - X_true||_F / ||X_true||_F`` of the Pauli tensors.

    The same as the relative Hilbert-Schmidt error of the density matrices. Any n: the
    difference is formed as a tensor train (ranks add) and its norm taken by an orthogonalising
    sweep, which is accurate to round-off even when the error is tiny (no ``||a||^2 + ||b||^2
    - 2<a, b>`` cancellation), in log scale.

    Parameters
    ----------
    estimate, truth : PauliMPO or array_like, shape (2^n, 2^n)
        Same n; dense input only for n <= 12.
    normalize : bool, default=False
        Divide each by its trace ``X(0..0)`` first (the default compares the tensors as given,
        the quantity bounded by the cross error analysis).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        Qubit-count mismatch, a zero truth, or (with ``normalize``) a trace that is not
        positive.
    """
    names = ("estimate", "truth")
    scalars = _pauli_scalars(estimate, truth, normalize=normalize, names=names, inner=False)
    return _relative_error_of(scalars)


def local_fidelities(
    a: State, b: State, width: int, *, repair: bool = True, tol: float = _DEFAULT_TOL
) -> LocalFidelities:
    """Uhlmann fidelity and trace distance of every marginal on ``width`` consecutive qubits.

    Marginals of a :class:`PauliMPO` come from one left and one right sweep of environments
    (modes outside the window contracted with ``e_0``), O(n) for all windows together; each is
    then made dense (``4^width`` entries).

    Parameters
    ----------
    a, b : PauliMPO or array_like, shape (2^n, 2^n)
        Same n >= ``width``; dense input only for n <= 12.
    width : int
        Window width w, ``1 <= w <= min(n, 8)``.
    repair : bool, default=True
        Pass every marginal through :func:`make_physical` before both metrics; with False
        they must be states within ``tol`` (see :func:`fidelity`).
    tol : float, default=1e-8
        Tolerance of the checks when ``repair=False``.

    Returns
    -------
    LocalFidelities
        Arrays of length ``n - w + 1``, window j starting at qubit j.

    Raises
    ------
    ValueError
        Qubit-count mismatch, ``width`` out of range, invalid inputs, or with
        ``repair=False`` a marginal that is not a state.
    """
    tol = check_real(tol, "tol", minimum=0.0)
    (xa, xb), n = _pauli_forms(a, b, ("a", "b"))
    return _local_of_forms(xa, xb, _check_width(width, n), repair=repair, tol=tol)


def _local_of_forms(
    xa: TensorTrain | np.ndarray,
    xb: TensorTrain | np.ndarray,
    width: int,
    *,
    repair: bool,
    tol: float,
) -> LocalFidelities:
    n = xa.ndim
    starts = np.arange(n - width + 1, dtype=np.int64)
    values = np.empty((3, starts.size))
    pairs = zip(_window_marginals(xa, width), _window_marginals(xb, width), strict=True)
    for j, (rho, sigma) in enumerate(pairs):
        weights, vectors, values[2, j] = _state_spectrum(rho, f"a[{j}:{j + width}]", repair, tol)
        sigma = _from_spectrum(*_state_spectrum(sigma, f"b[{j}:{j + width}]", repair, tol)[:2])
        values[0, j] = _uhlmann(weights, vectors, sigma)
        values[1, j] = _trace_distance(_from_spectrum(weights, vectors), sigma)
    return LocalFidelities(
        width=width,
        starts=starts,
        fidelity=values[0],
        trace_distance=values[1],
        negativity=values[2],
        repaired=bool(repair),
    )


# ---------------------------------------------------------------------- report
def compare(estimate: State, truth: State, *, width: int = 3) -> Metrics:
    """Every metric computable at this n, for reports.

    Both states are divided by their traces first. Always: ``tr(rho sigma)``, purities,
    :func:`overlap_fidelity`, :func:`relative_error` and (when ``width <= n``)
    :func:`local_fidelities` with repaired marginals. For n <= 12 also the Uhlmann
    :func:`fidelity` and the :func:`trace_distance` of both states after
    :func:`make_physical`, with the repair reports.

    Parameters
    ----------
    estimate, truth : PauliMPO or array_like, shape (2^n, 2^n)
        Same n; dense input only for n <= 12.
    width : int, default=3
        Window of the marginal fidelities, ``1 <= width <= 8``; skipped when ``width > n``.

    Returns
    -------
    Metrics

    Raises
    ------
    ValueError
        Qubit-count mismatch, a trace that is not positive, invalid inputs, bad ``width``.
    """
    names = ("estimate", "truth")
    (xe, xt), n = _pauli_forms(estimate, truth, names)
    width = check_int(width, "width", minimum=1)
    if width > MAX_LOCAL_WIDTH:
        raise ValueError(f"`width == {width}`, must be <= {MAX_LOCAL_WIDTH} (dense marginals)")
    s = _scalars_of_forms(xe, xt, n, normalize=True, names=names)
    log_inner = s.log_inner - n * np.log(2.0)
    log_purities = (2.0 * s.log_norm_a - n * np.log(2.0), 2.0 * s.log_norm_b - n * np.log(2.0))
    fields: dict[str, Any] = {
        "n": n,
        "trace_estimate": float(np.exp(s.log_trace_a)),
        "trace_truth": float(np.exp(s.log_trace_b)),
        "inner": float(s.sign_inner * np.exp(log_inner)) if s.sign_inner else 0.0,
        "log_abs_inner": float(log_inner),
        "purity_estimate": float(np.exp(log_purities[0])),
        "purity_truth": float(np.exp(log_purities[1])),
        "log_purity_estimate": float(log_purities[0]),
        "log_purity_truth": float(log_purities[1]),
        "overlap_fidelity": _overlap_of(s),
        "relative_error": _relative_error_of(s),
    }
    if width <= n:
        fields["local"] = _local_of_forms(xe, xt, width, repair=True, tol=_DEFAULT_TOL)
    if n <= MAX_DENSE_QUBITS:
        fields.update(_dense_report(estimate, truth))
    return Metrics(**fields)


def _dense_report(estimate: State, truth: State) -> dict[str, Any]:
    """Fidelity, trace distance and repairs of two states, n <= 12."""
    rho, sigma = _dense_pair(estimate, truth, "compare", names=("estimate", "truth"))
    rho, repair_estimate = _repair(rho, "estimate")
    weights, vectors, repair_truth = _repair_spectrum(sigma, "truth")
    sigma = _from_spectrum(weights, vectors)
    return {
        "fidelity": _uhlmann(weights, vectors, rho),  # the truth is usually of lower rank
        "trace_distance": _trace_distance(rho, sigma),
        "repair_estimate": repair_estimate,
        "repair_truth": repair_truth,
    }


# ---------------------------------------------------------------------- validation
def _check_width(width: Any, n: int) -> int:
    width = check_int(width, "width", minimum=1)
    limit = min(n, MAX_LOCAL_WIDTH)
    if width > limit:
        raise ValueError(
            f"`width == {width}`, must be <= {limit} (n = {n} qubits; dense marginals up to "
            f"{MAX_LOCAL_WIDTH} qubits)"
        )
    return width


# ---------------------------------------------------------------------- Pauli-tensor scalars
def _pauli_forms(
    a: Any, b: Any, names: tuple[str, str]
) -> tuple[tuple[TensorTrain | np.ndarray, TensorTrain | np.ndarray], int]:
    """Both Pauli tensors as TensorTrains (two PauliMPOs) or else as full arrays (4,) * n."""
    xa, xb, n = _checked_pair(a, b, names)
    if isinstance(xa, PauliMPO) and isinstance(xb, PauliMPO):
        return (xa.tt, xb.tt), n
    for x, name in ((xa, names[0]), (xb, names[1])):
        if not isinstance(x, PauliMPO):
            _check_hermitian(x, name, _DEFAULT_TOL, fix="pass (A + A^dagger) / 2")
    full = [x.tt.full() if isinstance(x, PauliMPO) else dense_to_pauli(x) for x in (xa, xb)]
    return (full[0], full[1]), n


def _pauli_scalars(
    a: Any,
    b: Any,
    *,
    normalize: bool,
    names: tuple[str, str] = ("a", "b"),
    inner: bool = True,
    difference: bool = True,
) -> _PauliScalars:
    (xa, xb), n = _pauli_forms(a, b, names)
    return _scalars_of_forms(
        xa, xb, n, normalize=normalize, names=names, inner=inner, difference=difference
    )


def _scalars_of_forms(
    xa: TensorTrain | np.ndarray,
    xb: TensorTrain | np.ndarray,
    n: int,
    *,
    normalize: bool,
    names: tuple[str, str],
    inner: bool = True,
    difference: bool = True,
) -> _PauliScalars:
    """The log scalars of a pair; ``inner`` / ``difference`` False skip those sweeps (NaN)."""
    log_ta = _log_trace(xa, names[0], normalize)
    log_tb = _log_trace(xb, names[1], normalize)
    log_norm_a = _log_norm(xa) - log_ta if inner else np.nan
    log_norm_b = _log_norm(xb) - log_tb
    for value, name in ((log_norm_a, names[0]), (log_norm_b, names[1])):
        if value == -np.inf:
            raise ValueError(f"`{name}` is the zero operator: no state to compare")
    sign, log_inner = _log_dot(xa, xb) if inner else (np.nan, np.nan)
    return _PauliScalars(
        n=n,
        log_trace_a=log_ta,
        log_trace_b=log_tb,
        sign_inner=sign,
        log_inner=log_inner - log_ta - log_tb,
        log_norm_a=log_norm_a,
        log_norm_b=log_norm_b,
        log_difference=_log_difference_norm(xa, xb, log_ta, log_tb) if difference else np.nan,
    )


def _overlap_of(s: _PauliScalars) -> float:
    """``tr(ab) / max(tr a^2, tr b^2)`` from the log scalars (``2^-n`` cancels)."""
    if s.sign_inner == 0:
        return 0.0
    return float(s.sign_inner * np.exp(s.log_inner - 2.0 * max(s.log_norm_a, s.log_norm_b)))


def _relative_error_of(s: _PauliScalars) -> float:
    return float(np.exp(s.log_difference - s.log_norm_b))


def _log_trace(x: TensorTrain | np.ndarray, name: str, normalize: bool) -> float:
    """``log X(0..0)`` when normalising (must be positive), else 0."""
    if not normalize:
        return 0.0
    if isinstance(x, TensorTrain):
        envs, logs = vector_environments(x.cores, from_left=True)  # every mode with e_0
        vector, log_abs = envs[-1], x.log_scale + float(logs[-1])
        sign = float(np.sign(vector[0]))
        log_abs = log_abs + float(np.log(abs(vector[0]))) if sign else -np.inf
    else:
        value = float(x.flat[0])
        sign, log_abs = np.sign(value), (np.log(abs(value)) if value else -np.inf)
    if not sign > 0:
        trace = float(sign * np.exp(log_abs))
        raise ValueError(
            f"cannot normalise `{name}`: its trace X(0..0) = {trace:.3g} is not positive; "
            "a failed reconstruction? (overlap_fidelity and relative_error take "
            "normalize=False to compare the tensors as given)"
        )
    return float(log_abs)


def _log_norm(x: TensorTrain | np.ndarray) -> float:
    if isinstance(x, TensorTrain):
        return float(x.log_norm())
    norm = float(np.linalg.norm(x))
    return float(np.log(norm)) if norm > 0 else -np.inf


def _log_dot(x: TensorTrain | np.ndarray, y: TensorTrain | np.ndarray) -> tuple[float, float]:
    """``(sign, log |<x, y>|)``; sign 0 and log ``-inf`` for zero."""
    if isinstance(x, TensorTrain):
        sign, log_abs = x.log_dot(y)
        return float(np.real(sign)), float(log_abs)
    value = float(np.vdot(x, y))
    return float(np.sign(value)), (float(np.log(abs(value))) if value else -np.inf)


def _log_difference_norm(
    x: TensorTrain | np.ndarray, y: TensorTrain | np.ndarray, log_tx: float, log_ty: float
) -> float:
    """``log ||x / e^log_tx - y / e^log_ty||`` (a TT difference: ranks add, norm exact)."""
    if isinstance(x, TensorTrain):
        scaled_x = TensorTrain(x.cores, log_scale=x.log_scale - log_tx)
        scaled_y = TensorTrain(y.cores, log_scale=y.log_scale - log_ty)
        return float((scaled_x - scaled_y).log_norm())
    norm = float(np.linalg.norm(x * np.exp(-log_tx) - y * np.exp(-log_ty)))
    return float(np.log(norm)) if norm > 0 else -np.inf


# ---------------------------------------------------------------------- marginals
def _window_marginals(x: TensorTrain | np.ndarray, width: int):
    """Yield the dense marginal (2^w, 2^w) of each window of ``width`` qubits, left to right."""
    spans = [(start, start + width - 1) for start in range(x.ndim - width + 1)]
    for tensor in marginal_pauli_tensors(x, spans):
        yield pauli_to_dense(tensor)
