"""The two parametrisations of the refinement: Pauli cores, or a locally purified form.

A *model* maps a real parameter vector ``x`` to real Pauli cores (r[k], 4, r[k+1])
(``cores(x)``) and pulls the cores' cotangents back to a gradient in ``x``
(``gradient(x, core_bars)``); ``x0`` is its start and ``real_cores(x)`` the cores of the
returned state.

- :class:`_PauliModel` (``positive=False``): the real Pauli cores ``G_k`` themselves.
- :class:`_PurifiedModel` (``positive=True``): ``rho = L L^dagger`` with ``L`` a matrix
  product operator of complex tensors ``A_k`` (D[k], 2, kappa, D[k+1]) (physical index, Kraus
  index). Its Pauli cores ``G_k[(a, a'), p, (b, b')] = sum_{s, s', c} A_k[a, s, c, b]
  conj(A_k[a', s', c, b']) sigma_p[s', s]`` (bond D^2) are rotated on each bond to a basis of
  Hermitian matrices, which makes them real. It starts from the product of the starting
  state's one-qubit square roots and a first fit to that state's window marginals.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np
from scipy import sparse

from ttcross import contract as ct

from ._lbfgs import _Run
from ._refine_gradient import evaluate
from ._refine_losses import _LsqHead
from .pauli import PAULI_MATRICES
from .physical import project_to_simplex
from .state import PauliMPO

_PURIFY_ITERS = 100
"""L-BFGS iterations of the fit that turns the starting state into a purified form."""


class _PauliModel:
    """The real Pauli cores themselves as parameters."""

    def __init__(self, shapes: list[tuple[int, ...]], x0: np.ndarray):
        self.shapes = shapes
        self.sizes = [math.prod(s) for s in shapes]
        self.x0 = x0

    @classmethod
    def from_state(cls, state: PauliMPO, init: str, rng: np.random.Generator) -> _PauliModel:
        cores = list(state.tt.orthogonalize(state.n // 2).cores)  # scale is dropped
        if init == "random":
            cores = _random_pauli_cores([c.shape for c in cores], rng)
        return cls([c.shape for c in cores], np.concatenate([c.ravel() for c in cores]))

    def cores(self, x: np.ndarray) -> list[np.ndarray]:
        parts = np.split(x, np.cumsum(self.sizes)[:-1])
        return [p.reshape(s) for p, s in zip(parts, self.shapes, strict=True)]

    real_cores = cores

    def gradient(self, x: np.ndarray, core_bars: list[np.ndarray]) -> np.ndarray:
        return np.concatenate([g.ravel() for g in core_bars])


def _random_pauli_cores(shapes, rng: np.random.Generator) -> list[np.ndarray]:
    """Cores of the maximally mixed state plus small random entries, of the given shapes."""
    cores = []
    for shape in shapes:
        core = 0.1 * rng.standard_normal(shape) / math.sqrt(shape[0] * shape[2])
        core[0, 0, 0] = 1.0
        cores.append(core)
    return cores


class _PurifiedModel:
    """``rho = L L^dagger``: complex tensors ``A_k`` (D[k], 2, kappa, D[k+1]) as parameters."""

    def __init__(self, shapes: list[tuple[int, ...]], x0: np.ndarray):
        self.shapes = shapes
        self.sizes = [math.prod(s) for s in shapes]
        self.x0 = x0

    @classmethod
    def from_state(
        cls, state: PauliMPO, kraus: int, init: str, rng: np.random.Generator
    ) -> _PurifiedModel:
        bonds = [1, *(math.ceil(math.sqrt(r)) for r in state.bond_dims), 1]
        shapes = [(bonds[k], 2, kraus, bonds[k + 1]) for k in range(state.n)]
        singles = (
            [state.marginal([k]).tt.full() for k in range(state.n)]
            if init == "state"
            else [np.array([1.0, 0.0, 0.0, 0.0])] * state.n
        )
        tensors = []
        for shape, single in zip(shapes, singles, strict=True):
            noise = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
            tensor = 0.05 * noise / math.sqrt(shape[0] * shape[3])
            root = _sqrt_one_qubit(single)  # (2, 2)
            tensor[0, :, : min(2, kraus), 0] = root[:, : min(2, kraus)]
            tensors.append(tensor)
        model = cls(shapes, cls.pack(tensors))
        if init == "state":
            model.x0 = _purify(model, state)
        return model

    @staticmethod
    def pack(tensors: list[np.ndarray]) -> np.ndarray:
        flat = np.concatenate([t.ravel() for t in tensors])
        return np.concatenate([flat.real, flat.imag])

    def tensors(self, x: np.ndarray) -> list[np.ndarray]:
        half = x.size // 2
        flat = x[:half] + 1j * x[half:]
        parts = np.split(flat, np.cumsum(self.sizes)[:-1])
        return [p.reshape(s) for p, s in zip(parts, self.shapes, strict=True)]

    def complex_cores(self, x: np.ndarray) -> list[np.ndarray]:
        """Pauli cores (D^2, 4, D'^2) of ``L L^dagger``, complex, bond index ``(a, a')``."""
        return [_purified_core(a) for a in self.tensors(x)]

    def cores(self, x: np.ndarray) -> list[np.ndarray]:
        """The same Pauli tensor with real cores: each bond space in a Hermitian basis.

        Real arithmetic in the window passes costs a quarter of complex.
        """
        bases = self._bases()
        return [
            np.real(_rotate_bonds(core, bases[k].conj(), bases[k + 1]))
            for k, core in enumerate(self.complex_cores(x))
        ]

    real_cores = cores

    def _bases(self) -> list[sparse.csr_array]:
        """Hermitian bases of the bonds (sparse: two entries per column), cached."""
        if not hasattr(self, "_bases_cache"):
            dims = [s[0] ** 2 for s in self.shapes] + [1]
            self._bases_cache = [sparse.csr_array(_hermitian_basis(d)) for d in dims]
        return self._bases_cache

    def gradient(self, x: np.ndarray, core_bars: list[np.ndarray]) -> np.ndarray:
        """Real gradient (d/dRe A, d/dIm A) from the cotangents of the real cores.

        The real core is ``W^dagger G W'`` of the complex one ``G`` (a holomorphic linear map),
        so ``G``'s cotangent is ``conj(W) bar W'^T``; then the chain rule through the
        bilinear ``G(A, conj(A))``.
        """
        grads = []
        bases = self._bases()
        for k, (a, bar) in enumerate(zip(self.tensors(x), core_bars, strict=True)):
            cotangent = _rotate_bonds(bar, bases[k].conj().T, bases[k + 1].T)
            grads.append(ct.purified_core_vjp(a, PAULI_MATRICES, cotangent))
        flat = np.concatenate([g.ravel() for g in grads])
        return np.concatenate([flat.real, -flat.imag])


def _purified_core(a: np.ndarray) -> np.ndarray:
    """Pauli core (D^2, 4, D'^2) of one tensor (D, 2, kappa, D') of ``L``:
    ``sum_{s, t, k} a[a, s, k, b] conj(a[c, t, k, d]) sigma_p[t, s]`` at ``(a c), p, (b d)``.
    """
    return ct.purified_core(a, PAULI_MATRICES)


def _rotate_bonds(core: np.ndarray, left, right) -> np.ndarray:
    """``out[a, p, b] = sum_{x, y} left[x, a] core[x, p, y] right[y, b]``.

    ``left`` and ``right`` are sparse (x, a) and (y, b) matrices: two products.
    """
    x, p, y = core.shape
    out = left.T @ core.reshape(x, p * y)  # (a, p y)
    out = (right.T @ out.reshape(-1, y).T).T  # (a p, b)
    return out.reshape(left.shape[1], p, right.shape[1])


def _hermitian_basis(d2: int) -> np.ndarray:
    """Unitary (D^2, D^2): columns an orthonormal basis of Hermitian D x D matrices.

    A core ``G`` of a purified form satisfies ``conj(G) = S G S`` (``S`` swaps ``a, a'`` on
    each bond), so ``W^dagger G W'`` is real for these bases.
    """
    d = math.isqrt(d2)
    basis = np.zeros((d, d, d2), dtype=complex)
    col = 0
    for a in range(d):
        basis[a, a, col] = 1.0
        col += 1
        for b in range(a + 1, d):
            basis[a, b, col] = basis[b, a, col] = 1 / math.sqrt(2)
            basis[a, b, col + 1], basis[b, a, col + 1] = 1j / math.sqrt(2), -1j / math.sqrt(2)
            col += 2
    return basis.reshape(d2, d2)


def _sqrt_one_qubit(pauli: np.ndarray) -> np.ndarray:
    """``sqrt(rho)`` (2, 2) of a one-qubit state from its Pauli vector, made physical."""
    rho = ((pauli / pauli[0]) @ PAULI_MATRICES.reshape(4, 4)).reshape(2, 2) / 2
    values, vectors = np.linalg.eigh((rho + rho.conj().T) / 2)
    values = project_to_simplex(values)
    return (vectors * np.sqrt(values)) @ vectors.conj().T


def _purify(model: _PurifiedModel, state: PauliMPO) -> np.ndarray:
    """Parameters of ``model`` fitted to ``state``'s window marginals (uniform weights).

    :data:`_PURIFY_ITERS` L-BFGS iterations from ``model.x0``, nothing held out, no progress
    reported; returns the best iterate.
    """
    windows = _window_tensors(state, _purify_window(state))
    head = _LsqHead.uniform(windows)
    run = _Run(partial(evaluate, model, head), model.x0, patience=1, holdout=False)
    run.minimize(_PURIFY_ITERS)
    return run.best_x


def _purify_window(state: PauliMPO) -> int:
    """Window of the purification fit: 5 qubits, fewer on short chains."""
    return min(5, state.n)


def _window_tensors(state: PauliMPO, width: int) -> list[np.ndarray]:
    """Pauli coefficients (4,) * width of every window marginal of ``state``, trace 1."""
    out = []
    for j in range(state.n - width + 1):
        values = state.marginal(range(j, j + width)).tt.full()
        out.append(values / values.flat[0])
    return out
