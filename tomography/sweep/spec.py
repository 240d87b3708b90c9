"""Sweep specifications: a TOML file (or a dict) validated up front into :class:`SweepSpec`.

Layout (``version = 1``)::

    version = 1
    name = "fidelity_vs_n"
    seeds = 3                       # a count (seeds 0, 1, 2) or a list of ints
    metrics = ["fidelity", "overlap_fidelity"]

    [grid]                          # a list is an axis (cartesian product), a scalar is fixed
    circuit = "brickwork"
    n = [4, 6]
    depth = 1
    p2 = 0.01
    window = 3
    shots = 200
    estimator = ["cross", "refine"]

    [[runs]]                        # optional explicit runs, each merged over grid scalars
    qasm = "prep.qasm"
    window = 3

The grid expands to its cartesian product (axes in sorted key order), then the explicit runs
follow; with ``[[runs]]`` and no axis in the grid, the grid only gives defaults. Every
parameter set is run once per seed. Run parameters (:data:`RUN_KEYS`) and their defaults:

- ``circuit`` (a family of :data:`tomography.circuits.CIRCUIT_FAMILIES`, default
  ``"brickwork"``) or ``qasm`` (a file path, read by :func:`tomography.exchange.load_qasm`;
  relative to the spec file, or to the working directory for a dict), ``n`` (required for a
  family), ``depth``, ``gates``, ``dt``, ``coupling``, ``field`` (as
  :func:`tomography.circuits.build`);
- noise rates ``p1``, ``p2``, ``damping``, ``t1``, ``t2``, ``readout`` (``P`` or
  ``[P01, P10]``), as :func:`tomography.noise.from_rates`;
- ``window`` (odd, >= 3, at most ``n``; default 5 or ``n`` when smaller and odd), ``shots``
  (per setting, default 1000) or ``copies`` (in total: ``shots = copies // 3**window``);
- ``estimator``: ``"cross"`` (:func:`tomography.reconstruct.reconstruct`), ``"refine"``
  (then :func:`tomography.refine.refine`) or ``"qiskit-experiments"`` (full state tomography,
  :func:`tomography.peers.state_tomography`, n <= 6, all 3^n settings at ``shots`` each or
  ``copies // 3**n``; ``window`` is not used), ``refine_options`` (a table of refine's
  keyword options), ``max_rank`` (cap on the cross estimate's bond dimension), ``fitter``
  (the peer's, one of :data:`tomography.peers.PEER_FITTERS`, default
  ``"linear_inversion"``; ignored by the other estimators).

Metrics (:data:`METRICS`, default all): ``fidelity`` (dense Uhlmann fidelity, null above
:data:`tomography.pauli.MAX_DENSE_QUBITS` qubits), ``overlap_fidelity``, ``relative_error``,
``local_fidelity_min``, ``local_fidelity_mean`` (3-qubit marginals,
:func:`tomography.metrics.local_fidelities`). Timings and ranks are always recorded.

Every error names the key and the value, e.g. ``grid.window: expected an odd int >= 3, got 4``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import itertools
import json
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..circuits import BRICKWORK_GATES, CIRCUIT_FAMILIES, build
from ..noise import P1_MAX, P2_MAX
from ..peers import PEER_FITTERS, PEER_MAX_QUBITS
from ..refine import refine

__all__ = [
    "ESTIMATORS",
    "PEER_ESTIMATOR",
    "METRICS",
    "RUN_KEYS",
    "SPEC_KEYS",
    "SPEC_VERSION",
    "Run",
    "SpecError",
    "SweepSpec",
    "canonical_json",
    "load_spec",
    "short_hash",
]

SPEC_VERSION = 1
"""The spec layout this module reads (``version = 1``)."""

SPEC_KEYS = ("version", "name", "seeds", "metrics", "grid", "runs")
"""Top-level keys of a spec."""

METRICS = (
    "fidelity",
    "overlap_fidelity",
    "relative_error",
    "local_fidelity_min",
    "local_fidelity_mean",
)
"""Metrics a spec may ask for (timings and ranks are always recorded)."""

PEER_ESTIMATOR = "qiskit-experiments"
"""The peer estimator: qiskit-experiments' full state tomography (:mod:`tomography.peers`)."""

ESTIMATORS = ("cross", "refine", PEER_ESTIMATOR)
"""``cross``: the cross estimate; ``refine``: the cross estimate, then :func:`refine`;
``qiskit-experiments``: ``StateTomography`` on Aer (n <= :data:`PEER_MAX_QUBITS`)."""

_CIRCUIT_KEYS = ("circuit", "qasm", "n", "depth", "gates", "dt", "coupling", "field")
_NOISE_KEYS = ("p1", "p2", "damping", "t1", "t2", "readout")
_DESIGN_KEYS = ("window", "shots", "copies")
_ESTIMATOR_KEYS = ("estimator", "refine_options", "max_rank", "fitter")
RUN_KEYS = _CIRCUIT_KEYS + _NOISE_KEYS + _DESIGN_KEYS + _ESTIMATOR_KEYS
"""Keys of a run (in ``[grid]`` and ``[[runs]]``)."""

DATA_KEYS = _CIRCUIT_KEYS + _NOISE_KEYS + ("window", "shots")
"""The parameters that define a run's measured data (and so its data seed)."""

CIRCUIT_SEED_KEYS = _CIRCUIT_KEYS
"""The parameters that define a run's circuit (and so its circuit seed)."""

_DEFAULT_SHOTS = 1000
_DEFAULT_WINDOW = 5
_REFINE_FIXED = ("state", "data", "seed", "callback", "progress")


class SpecError(ValueError):
    """A sweep spec that cannot be run; the message names the key and the value."""


# ---------------------------------------------------------------------- canonical form
def canonical_json(value: Any) -> str:
    """The canonical JSON text of ``value``: sorted keys, no spaces, no NaN."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def short_hash(value: Any, length: int = 12) -> str:
    """The first ``length`` hex digits of the SHA-256 of :func:`canonical_json` of ``value``."""
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()[:length]


# ---------------------------------------------------------------------- results
@dataclass(frozen=True)
class Run:
    """One run of a sweep: a parameter set and a seed.

    Attributes
    ----------
    index : int
        Position in the sweep (grid order, then the explicit runs; seeds innermost).
    run_id : str
        :func:`short_hash` of ``{"params": params, "seed": seed}``: the run's identity.
    seed : int
    params : dict
        Every key of :data:`RUN_KEYS`, defaults filled in (None where it does not apply);
        ``fitter`` only in ``qiskit-experiments`` runs.
    metrics : tuple of str
    """

    index: int
    run_id: str
    seed: int
    params: dict
    metrics: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (what a task receives)."""
        return {
            "index": self.index,
            "run_id": self.run_id,
            "seed": self.seed,
            "params": dict(self.params),
            "metrics": list(self.metrics),
        }


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep spec.

    Attributes
    ----------
    name : str
    seeds : tuple of int
    metrics : tuple of str
    grid : dict
        Axes (lists) and fixed values, validated.
    runs : tuple of dict
        Explicit runs, validated, each merged over the grid's scalars.
    canonical : dict
        The normalised spec, as ``sweep.json`` stores it (JSON, sorted keys when written by
        :func:`canonical_json`).
    """

    name: str
    seeds: tuple[int, ...]
    metrics: tuple[str, ...]
    grid: dict
    runs: tuple[dict, ...]
    canonical: dict

    @property
    def hash(self) -> str:
        """What the sweep computes, 16 hex digits: :func:`short_hash` of the version, the
        metrics and the run ids in order. Two spellings of the same runs (key order,
        defaults written out, ``0`` or ``0.0``) have the same hash; the name does not count.
        """
        runs = [r.run_id for r in self.expand()]
        return short_hash(
            {"version": SPEC_VERSION, "metrics": list(self.metrics), "runs": runs}, 16
        )

    def expand(self) -> list[Run]:
        """Every run, in order: grid points, then explicit runs; seeds innermost."""
        out: list[Run] = []
        for params in _parameter_sets(self.grid, self.runs):
            for seed in self.seeds:
                run_id = short_hash({"params": params, "seed": seed})
                out.append(Run(len(out), run_id, seed, params, self.metrics))
        return out


# ---------------------------------------------------------------------- loading
def load_spec(source: str | os.PathLike | Mapping | SweepSpec) -> SweepSpec:
    """Read and validate a sweep spec.

    Parameters
    ----------
    source : path-like, dict or SweepSpec
        A TOML file (layout in this module's docstring), the same as a dict, or a spec
        (returned as it is).

    Returns
    -------
    SweepSpec

    Raises
    ------
    SpecError
        A key or value that is not valid; the message names it (a ValueError).
    FileNotFoundError
        No file at ``source``.
    """
    if isinstance(source, SweepSpec):
        return source
    if isinstance(source, Mapping):
        return _from_dict(dict(source), Path.cwd())
    path = Path(source)
    try:
        with open(path, "rb") as handle:
            raw = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML: {exc}") from None
    return _from_dict(raw, path.resolve().parent)


def _from_dict(raw: dict, base: Path) -> SweepSpec:
    _check_keys(raw, SPEC_KEYS, "spec")
    version = raw.get("version", None)
    if version != SPEC_VERSION:
        raise SpecError(f"version: expected {SPEC_VERSION}, got {version!r}")
    name = raw.get("name", "sweep")
    if not isinstance(name, str) or not name:
        raise SpecError(f"name: expected a non-empty string, got {name!r}")
    seeds = _check_seeds(raw.get("seeds", 1))
    metrics = _check_metrics(raw.get("metrics", list(METRICS)))
    grid = _check_grid(raw.get("grid", {}), base)
    runs = _check_runs(raw.get("runs", []), grid, base)
    canonical = {
        "version": SPEC_VERSION,
        "name": name,
        "seeds": list(seeds),
        "metrics": list(metrics),
        "grid": grid,
        "runs": [dict(r) for r in runs],
    }
    spec = SweepSpec(name, seeds, metrics, grid, runs, canonical)
    expanded = spec.expand()
    if not expanded:
        raise SpecError("spec: no runs (an empty axis in [grid]?)")
    _check_peer_installed(expanded)
    return spec


def _check_keys(table: object, valid: tuple[str, ...], where: str) -> None:
    if not isinstance(table, Mapping):
        raise SpecError(f"{where}: expected a table, got {table!r}")
    unknown = sorted(set(table) - set(valid))
    if unknown:
        raise SpecError(f"{where}.{unknown[0]}: unknown key; valid keys: {', '.join(valid)}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_seeds(value: object) -> tuple[int, ...]:
    if _is_int(value):
        if value < 1:
            raise SpecError(f"seeds: expected a count >= 1 or a list of ints, got {value}")
        return tuple(range(value))
    if not isinstance(value, list) or not value or not all(_is_int(s) and s >= 0 for s in value):
        raise SpecError(f"seeds: expected a count >= 1 or a list of ints >= 0, got {value!r}")
    if len(set(value)) != len(value):
        raise SpecError(f"seeds: repeated seeds in {value!r}")
    return tuple(value)


def _check_metrics(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise SpecError(f"metrics: expected a non-empty list, got {value!r}")
    for name in value:
        if name not in METRICS:
            raise SpecError(f"metrics: unknown metric {name!r}; valid: {', '.join(METRICS)}")
    return tuple(dict.fromkeys(value))


# ---------------------------------------------------------------------- grid and runs
def _check_grid(table: object, base: Path) -> dict:
    _check_keys(table, RUN_KEYS, "grid")
    grid = {}
    for key, value in table.items():
        if _is_axis(key, value) or (isinstance(value, list) and not value):
            if not value:
                raise SpecError(f"grid.{key}: an axis needs at least one value, got []")
            grid[key] = [_check_value(key, v, f"grid.{key}", base) for v in value]
        else:
            grid[key] = _check_value(key, value, f"grid.{key}", base)
    return grid


def _is_axis(key: str, value: object) -> bool:
    if key == "readout":
        return isinstance(value, list) and bool(value) and isinstance(value[0], list)
    return isinstance(value, list)


def _grid_points(grid: dict) -> list[dict]:
    axes = sorted(k for k, v in grid.items() if _is_axis(k, v))
    fixed = {k: v for k, v in grid.items() if not _is_axis(k, v)}
    return [
        {**fixed, **dict(zip(axes, values, strict=True))}
        for values in itertools.product(*(grid[k] for k in axes))
    ]


def _check_runs(runs: object, grid: dict, base: Path) -> tuple[dict, ...]:
    if not isinstance(runs, list):
        raise SpecError(f"runs: expected an array of tables ([[runs]]), got {runs!r}")
    fixed = {k: v for k, v in grid.items() if not _is_axis(k, v)}
    out = []
    for i, table in enumerate(runs):
        where = f"runs[{i}]"
        _check_keys(table, RUN_KEYS, where)
        checked = {k: _check_value(k, v, f"{where}.{k}", base) for k, v in table.items()}
        merged = {k: v for k, v in fixed.items() if not _overridden(k, checked)} | checked
        _resolve(merged, where)
        out.append(merged)
    return tuple(out)


def _overridden(key: str, run: dict) -> bool:
    """A grid scalar that the run replaces (a run's qasm replaces the grid's circuit)."""
    if key in run:
        return True
    pair = {"circuit": "qasm", "qasm": "circuit", "shots": "copies", "copies": "shots"}
    return pair.get(key) in run


def _parameter_sets(grid: dict, runs: tuple[dict, ...]) -> list[dict]:
    has_axes = any(_is_axis(k, v) for k, v in grid.items())
    points = _grid_points(grid) if has_axes or not runs else []
    return [_resolve(p, "grid") for p in points] + [_resolve(r, "runs") for r in runs]


# ---------------------------------------------------------------------- values
def _expect(ok: bool, where: str, expected: str, value: object) -> None:
    if not ok:
        raise SpecError(f"{where}: expected {expected}, got {value!r}")


def _int_at_least(minimum: int) -> Callable[[object, str], int]:
    def check(value, where):
        _expect(_is_int(value) and value >= minimum, where, f"an int >= {minimum}", value)
        return int(value)

    return check


def _real(minimum: float | None = None, maximum: float | None = None, *, positive=False):
    def check(value, where):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        ok = ok and value == value and abs(value) != float("inf")
        ok = ok and (minimum is None or value >= minimum) and (maximum is None or value <= maximum)
        ok = ok and (not positive or value > 0)
        text = "a finite number"
        if minimum is not None or maximum is not None:
            text = f"a number in [{minimum}, {maximum}]" if maximum is not None else f">= {minimum}"
        if positive:
            text = "a number > 0"
        _expect(ok, where, text, value)
        return float(value)

    return check


def _choice(options) -> Callable[[object, str], str]:
    def check(value, where):
        _expect(value in options, where, f"one of {', '.join(options)}", value)
        return value

    return check


def _check_window(value: object, where: str) -> int:
    ok = _is_int(value) and value >= 3 and value % 2 == 1
    _expect(ok, where, "an odd int >= 3", value)
    return int(value)


def _check_qasm(value: object, where: str, base: Path) -> str:
    _expect(isinstance(value, str) and bool(value), where, "a file path (string)", value)
    return str((base / value).resolve())


def _check_readout(value: object, where: str) -> list[float]:
    pair = value if isinstance(value, list) else [value]
    _expect(len(pair) in (1, 2), where, "P or [P01, P10]", value)
    probabilities = [_real(0.0, 1.0)(p, where) for p in pair]
    return [probabilities[0], probabilities[-1]]


def _check_refine_options(value: object, where: str) -> dict:
    parameters = inspect.signature(refine).parameters
    valid = tuple(k for k in parameters if k not in _REFINE_FIXED)
    _check_keys(value, valid, where)
    out = {}
    for key, option in value.items():
        default = parameters[key].default
        kind = type(default) if default is not None else object
        ok = isinstance(option, kind) and isinstance(option, bool) == isinstance(default, bool)
        if kind is float:
            ok = isinstance(option, int | float) and not isinstance(option, bool)
        _expect(ok, f"{where}.{key}", f"a {kind.__name__} (refine's {key})", option)
        out[key] = float(option) if kind is float else option
    return out


_CHECKS: dict[str, Callable[[object, str], Any]] = {
    "circuit": _choice(tuple(CIRCUIT_FAMILIES)),
    "n": _int_at_least(2),
    "depth": _int_at_least(0),
    "gates": _choice(BRICKWORK_GATES),
    "dt": _real(),
    "coupling": _real(),
    "field": _real(),
    "p1": _real(0.0, P1_MAX),
    "p2": _real(0.0, P2_MAX),
    "damping": _real(0.0, 1.0),
    "t1": _real(positive=True),
    "t2": _real(positive=True),
    "readout": _check_readout,
    "window": _check_window,
    "shots": _int_at_least(1),
    "copies": _int_at_least(1),
    "estimator": _choice(ESTIMATORS),
    "refine_options": _check_refine_options,
    "max_rank": _int_at_least(1),
    "fitter": _choice(PEER_FITTERS),
}


def _check_value(key: str, value: object, where: str, base: Path) -> Any:
    if key == "qasm":
        return _check_qasm(value, where, base)
    return _CHECKS[key](value, where)


# ---------------------------------------------------------------------- one parameter set
def _resolve(point: dict, where: str) -> dict:
    """Every key of :data:`RUN_KEYS` with defaults filled in; cross-key rules checked."""
    if "circuit" in point and "qasm" in point:
        raise SpecError(f"{where}: give circuit or qasm, not both")
    if "shots" in point and "copies" in point:
        raise SpecError(f"{where}: give shots or copies, not both")
    if ("t1" in point) != ("t2" in point):
        raise SpecError(f"{where}: thermal noise needs both t1 and t2")
    if "t1" in point and point["t2"] > 2 * point["t1"]:
        raise SpecError(f"{where}.t2: expected <= 2 t1 = {2 * point['t1']}, got {point['t2']}")
    params = _circuit_params(point, where)
    params |= {k: point.get(k) for k in _NOISE_KEYS}
    for key in ("p1", "p2", "damping"):
        params[key] = point.get(key, 0.0)
    params |= _design_params(point, params["n"], where)
    params["estimator"] = point.get("estimator", "cross")
    params["refine_options"] = dict(point.get("refine_options", {}))
    params["max_rank"] = point.get("max_rank")
    if params["estimator"] == PEER_ESTIMATOR:
        params |= _peer_params(point, params["n"], where)
    return params


def _peer_params(point: dict, n: int | None, where: str) -> dict:
    """The peer's own keys: ``fitter``, and ``shots = copies // 3^n`` (all 3^n settings).

    Only peer runs carry ``fitter``, so adding the peer left other runs' ids unchanged.
    """
    if n is not None and n > PEER_MAX_QUBITS:
        raise SpecError(
            f"{where}.estimator: {PEER_ESTIMATOR!r} runs only at n <= {PEER_MAX_QUBITS} "
            f"(3^n settings, a dense 4^n fit), got n = {n}"
        )
    params = {"fitter": point.get("fitter", PEER_FITTERS[0])}
    copies = point.get("copies")
    if copies is not None and n is not None:
        params["shots"] = copies // 3**n
        if params["shots"] < 1:
            raise SpecError(
                f"{where}.copies: expected >= 3^n = {3**n} for {PEER_ESTIMATOR!r} (one shot "
                f"per setting), got {copies}"
            )
    return params


def _check_peer_installed(runs: list[Run]) -> None:
    """Refuse a spec with peer runs where qiskit-experiments (or cvxpy) is not installed."""
    fitters = {r.params["fitter"] for r in runs if r.params["estimator"] == PEER_ESTIMATOR}
    if not fitters:
        return
    needs = {"qiskit_experiments": "qiskit-experiments", "qiskit_aer": "qiskit-aer"}
    if any(f.startswith("cvxpy") for f in fitters):
        needs["cvxpy"] = "cvxpy"
    for module, package in needs.items():
        if importlib.util.find_spec(module) is None:
            raise SpecError(
                f"estimator: {PEER_ESTIMATOR!r} needs the {package} package, not installed "
                f"here; pip install {package}, or drop that estimator"
            )


def _circuit_params(point: dict, where: str) -> dict:
    if "qasm" in point:
        family_only = [k for k in ("depth", "gates", "dt", "coupling", "field") if k in point]
        if family_only:
            raise SpecError(f"{where}.{family_only[0]}: does not apply to a qasm circuit")
        return {"circuit": None, "qasm": point["qasm"], "n": point.get("n")} | dict.fromkeys(
            ("depth", "gates", "dt", "coupling", "field")
        )
    if "n" not in point:
        raise SpecError(f"{where}.n: missing (the number of qubits of the circuit family)")
    defaults = {k: p.default for k, p in inspect.signature(build).parameters.items()}
    params = {"circuit": point.get("circuit", "brickwork"), "qasm": None, "n": point["n"]}
    for key in ("depth", "gates", "dt", "coupling", "field"):
        params[key] = point.get(key, defaults[key])
    return params


def _design_params(point: dict, n: int | None, where: str) -> dict:
    window = point.get("window")
    if window is None:
        window = _DEFAULT_WINDOW if n is None else min(_DEFAULT_WINDOW, n - (n % 2 == 0))
        if window < 3:
            raise SpecError(f"{where}.window: no odd window >= 3 fits n = {n}")
    if n is not None and window > n:
        raise SpecError(f"{where}.window: expected an odd int <= n = {n}, got {window}")
    copies = point.get("copies")
    shots = point.get("shots", _DEFAULT_SHOTS)
    if copies is not None:
        shots = copies // 3**window
        if shots < 1:
            raise SpecError(
                f"{where}.copies: expected >= 3^window = {3**window} (one shot per setting), "
                f"got {copies}"
            )
    return {"window": window, "shots": shots, "copies": copies}
