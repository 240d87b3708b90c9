"""The ``ttqst`` command line (click).

Commands, in pipeline order:

- ``ttqst simulate``: a circuit family or an OpenQASM file, plus noise, to a state file;
- ``ttqst measure``: sample a state file into a data file; or export the measurement circuits
  as OpenQASM files (to run elsewhere), and import their counts back;
- ``ttqst reconstruct``: a data file to a state file and a JSON report;
- ``ttqst compare``: metrics between two state files, or a state file and a simulated truth;
- ``ttqst demo``: all of it in one go.

State and data files are the ``.npz`` archives of :mod:`tomography.io` (their layout is
documented there); reports are JSON (``format: "ttqst-report"``, see
:func:`tomography.io.reconstruction_report`).

Exit codes: 0 success; 1 a failure at run time, including bad input files (one line
``Error: ...`` on stderr, the traceback only with ``ttqst --debug``); 2 a usage error (bad or
missing options, click's own message). Progress bars go to stderr, only when it is a terminal
and a step takes more than a second; ``--quiet`` turns them off.
"""

from __future__ import annotations

import functools
import json
import math
import re
import sys
import time
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
MANIFEST_NAME = "manifest.json"
"""File name of the manifest that ``ttqst measure --export-circuits`` writes."""
MANIFEST_FORMAT = "ttqst-circuits"
MANIFEST_VERSION = 1
COMPARISON_FORMAT = "ttqst-comparison"
COMPARISON_VERSION = 1


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
            from tqdm.auto import tqdm

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
    if path.exists() and not force:
        raise FileExistsError(f"{path} exists; pass --force to replace it")
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a directory, expected a file name")
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


def load_qasm(path: str | Path):
    """A state-preparation circuit from an OpenQASM 2 or 3 file.

    The version comes from the ``OPENQASM 2.0;`` / ``OPENQASM 3.0;`` header. OpenQASM 2 is
    read by ``qiskit.qasm2.loads`` with Qiskit's legacy gate set (so ``u``, ``rzz``, ...
    exported by Qiskit load back); OpenQASM 3 by ``qiskit.qasm3.loads`` when the
    ``qiskit-qasm3-import`` package is installed, else by Qiskit's native (experimental)
    importer, which knows the ``stdgates.inc`` gates only. Final measurements are dropped,
    and gates outside Qiskit's standard gate set are replaced by their definitions.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    qiskit.QuantumCircuit
        No classical bits.

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    ValueError
        No OpenQASM 2/3 header, or measurements before the last gates.
    qiskit.exceptions.QiskitError
        The file does not parse.
    """
    from qiskit import qasm2, qasm3
    from qiskit.exceptions import MissingOptionalLibraryError

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
    if header.group(1) == "2":
        circuit = qasm2.loads(
            text,
            include_path=(str(path.parent),),
            custom_instructions=qasm2.LEGACY_CUSTOM_INSTRUCTIONS,
        )
    else:
        try:
            circuit = qasm3.loads(text)
        except MissingOptionalLibraryError:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # ExperimentalWarning of the native importer
                circuit = qasm3.loads_experimental(text, include_path=(str(path.parent),))
    circuit = circuit.remove_final_measurements(inplace=False)
    if circuit.num_clbits:
        raise ValueError(
            f"{path} measures or uses classical bits before its last gates; ttqst takes the "
            "state preparation only (final measurements are fine)"
        )
    return standard_gates(circuit)


def standard_gates(circuit):
    """``circuit`` with every gate outside Qiskit's standard gate set (custom gates, Haar
    ``unitary`` gates) replaced by its definition, repeatedly, so that any OpenQASM reader
    and any simulator can run it."""
    from qiskit.circuit.library import get_standard_gate_name_mapping

    standard = set(get_standard_gate_name_mapping()) | _NOT_GATES
    for _ in range(20):
        other = {i.operation.name for i in circuit.data if i.operation.name not in standard}
        if not other:
            return circuit
        circuit = circuit.decompose(gates_to_decompose=sorted(other))
    raise ValueError(f"gates {sorted(other)} do not decompose into standard gates")


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
        if op.name not in _NOT_GATES:
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
            max_bond=opts["max_bond"],
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
        "--max-bond",
        type=click.IntRange(min=1),
        default=None,
        help="Cap on the MPO bond dimension (the truncation is reported).",
    )(func)


def _dims_text(dims: tuple[int, ...]) -> str:
    if len(dims) <= 24:
        return ",".join(map(str, dims))
    return ",".join(map(str, dims[:10])) + ",...," + ",".join(map(str, dims[-10:]))


# ---------------------------------------------------------------------- the group
@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ttqst")
@click.option(
    "--debug", is_flag=True, help="On errors, show the full Python traceback (for bug reports)."
)
def main(debug: bool) -> None:
    """ttqst: tomography of noisy 1D quantum circuits by tensor-train cross.

    Pipeline: simulate (or run the exported circuits elsewhere) -> measure -> reconstruct ->
    compare. Exit codes: 0 ok, 1 failure (one 'Error:' line), 2 usage error.

    \b
    Example:
      ttqst demo --qubits 10 --shots 10000
      ttqst simulate --qubits 8 --depth 2 --p2 0.01 -o truth.npz
      ttqst measure truth.npz --window 5 --shots 2000 -o data.npz
      ttqst reconstruct data.npz -o estimate.npz --report report.json
      ttqst compare estimate.npz truth.npz
    """


# ---------------------------------------------------------------------- simulate
@main.command("simulate")
@_circuit_options(("--seed", "--circuit-seed"))
@_noise_options
@_simulation_options
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="State file to write (.npz added when missing).",
)
@_force_option
@_quiet_option
@_guarded
def simulate_command(output: Path, force: bool, quiet: bool, **opts: Any) -> None:
    """Simulate a noisy circuit exactly (Pauli MPO) and write the state file.

    The circuit is a family (--circuit, --qubits, --depth/--steps, --seed, ...) or an
    OpenQASM 2/3 file (--qasm). Gate noise (--p1, --p2, --damping, --t1/--t2) enters the
    state; readout error (--readout) is stored with it and applied when it is measured.
    Prints one line: qubits, bond dimensions, truncation error and the trace kept.

    \b
    Example:
      ttqst simulate --circuit brickwork --qubits 8 --depth 2 --seed 1 \\
          --p1 0.001 --p2 0.01 --readout 0.02 -o truth.npz
      ttqst simulate --qasm prep.qasm --p2 0.01 --max-bond 64 -o truth.npz --force
    """
    path = _check_output(output, force, npz=True)
    state, info, text = _simulate_truth(opts, quiet)
    written = state.save(path, overwrite=force)
    click.echo(
        f"wrote {written}: {state.n} qubits ({text}); bond dims {_dims_text(state.bond_dims)} "
        f"(max {max(state.bond_dims, default=1)}); {info.n_gates} ops, "
        f"{len(info.discarded_weights)} truncations, truncation error "
        f"{info.truncation_error:.3g}, trace kept {info.trace_before_normalization:.6g}"
    )


# ---------------------------------------------------------------------- measure
_COUNTS_LAYOUT = (
    "counts.json is one JSON object: each key is a setting string, character k the basis "
    "(X, Y or Z) of qubit k, as listed in the manifest; each value an object mapping "
    "bitstrings to counts in Qiskit order (qubit 0 is the right-most character; 0 = +1 "
    "eigenvalue, 1 = -1 eigenvalue). Every setting of the design must be present."
)


@main.command("measure")
@click.argument("state_file", required=False, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Data file to write (.npz added when missing).",
)
@click.option(
    "--window",
    type=click.IntRange(min=1),
    default=None,
    help="Window w of the design (3^w settings). Default: 5 (at most the qubits); with "
    "--from-counts, inferred from the number of settings.",
)
@click.option(
    "--shots", type=click.IntRange(min=1), default=1000, show_default=True, help="Per setting."
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the sampling.")
@click.option(
    "--readout-error",
    type=_ReadoutType(),
    default=None,
    help="Readout error P or P01,P10 applied to every outcome (replaces one stored in the "
    "state file).",
)
@click.option(
    "--mitigate",
    is_flag=True,
    help="Store the readout matrices in the data file, so reconstruct undoes them.",
)
@click.option(
    "--export-circuits",
    "export_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write the 3^w measurement circuits of --qasm or --circuit as OpenQASM files and a "
    "manifest.json into this folder, instead of sampling.",
)
@click.option(
    "--qasm-version",
    type=click.Choice(["2", "3"]),
    default="2",
    show_default=True,
    help="OpenQASM version of the exported circuits.",
)
@click.option(
    "--from-counts",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Import counts of the exported circuits from a JSON file (layout below).",
)
@_circuit_options(("--circuit-seed",))
@_force_option
@_quiet_option
@_guarded
def measure_command(
    state_file: Path | None,
    output: Path | None,
    window: int | None,
    shots: int,
    seed: int,
    readout_error: tuple[float, float] | None,
    mitigate: bool,
    export_dir: Path | None,
    qasm_version: str,
    from_counts: Path | None,
    force: bool,
    quiet: bool,
    **opts: Any,
) -> None:
    """Measure a state with the 3^w settings of window w; export or import circuits.

    Three modes (exactly one):

    \b
    STATE_FILE -o DATA        sample the state file (shots per setting) into a data file;
    --export-circuits DIR     write the measurement circuits of --qasm FILE or --circuit
                              (setting_0000.qasm, ...) and manifest.json (settings, bit
                              order, design) to run on hardware or another simulator;
    --from-counts JSON -o DATA  import their counts into a data file.

    Layout of the counts file: one JSON object; each key a setting string (character k is
    the basis X, Y or Z of qubit k, as in the manifest), each value an object mapping
    bitstrings to counts in Qiskit bit order (qubit 0 is the right-most character, 0 = +1
    and 1 = -1 eigenvalue), e.g. {"XXX": {"000": 510, "011": 490}, "XXY": {...}, ...}.
    Every setting of the design must be present.

    \b
    Example:
      ttqst measure truth.npz --window 5 --shots 2000 --seed 1 -o data.npz
      ttqst measure --export-circuits circuits/ --qasm prep.qasm --window 3
      ttqst measure --from-counts counts.json --window 3 -o data.npz
    """
    modes = [state_file is not None, export_dir is not None, from_counts is not None]
    if sum(modes) != 1:
        raise click.UsageError(
            "give exactly one of STATE_FILE, --export-circuits DIR or --from-counts FILE"
        )
    if export_dir is not None:
        if output is not None:
            raise click.UsageError("--export-circuits writes into its folder; drop -o/--output")
        _export_circuits(export_dir, window, int(qasm_version), force, opts)
        return
    if output is None:
        raise click.UsageError("missing option '-o' / '--output' (the data file to write)")
    path = _check_output(output, force, npz=True)
    if from_counts is not None:
        if readout_error is not None or mitigate:
            raise click.UsageError("--readout-error and --mitigate apply to a STATE_FILE")
        data = _data_from_counts(from_counts, window)
        source = f"counts from {from_counts}"
    else:
        data = _sample_state(state_file, window, shots, seed, readout_error, mitigate, quiet)
        source = f"{shots} shots per setting from {state_file}"
    written = data.save(path, overwrite=force)
    click.echo(
        f"wrote {written}: {data.n} qubits, window {data.design.window}, "
        f"{data.design.n_settings} settings, {data.total_shots:,} shots ({source})"
    )


def _sample_state(state_file, window, shots, seed, readout_error, mitigate, quiet):
    from .measure import MeasurementDesign, measure
    from .state import PauliMPO

    state = PauliMPO.load(state_file)
    window = min(5, state.n) if window is None else window
    if window > state.n:
        raise click.BadParameter(f"{window} exceeds the {state.n} qubits", param_hint="'--window'")
    if readout_error is not None:
        p01, p10 = readout_error
        matrix = np.array([[1.0 - p01, p10], [p01, 1.0 - p10]])
        state = state.with_readout(np.tile(matrix, (state.n, 1, 1)))
    design = MeasurementDesign(state.n, window)
    with _Progress("measure", "shot", quiet) as bar:
        data = measure(state, design, shots, seed=seed, progress=bar)
    if mitigate:
        if state.readout is None:
            raise ValueError(
                f"--mitigate: {state_file} has no readout error and none was given "
                "(--readout-error)"
            )
        data = data.with_assignment(state.readout)
    return data


def _data_from_counts(counts_file: Path, window: int | None):
    from .measure import MeasurementData, MeasurementDesign

    if not counts_file.is_file():
        raise FileNotFoundError(f"no file at {counts_file} (expected a counts JSON file)")
    try:
        table = json.loads(counts_file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{counts_file} is not a JSON file: {exc}") from exc
    if not isinstance(table, dict) or not table:
        raise ValueError(
            f"{counts_file}: expected a non-empty JSON object {{setting: {{bitstring: count}}}}"
        )
    if not all(isinstance(v, dict) for v in table.values()):
        raise ValueError(f"{counts_file}: every value must be an object {{bitstring: count}}")
    lengths = {len(k) for k in table}
    if len(lengths) != 1:
        raise ValueError(f"{counts_file}: setting strings of different lengths {sorted(lengths)}")
    n = lengths.pop()
    if window is None:
        window = round(math.log(len(table), 3))
        if 3**window != len(table):
            raise ValueError(
                f"{counts_file} has {len(table)} settings, not a power of 3; pass --window"
            )
    design = MeasurementDesign(n, window)
    missing = [s for s in design.settings if s not in table]
    extra = sorted(set(table) - set(design.settings))
    if extra:
        raise ValueError(
            f"{counts_file}: setting {extra[0]!r} is not in the window-{window} design on {n} "
            f"qubits ({len(extra)} such); settings are strings over XYZ, character k for qubit k"
        )
    if missing:
        raise ValueError(
            f"{counts_file}: setting {missing[0]!r} missing: expected {design.n_settings} "
            f"(3^{window}), got {len(table)}"
        )
    return MeasurementData.from_counts(design, [table[s] for s in design.settings])


def _export_circuits(folder: Path, window: int | None, version: int, force: bool, opts) -> None:
    from qiskit import qasm2, qasm3

    from .measure import MeasurementDesign

    circuit, text, _ = _build_circuit(opts)
    window = min(5, circuit.num_qubits) if window is None else window
    if window > circuit.num_qubits:
        raise click.BadParameter(
            f"{window} exceeds the circuit's {circuit.num_qubits} qubits", param_hint="'--window'"
        )
    design = MeasurementDesign(circuit.num_qubits, window)
    digits = max(4, len(str(design.n_settings - 1)))
    names = [f"setting_{i:0{digits}d}.qasm" for i in range(design.n_settings)]
    manifest_path = folder / MANIFEST_NAME
    clash = [folder / f for f in [MANIFEST_NAME, *names] if (folder / f).exists()]
    if clash and not force:
        raise FileExistsError(
            f"{clash[0]} exists ({len(clash)} of the files to write); pass --force to replace"
        )
    if not folder.parent.is_dir():
        raise FileNotFoundError(f"directory {folder.parent} does not exist (for {folder})")
    folder.mkdir(exist_ok=True)
    if force:  # circuits of an earlier export that this one does not overwrite
        for stale in set(folder.glob("setting_*.qasm")) - {folder / f for f in names}:
            stale.unlink()
    dumps = qasm2.dumps if version == 2 else qasm3.dumps
    for name, measured in zip(names, design.circuits(standard_gates(circuit)), strict=True):
        (folder / name).write_text(dumps(measured) + "\n", encoding="utf-8")
    manifest = {
        "format": MANIFEST_FORMAT,
        "version": MANIFEST_VERSION,
        "n": design.n,
        "window": design.window,
        "n_settings": design.n_settings,
        "qasm_version": version,
        "circuit": text,
        "bit_order": (
            "qubit k is measured into clbit k of the register 'meas'; in Qiskit bitstrings "
            "qubit 0 is the right-most character; 0 = +1 and 1 = -1 eigenvalue"
        ),
        "bases": "setting character k is the basis of qubit k: X (h), Y (sdg, h), Z (none)",
        "counts_layout": _COUNTS_LAYOUT,
        "import": f"ttqst measure --from-counts counts.json --window {design.window} -o data.npz",
        "settings": [
            {"index": i, "setting": s, "file": f}
            for i, (s, f) in enumerate(zip(design.settings, names, strict=True))
        ],
    }
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    click.echo(
        f"wrote {design.n_settings} OpenQASM {version} circuits and {manifest_path} "
        f"({design.n} qubits, window {design.window}; {text})"
    )


# ---------------------------------------------------------------------- reconstruct
@main.command("reconstruct")
@click.argument("data_file", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="State file to write (.npz added when missing).",
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write a JSON report (ranks, per-cut diagnostics, bound, warnings, timings).",
)
@click.option(
    "--window",
    type=click.IntRange(min=1),
    default=None,
    help="Odd fibre window 2l+1, at most the design's (default: the design's, or one less).",
)
@click.option("--rank", type=click.IntRange(min=1), default=None, help="Cap on the bond dimension.")
@click.option(
    "--method",
    type=click.Choice(["cross"]),
    default="cross",
    show_default=True,
    help="Reconstruction method.",
)
@click.option(
    "--index-sets",
    type=click.Choice(["all", "maxvol"]),
    default="all",
    show_default=True,
    help="All local strings with regularised inverses, or maxvol subsets.",
)
@click.option(
    "--regularization",
    type=click.Choice(["tikhonov", "truncation"]),
    default="tikhonov",
    show_default=True,
    help="Inverse of the intersection matrices.",
)
@click.option(
    "--noise-scale",
    type=click.FloatRange(min=0.0),
    default=0.75,
    show_default=True,
    help="Regularisation as a multiple of the estimated shot noise.",
)
@click.option(
    "--repair/--no-repair",
    default=False,
    show_default=True,
    help="Project the estimate onto states (dense, n <= 12).",
)
@click.option(
    "--refine/--no-refine",
    default=False,
    show_default=True,
    help="Fit the cores to every measured string afterwards.",
)
@click.option("--bound/--no-bound", default=True, show_default=True, help="Compute the bound.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of --refine.")
@click.option(
    "--truth",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="State file of the true state: adds fidelity and other metrics to report and output.",
)
@_force_option
@_quiet_option
@_guarded
def reconstruct_command(
    data_file: Path,
    output: Path,
    report: Path | None,
    window: int | None,
    rank: int | None,
    method: str,
    index_sets: str,
    regularization: str,
    noise_scale: float,
    repair: bool,
    refine: bool,
    bound: bool,
    seed: int,
    truth: Path | None,
    force: bool,
    quiet: bool,
) -> None:
    """Reconstruct the state (Pauli MPO) from a data file by cross; write it and a report.

    Prints ranks, negativity, the consistency with the data and the error bound; the
    reconstruction's warnings (window too narrow, long-range correlations, ill-conditioning)
    go to stderr and into the report.

    \b
    Example:
      ttqst reconstruct data.npz -o estimate.npz --report report.json
      ttqst reconstruct data.npz -o estimate.npz --window 3 --rank 16 --refine --seed 1
    """
    from .io import reconstruction_report, write_report
    from .measure import MeasurementData
    from .reconstruct import reconstruct
    from .state import PauliMPO

    started = time.perf_counter()
    path = _check_output(output, force, npz=True)
    if report is not None:
        _check_output(report, force, npz=False)
    data = MeasurementData.load(data_file)
    true_state = PauliMPO.load(truth) if truth is not None else None
    loaded = time.perf_counter()
    with _Progress("reconstruct", "site", quiet) as bar:
        result = reconstruct(
            data,
            window=window,
            rank=rank,
            method=method,
            index_sets=index_sets,
            regularization=regularization,
            noise_scale=noise_scale,
            compute_bound=bound,
            repair=repair,
            refine=refine,
            seed=seed,
            progress=bar,
        )
    written = result.state.save(path, overwrite=force)
    click.echo(
        f"reconstructed {data.n} qubits from {result.settings} settings, "
        f"{data.total_shots:,} shots in {result.seconds:.2f} s: ranks "
        f"{_dims_text(result.ranks)}, negativity {_number(result.negativity)}, consistency "
        f"{result.consistency:.3g}"
    )
    if result.bound is not None:
        click.echo(f"error bound on ||X - X_hat||_F: {_bound_text(result.bound)}")
    comparison = None
    if true_state is not None:
        comparison = _compare(result.state, true_state, 3)
        click.echo(_metrics_text(comparison))
    click.echo(f"wrote {written}")
    if report is not None:
        inputs = {
            "data_file": str(data_file),
            "output": str(written),
            "truth": None if truth is None else str(truth),
            "n": data.n,
            "design_window": data.design.window,
            "options": {
                "window": window,
                "rank": rank,
                "method": method,
                "index_sets": index_sets,
                "regularization": regularization,
                "noise_scale": noise_scale,
                "repair": repair,
                "refine": refine,
                "bound": bound,
                "seed": seed,
            },
        }
        timings = {"load": loaded - started, "total": time.perf_counter() - started}
        content = reconstruction_report(
            result, inputs=inputs, timings=timings, comparison=comparison
        )
        click.echo(f"wrote {write_report(report, content, overwrite=force)}")


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3g}"


# ---------------------------------------------------------------------- compare
@main.command("compare")
@click.argument("estimate", type=click.Path(path_type=Path))
@click.argument("truth", required=False, type=click.Path(path_type=Path))
@_circuit_options(("--seed", "--circuit-seed"))
@_noise_options
@_simulation_options
@click.option(
    "--width",
    type=click.IntRange(1, 8),
    default=3,
    show_default=True,
    help="Qubits per window of the local fidelities.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@_quiet_option
@_guarded
def compare_command(
    estimate: Path, truth: Path | None, width: int, as_json: bool, quiet: bool, **opts: Any
) -> None:
    """Compare a state file with the truth: a second state file, or a circuit simulated here.

    Prints the Uhlmann fidelity and trace distance (both states projected onto states; dense,
    n <= 12), the overlap fidelity tr(ab)/max(tr a^2, tr b^2), the relative error of the Pauli
    tensors and the smallest fidelity of the --width-qubit marginals. Without TRUTH, give the
    circuit and noise options used for `ttqst simulate` (the truth is simulated again).

    \b
    Example:
      ttqst compare estimate.npz truth.npz
      ttqst compare estimate.npz --circuit brickwork --qubits 8 --depth 2 --seed 1 --p2 0.01
      ttqst compare estimate.npz truth.npz --json
    """
    from .state import PauliMPO

    ctx = click.get_current_context()
    truth_options = [
        name for name in ("circuit", "qasm", "p1", "p2", "damping", "t1", "t2", "readout")
        if _explicit(ctx, name)
    ]  # fmt: skip
    if truth is not None and truth_options:
        raise click.UsageError(
            f"give the truth either as a state file or by circuit options, not both "
            f"(--{truth_options[0]} given with {truth})"
        )
    if truth is None and not ({"circuit", "qasm"} & set(truth_options)):
        raise click.UsageError(
            "missing the true state: a second state file, or --circuit/--qasm with the options "
            "it was simulated with"
        )
    est_state = PauliMPO.load(estimate)
    if truth is not None:
        true_state, truth_text = PauliMPO.load(truth), str(truth)
    else:
        true_state, _, truth_text = _simulate_truth(opts, quiet)
    metrics = _compare(est_state, true_state, width)
    if as_json:
        from .io import to_jsonable

        out = {
            "format": COMPARISON_FORMAT,
            "version": COMPARISON_VERSION,
            "estimate": str(estimate),
            "truth": truth_text,
            **_headline(metrics),
            "metrics": metrics,
        }
        click.echo(json.dumps(to_jsonable(out), indent=2, allow_nan=False))
        return
    click.echo(f"estimate {estimate} vs truth {truth_text} ({metrics.n} qubits)")
    click.echo(_metrics_text(metrics))


def _compare(estimate, truth, width: int):
    from .metrics import compare

    if estimate.n != truth.n:
        raise ValueError(
            f"qubit count mismatch: the estimate has {estimate.n}, the truth {truth.n}"
        )
    return compare(estimate, truth, width=min(width, estimate.n))


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


# ---------------------------------------------------------------------- demo
@main.command()
@click.option(
    "--qubits",
    "n",
    type=click.IntRange(min=2),
    default=10,
    show_default=True,
    help="Number of qubits.",
)
@click.option(
    "--depth", type=click.IntRange(min=0), default=2, show_default=True, help="Brickwork depth."
)
@click.option(
    "--window",
    type=click.IntRange(min=3),
    default=5,
    show_default=True,
    help="Measurement window w (3^w settings), at most --qubits.",
)
@click.option(
    "--shots",
    type=click.IntRange(min=1),
    default=10000,
    show_default=True,
    help="Shots per setting.",
)
@click.option(
    "--p2",
    type=click.FloatRange(0.0, 16 / 15),
    default=0.01,
    show_default=True,
    help="Two-qubit depolarizing probability.",
)
@click.option("--seed", default=7, show_default=True, help="Seed of circuit and sampling.")
@click.option(
    "--refine/--no-refine",
    default=False,
    show_default=True,
    help="Also fit the cores to every measured string and print the fidelity after it.",
)
@_guarded
def demo(n: int, depth: int, window: int, shots: int, p2: float, seed: int, refine: bool) -> None:
    """Simulate, measure, reconstruct and score a noisy brickwork state.

    \b
    Example:
      ttqst demo --qubits 8 --depth 2 --window 5 --shots 10000
    """
    from .circuits import brickwork
    from .measure import MeasurementDesign, measure
    from .metrics import fidelity, overlap_fidelity
    from .noise import depolarizing
    from .reconstruct import reconstruct
    from .simulate import simulate

    if window > n:
        raise click.BadParameter(f"{window} exceeds --qubits {n}", param_hint="'--window'")
    started = time.perf_counter()
    circuit = brickwork(n, depth, seed=seed)
    truth = simulate(circuit, depolarizing(p2 / 10, p2))
    click.echo(
        f"state: {n}-qubit Haar brickwork, depth {depth}, depolarizing p2={p2}; "
        f"exact MPO bond dimension {max(truth.bond_dims)}"
    )
    design = MeasurementDesign(n, window)
    data = measure(truth, design, shots, seed=seed)
    click.echo(
        f"measured: {design.n_settings} settings x {shots} shots = {data.total_shots:,} copies"
    )
    result = reconstruct(data)
    click.echo(
        f"reconstructed in {result.seconds:.2f} s: bond dimension {max(result.ranks)}, "
        f"negativity {result.negativity:.3g}"
    )
    if n <= 12:
        uhlmann = fidelity(truth, result.state)
        click.echo(f"fidelity (Uhlmann, estimate projected onto states): {uhlmann:.4f}")
    overlap = overlap_fidelity(truth, result.state)
    click.echo(f"overlap fidelity tr(ab)/max(tr a^2, tr b^2): {overlap:.4f}")
    if result.bound is not None:
        click.echo(f"error bound on ||X - X_hat||_F (Pauli tensor): {_bound_text(result.bound)}")
    if refine:
        from .refine import refine as refine_state

        fit = refine_state(result.state, data, seed=seed)
        after = fidelity(truth, fit.state) if n <= 12 else overlap_fidelity(truth, fit.state)
        click.echo(
            f"refined in {fit.seconds:.2f} s ({fit.iterations} iterations, stopped: "
            f"{fit.stopped_because}): {'fidelity' if n <= 12 else 'overlap fidelity'} "
            f"{after:.4f}"
        )
    click.echo(f"total time {time.perf_counter() - started:.1f} s")


def _bound_text(bound) -> str:
    """One line for a ttcross.bounds.CrossBound."""
    if np.isfinite(bound.value):
        return f"{bound.value:.3g} (holds with probability >= {bound.probability:.2g})"
    return (
        f"not resolved: at {len(bound.violations)} cut(s) the shot noise is as large as "
        "singular values the estimate keeps, so no rigorous bound follows (more shots resolve it)"
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
