"""Plumbing of the ``ttqst`` command line (:mod:`tomography.cli`): error and warning
handling, progress bars, output checks, and the shared circuit, noise and simulation options
with the functions that turn them into a circuit, an Aer noise model and a simulated state."""

from __future__ import annotations

import functools
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import numpy as np

# errors that mean bad input or a failed computation, not a bug: one line unless --debug
_KNOWN_ERRORS: tuple[type[BaseException], ...] = (
    OSError,  # FileNotFoundError, FileExistsError, PermissionError, IsADirectoryError
    ValueError,  # tomography.io.FileFormatError, json.JSONDecodeError, numpy LinAlgError
    FloatingPointError,
)

_FAMILIES = ("brickwork", "ghz", "ising")
_NOT_GATES = frozenset({"barrier", "measure", "reset", "delay"})


# ---------------------------------------------------------------------- plumbing
def _qiskit_errors() -> tuple[type[BaseException], ...]:
    from qiskit.exceptions import QiskitError

    return (QiskitError,)


def _guarded(func: Callable) -> Callable:
    """Run a command: known errors become one ``Error:`` line (exit 1) unless ``--debug``;
    warnings print as one ``Warning:`` line each on stderr."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        debug = bool(click.get_current_context().find_root().params.get("debug"))
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", PendingDeprecationWarning)
            warnings.showwarning = _show_warning
            try:
                return func(*args, **kwargs)
            except click.ClickException:
                raise
            except _KNOWN_ERRORS + _qiskit_errors() as exc:
                if debug:
                    raise
                raise click.ClickException(_one_line(exc)) from None

    return wrapper


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, OSError) and exc.filename and str(exc.filename) not in text:
        text = f"{text}: {exc.filename}"
    return text


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    click.echo(f"Warning: {category.__name__}: {' '.join(str(message).split())}", err=True)


class _Progress:
    """A tqdm bar fed by the library's ``progress(done, total)`` callbacks.

    Shown on stderr only when it is a terminal (``disable=None``), after one second
    (``delay``), and never with ``quiet``.
    """

    def __init__(self, description: str, unit: str, quiet: bool):
        self.description, self.unit, self.quiet = description, unit, quiet
        self.bar = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total,
                desc=self.description,
                unit=self.unit,
                unit_scale=True,
                disable=True if self.quiet else None,
                delay=1.0,
                leave=False,
                file=sys.stderr,
            )
        self.bar.update(done - self.bar.n)

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.close()


def _check_output(path: Path, force: bool, *, npz: bool) -> Path:
    """The path that will be written; refuses an existing one without ``--force``."""
    from .io import archive_path

    path = archive_path(path) if npz else Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a directory, expected a file name")
    if path.exists() and not force:
        raise FileExistsError(f"{path} exists; pass --force to replace it")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"directory {path.parent} does not exist (for {path})")
    return path


def _quiet_option(func: Callable) -> Callable:
    return click.option(
        "-q", "--quiet", is_flag=True, help="No progress bars (they only show on a terminal)."
    )(func)


def _force_option(func: Callable) -> Callable:
    return click.option(
        "--force", is_flag=True, help="Replace output files that exist (refused otherwise)."
    )(func)


def _explicit(ctx: click.Context, name: str) -> bool:
    """Whether option ``name`` was given on the command line (not a default)."""
    source = ctx.get_parameter_source(name)
    return source is not None and source != click.core.ParameterSource.DEFAULT


# ---------------------------------------------------------------------- circuits
def _circuit_options(seed_names: tuple[str, ...]) -> Callable:
    """Options that pick the state-preparation circuit (a family or a QASM file)."""

    def decorate(func: Callable) -> Callable:
        options = [
            click.option(
                "--circuit",
                type=click.Choice(_FAMILIES),
                default="brickwork",
                show_default=True,
                help="Circuit family: Haar (or cx) brickwork, GHZ line, Ising Trotter quench.",
            ),
            click.option(
                "--qasm",
                type=click.Path(dir_okay=False, path_type=Path),
                default=None,
                help="OpenQASM 2 or 3 file with the state preparation (replaces --circuit; "
                "qubit k of the line is the file's k-th qubit; final measurements dropped).",
            ),
            click.option(
                "--qubits",
                type=click.IntRange(min=2),
                default=8,
                show_default=True,
                help="Number of qubits of the family.",
            ),
            click.option(
                "--depth",
                "--steps",
                "depth",
                type=click.IntRange(min=0),
                default=2,
                show_default=True,
                help="Brickwork layers, or Ising Trotter steps.",
            ),
            click.option(
                "--gates",
                type=click.Choice(["haar", "cx"]),
                default="haar",
                show_default=True,
                help="Brickwork gates: Haar two-qubit unitaries, or random u then cx.",
            ),
            click.option("--dt", type=float, default=0.25, show_default=True, help="Ising step."),
            click.option(
                "--coupling", type=float, default=1.0, show_default=True, help="Ising ZZ coupling."
            ),
            click.option(
                "--field", type=float, default=1.0, show_default=True, help="Ising X field."
            ),
            click.option(
                *seed_names,
                "circuit_seed",
                type=int,
                default=0,
                show_default=True,
                help="Seed of the random brickwork gates.",
            ),
        ]
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def _build_circuit(opts: dict[str, Any]):
    """``(circuit, description, from_qasm)`` from the circuit options."""
    from .circuits import brickwork, ghz_line, ising_trotter
    from .exchange import load_qasm

    ctx = click.get_current_context()
    if opts["qasm"] is not None:
        if _explicit(ctx, "circuit"):
            raise click.UsageError("give either --circuit or --qasm, not both")
        circuit = load_qasm(opts["qasm"])
        if _explicit(ctx, "qubits") and opts["qubits"] != circuit.num_qubits:
            raise click.BadParameter(
                f"{opts['qubits']}, but {opts['qasm']} has {circuit.num_qubits} qubits",
                param_hint="'--qubits'",
            )
        return circuit, f"circuit from {opts['qasm']}", True
    n, depth, family = opts["qubits"], opts["depth"], opts["circuit"]
    if family == "brickwork":
        circuit = brickwork(n, depth, gates=opts["gates"], seed=opts["circuit_seed"])
        text = f"{opts['gates']} brickwork depth {depth}, seed {opts['circuit_seed']}"
    elif family == "ghz":
        circuit, text = ghz_line(n), "GHZ line"
    else:
        circuit = ising_trotter(
            n, depth, dt=opts["dt"], coupling=opts["coupling"], field=opts["field"]
        )
        text = (
            f"Ising quench, {depth} steps of dt {opts['dt']:g} (J {opts['coupling']:g}, "
            f"h {opts['field']:g})"
        )
    return circuit, text, False


# ---------------------------------------------------------------------- noise
class _ReadoutType(click.ParamType):
    """``P`` (symmetric flip) or ``P01,P10``, each in [0, 1]."""

    name = "P|P01,P10"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        try:
            parts = [float(x) for x in str(value).split(",")]
        except ValueError:
            self.fail(f"{value!r} is not a probability or a pair 'P01,P10'", param, ctx)
        if len(parts) not in (1, 2) or not all(0.0 <= p <= 1.0 for p in parts):
            self.fail(f"{value!r}: expected P or P01,P10 with each in [0, 1]", param, ctx)
        return (parts[0], parts[-1])


def _noise_options(func: Callable) -> Callable:
    """Options that build an Aer noise model from :mod:`tomography.noise`."""
    options = [
        click.option(
            "--p1",
            type=click.FloatRange(0.0, 4 / 3),
            default=0.0,
            show_default=True,
            help="One-qubit depolarizing parameter after every one-qubit gate.",
        ),
        click.option(
            "--p2",
            type=click.FloatRange(0.0, 16 / 15),
            default=0.0,
            show_default=True,
            help="Two-qubit depolarizing parameter after every two-qubit gate.",
        ),
        click.option(
            "--damping",
            type=click.FloatRange(0.0, 1.0),
            default=0.0,
            show_default=True,
            help="Amplitude damping probability after every gate (on each of its qubits).",
        ),
        click.option(
            "--t1",
            type=click.FloatRange(min=0.0, min_open=True),
            default=None,
            help="Thermal relaxation T1 (with --t2; same unit as --gate-times, e.g. ns).",
        ),
        click.option(
            "--t2",
            type=click.FloatRange(min=0.0, min_open=True),
            default=None,
            help="Thermal dephasing T2 <= 2 T1 (with --t1).",
        ),
        click.option(
            "--gate-times",
            type=(click.FloatRange(min=0.0), click.FloatRange(min=0.0)),
            default=(50.0, 300.0),
            show_default=True,
            help="Durations of one- and two-qubit gates, for --t1/--t2.",
        ),
        click.option(
            "--readout",
            type=_ReadoutType(),
            default=None,
            help="Readout error: flip probability P, or P01,P10 (P(1|0), P(0|1)).",
        ),
        click.option(
            "--noisy-gates",
            default=None,
            help="Comma-separated gate names (or labels) that get gate noise; default: "
            "the families' gates (u, h, rx, cx, rzz, haar2q), or every gate of a --qasm file.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _gate_names(opts: dict[str, Any], circuit, from_qasm: bool):
    """One- and two-qubit gate names that noise attaches to."""
    from qiskit.circuit.library import get_standard_gate_name_mapping

    from .noise import ONE_QUBIT_GATES, TWO_QUBIT_GATES

    if opts["noisy_gates"] is not None:
        chosen = [g.strip() for g in opts["noisy_gates"].split(",") if g.strip()]
        in_circuit = {
            (i.operation.label or i.operation.name): i.operation.num_qubits for i in circuit.data
        }
        standard = get_standard_gate_name_mapping()
        arity = {g: in_circuit.get(g, getattr(standard.get(g), "num_qubits", 2)) for g in chosen}
        return (
            tuple(g for g in chosen if arity[g] == 1),
            tuple(g for g in chosen if arity[g] == 2),
        )
    if not from_qasm:
        return ONE_QUBIT_GATES, TWO_QUBIT_GATES
    one, two = set(), set()
    for item in circuit.data:
        op = item.operation
        if op.name not in _NOT_GATES and op.num_qubits in (1, 2):  # wider gates get decomposed
            (one if op.num_qubits == 1 else two).add(op.name)
    return tuple(sorted(one)), tuple(sorted(two))


def _build_noise(opts: dict[str, Any], circuit, from_qasm: bool):
    """``(noise_model or None, description)`` from the noise options."""
    from .noise import amplitude_damping, combine, depolarizing, readout, thermal

    one, two = _gate_names(opts, circuit, from_qasm)
    gates = {"one_qubit_gates": one, "two_qubit_gates": two}
    models, words = [], []
    if opts["p1"] or opts["p2"]:
        models.append(depolarizing(opts["p1"], opts["p2"], **gates))
        words.append(f"depolarizing p1={opts['p1']:g} p2={opts['p2']:g}")
    if opts["damping"]:
        models.append(amplitude_damping(opts["damping"], **gates))
        words.append(f"amplitude damping {opts['damping']:g}")
    if (opts["t1"] is None) != (opts["t2"] is None):
        raise click.UsageError("thermal noise needs both --t1 and --t2")
    if opts["t1"] is not None:
        models.append(thermal(opts["t1"], opts["t2"], tuple(opts["gate_times"]), **gates))
        words.append(f"thermal T1={opts['t1']:g} T2={opts['t2']:g}")
    if opts["readout"] is not None:
        models.append(readout(*opts["readout"]))
        words.append("readout P01={:g} P10={:g}".format(*opts["readout"]))
    if not models:
        return None, "noiseless"
    return (models[0] if len(models) == 1 else combine(*models)), ", ".join(words)


def _simulate_truth(opts: dict[str, Any], quiet: bool):
    """Build circuit and noise from the options and simulate: ``(state, info, text)``."""
    from .simulate import simulate

    circuit, circuit_text, from_qasm = _build_circuit(opts)
    noise, noise_text = _build_noise(opts, circuit, from_qasm)
    with _Progress("simulate", "op", quiet) as bar:
        state, info = simulate(
            circuit,
            noise,
            max_rank=opts["max_rank"],
            tol=opts["tol"],
            return_info=True,
            progress=bar,
        )
    return state, info, f"{circuit_text}; {noise_text}"


def _simulation_options(func: Callable) -> Callable:
    func = click.option(
        "--tol",
        type=click.FloatRange(min=0.0),
        default=1e-12,
        show_default=True,
        help="Relative singular-value tail dropped at each two-qubit gate.",
    )(func)
    return click.option(
        "--max-rank",
        type=click.IntRange(min=1),
        default=None,
        help="Cap on the MPO bond dimension (the truncation is reported).",
    )(func)


def _dims_text(dims: tuple[int, ...]) -> str:
    if len(dims) <= 24:
        return ",".join(map(str, dims))
    return ",".join(map(str, dims[:10])) + ",...," + ",".join(map(str, dims[-10:]))


def _reject_unused(names: tuple[str, ...], mode: str) -> None:
    """Usage error for options given on the command line that ``mode`` does not use."""
    ctx = click.get_current_context()
    given = [p for p in ctx.command.params if p.name in names and _explicit(ctx, p.name)]
    if given:
        flag = max(given[0].opts, key=len)
        raise click.UsageError(f"{flag} does not apply with {mode}")


def _bound_text(bound) -> str:
    """One line for a ttcross.bounds.CrossBound: a theorem, an estimate, or why neither."""
    if np.isfinite(bound.value) and getattr(bound, "rigorous", True):
        return f"{bound.value:.3g} (holds with probability >= {bound.probability:.2g})"
    if np.isfinite(bound.value):
        return (
            f"{bound.value:.3g} (estimate, not rigorous: linearised in the shot noise, "
            f"noise terms at probability >= {bound.probability:.2g})"
        )
    reason = getattr(bound, "reason", "").split(";")[0]  # the cut-by-cut detail is in the report
    return "not resolved: " + (
        reason
        or f"at {len(bound.violations)} cut(s) the shot noise is as large as singular values "
        "the estimate keeps (more shots resolve it)"
    )
