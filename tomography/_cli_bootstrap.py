"""The bootstrap and target-fidelity options of the ``ttqst`` command line (:mod:`tomography.cli`).

``ttqst reconstruct --bootstrap R [--target circuit.qasm] [--observable ZZIII ...]`` adds
bootstrap intervals (:func:`tomography.bootstrap.bootstrap`) of the target fidelity, the
observables and the purity to the printout and to the JSON report; ``ttqst compare
--target circuit.qasm`` prints the fidelity to the ideal circuit
(:func:`tomography.target.target_fidelity`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ._cli_support import _default, _reading
from .bootstrap import RESAMPLING_METHODS, bootstrap

__all__: list[str] = []


def _load_target(path: Path, n: int):
    """The ideal circuit of ``--target``, checked unitary and of ``n`` qubits."""
    from .exchange import load_qasm
    from .target import check_target_circuit

    with _reading(path, "--target file"):
        circuit = load_qasm(path)
    if circuit.num_qubits != n:
        raise ValueError(
            f"--target {path} has {circuit.num_qubits} qubits, the estimate {n}: give the "
            "circuit that prepared the measured qubits"
        )
    return check_target_circuit(circuit)


def target_option(func: Callable) -> Callable:
    """``--target FILE``: an OpenQASM file of the ideal (noiseless, unitary) circuit."""
    return click.option(
        "--target",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="OpenQASM file of the ideal circuit: report the fidelity <psi|rho|psi> of the "
        "estimate to the pure state it prepares from |0..0> (any n).",
    )(func)


def bootstrap_options(func: Callable) -> Callable:
    """The options of ``ttqst reconstruct`` that ask for bootstrap intervals."""
    options = [
        click.option(
            "--bootstrap",
            "bootstrap_replicas",
            type=click.IntRange(min=0),
            default=0,
            show_default=True,
            help="Bootstrap replicas (0: none; 200 is usual): repeat the reconstruction (and "
            "--refine) on resampled data and print 95%% intervals of the target fidelity, "
            "the --observable values and the purity.",
        ),
        target_option,
        click.option(
            "--observable",
            "observables",
            multiple=True,
            help="A Pauli string to bootstrap, character k on qubit k (ttqst order, the "
            "reverse of Qiskit labels), e.g. ZZIII; repeat for several.",
        ),
        click.option(
            "--bootstrap-method",
            type=click.Choice(list(RESAMPLING_METHODS)),
            default=_default(bootstrap, "method"),
            show_default=True,
            help="Resample each setting's observed counts, or draw from the estimate.",
        ),
        click.option(
            "--workers",
            type=click.IntRange(min=0),
            default=0,
            show_default=True,
            help="Bootstrap on a local Dask cluster of this many workers (0: in this process).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _statistics(n: int, target: Path | None, observables: tuple[str, ...], truth) -> dict:
    from .statistics import Expectation, OverlapTo, Purity, TargetFidelity

    statistics: dict[str, Any] = {}
    if target is not None:
        statistics["target_fidelity"] = TargetFidelity(_load_target(target, n))
    for string in observables:
        if len(string) != n:
            raise click.BadParameter(
                f"{string!r} has {len(string)} characters, the data {n} qubits",
                param_hint="'--observable'",
            )
        statistics[f"<{string.upper()}>"] = Expectation(string)
    if truth is not None:
        statistics["overlap_to_truth"] = OverlapTo(truth)
    statistics["purity"] = Purity()
    return statistics


def run_bootstrap(
    data,
    state,
    *,
    options: dict[str, Any],
    refine: bool,
    seed: int,
    truth,
    quiet: bool,
    boot: dict[str, Any],
):
    """Bootstrap the pipeline the command ran, print one line per statistic; or None.

    ``options`` are the reconstruct options given, ``boot`` the options of
    :func:`bootstrap_options` (and ``target``).
    """
    from .bootstrap import CrossEstimator, RefinedEstimator, bootstrap
    from .progress import ProgressBar
    from .sweep.runner import local_cluster

    replicas = boot["bootstrap_replicas"]
    if replicas == 0:
        if boot["observables"] or boot["workers"]:
            raise click.UsageError("--observable and --workers need --bootstrap R (R >= 2)")
        if boot["target"] is not None:
            value = target_fidelity_of(state, boot["target"])
            click.echo(
                f"target fidelity <psi|rho|psi>: {value:.6f} (--bootstrap R for an interval)"
            )
        return None
    if replicas < 2:
        raise click.BadParameter(
            f"{replicas}: need at least 2 replicas", param_hint="'--bootstrap'"
        )
    statistics = _statistics(data.n, boot["target"], boot["observables"], truth)
    cross = CrossEstimator(**options)
    estimator = RefinedEstimator(reconstruct_options=options) if refine else cross
    workers = boot["workers"]
    cluster = local_cluster(workers) if workers else contextlib.nullcontext(None)
    with (
        cluster as client,
        ProgressBar("bootstrap", "replica", enabled=False if quiet else None) as bar,
    ):
        result = bootstrap(
            data,
            estimator,
            statistics,
            replicas,
            method=boot["bootstrap_method"],
            estimate=state,
            seed=seed,
            executor=client,
            progress=bar,
        )
    click.echo(bootstrap_text(result, "refined" if refine else "cross"))
    return result


def bootstrap_text(result, pipeline: str) -> str:
    """One line per statistic: ``point [BC low, high] (95% BC; percentile ...; basic ...)``."""
    level = f"{100 * result.confidence:g}%"
    lines = [
        f"bootstrap ({result.indices.size} of {result.replicas} replicas, {result.method} "
        f"resampling, {pipeline} estimate, {result.seconds:.1f} s); fidelity intervals "
        "under-cover (docs/limits.md):"
    ]
    for name, s in result.statistics.items():
        low, high = s.bias_corrected
        lines.append(
            f"  {name}: {s.point:.6f} [{low:.6f}, {high:.6f}] ({level} BC; percentile "
            f"[{s.percentile[0]:.6f}, {s.percentile[1]:.6f}]; basic [{s.basic[0]:.6f}, "
            f"{s.basic[1]:.6f}]) se {s.standard_error:.2g}, bias {s.bias:+.2g}"
            + (" (every replica on one side: BC degenerate, read basic)" if s.clipped else "")
        )
    for failure in result.failed[:3]:
        lines.append(f"  replica {failure.index} failed: {failure.error_type}: {failure.message}")
    return "\n".join(lines)


def target_fidelity_of(state, target: Path) -> float:
    """``ttqst compare --target``: the fidelity of ``state`` to the circuit in ``target``."""
    from .target import target_fidelity

    return target_fidelity(state, _load_target(target, state.n))
