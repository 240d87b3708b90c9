"""Input checks for public entry points, shared by ``ttcross`` and ``tomography``.

Each ``check_*`` function takes the value and the argument's name, and returns the value
converted to the type the caller works with (``int``, ``float``, a float64 array, a tuple of
ints) or raises: ``TypeError`` for a wrong type, ``ValueError`` for a wrong value. Messages say
what, what was expected, what was given and, where there is one, the fix, e.g.
``` `shots == 0`, must be >= 1 ```. Inner code trusts the values these return.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np

__all__ = [
    "check_int",
    "check_real",
    "check_probability",
    "check_finite",
    "check_shape",
    "check_indices",
    "check_cores",
]


def check_int(value: object, name: str, minimum: int | None = None) -> int:
    """Return ``value`` as int; TypeError if not integral, ValueError if below ``minimum``.

    Parameters
    ----------
    value : object
        An int or numpy integer (not bool).
    name : str
        Argument name for the message.
    minimum : int, optional
        Smallest value accepted.

    Returns
    -------
    int
    """
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"`{name}` must be an int, not {type(value).__name__}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"`{name} == {value}`, must be >= {minimum}")
    return value


def check_real(
    value: object,
    name: str,
    *,
    minimum: float | None = None,
    strict: bool = False,
    maximum: float | None = None,
) -> float:
    """Return ``value`` as a finite float, optionally bounded.

    Parameters
    ----------
    value : object
        A real number (not bool).
    name : str
        Argument name for the message.
    minimum : float, optional
        Lower bound, ``>=`` (``>`` with ``strict``).
    strict : bool, default=False
    maximum : float, optional
        Upper bound, ``<=``; with ``minimum`` the message names the interval.

    Returns
    -------
    float
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"`{name}` must be a real number, not {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"`{name} == {value}`, must be finite")
    below = minimum is not None and (value <= minimum if strict else value < minimum)
    if maximum is not None and (below or value > maximum):
        low = "-inf" if minimum is None else f"{minimum:g}"
        interval = f"{'(' if strict else '['}{low}, {maximum:g}]"
        raise ValueError(f"`{name} == {value:g}`, must be in {interval}")
    if below:
        raise ValueError(f"`{name} == {value}`, must be {'>' if strict else '>='} {minimum}")
    return value


def check_probability(value: object, name: str, maximum: float = 1.0) -> float:
    """Return ``value`` as a float in ``[0, maximum]`` (see :func:`check_real`)."""
    return check_real(value, name, minimum=0.0, maximum=maximum)


def check_finite(array: np.ndarray, name: str) -> np.ndarray:
    """Raise ValueError naming NaN or infinity in ``array``; return it unchanged."""
    if array.size and not np.isfinite(np.sum(array)):
        finite = np.isfinite(array)
        if finite.all():  # the sum overflowed, every entry is fine
            return array
        bad = tuple(np.argwhere(~finite)[0].tolist())
        kind = "NaN" if np.isnan(array[bad]) else "infinity"
        raise ValueError(f"`{name}` contains {kind} (first at index {bad})")
    return array


def check_shape(shape: Sequence[int], name: str = "shape") -> tuple[int, ...]:
    """Return a tensor shape as a tuple of ints >= 1, order >= 1."""
    try:
        dims = tuple(shape)
    except TypeError:
        raise TypeError(f"`{name}` must be a sequence of ints, got {shape!r}") from None
    if len(dims) == 0:
        raise ValueError(f"`{name}` is empty: a tensor train needs order >= 1")
    return tuple(check_int(n, f"{name}[{k}]", minimum=1) for k, n in enumerate(dims))


def check_indices(idx, shape: tuple[int, ...], name: str = "idx") -> np.ndarray:
    """Return multi-indices as an int64 array of shape (M, d), checked against ``shape``.

    A 1-D input of length d is taken as one index and returned as shape (1, d).
    """
    arr = np.asarray(idx)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.integer) or arr.size == 0):
        if np.issubdtype(arr.dtype, np.floating) and np.all(np.mod(arr, 1) == 0):
            raise TypeError(
                f"`{name}` has dtype {arr.dtype}: indices must be integers; "
                f"convert with `{name}.astype(int)`"
            )
        raise TypeError(f"`{name}` must be an integer array, got dtype {arr.dtype}")
    d = len(shape)
    if arr.ndim == 1 and arr.shape[0] == d:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != d:
        raise ValueError(
            f"`{name}` must have shape (M, {d}) for an order-{d} tensor, got shape {arr.shape}"
        )
    arr = arr.astype(np.int64, copy=False)
    if arr.size:
        low = arr.min(axis=0)
        high = arr.max(axis=0)
        dims = np.asarray(shape)
        bad = np.flatnonzero((low < 0) | (high >= dims))
        if bad.size:
            k = int(bad[0])
            raise IndexError(
                f"`{name}` column {k} has values in [{low[k]}, {high[k]}], "
                f"expected 0 <= i < {shape[k]} (mode size)"
            )
    return arr


def check_cores(cores) -> list[np.ndarray]:
    """Return TT cores as a list of 3-D float or complex arrays with matching ranks."""
    if isinstance(cores, np.ndarray):
        raise TypeError("`cores` must be a list of 3-D arrays, not one array")
    cores = list(cores)
    if not cores:
        raise ValueError("`cores` is empty: a tensor train needs at least one core")
    out = []
    for k, core in enumerate(cores):
        core = np.asarray(core)
        if core.ndim != 3:
            raise ValueError(f"core {k} must be 3-D (r_left, n, r_right), got shape {core.shape}")
        if not (
            np.issubdtype(core.dtype, np.floating) or np.issubdtype(core.dtype, np.complexfloating)
        ):
            if np.issubdtype(core.dtype, np.integer) or core.dtype == bool:
                core = core.astype(np.float64)
            else:
                raise TypeError(f"core {k} has dtype {core.dtype}: expected float or complex")
        if 0 in core.shape:
            raise ValueError(f"core {k} has a zero dimension (shape {core.shape}): rank 0")
        out.append(check_finite(core, f"cores[{k}]"))
    if out[0].shape[0] != 1 or out[-1].shape[2] != 1:
        raise ValueError(
            f"boundary ranks must be 1, got r_0 = {out[0].shape[0]} and r_d = {out[-1].shape[2]}"
        )
    for k in range(len(out) - 1):
        if out[k].shape[2] != out[k + 1].shape[0]:
            raise ValueError(
                f"rank mismatch between core {k} (right rank {out[k].shape[2]}) and "
                f"core {k + 1} (left rank {out[k + 1].shape[0]})"
            )
    dtype = np.result_type(*out)
    return [c.astype(dtype, copy=False) for c in out]
