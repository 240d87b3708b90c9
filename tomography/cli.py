"""The ``ttqst`` command line (click).

Commands, in pipeline order:

- ``ttqst simulate``: a circuit family or an OpenQASM file, plus noise, to a state file;
- ``ttqst measure``: sample a state file into a data file; or export the measurement circuits
  as OpenQASM files (to run elsewhere), and import their counts back;
- ``ttqst reconstruct``: a data file to a state file and a JSON report;
- ``ttqst compare``: metrics between two state files, or a state file and a simulated truth;
- ``ttqst demo``: all of it in one go;
- ``ttqst sweep`` / ``ttqst plot``: grids of runs from a TOML spec on Dask, and their figure
  (:mod:`tomography.sweep`; the commands live in ``tomography._cli_sweep``).

State and data files are the ``.npz`` archives of :mod:`tomography.io` (their layout is
documented there); reports are JSON (``format: "ttqst-report"``, see
:func:`tomography.io.reconstruction_report`).

Exit codes: 0 success; 1 a failure at run time, including bad input files (one line
``Error: ...`` on stderr, the traceback only with ``ttqst --debug``); 2 a usage error (bad or
missing options, click's own message). Progress bars go to stderr, only when it is a terminal
and a step takes more than a second; ``--quiet`` turns them off.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from ._cli_bootstrap import bootstrap_options, run_bootstrap, target_fidelity_of, target_option
from ._cli_support import (
    _bound_text,
    _build_circuit,
    _check_export_folder,
    _check_family_size,
    _check_memory,
    _check_outputs,
    _check_sampling_size,
    _circuit_options,
    _Count,
    _default,
    _dims_text,
    _explicit,
    _force_option,
    _guarded,
    _headline,
    _metrics_text,
    _noise_options,
    _quiet_option,
    _reading,
    _ReadoutType,
    _Real,
    _reject_unused,
    _settings_count,
    _simulate_truth,
    _simulation_options,
)
from ._cli_sweep import plot_command, sweep_command
from .circuits import build
from .exchange import export_measurement_circuits, load_counts
from .measure import MeasurementDesign, design_bytes
from .metrics import compare
from .noise import P2_MAX, from_rates
from .progress import ProgressBar
from .reconstruct import INDEX_SETS, REGULARIZATIONS, reconstruct

_WINDOW = _default(MeasurementDesign, "window")
_WIDTH = _default(compare, "width")

COMPARISON_FORMAT = "ttqst-comparison"
"""``format`` of the JSON that ``ttqst compare --json`` prints."""
COMPARISON_VERSION = 1


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
    --noisy-gates must name gates of the circuit; a rate that reaches no gate of it (--p1 on
    the Haar brickwork) is left out with a warning. Prints one line: qubits, bond dimensions,
    truncation error and the trace kept.

    \b
    Example:
      ttqst simulate --circuit brickwork --qubits 8 --depth 2 --seed 1 \\
          --p2 0.01 --readout 0.02 -o truth.npz
      ttqst simulate --qasm prep.qasm --p2 0.01 --max-rank 64 -o truth.npz --force
    """
    (path,) = _check_outputs(force, [("--output", output, True)], [("--qasm", opts["qasm"])])
    state, info, text = _simulate_truth(opts, quiet)
    written = state.save(path, overwrite=force)
    click.echo(
        f"wrote {written}: {state.n} qubits ({text}); bond dims {_dims_text(state.bond_dims)} "
        f"(max {max(state.bond_dims, default=1)}); {info.n_gates} ops, "
        f"{len(info.discarded_weights)} truncations, truncation error "
        f"{info.truncation_error:.3g}, trace kept {info.trace_before_normalization:.6g}"
    )


# ---------------------------------------------------------------------- measure
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
    help=f"Window w of the design (3^w settings). Default: {_WINDOW} (at most the qubits); "
    "with --from-counts, inferred from the number of settings.",
)
@click.option(
    "--shots", type=click.IntRange(min=1), default=1000, show_default=True, help="Per setting."
)
@click.option(
    "--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Seed of the sampling."
)
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
    default=str(_default(export_measurement_circuits, "qasm_version")),
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
    sampling = ("shots", "seed", "readout_error", "mitigate")
    circuit = ("circuit", "qasm", "qubits", "depth", "gates", "dt", "coupling", "field")
    if export_dir is not None:
        _reject_unused(sampling, "--export-circuits")
    elif from_counts is not None:
        _reject_unused((*sampling, *circuit, "circuit_seed", "qasm_version"), "--from-counts")
    else:
        _reject_unused((*circuit, "circuit_seed", "qasm_version"), "a STATE_FILE")
    if export_dir is not None:
        if output is not None:
            raise click.UsageError("--export-circuits writes into its folder; drop -o/--output")
        _export(export_dir, window, int(qasm_version), force, opts)
        return
    if output is None:
        raise click.UsageError("missing option '-o' / '--output' (the data file to write)")
    inputs = [("STATE_FILE", state_file), ("--from-counts", from_counts)]
    (path,) = _check_outputs(force, [("--output", output, True)], inputs)
    if from_counts is not None:
        if window is not None:
            settings = _settings_count(window)
            _check_memory(design_bytes(window, window), "--window", f"{settings:,} settings")
        with _reading(from_counts, "counts file"):
            data = load_counts(from_counts, window=window)
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
    from .circuit_ops import assignment_matrices
    from .measure import measure
    from .state import PauliMPO

    with _reading(state_file, "state file"):
        state = PauliMPO.load(state_file)
    window = min(_WINDOW, state.n) if window is None else window
    if window > state.n:
        raise click.BadParameter(
            f"{window} exceeds the {state.n} qubits; the largest window is {state.n}",
            param_hint="'--window'",
        )
    _check_sampling_size(state.n, window, shots, "--shots")
    if readout_error is not None:
        noise, _ = from_rates(readout=readout_error)
        state = state.with_assignment(assignment_matrices(noise, state.n))
    if mitigate and state.assignment is None:
        raise ValueError(
            f"--mitigate: {state_file} has no readout error and none was given (--readout-error)"
        )
    design = MeasurementDesign(state.n, window)
    with ProgressBar("measure", "shot", enabled=False if quiet else None) as bar:
        data = measure(state, design, shots, seed=seed, progress=bar)
    return data.with_assignment(state.assignment) if mitigate else data


def _export(folder: Path, window: int | None, version: int, force: bool, opts) -> None:
    circuit, text, _ = _build_circuit(opts)
    window = min(_WINDOW, circuit.num_qubits) if window is None else window
    if window > circuit.num_qubits:
        raise click.BadParameter(
            f"{window} exceeds the circuit's {circuit.num_qubits} qubits; the largest window is "
            f"{circuit.num_qubits}",
            param_hint="'--window'",
        )
    settings = _settings_count(window)
    _check_memory(
        settings * circuit.num_qubits * 2048.0,
        "--window",
        f"{settings:,} measurement circuits of {circuit.num_qubits} qubits",
    )
    _check_export_folder(folder, force, opts["qasm"], settings)
    design = MeasurementDesign(circuit.num_qubits, window)
    manifest = export_measurement_circuits(
        circuit, design, folder, qasm_version=version, description=text, overwrite=force
    )
    click.echo(
        f"wrote {design.n_settings} OpenQASM {version} circuits and {manifest} "
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
@click.option(
    "--max-rank", type=click.IntRange(min=1), default=None, help="Cap on the bond dimension."
)
@click.option(
    "--method",
    type=click.Choice([_default(reconstruct, "method")]),  # the only method so far
    default=_default(reconstruct, "method"),
    show_default=True,
    help="Reconstruction method.",
)
@click.option(
    "--index-sets",
    type=click.Choice(INDEX_SETS),
    default=_default(reconstruct, "index_sets"),
    show_default=True,
    help="All local strings with regularised inverses, or maxvol subsets.",
)
@click.option(
    "--regularization",
    type=click.Choice(REGULARIZATIONS),
    default=_default(reconstruct, "regularization"),
    show_default=True,
    help="Inverse of the intersection matrices.",
)
@click.option(
    "--noise-scale",
    type=_Real(min=0.0),
    default=_default(reconstruct, "noise_scale"),
    show_default=True,
    help="Regularisation as a multiple of the estimated shot noise.",
)
@click.option(
    "--repair/--no-repair",
    default=_default(reconstruct, "repair"),
    show_default=True,
    help="Project the estimate onto states (dense, n <= 12).",
)
@click.option(
    "--refine/--no-refine",
    default=False,
    show_default=True,
    help="Then fit a positive semidefinite (purified) model to the raw counts by maximum "
    "likelihood, starting from the cross estimate (tomography.refine.refine's defaults).",
)
@click.option(
    "--bound/--no-bound",
    default=_default(reconstruct, "compute_bound"),
    show_default=True,
    help="Compute the bound.",
)
@click.option(
    "--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Seed of --refine."
)
@click.option(
    "--truth",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="State file of the true state: adds fidelity and other metrics to report and output.",
)
@bootstrap_options
@_force_option
@_quiet_option
@_guarded
def reconstruct_command(
    data_file: Path,
    output: Path,
    report: Path | None,
    window: int | None,
    max_rank: int | None,
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
    **boot: Any,
) -> None:
    """Reconstruct the state (Pauli MPO) from a data file by cross; write it and a report.

    Prints ranks, negativity, the consistency with the data and the error bound; the
    reconstruction's warnings (window too narrow, long-range correlations, ill-conditioning)
    go to stderr and into the report. With --bootstrap R, the pipeline (cross, or cross and
    --refine) is repeated on R resampled data sets for 95% intervals (tomography.bootstrap).

    \b
    Example:
      ttqst reconstruct data.npz -o estimate.npz --report report.json
      ttqst reconstruct data.npz -o est.npz --bootstrap 200 --target c.qasm --observable ZZIII
      ttqst reconstruct data.npz -o estimate.npz --window 3 --max-rank 16 --refine --seed 1
    """
    from .io import reconstruction_report, write_report
    from .measure import MeasurementData
    from .refine import refine as refine_state
    from .state import PauliMPO

    started = time.perf_counter()
    path, _ = _check_outputs(
        force,
        [("--output", output, True), ("--report", report, False)],
        [("DATA_FILE", data_file), ("--truth", truth)],
    )
    with _reading(data_file, "data file"):
        data = MeasurementData.load(data_file)
    true_state = None
    if truth is not None:
        with _reading(truth, "--truth state file"):
            true_state = PauliMPO.load(truth)
        if true_state.n != data.n:
            raise ValueError(
                f"--truth {truth} has {true_state.n} qubits, the data file {data_file} {data.n}"
            )
    loaded = time.perf_counter()
    enabled = False if quiet else None
    with ProgressBar("reconstruct", "site", enabled=enabled) as bar:
        result = reconstruct(
            data,
            window=window,
            max_rank=max_rank,
            method=method,
            index_sets=index_sets,
            regularization=regularization,
            noise_scale=noise_scale,
            compute_bound=bound,
            repair=repair,
            progress=bar,
        )
    click.echo(
        f"reconstructed {data.n} qubits from {result.settings} settings, "
        f"{data.total_shots:,} shots in {result.seconds:.2f} s: ranks "
        f"{_dims_text(result.ranks)}, negativity {_number(result.negativity)}, consistency "
        f"{result.consistency:.3g}"
    )
    if result.bound is not None:
        click.echo(f"error bound on ||X - X_hat||_F: {_bound_text(result.bound)}")
    state, refinement = result.state, None
    if refine:
        with ProgressBar("refine", "it", enabled=enabled) as bar:
            refinement = refine_state(result.state, data, seed=seed, progress=bar)
        state = refinement.state
        click.echo(
            f"refined in {refinement.seconds:.2f} s ({refinement.iterations} iterations, "
            f"stopped: {refinement.stop_reason}): ranks {_dims_text(state.bond_dims)}"
        )
    options = {
        "window": window,
        "max_rank": max_rank,
        "method": method,
        "index_sets": index_sets,
        "regularization": regularization,
        "noise_scale": noise_scale,
        "repair": repair,
    }
    boot_result = run_bootstrap(
        data, state, options=options, refine=refine, seed=seed, truth=true_state, quiet=quiet,
        boot=boot,
    )  # fmt: skip
    written = state.save(path, overwrite=force)
    comparison, timings = None, {"load": loaded - started}
    if true_state is not None:
        compared = time.perf_counter()
        comparison = _compare(state, true_state, _WIDTH)
        timings["compare"] = time.perf_counter() - compared
        click.echo(_metrics_text(comparison))
    click.echo(f"wrote {written}")
    if report is not None:
        inputs = {
            "data_file": str(data_file),
            "output": str(written),
            "truth": None if truth is None else str(truth),
            "n": data.n,
            "design_window": data.design.window,
            "options": {**options, "refine": refine, "bound": bound, "seed": seed},
            "bootstrap_options": {
                **boot,
                "target": None if boot["target"] is None else str(boot["target"]),
            },
        }
        timings["total"] = time.perf_counter() - started
        content = reconstruction_report(
            result,
            refinement=refinement,
            inputs=inputs,
            timings=timings,
            comparison=comparison,
            bootstrap=boot_result,
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
    default=_WIDTH,
    show_default=True,
    help="Qubits per window of the local fidelities.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@target_option
@_quiet_option
@_guarded
def compare_command(
    estimate: Path,
    truth: Path | None,
    width: int,
    as_json: bool,
    target: Path | None,
    quiet: bool,
    **opts: Any,
) -> None:
    """Compare a state file with the truth: a second state file, or a circuit simulated here.

    Prints the Uhlmann fidelity and trace distance (both states projected onto states; dense,
    n <= 12), the overlap fidelity tr(ab)/max(tr a^2, tr b^2), the relative error of the Pauli
    tensors and the smallest fidelity of the --width-qubit marginals. Without TRUTH, give the
    circuit and noise options used for `ttqst simulate` (the truth is simulated again).
    --target FILE adds (or, alone, prints only) the fidelity to the ideal circuit's state.

    \b
    Example:
      ttqst compare estimate.npz truth.npz
      ttqst compare estimate.npz --target circuit.qasm
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
    with _reading(estimate, "state file"):
        est_state = PauliMPO.load(estimate)
    ideal = None if target is None else {"target_fidelity": target_fidelity_of(est_state, target)}
    if truth is None and not truth_options and ideal is not None:
        text = f"target fidelity <psi|rho|psi> to {target}: {ideal['target_fidelity']:.6f}"
        click.echo(json.dumps({"estimate": str(estimate), **ideal}) if as_json else text)
        return
    if truth is None and not ({"circuit", "qasm"} & set(truth_options)):
        raise click.UsageError(
            "missing the true state: a second state file, or --circuit/--qasm with the options "
            "it was simulated with"
        )
    if truth is not None:
        with _reading(truth, "state file"):
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
            **(ideal or {}),
            "metrics": metrics,
        }
        click.echo(json.dumps(to_jsonable(out), indent=2, allow_nan=False))
        return
    click.echo(f"estimate {estimate} vs truth {truth_text} ({metrics.n} qubits)")
    click.echo(_metrics_text(metrics))
    if ideal is not None:
        click.echo(f"target fidelity <psi|rho|psi> to {target}: {ideal['target_fidelity']:.6f}")


def _compare(estimate, truth, width: int):
    if estimate.n != truth.n:
        raise ValueError(
            f"qubit count mismatch: the estimate has {estimate.n}, the truth {truth.n}"
        )
    return compare(estimate, truth, width=min(width, estimate.n))


# ---------------------------------------------------------------------- demo
@main.command()
@click.option(
    "--qubits",
    "n",
    type=_Count(min=3, why="the demo reconstructs from windows of at least 3 qubits"),
    default=10,
    show_default=True,
    help="Number of qubits.",
)
@click.option(
    "--depth",
    type=click.IntRange(min=0),
    default=_default(build, "depth"),
    show_default=True,
    help="Brickwork depth.",
)
@click.option(
    "--window",
    type=click.IntRange(min=3),
    default=_WINDOW,
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
    type=_Real(0.0, P2_MAX),
    default=0.01,
    show_default=True,
    help="Two-qubit depolarizing probability.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=7,
    show_default=True,
    help="Seed of circuit and sampling.",
)
@click.option(
    "--refine/--no-refine",
    default=True,
    show_default=True,
    help="Then refine (likelihood of the counts, positive semidefinite form) and print the "
    "fidelity after it.",
)
@_guarded
def demo(n: int, depth: int, window: int, shots: int, p2: float, seed: int, refine: bool) -> None:
    """Simulate, measure, reconstruct, refine and score a noisy brickwork state.

    Prints the fidelity of the cross estimate and of its refinement on the same data.

    \b
    Example:
      ttqst demo --qubits 8 --depth 2 --window 5 --shots 10000
    """
    from .measure import measure
    from .metrics import fidelity, overlap_fidelity
    from .simulate import simulate

    if window > n:
        raise click.BadParameter(
            f"{window} exceeds --qubits {n}; the largest window is {n}", param_hint="'--window'"
        )
    _check_family_size(n, depth)
    _check_sampling_size(n, window, shots, "--shots")
    started = time.perf_counter()
    circuit, _ = build("brickwork", n, depth, seed=seed)
    noise, _ = from_rates(p1=p2 / 10, p2=p2)
    with ProgressBar("simulate", "op") as bar:
        truth = simulate(circuit, noise, progress=bar)
    click.echo(
        f"state: {n}-qubit Haar brickwork, depth {depth}, depolarizing p2={p2}; "
        f"exact MPO bond dimension {max(truth.bond_dims)}"
    )
    design = MeasurementDesign(n, window)
    with ProgressBar("measure", "shot") as bar:
        data = measure(truth, design, shots, seed=seed, progress=bar)
    click.echo(
        f"measured: {design.n_settings} settings x {shots} shots = {data.total_shots:,} copies"
    )
    with ProgressBar("reconstruct", "site") as bar:
        result = reconstruct(data, progress=bar)
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

        with ProgressBar("refine", "it") as bar:
            fit = refine_state(result.state, data, seed=seed, progress=bar)
        after = fidelity(truth, fit.state) if n <= 12 else overlap_fidelity(truth, fit.state)
        click.echo(
            f"refined in {fit.seconds:.2f} s ({fit.iterations} iterations, stopped: "
            f"{fit.stop_reason}): {'fidelity' if n <= 12 else 'overlap fidelity'} "
            f"{after:.4f}"
        )
    click.echo(f"total time {time.perf_counter() - started:.1f} s")


main.add_command(sweep_command)
main.add_command(plot_command)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(prog_name="ttqst"))
