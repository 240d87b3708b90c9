"""A tensor train kept in mixed canonical form while local operators act on it.

:class:`CanonicalTrain` is the working form of a time evolution (TEBD-like): an orthogonality
centre ``c`` with the cores before it left-orthonormal and the cores after it right-orthonormal,

    A = exp(log_scale) * L_1 ... L_{c-1} C R_{c+1} ... R_d,

so that a truncated SVD of a two-site block at the centre is optimal in the Frobenius norm of
the whole tensor. Gauge moves (QR) and truncations (SVD) are the ones of
:mod:`ttcross.tensortrain`; the magnitude stays in ``log_scale`` as in :class:`TensorTrain`.
Unlike a TensorTrain, a CanonicalTrain is mutable: each operation changes it in place.

Sweep of :meth:`CanonicalTrain.apply_two_site` on sites ``(k, k+1)``::

    L L C R R      move the centre to k (QR steps)
    L L [k k+1] R  merge, apply the operator on the fused physical index (n_k n_{k+1})
    L L L C R      truncated SVD: U stays at k, S V^H is the new centre at k+1
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import contract as ct
from .decompose import qr_left, qr_right, truncated_svd
from .tensortrain import TensorTrain
from .validation import check_cores, check_int, check_real

__all__ = ["CanonicalTrain"]


class CanonicalTrain:
    """Cores in mixed canonical form about ``center``, the magnitude kept in ``log_scale``.

    Parameters
    ----------
    cores : sequence of ndarray, each (r[k-1], n[k], r[k])
        Cores already in mixed canonical form about ``center``, each up to a scalar factor
        (any product state, all ranks 1, qualifies); this is not checked. Copied. Use
        :meth:`from_tensor_train` for a general tensor train.
    center : int, default=0
        The orthogonality centre, ``0 <= center < d``.
    log_scale : float, default=0.0
        Natural log of a positive factor multiplying the whole tensor.

    Raises
    ------
    ValueError
        Invalid cores (see :class:`TensorTrain`); ``center`` out of range.
    TypeError
        ``center`` not an int, ``log_scale`` not a real number, cores of a non-numeric dtype.
    """

    def __init__(
        self, cores: Sequence[np.ndarray], *, center: int = 0, log_scale: float = 0.0
    ) -> None:
        self.cores = [np.array(core, copy=True) for core in check_cores(cores)]
        self.center = check_int(center, "center", minimum=0)
        if self.center >= len(self.cores):
            raise ValueError(
                f"`center == {self.center}`, must be < {len(self.cores)} (the number of cores)"
            )
        self.log_scale = check_real(log_scale, "log_scale")

    @classmethod
    def from_tensor_train(cls, tt: TensorTrain, center: int = 0) -> CanonicalTrain:
        """Orthogonalise a tensor train about ``center`` (QR sweeps, log scale kept)."""
        ortho = tt.orthogonalize(center)
        return cls(ortho.cores, center=center, log_scale=ortho.log_scale)

    @property
    def ranks(self) -> tuple[int, ...]:
        """Bond dimensions ``(r[0] = 1, r[1], ..., r[d] = 1)``."""
        return (1, *(core.shape[2] for core in self.cores))

    def move_center(self, target: int) -> None:
        """Move the orthogonality centre to ``target`` by QR steps (the tensor is unchanged).

        Parameters
        ----------
        target : int
            ``0 <= target < d``.
        """
        while self.center < target:
            k = self.center
            self.cores[k], r = qr_left(self.cores[k])
            self.cores[k + 1] = ct.absorb_left(r, self.cores[k + 1])
            self.center += 1
        while self.center > target:
            k = self.center
            self.cores[k], l_factor = qr_right(self.cores[k])
            self.cores[k - 1] = ct.absorb_right(self.cores[k - 1], l_factor)
            self.center -= 1

    def apply_two_site(
        self,
        site: int,
        operator: np.ndarray,
        *,
        max_rank: int | None = None,
        tol: float = 0.0,
    ) -> float:
        """Apply an operator to sites ``(site, site + 1)`` and truncate the new bond.

        Parameters
        ----------
        site : int
            Left site of the pair, ``0 <= site < d - 1``.
        operator : ndarray, shape (n[site] * n[site+1], n[site] * n[site+1])
            Linear map on the fused physical index ``i * n[site+1] + j``.
        max_rank : int, optional
            Cap on the new bond dimension.
        tol : float, default=0.0
            Relative singular-value tail dropped: the smallest rank whose discarded singular
            values have 2-norm ``<= tol * ||block||_F`` is kept (at least 1), then capped.

        Returns
        -------
        float
            Discarded weight: the sum of the squared singular values dropped relative to the
            squared Frobenius norm of the two-site block (0 when nothing was dropped). The
            tensor becomes the truncated one (its norm moves to ``log_scale``, the new centre
            core has unit norm); the centre ends at ``site + 1``.

        Raises
        ------
        FloatingPointError
            The two-site block is zero after the operator.
        """
        self.move_center(site)
        block = ct.merge_cores(self.cores[site], self.cores[site + 1])
        block = ct.apply_two_site_operator(operator, block)
        r0, n0, n1, r2 = block.shape
        u, s, vh, discarded, total = truncated_svd(
            block.reshape(r0 * n0, n1 * r2), tol, max_rank, relative=True
        )
        if total == 0.0:
            raise FloatingPointError(
                f"the tensor vanished at the two-site operator on sites {site, site + 1}"
            )
        discarded /= total
        rank = s.size
        s_kept = s / np.linalg.norm(s)
        self.log_scale += 0.5 * np.log(total * (1.0 - discarded)) if discarded < 1 else 0.0
        self.cores[site] = u.reshape(r0, n0, rank)
        self.cores[site + 1] = (s_kept[:, None] * vh).reshape(rank, n1, r2)
        self.center = site + 1
        return discarded

    def to_tensor_train(self, site_operators: Sequence[np.ndarray] | None = None) -> TensorTrain:
        """The tensor as an immutable :class:`TensorTrain`, the centre core of unit norm.

        Parameters
        ----------
        site_operators : sequence of ndarray, each (n[k], n[k]), optional
            One-site maps applied to every core on the way out (they would spoil the canonical
            form, so they are applied only here; this object is not changed by them).

        Returns
        -------
        TensorTrain
            Same cores and ``log_scale`` plus the log of the centre core's norm.
        """
        cores = list(self.cores)
        if site_operators is not None:
            cores = [
                ct.apply_site_operator(op, core)
                for op, core in zip(site_operators, cores, strict=True)
            ]
        nrm = float(np.linalg.norm(cores[self.center]))
        cores[self.center] = cores[self.center] / nrm
        return TensorTrain(cores, log_scale=self.log_scale + np.log(nrm))
