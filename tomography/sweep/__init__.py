"""Sweeps: many reconstructions over a grid of parameters and seeds, on Dask.

A sweep spec (a TOML file, :mod:`tomography.sweep.spec`) lists circuits, sizes, noise rates,
windows, shot budgets, estimators, metrics and seeds; :func:`run_sweep` runs every
combination (serially, on a local Dask cluster, or on any Dask cluster), one Parquet row per
run in a store directory (:mod:`tomography.sweep.store`), resuming where an earlier call
stopped; :func:`read_sweep` reads the store as a pandas DataFrame::

    from tomography import read_sweep, run_sweep

    result = run_sweep("fidelity_vs_n.toml", "store/", workers=2)
    frame = read_sweep("store/")
    print(frame.groupby(["n", "estimator"])["fidelity"].agg(["mean", "std"]))

Needs the ``sweep`` extra (``pip install "ttqst[sweep]"``: dask[distributed], pyarrow,
pandas), imported only when a sweep runs or is read. Usage and cluster set-ups:
``docs/sweeps.md``.
"""

from .runner import SweepResult, local_cluster, run_sweep
from .spec import Run, SpecError, SweepSpec, load_spec
from .store import StoreError, SweepStore, read_sweep

__all__ = [
    "load_spec",
    "SweepSpec",
    "Run",
    "SpecError",
    "run_sweep",
    "SweepResult",
    "local_cluster",
    "read_sweep",
    "SweepStore",
    "StoreError",
]
