"""Plumbing of the ``ttqst`` command line (:mod:`tomography.cli`): error and warning
handling, output checks, and the shared circuit, noise and simulation options.

The options take their choices and defaults from the library (``_default``): what
they build is made by :func:`tomography.circuits.build`, :func:`tomography.noise.from_rates`
and :func:`tomography.simulate.simulate`.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import numpy as np

from .circuits import BRICKWORK_GATES, CIRCUIT_FAMILIES, build
from .noise import ONE_QUBIT_GATES, P1_MAX, P2_MAX, TWO_QUBIT_GATES, from_rates, gate_names
from .progress import ProgressBar
from .simulate import simulate

# errors that mean bad input or a failed computation, not a bug: one line unless --debug
_KNOWN_ERRORS: tuple[type[BaseException], ...] = (
    OSError,  # FileNotFoundError, FileExistsError, PermissionError, IsADirectoryError
    ValueError,  # tomography.io.FileFormatError, json.JSONDecodeError, numpy LinAlgError
    FloatingPointError,
)


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


def _default(func: Callable, name: str) -> Any:
    """The default of parameter ``name`` of the library function (or class) ``func``."""
    return inspect.signature(func).parameters[name].default


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
                type=click.Choice(tuple(CIRCUIT_FAMILIES)),
                default="brickwork",
                show_default=True,
                help=f"Circuit family: {', '.join(CIRCUIT_FAMILIES.values())}.",
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
                default=_default(build, "depth"),
                show_default=True,
                help="Brickwork layers, or Ising Trotter steps.",
            ),
            click.option(
                "--gates",
                type=click.Choice(BRICKWORK_GATES),
                default=_default(build, "gates"),
                show_default=True,
                help="Brickwork gates: Haar two-qubit unitaries, or random u then cx.",
            ),
            click.option(
                "--dt", type=float, default=_default(build, "dt"), show_default=True,
                help="Ising step.",
            ),
            click.option(
                "--coupling", type=float, default=_default(build, "coupling"),
                show_default=True, help="Ising ZZ coupling.",
            ),
            click.option(
                "--field", type=float, default=_default(build, "field"), show_default=True,
                help="Ising X field.",
            ),
            click.option(
                *seed_names,
                "circuit_seed",
                type=int,
                default=0,
                show_default=True,
                help="Seed of the random brickwork gates.",
            ),
        ]  # fmt: skip
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def _build_circuit(opts: dict[str, Any]):
    """``(circuit, description, from_qasm)`` from the circuit options."""
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
    circuit, text = build(
        opts["circuit"],
        opts["qubits"],
        opts["depth"],
        gates=opts["gates"],
        seed=opts["circuit_seed"],
        dt=opts["dt"],
        coupling=opts["coupling"],
        field=opts["field"],
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
    """Options that build an Aer noise model by :func:`tomography.noise.from_rates`."""
    options = [
        click.option(
            "--p1",
            type=click.FloatRange(0.0, P1_MAX),
            default=_default(from_rates, "p1"),
            show_default=True,
            help="One-qubit depolarizing parameter after every one-qubit gate.",
        ),
        click.option(
            "--p2",
            type=click.FloatRange(0.0, P2_MAX),
            default=_default(from_rates, "p2"),
            show_default=True,
            help="Two-qubit depolarizing parameter after every two-qubit gate.",
        ),
        click.option(
            "--damping",
            type=click.FloatRange(0.0, 1.0),
            default=_default(from_rates, "damping"),
            show_default=True,
            help="Amplitude damping probability after every gate (on each of its qubits).",
        ),
        click.option(
            "--t1",
            type=click.FloatRange(min=0.0, min_open=True),
            default=_default(from_rates, "t1"),
            help="Thermal relaxation T1 (with --t2; same unit as --gate-times, e.g. ns).",
        ),
        click.option(
            "--t2",
            type=click.FloatRange(min=0.0, min_open=True),
            default=_default(from_rates, "t2"),
            help="Thermal dephasing T2 <= 2 T1 (with --t1).",
        ),
        click.option(
            "--gate-times",
            type=(click.FloatRange(min=0.0), click.FloatRange(min=0.0)),
            default=_default(from_rates, "gate_times"),
            show_default=True,
            help="Durations of one- and two-qubit gates, for --t1/--t2.",
        ),
        click.option(
            "--readout",
            type=_ReadoutType(),
            default=_default(from_rates, "readout"),
            help="Readout error: flip probability P, or P01,P10 (P(1|0), P(0|1)).",
        ),
        click.option(
            "--noisy-gates",
            default=None,
            help="Comma-separated gate names (or labels) that get gate noise; default: the "
            f"families' gates ({', '.join(ONE_QUBIT_GATES + TWO_QUBIT_GATES)}), or every gate "
            "of a --qasm file.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _build_noise(opts: dict[str, Any], circuit, from_qasm: bool):
    """``(noise_model or None, description)`` from the noise options."""
    if (opts["t1"] is None) != (opts["t2"] is None):
        raise click.UsageError("thermal noise needs both --t1 and --t2")
    names = opts["noisy_gates"]
    if names is not None:
        names = [g.strip() for g in names.split(",") if g.strip()]
    one, two = gate_names(names, circuit=circuit if from_qasm or names is not None else None)
    return from_rates(
        p1=opts["p1"],
        p2=opts["p2"],
        damping=opts["damping"],
        t1=opts["t1"],
        t2=opts["t2"],
        gate_times=tuple(opts["gate_times"]),
        readout=opts["readout"],
        one_qubit_gates=one,
        two_qubit_gates=two,
    )


def _simulate_truth(opts: dict[str, Any], quiet: bool):
    """Build circuit and noise from the options and simulate: ``(state, info, text)``."""
    circuit, circuit_text, from_qasm = _build_circuit(opts)
    noise, noise_text = _build_noise(opts, circuit, from_qasm)
    with ProgressBar("simulate", "op", enabled=False if quiet else None) as bar:
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
        default=_default(simulate, "tol"),
        show_default=True,
        help="Relative singular-value tail dropped at each two-qubit gate.",
    )(func)
    return click.option(
        "--max-rank",
        type=click.IntRange(min=1),
        default=_default(simulate, "max_rank"),
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
