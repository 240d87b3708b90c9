"""Numerical kernels of :mod:`ttcross.bounds`: everything computed from the samples alone.

Plain functions on arrays, no validation of user input (``ttcross.bounds`` does that):

- scale-safe norms and log arithmetic (``_fro``, ``_max_scaled``, ``_ladd``, ``_lsum``), so that
  orders where ``||A_hat||`` overflows still give finite logs;
- Wedin's perturbation bound for the regularised pseudo-inverse of one intersection
  (:func:`pinv_perturbation_bound`) and the leaf bounds of one core built on it
  (``_leaf_error``);
- Gram sweeps over the cross cores (``_sweep``, ``_segment_table``): interface and segment
  spectral norms in log scale;
- the two recursions over the leaf bounds, balanced split (``_balanced``) and telescoping sum
  (``_sequential``), and the closed form of the first.

The derivations, notation (``C_k``, ``W_k``, ``X_k``, ``G_k``, ``T``) and references are in the
docstring of :mod:`ttcross.bounds`.
"""

from __future__ import annotations

import math

import numpy as np

from . import contract as ct
from ._validation import check_int
from .interpolate import PinvInfo, regularized_pinv

#: Wedin's constants: ``||B^+ - A^+|| <= mu max(||A^+||_2, ||B^+||_2)^2 ||B - A||``.
WEDIN_SPECTRAL = (1.0 + math.sqrt(5.0)) / 2.0
WEDIN_FROBENIUS = math.sqrt(2.0)


# ---------------------------------------------------------------------------- scale-safe arithmetic
def _fro(array) -> float:
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


def _ladd(x, y):
    """Log of a product of nonnegative numbers given by logs: an exact zero wins over inf."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where((x == -np.inf) | (y == -np.inf), -np.inf, x + y)


def _lsum(terms) -> float:
    """log of a sum of nonnegative numbers given by logs."""
    terms = np.asarray(terms, dtype=float)
    return float(np.logaddexp.reduce(terms)) if terms.size and terms.max() > -np.inf else -np.inf


def _block_matrix(block: np.ndarray) -> np.ndarray:
    """A fibre (a, n, b) as the (a n) x b matrix the bounds use; matrices unchanged."""
    return block.reshape(-1, block.shape[-1])


# ---------------------------------------------------------------------------- validation
def _check_ranks(ranks, d: int) -> list[int]:
    if np.isscalar(ranks):
        return [check_int(ranks, "ranks", minimum=0)] * (d - 1)
    ranks = [check_int(r, f"ranks[{k}]", minimum=0) for k, r in enumerate(ranks)]
    if len(ranks) != d - 1:
        raise ValueError(f"`ranks` needs one rank per cut ({d - 1}), got {len(ranks)}")
    return ranks


# ---------------------------------------------------------------------------- pseudo-inverses
def _inverse_values(info: PinvInfo, tau: float | None) -> np.ndarray:
    """Singular values of ``X``, paired with those of ``W`` (same rule as regularized_pinv)."""
    s = info.singular_values
    if tau is not None and tau > 0:
        return s / (s**2 + tau**2)
    keep = s > info.cutoff
    return np.where(keep, 1.0 / np.where(keep, s, 1.0), 0.0)


def pinv_perturbation_bound(
    singular_values: np.ndarray,
    inverse_values: np.ndarray,
    *,
    rank: int,
    delta_2: float,
    delta_fro: float,
) -> tuple[float, float, float]:
    """Bound ``||X - W0^+||`` for a regularised inverse ``X`` of ``W = W0 + D``.

    ``X = V diag(inverse_values) U^H`` with ``W = U diag(singular_values) V^H``; ``W0`` has rank
    ``rank``, ``||D||_2 <= delta_2``, ``||D||_F <= delta_fro``. With ``B = W_rank`` (the best
    rank-``rank`` part of ``W``), ``g_i = 1/s_i`` for ``i <= rank`` else 0::

        ||X - W0^+|| <= ||diag(inverse_values - g)|| + mu ||B - W0|| / (s_rank - delta_2)^2,
        ||B - W0|| <= ||s_{rank+1:}|| + ||D||,      ||W0^+||_2 <= 1 / (s_rank - delta_2),

    (Weyl for ``s_rank(W0)``; Wedin with ``mu = (1 + sqrt 5)/2`` for the spectral norm and
    ``sqrt 2`` for Frobenius). Needs no full tensor.

    Parameters
    ----------
    singular_values : ndarray, shape (p,)
        Of ``W``, descending.
    inverse_values : ndarray, shape (p,)
        Of ``X``, paired with them.
    rank : int
        ``rank W0``, ``0 <= rank <= p``.
    delta_2, delta_fro : float
        Bounds on ``||D||_2`` and ``||D||_F``.

    Returns
    -------
    bound_2 : float
        ``>= ||X - W0^+||_2`` (``inf`` when ``s_rank <= delta_2``).
    bound_fro : float
        ``>= ||X - W0^+||_F``.
    inverse_norm : float
        ``>= ||W0^+||_2``.
    """
    s = np.asarray(singular_values, dtype=float)
    inv = np.asarray(inverse_values, dtype=float)
    rank = check_int(rank, "rank", minimum=0)
    if rank > s.size:
        raise ValueError(f"`rank == {rank}`, must be <= {s.size} (number of singular values)")
    if rank == 0:  # W0 = 0
        return float(np.max(inv, initial=0.0)), float(_fro(inv)), 0.0
    gap = s[rank - 1] - delta_2
    if gap <= 0:
        return math.inf, math.inf, math.inf
    target = np.zeros_like(s)
    target[:rank] = 1.0 / s[:rank]
    diff = np.abs(inv - target)
    tail_2 = float(s[rank]) if rank < s.size else 0.0
    tail_f = float(_fro(s[rank:]))
    bound_2 = float(diff.max()) + WEDIN_SPECTRAL * (tail_2 + delta_2) / gap / gap
    bound_f = float(_fro(diff)) + WEDIN_FROBENIUS * (tail_f + delta_fro) / gap / gap
    return bound_2, bound_f, 1.0 / gap


def _spectral_terms(s, inverse, rank, delta_2, delta_fro) -> dict:
    """Spectral pieces of ``X`` against ``B = W_rank`` (``W = W0 + D``, ``rank W0 = rank``).

    ``eta >= ||B - W0||`` (``||s_{rank+1:}|| + ||D||``), ``gap <= s_rank(W0)`` (Weyl),
    ``fit_i = s_i x_i - 1`` (``i <= rank``), ``noise = max_{i > rank} x_i``.
    """
    kept = inverse[:rank]
    target = np.zeros_like(s)
    target[:rank] = 1.0 / s[:rank]
    diff = np.abs(inverse - target)
    return {
        "diff_2": float(diff.max()),
        "diff_f": float(_fro(diff)),
        "eta_2": (float(s[rank]) if rank < s.size else 0.0) + delta_2,
        "eta_f": float(_fro(s[rank:])) + delta_fro,
        "gap": float(s[rank - 1]) - delta_2,
        "s_rank": float(s[rank - 1]),
        "fit_2": float(np.max(np.abs(s[:rank] * kept - 1.0))),
        "fit_f": float(_fro(s[:rank] * kept - 1.0)),
        "kept": float(np.max(kept)),
        "noise": float(np.max(inverse[rank:], initial=0.0)),
    }


def _range_forms(t: dict) -> tuple[tuple[float, float], tuple[float, float, float]]:
    """Bounds on ``W0 (X - W0^+)`` and on ``W0 (X Pi - W0^+)``, ``Pi`` = projector on range W0.

    Plain (``2`` and ``F``; ``diff = |x_i - 1/s_i|`` for ``i <= rank``, ``x_i`` beyond)::

        W0 (X - W0^+) = B (X - B^+) - (B - W0)(X - B^+) + (P_B - P_W0) - (B - W0) B^+,
        ||P_B - P_W0||_2 <= eta_2 / s_rank,  ||.||_F <= sqrt 2 eta_F / s_rank (equal ranks).

    Projected, with ``xi >= ||X Pi||_2 = kept + noise eta / gap + kept eta / s_rank``::

        W0 (X Pi - W0^+) = (B X - P_B) Pi - (I - P_B) Pi - (B - W0) X Pi,
        ||(I - P_B) Pi|| <= eta / gap.
    """
    e2, ef, gap, sr = t["eta_2"], t["eta_f"], t["gap"], t["s_rank"]
    plain = (
        t["fit_2"] + e2 * t["diff_2"] + 2.0 * e2 / sr,
        t["fit_f"] + min(e2 * t["diff_f"], ef * t["diff_2"]) + (1.0 + WEDIN_FROBENIUS) * ef / sr,
    )
    xi = t["kept"] + t["noise"] * e2 / gap + t["kept"] * e2 / sr
    projected = (t["fit_2"] + e2 / gap + e2 * xi, t["fit_f"] + ef / gap + ef * xi, xi)
    return plain, projected


def _leaf_error(cut, rank, deltas_c, deltas_w) -> dict:
    """Bounds for one core ``G = C X`` against ``G^T = C0 W0^+`` (``W0 = T(I_k, J_k)``).

    Returned (``D_C = C - C0``, ``D_W = W - W0``, ``Pi`` the projector onto range W0):

    - ``plain >= ||C X - C0 W0^+||_F``, the least of::

          D_C X + C0 (X - W0^+)  |  C (X - W0^+) + D_C W0^+  |  D_C X + (C0 W0^+) W0 (X - W0^+)

      (Wedin on ``X - W0^+``; the last uses ``C0 = C0 W0^+ W0``, cross-exactness, and
      ``gamma >= ||C0 W0^+||_2``: ``||C0||_2 ||W0^+||_2``, or ``(||C X||_2 + ||D_C||_2
      ||X||_2) / (1 - alpha_2)`` when ``alpha_2 >= ||W0 (X - W0^+)||_2`` is below one);
    - ``projected >= ||(C X - C0 W0^+) Pi||_F`` (``D_C X Pi + (C0 W0^+) W0 (X Pi - W0^+)``):
      what reaches the true tensor, as ``G^T_{>k} = Pi G^T_{>k}``;
    - ``weighted >= ||(C X - C0 W0^+) W0||_F = ||C (X W - I) - C X D_W + D_C||_F``: no
      inverse of a small singular value, paired with ``||W0^+ G^T_{>k}||_2`` in (**);
    - ``pinv_2 >= ||X - W0^+||_2``, ``inverse >= ||W0^+||_2``, and a violation message.
    """
    fibre, x, w, info, inverse = cut
    s = info.singular_values
    (dc2, dcf), (dw2, dwf) = deltas_c, deltas_w
    issue = ""
    if rank < s.size and s[rank] > dw2:
        issue = f"s_{rank + 1} = {s[rank]:.3g} > delta_2 = {dw2:.3g}: rank above {rank}"
    elif rank > 0 and s[rank - 1] <= dw2:
        issue = f"s_{rank} = {s[rank - 1]:.3g} <= delta_2 = {dw2:.3g}: rank {rank} unresolved"
    z2, zf, inv_norm = pinv_perturbation_bound(s, inverse, rank=rank, delta_2=dw2, delta_fro=dwf)
    c = _block_matrix(fibre)
    c2, cf, cx = float(np.linalg.norm(c, 2)), _fro(c), float(np.linalg.norm(c @ x, 2))
    out = {"pinv_2": z2, "inverse": inv_norm, "issue": issue}
    out["weighted"] = _fro(c @ (x @ w - np.eye(w.shape[1]))) + _mul(cx, dwf) + dcf
    first = _mul(dcf, info.norm) + min(_mul(c2 + dc2, zf), _mul(cf + dcf, z2))
    second = min(_mul(c2, zf), _mul(cf, z2)) + _mul(dcf, inv_norm)
    out["plain"] = out["projected"] = min(first, second)
    if rank == 0:  # W0 = 0: T is zero past this cut, Pi = 0
        out["projected"] = 0.0
        return out
    if not math.isfinite(inv_norm):
        return out
    (a2, af), (p2, pf, xi) = _range_forms(_spectral_terms(s, inverse, rank, dw2, dwf))
    gamma = _mul(c2 + dc2, inv_norm)
    g_plain = min(gamma, (cx + _mul(dc2, info.norm)) / (1 - a2)) if a2 < 1 else gamma
    g_proj = min(gamma, (cx + _mul(dc2, xi)) / (1 - p2)) if p2 < 1 else gamma
    out["plain"] = min(out["plain"], _mul(dcf, info.norm) + _mul(g_plain, af))
    out["projected"] = min(out["plain"], _mul(dcf, xi) + _mul(g_proj, pf))
    return out


# ---------------------------------------------------------------------------- Gram sweeps
def _cross_cores(fib, wks, rcond, taus):
    """Cores ``G_k / max|G_k|``, ``log max|G_k|`` (-inf for zero), pseudo-inverses, infos."""
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
    return units, logs, pinvs, infos


def _sweep(units, a: int, b: int, side: str):
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


def _segment_log_norm(units, logs, a: int, b: int, side: str) -> float:
    """``log ||G_a ... G_b||_2`` as ``(r_{a-1} N) x r_b`` ('left') or ``r_{a-1} x (N r_b)``."""
    *_, (_, gram, log_scale) = _sweep(units, a, b, side)
    if not math.isfinite(log_scale):
        return -math.inf
    return _log_top_eig(gram, log_scale) + float(sum(logs[a : b + 1]))


def _interface_logs(units, logs, pinvs) -> tuple[np.ndarray, np.ndarray]:
    """Per cut: ``log ||G_0 ... G_k||_2`` and ``log ||X_k Rhat_k||_2`` (one sweep each way)."""
    d = len(units)
    left, right = np.full(d - 1, -math.inf), np.full(d - 1, -math.inf)
    for k, gram, log_scale in _sweep(units, 0, d - 1, "left"):
        if k < d - 1 and math.isfinite(log_scale):
            left[k] = _log_top_eig(gram, log_scale) + sum(logs[: k + 1])
    for k, gram, log_scale in _sweep(units, 0, d - 1, "right"):
        if k > 0 and math.isfinite(log_scale):
            x, lx = _max_scaled(pinvs[k - 1])  # X_{k-1} R_{k-1}, R_{k-1} = G_k ... G_{d-1}
            outer = x @ np.conj(gram) @ np.conj(x.T)
            right[k - 1] = _log_top_eig(outer, log_scale + 2 * lx) + sum(logs[k:])
    return left, right


def _segment_table(units, logs, length: int) -> np.ndarray:
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


# ---------------------------------------------------------------------------- recursions
def _node_log_norm(units, logs, a: int, b: int, side: str, length: int, memo: dict) -> float:
    """``log ||G_a ... G_b||_2`` (``side`` unfolding) for a node of the balanced split: exact
    up to ``length`` cores, else the product of its halves' (sub-multiplicative), memoised."""
    key = (a, b, side)
    if key not in memo:
        if b - a < length:
            memo[key] = _segment_log_norm(units, logs, a, b, side)
        else:
            m = (a + b) // 2
            memo[key] = float(
                _ladd(
                    _node_log_norm(units, logs, a, m, side, length, memo),
                    _node_log_norm(units, logs, m + 1, b, side, length, memo),
                )
            )
    return memo[key]


def _balanced(units, logs, leaf_logs, a: int, b: int, side: str, record: dict):
    """Log error bound and log norm of segment [a..b] by the balanced recursion (*).

    ``record`` holds ``kappa`` and ``leaf_rel`` (filled here), ``length`` and ``memo``: node
    norms are exact up to ``length`` cores and bounded by products above
    (:func:`_node_log_norm`: O(d log length) environment steps, not O(d log d)); the
    recursion only needs upper bounds on them. A long node records ``kappa_S = 1`` (the
    ratio of its bound to its halves'), which keeps the closed form valid with the bound
    as ``n(S)``.
    """
    length, memo = record["length"], record["memo"]
    log_n = _node_log_norm(units, logs, a, b, side, length, memo)
    if a == b:
        rel = float(_ladd(leaf_logs[a], -log_n)) if log_n > -math.inf else math.inf
        record["leaf_rel"].append(-math.inf if leaf_logs[a] == -math.inf else rel)
        return leaf_logs[a], log_n
    m = (a + b) // 2
    le1, ln1 = _balanced(units, logs, leaf_logs, a, m, "left", record)
    le2, ln2 = _balanced(units, logs, leaf_logs, m + 1, b, "right", record)
    log_e = _lsum([_ladd(le1, ln2), _ladd(ln1, le2), _ladd(le1, le2)])
    if log_n > -math.inf:
        record["kappa"].append(float(_ladd(ln1, ln2)) - log_n if b - a < length else 0.0)
    return log_e, log_n


def _sequential(units, logs, leaf: dict, length: int) -> float:
    """Log error bound by telescoping, ``A_hat - T = sum_i G_{<i} (G_i - G_i^T) G^T_{>i}``.

    Suffix errors ``E_k >= ||G_{>=k} - G^T_{>=k}||_F`` from the right (**)::

        E_k <= sum_{k <= i < k+j} ||G_k ... G_{i-1}||_2 t_i + ||G_k ... G_{k+j-1}||_2 E_{k+j},
        t_i = min(p_i (||G_{>i}||_2 + E_{i+1}), w_i rho_i),
        rho_i = ||X_i G_{>i}||_2 + ||X_i - W0_i^+||_2 ||G_{>i}||_2 + ||W0_i^+||_2 E_{i+1}
              >= ||W0_i^+ G^T_{>i}||_2,

    for every ``1 <= j <= length`` (the least is taken; ``j = d - k`` with ``E_d = 0`` when
    ``d - k <= length``): split ``G_{>=k} - G^T_{>=k}`` after ``j`` cores,
    ``sum_{i < k+j} G_{k..i-1} (G_i - G^T_i) G^T_{>i} + G_{k..k+j-1} (G_{>=k+j} -
    G^T_{>=k+j})``. Exact segment norms up to ``length`` cores only: the segments longer than
    that are bounded through sub-multiplicativity, ``||G_k..G_{i-1}|| <= ||G_k..G_{m-1}||
    ||G_m..G_{i-1}||`` (as ``(r N) x r`` matrices), which is what the split does; with
    ``length >= d`` this is the full telescoping sum. ``p``, ``w``: the projected and
    weighted leaf bounds of :func:`_leaf_error` (``G^T_{>i} = Pi_i G^T_{>i} = W0_i W0_i^+
    G^T_{>i}``). ``leaf`` holds their logs and those of ``||X_i - W0_i^+||_2``,
    ``||W0_i^+||_2``, ``||X_i G_{>i}||_2`` (arrays of length d; the last entries of all but
    ``projected`` are ``inf``). O(d length) work.
    """
    d = len(units)
    seg = _segment_table(units, logs, length)
    right = _right_logs(units, logs)
    suffix = np.full(d + 1, -np.inf)
    for k in range(d - 1, -1, -1):
        i = np.arange(k, min(d, k + length))
        tail = suffix[i + 1]
        plain = _ladd(leaf["projected"][i], np.logaddexp(right[i], tail))
        parts = [
            leaf["x_right"][i],
            _ladd(leaf["pinv"][i], right[i]),
            _ladd(leaf["inverse"][i], tail),
        ]
        weighted = _ladd(leaf["weighted"][i], np.logaddexp.reduce(np.array(parts), axis=0))
        terms = _ladd(seg[k, : i.size], np.minimum(plain, weighted))
        partial = np.logaddexp.accumulate(terms)  # sum over the first j terms, j = 1..
        split = np.logaddexp(partial, _ladd(seg[k, 1 : i.size + 1], suffix[i + 1]))
        suffix[k] = float(np.min(split))
    return float(suffix[0])


def _right_logs(units, logs) -> np.ndarray:
    """``right[i] = log ||G_{i+1} ... G_{d-1}||_2`` as ``r_i x N`` (0 for the empty product)."""
    d = len(units)
    right = np.zeros(d)
    right[:-1] = -np.inf
    for i, gram, log_scale in _sweep(units, 0, d - 1, "right"):
        if i > 0 and math.isfinite(log_scale):
            right[i - 1] = _log_top_eig(gram, log_scale) + float(np.sum(logs[i:]))
    return right


def _closed_form(record: dict, depth: int) -> tuple[float, float, float]:
    """``(kappa, eps_0, g^L(eps_0))``, ``g(x) = max(1, kappa)((1 + x)^2 - 1)``, ``kappa`` max."""
    kappa = math.exp(max(record["kappa"])) if record["kappa"] else 1.0
    top = max(record["leaf_rel"])
    eps0 = math.exp(top) if top < 700.0 else math.inf
    rel, k_bar = eps0, max(1.0, kappa)
    for _ in range(depth):
        rel = k_bar * ((1.0 + rel) ** 2 - 1.0) if rel < 1e150 else math.inf
    return kappa, eps0, rel


# ---------------------------------------------------------------------------- linearised estimate
def _bias_values(info: PinvInfo, inverse: np.ndarray) -> np.ndarray:
    """``s_i (1 - s_i x_i)``: what the regularised inverse leaves out of each singular value.

    Tikhonov: ``s tau^2 / (s^2 + tau^2)`` (``s`` for ``s << tau``, ``tau^2 / s`` above); hard
    cut: 0 kept, ``s`` dropped.
    """
    s = info.singular_values
    return np.abs(s * (1.0 - s * inverse))


def _interface_fro_logs(units, logs, pinvs) -> tuple[np.ndarray, np.ndarray]:
    """Per cut: ``log ||G_0 ... G_k||_F`` and ``log ||X_k Rhat_k||_F`` (as _interface_logs)."""
    d = len(units)
    left, right = np.full(d - 1, -math.inf), np.full(d - 1, -math.inf)
    for k, gram, log_scale in _sweep(units, 0, d - 1, "left"):
        if k < d - 1 and math.isfinite(log_scale):
            left[k] = 0.5 * (math.log(max(float(np.trace(gram).real), 1e-300)) + log_scale)
            left[k] += sum(logs[: k + 1])
    for k, gram, log_scale in _sweep(units, 0, d - 1, "right"):
        if k > 0 and math.isfinite(log_scale):
            x, lx = _max_scaled(pinvs[k - 1])
            trace = float(np.trace(x @ np.conj(gram) @ np.conj(x.T)).real)
            right[k - 1] = 0.5 * (math.log(max(trace, 1e-300)) + log_scale + 2 * lx)
            right[k - 1] += sum(logs[k:])
    return left, right


def _interface_diag_logs(units, logs, pinvs) -> tuple[list, list]:
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


def _gaussian_sandwich(col, row, std, lipschitz: float, x: float) -> float:
    """``log`` of a bound on ``||L Z M||_F`` for independent ``Z_apb ~ N(0, std_apb^2)``.

    ``E ||L Z M||_F^2 = sum std_apb^2 ||L e_a||^2 ||M^T e_b||^2`` (``col``, ``row``: logs of
    those squared norms); ``Z -> ||L Z M||_F`` is ``||L||_2 ||M||_2 max std``-Lipschitz, so
    with probability ``>= 1 - exp(-x)`` it is below ``sqrt(E) + lipschitz sqrt(2 x)``
    (Gaussian concentration; ``lipschitz`` given as a log).
    """
    block = std.reshape(len(col), -1, len(row))
    top = float(np.max(block, initial=0.0))
    if top == 0.0:
        return -math.inf
    shift = float(max(np.max(col), np.max(row)))
    with np.errstate(under="ignore"):
        weights = np.exp(col - shift)[:, None, None] * np.exp(row - shift)[None, None, :]
        mean = float(np.sum((block / top) ** 2 * weights))
    log_mean = 0.5 * (math.log(mean) + 2 * shift) + math.log(top) if mean > 0 else -math.inf
    return float(np.logaddexp(log_mean, lipschitz + math.log(top) + 0.5 * math.log(2 * x)))


def _sandwich(left, right, middle_fro, middle_2) -> np.ndarray:
    """``log`` of a bound on ``||L M R||_F`` from the logs of ``||L||``, ``||R||`` (dicts with
    ``"2"`` and ``"F"``) and ``||M||_F``, ``||M||_2``: the least of the three placements."""
    with np.errstate(divide="ignore"):
        mf, m2 = np.log(middle_fro), np.log(middle_2)
    forms = [
        _ladd(_ladd(left["2"], mf), right["2"]),
        _ladd(_ladd(left["2"], m2), right["F"]),
        _ladd(_ladd(left["F"], m2), right["2"]),
    ]
    return np.min(np.array(forms), axis=0)


def _linearised(parts: dict) -> float:
    """Log of the first-order (linearised) error estimate.

    ``A_hat`` is multilinear in the fibres and smooth in the intersections; with
    ``L_k = G_0 ... G_k`` and ``M_k = X_k G_{k+1} ... G_{d-1}`` (the interfaces of
    :class:`InterfaceNorms`), perturbations ``Z`` of the samples move it by::

        fibre k:         L_{k-1} Z_k M_k
        intersection k:  L_k (dW) M_k + (second Tikhonov term, <= 1/4 of the first)

    (``dX = -X dW X + (W^T W + tau^2)^-1 dW^T (I - W X)``), and the regularisation itself
    (bias against the cross-exact tensor, whose intersections have singular values ``s``)
    by ``L_k U diag(s (1 - s x)) V^T M_k`` (:func:`_bias_values`, ``s`` observed: the noise
    inflates the unresolved tail, so this over-estimates it). Each ``||L Z M||_F`` is
    bounded by :func:`_sandwich`. ``parts`` holds the logs ``left``, ``right``,
    ``left_fro``, ``right_fro`` (d-1 each) and the norms ``fibre_fro``, ``fibre_2`` (d),
    ``inter_fro``, ``inter_2``, ``bias_fro``, ``bias_2`` (d-1).
    """
    zero = np.zeros(1)
    lf = {
        "2": np.concatenate([zero, parts["left"]]),
        "F": np.concatenate([zero, parts["left_fro"]]),
    }
    rf = {"2": np.append(parts["right"], 0.0), "F": np.append(parts["right_fro"], 0.0)}
    fibre = _sandwich(lf, rf, parts["fibre_fro"], parts["fibre_2"])
    li = {"2": parts["left"], "F": parts["left_fro"]}
    ri = {"2": parts["right"], "F": parts["right_fro"]}
    inter = _sandwich(
        li, ri, 1.25 * np.asarray(parts["inter_fro"]), 1.25 * np.asarray(parts["inter_2"])
    )
    if parts.get("std") is not None:  # Gaussian: expectation plus concentration, per block
        d = len(fibre)
        cols = [np.zeros(1)] + parts["left_diag"]
        rows = parts["right_diag"] + [np.zeros(1)]
        x = parts["x"]
        for k in range(d):
            lip = float(lf["2"][k] + rf["2"][k])
            fibre[k] = min(fibre[k], _gaussian_sandwich(cols[k], rows[k], parts["std"][k], lip, x))
        for k in range(d - 1):
            lip = float(li["2"][k] + ri["2"][k])
            gauss = _gaussian_sandwich(cols[k + 1], rows[k], parts["std"][d + k], lip, x)
            inter[k] = min(inter[k], gauss + math.log(1.25))
    bias = _sandwich(li, ri, parts["bias_fro"], parts["bias_2"])
    return _lsum(np.concatenate([fibre, inter, bias]))
