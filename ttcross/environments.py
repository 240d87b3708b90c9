"""Environments of a tensor train contracted with a fixed vector per mode, and their windows.

For cores ``G_k`` (r[k], n[k], r[k+1]) and one vector ``v_k`` (n[k],) per mode (by default the
unit vector ``e_0``), the left environment ``env[k]`` (r[k],) is the product of the matrices
``M_i = sum_j v_i[j] G_i[:, j, :]`` of modes ``0..k-1`` (``env[0] = [1]``), the right one the
product of those of modes ``k..n-1`` (``env[n] = [1]``). Each environment is normalised to
max-modulus 1 and the log of the factor removed is kept apart, so long chains neither
overflow nor underflow.

A *window* ``j..j+w-1`` between a left environment ``l`` and a right one ``r`` has the values
``A[i_1, ..., i_w] = l G_j[:, i_1, :] ... G_{j+w-1}[:, i_w, :] r``: every entry of the tensor
train whose modes outside the window are contracted with their vectors (up to the scales).

Reverse mode (vector-Jacobian products) of both is written out, O(n chi^2) for a chain and
O(prod(n) chi) for a window. Contractions go through :mod:`ttcross.contract`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import contract as ct

__all__ = [
    "vector_environments",
    "vector_environments_vjp",
    "absorb_environments",
    "WindowTape",
    "window_values",
    "window_values_vjp",
]


def _mode_matrix(core: np.ndarray, vector: np.ndarray | None) -> np.ndarray:
    """``sum_j vector[j] core[:, j, :]`` (r0, r1); ``core[:, 0, :]`` when ``vector`` is None."""
    return core[:, 0, :] if vector is None else ct.core_vector_product(core, vector)


def vector_environments(
    cores: list[np.ndarray], *, from_left: bool, vectors: list[np.ndarray] | None = None
) -> tuple[list[np.ndarray], np.ndarray]:
    """Left or right environments of a tensor train contracted with one vector per mode.

    Parameters
    ----------
    cores : list of ndarray, each (r[k], n[k], r[k+1]), r[0] = r[n] = 1
    from_left : bool
        ``env[k]`` contracts modes ``0..k-1`` (left) or ``k..n-1`` (right).
    vectors : list of ndarray, each (n[k],), optional
        The vector of each mode; default the unit vector ``e_0`` on every mode (a slice).

    Returns
    -------
    envs : list of ndarray, n + 1 of them, ``envs[k]`` (r[k],)
        Normalised to max-modulus 1 (a zero environment is left as is).
    logs : ndarray, shape (n + 1,)
        ``log`` of the factor removed: the true environment is ``exp(logs[k]) envs[k]``.
    """
    n = len(cores)
    vectors = [None] * n if vectors is None else vectors
    envs = [np.ones(1)] * (n + 1)
    logs = np.zeros(n + 1)
    order = range(n) if from_left else range(n - 1, -1, -1)
    for k in order:
        matrix = _mode_matrix(cores[k], vectors[k])
        if from_left:
            vec, src, dst = envs[k] @ matrix, k, k + 1
        else:
            vec, src, dst = matrix @ envs[k + 1], k + 1, k
        scale = float(np.max(np.abs(vec)))
        scale = scale if scale > 0 else 1.0
        envs[dst] = vec / scale
        logs[dst] = logs[src] + np.log(scale)
    return envs, logs


def vector_environments_vjp(
    cores: list[np.ndarray],
    envs: list[np.ndarray],
    logs: np.ndarray,
    envs_bar: list[np.ndarray],
    *,
    from_left: bool,
    vectors: list[np.ndarray] | None = None,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Reverse mode of :func:`vector_environments`: push environment cotangents down the chain.

    From the left ``env[k+1] = env[k] @ M_k / c`` with ``c = exp(logs[k+1] - logs[k])``; the
    normalisations ``c`` are held constant. That is exact for a function invariant to the
    scale of each environment (its derivative through ``c`` vanishes), as a ratio of window
    values is. From the right ``env[k] = M_k @ env[k+1] / c``.

    Parameters
    ----------
    cores, from_left, vectors
        As given to :func:`vector_environments`.
    envs : list of ndarray, each (r[k],)
    logs : ndarray, shape (n + 1,)
        Its outputs.
    envs_bar : list of ndarray, each (r[k],)
        Cotangent of each environment from its direct uses.

    Returns
    -------
    core_bars : list of ndarray, each (r[k], n[k], r[k+1])
        Cotangents of the cores through the chain.
    envs_bar : list of ndarray, each (r[k],)
        Total cotangents of the environments (direct uses plus the chain); a new list.
    """
    n = len(cores)
    vectors = [None] * n if vectors is None else vectors
    dtype = np.result_type(*cores, *envs_bar)
    envs_bar = [np.array(e, dtype=dtype) for e in envs_bar]
    core_bars = [np.zeros(c.shape, dtype) for c in cores]
    order = range(n - 1, -1, -1) if from_left else range(n)
    for k in order:
        matrix = _mode_matrix(cores[k], vectors[k])
        src, dst = (k, k + 1) if from_left else (k + 1, k)
        scale = np.exp(logs[dst] - logs[src])
        if from_left:
            matrix_bar = np.outer(envs[src], envs_bar[dst]) / scale
            envs_bar[src] += matrix @ envs_bar[dst] / scale
        else:
            matrix_bar = np.outer(envs_bar[dst], envs[src]) / scale
            envs_bar[src] += envs_bar[dst] @ matrix / scale
        if vectors[k] is None:
            core_bars[k][:, 0, :] = matrix_bar
        else:
            core_bars[k] = matrix_bar[:, None, :] * vectors[k][None, :, None]
    return core_bars, envs_bar


def absorb_environments(
    cores: list[np.ndarray], left: np.ndarray, right: np.ndarray
) -> list[np.ndarray]:
    """The cores of a window with its environments absorbed at both ends: a closed train.

    Parameters
    ----------
    cores : list of ndarray, each (r[k], n[k], r[k+1])
        The window's cores, ``w >= 1`` of them.
    left : ndarray, shape (r[0],)
    right : ndarray, shape (r[w],)

    Returns
    -------
    list of ndarray
        The same cores with ``left`` contracted into the first (now (1, n, r[1])) and
        ``right`` into the last (now (r[w-1], n, 1)).
    """
    out = list(cores)
    out[0] = ct.vector_times_core(left, out[0])[None]
    out[-1] = ct.core_times_vector(out[-1], right)[..., None]
    return out


class WindowTape(NamedTuple):
    """What :func:`window_values` keeps for :func:`window_values_vjp`.

    ``rows[t]`` (prod n of the first t modes, r) are the partial products from the left,
    ``columns[t]`` (r, prod n of the last t modes) those from the right; ``cores`` the window.
    """

    rows: list[np.ndarray]
    columns: list[np.ndarray]
    cores: list[np.ndarray]


def window_values(
    left: np.ndarray, cores: list[np.ndarray], right: np.ndarray
) -> tuple[np.ndarray, WindowTape]:
    """Every value ``left G_1[i_1] ... G_w[i_w] right`` of a window, in C order.

    Meet in the middle: the first ``w // 2`` cores are contracted from the left into rows
    (N_a, r), the others from the right into columns (r, N_b), and the values are one product
    of the two: O(N r) instead of O(N r^2) for ``N = prod(n)``.

    Parameters
    ----------
    left : ndarray, shape (r[0],)
    cores : list of ndarray, each (r[t], n[t], r[t+1])
    right : ndarray, shape (r[w],)

    Returns
    -------
    values : ndarray, shape (prod(n),)
        Index ``i_1 ... i_w`` in C order (the first mode most significant).
    tape : WindowTape
        For :func:`window_values_vjp`.
    """
    half = len(cores) // 2
    rows = [left[None, :]]
    for core in cores[:half]:
        rows.append(ct.rows_times_core(rows[-1], core).reshape(-1, core.shape[2]))
    columns = [right[:, None]]
    for core in reversed(cores[half:]):
        columns.append(ct.core_times_columns(core, columns[-1]).reshape(core.shape[0], -1))
    values = (rows[-1] @ columns[-1]).ravel()  # prefix * N_b + suffix
    return values, WindowTape(rows, columns, list(cores))


def window_values_vjp(
    tape: WindowTape, values_bar: np.ndarray
) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """Reverse mode of :func:`window_values`.

    Parameters
    ----------
    tape : WindowTape
        From :func:`window_values`.
    values_bar : ndarray, shape (prod(n),)
        Cotangent of the values.

    Returns
    -------
    left_bar : ndarray, shape (r[0],)
    core_bars : list of ndarray, shapes of the cores
    right_bar : ndarray, shape (r[w],)
    """
    rows, columns, cores = tape
    w, half = len(cores), len(cores) // 2
    values_bar = values_bar.reshape(rows[-1].shape[0], columns[-1].shape[1])
    rows_bar = values_bar @ columns[-1].T
    columns_bar = rows[-1].T @ values_bar
    core_bars = [None] * w
    for t in range(half - 1, -1, -1):
        core = cores[t]
        cotangent = rows_bar.reshape(-1, core.shape[1], core.shape[2])
        rows_bar, core_bars[t] = ct.rows_times_core_vjp(rows[t], core, cotangent)
    for t in range(w - half - 1, -1, -1):  # columns[t + 1] from columns[t]
        core = cores[w - 1 - t]
        cotangent = columns_bar.reshape(core.shape[0], core.shape[1], -1)
        core_bars[w - 1 - t], columns_bar = ct.core_times_columns_vjp(core, columns[t], cotangent)
    return rows_bar[0], core_bars, columns_bar[:, 0]
