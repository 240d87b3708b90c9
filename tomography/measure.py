"""Local Pauli measurements with 3^w settings, whatever n (method note, section 3).

A :class:`MeasurementDesign` of window ``w`` has one setting per ``t`` in ``{X,Y,Z}^w``; qubit j
is measured in basis ``t[j mod w]``. Any ``w`` consecutive qubits then see all ``3^w`` local
bases, so every Pauli string supported inside some window of ``w`` qubits is measured, by
``3^(w - k)`` settings for a string of weight ``k``.

:class:`MeasurementData` holds the raw outcomes (counts per setting) and estimates Pauli
expectations from them, pooling every compatible setting: the estimate of a string is the
mean over all compatible shots of the product of its +-1 outcomes, with variance
``(1 - x^2) / N``. Per-window estimates of all ``4^w`` strings at once go through a
Walsh-Hadamard transform of the local outcome histograms.

Bit convention (Qiskit's): bit 0 is the +1 eigenvalue, bit 1 the -1 eigenvalue; in count
dictionaries qubit 0 is the RIGHT-most character. Inside this module bits are arrays with
axis ``k`` = qubit ``k``.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from qiskit import QuantumCircuit

from ttcross.validation import (
    check_int,
    check_int_array,
    check_memory,
)

from .counts import check_counts_table, counts_total, sampler_counts
from .histograms import (
    apply_assignment,
    outcome_masks,
    walsh_hadamard,
    window_histograms,
    window_strings,
)
from .io import FileFormatError, header_int, read_archive, write_archive
from .pauli import bitstrings_to_bits, parse_pauli_string
from .readout import (  # re-exported: their home is tomography.readout
    assignment_from_calibration,
    readout_calibration_circuits,
)

__all__ = [
    "MeasurementDesign",
    "MeasurementData",
    "WindowEstimates",
    "ExactExpectations",
    "measure",
    "readout_calibration_circuits",
    "assignment_from_calibration",
    "DATA_FORMAT_VERSION",
]

DATA_FORMAT_VERSION = 1
"""Version of the ``.npz`` layout written by :meth:`MeasurementData.save`."""
_DATA_KIND = "ttqst.MeasurementData"
_WHAT = "a ttqst measurement file"

_BASES = "XYZ"


def design_bytes(n: int, window: int) -> int:
    """Bytes a :class:`MeasurementDesign` of ``n`` qubits and ``window`` takes (Python ints).

    ``3^w`` settings, each an int64 row of n basis indices and a str of n characters.
    """
    return 3**window * (9 * n + window * 8 + 64)


class MeasurementDesign:
    """The ``3^w`` periodic product-basis settings of window ``w`` on ``n`` qubits.

    Parameters
    ----------
    n : int
        Number of qubits, ``n >= window``.
    window : int, default=5
        Window width ``w``; every Pauli string inside ``w`` consecutive qubits is measured.

    Attributes
    ----------
    settings : list of str
        ``3^w`` strings of length n over ``XYZ``; character k is qubit k's basis (ttqst order).
    basis_indices : ndarray of int64, shape (3^w, n)
        The same with ``X, Y, Z = 1, 2, 3`` (Pauli indices).
    """

    def __init__(self, n: int, window: int = 5):
        self.n = check_int(n, "n", minimum=1)
        self.window = check_int(window, "window", minimum=1)
        if self.window > self.n:
            raise ValueError(
                f"`window == {self.window}` exceeds the {self.n} qubits; use window <= {self.n}"
            )
        check_memory(
            design_bytes(self.n, self.window),
            f"a measurement design of n = {self.n} qubits and window {self.window} "
            f"(3^{self.window} settings)",
            "lower the window or the number of qubits",
        )
        patterns = np.array(list(itertools.product(range(3), repeat=self.window)), dtype=np.int64)
        self.basis_indices = patterns[:, np.arange(self.n) % self.window] + 1
        self.basis_indices.flags.writeable = False
        self.settings = ["".join(_BASES[p - 1] for p in row) for row in self.basis_indices]

    @property
    def n_settings(self) -> int:
        """``3^w``."""
        return len(self.settings)

    def __repr__(self) -> str:
        return f"MeasurementDesign(n={self.n}, window={self.window})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MeasurementDesign) and (self.n, self.window) == (
            other.n,
            other.window,
        )

    def __hash__(self) -> int:
        return hash((self.n, self.window))

    def circuits(self, circuit: QuantumCircuit) -> list[QuantumCircuit]:
        """The measurement circuits: ``circuit``, basis rotations, and a measurement of all qubits.

        Rotations: X by ``h``; Y by ``sdg`` then ``h``; Z by nothing. Each circuit's
        ``metadata`` has ``"ttqst_setting"`` (index) and ``"bases"`` (the setting string), and
        its single classical register ``meas`` holds qubit k in clbit k.

        Raises
        ------
        ValueError
            Qubit count other than n, or a circuit that already measures or has classical bits.
        """
        if not isinstance(circuit, QuantumCircuit):
            raise TypeError(f"expected a qiskit QuantumCircuit, got {type(circuit).__name__}")
        if circuit.num_qubits != self.n:
            raise ValueError(
                f"qubit count mismatch: the design is for {self.n} qubits, "
                f"the circuit has {circuit.num_qubits}"
            )
        if circuit.num_clbits or any(i.operation.name == "measure" for i in circuit.data):
            raise ValueError(
                "the circuit already has classical bits or measurements; pass the state "
                "preparation only (remove_final_measurements() does that)"
            )
        out = []
        for index, setting in enumerate(self.settings):
            qc = circuit.copy(name=f"{circuit.name}_setting{index}")
            for qubit, basis in enumerate(setting):
                if basis == "X":
                    qc.h(qubit)
                elif basis == "Y":
                    qc.sdg(qubit)
                    qc.h(qubit)
            qc.measure_all()
            qc.metadata = {**(circuit.metadata or {}), "ttqst_setting": index, "bases": setting}
            out.append(qc)
        return out


@dataclass(frozen=True)
class WindowEstimates:
    """Estimates of all ``4^w`` Pauli strings on ``w`` consecutive qubits.

    Attributes
    ----------
    start : int
        First qubit of the window.
    mean : ndarray, shape (4,) * w, float64
        ``mean[p_1..p_w]`` estimates ``tr(rho sigma_p)`` for ``p`` on qubits start..start+w-1.
    variance : ndarray, shape (4,) * w, float64
        Estimated variance of each mean, ``(1 - x^2) / N`` (floored at ``1 / N^2``), divided by
        the squared readout gain when mitigated; 0 for the identity.
    shots : ndarray, shape (4,) * w, float64
        Number of shots pooled into each estimate.
    """

    start: int
    mean: np.ndarray
    variance: np.ndarray
    shots: np.ndarray


class MeasurementData:
    """Outcomes of a :class:`MeasurementDesign`: counts per setting.

    Build it with :meth:`from_counts`, :meth:`from_sampler_result`, :meth:`from_bits` or
    :func:`measure`.

    Parameters
    ----------
    design : MeasurementDesign
    outcomes : ndarray of uint8, shape (K, n)
        Distinct (or repeated) outcome rows, axis 1 = qubit k, bit 1 = eigenvalue -1.
    counts : ndarray of int64, shape (K,)
        How many shots gave each row.
    setting_index : ndarray of int64, shape (K,)
        Which setting each row belongs to.
    assignment : ndarray, shape (n, 2, 2), optional
        Per-qubit readout assignment matrices ``A[k][measured, true]``; when given, estimates
        are mitigated by applying ``A[k]^-1`` to the local outcome histograms.
    """

    def __init__(
        self,
        design: MeasurementDesign,
        outcomes: np.ndarray,
        counts: np.ndarray,
        setting_index: np.ndarray,
        *,
        assignment: np.ndarray | None = None,
    ):
        if not isinstance(design, MeasurementDesign):
            raise TypeError(f"`design` must be a MeasurementDesign, got {type(design).__name__}")
        self.design = design
        self.outcomes, self.counts, self.setting_index = _check_outcomes(
            design, outcomes, counts, setting_index
        )
        # exact int64 sums: _check_outcomes bounds the total by 2^63 - 1
        self.shots = np.zeros(design.n_settings, dtype=np.int64)
        np.add.at(self.shots, self.setting_index, self.counts)
        empty = np.flatnonzero(self.shots == 0)
        if empty.size:
            raise ValueError(
                f"{empty.size} setting(s) have zero shots (first: {empty[0]}, "
                f"{design.settings[empty[0]]!r}); every setting of the design is needed"
            )
        self.assignment = None if assignment is None else _check_assignment(assignment, design.n)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_bits(cls, design: MeasurementDesign, bits: np.ndarray) -> MeasurementData:
        """From sampled bits of shape (n_settings, shots, n) (axis 2 = qubit k)."""
        if not isinstance(design, MeasurementDesign):
            raise TypeError(f"`design` must be a MeasurementDesign, got {type(design).__name__}")
        bits = np.asarray(bits)
        if bits.ndim != 3 or bits.shape[0] != design.n_settings or bits.shape[2] != design.n:
            raise ValueError(
                f"bits must have shape ({design.n_settings}, shots, {design.n}), got {bits.shape}"
            )
        n_settings, shots, n = bits.shape
        return cls(
            design,
            bits.reshape(-1, n),
            np.ones(n_settings * shots, dtype=np.int64),
            np.repeat(np.arange(n_settings), shots),
        )

    @classmethod
    def from_counts(
        cls, design: MeasurementDesign, counts: Sequence[Mapping[str, int]]
    ) -> MeasurementData:
        """From one Qiskit counts dict per setting, in the order of ``design.settings``.

        Keys are bitstrings with qubit 0 right-most (Qiskit order); spaces between registers
        are not allowed (measure into one register, as :meth:`MeasurementDesign.circuits` does).
        """
        if not isinstance(design, MeasurementDesign):
            raise TypeError(f"`design` must be a MeasurementDesign, got {type(design).__name__}")
        if isinstance(counts, (Mapping, str, bytes)) or not isinstance(counts, Iterable):
            raise TypeError(
                f"`counts` must be a list of dicts, one per setting, not a {type(counts).__name__}"
            )
        counts = list(counts)
        if len(counts) != design.n_settings:
            raise ValueError(
                f"counts for {len(counts)} settings, expected {design.n_settings} "
                f"(3^{design.window}) in the order of design.settings"
            )
        keys, weights, index = [], [], []
        for s, table in enumerate(counts):
            for key, value in check_counts_table(table, f"setting {s}", design.n):
                keys.append(key)
                weights.append(value)
                index.append(s)
        counts_total(weights, "the counts")
        outcomes = bitstrings_to_bits(keys, design.n)
        return cls(
            design, outcomes, np.array(weights, dtype=np.int64), np.array(index, dtype=np.int64)
        )

    @classmethod
    def from_sampler_result(cls, design: MeasurementDesign, result) -> MeasurementData:
        """From a SamplerV2 ``PrimitiveResult`` of ``design.circuits(...)`` (one pub each).

        Raises
        ------
        TypeError
            ``result`` is a job (pass ``job.result()``), a list of counts dicts (use
            :meth:`from_counts`) or anything else that is not a sequence of pub results with
            one classical register each.
        ValueError
            Another number of pubs than settings, or pubs with several registers.
        """
        if not isinstance(design, MeasurementDesign):
            raise TypeError(f"`design` must be a MeasurementDesign, got {type(design).__name__}")
        counts = sampler_counts(result)
        if len(counts) != design.n_settings:
            raise ValueError(
                f"sampler result has {len(counts)} pub results, expected {design.n_settings}"
            )
        return cls.from_counts(design, counts)

    # ------------------------------------------------------------------ properties
    @property
    def n(self) -> int:
        """Number of qubits."""
        return self.design.n

    @property
    def total_shots(self) -> int:
        """Shots over all settings (copies of the state used)."""
        return int(self.shots.sum())

    def __repr__(self) -> str:
        return (
            f"MeasurementData(n={self.n}, window={self.design.window}, "
            f"settings={self.design.n_settings}, total_shots={self.total_shots})"
        )

    def with_assignment(self, assignment: np.ndarray | None) -> MeasurementData:
        """The same outcomes with readout mitigation by ``assignment`` (n, 2, 2), or none."""
        return MeasurementData(
            self.design, self.outcomes, self.counts, self.setting_index, assignment=assignment
        )

    # ------------------------------------------------------------------ estimates
    def window_estimates(self, start: int, width: int | None = None) -> WindowEstimates:
        """Estimates of all ``4^width`` strings on qubits ``start .. start + width - 1``.

        Parameters
        ----------
        start : int
        width : int, optional
            At most the design's window (default: the window).

        Returns
        -------
        WindowEstimates
        """
        width = self.design.window if width is None else check_int(width, "width", minimum=1)
        start = check_int(start, "start", minimum=0)
        if width > self.design.window or start + width > self.n:
            raise ValueError(
                f"window [{start}, {start + width}) needs width <= {self.design.window} "
                f"(the design's window) inside {self.n} qubits"
            )
        check_memory(
            self.design.n_settings * 2**width * 40 + 4**width * 48,
            f"the estimates of all 4^{width} Pauli strings of a window of {width} qubits",
            "lower the window",
        )
        correlators, raw = self._correlators(start, width)
        masks = outcome_masks(width)
        flat = window_strings(self.design.basis_indices, start, width)  # (S, 2^w), C order
        size = 4**width
        shots = np.broadcast_to(self.shots[:, None], flat.shape)
        total = np.bincount(flat.ravel(), weights=shots.ravel(), minlength=size)
        mean = np.bincount(flat.ravel(), weights=correlators.ravel(), minlength=size) / total
        raw_mean = np.bincount(flat.ravel(), weights=raw.ravel(), minlength=size) / total
        variance = _binomial_variance(raw_mean, total)
        if self.assignment is not None:
            gain = np.ones(size)
            sites = np.arange(start, start + width)
            gain[flat.ravel()] = np.broadcast_to(self._gain(sites, masks), flat.shape).ravel()
            variance = variance / gain**2
        variance[0] = 0.0
        shape = (4,) * width
        return WindowEstimates(
            start, mean.reshape(shape), variance.reshape(shape), total.reshape(shape)
        )

    def expectations(self, strings: str | Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Estimates and standard errors of Pauli strings.

        Parameters
        ----------
        strings : str or sequence of str
            ttqst Pauli strings (character k on qubit k) whose non-identity letters lie inside
            ``w`` consecutive qubits.

        Returns
        -------
        mean : ndarray, shape (len(strings),)
        stderr : ndarray, shape (len(strings),)
        """
        items = [strings] if isinstance(strings, str) else list(strings)
        means, errors = np.empty(len(items)), np.empty(len(items))
        for i, text in enumerate(items):
            paulis = parse_pauli_string(text, self.n)
            support = np.flatnonzero(paulis)
            if support.size == 0:
                means[i], errors[i] = 1.0, 0.0
                continue
            if support[-1] - support[0] >= self.design.window:
                raise ValueError(
                    f"string {text!r} spans qubits {support[0]}..{support[-1]}: wider than the "
                    f"window {self.design.window}, so no setting measures it"
                )
            start = min(int(support[0]), self.n - self.design.window)
            est = self.window_estimates(start)
            local = tuple(paulis[start : start + self.design.window])
            means[i] = est.mean[local]
            errors[i] = np.sqrt(est.variance[local])
        return means, errors

    def _correlators(self, start: int, width: int) -> tuple[np.ndarray, np.ndarray]:
        """Per setting, ``sum_o h(o) prod_{i in mask} (-1)^{o_i}`` for every mask: (S, 2^w).

        Returns the mitigated and the raw correlators (the same when no assignment is set).
        """
        hist = window_histograms(self, start, width)
        raw = walsh_hadamard(hist, width)
        if self.assignment is None:
            return raw, raw
        inverses = np.array([np.linalg.inv(a) for a in self.assignment[start : start + width]])
        return walsh_hadamard(apply_assignment(hist, inverses), width), raw

    def _gain(self, sites: np.ndarray, masks: np.ndarray) -> np.ndarray:
        """Readout gain ``prod_{i in mask} (A00 + A11 - 1)`` per mask (2^k,)."""
        a = self.assignment[sites]
        g = a[:, 0, 0] + a[:, 1, 1] - 1.0
        return np.prod(np.where(masks == 1, g[None, :], 1.0), axis=1)

    # ------------------------------------------------------------------ files
    def save(self, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
        """Write to ``.npz`` (no pickle, :mod:`tomography.io`); the design and the readout
        assignment travel along.

        Raises
        ------
        FileExistsError
            If ``path`` exists and ``overwrite`` is False.
        """
        arrays = {
            "outcomes": np.packbits(self.outcomes, axis=1),
            "counts": self.counts,
            "setting_index": self.setting_index,
        }
        if self.assignment is not None:
            arrays["assignment"] = self.assignment
        # outcome_bits repeats n beside the packed outcomes: a header whose n was changed
        # alone (phantom or dropped qubits inside the last byte) is then detected
        meta = {"n": self.n, "window": self.design.window, "outcome_bits": self.n}
        return write_archive(
            path, _DATA_KIND, DATA_FORMAT_VERSION, meta, arrays, overwrite=overwrite
        )

    @classmethod
    def load(cls, path: str | os.PathLike) -> MeasurementData:
        """Read a file written by :meth:`save` (checks format and version).

        Raises
        ------
        FileNotFoundError
            If ``path`` does not exist.
        FileFormatError
            If the file is not one :meth:`save` wrote (not an ``.npz`` archive, truncated,
            entries missing or of the wrong type or shape, a header that disagrees with the
            arrays, a design too large for memory) or has another format version.
        ValueError
            Outcomes, counts or setting indices that are not valid data (the message of
            ``MeasurementData``, prefixed by the path).
        """
        meta, arrays = read_archive(
            path, _DATA_KIND, DATA_FORMAT_VERSION, "a ttqst measurement file"
        )
        n, window, outcomes = _read_outcomes(path, meta, arrays)
        rows = [_archive_array(path, arrays, key, 1) for key in ("counts", "setting_index")]
        try:
            design = MeasurementDesign(n, window)
            return cls(design, outcomes, *rows, assignment=arrays.get("assignment"))
        except (TypeError, ValueError) as exc:
            raise FileFormatError(f"cannot read {_WHAT} from {path}: {exc}") from exc


class ExactExpectations:
    """Noise-free Pauli expectations of a known state, with the interface of MeasurementData.

    For testing a reconstruction on exact data (the limit of infinitely many shots): window
    estimates are the state's own local Pauli coefficients, with zero variance.

    Parameters
    ----------
    state : PauliMPO
    window : int, default=5
    """

    def __init__(self, state, window: int = 5):
        from .state import PauliMPO

        if not isinstance(state, PauliMPO):
            raise TypeError(f"`state` must be a PauliMPO, got {type(state).__name__}")
        self.state = state.normalized()
        self.design = MeasurementDesign(state.n, window)
        self.assignment = None

    @property
    def n(self) -> int:
        """Number of qubits."""
        return self.design.n

    @property
    def total_shots(self) -> float:
        """Infinite: the data is exact."""
        return float("inf")

    @property
    def shots(self) -> np.ndarray:
        """Infinite shots for every setting."""
        return np.full(self.design.n_settings, np.inf)

    def window_estimates(self, start: int, width: int | None = None) -> WindowEstimates:
        """Exact values of all ``4^width`` strings on qubits ``start .. start + width - 1``."""
        width = self.design.window if width is None else check_int(width, "width", minimum=1)
        if width > self.design.window or start + width > self.n or start < 0:
            raise ValueError(
                f"window [{start}, {start + width}) needs width <= {self.design.window} "
                f"inside {self.n} qubits"
            )
        mean = self.state.marginal(range(start, start + width)).tt.full()
        zeros = np.zeros_like(mean)
        return WindowEstimates(start, mean, zeros, np.full_like(mean, np.inf))


# ---------------------------------------------------------------------- measuring
def measure(
    source,
    design: MeasurementDesign,
    shots: int,
    *,
    seed: int | np.random.Generator | None = None,
    noise_model=None,
    backend=None,
    initial_layout: Sequence[int] | None = None,
    progress: Callable[[int, int], object] | None = None,
) -> MeasurementData:
    """Measure a state or a circuit with every setting of a design.

    Parameters
    ----------
    source : PauliMPO or qiskit.QuantumCircuit
        A :class:`~tomography.state.PauliMPO` is sampled directly (with its readout errors);
        a circuit is run through ``backend`` (default: an ``AerSimulator`` with
        ``noise_model``), after :meth:`MeasurementDesign.circuits` and a transpilation for it.
    design : MeasurementDesign
    shots : int
        Shots per setting.
    seed : int, Generator or None
        For the MPO sampler, or turned into Aer's ``seed_simulator``.
    noise_model : qiskit_aer.noise.NoiseModel, optional
        Only with a circuit and no backend.
    backend : qiskit backend, optional
        Anything with ``run(circuits, shots=...)``: real hardware or a simulator.
    initial_layout : sequence of int, optional
        Only with ``backend``: the physical qubit of each qubit of the chain (qubit ``k`` on
        ``initial_layout[k]``), passed to the transpiler so that the chain lies where the
        user chose (e.g. a path of the coupling map with good calibration); qubit ``k`` is
        still read into bit ``k``, so the data's bit order does not change. Without it the
        transpiler picks the qubits.
    progress : callable, optional
        Only with a PauliMPO: ``progress(done, total)`` with the shots drawn so far over all
        settings (see :meth:`~tomography.state.PauliMPO.sample_bits`); draws do not depend on it.

    Returns
    -------
    MeasurementData
    """
    from .state import PauliMPO

    shots = check_int(shots, "shots", minimum=1)
    rng = np.random.default_rng(seed)
    if isinstance(source, PauliMPO):
        if source.n != design.n:
            raise ValueError(f"qubit count mismatch: state has {source.n}, design {design.n}")
        if noise_model is not None or backend is not None or initial_layout is not None:
            raise ValueError(
                "noise_model, backend and initial_layout apply to circuits, not to a PauliMPO"
            )
        bits = source.sample_bits(design.settings, shots, seed=rng, progress=progress)
        return MeasurementData.from_bits(design, bits)
    if isinstance(source, QuantumCircuit):
        layout = _check_layout(initial_layout, design.n, backend)
        return _measure_circuit(source, design, shots, rng, noise_model, backend, layout)
    raise TypeError(f"`source` must be a PauliMPO or a QuantumCircuit, got {type(source).__name__}")


def _check_layout(layout, n: int, backend) -> list[int] | None:
    """``initial_layout`` as n distinct non-negative ints, only with a backend."""
    if layout is None:
        return None
    if backend is None:
        raise ValueError("initial_layout places the chain on a backend's qubits: give `backend`")
    values = list(layout)
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values):
        raise TypeError(
            f"`initial_layout` entries must be ints (physical qubit numbers), got {values}; "
            "convert with `[int(q) for q in initial_layout]`"
        )
    values = [int(v) for v in values]
    if len(values) != n or len(set(values)) != n or min(values) < 0:
        raise ValueError(
            f"initial_layout must list {n} distinct non-negative physical qubits, one per "
            f"qubit of the chain; got {values}"
        )
    return values


def _measure_circuit(
    circuit, design, shots, rng, noise_model, backend, layout=None
) -> MeasurementData:
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    if backend is not None and noise_model is not None:
        raise ValueError("give either a backend or a noise_model, not both")
    seed_simulator = int(rng.integers(2**31))
    circuits = design.circuits(circuit)
    if backend is None:
        # no transpile: Aer runs the gates as written, so noise attaches to them by name or
        # label as in simulate(); transpiling to the noise model's basis would decompose
        # the "haar2q" unitaries into u/rzz gates, each with its own error
        backend = AerSimulator(noise_model=noise_model, seed_simulator=seed_simulator)
        compiled = circuits
    else:
        compiled = transpile(
            circuits, backend, initial_layout=layout, seed_transpiler=seed_simulator
        )
    result = backend.run(compiled, shots=shots).result()
    counts = [result.get_counts(i) for i in range(len(compiled))]
    return MeasurementData.from_counts(design, counts)


# ---------------------------------------------------------------------- kernels
def _binomial_variance(mean: np.ndarray, shots: np.ndarray) -> np.ndarray:
    """``(1 - x^2) / N`` with ``1 - x^2`` floored at ``1 / N`` (no zero variances)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.maximum(1.0 - np.clip(mean, -1.0, 1.0) ** 2, 1.0 / shots)
        return spread / shots


def _check_outcomes(design, outcomes, counts, setting_index):
    """Outcome rows (uint8 bits), counts and setting indices (int64), checked.

    Values are refused, never cast: bits other than 0/1 (``0.5``, ``2``, ``-1``), fractional
    counts or indices (``2.0`` is taken as 2), negative counts, indices outside the design,
    and counts whose total exceeds int64.
    """
    outcomes = _int_field(outcomes, "outcomes", 0, 1, "outcomes must be bits (0 or 1)")
    counts = _int_field(counts, "counts", 0, None, "counts must be finite and non-negative")
    last = design.n_settings - 1
    setting_index = _int_field(
        setting_index, "setting_index", 0, last, f"setting_index must lie in 0..{last}"
    )
    if outcomes.ndim != 2 or outcomes.shape[1] != design.n:
        raise ValueError(
            f"outcomes must have shape (K, {design.n}) for {design.n} qubits, got {outcomes.shape}"
        )
    if counts.shape != (outcomes.shape[0],) or setting_index.shape != (outcomes.shape[0],):
        raise ValueError(
            f"counts {counts.shape} and setting_index {setting_index.shape} must both have "
            f"shape ({outcomes.shape[0]},), one per outcome row"
        )
    counts_total(counts, "counts")
    return outcomes.astype(np.uint8), counts, setting_index


def _int_field(array, name: str, low: int, high: int | None, rule: str) -> np.ndarray:
    """:func:`check_int_array` with the rule in words in front of its message."""
    try:
        return check_int_array(array, name, minimum=low, maximum=high)
    except ValueError as exc:
        raise ValueError(f"{rule}: {exc}") from None
    except TypeError as exc:
        raise TypeError(f"{rule}: {exc}") from None


def _archive_array(path, arrays: dict, key: str, ndim: int) -> np.ndarray:
    """Array ``key`` of an archive, present and of ``ndim`` dimensions (FileFormatError)."""
    if key not in arrays:
        raise FileFormatError(
            f"cannot read a ttqst measurement file from {path}: entry {key!r} missing or "
            "invalid (no such array); re-create the file"
        )
    array = arrays[key]
    if array.ndim != ndim:
        raise FileFormatError(
            f"cannot read {_WHAT} from {path}: array {key!r} has shape {array.shape}, "
            f"expected {ndim} dimension(s)"
        )
    return array


def _read_outcomes(path, meta: dict, arrays: dict) -> tuple[int, int, np.ndarray]:
    """``n``, ``window`` and the unpacked outcome rows, checked against each other."""
    n = header_int(path, meta, "n", _WHAT, minimum=1)
    window = header_int(path, meta, "window", _WHAT, minimum=1)
    if "outcome_bits" in meta and header_int(path, meta, "outcome_bits", _WHAT, 1) != n:
        raise FileFormatError(
            f"cannot read {_WHAT} from {path}: header says n = {n} qubits but the outcomes "
            "were written with "
            f"{meta['outcome_bits']} bits; the header was changed: re-create the file"
        )
    packed = _archive_array(path, arrays, "outcomes", 2)
    width = -(-n // 8)
    if packed.dtype != np.uint8 or packed.shape[1] != width:
        raise FileFormatError(
            f"cannot read {_WHAT} from {path}: outcomes are {packed.dtype} of shape "
            f"{packed.shape}, expected uint8 "
            f"(K, {width}) for the header's n = {n} qubits (8 per byte); the header does not "
            "match the data"
        )
    bits = np.unpackbits(packed, axis=1)
    if bits[:, n:].any():
        raise FileFormatError(
            f"cannot read {_WHAT} from {path}: outcomes hold bits beyond the header's n = {n} "
            "qubits; the header "
            "does not match the data (a qubit would be dropped)"
        )
    return n, window, bits[:, :n]


def _check_assignment(assignment, n: int) -> np.ndarray:
    a = np.asarray(assignment, dtype=np.float64)
    if a.shape != (n, 2, 2):
        raise ValueError(f"assignment matrices must have shape ({n}, 2, 2), got {a.shape}")
    if not np.all(np.isfinite(a)) or (a < 0).any() or not np.allclose(a.sum(axis=1), 1.0):
        raise ValueError("assignment matrices must be column-stochastic: A[k][:, true] sums to 1")
    det = a[:, 0, 0] * a[:, 1, 1] - a[:, 0, 1] * a[:, 1, 0]
    if np.min(np.abs(det)) < 1e-3:
        k = int(np.argmin(np.abs(det)))
        raise ValueError(f"assignment matrix of qubit {k} is (nearly) singular, det {det[k]:.2g}")
    return a
