"""The one file format of ttqst: a compressed ``.npz`` archive, never pickle.

Every file holds named arrays plus ``meta``, a JSON object with at least ``format`` (what the
file is, e.g. ``"ttqst.PauliMPO"``) and ``version`` (of that format's layout). Readers check
both and refuse anything else with a ValueError that says what was found; writers never
replace an existing file unless asked.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import numpy as np

__all__ = ["write_archive", "read_archive"]


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

    Raises
    ------
    FileExistsError
        If the file exists and ``overwrite`` is False.
    """
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_suffix(path.suffix + ".npz")
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
    ValueError
        Not an ``.npz`` archive, truncated, no JSON ``meta``, another format or version.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no file at {path} (expected {what})")
    try:
        # np.load raises ValueError on non-npy data, BadZipFile on a truncated archive and
        # returns a bare array (no context manager: TypeError) for an .npy file
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
        meta = json.loads(str(arrays.pop("meta")))
        if not isinstance(meta, dict):
            raise TypeError(f"meta is {type(meta).__name__}, expected a JSON object")
    except (OSError, EOFError, KeyError, TypeError, ValueError, zipfile.BadZipFile) as exc:
        raise ValueError(
            f"cannot read {what} from {path}: not a file ttqst wrote ({type(exc).__name__}: {exc})"
        ) from exc
    if meta.get("format") != kind:
        raise ValueError(
            f"{path} is not {what} file (format {meta.get('format')!r}, expected {kind!r})"
        )
    if meta.get("version") != version:
        raise ValueError(
            f"{path} has {what} format version {meta.get('version')}, this ttqst reads "
            f"version {version}"
        )
    return meta, arrays
