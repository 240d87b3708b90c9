"""The n-qubit mixed state as a tensor train of Pauli coefficients (a Pauli MPO).

``X(p_1..p_n) = tr(rho sigma_{p_1} (x) ... (x) sigma_{p_n})`` is stored as a real
:class:`ttcross.TensorTrain` with mode size 4 (``0..3 = I, X, Y, Z``; mode k = qubit k). Its TT
ranks are the MPO bond dimensions of ``rho``: the operator core of qubit k is
``A_k[a, i, j, b] = 1/2 sum_p B_k[a, p, b] sigma_p[i, j]`` (see :meth:`PauliMPO.operator_cores`).
Every quantity below is a contraction of that tensor train:

- ``tr rho = X(0..0)``; ``tr(rho sigma_p) = X(p)``; purity ``tr rho^2 = 2^-n ||X||^2``;
- marginal on a set of qubits: contract the other modes with ``e_0``;
- the probability of outcomes ``o_k = +-1`` in bases ``b_k`` is ``X`` contracted on every mode
  with ``(e_0 + o_k e_{b_k}) / 2``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

from ttcross import TensorTrain
from ttcross import contract as ct
from ttcross.environments import absorb_environments, vector_environments
from ttcross.validation import check_int, check_memory

from .io import FileFormatError, header_int, read_archive, write_archive
from .pauli import (
    PAULI_MATRICES,
    bits_to_bitstrings,
    dense_to_pauli,
    parse_pauli_string,
    reverse_qubit_axes,
)

__all__ = ["PauliMPO", "STATE_FORMAT_VERSION", "MAX_TO_DENSE_QUBITS"]

STATE_FORMAT_VERSION = 1
"""Version of the ``.npz`` layout written by :meth:`PauliMPO.save`."""
_STATE_KIND = "ttqst.PauliMPO"

MAX_TO_DENSE_QUBITS = 14
"""Largest n for which :meth:`PauliMPO.to_dense` runs (a 2^14 x 2^14 complex matrix is 4 GiB)."""

#: ``_PAULI_TO_OPERATOR[2 i + j, p] = sigma_p[i, j] / 2``.
_PAULI_TO_OPERATOR = PAULI_MATRICES.reshape(4, 4).T / 2
#: ``_OPERATOR_TO_PAULI[p, 2 i + j] = sigma_p[j, i]`` so that ``B[p] = tr(A sigma_p)``.
_OPERATOR_TO_PAULI = PAULI_MATRICES.transpose(0, 2, 1).reshape(4, 4)

_BASIS_INDEX = {"X": 1, "Y": 2, "Z": 3}


class PauliMPO:
    """An n-qubit density matrix as a tensor train of its Pauli coefficients.

    Parameters
    ----------
    tt : TensorTrain
        Real, mode sizes all 4: ``tt[p_1..p_n] = tr(rho sigma_p)``.
    truncation_error : float, default=0.0
        Upper bound on the relative Frobenius error of ``tt`` accumulated by compressions
        (sum over truncations of the discarded norm relative to the norm at that step).
    assignment : ndarray, shape (n, 2, 2), optional
        Per-qubit assignment matrices ``A[k][measured, true]`` applied when sampling; they are a
        property of the measurement, not of the state, and are not in ``tt``.

    Raises
    ------
    ValueError
        Mode sizes other than 4, complex cores, assignment matrices of the wrong shape or not
        stochastic.
    """

    __slots__ = ("_tt", "_truncation_error", "_assignment")

    def __init__(
        self,
        tt: TensorTrain,
        *,
        truncation_error: float = 0.0,
        assignment: np.ndarray | None = None,
    ):
        if not isinstance(tt, TensorTrain):
            raise TypeError(f"`tt` must be a ttcross.TensorTrain, got {type(tt).__name__}")
        if any(n != 4 for n in tt.shape):
            raise ValueError(f"Pauli tensor train needs mode size 4 on every qubit, got {tt.shape}")
        if np.iscomplexobj(tt.cores[0]):
            raise ValueError(
                "Pauli coefficients of a Hermitian operator are real; got complex cores"
            )
        self._tt = tt
        self._truncation_error = float(truncation_error)
        self._assignment = (
            None if assignment is None else _check_assignment_matrices(assignment, tt.ndim)
        )

    # ------------------------------------------------------------------ basic properties
    @property
    def tt(self) -> TensorTrain:
        """Pauli-coefficient tensor train (real, mode size 4)."""
        return self._tt

    @property
    def n(self) -> int:
        """Number of qubits."""
        return self._tt.ndim

    @property
    def bond_dims(self) -> tuple[int, ...]:
        """The n - 1 bond dimensions (TT ranks between qubits)."""
        return self._tt.ranks[1:-1]

    @property
    def truncation_error(self) -> float:
        """Accumulated relative truncation error bound (see class docstring)."""
        return self._truncation_error

    @property
    def assignment(self) -> np.ndarray | None:
        """Per-qubit assignment matrices (n, 2, 2) used by :meth:`sample`, or None."""
        return None if self._assignment is None else self._assignment.copy()

    def __repr__(self) -> str:
        return f"PauliMPO(n={self.n}, max_rank={max(self.bond_dims, default=1)})"

    def with_assignment(self, assignment: np.ndarray | None) -> PauliMPO:
        """The same state with other assignment matrices (None: ideal readout)."""
        return PauliMPO(self._tt, truncation_error=self._truncation_error, assignment=assignment)

    # ------------------------------------------------------------------ scalars
    def trace(self) -> float:
        """``tr rho = X(0..0)``."""
        return float(self._tt.contract_modes({k: _unit(0) for k in range(self.n)}))

    def log_purity(self) -> float:
        """Natural log of ``tr rho^2 = 2^-n ||X||^2``."""
        return 2.0 * self._tt.log_norm() - self.n * np.log(2.0)

    def purity(self) -> float:
        """``tr rho^2`` (for an unnormalised state, of the state as stored)."""
        return float(np.exp(self.log_purity()))

    def expectation(self, strings: str | Sequence[str]) -> float | np.ndarray:
        """``tr(rho sigma_p)`` of Pauli strings.

        Parameters
        ----------
        strings : str or sequence of str
            ttqst Pauli strings over ``IXYZ``, character k on qubit k (the reverse of Qiskit's
            labels), each of length n.

        Returns
        -------
        float, or ndarray of shape (len(strings),)
        """
        single = isinstance(strings, str)
        items = [strings] if single else list(strings)
        if not items:
            return np.zeros(0)
        idx = np.stack([parse_pauli_string(s, self.n) for s in items])
        values = self._tt.evaluate(idx)
        return float(values[0]) if single else values

    def inner(self, other: PauliMPO) -> float:
        """``tr(rho sigma) = 2^-n <X_rho, X_sigma>``."""
        _check_same_n(self, other)
        sign, log_abs = self._tt.log_dot(other._tt)
        return float(sign * np.exp(log_abs - self.n * np.log(2.0)))

    # ------------------------------------------------------------------ transformations
    def normalized(self) -> PauliMPO:
        """The state divided by its trace (ValueError if the trace is not positive)."""
        trace = self.trace()
        if not trace > 0:
            raise ValueError(f"cannot normalise a state with trace {trace:.3g} (must be > 0)")
        return PauliMPO(
            self._tt / trace, truncation_error=self._truncation_error, assignment=self._assignment
        )

    def marginal(self, sites: Sequence[int]) -> PauliMPO:
        """Reduced state on ``sites`` (kept in ascending order).

        Parameters
        ----------
        sites : sequence of int
            Distinct qubits in ``0..n-1``.

        Returns
        -------
        PauliMPO
            On ``len(sites)`` qubits, qubit j of it being ``sorted(sites)[j]``.
        """
        keep = sorted(set(int(s) for s in sites))
        if len(keep) != len(list(sites)):
            raise ValueError(f"`sites` has repeated qubits: {list(sites)}")
        if not keep or keep[0] < 0 or keep[-1] >= self.n:
            raise ValueError(
                f"`sites` must be non-empty qubits in 0..{self.n - 1}, got {list(sites)}"
            )
        drop = {k: _unit(0) for k in range(self.n) if k not in keep}
        tt = self._tt.contract_modes(drop) if drop else self._tt
        assignment = None if self._assignment is None else self._assignment[keep]
        return PauliMPO(tt, truncation_error=self._truncation_error, assignment=assignment)

    def local_tensors(self, spans: Sequence[tuple[int, int]]) -> list[np.ndarray]:
        """Pauli coefficients of the marginals on several runs of consecutive qubits.

        Parameters
        ----------
        spans : sequence of (int, int)
            Inclusive ``(first, last)`` qubits, each run at most 10 qubits long.

        Returns
        -------
        list of ndarray, each (4,) * (last - first + 1)
            ``out[j][p] = tr(rho sigma_p)`` for strings on that run (identity elsewhere).
            One pass of marginal environments serves every run: O(n chi^2 + runs 4^w chi^2)
            (see :func:`marginal_pauli_tensors`).
        """
        return list(marginal_pauli_tensors(self._tt, spans))

    def compress(
        self,
        tol: float | None = None,
        max_rank: int | None = None,
        *,
        nonidentity_weight: float = 1.0,
    ) -> PauliMPO:
        """Recompress the bond dimensions (TT rounding of the Pauli tensor).

        Parameters
        ----------
        tol : float, optional
            Relative accuracy in the truncation norm (default: round-off only).
        max_rank : int, optional
            Cap on every bond dimension.
        nonidentity_weight : float, default=1.0
            Round in the norm where each string is weighted by this number to the power of its
            weight, as in :func:`tomography.simulate.simulate`: 1 is the Frobenius norm of the
            Pauli tensor; about 0.5 keeps the trace and the few-qubit marginals under a tight
            ``max_rank`` (a Frobenius truncation can even flip the sign of the trace).

        Returns
        -------
        PauliMPO
            With ``truncation_error`` increased by the discarded relative norm (in the
            truncation norm). Not renormalised: see :meth:`normalized`.
        """
        if not nonidentity_weight > 0:
            raise ValueError(f"`nonidentity_weight == {nonidentity_weight}`, must be > 0")
        weight = np.diag([1.0, nonidentity_weight, nonidentity_weight, nonidentity_weight])
        unweight = np.diag(1.0 / np.diag(weight))
        tt = self._tt
        if nonidentity_weight != 1.0:
            tt = _map_sites(tt, weight)
        tt, error = tt.round(tol, max_rank, return_error=True)
        if nonidentity_weight != 1.0:
            tt = _map_sites(tt, unweight)
        return PauliMPO(
            tt, truncation_error=self._truncation_error + error, assignment=self._assignment
        )

    # ------------------------------------------------------------------ dense conversion
    @classmethod
    def from_dense(cls, rho: np.ndarray, *, tol: float | None = None) -> PauliMPO:
        """From a Qiskit-ordered density matrix (2^n, 2^n), n <= 12, by TT-SVD.

        ``tol`` is the relative Frobenius accuracy of the Pauli tensor (default: exact).
        """
        x = dense_to_pauli(rho)
        return cls(TensorTrain.from_dense(x, tol=tol))

    def operator_cores(self) -> list[np.ndarray]:
        """MPO cores of ``rho``: ``A_k[a, i, j, b]``, shape (r[k], 2, 2, r[k+1]), complex.

        ``rho[i_1..i_n, j_1..j_n] = prod_k A_k[:, i_k, j_k, :]`` with qubit 0 first (row index
        ``i_1`` is qubit 0's bit); the tensor train's ``log_scale`` is spread evenly over the
        cores.
        """
        factor = np.exp(self._tt.log_scale / self.n)
        out = []
        for core in self._tt.cores:
            op = ct.core_matrix_product(core.astype(np.complex128), _PAULI_TO_OPERATOR)
            out.append(factor * op.reshape(core.shape[0], 2, 2, core.shape[2]))
        return out

    @classmethod
    def from_operator_cores(cls, cores: Sequence[np.ndarray]) -> PauliMPO:
        """Inverse of :meth:`operator_cores`: cores (r[k], 2, 2, r[k+1]) of a Hermitian MPO."""
        pauli_cores = []
        for k, core in enumerate(cores):
            core = np.asarray(core)
            if core.ndim != 4 or core.shape[1:3] != (2, 2):
                raise ValueError(
                    f"operator core {k} must have shape (r, 2, 2, r'), got {core.shape}"
                )
            flat = core.reshape(core.shape[0], 4, core.shape[3])
            pauli = ct.core_matrix_product(flat, _OPERATOR_TO_PAULI)
            if np.abs(pauli.imag).max() > 1e-10 * max(np.abs(pauli).max(), 1e-300):
                raise ValueError(
                    f"operator core {k} gives complex Pauli coefficients: the MPO is not Hermitian "
                    "core by core; bring it to a Hermitian gauge first"
                )
            pauli_cores.append(pauli.real)
        return cls(TensorTrain(pauli_cores))

    def to_dense(self) -> np.ndarray:
        """The density matrix (2^n, 2^n), complex, in Qiskit's little-endian order; n <= 14."""
        if self.n > MAX_TO_DENSE_QUBITS:
            raise ValueError(
                f"to_dense on {self.n} qubits, expected at most {MAX_TO_DENSE_QUBITS}: "
                "use marginal(), expectation() or the metrics, which work at any n"
            )
        op_cores = [c.reshape(c.shape[0], 4, c.shape[3]) for c in self.operator_cores()]
        full = TensorTrain(op_cores).full(max_size=4**MAX_TO_DENSE_QUBITS)
        n = self.n
        tensor = full.reshape((2, 2) * n)
        order = list(range(0, 2 * n, 2)) + list(range(1, 2 * n, 2))
        tensor = reverse_qubit_axes(tensor.transpose(order), n)
        return np.ascontiguousarray(tensor.reshape(2**n, 2**n))

    # ------------------------------------------------------------------ sampling
    def sample(
        self,
        bases: Sequence[str],
        shots: int,
        *,
        seed: int | np.random.Generator | None = None,
        apply_assignment: bool = True,
    ) -> list[dict[str, int]]:
        """Simulated measurement counts in product Pauli bases.

        Parameters
        ----------
        bases : sequence of str
            One setting per string; character k in ``XYZ`` is qubit k's basis (ttqst order).
        shots : int
            Shots per setting.
        seed : int, Generator or None
        apply_assignment : bool, default=True
            Flip outcomes by ``self.assignment`` when it is set.

        Returns
        -------
        list of dict
            One Qiskit counts dict per setting: bitstrings with qubit 0 RIGHT-most, bit 0 for
            the +1 eigenvalue and 1 for -1.
        """
        bits = self.sample_bits(bases, shots, seed=seed, apply_assignment=apply_assignment)
        return [_counts_from_bits(b) for b in bits]

    def sample_bits(
        self,
        bases: Sequence[str],
        shots: int,
        *,
        seed: int | np.random.Generator | None = None,
        apply_assignment: bool = True,
        progress: Callable[[int, int], object] | None = None,
    ) -> np.ndarray:
        """Like :meth:`sample`, returning bits (settings, shots, n) uint8, axis 2 = qubit k.

        Each shot is drawn qubit by qubit from conditional probabilities, after one right-to-left
        pass of marginal environments shared by all settings: O(n chi^2) per shot. Shots are
        drawn in chunks of rows (settings x shots); ``progress``, if given, is called as
        ``progress(done, total)`` with the rows drawn so far, before each chunk and at the end
        (the draws do not depend on it).
        """
        settings = _check_bases(bases, self.n)
        shots = check_int(shots, "shots", minimum=1)
        check_memory(
            sample_bytes(len(settings), shots, self.n),
            f"sampling {len(settings)} settings x {shots} shots x {self.n} qubits",
            "lower shots (or the number of settings)",
        )
        self._check_samplable()
        rng = np.random.default_rng(seed)
        environments, _ = vector_environments(self._tt.cores, from_left=False)
        all_bases = np.repeat(settings.astype(np.uint8), shots, axis=0)  # (settings * shots, n)
        chunk = max(256, 2**22 // max(self._tt.ranks))  # bounds the (M, 2, r) buffers
        pieces = []
        for i in range(0, len(all_bases), chunk):
            if progress is not None:
                progress(i, len(all_bases))
            pieces.append(_sample_rows(self._tt.cores, environments, all_bases[i : i + chunk], rng))
        if progress is not None:
            progress(len(all_bases), len(all_bases))
        out = np.concatenate(pieces).reshape(len(settings), shots, self.n)
        if apply_assignment and self._assignment is not None:
            out = _apply_assignment(out, self._assignment, rng)
        return out

    def _check_samplable(self) -> None:
        """Refuse to sample an operator whose trace is not positive and finite."""
        trace = self.trace()
        if not (np.isfinite(trace) and trace > 0):
            raise ValueError(
                f"the trace is {trace:.3g}: not a state, whose trace is positive and finite; "
                "it cannot be sampled (check where it came from)"
            )

    # ------------------------------------------------------------------ files
    def save(self, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
        """Write to an ``.npz`` file (no pickle, :mod:`tomography.io`): cores, log scale,
        truncation error and assignment matrices.

        Raises
        ------
        FileExistsError
            If ``path`` exists and ``overwrite`` is False.
        """
        meta = {
            "n": self.n,
            "log_scale": self._tt.log_scale,
            "truncation_error": self._truncation_error,
        }
        arrays = {f"core_{k}": c for k, c in enumerate(self._tt.cores)}
        if self._assignment is not None:
            arrays["assignment"] = self._assignment
        return write_archive(
            path, _STATE_KIND, STATE_FORMAT_VERSION, meta, arrays, overwrite=overwrite
        )

    @classmethod
    def load(cls, path: str | os.PathLike) -> PauliMPO:
        """Read a file written by :meth:`save` (checks format and version).

        Raises
        ------
        FileNotFoundError
            If ``path`` does not exist.
        FileFormatError
            If the file is not one :meth:`save` wrote (not an ``.npz`` archive, truncated,
            entries missing or invalid, a header ``n`` other than the number of cores), has
            another format version, or holds no state: a trace that is zero, negative or
            not finite.
        """
        meta, arrays = read_archive(path, _STATE_KIND, STATE_FORMAT_VERSION, "a ttqst state")
        n = header_int(path, meta, "n", "a ttqst state", minimum=1)
        stored = sorted(k for k in arrays if k.startswith("core_"))
        if len(stored) != n:
            raise FileFormatError(
                f"cannot read a ttqst state from {path}: header says n = {n} qubits but the "
                f"file holds {len(stored)} cores; "
                "the header does not match the data (re-create the file)"
            )
        try:
            cores = [arrays[f"core_{k}"] for k in range(n)]
            log_scale = _header_float(meta, "log_scale")
            truncation_error = _header_float(meta, "truncation_error", minimum=0.0)
            tt = TensorTrain(cores, log_scale=log_scale)
            # files of ttqst 0.1.0 name the assignment matrices "readout"
            assignment = arrays.get("assignment", arrays.get("readout"))
            state = cls(tt, truncation_error=truncation_error, assignment=assignment)
            state._check_samplable()
        except KeyError as exc:
            raise FileFormatError(
                f"cannot read a ttqst state from {path}: entry {exc} missing; re-create the file"
            ) from exc
        except (TypeError, ValueError) as exc:
            raise FileFormatError(f"cannot read a ttqst state from {path}: {exc}") from exc
        return state

    # ------------------------------------------------------------------ tensornetwork
    def to_tensornetwork(self, kind: str = "mpo"):
        """Export to tensornetwork.

        Parameters
        ----------
        kind : {"mpo", "mps"}
            - ``"mpo"``: a ``tensornetwork.FiniteMPO`` of ``rho`` with tensors of shape
              (r[k], r[k+1], 2, 2) = (left, right, row i, column j), the layout of
              tensornetwork's own MPOs (row = output index).
            - ``"mps"``: a ``tensornetwork.FiniteMPS`` of the Pauli tensor, tensors
              (r[k], 4, r[k+1]), ``log_scale`` spread over the cores.
        """
        import tensornetwork as tn

        if kind == "mpo":
            tensors = [np.transpose(c, (0, 3, 1, 2)) for c in self.operator_cores()]
            return tn.FiniteMPO(tensors, backend="numpy")
        if kind == "mps":
            factor = np.exp(self._tt.log_scale / self.n)
            tensors = [factor * c for c in self._tt.cores]
            return tn.FiniteMPS(tensors, canonicalize=False, backend="numpy")
        raise ValueError(f"`kind` must be 'mpo' or 'mps', got {kind!r}")

    @classmethod
    def from_tensornetwork(cls, obj) -> PauliMPO:
        """Import a ``FiniteMPO`` of ``rho`` or a ``FiniteMPS`` of Pauli coefficients (layouts
        as in :meth:`to_tensornetwork`)."""
        import tensornetwork as tn

        if isinstance(obj, tn.FiniteMPO):
            return cls.from_operator_cores(
                [np.transpose(np.asarray(t), (0, 2, 3, 1)) for t in obj.tensors]
            )
        if isinstance(obj, tn.FiniteMPS):
            return cls(TensorTrain([np.real_if_close(np.asarray(t)) for t in obj.tensors]))
        raise TypeError(f"expected tensornetwork FiniteMPO or FiniteMPS, got {type(obj).__name__}")


# ---------------------------------------------------------------------- kernels
def _unit(p: int) -> np.ndarray:
    vec = np.zeros(4)
    vec[p] = 1.0
    return vec


def _map_sites(tt: TensorTrain, matrix: np.ndarray) -> TensorTrain:
    """The same (4, 4) linear map applied to every mode of a tensor train."""
    cores = [ct.apply_site_operator(matrix, core) for core in tt.cores]
    return TensorTrain(cores, log_scale=tt.log_scale)


def sample_bytes(n_settings: int, shots: int, n: int) -> int:
    """Bytes :meth:`PauliMPO.sample_bits` and the data built from its bits take (Python ints).

    Per row (setting x shot): the bases and the bits (``n`` bytes each), the
    ``MeasurementData`` copy of the bits, a count and a setting index (8 bytes each).
    """
    return n_settings * shots * (3 * n + 16)


def _header_float(meta: dict, key: str, minimum: float = -np.inf) -> float:
    """A finite float header entry (JSON number, not bool), at least ``minimum``."""
    value = meta[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(
            f"header entry {key!r} is {value!r} (a {type(value).__name__}), expected a number"
        )
    if not np.isfinite(value):
        raise ValueError(f"header entry {key!r} is {value!r}, expected a finite number")
    if value < minimum:
        raise ValueError(f"header entry {key!r} is {value!r}, expected >= {minimum:g}")
    return float(value)


def _check_same_n(a: PauliMPO, b: PauliMPO) -> None:
    if not isinstance(b, PauliMPO):
        raise TypeError(f"expected a PauliMPO, got {type(b).__name__}")
    if a.n != b.n:
        raise ValueError(f"qubit count mismatch: {a.n} and {b.n}")


def _check_assignment_matrices(assignment: np.ndarray, n: int) -> np.ndarray:
    assignment = np.asarray(assignment, dtype=np.float64)
    if assignment.shape != (n, 2, 2):
        raise ValueError(f"`assignment` must have shape ({n}, 2, 2), got {assignment.shape}")
    if (assignment < 0).any() or not np.allclose(assignment.sum(axis=1), 1.0):
        raise ValueError("`assignment` matrices must be column-stochastic: A[k][:, true] sums to 1")
    return assignment.copy()


def _check_bases(bases: Sequence[str], n: int) -> np.ndarray:
    """Settings as Pauli indices (settings, n) in 1..3."""
    if isinstance(bases, str):
        bases = [bases]
    out = []
    for s, setting in enumerate(bases):
        if not isinstance(setting, str) or len(setting) != n:
            raise ValueError(
                f"setting {s} is {setting!r}: expected a string of {n} letters from 'XYZ', "
                "one per qubit (qubit 0 first)"
            )
        bad = set(setting) - set(_BASIS_INDEX)
        if bad:
            raise ValueError(f"setting {s} ({setting!r}) has letters {sorted(bad)}; use X, Y or Z")
        out.append([_BASIS_INDEX[c] for c in setting])
    if not out:
        raise ValueError("`bases` is empty: give at least one setting")
    return np.asarray(out, dtype=np.int64)


def marginal_pauli_tensors(
    x: TensorTrain | np.ndarray, spans: Sequence[tuple[int, int]]
) -> Iterator[np.ndarray]:
    """Pauli coefficients of the marginals on runs of consecutive qubits, one run at a time.

    Parameters
    ----------
    x : TensorTrain or ndarray
        The Pauli tensor ``X`` of an n-qubit state: a tensor train with mode size 4, or the
        full array (4,) * n.
    spans : sequence of (int, int)
        Inclusive ``(first, last)`` qubits, each run at most 10 qubits long.

    Yields
    ------
    ndarray, (4,) * (last - first + 1), float64
        ``X`` with every mode outside the run contracted with ``e_0`` (the identity), in the
        order of ``spans``. A tensor train takes one left and one right pass of
        :func:`ttcross.environments.vector_environments` for all runs; a full array is
        sliced at index 0.

    Raises
    ------
    ValueError
        A span outside ``0..n-1`` or longer than 10 qubits (raised on the first ``next``).
    """
    n = x.ndim
    spans = [_check_span(first, last, n) for first, last in spans]
    if isinstance(x, TensorTrain):
        yield from _train_marginals(x, spans)
        return
    for first, last in spans:
        yield x[(0,) * first + (slice(None),) * (last - first + 1) + (0,) * (n - last - 1)]


def _check_span(first: int, last: int, n: int) -> tuple[int, int]:
    if not 0 <= first <= last < n or last - first >= 10:
        raise ValueError(
            f"span ({first}, {last}) must satisfy 0 <= first <= last < {n} and length <= 10"
        )
    return first, last


def _train_marginals(tt: TensorTrain, spans: list[tuple[int, int]]) -> Iterator[np.ndarray]:
    """:func:`marginal_pauli_tensors` of a tensor train (spans already checked)."""
    cores = tt.cores
    left_envs, left_logs = vector_environments(cores, from_left=True)
    right_envs, right_logs = vector_environments(cores, from_left=False)
    for first, last in spans:
        window = absorb_environments(
            cores[first : last + 1], left_envs[first], right_envs[last + 1]
        )
        log_scale = tt.log_scale + left_logs[first] + right_logs[last + 1]
        yield TensorTrain(window, log_scale=log_scale).full()


def _outcome_projectors(basis: int) -> np.ndarray:
    """Rows ``(e_0 + e_b) / 2`` (bit 0, eigenvalue +1) and ``(e_0 - e_b) / 2`` (bit 1), (2, 4)."""
    out = np.zeros((2, 4))
    out[:, 0] = 0.5
    out[0, basis], out[1, basis] = 0.5, -0.5
    return out


def _sample_rows(cores, environments, bases: np.ndarray, rng) -> np.ndarray:
    """Sequential sampling of product-basis shots: bases (M, n) in 1..3 -> bits (M, n).

    Shots of all settings go through together, grouped per qubit by the basis measured there:
    two branches per shot and qubit, O(chi^2) each.
    """
    m, n = bases.shape
    left = np.ones((m, 1))
    bits = np.empty((m, n), dtype=np.uint8)
    draws = rng.random((m, n))
    for k, core in enumerate(cores):
        new_left = np.empty((m, core.shape[2]))
        for basis in (1, 2, 3):
            rows = np.flatnonzero(bases[:, k] == basis)
            if rows.size == 0:
                continue
            branch = ct.rows_times_core(
                left[rows], ct.core_matrix_product(core, _outcome_projectors(basis))
            )
            # truncated states can give tiny negative weights: clip them
            weights = np.clip(branch @ environments[k + 1], 0.0, None)  # (rows, 2)
            total = weights.sum(axis=1)
            p_minus = np.divide(weights[:, 1], total, out=np.full(rows.size, 0.5), where=total > 0)
            outcome = draws[rows, k] < p_minus
            bits[rows, k] = outcome
            new_left[rows] = np.where(outcome[:, None], branch[:, 1], branch[:, 0])
        scale = np.max(np.abs(new_left), axis=1, keepdims=True)
        left = new_left / np.where(scale > 0, scale, 1.0)
    return bits


def _apply_assignment(bits: np.ndarray, assignment: np.ndarray, rng) -> np.ndarray:
    """Flip each bit with probability ``A[k][1 - b, b]``."""
    flip_prob = np.where(bits == 0, assignment[:, 1, 0], assignment[:, 0, 1])
    flips = rng.random(bits.shape) < flip_prob
    return (bits ^ flips).astype(np.uint8)


def _counts_from_bits(bits: np.ndarray) -> dict[str, int]:
    """Counts dict in Qiskit order (qubit 0 right-most) from bits (shots, n)."""
    rows, counts = np.unique(bits, axis=0, return_counts=True)
    return {key: int(c) for key, c in zip(bits_to_bitstrings(rows), counts, strict=True)}
