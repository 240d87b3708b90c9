"""Plumbing of the ``ttqst`` command line (:mod:`tomography.cli`): error and warning
handling, output checks, and the shared circuit, noise and simulation options.

The options take their choices and defaults from the library (``_default``): what
they build is made by :func:`tomography.circuits.build`, :func:`tomography.noise.from_rates`
and :func:`tomography.simulate.simulate`.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import io
import math
import os
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import click
import numpy as np

from ttcross.validation import check_memory

from .circuits import BRICKWORK_GATES, CIRCUIT_FAMILIES, build
from .measure import design_bytes
from .noise import ONE_QUBIT_GATES, P1_MAX, P2_MAX, TWO_QUBIT_GATES, from_rates, gate_names
from .progress import ProgressBar
from .simulate import simulate
from .state import sample_bytes

# errors that mean bad input or a failed computation, not a bug: one line unless --debug
_KNOWN_ERRORS: tuple[type[BaseException], ...] = (
    OSError,  # FileNotFoundError, FileExistsError, PermissionError, IsADirectoryError
    ValueError,  # tomography.io.FileFormatError, json.JSONDecodeError, numpy LinAlgError
    FloatingPointError,
)
# a family circuit and its simulation per qubit and layer (measured: ~11 kB/qubit at depth 2)
_BYTES_PER_QUBIT_LAYER = 4096


class _InputError(ValueError):
    """A bad input file, already worded for the user (it names the file and the problem)."""


# ---------------------------------------------------------------------- plumbing
def _qiskit_errors() -> tuple[type[BaseException], ...]:
    from qiskit.exceptions import QiskitError

    return (QiskitError,)


def _guarded(func: Callable) -> Callable:
    """Run a command: errors become one ``Error:`` line (exit 1) unless ``--debug``;
    warnings print as one ``Warning:`` line each on stderr.

    Bad input and failed computations (``OSError``, ``ValueError``, Qiskit's errors, input
    files that fail to read, see :func:`_reading`) give their message; ``MemoryError`` says
    so; anything else is a bug of ttqst and says to rerun with ``--debug`` and report it.
    """

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
            except (click.ClickException, click.exceptions.Exit, click.Abort):
                raise
            except Exception as exc:
                if debug:
                    raise
                raise click.ClickException(_error_text(exc)) from None

    return wrapper


def _error_text(exc: BaseException) -> str:
    """The one line for an exception that reached a command."""
    if isinstance(exc, _KNOWN_ERRORS + _qiskit_errors()):
        return _one_line(exc).replace("overwrite=True", "--force")
    if isinstance(exc, MemoryError):
        return f"out of memory ({_problem(exc)}): ask for fewer qubits, shots or a smaller window"
    return (
        f"internal error: {type(exc).__name__}: {_problem(exc)}; rerun with 'ttqst --debug' "
        "and report it"
    )


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or _problem(exc)
    if isinstance(exc, OSError) and exc.filename and str(exc.filename) not in text:
        text = f"{text}: {exc.filename}"
    return text


def _problem(exc: BaseException) -> str:
    """What went wrong, in one line: the message of ``exc`` or of its causes, else its type."""
    if isinstance(exc, KeyError) and exc.args:
        return f"missing entry {exc.args[0]!r}"
    seen: BaseException | None = exc
    while seen is not None:
        text = " ".join(str(seen).split())
        if text and text != "None":
            return text
        seen = seen.__cause__ or seen.__context__
    return type(exc).__name__


@contextlib.contextmanager
def _reading(path: Path, what: str) -> Iterator[None]:
    """Read input ``path`` (words ``what``, e.g. ``"data file"``) inside this block: any
    failure becomes an :class:`_InputError` that names the file and the problem.

    Text that a parser prints on stderr (antlr, behind the OpenQASM 3 importer) is caught
    and goes into the message instead.
    """
    stderr = io.StringIO()
    try:
        with contextlib.redirect_stderr(stderr):
            yield
    except (click.ClickException, _InputError):
        _pass_on(stderr.getvalue(), keep_text=True)
        raise
    except Exception as exc:
        printed = _pass_on(stderr.getvalue(), keep_text=False)
        problem = _problem(exc) if isinstance(exc, _KNOWN_ERRORS) else _foreign(exc, printed)
        if str(path) not in problem:
            problem = f"{what} {path}: {problem}"
        raise _InputError(problem) from exc
    else:
        _pass_on(stderr.getvalue(), keep_text=True)


def _pass_on(captured: str, *, keep_text: bool) -> str:
    """Echo the ``Warning:`` lines of ``captured`` stderr (and the other text when
    ``keep_text``); return the other text, in one line."""
    lines = captured.splitlines()
    for line in lines:
        if keep_text or line.startswith("Warning: "):
            click.echo(line, err=True)
    return " ".join(" ".join(x for x in lines if not x.startswith("Warning: ")).split())


def _foreign(exc: BaseException, printed: str = "") -> str:
    """A problem raised by a library while it read a file: its words (or what its parser
    printed) and its kind."""
    kind = type(exc).__name__
    text = _problem(exc)
    if printed and printed not in text:
        text = printed if text == kind else f"{text}: {printed}"
    if isinstance(exc, MemoryError):
        return f"it does not fit in memory ({text})"
    if "QASM" in kind or "Parsing" in kind:
        return f"OpenQASM syntax error ({kind}): {text}"
    return f"cannot be read ({kind}: {text})"


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    click.echo(f"Warning: {category.__name__}: {' '.join(str(message).split())}", err=True)


# ---------------------------------------------------------------------- outputs
def _check_output(path: Path, force: bool, *, npz: bool) -> Path:
    """The path that will be written; refuses an existing one without ``--force``."""
    return _check_outputs(force, [("--output", path, npz)], [])[0]


def _check_outputs(
    force: bool,
    outputs: Sequence[tuple[str, Path | None, bool]],
    inputs: Sequence[tuple[str, Path | None]],
) -> list[Path | None]:
    """Check every output of a command before any work; return the paths to write.

    Parameters
    ----------
    force : bool
        ``--force``: existing outputs may be replaced.
    outputs : sequence of (option, path or None, npz)
        Files the command writes (``.npz`` added when ``npz``); None when not asked for.
    inputs : sequence of (option, path or None)
        Files the command reads: never written, even with ``--force``.

    Raises
    ------
    click.BadParameter
        Two outputs are the same file, or an output is an input.
    FileExistsError
        Outputs exist and ``force`` is False.
    IsADirectoryError, FileNotFoundError
        An output is a folder, or its folder does not exist.
    """
    from .io import archive_path

    for option, path, _ in outputs:
        if path is not None and not Path(path).name:
            raise click.BadParameter(
                f"expected a file name, got {str(path)!r}", param_hint=f"'{option}'"
            )
    paths = [None if p is None else archive_path(p) if npz else Path(p) for _, p, npz in outputs]
    named = [(o, p) for (o, _, _), p in zip(outputs, paths, strict=True) if p is not None]
    for k, (option, path) in enumerate(named):
        _check_writable(option, path)
        for other, earlier in named[:k]:
            if _same_file(path, earlier):
                raise click.BadParameter(
                    f"{path} is also the {other} file; give each output its own file",
                    param_hint=f"'{option}'",
                )
        _refuse_input(option, path, inputs)
    existing = [str(p) for _, p in named if p.exists()]
    if existing and not force:
        verb = "exists" if len(existing) == 1 else "exist"
        them = "it" if len(existing) == 1 else "them"
        raise FileExistsError(f"{' and '.join(existing)} {verb}; pass --force to replace {them}")
    return paths


def _check_writable(option: str, path: Path) -> None:
    """A file name in a folder that exists and that this process may write into."""
    if path.is_dir():
        raise IsADirectoryError(f"{option} {path} is a directory, expected a file name")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"directory {path.parent} does not exist (for {path})")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise PermissionError(f"cannot write {path} ({option}): no permission in {path.parent}")


def _refuse_input(option: str, path: Path, inputs: Sequence[tuple[str, Path | None]]) -> None:
    """Usage error when output ``path`` is one of the ``inputs`` (with or without .npz)."""
    from .io import archive_path

    for label, source in inputs:
        if source is None:
            continue
        if _same_file(path, Path(source)) or _same_file(path, archive_path(source)):
            raise click.BadParameter(
                f"{path} is the input {label} {source}; ttqst never writes over its input, "
                "even with --force: choose another file name",
                param_hint=f"'{option}'",
            )


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (resolved links, or the same inode)."""
    if a.resolve() == b.resolve():
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _check_export_folder(folder: Path, force: bool, qasm: Path | None, n_settings: int) -> None:
    """Check the folder of ``--export-circuits`` before any work (the files it would write)."""
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"--export-circuits {folder} is a file, expected a folder")
    if not folder.parent.is_dir():
        raise FileNotFoundError(f"directory {folder.parent} does not exist (for {folder})")
    ours = re.compile(r"manifest\.json|setting_\d+\.qasm")
    if qasm is not None and _same_file(Path(qasm).parent, folder) and ours.fullmatch(qasm.name):
        raise click.BadParameter(
            f"{folder} holds the input --qasm {qasm}, a name the export writes or replaces; "
            "choose another folder",
            param_hint="'--export-circuits'",
        )
    if not force and folder.is_dir():
        digits = max(4, len(str(n_settings - 1)))
        names = ["manifest.json"] + [f"setting_{i:0{digits}d}.qasm" for i in range(n_settings)]
        clash = [folder / name for name in names if (folder / name).exists()]
        if clash:
            raise FileExistsError(
                f"{clash[0]} exists ({len(clash)} of the files to write); pass --force to "
                "replace them"
            )


# ---------------------------------------------------------------------- sizes
def _check_memory(nbytes: int, option: str, what: str) -> None:
    """Usage error naming ``option`` when ``what`` would need more than this machine's memory
    (the library's rule, :func:`ttcross.validation.check_memory`)."""
    try:
        check_memory(int(nbytes), what, f"lower {option}")
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=f"'{option}'") from None


def _settings_count(window: int) -> int:
    """``3^window``, capped at ``3^200`` (the numbers only go into size checks)."""
    return 3 ** min(window, 200)


def _check_sampling_size(n: int, window: int, shots: int, option: str) -> None:
    """Refuse a measurement whose design or samples cannot fit (the library's sizes:
    :func:`tomography.measure.design_bytes`, :func:`tomography.state.sample_bytes`)."""
    settings = _settings_count(window)
    _check_memory(
        design_bytes(n, min(window, 200)), "--window", f"window {window} ({settings:,} settings)"
    )
    _check_memory(
        sample_bytes(settings, shots, n),
        option,
        f"{shots:,} shots x {settings:,} settings of {n} qubits",
    )


def _check_circuit_size(opts: dict[str, Any]) -> None:
    """Refuse a circuit family too large to build and simulate in this machine's memory."""
    if opts.get("qasm") is None:
        _check_family_size(opts["qubits"], opts["depth"])


def _check_family_size(n: int, depth: int) -> None:
    """Refuse (naming ``--qubits``) a family circuit of ``n`` qubits that cannot fit."""
    _check_memory(
        float(n) * (depth + 1) * _BYTES_PER_QUBIT_LAYER,
        "--qubits",
        f"a {n:,}-qubit circuit of depth {depth}",
    )


class _Real(click.FloatRange):
    """A float range that also refuses NaN and infinities (which pass click's bounds)."""

    name = "float"

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


class _Count(click.IntRange):
    """An integer range whose failure says, in a sentence, what is supported."""

    def __init__(self, min: int | None = None, max: int | None = None, *, why: str) -> None:
        super().__init__(min=min, max=max)
        self.why = why

    def convert(self, value, param, ctx):
        number = click.INT.convert(value, param, ctx)
        try:
            return super().convert(number, param, ctx)
        except click.BadParameter:
            self.fail(f"{number} is not supported: {self.why}", param, ctx)


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
                type=_Count(
                    min=2,
                    why="the circuit families need at least 2 qubits; write a one-qubit "
                    "circuit as an OpenQASM file (--qasm)",
                ),
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
                "--dt", type=_Real(), default=_default(build, "dt"), show_default=True,
                help="Ising step.",
            ),
            click.option(
                "--coupling", type=_Real(), default=_default(build, "coupling"),
                show_default=True, help="Ising ZZ coupling.",
            ),
            click.option(
                "--field", type=_Real(), default=_default(build, "field"), show_default=True,
                help="Ising X field.",
            ),
            click.option(
                *seed_names,
                "circuit_seed",
                type=click.IntRange(min=0),
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
        with _reading(opts["qasm"], "--qasm file"):
            circuit = load_qasm(opts["qasm"])
        if circuit.num_qubits == 0:
            raise ValueError(f"--qasm file {opts['qasm']} declares no qubits: nothing to simulate")
        if _explicit(ctx, "qubits") and opts["qubits"] != circuit.num_qubits:
            raise click.BadParameter(
                f"{opts['qubits']}, but {opts['qasm']} has {circuit.num_qubits} qubits",
                param_hint="'--qubits'",
            )
        return circuit, f"circuit from {opts['qasm']}", True
    _check_circuit_size(opts)
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
            type=_Real(0.0, P1_MAX),
            default=_default(from_rates, "p1"),
            show_default=True,
            help="One-qubit depolarizing parameter after every one-qubit gate.",
        ),
        click.option(
            "--p2",
            type=_Real(0.0, P2_MAX),
            default=_default(from_rates, "p2"),
            show_default=True,
            help="Two-qubit depolarizing parameter after every two-qubit gate.",
        ),
        click.option(
            "--damping",
            type=_Real(0.0, 1.0),
            default=_default(from_rates, "damping"),
            show_default=True,
            help="Amplitude damping probability after every gate (on each of its qubits).",
        ),
        click.option(
            "--t1",
            type=_Real(min=0.0, min_open=True),
            default=_default(from_rates, "t1"),
            help="Thermal relaxation T1 (with --t2; same unit as --gate-times, e.g. ns).",
        ),
        click.option(
            "--t2",
            type=_Real(min=0.0, min_open=True),
            default=_default(from_rates, "t2"),
            help="Thermal dephasing T2 <= 2 T1 (with --t1).",
        ),
        click.option(
            "--gate-times",
            type=(_Real(min=0.0), _Real(min=0.0)),
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
    """``(noise_model or None, description)`` from the noise options, for ``circuit``.

    ``--noisy-gates`` must name gates the circuit has (else a usage error that lists them);
    a rate that reaches no gate of the circuit is left out with a ``Warning:`` line, so the
    description says what is applied.
    """
    if (opts["t1"] is None) != (opts["t2"] is None):
        raise click.UsageError("thermal noise needs both --t1 and --t2")
    names = opts["noisy_gates"]
    if names is not None:
        names = [g.strip() for g in names.split(",") if g.strip()]
        if not names:
            raise click.BadParameter(
                "expected comma-separated gate names", param_hint="'--noisy-gates'"
            )
        try:
            gate_names(names, circuit=circuit, strict=True)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="'--noisy-gates'") from None
        rates = ("p1", "p2", "damping", "t1")
        if not any(opts[r] for r in rates):
            warnings.warn(
                "--noisy-gates has no effect without a gate noise rate (--p1, --p2, "
                "--damping, --t1/--t2)",
                UserWarning,
                stacklevel=2,
            )
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
        circuit=circuit,
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
        type=_Real(min=0.0),
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


# ---------------------------------------------------------------------- compare's text
def _headline(metrics) -> dict[str, Any]:
    local = metrics.local
    return {
        "n": metrics.n,
        "fidelity": metrics.fidelity,
        "trace_distance": metrics.trace_distance,
        "overlap_fidelity": metrics.overlap_fidelity,
        "relative_error": metrics.relative_error,
        "min_local_fidelity": None if local is None else local.min_fidelity,
        "local_width": None if local is None else local.width,
    }


def _metrics_text(metrics) -> str:
    h = _headline(metrics)
    lines = []
    if h["fidelity"] is None:
        lines.append("fidelity: not computed (dense, n <= 12 only)")
    else:
        lines.append(f"fidelity (Uhlmann, both projected onto states): {h['fidelity']:.6f}")
        lines.append(f"trace distance: {h['trace_distance']:.6f}")
    lines.append(f"overlap fidelity tr(ab)/max(tr a^2, tr b^2): {h['overlap_fidelity']:.6f}")
    lines.append(f"relative error ||X_a - X_b||_F / ||X_b||_F: {h['relative_error']:.6f}")
    if h["min_local_fidelity"] is not None:
        worst = int(np.argmin(metrics.local.fidelity))
        lines.append(
            f"min local fidelity ({h['local_width']} qubits): {h['min_local_fidelity']:.6f} "
            f"(qubits {worst}..{worst + h['local_width'] - 1})"
        )
    return "\n".join(lines)
