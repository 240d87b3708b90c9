"""Circuits out, counts in: OpenQASM files and counts JSON, to measure on other machines.

- :func:`load_qasm` reads a state-preparation circuit from an OpenQASM 2 or 3 file;
- :func:`export_measurement_circuits` writes the ``3^w`` measurement circuits of a
  :class:`~tomography.measure.MeasurementDesign` as OpenQASM files plus a JSON manifest;
- :func:`load_counts` reads their counts back from one JSON file into
  :class:`~tomography.measure.MeasurementData`.

Manifest (``manifest.json``, ``format: "ttqst-circuits"``, version 1): ``n``, ``window``,
``n_settings``, ``design`` (text), ``qasm_version``, ``circuit`` (text), ``bit_order``,
``bases``, ``counts_layout`` (text) and ``settings``: a list of ``{"index", "setting",
"file"}`` in the design's order.

Counts file: one JSON object; each key a setting string (character k is the basis ``X``, ``Y``
or ``Z`` of qubit k, as in the manifest), each value an object mapping bitstrings to counts in
Qiskit bit order (qubit 0 is the right-most character; ``0`` = +1 and ``1`` = -1 eigenvalue),
e.g. ``{"XXX": {"000": 510, "011": 490}, "XXY": {...}, ...}``. Every setting of the design must
be present.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import sys
import warnings
from collections.abc import Mapping
from pathlib import Path

from qiskit import QuantumCircuit

from ttcross.validation import check_int

from .io import loads_strict_json
from .measure import MeasurementData, MeasurementDesign

__all__ = [
    "COUNTS_LAYOUT",
    "MANIFEST_FORMAT",
    "MANIFEST_NAME",
    "MANIFEST_VERSION",
    "export_measurement_circuits",
    "load_counts",
    "load_qasm",
    "standard_gates",
]

MANIFEST_NAME = "manifest.json"
"""File name of the manifest written by :func:`export_measurement_circuits`."""
MANIFEST_FORMAT = "ttqst-circuits"
MANIFEST_VERSION = 1
COUNTS_LAYOUT = (
    "one JSON object: each key is a setting string, character k the basis (X, Y or Z) of "
    "qubit k, as listed in the manifest; each value an object mapping bitstrings to counts in "
    "Qiskit order (qubit 0 is the right-most character; 0 = +1 eigenvalue, 1 = -1 eigenvalue). "
    "Every setting of the design must be present."
)
"""The layout of a counts file, in words (copied into the manifest)."""

_NOT_GATES = frozenset({"barrier", "measure", "reset", "delay"})


def load_qasm(path: str | os.PathLike) -> QuantumCircuit:
    """A state-preparation circuit from an OpenQASM 2 or 3 file.

    The version comes from the ``OPENQASM 2.0;`` / ``OPENQASM 3.0;`` header. OpenQASM 2 is
    read by ``qiskit.qasm2.loads`` with Qiskit's legacy gate set (so ``u``, ``rzz``, ...
    exported by Qiskit load back); OpenQASM 3 by ``qiskit.qasm3.loads`` when the
    ``qiskit-qasm3-import`` package is installed, else by Qiskit's native (experimental)
    importer, which knows the ``stdgates.inc`` gates only. Final measurements are dropped,
    and gates outside Qiskit's standard gate set are replaced by their definitions
    (:func:`standard_gates`).

    Parameters
    ----------
    path : path-like

    Returns
    -------
    qiskit.QuantumCircuit
        No classical bits; qubit k of the line is the file's k-th qubit.

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    ValueError
        No OpenQASM 2/3 header, a file that does not parse (the parser's message, with the
        path), no qubits, or measurements before the last gates.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no file at {path} (expected an OpenQASM 2 or 3 file)")
    text = path.read_text(encoding="utf-8", errors="replace")
    header = re.search(r"^\s*OPENQASM\s+(\d+)", re.sub(r"//[^\n]*", "", text), re.M)
    if header is None or header.group(1) not in ("2", "3"):
        raise ValueError(
            f"{path} is not an OpenQASM 2 or 3 file: expected a header 'OPENQASM 2.0;' or "
            "'OPENQASM 3.0;'"
        )
    version = header.group(1)
    printed = io.StringIO()  # the OpenQASM 3 parser prints its syntax errors on stderr
    try:
        with contextlib.redirect_stderr(printed):
            circuit = _parse_qasm(text, version, (str(path.parent),))
    except Exception as exc:  # each parser has its own exception classes, none a ValueError
        words = " ".join(str(exc).split())
        said = " ".join(printed.getvalue().split())
        message = "; ".join(x for x in (words, said) if x) or "no detail given"
        raise ValueError(
            f"cannot parse {path} as OpenQASM {version} ({type(exc).__name__}): {message}"
        ) from exc
    sys.stderr.write(printed.getvalue())
    if circuit.num_qubits == 0:
        raise ValueError(f"{path} declares no qubits: expected a state preparation on n >= 1")
    circuit = circuit.remove_final_measurements(inplace=False)
    if circuit.num_clbits:
        raise ValueError(
            f"{path} measures or uses classical bits before its last gates; ttqst takes the "
            "state preparation only (final measurements are fine)"
        )
    return standard_gates(circuit)


def _parse_qasm(text: str, version: str, include_path: tuple[str, ...]) -> QuantumCircuit:
    """Qiskit's OpenQASM 2 or 3 reader (see :func:`load_qasm`)."""
    from qiskit import qasm2, qasm3
    from qiskit.exceptions import MissingOptionalLibraryError

    if version == "2":
        return qasm2.loads(
            text, include_path=include_path, custom_instructions=qasm2.LEGACY_CUSTOM_INSTRUCTIONS
        )
    try:
        return qasm3.loads(text)
    except MissingOptionalLibraryError:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ExperimentalWarning of the native importer
            return qasm3.loads_experimental(text, include_path=include_path)


def standard_gates(circuit: QuantumCircuit) -> QuantumCircuit:
    """``circuit`` with every gate outside Qiskit's standard gate set (custom gates, the Haar
    ``unitary`` gates of :func:`tomography.circuits.brickwork`) replaced by its definition,
    repeatedly, so that any OpenQASM reader and simulator can run it.

    Raises
    ------
    ValueError
        A gate without a definition in standard gates.
    """
    from qiskit.circuit.library import get_standard_gate_name_mapping

    standard = set(get_standard_gate_name_mapping()) | _NOT_GATES
    other: set[str] = set()
    for _ in range(20):
        other = {i.operation.name for i in circuit.data if i.operation.name not in standard}
        if not other:
            return circuit
        circuit = circuit.decompose(gates_to_decompose=sorted(other))
    raise ValueError(f"gates {sorted(other)} do not decompose into standard gates")


def export_measurement_circuits(
    circuit: QuantumCircuit,
    design: MeasurementDesign,
    folder: str | os.PathLike,
    *,
    qasm_version: int = 2,
    description: str = "",
    overwrite: bool = False,
) -> Path:
    """Write the measurement circuits of ``design`` as OpenQASM files and a manifest.

    Files ``setting_0000.qasm``, ... (one per setting, in the design's order; at least four
    digits) hold ``design.circuits(standard_gates(circuit))``: the preparation, the basis
    rotations and a measurement of qubit k into clbit k of the register ``meas``.

    Parameters
    ----------
    circuit : qiskit.QuantumCircuit
        The state preparation, no measurements.
    design : MeasurementDesign
    folder : path-like
        Created if missing (its parent must exist).
    qasm_version : {2, 3}, default=2
    description : str, default=""
        Words for the manifest's ``circuit`` field.
    overwrite : bool, default=False
        Replace existing files; also removes ``setting_*.qasm`` files of an earlier export that
        this one does not write.

    Returns
    -------
    pathlib.Path
        The manifest's path.

    Raises
    ------
    FileExistsError
        A file to write exists and ``overwrite`` is False (nothing is written then).
    FileNotFoundError
        The parent of ``folder`` does not exist.
    ValueError
        ``qasm_version`` not 2 or 3; a circuit the design rejects.
    """
    from qiskit import qasm2, qasm3

    if qasm_version not in (2, 3):
        raise ValueError(f"qasm_version == {qasm_version!r}, expected 2 or 3")
    folder = Path(folder)
    measured = design.circuits(standard_gates(circuit))
    digits = max(4, len(str(design.n_settings - 1)))
    names = [f"setting_{i:0{digits}d}.qasm" for i in range(design.n_settings)]
    clash = [folder / f for f in [MANIFEST_NAME, *names] if (folder / f).exists()]
    if clash and not overwrite:
        raise FileExistsError(
            f"{clash[0]} exists ({len(clash)} of the files to write); pass overwrite=True "
            "(--force) to replace them"
        )
    if not folder.parent.is_dir():
        raise FileNotFoundError(f"directory {folder.parent} does not exist (for {folder})")
    folder.mkdir(exist_ok=True)
    if overwrite:
        for stale in set(folder.glob("setting_*.qasm")) - {folder / f for f in names}:
            stale.unlink()
    dumps = qasm2.dumps if qasm_version == 2 else qasm3.dumps
    for name, qc in zip(names, measured, strict=True):
        (folder / name).write_text(dumps(qc) + "\n", encoding="utf-8")
    manifest = {
        "format": MANIFEST_FORMAT,
        "version": MANIFEST_VERSION,
        "n": design.n,
        "window": design.window,
        "n_settings": design.n_settings,
        "design": (
            f"MeasurementDesign(n={design.n}, window={design.window}): one setting per string "
            f"in {{X,Y,Z}}^{design.window}, qubit j measured in the basis of letter j mod "
            f"{design.window}"
        ),
        "qasm_version": qasm_version,
        "circuit": description,
        "bit_order": (
            "qubit k is measured into clbit k of the register 'meas'; in Qiskit bitstrings "
            "qubit 0 is the right-most character; 0 = +1 and 1 = -1 eigenvalue"
        ),
        "bases": "setting character k is the basis of qubit k: X (h), Y (sdg, h), Z (none)",
        "counts_layout": COUNTS_LAYOUT,
        "import": f"ttqst measure --from-counts counts.json --window {design.window} -o data.npz",
        "settings": [
            {"index": i, "setting": s, "file": f}
            for i, (s, f) in enumerate(zip(design.settings, names, strict=True))
        ],
    }
    path = folder / MANIFEST_NAME
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return path


def load_counts(
    source: str | os.PathLike | Mapping[str, Mapping[str, int]], *, window: int | None = None
) -> MeasurementData:
    """Measurement data from counts per setting (the layout in the module docstring).

    Parameters
    ----------
    source : path-like or mapping
        A counts JSON file, or the same object already loaded.
    window : int, optional
        The design's window; default: from the number of settings (``3^w``).

    Returns
    -------
    MeasurementData

    Raises
    ------
    FileNotFoundError
        No file at ``source``.
    ValueError
        Not JSON (or strict JSON: a key repeated in one object, be it a setting or a
        bitstring, NaN or Infinity), not the layout, settings missing or foreign, an outcome
        key that is not a bitstring of n bits, a count that is not a count (see
        :meth:`MeasurementData.from_counts`).
    TypeError
        ``source`` neither a path nor a mapping.
    """
    table, name = _read_counts_source(source)
    design = _counts_design(table, name, window)
    try:
        return MeasurementData.from_counts(design, [table[s] for s in design.settings])
    except ValueError as exc:  # name the file and the setting string, not only its index
        message = re.sub(
            r"setting (\d+)", lambda m: f"setting {design.settings[int(m[1])]!r}", str(exc)
        )
        raise ValueError(f"{name}: {message}") from exc


def _settings_length(table: object, name: str) -> int:
    """n: the common length of the setting keys of a counts object, its layout checked."""
    if not isinstance(table, Mapping) or not table:
        raise ValueError(f"{name}: expected a non-empty object {{setting: {{bitstring: count}}}}")
    bad = next((k for k, v in table.items() if not isinstance(v, Mapping)), None)
    if bad is not None:
        raise ValueError(
            f"{name}: setting {bad!r} maps to {table[bad]!r:.60}; every value must be an "
            "object {bitstring: count}"
        )
    key = next((k for k in table if not (isinstance(k, str) and k)), None)
    if key is not None:
        raise ValueError(f"{name}: setting key {key!r} is not a string over XYZ")
    lengths = {len(k) for k in table}
    if len(lengths) != 1:
        raise ValueError(f"{name}: setting strings of different lengths {sorted(lengths)}")
    return lengths.pop()


def _counts_design(table: object, name: str, window: int | None) -> MeasurementDesign:
    """The design whose settings are exactly the keys of ``table``."""
    n = _settings_length(table, name)
    if window is not None:
        window = check_int(window, "window", minimum=1)
    else:
        window = round(math.log(len(table), 3))
        if window < 1 or 3**window != len(table):
            raise ValueError(
                f"{name} has {len(table)} setting(s), not a power of 3 >= 3: a design of "
                "window w has 3^w settings (3, 9, 27, 81, 243, ...); give the counts of every "
                "setting"
            )
    try:
        design = MeasurementDesign(n, window)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from exc
    extra = sorted(set(table) - set(design.settings))
    if extra:
        raise ValueError(
            f"{name}: setting {extra[0]!r} is not in the window-{window} design on {n} qubits "
            f"({len(extra)} such); settings are strings over XYZ, character k for qubit k"
        )
    missing = [s for s in design.settings if s not in table]
    if missing:
        raise ValueError(
            f"{name}: setting {missing[0]!r} missing: expected {design.n_settings} "
            f"(3^{window}), got {len(table)}"
        )
    return design


def _read_counts_source(source: object) -> tuple[object, str]:
    """The counts object of :func:`load_counts` and a name for messages."""
    if isinstance(source, Mapping):
        return source, "counts"
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(
            f"`source` must be a path to a counts JSON file or a dict, got {type(source).__name__}"
        )
    path = Path(source)
    if not path.is_file():
        raise FileNotFoundError(f"no file at {path} (expected a counts JSON file)")
    try:
        return loads_strict_json(path.read_text(encoding="utf-8")), str(path)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not a JSON file: {exc}") from exc
    except ValueError as exc:  # a repeated key, NaN, a number too long to read
        raise ValueError(f"{path} is not valid counts JSON: {exc}") from exc
