"""The file formats of ttqst: ``.npz`` archives for states and data, JSON for reports; no pickle.

Archives
--------
Every archive is a compressed ``.npz`` (``numpy.savez_compressed``; read with
``allow_pickle=False``) holding named arrays plus ``meta``: a 0-d unicode array whose text is a
JSON object, the *header*. Header fields common to every archive:

- ``format`` (str): what the file is, one of :data:`ARCHIVE_KINDS`;
- ``version`` (int): the layout version of that format.

Readers check both and refuse anything else with a :class:`FileFormatError` (a ValueError)
that says what was found: a file of another kind (a measurement file given where a state is
expected), another version, or a corrupt or truncated file. Writers add ``.npz`` to a path
without that suffix and never replace an existing file unless asked (``overwrite=True``).

``format: "ttqst.PauliMPO"``, version 1 (:meth:`tomography.state.PauliMPO.save`)
    Header: ``n`` (int, qubits), ``log_scale`` (float, natural log of the scale the cores are
    multiplied by), ``truncation_error`` (float, from the simulator; 0 when exact).
    Arrays: ``core_0`` .. ``core_{n-1}``, float64 of shape ``(r[k], 4, r[k+1])`` (Pauli
    coefficients, axis 1 = I, X, Y, Z, ``r[0] = r[n] = 1``); optional ``readout``, float64
    ``(n, 2, 2)``, ``A[k][measured, true]`` (columns sum to 1).
``format: "ttqst.MeasurementData"``, version 1 (:meth:`tomography.measure.MeasurementData.save`)
    Header: ``n`` (int), ``window`` (int, the design's window w; the settings are the ``3^w``
    strings of :class:`tomography.measure.MeasurementDesign`). Arrays: ``outcomes``, uint8
    ``(K, ceil(n / 8))``, the outcome rows bit-packed along the qubit axis (``numpy.packbits``,
    qubit k = bit k, bit 1 = eigenvalue -1); ``counts``, int64 ``(K,)``; ``setting_index``,
    int64 ``(K,)`` (row -> setting); optional ``assignment``, float64 ``(n, 2, 2)``, readout
    assignment matrices used for mitigation.

The OpenQASM circuits and the counts JSON exchanged with other machines are described in
:mod:`tomography.exchange`.

Reports
-------
:func:`reconstruction_report` turns a :class:`tomography.reconstruct.Reconstruction` into a
JSON-ready dict, :func:`write_report` writes it and :func:`read_report` reads one back. Top
level fields:

- ``format`` (``"ttqst-report"``), ``version`` (:data:`REPORT_VERSION`), ``kind``
  (``"reconstruction"``), ``created`` (UTC, ISO 8601), ``ttqst_version``;
- ``inputs``: what the caller passes (file names, options);
- ``state``: ``n``, ``ranks``, ``max_rank``, ``trace_before_normalization``, ``purity``,
  ``log_purity``;
- ``method``, ``window``, ``settings``, ``total_shots``;
- ``cuts``: per cut ``cut``, ``singular_values``, ``noise_norm``, ``regularization``,
  ``rank_above_noise``, ``effective_condition``;
- ``bound``: ``value``, ``relative``, ``probability``, ``form``, ``consistent``, ``rigorous``,
  ``reason``, ``violations`` (or null);
- ``quality``: ``consistency``, ``edge_correlation``, ``negativity``, ``repair``,
  ``refinement``;
- ``warnings``: the warnings' texts; ``timings``: seconds by stage;
- ``comparison``: the :class:`tomography.metrics.Metrics` dict when a truth was given, else
  null;
- ``bootstrap``: the :class:`tomography.bootstrap.BootstrapResult` dict (per statistic its
  point, standard error, bias and intervals) when one was run, else null;
- ``uncertainty``: which number to quote: the bootstrap's bias-corrected interval of each
  statistic, when there is one; ``bound`` is an order-of-magnitude estimate of the
  reconstruction error ``||X - X_hat||_F``, not a confidence interval.

Non-finite floats are written as the strings ``"inf"``, ``"-inf"``, ``"nan"`` (strict
JSON has no such numbers); ``float()`` reads them back.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
import os
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from ttcross.validation import check_memory

__all__ = [
    "ARCHIVE_KINDS",
    "REPORT_FORMAT",
    "REPORT_VERSION",
    "FileFormatError",
    "archive_path",
    "header_int",
    "loads_strict_json",
    "read_archive",
    "read_report",
    "reconstruction_report",
    "to_jsonable",
    "write_archive",
    "write_report",
]

ARCHIVE_KINDS = {
    "ttqst.PauliMPO": "a ttqst state file",
    "ttqst.MeasurementData": "a ttqst measurement file",
}
"""Archive ``format`` names and the words messages use for them."""

REPORT_FORMAT = "ttqst-report"
"""``format`` field of JSON reports."""
REPORT_VERSION = 1
"""Layout version of JSON reports written by :func:`write_report`."""


class FileFormatError(ValueError):
    """A file is not what was expected: corrupt, truncated, of another kind or version."""


def archive_path(path: str | os.PathLike) -> Path:
    """The path :func:`write_archive` writes for ``path``: ``.npz`` appended when missing."""
    path = Path(path)
    return path if path.suffix == ".npz" else path.with_suffix(path.suffix + ".npz")


def _type_words(value: object) -> str:
    """``"'1' (a str)"``: a value and its JSON type, for messages about headers."""
    return f"{value!r} (a {type(value).__name__})"


def _check_version(path: Path, label: str, found: object, version: int) -> None:
    """The header's ``version`` must be the int ``version`` (not ``"1"``, ``1.0``, ``True``)."""
    if isinstance(found, bool) or not isinstance(found, int):
        raise FileFormatError(
            f"{path} has {label} version {_type_words(found)}, expected the integer "
            f"{version}; the file was not written by ttqst or was edited"
        )
    if found != version:
        hint = "upgrade ttqst to read it" if found > version else "re-create it with this ttqst"
        raise FileFormatError(
            f"{path} has {label} version {found}, this ttqst reads version {version}; {hint}"
        )


def header_int(path: str | os.PathLike, meta: dict, key: str, what: str, minimum: int = 0) -> int:
    """Header entry ``key`` as an int ``>= minimum``; FileFormatError naming file and entry.

    JSON ints only: ``3.0``, ``"3"``, ``true`` and missing entries are refused. ``what``
    names the file kind for the message (``"a ttqst state"``).
    """
    start = f"cannot read {what} from {path}: header entry {key!r}"
    if key not in meta:
        raise FileFormatError(f"{start} missing; re-create the file")
    value = meta[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise FileFormatError(f"{start} is {_type_words(value)}, expected an integer")
    if value < minimum:
        raise FileFormatError(f"{start} is {value}, expected >= {minimum}")
    return value


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number (strict JSON has no NaN or Infinity)")


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict:
    """``object_pairs_hook`` that refuses a key repeated in one JSON object."""
    seen: dict = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(
                f"key {key!r} appears twice in one JSON object (a JSON reader keeps only the "
                "last one); remove the duplicate"
            )
        seen[key] = value
    return seen


def loads_strict_json(text: str) -> Any:
    """``json.loads`` that refuses repeated keys in an object and NaN/Infinity literals.

    Raises
    ------
    ValueError
        Invalid JSON (``json.JSONDecodeError``), a repeated key or a non-finite literal, a
        number with more digits than Python reads.
    """
    return json.loads(text, object_pairs_hook=_unique_pairs, parse_constant=_reject_constant)


def _check_unpacked_size(path: Path, what: str) -> None:
    """Refuse an archive whose arrays would not fit in memory, from the zip directory."""
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (OSError, zipfile.BadZipFile, EOFError, ValueError):
        return  # np.load reports those below
    try:
        check_memory(total, f"reading {what} from {path}", "the file is not one ttqst wrote")
    except ValueError as exc:
        raise FileFormatError(str(exc)) from None


def write_archive(
    path: str | os.PathLike,
    kind: str,
    version: int,
    meta: dict,
    arrays: dict[str, np.ndarray],
    *,
    overwrite: bool = False,
) -> Path:
    """Write ``arrays`` and ``meta`` (plus format and version) to ``path`` (``.npz`` added).

    Returns
    -------
    pathlib.Path
        The path written (see :func:`archive_path`).

    Raises
    ------
    FileExistsError
        If the file exists and ``overwrite`` is False.
    """
    path = archive_path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    header = {"format": kind, "version": version, **meta}
    np.savez_compressed(path, meta=np.array(json.dumps(header)), **arrays)
    return path


def read_archive(
    path: str | os.PathLike, kind: str, version: int, what: str
) -> tuple[dict, dict[str, np.ndarray]]:
    """Read a file written by :func:`write_archive` for ``kind`` at ``version``.

    Parameters
    ----------
    path : path-like
    kind : str
        Expected ``format`` entry, e.g. ``"ttqst.PauliMPO"``.
    version : int
        The layout version this reader understands.
    what : str
        Words for messages, e.g. ``"a ttqst state"`` ("is not <what>").

    Returns
    -------
    meta : dict
    arrays : dict of str to ndarray

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    FileFormatError
        Not an ``.npz`` archive, truncated, no JSON ``meta``, another format or version.
    """
    path = Path(path)
    noun = what if what.endswith(" file") else f"{what} file"
    if not path.is_file():
        raise FileNotFoundError(f"no file at {path} (expected {noun})")
    _check_unpacked_size(path, what)
    try:
        # np.load raises ValueError on non-npy data, BadZipFile on a truncated archive and
        # returns a bare array (no context manager: TypeError) for an .npy file
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
        meta = loads_strict_json(str(arrays.pop("meta")))
        if not isinstance(meta, dict):
            raise TypeError(f"meta is {type(meta).__name__}, expected a JSON object")
    except (OSError, EOFError, KeyError, TypeError, ValueError, zipfile.BadZipFile) as exc:
        # np.load tries unknown bytes as a pickle and suggests allow_pickle: not for us
        detail = (
            "not an .npz archive, or holding pickled objects, which ttqst never reads"
            if "pickle" in str(exc)
            else f"{type(exc).__name__}: {exc}"
        )
        raise FileFormatError(
            f"cannot read {what} from {path}: not a file ttqst wrote, or corrupt or truncated "
            f"({detail})"
        ) from exc
    found = meta.get("format")
    if found != kind:
        known = isinstance(found, str) and found in ARCHIVE_KINDS
        actually = f"it is {ARCHIVE_KINDS[found]}, " if known else ""
        raise FileFormatError(
            f"{path} is not {noun}: {actually}format {found!r}, expected {kind!r}"
        )
    _check_version(path, f"{what} format", meta.get("version"), version)
    return meta, arrays


# ---------------------------------------------------------------------- reports
def to_jsonable(value: Any) -> Any:
    """``value`` with numpy scalars and arrays as Python numbers and lists, dataclasses and
    objects with ``to_dict()`` as dicts, tuples as lists and non-finite floats as the strings
    ``"inf"``, ``"-inf"``, ``"nan"``."""
    if hasattr(value, "to_dict") and callable(value.to_dict):
        return to_jsonable(value.to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else str(value)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"cannot write a {type(value).__name__} to a JSON report")


def _bound_dict(bound: Any) -> dict | None:
    if bound is None:
        return None
    return {
        "value": bound.value,
        "relative": bound.relative,
        "probability": bound.probability,
        "form": bound.form,
        "consistent": bound.consistent,
        "violations": list(bound.violations),
        "rigorous": bool(getattr(bound, "rigorous", True)),
        "reason": getattr(bound, "reason", ""),
    }


def _refinement_dict(refinement: Any) -> dict | None:
    if refinement is None:
        return None
    history = refinement.history
    return {
        "stop_reason": refinement.stop_reason,
        "iterations": refinement.iterations,
        "best_iteration": refinement.best_iteration,
        "n_train": refinement.n_train,
        "n_holdout": refinement.n_holdout,
        "loss": refinement.loss,
        "positive": bool(getattr(refinement, "positive", False)),
        "start_loss": list(history[0]) if history else None,
        "best_loss": list(history[refinement.best_iteration]) if history else None,
        "seconds": refinement.seconds,
    }


def _ttqst_version() -> str:
    try:
        return metadata.version("ttqst")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


def reconstruction_report(
    result: Any,
    *,
    refinement: Any = None,
    inputs: dict | None = None,
    timings: dict | None = None,
    comparison: Any = None,
    bootstrap: Any = None,
) -> dict:
    """A JSON-ready report of a :class:`tomography.reconstruct.Reconstruction`.

    Parameters
    ----------
    result : Reconstruction
        The cross estimate (first stage).
    refinement : Refinement, optional
        Its refinement on the same data (second stage): then ``"state"`` describes the
        refined state, ``"quality"`` holds the fit's summary and ``"bound"`` stays the cross
        estimate's.
    inputs : dict, optional
        What went in (file names, options); copied into ``"inputs"``.
    timings : dict, optional
        Extra timings in seconds (e.g. loading); ``"reconstruct"`` (``result.seconds``) and,
        with a refinement, ``"refine"`` are always included.
    comparison : Metrics or dict, optional
        Metrics against a known truth (:func:`tomography.metrics.compare`).
    bootstrap : BootstrapResult, optional
        Bootstrap intervals of statistics of the same estimate
        (:func:`tomography.bootstrap.bootstrap`).

    Returns
    -------
    dict
        The fields listed in the module docstring, ready for ``json.dumps(allow_nan=False)``.
    """
    state = result.state if refinement is None else refinement.state
    cuts = [
        {
            "cut": k,
            "singular_values": c.singular_values,
            "noise_norm": c.noise_norm,
            "regularization": c.regularization,
            "rank_above_noise": c.rank_above_noise,
            "effective_condition": c.effective_condition,
        }
        for k, c in enumerate(result.cuts)
    ]
    all_timings = {"reconstruct": result.seconds}
    if refinement is not None:
        all_timings["refine"] = refinement.seconds
    all_timings.update(timings or {})
    report = {
        "format": REPORT_FORMAT,
        "version": REPORT_VERSION,
        "kind": "reconstruction",
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "ttqst_version": _ttqst_version(),
        "inputs": dict(inputs or {}),
        "state": {
            "n": state.n,
            "ranks": list(state.bond_dims),
            "max_rank": max(state.bond_dims, default=1),
            "trace_before_normalization": result.trace_before_normalization,
            "purity": state.purity(),
            "log_purity": state.log_purity(),
        },
        "method": result.method,
        "window": result.window,
        "settings": result.settings,
        "total_shots": result.total_shots,
        "cuts": cuts,
        "bound": _bound_dict(result.bound),
        "quality": {
            "consistency": result.consistency,
            "edge_correlation": result.edge_correlation,
            "negativity": result.negativity,
            "repair": result.repair,
            "refinement": _refinement_dict(refinement),
        },
        "warnings": list(result.warnings),
        "timings": all_timings,
        "comparison": comparison,
        "bootstrap": None if bootstrap is None else bootstrap.to_dict(),
        "uncertainty": _UNCERTAINTY_NOTE["bootstrap" if bootstrap is not None else "bound"],
    }
    return to_jsonable(report)


_UNCERTAINTY_NOTE = {
    "bootstrap": "quote the bootstrap intervals (bootstrap.statistics[name]: percentile, "
    "bias_corrected, basic), not 'bound', an order-of-magnitude estimate of ||X - X_hat||_F; "
    "measured coverage (docs/limits.md): near 95% for local observables, far below for "
    "fidelities, whose estimate is biased low (basic interval of method='model' covers best)",
    "bound": "no bootstrap was run (--bootstrap R gives intervals to quote); 'bound' is an "
    "order-of-magnitude estimate of ||X - X_hat||_F, not a confidence interval",
}


def write_report(path: str | os.PathLike, report: dict, *, overwrite: bool = False) -> Path:
    """Write a report dict as indented JSON (strict: no NaN or infinity).

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is False.
    ValueError
        If ``report`` lacks ``format``/``version`` or holds values JSON cannot represent.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    if report.get("format") != REPORT_FORMAT or "version" not in report:
        raise ValueError(
            f"a report needs format {REPORT_FORMAT!r} and a version, got format "
            f"{report.get('format')!r}; build it with reconstruction_report()"
        )
    text = json.dumps(to_jsonable(report), indent=2, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def read_report(path: str | os.PathLike) -> dict:
    """Read a report written by :func:`write_report` (checks format and version).

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    FileFormatError
        Not JSON, not a ttqst report, or another report version.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no file at {path} (expected a ttqst report)")
    try:
        report = loads_strict_json(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise FileFormatError(f"cannot read a ttqst report from {path}: {exc}") from exc
    if not isinstance(report, dict) or report.get("format") != REPORT_FORMAT:
        found = report.get("format") if isinstance(report, dict) else type(report).__name__
        raise FileFormatError(
            f"{path} is not a ttqst report: format {found!r}, expected {REPORT_FORMAT!r}"
        )
    _check_version(path, "report", report.get("version"), REPORT_VERSION)
    _check_report_fields(path, report)
    return report


_REPORT_FIELDS = {
    "kind": str,
    "created": str,
    "inputs": dict,
    "state": dict,
    "method": str,
    "window": int,
    "settings": int,
    "cuts": list,
    "quality": dict,
    "warnings": list,
    "timings": dict,
}
"""Top-level report fields :func:`read_report` checks, with their JSON types."""


def _check_report_fields(path: Path, report: dict) -> None:
    """Every field of :data:`_REPORT_FIELDS` present with its type; ``state.n`` an int."""
    for key, kind in _REPORT_FIELDS.items():
        value = report.get(key)
        if key not in report or isinstance(value, bool) or not isinstance(value, kind):
            got = "missing" if key not in report else f"{_type_words(value)}"
            raise FileFormatError(
                f"{path}: report field {key!r} is {got}, expected a JSON "
                f"{_JSON_NAMES[kind]}; the file is not a complete ttqst report"
            )
    n = report["state"].get("n")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise FileFormatError(
            f"{path}: report field 'state.n' is {_type_words(n)}, expected an integer >= 1"
        )


_JSON_NAMES = {str: "string", int: "integer", dict: "object", list: "array"}
