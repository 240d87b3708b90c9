"""Every tensor contraction of the package, behind named functions.

Conventions: a TT core has axes ``(left, phys, right)`` and shape ``(r[k], n[k], r[k+1])``;
a left environment is ``(r_a[k], r_b[k])`` (bra ranks first), a right environment
``(r_a[k+1], r_b[k+1])``. No other module writes an einsum string: add a function here.

Environments of long chains are renormalised step by step by the callers (see
``ttcross.tensortrain``), so every function here works on O(1) numbers.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import opt_einsum

__all__ = [
    "contract",
    "left_env_step",
    "right_env_step",
    "core_vector_product",
    "core_matrix_product",
    "merge_cores",
    "apply_site_operator",
    "apply_two_site_operator",
    "gather_rows",
    "rows_times_core",
    "core_times_columns",
    "core_times_columns_vjp",
    "left_env_step_batched",
    "rows_times_core_vjp",
]


@lru_cache(maxsize=256)
def _expression(equation: str, *shapes: tuple[int, ...]):
    """Cached ``opt_einsum`` expression for one equation and operand shapes."""
    return opt_einsum.contract_expression(equation, *shapes, optimize="greedy")


def contract(equation: str, *operands: np.ndarray) -> np.ndarray:
    """Contract ``operands`` by an einsum ``equation`` with a cached contraction path.

    Parameters
    ----------
    equation : str
        Einsum equation with explicit output, e.g. ``"ab,aic,bid->cd"``.
    *operands : ndarray
        The arrays, in the order of the equation.

    Returns
    -------
    ndarray
        The contraction.
    """
    shapes = tuple(tuple(op.shape) for op in operands)
    return _expression(equation, *shapes)(*operands)


def left_env_step(env: np.ndarray, core_a: np.ndarray, core_b: np.ndarray) -> np.ndarray:
    """Extend a left environment of ``<a|b>`` by one site.

    Parameters
    ----------
    env : ndarray, shape (ra, rb)
        Environment of the sites left of this one.
    core_a : ndarray, shape (ra, n, ra2)
        Core of the bra tensor (conjugated here).
    core_b : ndarray, shape (rb, n, rb2)
        Core of the ket tensor.

    Returns
    -------
    ndarray, shape (ra2, rb2)
    """
    return contract("ab,aic,bid->cd", env, np.conj(core_a), core_b)


def right_env_step(env: np.ndarray, core_a: np.ndarray, core_b: np.ndarray) -> np.ndarray:
    """Extend a right environment of ``<a|b>`` by one site.

    Parameters
    ----------
    env : ndarray, shape (ra2, rb2)
        Environment of the sites right of this one.
    core_a : ndarray, shape (ra, n, ra2)
        Core of the bra tensor (conjugated here).
    core_b : ndarray, shape (rb, n, rb2)
        Core of the ket tensor.

    Returns
    -------
    ndarray, shape (ra, rb)
    """
    return contract("cd,aic,bid->ab", env, np.conj(core_a), core_b)


def core_vector_product(core: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """Contract the physical axis of a core with a vector (no conjugation).

    Parameters
    ----------
    core : ndarray, shape (r0, n, r1)
    vector : ndarray, shape (n,)

    Returns
    -------
    ndarray, shape (r0, r1)
    """
    return contract("aib,i->ab", core, vector)


def core_matrix_product(core: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Contract the physical axis of a core with several vectors at once.

    Parameters
    ----------
    core : ndarray, shape (r0, n, r1)
    vectors : ndarray, shape (m, n)

    Returns
    -------
    ndarray, shape (r0, m, r1)
        A core whose physical axis now runs over the ``m`` vectors.
    """
    return contract("aib,mi->amb", core, vectors)


def merge_cores(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Merge two neighbouring cores into a two-site block.

    Parameters
    ----------
    left : ndarray, shape (r0, n0, r1)
    right : ndarray, shape (r1, n1, r2)

    Returns
    -------
    ndarray, shape (r0, n0, n1, r2)
    """
    return contract("aib,bjc->aijc", left, right)


def apply_site_operator(operator: np.ndarray, core: np.ndarray) -> np.ndarray:
    """Apply a linear map to the physical axis of one core.

    Parameters
    ----------
    operator : ndarray, shape (m, n)
    core : ndarray, shape (r0, n, r1)

    Returns
    -------
    ndarray, shape (r0, m, r1)
    """
    return contract("mi,aib->amb", operator, core)


def apply_two_site_operator(operator: np.ndarray, block: np.ndarray) -> np.ndarray:
    """Apply a linear map to the two physical axes of a two-site block.

    Parameters
    ----------
    operator : ndarray, shape (n0 * n1, n0 * n1)
        Row and column multi-indices in C order (first site major).
    block : ndarray, shape (r0, n0, n1, r2)

    Returns
    -------
    ndarray, shape (r0, n0, n1, r2)
    """
    _, n0, n1, _ = block.shape
    return contract("klij,aijc->aklc", operator.reshape(n0, n1, n0, n1), block)


def gather_rows(core: np.ndarray, left_rows: np.ndarray, phys: np.ndarray) -> np.ndarray:
    """Batched step of a TT evaluation: ``out[m] = left_rows[m] @ core[:, phys[m], :]``.

    Parameters
    ----------
    core : ndarray, shape (r0, n, r1)
    left_rows : ndarray, shape (M, r0)
    phys : ndarray of int, shape (M,)

    Returns
    -------
    ndarray, shape (M, r1)
    """
    stacked = np.transpose(core, (1, 0, 2))[phys]
    return np.matmul(left_rows[:, None, :], stacked)[:, 0, :]


def rows_times_core(left_rows: np.ndarray, core: np.ndarray) -> np.ndarray:
    """Every branch of a batched TT step: ``out[m, i] = left_rows[m] @ core[:, i, :]``.

    One dense matrix product, cheaper than :func:`gather_rows` when every branch is needed.

    Parameters
    ----------
    left_rows : ndarray, shape (M, r0)
    core : ndarray, shape (r0, n, r1)

    Returns
    -------
    ndarray, shape (M, n, r1)
    """
    r0, n, r1 = core.shape
    return (left_rows @ core.reshape(r0, n * r1)).reshape(-1, n, r1)


def left_env_step_batched(envs: np.ndarray, core_a: np.ndarray, core_b: np.ndarray) -> np.ndarray:
    """:func:`left_env_step` for a stack of environments at once.

    Parameters
    ----------
    envs : ndarray, shape (m, ra, rb)
    core_a : ndarray, shape (ra, n, ra2)
        Conjugated here.
    core_b : ndarray, shape (rb, n, rb2)

    Returns
    -------
    ndarray, shape (m, ra2, rb2)
    """
    return contract("kab,aic,bid->kcd", envs, np.conj(core_a), core_b)


def rows_times_core_vjp(
    left_rows: np.ndarray, core: np.ndarray, cotangent: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Reverse-mode derivative of :func:`rows_times_core`.

    For ``out = rows_times_core(left_rows, core)`` and a scalar ``f`` with ``df/dout =
    cotangent``, returns ``df/dleft_rows`` and ``df/dcore``.

    Parameters
    ----------
    left_rows : ndarray, shape (M, r0)
    core : ndarray, shape (r0, n, r1)
    cotangent : ndarray, shape (M, n, r1)

    Returns
    -------
    left_rows_bar : ndarray, shape (M, r0)
        ``cotangent[m, i, b] core[a, i, b]`` summed over ``i, b``.
    core_bar : ndarray, shape (r0, n, r1)
        ``left_rows[m, a] cotangent[m, i, b]`` summed over ``m``.
    """
    r0, n, r1 = core.shape
    flat = cotangent.reshape(-1, n * r1)
    left_rows_bar = flat @ core.reshape(r0, n * r1).T
    core_bar = (left_rows.T @ flat).reshape(r0, n, r1)
    return left_rows_bar, core_bar


def core_times_columns(core: np.ndarray, right_columns: np.ndarray) -> np.ndarray:
    """Every branch of a batched TT step from the right: ``out[a, i, m] = core[a, i, :] @
    right_columns[:, m]``, mirror of :func:`rows_times_core`.

    Parameters
    ----------
    core : ndarray, shape (r0, n, r1)
    right_columns : ndarray, shape (r1, M)

    Returns
    -------
    ndarray, shape (r0, n, M)
    """
    r0, n, r1 = core.shape
    return (core.reshape(r0 * n, r1) @ right_columns).reshape(r0, n, -1)


def core_times_columns_vjp(
    core: np.ndarray, right_columns: np.ndarray, cotangent: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Reverse-mode derivative of :func:`core_times_columns`.

    Parameters
    ----------
    core : ndarray, shape (r0, n, r1)
    right_columns : ndarray, shape (r1, M)
    cotangent : ndarray, shape (r0, n, M)

    Returns
    -------
    core_bar : ndarray, shape (r0, n, r1)
        ``cotangent[a, i, m] right_columns[b, m]`` summed over ``m``.
    right_columns_bar : ndarray, shape (r1, M)
        ``core[a, i, b] cotangent[a, i, m]`` summed over ``a, i``.
    """
    r0, n, r1 = core.shape
    flat = cotangent.reshape(r0 * n, -1)
    core_bar = (flat @ right_columns.T).reshape(r0, n, r1)
    right_columns_bar = core.reshape(r0 * n, r1).T @ flat
    return core_bar, right_columns_bar


# ---------------------------------------------------------------------------------------------
# Gauge moves: a small matrix absorbed into a core's left or right bond (canonical.py, QR sweeps)
# ---------------------------------------------------------------------------------------------


def absorb_left(matrix: np.ndarray, core: np.ndarray) -> np.ndarray:
    """Multiply a matrix into the left bond of a core: ``out[a, i, c] = m[a, b] core[b, i, c]``.

    Parameters
    ----------
    matrix : ndarray, shape (r, r0)
    core : ndarray, shape (r0, n, r1)

    Returns
    -------
    ndarray, shape (r, n, r1)
    """
    return np.tensordot(matrix, core, axes=(1, 0))


def absorb_right(core: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Multiply a matrix into the right bond of a core: ``out[a, i, c] = core[a, i, b] m[b, c]``.

    Parameters
    ----------
    core : ndarray, shape (r0, n, r1)
    matrix : ndarray, shape (r1, r)

    Returns
    -------
    ndarray, shape (r0, n, r)
    """
    return np.tensordot(core, matrix, axes=(2, 0))


# ======================================================================
# Environment vectors, axis maps and purified cores (used by ttcross.environments and the
# refinement of tomography). Operators such as a basis of matrices come in as plain arrays.
# ======================================================================
__all__ += [
    "vector_times_core",
    "core_times_vector",
    "apply_axis_matrices",
    "purified_core",
    "purified_core_vjp",
]


def vector_times_core(vector: np.ndarray, core: np.ndarray) -> np.ndarray:
    """Absorb a left environment vector into a core: ``out[i, b] = sum_a vector[a] core[a, i, b]``.

    Parameters
    ----------
    vector : ndarray, shape (r0,)
    core : ndarray, shape (r0, n, r1)

    Returns
    -------
    ndarray, shape (n, r1)
    """
    return np.tensordot(vector, core, axes=(0, 0))


def core_times_vector(core: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """Absorb a right environment vector into a core: ``out[a, i] = sum_b core[a, i, b]
    vector[b]``.

    Parameters
    ----------
    core : ndarray, shape (r0, n, r1)
    vector : ndarray, shape (r1,)

    Returns
    -------
    ndarray, shape (r0, n)
    """
    return np.tensordot(core, vector, axes=(2, 0))


def apply_axis_matrices(
    tensor: np.ndarray, matrices: list[np.ndarray], axes: list[int]
) -> np.ndarray:
    """Apply ``matrices[t]`` to axis ``axes[t]`` of ``tensor``, one after the other.

    ``out[..., i, ...] = sum_j matrices[t][i, j] tensor[..., j, ...]`` on each listed axis, in
    the order given (the order fixes the round-off).

    Parameters
    ----------
    tensor : ndarray, any shape
    matrices : sequence of ndarray, each (m_t, tensor.shape[axes[t]])
    axes : sequence of int, same length as ``matrices``

    Returns
    -------
    ndarray
        ``tensor``'s shape with ``m_t`` on axis ``axes[t]``.
    """
    out = tensor
    for matrix, axis in zip(matrices, axes, strict=True):
        out = np.moveaxis(np.tensordot(matrix, out, axes=(1, axis)), 0, axis)
    return out


def purified_core(tensor: np.ndarray, operators: np.ndarray) -> np.ndarray:
    """Core of ``L L^dagger`` in an operator basis, from one tensor of a purified form ``L``.

    ``out[(a c), p, (b d)] = sum_{s, t, k} tensor[a, s, k, b] conj(tensor[c, t, k, d])
    operators[p, t, s]``: the doubled (ket, bra) bonds fused ket-major, the physical index
    traced against each operator, the Kraus index ``k`` summed.

    Parameters
    ----------
    tensor : ndarray, shape (D0, m, kappa, D1), complex
        Bond, physical, Kraus, bond.
    operators : ndarray, shape (q, m, m)
        The basis the physical index is expanded in.

    Returns
    -------
    ndarray, shape (D0 * D0, q, D1 * D1), complex
    """
    d0, _, _, d1 = tensor.shape
    m = np.tensordot(tensor, operators, axes=([1], [2]))  # (a, k, b, p, t)
    core = np.tensordot(m, tensor.conj(), axes=([1, 4], [2, 1]))  # (a, b, p, c, d)
    return core.transpose(0, 3, 2, 1, 4).reshape(d0 * d0, -1, d1 * d1)


def purified_core_vjp(
    tensor: np.ndarray, operators: np.ndarray, cotangent: np.ndarray
) -> np.ndarray:
    """Reverse-mode derivative of :func:`purified_core` for a real function of its output.

    With ``G = purified_core(A, operators)`` bilinear in ``(A, conj(A))`` and ``cotangent``
    the holomorphic cotangent of ``G`` (``J^T bar``, no conjugation), returns ``g`` (shape of
    ``A``) such that the derivatives with respect to ``Re A`` and ``Im A`` are ``Re g`` and
    ``-Im g``.

    Parameters
    ----------
    tensor : ndarray, shape (D0, m, kappa, D1), complex
    operators : ndarray, shape (q, m, m)
    cotangent : ndarray, shape (D0 * D0, q, D1 * D1)

    Returns
    -------
    ndarray, shape (D0, m, kappa, D1), complex
    """
    d0, _, _, d1 = tensor.shape
    z = cotangent.reshape(d0, d0, -1, d1, d1)
    m1 = np.tensordot(z, tensor.conj(), axes=([1, 4], [0, 3]))  # (a, p, b, t, k)
    m1 = np.tensordot(m1, operators, axes=([1, 3], [0, 1]))  # (a, b, k, s)
    m2 = np.tensordot(z, tensor, axes=([0, 3], [0, 3]))  # (c, p, d, s, k)
    m2 = np.tensordot(m2, operators, axes=([1, 3], [0, 2]))  # (c, d, k, t)
    return m1.transpose(0, 3, 2, 1) + m2.transpose(0, 3, 2, 1).conj()
