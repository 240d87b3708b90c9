"""Input checks for public entry points, shared by ``ttcross`` and ``tomography``.

Each ``check_*`` function takes the value and the argument's name, and returns the value
converted to the type the caller works with (``int``, ``float``, a float64 array, a tuple of
ints) or raises: ``TypeError`` for a wrong type, ``ValueError`` for a wrong value. Messages say
what, what was expected, what was given and, where there is one, the fix, e.g.
``` `shots == 0`, must be >= 1 ```. Inner code trusts the values these return.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from functools import lru_cache
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
    "check_count",
    "check_int_array",
    "check_memory",
    "format_bytes",
    "memory_limit",
    "INT64_MAX",
]

INT64_MAX = int(np.iinfo(np.int64).max)
"""Largest count or index ttqst stores (int64): ``2^63 - 1``."""
_EXACT_FLOAT = 2**53  # above this a float no longer holds every integer exactly


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


def _integral_float(value: float, name: str) -> int:
    """An exactly integral float as int; ValueError naming ``name`` otherwise."""
    if not math.isfinite(value) or not value.is_integer():
        raise ValueError(f"`{name} == {value!r}` is not a whole number: expected an integer")
    if abs(value) > _EXACT_FLOAT:
        raise ValueError(
            f"`{name} == {value!r}` is a float above 2^53, which does not hold an integer "
            "exactly; write it as an integer"
        )
    return int(value)


def check_count(value: object, name: str, maximum: int = INT64_MAX) -> int:
    """Return a count as an int in ``[0, maximum]``.

    An int or numpy integer is taken as it is; a float only when it is exactly integral and
    at most ``2^53`` (``2.0`` is 2, ``2.5`` is refused, never truncated). A count is data
    (a value read from a counts dict or file), so every bad count is a ValueError that says
    "not a count": strings, None, bools, negative, fractional, non-finite or too large
    values.

    Parameters
    ----------
    value : object
    name : str
        What the value is, for the message (e.g. ``"count of '01' in setting 3"``).
    maximum : int, default=INT64_MAX
        Largest count accepted (``2^63 - 1``: counts are stored as int64).

    Returns
    -------
    int
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(
            f"{name} is {value!r} (a {type(value).__name__}), not a count: expected a "
            "non-negative integer"
        )
    if not isinstance(value, Integral):
        value = float(value)
        if not math.isfinite(value) or not value.is_integer() or abs(value) > _EXACT_FLOAT:
            raise ValueError(
                f"{name} is {value!r}, not a count: expected a non-negative integer (a float "
                "only when whole and at most 2^53; ttqst never truncates)"
            )
    count = int(value)
    if count < 0:
        raise ValueError(f"{name} is {count}, not a count: expected a non-negative integer")
    if count > maximum:
        raise ValueError(
            f"{name} is {count}, not a count ttqst can store: above {maximum} (2^63 - 1, "
            "int64); split the data or check the count"
        )
    return count


def _object_to_int64(arr: np.ndarray, name: str) -> np.ndarray:
    """An object array of Python integers (or integral floats) as int64, checked."""
    flat = arr.ravel()
    out = np.empty(flat.shape, dtype=np.int64)
    for i, value in enumerate(flat):
        if isinstance(value, bool) or not isinstance(value, Real):
            raise TypeError(
                f"`{name}` entry {i} is {value!r} (a {type(value).__name__}): expected integers"
            )
        number = (
            int(value) if isinstance(value, Integral) else _integral_float(value, f"{name}[{i}]")
        )
        if not -INT64_MAX - 1 <= number <= INT64_MAX:
            raise ValueError(
                f"`{name}` entry {i} is {number}, outside int64 (|value| < 2^63); check the data"
            )
        out[i] = number
    return out.reshape(arr.shape)


def _float_to_int64(arr: np.ndarray, name: str) -> np.ndarray:
    check_finite(arr, name)
    fractional = np.flatnonzero(np.mod(arr.ravel(), 1) != 0)
    if fractional.size:
        i = int(fractional[0])
        raise ValueError(
            f"`{name}` entry {i} is {float(arr.ravel()[i])!r}, not a whole number: expected "
            f"integers ({fractional.size} such entries); ttqst does not truncate"
        )
    if arr.size and np.max(np.abs(arr)) > _EXACT_FLOAT:
        raise ValueError(f"`{name}` has floats above 2^53, which are not exact; store integers")
    return arr.astype(np.int64)


def _check_int_range(arr: np.ndarray, name: str, minimum: int | None, maximum: int | None) -> None:
    for bound, bad in (
        (minimum, arr < minimum if minimum is not None else None),
        (maximum, arr > maximum if maximum is not None else None),
    ):
        if bound is None or not bad.any():
            continue
        i = int(np.flatnonzero(bad.ravel())[0])
        low = "-inf" if minimum is None else minimum
        high = "inf" if maximum is None else maximum
        raise ValueError(
            f"`{name}` entry {i} is {arr.ravel()[i]}, expected {low} <= value <= {high} "
            f"({int(bad.sum())} entries outside)"
        )


def check_int_array(
    array: object,
    name: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> np.ndarray:
    """Return ``array`` as an int64 array whose entries lie in ``[minimum, maximum]``.

    Integer and bool arrays are converted; float arrays only when every entry is exactly
    integral (``2.0`` is 2, ``2.5`` is refused, never truncated); object arrays of Python
    integers when every one fits int64. Strings, None and other types are a TypeError;
    fractional, non-finite, out-of-range or int64-overflowing values a ValueError naming the
    first offending entry.

    Parameters
    ----------
    array : array-like
    name : str
        Argument name for the message.
    minimum, maximum : int, optional
        Inclusive bounds.

    Returns
    -------
    ndarray of int64, same shape
    """
    arr = np.asarray(array)
    if arr.dtype == bool or np.issubdtype(arr.dtype, np.signedinteger):
        out = arr.astype(np.int64)
    elif np.issubdtype(arr.dtype, np.unsignedinteger):
        if arr.size and int(arr.max()) > INT64_MAX:
            raise ValueError(f"`{name}` has entries above 2^63 - 1 (int64); check the data")
        out = arr.astype(np.int64)
    elif np.issubdtype(arr.dtype, np.floating):
        out = _float_to_int64(arr, name)
    elif arr.dtype == object:
        out = _object_to_int64(arr, name)
    else:
        raise TypeError(f"`{name}` must be an integer array, got dtype {arr.dtype}")
    _check_int_range(out, name, minimum, maximum)
    return out


_UNITS = ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")


def format_bytes(nbytes: int) -> str:
    """``nbytes`` in binary units, e.g. ``"7.3 TiB"``."""
    value, unit = float(nbytes), 0
    while value >= 1024 and unit < len(_UNITS) - 1:
        value, unit = value / 1024, unit + 1
    return f"{int(value)} bytes" if unit == 0 else f"{value:.1f} {_UNITS[unit]}"


@lru_cache(maxsize=1)
def memory_limit() -> int:
    """Bytes one allocation of ttqst may plan for: the machine's physical memory.

    Read once with ``os.sysconf``; 64 GiB where the platform does not say.
    """
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, OSError, ValueError):  # pragma: no cover - non-POSIX
        return 64 * 2**30


def check_memory(nbytes: int, what: str, fix: str, limit: int | None = None) -> int:
    """Refuse, before allocating, work that needs more than ``limit`` bytes.

    Parameters
    ----------
    nbytes : int
        Bytes the work would need (computed with Python ints: no overflow).
    what : str
        The work, e.g. ``"sampling 27 settings x 10^12 shots x 5 qubits"``.
    fix : str
        What to lower, e.g. ``"lower shots"``.
    limit : int, optional
        Default: :func:`memory_limit` (the machine's physical memory).

    Returns
    -------
    int
        ``nbytes``.

    Raises
    ------
    ValueError
        ``"<what> would need 7.3 TiB, more than the 125.6 GiB of memory of this machine;
        <fix>"``.
    """
    limit = memory_limit() if limit is None else limit
    if nbytes > limit:
        raise ValueError(
            f"{what} would need {format_bytes(nbytes)}, more than the "
            f"{format_bytes(limit)} of memory of this machine; {fix}"
        )
    return nbytes
