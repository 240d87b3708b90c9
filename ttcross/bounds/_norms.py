"""Scale-safe norms of the cross cores (private kernels of :mod:`ttcross.bounds`).

Plain functions on arrays, no validation of user input (the public functions do that):

- scale-safe norms and log arithmetic (``_fro``, ``_max_scaled``, ``_ladd``, ``_lsum``), so that
  orders where ``||A_hat||`` overflows still give finite logs;
- the cross cores ``G_k = C_k X_k`` stored as unit-max cores plus log scales
  (:class:`CrossCores`);
- Gram sweeps over them (``_sweep``, ``_segment_table``): interface and segment norms in log
  scale (:class:`InterfaceLogs`).

Notation (``C_k``, ``W_k``, ``X_k``, ``G_k``) as in the docstring of :mod:`ttcross.bounds`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .. import contract as ct
from ..interpolate import PinvInfo, regularized_pinv


@dataclass(frozen=True)
class CrossCores:
    """The cores of a cross approximation, stored against overflow.

    Attributes
    ----------
    units : list of d ndarrays, ``units[k]`` (r[k-1], n[k], r[k])
        ``G_k / max|G_k|`` with ``G_k = C_k X_k`` (``k < d-1``) and ``G_{d-1} = C_{d-1}``;
        all zeros where ``G_k`` is.
    logs : list of d float
        ``log max|G_k|`` (``-inf`` for a zero core), so ``G_k = exp(logs[k]) units[k]``.
    pinvs : list of d-1 ndarrays, ``pinvs[k]`` (r'[k], r[k])
        The regularised pseudo-inverses ``X_k``.
    infos : list of d-1 PinvInfo
        Their statistics (singular values of ``W_k``, cut-off, rank, ...).
    """

    units: list[np.ndarray]
    logs: list[float]
    pinvs: list[np.ndarray]
    infos: list[PinvInfo]


class InterfaceLogs(NamedTuple):
    """Logs of the interface norms ``L_k = G_0 ... G_k`` and ``M_k = X_k G_{k+1} ... G_{d-1}``.

    Attributes
    ----------
    left, right : ndarray, shape (d-1,), float64
        ``log ||L_k||_2`` and ``log ||M_k||_2``.
    left_fro, right_fro : ndarray, shape (d-1,), float64
        ``log ||L_k||_F`` and ``log ||M_k||_F``.
    left_diag, right_diag : list of d-1 ndarrays, or None
        Logs of the squared column norms of ``L_k`` (shape (r[k],)) and of the squared row
        norms of ``M_k`` (shape (r'[k],)); None where not asked for.
    """

    left: np.ndarray
    right: np.ndarray
    left_fro: np.ndarray
    right_fro: np.ndarray
    left_diag: list[np.ndarray] | None
    right_diag: list[np.ndarray] | None


# ---------------------------------------------------------------------------- scale-safe arithmetic
def _fro(array: np.ndarray) -> float:
    """Frobenius norm, scaled so that tiny or huge entries neither underflow nor overflow."""
    array = np.asarray(array)
    top = float(np.max(np.abs(array), initial=0.0))
    return top * float(np.linalg.norm(array / top)) if top > 0 and np.isfinite(top) else top


def _max_scaled(array: np.ndarray) -> tuple[np.ndarray, float]:
    """``(array / max|array|, log max|array|)``, safe where the Frobenius norm overflows."""
    top = float(np.max(np.abs(array), initial=0.0))
    return (array / top, math.log(top)) if top > 0 else (array, 0.0)


def _log_top_eig(gram: np.ndarray, log_scale: float) -> float:
    """``0.5 log lambda_max`` of a Hermitian PSD matrix ``exp(log_scale) gram``."""
    lam = float(np.linalg.eigvalsh((gram + np.conj(gram.T)) / 2).max())
    return -math.inf if lam <= 0 else 0.5 * (math.log(lam) + log_scale)


def _mul(x: float, y: float) -> float:
    """Product of two nonnegative bounds where an exact zero factor wins over ``inf``."""
    return 0.0 if (x == 0.0 or y == 0.0) else x * y


def _ladd(x: float | np.ndarray, y: float | np.ndarray) -> np.ndarray:
    """Log of a product of nonnegative numbers given by logs: an exact zero wins over inf."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where((x == -np.inf) | (y == -np.inf), -np.inf, x + y)


def _lsum(terms: Sequence[float] | np.ndarray) -> float:
    """log of a sum of nonnegative numbers given by logs."""
    terms = np.asarray(terms, dtype=float)
    return float(np.logaddexp.reduce(terms)) if terms.size and terms.max() > -np.inf else -np.inf


def _block_matrix(block: np.ndarray) -> np.ndarray:
    """A fibre (a, n, b) as the (a n) x b matrix the bounds use; matrices unchanged."""
    return block.reshape(-1, block.shape[-1])


# ---------------------------------------------------------------------------- Gram sweeps
def _cross_cores(
    fib: Sequence[np.ndarray], wks: Sequence[np.ndarray], rcond: float, taus: list[float | None]
) -> CrossCores:
    """The cross cores of fibres ``fib[k]`` (r[k-1], n[k], r'[k]) and intersections ``wks[k]``
    (r[k], r'[k]), inverted with ``regularized_pinv(wks[k], rcond=rcond, tau=taus[k])``."""
    units, logs, pinvs, infos = [], [], [], []
    for k, c in enumerate(fib):
        core = c
        if k < len(wks):
            x, info = regularized_pinv(wks[k], rcond=rcond, tau=taus[k])
            pinvs.append(x)
            infos.append(info)
            core = np.tensordot(c, x, axes=(2, 0))
        unit, lg = _max_scaled(core)
        units.append(unit)
        logs.append(lg if np.any(unit) else -math.inf)
    return CrossCores(units, logs, pinvs, infos)


def _sweep(
    units: list[np.ndarray], a: int, b: int, side: str
) -> Iterator[tuple[int, np.ndarray, float]]:
    """Gram matrix of ``G_a ... G_b``: rows (left bond, phys) for side 'left', else columns.

    Yields ``(k, gram, log_scale)`` after each core, ``k`` running away from the start.
    """
    if side == "left":
        env, order, step = np.eye(units[a].shape[0]), range(a, b + 1), ct.left_env_step
    else:
        env, order, step = np.eye(units[b].shape[2]), range(b, a - 1, -1), ct.right_env_step
    log_scale = 0.0
    for k in order:
        env = step(env, units[k], units[k])
        scale = float(np.max(np.abs(env)))
        if scale == 0.0:
            yield k, env, -math.inf
            continue
        env = env / scale
        log_scale += math.log(scale)
        yield k, env, log_scale


def _segment_log_norm(
    units: list[np.ndarray], logs: list[float], a: int, b: int, side: str
) -> float:
    """``log ||G_a ... G_b||_2`` as ``(r_{a-1} N) x r_b`` ('left') or ``r_{a-1} x (N r_b)``."""
    *_, (_, gram, log_scale) = _sweep(units, a, b, side)
    if not math.isfinite(log_scale):
        return -math.inf
    return _log_top_eig(gram, log_scale) + float(sum(logs[a : b + 1]))


def _interface_logs(
    units: list[np.ndarray], logs: list[float], pinvs: list[np.ndarray], norm: str = "2"
) -> tuple[np.ndarray, np.ndarray]:
    """Per cut: ``log ||G_0 ... G_k||`` and ``log ||X_k Rhat_k||`` (one sweep each way), in the
    spectral (``norm="2"``) or Frobenius (``"fro"``) norm."""
    d = len(units)
    left, right = np.full(d - 1, -math.inf), np.full(d - 1, -math.inf)
    for k, gram, log_scale in _sweep(units, 0, d - 1, "left"):
        if k < d - 1 and math.isfinite(log_scale):
            left[k] = _log_gram_norm(gram, log_scale, norm) + sum(logs[: k + 1])
    for k, gram, log_scale in _sweep(units, 0, d - 1, "right"):
        if k > 0 and math.isfinite(log_scale):
            x, lx = _max_scaled(pinvs[k - 1])  # X_{k-1} R_{k-1}, R_{k-1} = G_k ... G_{d-1}
            outer = x @ np.conj(gram) @ np.conj(x.T)
            right[k - 1] = _log_gram_norm(outer, log_scale + 2 * lx, norm) + sum(logs[k:])
    return left, right


def _log_gram_norm(gram: np.ndarray, log_scale: float, norm: str) -> float:
    """``log ||M||`` from the Gram matrix ``exp(log_scale) gram`` of ``M``."""
    if norm == "2":
        return _log_top_eig(gram, log_scale)
    return 0.5 * (math.log(max(float(np.trace(gram).real), 1e-300)) + log_scale)


def _segment_table(units: list[np.ndarray], logs: list[float], length: int) -> np.ndarray:
    """``seg[k, j] = log ||G_k ... G_{k+j-1}||_2`` as ``(r_{k-1} N) x r_{k+j-1}``, ``j <= length``.

    ``seg[k, 0] = 0`` (empty product); ``-inf`` past the last core. The starts ``k`` sweep
    together, keeping a window of the last ``length`` environments: O(d length) batched
    environment steps, O(d length) memory, instead of the O(d^2) of every segment.
    """
    d = len(units)
    finite = np.isfinite(logs)
    cum = np.concatenate([[0.0], np.cumsum(np.where(finite, logs, 0.0))])
    zeros = np.concatenate([[0], np.cumsum(~finite)])  # zero cores before each position
    seg = np.full((d, length + 1), -np.inf)
    seg[:, 0] = 0.0
    envs = np.zeros((0, units[0].shape[0], units[0].shape[0]), dtype=units[0].dtype)
    scales, starts = np.zeros(0), np.zeros(0, dtype=np.int64)
    for i, core in enumerate(units):
        start = np.eye(core.shape[0], dtype=envs.dtype)[None]
        keep = starts > i - length  # segments [k..i] of length <= `length`
        envs = ct.left_env_step_batched(np.concatenate([envs[keep], start]), core, core)
        scales, starts = np.append(scales[keep], 0.0), np.append(starts[keep], i)
        top = np.max(np.abs(envs), axis=(1, 2))
        envs = envs / np.where(top > 0, top, 1.0)[:, None, None]
        with np.errstate(divide="ignore"):
            scales = scales + np.log(top)
            lam = np.linalg.eigvalsh((envs + np.conj(np.swapaxes(envs, 1, 2))) / 2)[:, -1]
            log_norm = np.where(lam > 0, 0.5 * (np.log(np.maximum(lam, 1e-300)) + scales), -np.inf)
        zero = zeros[i + 1] > zeros[starts]
        seg[starts, i + 1 - starts] = np.where(zero, -np.inf, log_norm + cum[i + 1] - cum[starts])
    return seg


def _right_logs(units: list[np.ndarray], logs: list[float]) -> np.ndarray:
    """``right[i] = log ||G_{i+1} ... G_{d-1}||_2`` as ``r_i x N`` (0 for the empty product)."""
    d = len(units)
    right = np.zeros(d)
    right[:-1] = -np.inf
    for i, gram, log_scale in _sweep(units, 0, d - 1, "right"):
        if i > 0 and math.isfinite(log_scale):
            right[i - 1] = _log_top_eig(gram, log_scale) + float(np.sum(logs[i:]))
    return right


def _interface_diag_logs(
    units: list[np.ndarray], logs: list[float], pinvs: list[np.ndarray]
) -> tuple[list, list]:
    """Per cut: logs of the squared column norms of ``L_k = G_0 ... G_k`` (r_k) and of the
    squared row norms of ``M_k = X_k G_{k+1} ... G_{d-1}`` (r'_k): Gram diagonals."""
    d = len(units)
    left, right = [None] * (d - 1), [None] * (d - 1)
    with np.errstate(divide="ignore"):
        for k, gram, log_scale in _sweep(units, 0, d - 1, "left"):
            if k < d - 1:
                diag = np.log(np.maximum(np.diagonal(gram).real, 0.0))
                left[k] = diag + log_scale + 2 * sum(logs[: k + 1])
        for k, gram, log_scale in _sweep(units, 0, d - 1, "right"):
            if k > 0:
                x, lx = _max_scaled(pinvs[k - 1])
                diag = np.log(
                    np.maximum(np.einsum("ij,jk,ik->i", x, np.conj(gram), np.conj(x)).real, 0)
                )
                right[k - 1] = diag + log_scale + 2 * lx + 2 * sum(logs[k:])
    return left, right


def _interface_log_norms(
    cores: CrossCores, spectral: tuple[np.ndarray, np.ndarray], *, diagonals: bool = False
) -> InterfaceLogs:
    """All interface norms of ``cores`` in log scale, given the spectral ones (``left``,
    ``right`` of :func:`_interface_logs`); the Gram diagonals only if asked for."""
    units, logs, pinvs = cores.units, cores.logs, cores.pinvs
    left, right = spectral
    left_fro, right_fro = _interface_logs(units, logs, pinvs, "fro")
    left_diag = right_diag = None
    if diagonals:
        left_diag, right_diag = _interface_diag_logs(units, logs, pinvs)
    return InterfaceLogs(left, right, left_fro, right_fro, left_diag, right_diag)
