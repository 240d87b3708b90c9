"""The ``ttqst sweep`` and ``ttqst plot`` commands (registered on :func:`tomography.cli.main`).

``sweep`` runs a sweep spec (:mod:`tomography.sweep`) serially, on a local Dask cluster or on
a running scheduler, and prints where its table is; ``plot`` draws a column of a store against
another. Both follow the CLI's rules: one ``Error:`` line, ``--force`` to replace a file.
"""

from __future__ import annotations

from pathlib import Path

import click

from ._cli_support import _check_outputs, _force_option, _guarded, _quiet_option
from .progress import ProgressBar


class _SweepBar(ProgressBar):
    """The run bar of ``ttqst sweep``: done/total, with failed and running in the postfix."""

    failed = 0
    running = 0

    def status(self, failed: int, running: int) -> None:
        self.failed, self.running = failed, running

    def __call__(self, done: int, total: int) -> None:
        super().__call__(done, total)
        if self._bar is not None:
            self._bar.set_postfix(failed=self.failed, running=self.running)


@click.command("sweep")
@click.argument("spec_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    "store",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Store directory: sweep.json and one Parquet row per run (created when missing; "
    "the same spec on the same store resumes).",
)
@click.option(
    "--scheduler",
    default=None,
    help="Address of a running Dask scheduler (e.g. tcp://10.0.0.1:8786) to run on.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=None,
    help="Worker processes of a local Dask cluster (default: the CPU count); 0 runs every "
    "run serially in this process (debugging).",
)
@click.option(
    "--retries",
    type=click.IntRange(min=0),
    default=2,
    show_default=True,
    help="Times a run may be lost with a dying worker before it is recorded as failed "
    "(local cluster; an external scheduler uses its own allowed-failures).",
)
@click.option("--retry-failed", is_flag=True, help="Run again the runs recorded as failed.")
@click.option("--save-states", is_flag=True, help="Also write each estimate (states/*.npz).")
@click.option(
    "--force", is_flag=True, help="Start a store made for another spec afresh (refused otherwise)."
)
@_quiet_option
@_guarded
def sweep_command(
    spec_file: Path,
    store: Path,
    scheduler: str | None,
    workers: int | None,
    retries: int,
    retry_failed: bool,
    save_states: bool,
    force: bool,
    quiet: bool,
) -> None:
    """Run a sweep spec (TOML): every run simulate -> measure -> reconstruct -> metrics.

    Runs on a local Dask cluster (--workers N), serially (--workers 0), or on a running
    cluster (--scheduler ADDRESS). Each finished run is one row in STORE/rows/ at once; an
    interrupted sweep resumes when the same command is run again. A run that raises is
    recorded with its error (exit code 0; the summary counts it). Spec format:
    docs/sweeps.md.

    \b
    Example:
      ttqst sweep examples/sweeps/fidelity_vs_n.toml -o results/fid_vs_n --workers 2
      ttqst sweep spec.toml -o store --scheduler tcp://127.0.0.1:8786
      ttqst plot results/fid_vs_n --x n --y fidelity --hue estimator -o fid.png
    """
    if scheduler is not None and workers is not None:
        raise click.UsageError("give either --scheduler or --workers, not both")
    from .sweep import load_spec, local_cluster, run_sweep

    spec = load_spec(spec_file)
    options = {
        "retries": retries,
        "retry_failed": retry_failed,
        "save_states": save_states,
        "overwrite": force,
    }
    with _SweepBar(f"sweep {spec.name}", "run", enabled=False if quiet else None) as bar:
        try:
            with _sweep_client(scheduler, workers, retries, local_cluster) as client:
                result = run_sweep(
                    spec, store, client=client, workers=workers, progress=bar, **options
                )
        except ImportError as exc:  # dask or pyarrow missing: the message says what to install
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            bar.close()
            click.echo(
                f"interrupted: finished runs are kept in {store}/rows; run the same command "
                "again to resume",
                err=True,
            )
            raise click.exceptions.Exit(130) from None
    _sweep_summary(spec.name, result)


def _sweep_client(scheduler: str | None, workers: int | None, retries: int, local_cluster):
    """A context giving the Dask client to run on (None: serial), dashboard link printed."""
    import contextlib

    @contextlib.contextmanager
    def opened():
        if workers == 0:
            yield None
            return
        if scheduler is not None:
            from distributed import Client

            context = Client(scheduler, timeout="30s")
        else:
            context = local_cluster(workers, retries=retries)
        with context as client:
            if "dashboard" in client.scheduler_info().get("services", {}):
                click.echo(f"Dask dashboard: {client.dashboard_link}", err=True)
            yield client

    return opened()


def _sweep_summary(name: str, result) -> None:
    click.echo(
        f"sweep {name!r}: {result.total} runs: {result.done} done, {result.failed} failed, "
        f"{result.skipped} skipped (already in the store) in {result.seconds:.1f} s"
    )
    click.echo(
        f"table: {result.store}/rows/*.parquet (one row per run); read it with "
        f"tomography.read_sweep('{result.store}') (a pandas DataFrame), or plot it with "
        f"ttqst plot {result.store} --x n --y fidelity -o fig.png"
    )
    if result.failed:
        click.echo(
            f"{result.failed} run(s) failed: see the 'error' and 'traceback' columns; "
            "--retry-failed runs them again",
            err=True,
        )


# ---------------------------------------------------------------------- plot
@click.command("plot")
@click.argument("store", type=click.Path(file_okay=False, path_type=Path))
@click.option("--x", "x", required=True, help="Column on the x axis (e.g. n, shots, p2).")
@click.option("--y", "y", required=True, help="Column to plot (e.g. fidelity).")
@click.option("--hue", default=None, help="Column with one line per value (e.g. estimator).")
@click.option(
    "--spread",
    type=click.Choice(("minmax", "std")),
    default="minmax",
    show_default=True,
    help="Band over seeds: min to max, or mean +- one standard deviation.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Figure file (.png, .pdf, .svg).",
)
@_force_option
@_guarded
def plot_command(
    store: Path, x: str, y: str, hue: str | None, spread: str, output: Path, force: bool
) -> None:
    """Plot a sweep store: the mean of a column over seeds against another, with a band.

    \b
    Example:
      ttqst plot results/fid_vs_n --x n --y fidelity --hue estimator -o fid.png
    """
    (path,) = _check_outputs(force, [("--output", output, False)], [("STORE", store)])
    try:
        from .plotting import plot_sweep
        from .sweep import read_sweep

        frame = read_sweep(store)
        ax = plot_sweep(frame, x, y, hue=hue, spread=spread, title=str(store))
    except ImportError as exc:
        raise click.ClickException(str(exc)) from None
    ax.figure.savefig(path, dpi=120)
    click.echo(f"wrote {path} ({len(frame)} rows of {store})")
