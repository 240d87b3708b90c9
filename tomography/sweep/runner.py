"""Running a sweep: serially in this process, on a local Dask cluster, or on any Dask cluster.

Execution:

- ``workers=0``: every run in this process, one after the other (debugging, tiny sweeps);
- ``client=``: an existing ``dask.distributed.Client`` (a cluster started by hand with
  ``dask scheduler`` / ``dask worker``, dask-jobqueue's ``SLURMCluster``, dask-kubernetes...);
- otherwise :func:`local_cluster`: a ``LocalCluster`` of ``workers`` processes (default: the
  CPU count), one thread each, BLAS single-threaded, started and closed by :func:`run_sweep`.

Each run is one task, :func:`tomography.sweep.task.run_task`, submitted with ``pure=False``
and a key made of its ``run_id``; the client collects them with
``distributed.as_completed`` and writes each row the moment it arrives (workers never
write). A run that raises is an error row; a worker that dies mid-run has its tasks
rescheduled by Dask, at most ``retries`` times per task (the scheduler's
``distributed.scheduler.allowed-failures``; set here for a local cluster, the scheduler's own
setting for an external one), after which the run is recorded as an error
(``KilledWorker``) and the sweep goes on.
"""

from __future__ import annotations

import contextlib
import os
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .spec import Run, SweepSpec, load_spec
from .store import SweepStore
from .task import base_row, run_task

__all__ = ["SweepResult", "local_cluster", "run_sweep"]

_INSTALL_HINT = 'sweeps need dask, pyarrow and pandas: pip install "ttqst[sweep]"'
_SINGLE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass(frozen=True)
class SweepResult:
    """What :func:`run_sweep` did.

    Attributes
    ----------
    total : int
        Runs in the spec.
    done : int
        Runs finished now with status ``"ok"``.
    failed : int
        Runs finished now with status ``"error"``.
    skipped : int
        Runs already in the store (not run again).
    store : Path
    seconds : float
        Wall time of the call.
    """

    total: int
    done: int
    failed: int
    skipped: int
    store: Path
    seconds: float


def _distributed():
    try:
        import distributed
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(_INSTALL_HINT) from exc
    return distributed


@contextlib.contextmanager
def local_cluster(workers: int | None = None, *, retries: int = 2) -> Iterator[Any]:
    """A ``dask.distributed.Client`` on a new ``LocalCluster``, closed on exit.

    Parameters
    ----------
    workers : int or None, default=None
        Worker processes (default: ``os.cpu_count()``), one thread each, with
        ``OMP_NUM_THREADS = OPENBLAS_NUM_THREADS = MKL_NUM_THREADS = 1`` and without the
        ``MALLOC_TRIM_THRESHOLD_`` Dask sets by default (it made each run ~35% slower than
        in a plain process).
    retries : int, default=2
        ``distributed.scheduler.allowed-failures``: how often a task may be lost with its
        worker before it is given up (``KilledWorker``).

    Yields
    ------
    distributed.Client
    """
    import dask

    distributed = _distributed()
    workers = workers or os.cpu_count() or 1
    settings = {
        "distributed.scheduler.allowed-failures": int(retries),
        # Dask's default also sets MALLOC_TRIM_THRESHOLD_, which makes the pipeline's many
        # large temporary arrays ~35% slower (measured); only the thread caps are kept
        "distributed.nanny.pre-spawn-environ": dict(_SINGLE_THREAD),
    }
    with dask.config.set(settings):
        cluster = distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",  # a local cluster listens on the loopback only
            dashboard_address="127.0.0.1:0",
            env=dict(_SINGLE_THREAD),
        )
        try:
            with distributed.Client(cluster) as client:
                yield client
        finally:
            cluster.close()


def run_sweep(
    spec: SweepSpec | Mapping | str | os.PathLike,
    store: str | os.PathLike,
    *,
    client: Any = None,
    workers: int | None = None,
    retries: int = 2,
    retry_failed: bool = False,
    save_states: bool = False,
    overwrite: bool = False,
    progress: Callable[[int, int], object] | None = None,
) -> SweepResult:
    """Run every run of a sweep spec that the store does not hold yet.

    Parameters
    ----------
    spec : SweepSpec, dict or path-like
        See :func:`tomography.sweep.spec.load_spec`.
    store : path-like
        Store directory (created when missing; layout in :mod:`tomography.sweep.store`).
        Re-running the same spec on it resumes: runs with a row are skipped.
    client : distributed.Client, optional
        Run on this cluster (left open).
    workers : int or None, default=None
        Without ``client``: 0 runs serially in this process; otherwise a local cluster of
        this many worker processes (default: the CPU count; a script doing this needs an
        ``if __name__ == "__main__":`` guard, the workers being spawned processes).
    retries : int, default=2
        Times a run may be lost with a dying worker before it is recorded as an error (local
        cluster only; an external scheduler uses its own ``allowed-failures``).
    retry_failed : bool, default=False
        Run again the runs whose row is an error row.
    save_states : bool, default=False
        Also write each estimate as ``states/<run_id>.npz``.
    overwrite : bool, default=False
        Start a store of another spec afresh (its rows are deleted) instead of refusing it.
    progress : callable(done, total), optional
        Called after each finished run (``done`` counts skipped runs too). If it also has a
        method ``status(failed, running)``, that is called just before (failed runs so far,
        runs submitted and not finished).

    Returns
    -------
    SweepResult

    Raises
    ------
    tomography.sweep.spec.SpecError, tomography.sweep.store.StoreError
        An invalid spec, or a store made for something else (both ValueErrors).
    ImportError
        dask, pyarrow or pandas missing (``pip install "ttqst[sweep]"``).
    """
    started = time.perf_counter()
    spec = load_spec(spec)
    opened = SweepStore.open(store, spec, overwrite=overwrite)
    runs = spec.expand()
    finished = opened.finished(include_errors=not retry_failed)
    pending = [r for r in runs if r.run_id not in finished]
    tally = _Tally(opened, len(runs), len(runs) - len(pending), save_states, progress)
    tally.report()
    if pending and client is not None:
        _run_distributed(pending, client, tally)
    elif pending and workers == 0:
        _run_serial(pending, tally)
    elif pending:
        with local_cluster(workers, retries=retries) as local:
            _run_distributed(pending, local, tally)
    return SweepResult(
        total=len(runs),
        done=tally.ok,
        failed=tally.failed,
        skipped=tally.skipped,
        store=opened.path,
        seconds=time.perf_counter() - started,
    )


class _Tally:
    """Writes each arriving result and keeps the counts for ``progress``."""

    def __init__(self, store: SweepStore, total: int, skipped: int, save_states: bool, progress):
        self.store, self.total, self.skipped = store, total, skipped
        self.save_states, self.progress = save_states, progress
        self.ok = self.failed = self.running = 0

    def keep(self, result: dict) -> None:
        row = result["row"]
        if self.save_states and result.get("state") is not None:
            self.store.write_state(row["run_id"], result["state"])
        self.store.write_row(row)
        if row["status"] == "ok":
            self.ok += 1
        else:
            self.failed += 1
        self.report()

    def report(self) -> None:
        if self.progress is None:
            return
        status = getattr(self.progress, "status", None)
        if callable(status):
            status(self.failed, self.running)
        self.progress(self.skipped + self.ok + self.failed, self.total)


def _run_serial(pending: list[Run], tally: _Tally) -> None:
    for run in pending:
        tally.running = 1
        tally.keep(run_task(run.to_dict(), keep_state=tally.save_states))
    tally.running = 0


def _run_distributed(pending: list[Run], client: Any, tally: _Tally) -> None:
    distributed = _distributed()
    session = uuid.uuid4().hex[:8]
    futures = {}
    for run in pending:
        future = client.submit(
            run_task,
            run.to_dict(),
            keep_state=tally.save_states,
            key=f"ttqst-run-{run.run_id}-{session}",
            pure=False,
        )
        futures[future] = run
    try:
        tally.running = len(futures)
        for future in distributed.as_completed(list(futures)):
            tally.running -= 1
            result = _result_of(future, futures.pop(future))
            future.release()  # a finished run is not recomputed when its worker dies
            tally.keep(result)
    finally:
        client.cancel(list(futures))


def _result_of(future: Any, run: Run) -> dict:
    """The task's result, or an error row when the task itself was lost (KilledWorker)."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - recorded as the run's error row
        row = base_row(run.to_dict())
        row.update(status="error", error=f"{type(exc).__name__}: {exc}")
        row["traceback"] = "".join(traceback.format_exception(exc))
        return {"row": row, "state": None}
