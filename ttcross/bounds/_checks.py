"""Validation of the inputs of :mod:`ttcross.bounds` (private): checks return the values to use."""

from __future__ import annotations

import numpy as np

from ..interpolate import PinvInfo
from ..validation import check_finite, check_int, check_real


def _check_cross_data(fibres, intersections) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Return fibres (3-D) and intersections (2-D) as arrays with matching shapes."""
    if isinstance(fibres, np.ndarray) or isinstance(intersections, np.ndarray):
        raise TypeError("`fibres` and `intersections` must be lists of arrays, not one array")
    fib = [np.asarray(c) for c in fibres]
    wks = [np.asarray(w) for w in intersections]
    d = len(fib)
    if d == 0:
        raise ValueError("`fibres` is empty: a cross needs at least one fibre")
    if len(wks) != d - 1:
        raise ValueError(f"need {d - 1} intersection matrices for {d} fibres, got {len(wks)}")
    for k, c in enumerate(fib):
        if c.ndim != 3:
            raise ValueError(f"fibres[{k}] must be 3-D (r[k-1], n[k], r'[k]), got shape {c.shape}")
        if not np.issubdtype(c.dtype, np.number):
            raise TypeError(f"fibres[{k}] has dtype {c.dtype}: expected real or complex")
        check_finite(c, f"fibres[{k}]")
    if fib[0].shape[0] != 1 or fib[-1].shape[2] != 1:
        raise ValueError(
            f"boundary fibres need outer size 1, got fibres[0].shape = {fib[0].shape} and "
            f"fibres[-1].shape = {fib[-1].shape}"
        )
    for k, w in enumerate(wks):
        expected = (fib[k + 1].shape[0], fib[k].shape[2])
        if w.shape != expected:
            raise ValueError(
                f"intersections[{k}] has shape {w.shape}, expected {expected} from the fibres"
            )
        check_finite(w, f"intersections[{k}]")
    return fib, wks


def _check_tau(tau, n_cuts: int) -> list[float | None]:
    """Per-cut Tikhonov strengths (``None``: hard cut-off) from one value or ``n_cuts``."""
    if tau is None:
        return [None] * n_cuts
    tau = list(np.atleast_1d(np.asarray(tau, dtype=float)))
    if len(tau) == 1 and n_cuts != 1:
        tau = tau * n_cuts
    if len(tau) != n_cuts:
        raise ValueError(f"`tau` needs one value per cut ({n_cuts}), got {len(tau)}")
    return [check_real(float(t), f"tau[{k}]", minimum=0.0) for k, t in enumerate(tau)]


def _per_block(value, fibres, intersections, name: str) -> list[np.ndarray] | None:
    """Broadcast a scalar or a (fibre_values, intersection_values) pair to every block."""
    if value is None:
        return None
    blocks = list(fibres) + list(intersections)
    if np.isscalar(value):
        value = check_real(value, name, minimum=0.0)
        return [np.full(b.shape, value) for b in blocks]
    if not (isinstance(value, tuple | list) and len(value) == 2):
        raise TypeError(f"`{name}` must be a float or a pair (fibre values, intersection values)")
    given = list(value[0]) + list(value[1])
    if len(given) != len(blocks):
        raise ValueError(
            f"`{name}` needs {len(fibres)} fibre and {len(intersections)} intersection entries, "
            f"got {len(value[0])} and {len(value[1])}"
        )
    out = []
    for j, (v, b) in enumerate(zip(given, blocks, strict=True)):
        v = np.asarray(v, dtype=float)
        try:
            v = np.broadcast_to(v, b.shape)
        except ValueError:
            raise ValueError(
                f"`{name}` block {j} has shape {v.shape}, not broadcastable to {b.shape}"
            ) from None
        if np.any(~np.isfinite(v)) or np.any(v < 0):
            raise ValueError(f"`{name}` block {j} must be finite and >= 0")
        out.append(v)
    return out


def _check_ranks(ranks, d: int) -> list[int]:
    """One nonnegative rank per cut of an order-``d`` tensor, from one int or ``d - 1``."""
    if np.isscalar(ranks):
        return [check_int(ranks, "ranks", minimum=0)] * (d - 1)
    ranks = [check_int(r, f"ranks[{k}]", minimum=0) for k, r in enumerate(ranks)]
    if len(ranks) != d - 1:
        raise ValueError(f"`ranks` needs one rank per cut ({d - 1}), got {len(ranks)}")
    return ranks


def _check_model_ranks(model_ranks, infos: list[PinvInfo]) -> list[int]:
    """The model ranks per cut (default: the ranks the pseudo-inverses keep), each at most the
    number of singular values of its intersection."""
    if model_ranks is None:
        return [int(i.rank) for i in infos]
    ranks = _check_ranks(model_ranks, len(infos) + 1)
    for k, (r, info) in enumerate(zip(ranks, infos, strict=True)):
        if r > info.singular_values.size:
            raise ValueError(
                f"model_ranks[{k}] == {r} exceeds the size of intersection {k} "
                f"({info.singular_values.size} singular values)"
            )
    return ranks
