"""tomography.plotting: the drawn data equals the inputs; wrong inputs are refused."""

import builtins
import importlib

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from tomography.circuits import brickwork  # noqa: E402
from tomography.measure import ExactExpectations, MeasurementDesign, measure  # noqa: E402
from tomography.metrics import local_fidelities  # noqa: E402
from tomography.noise import depolarizing  # noqa: E402
from tomography.plotting import (  # noqa: E402
    plot_bond_dimensions,
    plot_fidelity_curve,
    plot_local_fidelities,
    plot_singular_values,
)
from tomography.reconstruct import reconstruct  # noqa: E402
from tomography.simulate import simulate  # noqa: E402


@pytest.fixture(scope="module")
def truth():
    return simulate(brickwork(6, 2, seed=3), depolarizing(0.0, 0.01))


@pytest.fixture(scope="module")
def result(truth):
    data = measure(truth, MeasurementDesign(6, 5), 300, seed=4)
    return reconstruct(data, compute_bound=False)


def test_fidelity_curve_lines_hold_the_values(tmp_path):
    x = [100, 1000, 10000]
    ys = {"a": [0.5, 0.7, 0.9], "b": [0.6, 0.8, 0.95]}
    ax = plot_fidelity_curve(x, ys, logx=True, xlabel="shots")
    assert isinstance(ax, Axes)
    assert [line.get_label() for line in ax.lines] == ["a", "b"]
    for line, values in zip(ax.lines, ys.values(), strict=True):
        np.testing.assert_array_equal(line.get_xdata(), x)
        np.testing.assert_array_equal(line.get_ydata(), values)
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "shots"
    path = tmp_path / "curve.png"
    ax.figure.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_fidelity_curve_draws_on_a_given_axes():
    ax = Figure().add_subplot()
    assert plot_fidelity_curve([1, 2], {"f": [0.1, 0.2]}, ax=ax) is ax


@pytest.mark.parametrize(
    ("x", "ys", "error", "match"),
    [
        ([1, 2, 3], {"a": [0.1, 0.2]}, ValueError, r"ys\['a'\].*2 values, expected 3"),
        ([1, 2], {}, ValueError, "empty"),
        ([1, 2], [0.1, 0.2], TypeError, "mapping"),
        ([1, 2], {"a": [0.1, np.nan]}, ValueError, "NaN"),
        ([[1, 2]], {"a": [0.1, 0.2]}, ValueError, "1-D"),
    ],
)
def test_fidelity_curve_rejects_bad_input(x, ys, error, match):
    with pytest.raises(error, match=match):
        plot_fidelity_curve(x, ys)


def test_bond_dimensions_of_a_state(truth):
    ax = plot_bond_dimensions(truth)
    (line,) = ax.lines
    np.testing.assert_array_equal(line.get_ydata(), truth.bond_dims)
    np.testing.assert_array_equal(line.get_xdata(), np.arange(truth.n - 1))
    assert ax.get_yscale() == "log"


def test_bond_dimensions_of_a_reconstruction_against_the_truth(truth, result):
    ax = plot_bond_dimensions(result, truth=truth)
    estimate, above, reference = ax.lines
    np.testing.assert_array_equal(estimate.get_ydata(), result.ranks)
    np.testing.assert_array_equal(above.get_ydata(), [c.rank_above_noise for c in result.cuts])
    np.testing.assert_array_equal(reference.get_ydata(), truth.bond_dims)
    ax = plot_bond_dimensions(result, truth=list(truth.bond_dims))
    np.testing.assert_array_equal(ax.lines[-1].get_ydata(), truth.bond_dims)


def test_bond_dimensions_rejects_bad_input(truth, result):
    with pytest.raises(TypeError, match="PauliMPO or a Reconstruction"):
        plot_bond_dimensions([4, 16, 4])
    with pytest.raises(ValueError, match="3 bond dimensions, expected 5"):
        plot_bond_dimensions(result, truth=[4, 16, 4])
    with pytest.raises(TypeError, match="`ax` must be a matplotlib Axes"):
        plot_bond_dimensions(truth, ax="axes")


def test_singular_values_and_noise_level(result):
    ax = plot_singular_values(result)
    points = ax.collections[0].get_offsets()
    expected = np.concatenate([c.singular_values for c in result.cuts])
    cut_of = np.concatenate([np.full(len(c.singular_values), k) for k, c in enumerate(result.cuts)])
    positive = expected > 0
    np.testing.assert_allclose(points[:, 1], expected[positive])
    np.testing.assert_array_equal(points[:, 0], cut_of[positive])
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [c.noise_norm for c in result.cuts])
    assert all(c.noise_norm > 0 for c in result.cuts)


def test_singular_values_on_exact_data_use_the_floor(truth):
    exact = reconstruct(ExactExpectations(truth, window=5), compute_bound=False)
    ax = plot_singular_values(exact)
    floors = [1e-10 * c.singular_values.max() for c in exact.cuts]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), floors)


def test_singular_values_rejects_a_state(truth):
    with pytest.raises(TypeError, match="must be a Reconstruction, got PauliMPO"):
        plot_singular_values(truth)


def test_local_fidelities_along_the_chain(truth, result):
    local = local_fidelities(result.state, truth, 3)
    ax = plot_local_fidelities(local)
    (line,) = ax.lines
    np.testing.assert_array_equal(line.get_ydata(), local.fidelity)
    np.testing.assert_array_equal(line.get_xdata(), np.arange(4) + 1.0)
    ax = plot_local_fidelities(list(local.fidelity), 3)
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), local.fidelity)


@pytest.mark.parametrize(
    ("values", "width", "match"),
    [
        ([0.9, 0.8], None, "`width` is needed"),
        ([0.9, 0.8], 0, "positive int"),
        ([0.9, 1.5], 3, r"in \[0, 1\]"),
    ],
)
def test_local_fidelities_rejects_bad_input(values, width, match):
    with pytest.raises(ValueError, match=match):
        plot_local_fidelities(values, width)


def test_local_fidelities_width_must_match(truth, result):
    local = local_fidelities(result.state, truth, 3)
    with pytest.raises(ValueError, match="width 3"):
        plot_local_fidelities(local, 2)


def test_missing_matplotlib_says_how_to_install(monkeypatch):
    import tomography.plotting as plotting

    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    module = importlib.reload(plotting)  # importing the module itself needs no matplotlib
    with pytest.raises(ImportError, match=r"pip install ttqst\[plot\]"):
        module.plot_fidelity_curve([1], {"a": [0.5]})
