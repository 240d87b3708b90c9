"""The tensor train (TT, also matrix product state) and its algebra.

A TT of order ``d`` with mode sizes ``n[k]`` and ranks ``r[0] = 1, r[1], ..., r[d] = 1`` is

    A[i_1, ..., i_d] = exp(log_scale) * G_1[:, i_1, :] @ G_2[:, i_2, :] @ ... @ G_d[:, i_d, :]

with cores ``G_k`` of shape ``(r[k-1], n[k], r[k])`` (axes: left, phys, right). The scalar
``log_scale`` keeps the magnitude apart from the cores, so that tensors of order 1000 with O(1)
entries (norm up to ``2^500`` or down to ``2^-500``) neither overflow nor underflow: every sweep
renormalises its cores and moves the factor into ``log_scale``.

References: I. V. Oseledets, "Tensor-train decomposition", SIAM J. Sci. Comput. 33 (2011).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from numbers import Number

import numpy as np

from . import contract as ct
from .decompose import qr_left, qr_right, split_log_scale, truncated_svd
from .validation import (
    check_cores,
    check_finite,
    check_indices,
    check_int,
    check_real,
    check_shape,
)

__all__ = ["TensorTrain"]


def _orthogonalize_cores(cores: list[np.ndarray], center: int) -> tuple[list[np.ndarray], float]:
    """QR-sweep cores to a centre, renormalising each step.

    Returns cores left-orthonormal before ``center``, right-orthonormal after it, the centre
    core of unit Frobenius norm (unless the tensor is zero), and the log of the factor removed.
    """
    cores = [c.copy() for c in cores]
    log_factor = 0.0
    for k in range(center):  # left part: Q stays, R moves right
        cores[k], r = qr_left(cores[k])
        r, lg = split_log_scale(r)
        log_factor += lg
        cores[k + 1] = ct.absorb_left(r, cores[k + 1])
    for k in range(len(cores) - 1, center, -1):  # right part: Q^T stays, R^T moves left
        cores[k], l_factor = qr_right(cores[k])
        l_factor, lg = split_log_scale(l_factor)
        log_factor += lg
        cores[k - 1] = ct.absorb_right(cores[k - 1], l_factor)
    cores[center], lg = split_log_scale(cores[center])
    return cores, log_factor + lg


def _round_cores(
    cores: list[np.ndarray], tol: float, max_rank: int | list[int] | None
) -> tuple[list[np.ndarray], float, float]:
    """TT rounding: right-orthogonalise, then truncated SVDs left to right.

    Returns ``(cores, log_factor, rel_error)`` with ``rel_error`` the root sum of squares of the
    discarded singular values: an upper bound on the relative Frobenius error.
    """
    d = len(cores)
    caps = max_rank if isinstance(max_rank, list) else [max_rank] * (d - 1)
    cores, log_factor = _orthogonalize_cores(cores, 0)
    delta = tol / np.sqrt(max(d - 1, 1))  # the tensor now has norm 1
    discarded = 0.0
    for k in range(d - 1):
        r0, n, r1 = cores[k].shape
        u, s, vh, dropped, _ = truncated_svd(cores[k].reshape(r0 * n, r1), delta, caps[k])
        discarded += dropped
        cores[k] = u.reshape(r0, n, s.size)
        carry, lg = split_log_scale(s[:, None] * vh)
        log_factor += lg
        cores[k + 1] = ct.absorb_left(carry, cores[k + 1])
    return cores, log_factor, float(np.sqrt(discarded))


class TensorTrain:
    """A tensor in tensor-train format, ``exp(log_scale) * G_1 G_2 ... G_d``.

    Parameters
    ----------
    cores : sequence of ndarray, each (r[k-1], n[k], r[k]), float64 or complex128
        The TT cores; ``r[0] = r[d] = 1``. Copied and made read-only.
    log_scale : float, default=0.0
        Natural log of a positive factor multiplying the whole tensor.

    Raises
    ------
    ValueError
        Empty list, cores that are not 3-D, zero ranks, boundary ranks other than 1, mismatched
        neighbouring ranks, NaN or infinite entries.
    TypeError
        Cores of a non-numeric dtype.

    Notes
    -------
    Instances are immutable: every operation returns a new TensorTrain.
    """

    __slots__ = ("_cores", "_log_scale")

    def __init__(self, cores: Sequence[np.ndarray], *, log_scale: float = 0.0):
        checked = check_cores(cores)
        self._cores = []
        for core in checked:
            core = np.array(core, copy=True)
            core.flags.writeable = False
            self._cores.append(core)
        self._log_scale = check_real(log_scale, "log_scale")

    @classmethod
    def _trusted(cls, cores: list[np.ndarray], log_scale: float = 0.0) -> TensorTrain:
        """Build without validation or copying, from cores this module just made."""
        obj = cls.__new__(cls)
        for core in cores:
            core.flags.writeable = False
        obj._cores = cores
        obj._log_scale = float(log_scale)
        return obj

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_dense(
        cls, array: np.ndarray, *, tol: float | None = None, max_rank: int | None = None
    ) -> TensorTrain:
        """TT-SVD of a full tensor (Oseledets 2011, Algorithm 1).

        Parameters
        ----------
        array : ndarray, shape (n[0], ..., n[d-1]), float or complex
            The full tensor.
        tol : float, optional
            Relative Frobenius accuracy; ``None`` drops only what is exactly redundant up to
            round-off (1e-14).
        max_rank : int, optional
            Cap on every rank.

        Returns
        -------
        TensorTrain
            With ``||A - TT||_F <= tol ||A||_F`` when ``max_rank`` does not bind.
        """
        array = np.asarray(array)
        if array.ndim == 0:
            raise ValueError("`array` is a scalar: a tensor train needs order >= 1")
        if not np.issubdtype(array.dtype, np.inexact):
            array = array.astype(np.float64)
        check_finite(array, "array")
        tol = 1e-14 if tol is None else check_real(tol, "tol", minimum=0.0)
        if max_rank is not None:
            max_rank = check_int(max_rank, "max_rank", minimum=1)
        shape = array.shape
        mantissa, log_scale = split_log_scale(array)
        delta = tol / np.sqrt(max(len(shape) - 1, 1))
        cores, rank, rest = [], 1, mantissa.reshape(1, -1)
        for n in shape[:-1]:
            u, s, vh, _, _ = truncated_svd(rest.reshape(rank * n, -1), delta, max_rank)
            cores.append(u.reshape(rank, n, s.size))
            rest = s[:, None] * vh
            rank = s.size
        cores.append(rest.reshape(rank, shape[-1], 1))
        return cls._trusted(cores, log_scale)

    @classmethod
    def random(
        cls,
        shape: Sequence[int],
        ranks: int | Sequence[int],
        *,
        dtype: type = np.float64,
        seed: int | np.random.Generator | None = None,
    ) -> TensorTrain:
        """A TT with independent standard normal core entries.

        Parameters
        ----------
        shape : sequence of int, length d
            Mode sizes.
        ranks : int or sequence of int
            One inner rank for all bonds, or ``d - 1`` inner ranks, or ``d + 1`` ranks with
            ones at both ends.
        dtype : {numpy.float64, numpy.complex128}, default=numpy.float64
        seed : int, Generator or None
            Randomness source.

        Returns
        -------
        TensorTrain
        """
        shape = check_shape(shape)
        d = len(shape)
        if isinstance(ranks, Number):
            ranks = [1] + [check_int(ranks, "ranks", minimum=1)] * (d - 1) + [1]
        else:
            ranks = [check_int(r, "ranks[k]", minimum=1) for r in ranks]
            if len(ranks) == d - 1:
                ranks = [1, *ranks, 1]
            if len(ranks) != d + 1 or ranks[0] != 1 or ranks[-1] != 1:
                raise ValueError(f"`ranks` needs {d - 1} inner ranks, got {ranks}")
        rng = np.random.default_rng(seed)
        cores = []
        for k, n in enumerate(shape):
            size = (ranks[k], n, ranks[k + 1])
            core = rng.standard_normal(size)
            if np.issubdtype(dtype, np.complexfloating):
                core = core + 1j * rng.standard_normal(size)
            cores.append(core / np.sqrt(ranks[k] * n))
        return cls._trusted(cores)

    # ------------------------------------------------------------------ properties
    @property
    def cores(self) -> list[np.ndarray]:
        """The cores (read-only arrays), each (r[k-1], n[k], r[k])."""
        return list(self._cores)

    @property
    def log_scale(self) -> float:
        """Natural log of the positive factor outside the cores."""
        return self._log_scale

    @property
    def ndim(self) -> int:
        """Order d of the tensor."""
        return len(self._cores)

    @property
    def shape(self) -> tuple[int, ...]:
        """Mode sizes ``(n[0], ..., n[d-1])``."""
        return tuple(c.shape[1] for c in self._cores)

    @property
    def ranks(self) -> tuple[int, ...]:
        """All d + 1 ranks, ``(1, r[1], ..., r[d-1], 1)``."""
        return (1,) + tuple(c.shape[2] for c in self._cores)

    @property
    def dtype(self) -> np.dtype:
        """Common dtype of the cores."""
        return self._cores[0].dtype

    @property
    def n_params(self) -> int:
        """Number of entries in all cores."""
        return int(sum(c.size for c in self._cores))

    def __repr__(self) -> str:
        return (
            f"TensorTrain(shape={self.shape}, ranks={self.ranks}, dtype={self.dtype}, "
            f"log_scale={self._log_scale:.4g})"
        )

    def copy(self) -> TensorTrain:
        """An independent copy."""
        return TensorTrain._trusted([c.copy() for c in self._cores], self._log_scale)

    def conj(self) -> TensorTrain:
        """Complex conjugate."""
        return TensorTrain._trusted([np.conj(c) for c in self._cores], self._log_scale)

    # ------------------------------------------------------------------ entries
    def full(self, *, max_size: int = 2**27) -> np.ndarray:
        """The dense tensor, shape ``self.shape``.

        Raises
        ------
        MemoryError
            When the tensor has more than ``max_size`` entries.
        """
        size = int(np.prod(np.array(self.shape, dtype=float)))
        if size > max_size:
            raise MemoryError(
                f"full tensor has {size} entries, more than max_size={max_size}; "
                "use evaluate() on the entries you need"
            )
        out = np.ones((1, 1), dtype=self.dtype)
        for core in self._cores:
            out = np.tensordot(out, core, axes=(out.ndim - 1, 0))
        return out.reshape(self.shape) * np.exp(self._log_scale)

    def evaluate(self, idx: np.ndarray) -> np.ndarray:
        """Entries at a batch of multi-indices.

        Parameters
        ----------
        idx : array_like of int, shape (M, d)
            Multi-indices, ``0 <= idx[:, k] < n[k]``.

        Returns
        -------
        ndarray, shape (M,)
            The entries, in the dtype of the cores.

        Raises
        ------
        TypeError, ValueError, IndexError
            Non-integer indices, wrong shape, out-of-range values.
        """
        idx = check_indices(idx, self.shape)
        rows = np.ones((idx.shape[0], 1), dtype=self.dtype)
        log_rows = np.zeros(idx.shape[0])
        for k, core in enumerate(self._cores):
            rows = ct.gather_rows(core, rows, idx[:, k])
            if k % 16 == 15:  # renormalise rows now and then: long chains underflow
                scale = np.max(np.abs(rows), axis=1)
                scale[scale == 0] = 1.0
                rows /= scale[:, None]
                log_rows += np.log(scale)
        return rows[:, 0] * np.exp(log_rows + self._log_scale)

    # ------------------------------------------------------------------ inner products
    def log_dot(self, other: TensorTrain) -> tuple[complex | float, float]:
        """Inner product ``sum conj(self) * other`` as ``(phase, log|.|)``.

        Returns
        -------
        phase : float or complex
            Sign (real) or unit phase (complex); 0 when the product is zero.
        log_abs : float
            Natural log of the modulus; ``-inf`` when the product is zero.
        """
        self._check_same_shape(other)
        env = np.ones((1, 1), dtype=np.result_type(self.dtype, other.dtype))
        log_abs = self._log_scale + other._log_scale
        for core_a, core_b in zip(self._cores, other._cores, strict=True):
            env = ct.left_env_step(env, core_a, core_b)
            scale = float(np.max(np.abs(env)))
            if scale == 0.0:
                return 0.0, -np.inf
            env = env / scale
            log_abs += np.log(scale)
        value = env[0, 0]
        return value / abs(value), float(log_abs + np.log(abs(value)))

    def dot(self, other: TensorTrain) -> float | complex:
        """Inner product ``sum conj(self) * other`` (may overflow to inf; see ``log_dot``)."""
        phase, log_abs = self.log_dot(other)
        with np.errstate(over="ignore"):
            return phase * np.exp(log_abs)

    def log_norm(self) -> float:
        """Natural log of the Frobenius norm (``-inf`` for the zero tensor)."""
        cores, log_factor = _orthogonalize_cores(list(self._cores), 0)
        nrm = float(np.linalg.norm(cores[0]))
        return -np.inf if nrm == 0.0 else self._log_scale + log_factor + np.log(nrm)

    def norm(self) -> float:
        """Frobenius norm (``inf`` past float range; see ``log_norm``)."""
        with np.errstate(over="ignore"):
            return float(np.exp(self.log_norm()))

    # ------------------------------------------------------------------ algebra
    def _check_same_shape(self, other) -> None:
        if not isinstance(other, TensorTrain):
            raise TypeError(f"expected a TensorTrain, got {type(other).__name__}")
        if other.shape != self.shape:
            raise ValueError(f"shape mismatch: {self.shape} and {other.shape}")

    def __add__(self, other: TensorTrain) -> TensorTrain:
        """Sum; ranks add (round afterwards to compress)."""
        self._check_same_shape(other)
        top = max(self._log_scale, other._log_scale)
        a = [c for c in self._cores]
        b = [c for c in other._cores]
        a[0] = a[0] * np.exp(self._log_scale - top)
        b[0] = b[0] * np.exp(other._log_scale - top)
        dtype = np.result_type(self.dtype, other.dtype)
        if self.ndim == 1:
            return TensorTrain._trusted([(a[0] + b[0]).astype(dtype)], top)
        cores = []
        for k, (ca, cb) in enumerate(zip(a, b, strict=True)):
            ra0, n, ra1 = ca.shape
            rb0, _, rb1 = cb.shape
            if k == 0:
                core = np.concatenate([ca, cb], axis=2)
            elif k == self.ndim - 1:
                core = np.concatenate([ca, cb], axis=0)
            else:
                core = np.zeros((ra0 + rb0, n, ra1 + rb1), dtype=dtype)
                core[:ra0, :, :ra1] = ca
                core[ra0:, :, ra1:] = cb
            cores.append(core.astype(dtype, copy=False))
        return TensorTrain._trusted(cores, top)

    def __neg__(self) -> TensorTrain:
        return self * -1.0

    def __sub__(self, other: TensorTrain) -> TensorTrain:
        return self + (-other)

    def __mul__(self, scalar: Number) -> TensorTrain:
        """Product with a scalar (the modulus goes to ``log_scale``)."""
        if not isinstance(scalar, Number) or isinstance(scalar, bool):
            return NotImplemented
        if not np.isfinite(scalar):
            raise ValueError(f"cannot multiply a TensorTrain by {scalar}")
        cores = list(self._cores)
        if scalar == 0:
            cores[0] = np.zeros_like(cores[0])
            return TensorTrain._trusted(cores, 0.0)
        modulus = abs(scalar)
        cores[0] = cores[0] * (scalar / modulus)
        return TensorTrain._trusted(cores, self._log_scale + float(np.log(modulus)))

    __rmul__ = __mul__

    def __truediv__(self, scalar: Number) -> TensorTrain:
        if not isinstance(scalar, Number) or isinstance(scalar, bool):
            return NotImplemented
        if scalar == 0:
            raise ZeroDivisionError("division of a TensorTrain by zero")
        return self * (1.0 / scalar)

    # ------------------------------------------------------------------ compression
    def orthogonalize(self, center: int) -> TensorTrain:
        """Equivalent TT in mixed canonical form about ``center``.

        Cores left of ``center`` are left-orthonormal (``G^T G = I`` over (left, phys)),
        right of it right-orthonormal, and the centre core has unit norm: the tensor's norm
        is then ``exp(log_scale)``.
        """
        center = check_int(center, "center", minimum=0)
        if center >= self.ndim:
            raise ValueError(f"`center == {center}`, must be < order {self.ndim}")
        cores, log_factor = _orthogonalize_cores(list(self._cores), center)
        return TensorTrain._trusted(cores, self._log_scale + log_factor)

    def round(
        self,
        tol: float | None = None,
        max_rank: int | Sequence[int] | None = None,
        *,
        return_error: bool = False,
    ) -> TensorTrain | tuple[TensorTrain, float]:
        """Recompress to lower ranks (TT rounding, Oseledets 2011, Algorithm 2).

        Parameters
        ----------
        tol : float, optional
            Relative Frobenius accuracy; ``None`` removes only exact redundancy (1e-14).
        max_rank : int or sequence of d-1 ints, optional
            Cap on every rank, or one cap per bond.
        return_error : bool, default=False
            Also return an upper bound on the relative Frobenius error (root sum of squares
            of the discarded singular values).

        Returns
        -------
        TensorTrain, or (TensorTrain, float)
        """
        tol = 1e-14 if tol is None else check_real(tol, "tol", minimum=0.0)
        if isinstance(max_rank, Sequence):
            if len(max_rank) != self.ndim - 1:
                raise ValueError(
                    f"`max_rank` has {len(max_rank)} entries, "
                    f"expected one per bond ({self.ndim - 1})"
                )
            max_rank = [check_int(r, f"max_rank[{k}]", minimum=1) for k, r in enumerate(max_rank)]
        elif max_rank is not None:
            max_rank = check_int(max_rank, "max_rank", minimum=1)
        cores, log_factor, error = _round_cores(list(self._cores), tol, max_rank)
        result = TensorTrain._trusted(cores, self._log_scale + log_factor)
        return (result, error) if return_error else result

    # ------------------------------------------------------------------ partial contraction
    def contract_modes(self, vectors: Mapping[int, np.ndarray]) -> TensorTrain | float | complex:
        """Contract some modes with vectors: ``sum_i A[..., i, ...] v[i]`` for each given mode.

        Parameters
        ----------
        vectors : mapping int -> ndarray, each (n[k],)
            Mode index to the vector it is contracted with (no conjugation).

        Returns
        -------
        TensorTrain
            Of the remaining modes, in order; a scalar when every mode is contracted.
        """
        modes = sorted(vectors)
        for k in modes:
            check_int(k, "mode", minimum=0)
            if k >= self.ndim:
                raise ValueError(f"mode {k} out of range for order {self.ndim}")
            if np.shape(vectors[k]) != (self.shape[k],):
                raise ValueError(
                    f"vector for mode {k} must have shape ({self.shape[k]},), "
                    f"got {np.shape(vectors[k])}"
                )
        log_scale = self._log_scale
        kept: list[np.ndarray] = []
        pending = None  # matrix (r, r') waiting to be absorbed into the next kept core
        for k, core in enumerate(self._cores):
            if k in vectors:
                mat = ct.core_vector_product(core, np.asarray(vectors[k]))
                pending = mat if pending is None else pending @ mat
                pending, lg = split_log_scale(pending)
                log_scale += lg
            else:
                if pending is not None:
                    core = ct.absorb_left(pending, core)
                    pending = None
                kept.append(core)
        if not kept:
            with np.errstate(over="ignore"):
                return pending[0, 0] * np.exp(log_scale)
        if pending is not None:
            kept[-1] = ct.absorb_right(kept[-1], pending)
        return TensorTrain._trusted(kept, log_scale)
