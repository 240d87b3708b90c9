"""The result store of a sweep: a directory of Parquet rows, read back as one DataFrame.

Layout::

    STORE/sweep.json              {"format": "ttqst-sweep", "version": 1, "spec_hash", "spec"}
    STORE/rows/<run_id>.parquet   one row per finished run (ok or error)
    STORE/states/<run_id>.npz     the estimate, with save_states (tomography.io format)

Why Parquet (through pyarrow): it is columnar and typed (a float column stays float64, the
ranks a list of int64, nulls are nulls, not strings), it is what pandas, polars, DuckDB and
Spark read natively, and it needs no pickle. One small file per run makes each row durable
the moment its run ends: it is written to a temporary name and moved into place with
``os.replace`` (atomic on POSIX), so an interrupted sweep (Ctrl-C, a killed client) leaves
every finished row intact and never half a row; :func:`read_sweep` reads them all back as one
DataFrame. A row is written only by the client, never by a worker, so no row is written
twice.

A store remembers the spec it was made for (its canonical form and hash). Opening it with
another spec, or a ``sweep.json`` of another format or version, or a non-empty directory
without ``sweep.json``, is refused; ``overwrite=True`` starts a ttqst sweep store afresh
(it never deletes a directory that is not one).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from .spec import SweepSpec
from .task import ROW_COLUMNS

__all__ = ["STORE_FORMAT", "STORE_VERSION", "SweepStore", "StoreError", "read_sweep"]

STORE_FORMAT = "ttqst-sweep"
"""``format`` of ``sweep.json``."""
STORE_VERSION = 1
"""``version`` of ``sweep.json`` and the row layout."""

_INSTALL_HINT = 'sweeps need dask, pyarrow and pandas: pip install "ttqst[sweep]"'


class StoreError(ValueError):
    """A store that belongs to something else (another spec, format or version)."""


def _pyarrow():
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(_INSTALL_HINT) from exc
    return pa, pq


def _schema():
    pa, _ = _pyarrow()
    types = {
        "string": pa.string(),
        "int64": pa.int64(),
        "float64": pa.float64(),
        "list<int64>": pa.list_(pa.int64()),
    }
    return pa.schema([(name, types[kind]) for name, kind in ROW_COLUMNS.items()])


def _read_header(path: Path) -> dict:
    header_path = path / "sweep.json"
    try:
        header = json.loads(header_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise StoreError(f"{header_path}: not a readable ttqst sweep header ({exc})") from None
    if not isinstance(header, dict) or header.get("format") != STORE_FORMAT:
        found = header.get("format") if isinstance(header, dict) else header
        raise StoreError(
            f"{path} is not a ttqst sweep store (sweep.json format {found!r}, expected "
            f"{STORE_FORMAT!r}); choose another directory"
        )
    return header


class SweepStore:
    """An opened store directory (see the module docstring); made by :meth:`open`.

    Attributes
    ----------
    path : Path
    rows, states : Path
        The row and state folders.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self.rows = self.path / "rows"
        self.states = self.path / "states"

    @classmethod
    def open(cls, path: str | os.PathLike, spec: SweepSpec, *, overwrite: bool = False):
        """Open (or create) the store at ``path`` for ``spec``.

        Raises
        ------
        StoreError
            ``path`` holds another spec's sweep, another format or version, or files that
            are not a sweep store.
        """
        store = cls(Path(path))
        if store.path.exists() and not store.path.is_dir():
            raise StoreError(f"{store.path} is a file, expected a directory for the store")
        if (store.path / "sweep.json").exists():
            store._check_header(spec, overwrite)
        elif store.path.is_dir() and any(store.path.iterdir()):
            raise StoreError(
                f"{store.path} is not empty and has no sweep.json: not a ttqst sweep store; "
                "choose a new or empty directory"
            )
        store.rows.mkdir(parents=True, exist_ok=True)
        header = {
            "format": STORE_FORMAT,
            "version": STORE_VERSION,
            "spec_hash": spec.hash,
            "spec": spec.canonical,
        }
        _write_atomic(store.path / "sweep.json", json.dumps(header, indent=2).encode())
        return store

    def _check_header(self, spec: SweepSpec, overwrite: bool) -> None:
        header = _read_header(self.path)
        if overwrite:
            for folder in (self.rows, self.states):
                shutil.rmtree(folder, ignore_errors=True)
            return
        if header.get("version") != STORE_VERSION:
            raise StoreError(
                f"{self.path}: sweep store version {header.get('version')!r}, this ttqst "
                f"reads version {STORE_VERSION}; use another directory (or overwrite it)"
            )
        if header.get("spec_hash") != spec.hash:
            raise StoreError(
                f"{self.path} holds another sweep (spec hash {header.get('spec_hash')}, "
                f"this spec {spec.hash}); use another directory, or overwrite it "
                "(--force) to start afresh"
            )

    def finished(self, *, include_errors: bool = True) -> set[str]:
        """Run ids with a row file (with ``include_errors=False``: only ``"ok"`` rows)."""
        ids = {p.stem for p in self.rows.glob("*.parquet")}
        if include_errors or not ids:
            return ids
        _, pq = _pyarrow()
        ok = set()
        for run_id in ids:
            status = pq.read_table(self.rows / f"{run_id}.parquet", columns=["status"])
            if status.column("status").to_pylist() == ["ok"]:
                ok.add(run_id)
        return ok

    def write_row(self, row: dict[str, Any]) -> Path:
        """Write one row atomically as ``rows/<run_id>.parquet``; returns its path."""
        pa, pq = _pyarrow()
        table = pa.Table.from_pylist([row], schema=_schema())
        path = self.rows / f"{row['run_id']}.parquet"
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        pq.write_table(table, temporary)
        os.replace(temporary, path)
        return path

    def write_state(self, run_id: str, state) -> Path:
        """Write the estimate of a run as ``states/<run_id>.npz`` (replaced if present)."""
        self.states.mkdir(exist_ok=True)
        path = self.states / f"{run_id}.npz"
        temporary = self.states / f".{run_id}.{os.getpid()}.tmp.npz"
        state.save(temporary, overwrite=True)
        os.replace(temporary, path)
        return path


def _write_atomic(path: Path, content: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(content)
    os.replace(temporary, path)


def read_sweep(store: str | os.PathLike):
    """Every row of a sweep store as one DataFrame, sorted by run order.

    Parameters
    ----------
    store : path-like
        A store directory written by :func:`tomography.sweep.run_sweep`.

    Returns
    -------
    pandas.DataFrame
        One row per finished run, the columns of
        :data:`tomography.sweep.task.ROW_COLUMNS` (``status`` tells ok from error rows);
        ``df.attrs["spec"]`` is the spec the store was made for.

    Raises
    ------
    StoreError
        ``store`` is not a ttqst sweep store.
    """
    pa, pq = _pyarrow()
    path = Path(store)
    header = _read_header(path)
    files = sorted((path / "rows").glob("*.parquet"))
    tables = [pq.read_table(f, schema=_schema()) for f in files]
    table = pa.concat_tables(tables) if tables else _schema().empty_table()
    frame = table.to_pandas().sort_values("index", kind="stable").reset_index(drop=True)
    frame.attrs["spec"] = header.get("spec")
    return frame
