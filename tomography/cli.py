"""The ``ttqst`` command line (click)."""

from __future__ import annotations

import sys
import time

import click
import numpy as np


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ttqst")
def main() -> None:
    """ttqst: tomography of noisy 1D quantum circuits by tensor-train cross.

    \b
    Example:
      ttqst demo --qubits 10 --shots 10000
    """


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
