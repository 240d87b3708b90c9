"""Figures of a reconstruction: fidelity curves, bond dimensions, singular values, local fidelity.

Needs matplotlib (``pip install ttqst[plot]``), imported only when a function is called. Every
function draws on the ``ax`` it is given, or on a new ``matplotlib.figure.Figure`` (not through
``pyplot``: no global figure registry, no window), and returns the Axes; save with
``ax.figure.savefig(path)``. Nothing here calls ``plt.show``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .metrics import LocalFidelities
from .reconstruct import Reconstruction
from .state import PauliMPO

__all__ = [
    "plot_bond_dimensions",
    "plot_fidelity_curve",
    "plot_local_fidelities",
    "plot_singular_values",
    "plot_sweep",
]

SPREADS = ("minmax", "std")
"""Spreads :func:`plot_sweep` draws around the mean: the range over seeds, or +- one std."""

_INSTALL_HINT = "tomography.plotting needs matplotlib: pip install ttqst[plot]"


def _new_axes(ax: Any | None, *, integer_x: bool = False) -> Any:
    """``ax`` itself, or the Axes of a new Figure (matplotlib imported here, lazily)."""
    try:
        from matplotlib.axes import Axes
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(_INSTALL_HINT) from exc
    if ax is None:
        ax = Figure(figsize=(6.0, 4.0), layout="constrained").add_subplot()
    elif not isinstance(ax, Axes):
        raise TypeError(f"`ax` must be a matplotlib Axes or None, got {type(ax).__name__}")
    if integer_x:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return ax


def _check_values(values: Any, name: str, length: int | None = None) -> np.ndarray:
    """A finite 1-D float array (of ``length`` when given)."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"`{name}` must be a sequence of numbers, got {values!r}") from exc
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"`{name}` must be a non-empty 1-D sequence, got shape {array.shape}")
    if length is not None and array.size != length:
        raise ValueError(f"`{name}` has {array.size} values, expected {length} (one per x)")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"`{name}` contains NaN or infinity: {array.tolist()}")
    return array


def plot_fidelity_curve(
    x: Sequence[float],
    ys: Mapping[str, Sequence[float]],
    *,
    ax: Any | None = None,
    xlabel: str = "",
    ylabel: str = "fidelity",
    logx: bool = False,
    title: str | None = None,
) -> Any:
    """One line with markers per label, against the same ``x``.

    Parameters
    ----------
    x : sequence of float, length m
    ys : mapping of str to sequence of float
        ``label -> values``, each of length m (one line per label, in mapping order).
    ax : matplotlib Axes, optional
        Default: a new Figure.
    xlabel, ylabel : str
    logx : bool, default=False
        Logarithmic x axis (e.g. shots).
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        Empty ``ys``, non-finite values, or a line whose length differs from ``x``.
    TypeError
        ``ys`` not a mapping.
    """
    if not isinstance(ys, Mapping):
        raise TypeError(f"`ys` must be a mapping label -> values, got {type(ys).__name__}")
    if not ys:
        raise ValueError("`ys` is empty: give at least one label -> values")
    x = _check_values(x, "x")
    lines = {str(label): _check_values(v, f"ys[{label!r}]", x.size) for label, v in ys.items()}
    ax = _new_axes(ax, integer_x=not logx and bool(np.all(x == np.round(x))))
    for label, values in lines.items():
        ax.plot(x, values, marker="o", label=label)
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend()
    return ax


def _bond_dims(obj: Any, name: str) -> np.ndarray:
    """Bond dimensions of a PauliMPO, or a sequence of ints as given."""
    if isinstance(obj, PauliMPO):
        return np.asarray(obj.bond_dims, dtype=np.int64)
    if isinstance(obj, Reconstruction):
        return np.asarray(obj.ranks, dtype=np.int64)
    values = np.asarray(obj)
    if values.ndim != 1 or not np.issubdtype(values.dtype, np.integer):
        raise TypeError(
            f"`{name}` must be a PauliMPO, a Reconstruction or a sequence of ints, "
            f"got {type(obj).__name__}"
        )
    return values.astype(np.int64)


def plot_bond_dimensions(
    state_or_reconstruction: PauliMPO | Reconstruction,
    *,
    truth: PauliMPO | Sequence[int] | None = None,
    ax: Any | None = None,
) -> Any:
    """Bond dimension per cut (cut k lies between qubits k and k+1), log2 axis.

    With a :class:`~tomography.reconstruct.Reconstruction`: its ranks (``result.ranks``) and
    the number of intersection singular values above the estimated noise per cut
    (``rank_above_noise``); with ``truth``, the true bond dimensions too.

    Parameters
    ----------
    state_or_reconstruction : PauliMPO or Reconstruction
    truth : PauliMPO or sequence of n-1 int, optional
        The true state (or its bond dimensions), same n.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Lines, in order: the state's (or estimate's) bond dimensions, [rank above noise],
        [truth].

    Raises
    ------
    TypeError
        Neither a PauliMPO nor a Reconstruction.
    ValueError
        A state with a single qubit (no cuts), or ``truth`` of another length.
    """
    item = state_or_reconstruction
    if not isinstance(item, (PauliMPO, Reconstruction)):
        raise TypeError(
            "`state_or_reconstruction` must be a PauliMPO or a Reconstruction, "
            f"got {type(item).__name__}"
        )
    dims = _bond_dims(item, "state_or_reconstruction")
    if dims.size == 0:
        raise ValueError("a one-qubit state has no cuts: nothing to plot")
    reference = None if truth is None else _bond_dims(truth, "truth")
    if reference is not None and reference.size != dims.size:
        raise ValueError(
            f"`truth` has {reference.size} bond dimensions, expected {dims.size} "
            f"(a state on {dims.size + 1} qubits)"
        )
    ax = _new_axes(ax, integer_x=True)
    cuts = np.arange(dims.size)
    if isinstance(item, Reconstruction):
        ax.plot(cuts, dims, marker="o", label="estimate (ranks)")
        above = [c.rank_above_noise for c in item.cuts]
        ax.plot(cuts, above, marker="x", linestyle=":", label="singular values above noise")
    else:
        ax.plot(cuts, dims, marker="o", label="bond dimension")
    if reference is not None:
        ax.plot(cuts, reference, marker="s", linestyle="--", label="truth")
    ax.set_yscale("log", base=2)
    ax.set_xlabel("cut k (between qubits k and k+1)")
    ax.set_ylabel("bond dimension")
    ax.grid(True, alpha=0.3)
    ax.legend()
    return ax


def plot_singular_values(
    reconstruction: Reconstruction,
    *,
    ax: Any | None = None,
    shift: float = 0.0,
    color: str | None = None,
    label: str | None = None,
) -> Any:
    """Singular values of every intersection matrix ``W_k`` against the noise level per cut.

    From ``reconstruction.cuts``: ``singular_values`` (of the measured ``W_k``) as dots at
    ``x = k``, and ``noise_norm`` (the estimated spectral norm of the shot noise on ``W_k``)
    as a line; values above it are signal, those below are indistinguishable from noise. On
    exact data (noise 0) the line is the floor ``1e-10 s_max`` that ``rank_above_noise`` uses.
    Singular values <= 0 cannot be drawn on the log axis and are left out.

    Parameters
    ----------
    reconstruction : Reconstruction
    ax : matplotlib Axes, optional
    shift : float, default=0.0
        Horizontal offset of everything drawn (to put several reconstructions side by side).
    color : str, optional
        One colour for both the dots and the noise level (default: C0 and C3).
    label : str, optional
        Appended to both legend entries, e.g. ``"1000 shots"``.

    Returns
    -------
    matplotlib.axes.Axes
        The last collection holds the singular values (offsets ``(k + shift, s)``), the
        last line the noise level per cut (a short bar at each cut).

    Raises
    ------
    TypeError
        Not a Reconstruction.
    ValueError
        A reconstruction without cuts (n = 1).
    """
    if not isinstance(reconstruction, Reconstruction):
        raise TypeError(
            f"`reconstruction` must be a Reconstruction, got {type(reconstruction).__name__}"
        )
    if not reconstruction.cuts:
        raise ValueError("the reconstruction has no cuts (n = 1): no intersection matrices")
    xs, values, levels = [], [], []
    for k, cut in enumerate(reconstruction.cuts):
        s = np.asarray(cut.singular_values, dtype=float)
        keep = s > 0
        xs.append(np.full(int(keep.sum()), k))
        values.append(s[keep])
        levels.append(cut.noise_norm if cut.noise_norm > 0 else 1e-10 * float(s.max(initial=0)))
    ax = _new_axes(ax, integer_x=True)
    suffix = f", {label}" if label else ""
    ax.scatter(
        np.concatenate(xs) + shift,
        np.concatenate(values),
        s=10,
        alpha=0.6,
        color=color or "C0",
        label=f"singular values of $W_k${suffix}",
    )
    ax.plot(
        np.arange(len(levels)) + shift,
        levels,
        color=color or "C3",
        linestyle="none",
        marker="_",
        markersize=16,
        markeredgewidth=2,
        label=f"noise level $\\|N_k\\|_2${suffix}",
    )
    ax.set_yscale("log")
    ax.set_xlabel("cut k (between qubits k and k+1)")
    ax.set_ylabel("singular value")
    ax.grid(True, alpha=0.3)
    ax.legend()
    return ax


def plot_local_fidelities(
    values: LocalFidelities | Sequence[float],
    width: int | None = None,
    *,
    ax: Any | None = None,
) -> Any:
    """Fidelity of every ``width``-qubit marginal along the chain.

    Window j covers qubits ``j .. j + width - 1`` and is drawn at its centre
    ``j + (width - 1) / 2``.

    Parameters
    ----------
    values : LocalFidelities or sequence of float
        From :func:`tomography.metrics.local_fidelities`, or one fidelity per window.
    width : int, optional
        Window width; required for a plain sequence, checked against a LocalFidelities.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[0]``: x = window centres, y = fidelities.

    Raises
    ------
    ValueError
        Missing or non-positive ``width``, one that disagrees with ``values.width``, or
        values outside [0, 1 + 1e-9].
    """
    if isinstance(values, LocalFidelities):
        if width is not None and width != values.width:
            raise ValueError(
                f"`width == {width}` but the LocalFidelities are for width {values.width}"
            )
        width, fids = values.width, np.asarray(values.fidelity, dtype=float)
    else:
        if width is None:
            raise ValueError("`width` is needed with a plain sequence of fidelities")
        fids = _check_values(values, "values")
    if isinstance(width, bool) or not isinstance(width, (int, np.integer)) or width < 1:
        raise ValueError(f"`width == {width!r}` must be a positive int")
    if np.any(fids < 0) or np.any(fids > 1 + 1e-9):
        raise ValueError(f"fidelities must lie in [0, 1], got {fids.min():.3g}..{fids.max():.3g}")
    ax = _new_axes(ax)
    centres = np.arange(fids.size) + (width - 1) / 2
    ax.plot(centres, fids, marker="o", label=f"{width}-qubit marginals")
    ax.set_xlabel(f"qubit (centre of the {width}-qubit window)")
    ax.set_ylabel("marginal fidelity")
    ax.grid(True, alpha=0.3)
    ax.legend()
    return ax


def _check_sweep_columns(frame: Any, x: str, y: str, hue: str | None) -> Any:
    """The ``"ok"`` rows of a sweep frame with ``x``, ``y`` (and ``hue``) present."""
    columns = getattr(frame, "columns", None)
    if columns is None:
        raise TypeError(f"`frame` must be a pandas DataFrame, got {type(frame).__name__}")
    for name, column in (("x", x), ("y", y), ("hue", hue)):
        if column is not None and column not in columns:
            raise ValueError(
                f"`{name} == {column!r}` is not a column; columns: {', '.join(map(str, columns))}"
            )
    rows = frame[frame["status"] == "ok"] if "status" in columns else frame
    rows = rows[rows[y].notna()]
    if rows.empty:
        raise ValueError(f"no finished run has a value of {y!r} to plot")
    return rows


def plot_sweep(
    frame: Any,
    x: str,
    y: str,
    *,
    hue: str | None = None,
    spread: str = "minmax",
    ax: Any | None = None,
    title: str | None = None,
) -> Any:
    """Mean of ``y`` against ``x`` over the seeds of a sweep, with a band for the spread.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows of :func:`tomography.sweep.read_sweep` (error rows and null ``y`` are left out).
    x, y : str
        Columns, e.g. ``"n"`` and ``"fidelity"``; ``x`` numeric.
    hue : str, optional
        Column whose values get one line each (e.g. ``"estimator"``).
    spread : {"minmax", "std"}, default="minmax"

        - ``"minmax"``: the band spans the smallest to the largest value over seeds;
        - ``"std"``: mean +- one standard deviation (0 for a single seed).
    ax : matplotlib Axes, optional
        Default: a new Figure.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        A column that is not in ``frame``, an unknown ``spread``, or nothing to plot.
    TypeError
        ``frame`` not a DataFrame.
    """
    if spread not in SPREADS:
        raise ValueError(f"`spread == {spread!r}`, expected one of {', '.join(SPREADS)}")
    rows = _check_sweep_columns(frame, x, y, hue)
    groups = rows.groupby(hue, sort=True) if hue is not None else [(None, rows)]
    ax = _new_axes(ax)
    for label, group in groups:
        label = label[0] if isinstance(label, tuple) else label
        stats = group.groupby(x, sort=True)[y].agg(["mean", "min", "max", "std"])
        xs = stats.index.to_numpy(dtype=float)
        mean = stats["mean"].to_numpy(dtype=float)
        if spread == "minmax":
            low, high = stats["min"].to_numpy(dtype=float), stats["max"].to_numpy(dtype=float)
        else:
            std = stats["std"].fillna(0.0).to_numpy(dtype=float)
            low, high = mean - std, mean + std
        name = y if label is None else f"{hue} = {label}"
        line = ax.plot(xs, mean, marker="o", label=name)[0]
        ax.fill_between(xs, low, high, color=line.get_color(), alpha=0.2)
    ax.set_xlabel(x)
    ax.set_ylabel(f"{y} (mean, {'min-max' if spread == 'minmax' else '+- std'} over seeds)")
    if title:
        ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend()
    return ax
