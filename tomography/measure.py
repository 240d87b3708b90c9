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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from qiskit import QuantumCircuit

from ttcross.validation import check_int

from .histograms import (
    apply_assignment,
    outcome_masks,
    walsh_hadamard,
    window_histograms,
    window_strings,
)
from .io import read_archive, write_archive
from .pauli import bitstrings_to_bits, parse_pauli_string

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

_BASES = "XYZ"


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
        self.shots = np.bincount(
            self.setting_index, weights=self.counts, minlength=design.n_settings
        ).astype(np.int64)
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
        if isinstance(counts, Mapping):
            raise TypeError("`counts` must be a list of dicts, one per setting, not one dict")
        counts = list(counts)
        if len(counts) != design.n_settings:
            raise ValueError(
                f"counts for {len(counts)} settings, expected {design.n_settings} "
                f"(3^{design.window}) in the order of design.settings"
            )
        keys, weights, index = [], [], []
        for s, table in enumerate(counts):
            for key, value in table.items():
                if not isinstance(key, str) or len(key) != design.n or set(key) - {"0", "1"}:
                    raise ValueError(
                        f"setting {s}: outcome {key!r} is not a bitstring of {design.n} bits "
                        "(Qiskit order, qubit 0 right-most)"
                    )
                if isinstance(value, bool) or not float(value).is_integer() or value < 0:
                    raise ValueError(f"setting {s}: count {value!r} for {key!r} is not a count")
                keys.append(key)
                weights.append(int(value))
                index.append(s)
        outcomes = bitstrings_to_bits(keys, design.n)
        return cls(design, outcomes, np.array(weights), np.array(index))

    @classmethod
    def from_sampler_result(cls, design: MeasurementDesign, result) -> MeasurementData:
        """From a SamplerV2 ``PrimitiveResult`` of ``design.circuits(...)`` (one pub each)."""
        results = list(result)
        if len(results) != design.n_settings:
            raise ValueError(
                f"sampler result has {len(results)} pub results, expected {design.n_settings}"
            )
        counts = []
        for s, pub in enumerate(results):
            fields = list(pub.data.keys())
            if len(fields) != 1:
                raise ValueError(
                    f"pub {s} has classical registers {fields}; expected exactly one "
                    "(use MeasurementDesign.circuits, which measures into 'meas')"
                )
            counts.append(getattr(pub.data, fields[0]).get_counts())
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
        meta = {"n": self.n, "window": self.design.window}
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
        ValueError
            If the file is not one :meth:`save` wrote (not an ``.npz`` archive, truncated,
            entries missing) or has another format version.
        """
        meta, arrays = read_archive(
            path, _DATA_KIND, DATA_FORMAT_VERSION, "a ttqst measurement file"
        )
        try:
            n, window = int(meta["n"]), int(meta["window"])
            outcomes = np.unpackbits(arrays["outcomes"], axis=1, count=n)
            rows = (outcomes, arrays["counts"], arrays["setting_index"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(
                f"cannot read a ttqst measurement file from {path}: entry {exc} missing or invalid"
            ) from exc
        return cls(MeasurementDesign(n, window), *rows, assignment=arrays.get("assignment"))


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


def readout_calibration_circuits(n: int) -> list[QuantumCircuit]:
    """Two circuits preparing ``|0..0>`` and ``|1..1>`` then measuring all qubits."""
    n = check_int(n, "n", minimum=1)
    zeros = QuantumCircuit(n, name="readout_cal_0")
    zeros.measure_all()
    ones = QuantumCircuit(n, name="readout_cal_1")
    ones.x(range(n))
    ones.measure_all()
    return [zeros, ones]


def assignment_from_calibration(
    counts_zeros: Mapping[str, int], counts_ones: Mapping[str, int]
) -> np.ndarray:
    """Per-qubit assignment matrices ``A[k][measured, true]`` (n, 2, 2) from the counts of
    :func:`readout_calibration_circuits` (Qiskit bitstrings, qubit 0 right-most)."""
    columns = []
    for table in (counts_zeros, counts_ones):
        keys = list(table)
        n = len(keys[0]) if keys else 0
        if not keys or any(len(k) != n or set(k) - {"0", "1"} for k in keys):
            raise ValueError("calibration counts must be non-empty bitstring -> count dicts")
        bits = bitstrings_to_bits(keys, n)
        weights = np.array([table[k] for k in keys], dtype=float)
        columns.append(weights @ bits / weights.sum())  # P(measured 1 | true) per qubit
    p1_given_0, p1_given_1 = columns
    if p1_given_0.shape != p1_given_1.shape:
        raise ValueError("the two calibration runs have different qubit counts")
    a = np.empty((len(p1_given_0), 2, 2))
    a[:, 0, 0], a[:, 1, 0] = 1 - p1_given_0, p1_given_0
    a[:, 0, 1], a[:, 1, 1] = 1 - p1_given_1, p1_given_1
    return a


# ---------------------------------------------------------------------- kernels
def _binomial_variance(mean: np.ndarray, shots: np.ndarray) -> np.ndarray:
    """``(1 - x^2) / N`` with ``1 - x^2`` floored at ``1 / N`` (no zero variances)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.maximum(1.0 - np.clip(mean, -1.0, 1.0) ** 2, 1.0 / shots)
        return spread / shots


def _check_outcomes(design, outcomes, counts, setting_index):
    outcomes = np.asarray(outcomes)
    counts = np.asarray(counts)
    setting_index = np.asarray(setting_index)
    if outcomes.ndim != 2 or outcomes.shape[1] != design.n:
        raise ValueError(
            f"outcomes must have shape (K, {design.n}) for {design.n} qubits, got {outcomes.shape}"
        )
    if counts.shape != (outcomes.shape[0],) or setting_index.shape != (outcomes.shape[0],):
        raise ValueError(
            f"counts {counts.shape} and setting_index {setting_index.shape} must both have "
            f"shape ({outcomes.shape[0]},), one per outcome row"
        )
    if outcomes.size and (outcomes.max() > 1):
        raise ValueError("outcomes must be bits (0 or 1)")
    if counts.size and (not np.all(np.isfinite(counts)) or counts.min() < 0):
        raise ValueError("counts must be finite and non-negative")
    if setting_index.size and (setting_index.min() < 0 or setting_index.max() >= design.n_settings):
        raise ValueError(f"setting_index must lie in 0..{design.n_settings - 1}")
    return (
        outcomes.astype(np.uint8),
        counts.astype(np.int64),
        setting_index.astype(np.int64),
    )


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
