"""Tests for tomography.reconstruct: cross from local reductions (method note, section 4).

References: the exact state the data came from (``ExactExpectations`` gives its local Pauli
coefficients with no shot noise); dense metrics (Uhlmann fidelity, trace distance) at n <= 8.
On exact data a state whose bond dimension is at most ``4^l`` and whose light cone fits the
window must come back exactly; on sampled data the thresholds below were set from measured
fidelities (seeds 0-4: 0.96-0.97 for the default, 0.92-0.97 with maxvol, 0.95-0.97 with
truncation at n = 6, depth 2, w = 5, 2000 shots per setting), with margin.
"""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest

from tomography.circuits import brickwork, ghz_line
from tomography.measure import ExactExpectations, MeasurementDesign, measure
from tomography.metrics import fidelity, relative_error, trace_distance
from tomography.noise import depolarizing
from tomography.reconstruct import (
    CutDiagnostics,
    LongRangeCorrelationWarning,
    Reconstruction,
    WindowTooNarrowWarning,
    reconstruct,
)
from tomography.refine import refine
from tomography.simulate import simulate
from tomography.state import PauliMPO
from ttcross import CrossBound, TensorTrain

# Exact data: the trace distance and the relative Frobenius error are at round-off (~1e-14);
# the Uhlmann fidelity of nearly equal mixed states has a numerical floor near 1e-8 at n = 8
# (square roots of round-off eigenvalues), so it is asked to 1e-7.
EXACT_TOL = 1e-10
EXACT_FIDELITY = 1 - 1e-7
SAMPLED_FIDELITY = 0.90  # default (all index sets, Tikhonov); measured 0.96-0.97
MAXVOL_FIDELITY = 0.85  # measured 0.92-0.97
TRUNCATION_FIDELITY = 0.90  # measured 0.95-0.97

NOISE = depolarizing(0.001, 0.01)


# ---------------------------------------------------------------------- helpers
def _exact(truth: PauliMPO, window: int, **options) -> Reconstruction:
    """Reconstruct from exact data with every warning turned into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return reconstruct(ExactExpectations(truth, window), **options)


def _assert_exact(truth: PauliMPO, result: Reconstruction, tol: float = EXACT_TOL) -> None:
    assert trace_distance(truth, result.state) < tol
    assert relative_error(result.state, truth) < tol
    assert fidelity(truth, result.state) >= EXACT_FIDELITY


def _product_state(bloch: np.ndarray) -> PauliMPO:
    """Product state with Bloch vectors ``bloch`` (n, 3): bond dimension 1."""
    return PauliMPO(TensorTrain([np.concatenate([[1.0], r]).reshape(1, 4, 1) for r in bloch]))


def _random_bloch(rng: np.random.Generator, shape: tuple[int, ...], radius=(0.5, 1.0)):
    vectors = rng.normal(size=(*shape, 3))
    vectors /= np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors * rng.uniform(*radius, size=(*shape, 1))


def _product_mixture(n: int, terms: int, seed: int) -> PauliMPO:
    """``sum_i p_i rho_i^(1) x ... x rho_i^(n)``: a random mixed state of bond dimension
    ``terms`` (block-diagonal Pauli cores; generic Bloch vectors make the ranks exact)."""
    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(np.ones(terms))
    bloch = _random_bloch(rng, (terms, n))
    cores = []
    for k in range(n):
        core = np.zeros((1 if k == 0 else terms, 4, 1 if k == n - 1 else terms))
        for i in range(terms):
            vector = np.concatenate([[1.0], bloch[i, k]])
            left, right = (0 if k == 0 else i), (0 if k == n - 1 else i)
            core[left, :, right] = vector * (weights[i] if k == 0 else 1.0)
        cores.append(core)
    return PauliMPO(TensorTrain(cores))


def _random_mps_density(n: int, bond: int, seed: int, white: float = 0.0) -> PauliMPO:
    """``(1 - white) |psi><psi| + white I / 2^n`` for a random MPS ``psi`` of bond ``bond``:
    Pauli bond dimension ``bond^2`` (+1 with white noise)."""
    rng = np.random.default_rng(seed)
    psi = np.ones((1, 1), dtype=complex)
    for k in range(n):
        right = 1 if k == n - 1 else bond
        left = psi.shape[-1]
        core = rng.normal(size=(left, 2, right)) + 1j * rng.normal(size=(left, 2, right))
        psi = np.tensordot(psi, core, axes=(-1, 0))
    psi = psi.reshape((2,) * n).transpose(range(n - 1, -1, -1)).reshape(-1)  # Qiskit order
    psi /= np.linalg.norm(psi)
    rho = (1 - white) * np.outer(psi, psi.conj()) + white * np.eye(2**n) / 2**n
    return PauliMPO.from_dense(rho, tol=1e-13)


@pytest.fixture(scope="module")
def sampled():
    """n = 6, depth-2 Haar brickwork with depolarizing noise, w = 5, 2000 shots per setting."""
    truth = simulate(brickwork(6, 2, seed=0), NOISE)
    return truth, measure(truth, MeasurementDesign(6, 5), 2000, seed=0)


@pytest.fixture(scope="module")
def noisy_ghz():
    truth = simulate(ghz_line(6), NOISE)
    return truth, measure(truth, MeasurementDesign(6, 5), 2000, seed=1)


# ---------------------------------------------------------------------- exact data
@pytest.mark.parametrize(("n", "window"), [(5, 5), (6, 5), (7, 5), (7, 7), (8, 5), (8, 7)])
@pytest.mark.parametrize("noisy", [False, True], ids=["pure", "noisy"])
def test_exact_data_depth2_brickwork_is_reconstructed_exactly(n, window, noisy):
    truth = simulate(brickwork(n, 2, seed=n), NOISE if noisy else None)
    result = _exact(truth, window)
    _assert_exact(truth, result)
    assert result.window == window and result.total_shots == math.inf
    assert max(result.ranks) <= 4 ** ((window - 1) // 2)
    assert result.state.trace() == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize(
    "options",
    [
        {"index_sets": "maxvol"},
        {"regularization": "truncation"},
        {"index_sets": "maxvol", "regularization": "truncation"},
    ],
)
def test_exact_data_other_methods_are_exact(options):
    truth = simulate(brickwork(7, 2, seed=1), NOISE)
    result = _exact(truth, 5, **options)
    _assert_exact(truth, result)
    assert result.method == f"cross/{options.get('index_sets', 'all')}/" + options.get(
        "regularization", "tikhonov"
    )


@pytest.mark.parametrize("terms", [2, 3, 4])
@pytest.mark.parametrize("window", [3, 5])
def test_random_mixtures_of_product_states_are_exact(terms, window):
    """Bond dimension 2-4 <= 4^l: exact for w = 3 and 5 (any correlation length)."""
    truth = _product_mixture(6, terms, seed=10 * terms + window)
    assert truth.bond_dims == (terms,) * 5
    with warnings.catch_warnings():
        # classical correlations reach the window's edge: the long-range note fires, and the
        # window warning too where the bond equals 4^l (rank saturation cannot tell = from >)
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", LongRangeCorrelationWarning)
        if terms == 4 ** ((window - 1) // 2):
            warnings.simplefilter("ignore", WindowTooNarrowWarning)
        result = reconstruct(ExactExpectations(truth, window))
    _assert_exact(truth, result)
    assert result.ranks == (terms,) * 5


@pytest.mark.parametrize(("window", "white"), [(3, 0.0), (5, 0.0), (5, 0.2)])
def test_random_mps_density_matrices_are_exact(window, white):
    """Pure random MPS of bond 2 (Pauli bond 4) and its mixture with white noise (bond 5)."""
    truth = _random_mps_density(6, 2, seed=3, white=white)
    assert max(truth.bond_dims) == (5 if white else 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", LongRangeCorrelationWarning)
        if max(truth.bond_dims) >= 4 ** ((window - 1) // 2):  # saturated: may warn, see above
            warnings.simplefilter("ignore", WindowTooNarrowWarning)
        result = reconstruct(ExactExpectations(truth, window))
    _assert_exact(truth, result)


def test_exact_reconstruction_gets_the_long_range_note_not_the_window_warning():
    """Classical correlations across the window with bond 3 < 4^l: exact, so no
    WindowTooNarrowWarning; the user is told that long-range coherence would be invisible."""
    truth = _product_mixture(6, 3, seed=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = reconstruct(ExactExpectations(truth, 3))
    _assert_exact(truth, result)
    categories = {w.category for w in caught}
    assert categories == {LongRangeCorrelationWarning}
    assert "GHZ" in result.warnings[0]


@pytest.mark.parametrize("state", ["random", "zeros", "mixed"])
@pytest.mark.parametrize("window", [3, 5])
def test_product_states_rank_deficient_intersections(state, window):
    """Every W_k has rank 1 out of 4^l: no division by zero, no warning, exact, bond 1."""
    rng = np.random.default_rng(4)
    bloch = {
        "random": _random_bloch(rng, (6,), radius=(1.0, 1.0)),
        "zeros": np.tile([0.0, 0.0, 1.0], (6, 1)),
        "mixed": _random_bloch(rng, (6,), radius=(0.2, 0.6)),
    }[state]
    truth = _product_state(bloch)
    result = _exact(truth, window)  # warnings (divide by zero, ill-conditioning) are errors
    _assert_exact(truth, result)
    assert result.ranks == (1,) * 5
    assert all(c.rank_above_noise == 1 for c in result.cuts)
    assert all(np.isfinite(c.effective_condition) for c in result.cuts)
    assert result.negativity == pytest.approx(0.0, abs=1e-12)


def test_sampled_product_state_has_no_nan():
    """|0..0> sampled: every Z string is exactly 1 in the data (zero spread, floored variance)."""
    truth = _product_state(np.tile([0.0, 0.0, 1.0], (6, 1)))
    data = measure(truth, MeasurementDesign(6, 5), 300, seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        for options in ({}, {"index_sets": "maxvol"}, {"regularization": "truncation"}):
            result = reconstruct(data, **options)
            assert np.all(np.isfinite(result.state.tt.full()))
            assert fidelity(truth, result.state) > 0.98


def test_two_qubits_measured_whole_are_estimated_directly():
    truth = simulate(brickwork(2, 2, seed=4), NOISE)
    exact = reconstruct(ExactExpectations(truth, 2))
    assert (exact.method, exact.window, exact.cuts) == ("direct", 2, [])
    assert relative_error(exact.state, truth) < 1e-12
    sampled = reconstruct(measure(truth, MeasurementDesign(2, 2), 20_000, seed=5), repair=True)
    assert sampled.repair is not None and sampled.state.trace() == pytest.approx(1.0)
    assert fidelity(truth, sampled.state) > 0.99
    with pytest.raises(ValueError, match="estimated directly"):
        reconstruct(ExactExpectations(truth, 2), window=3)
    with pytest.raises(ValueError, match="allows none"):  # window 1 never sees the pair
        reconstruct(measure(truth, MeasurementDesign(2, 1), 100, seed=5))


def test_single_qubit_and_even_design_window():
    truth = _product_state(np.array([[0.3, -0.4, 0.6]]))
    result = reconstruct(measure(truth, MeasurementDesign(1, 1), 4000, seed=3))
    assert result.method == "direct" and result.state.n == 1
    np.testing.assert_allclose(
        result.state.expectation(["X", "Y", "Z"]), [0.3, -0.4, 0.6], atol=0.06
    )
    # an even design window is used at the odd width below it
    truth = simulate(brickwork(6, 1, seed=2), NOISE)
    result = _exact(truth, 4)
    assert result.window == 3
    _assert_exact(truth, result)


# ---------------------------------------------------------------------- window too narrow
def test_depth4_with_window5_warns_and_names_window7():
    truth = simulate(brickwork(8, 4, seed=1), NOISE)
    with pytest.warns(WindowTooNarrowWarning, match=r"MeasurementDesign\(n=8, window=7\)"):
        result = reconstruct(ExactExpectations(truth, 5))
    assert fidelity(truth, result.state) < 0.5
    assert result.edge_correlation > 0.1
    assert result.warnings and "window 5" in result.warnings[0]
    assert result.to_dict()["warnings"] == result.warnings
    # measured with w = 7 but reconstructed at 5: the advice is to use the data's window
    with pytest.warns(WindowTooNarrowWarning, match="reconstruct with window=7"):
        reconstruct(ExactExpectations(truth, 7), window=5)


def test_window_must_be_2_depth_plus_1_for_exact_data():
    """Depth 3 needs w = 7 (w = 5 warns); the README's 'w >= depth + 3' is not enough at
    depth 4 (see the slow test for w = 9)."""
    truth = simulate(brickwork(8, 3, seed=1), NOISE)
    with pytest.warns(WindowTooNarrowWarning, match="window=7"):
        narrow = reconstruct(ExactExpectations(truth, 5))
    assert fidelity(truth, narrow.state) < 0.5
    _assert_exact(truth, _exact(truth, 7))
    deeper = simulate(brickwork(8, 4, seed=1), NOISE)
    with pytest.warns(WindowTooNarrowWarning, match="no odd window wider than 7 fits in 8"):
        result = reconstruct(ExactExpectations(deeper, 7))
    assert fidelity(deeper, result.state) < 0.9  # measured 0.83


@pytest.mark.slow
@pytest.mark.parametrize("n", [9, 10])
def test_depth4_is_exact_with_window9(n):
    truth = simulate(brickwork(n, 4, seed=1), NOISE)
    _assert_exact(truth, _exact(truth, 9), tol=1e-8)  # bond 256: round-off reaches 3e-10


# ---------------------------------------------------------------------- sampled data
def test_sampled_reconstruction_quality_and_diagnostics(sampled):
    truth, data = sampled
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = reconstruct(data)
    assert fidelity(truth, result.state) > SAMPLED_FIDELITY
    state = result.state
    # trace 1, real Pauli coefficients (Hermitian by construction)
    assert state.trace() == pytest.approx(1.0, abs=1e-10)
    assert all(core.dtype == np.float64 for core in state.tt.cores)
    rho = state.to_dense()
    np.testing.assert_allclose(rho, rho.conj().T, atol=1e-12)
    assert np.trace(rho).real == pytest.approx(1.0, abs=1e-10)
    # what the run reports
    assert result.ranks == state.bond_dims and max(result.ranks) <= 16
    assert result.window == 5 and result.settings == 243
    assert result.total_shots == 243 * 2000 == data.total_shots
    assert result.method == "cross/all/tikhonov" and result.seconds > 0
    assert len(result.cuts) == 5 and all(isinstance(c, CutDiagnostics) for c in result.cuts)
    assert len(result.index_sets) == 5
    for cut in result.cuts:
        assert cut.noise_norm > 0
        # tau acts on the noise-whitened W_k, whose noise entries have unit-order variance:
        # 0.75 x (about 2 sqrt(16)) for a 16 x 16 matrix
        assert 2.0 < cut.regularization < 10.0
        assert 1 <= cut.rank_above_noise <= 16
        assert 1 <= cut.effective_condition < 1e3
    report = result.to_dict()
    assert json.loads(json.dumps(report, allow_nan=False)) == report  # strict JSON
    assert [c["cut"] for c in report["cuts"]] == list(range(5))
    for key in ("effective_condition", "regularization", "noise_norm", "rank_above_noise"):
        assert [c[key] for c in report["cuts"]] == [getattr(c, key) for c in result.cuts]
    assert report["cuts"][0]["singular_values"] == result.cuts[0].singular_values.tolist()
    assert 0.2 < report["quality"]["consistency"] < 5  # about 1 when the model fits the data
    assert report["quality"]["edge_correlation"] < 2  # no window warning
    assert report["warnings"] == []
    assert 0 <= report["quality"]["negativity"] < 0.5
    assert report["trace_before_normalization"] == pytest.approx(1.0, abs=0.05)
    assert report["bound"]["value"] == result.bound.value
    assert report["ranks"] == list(result.ranks)


def test_sampled_bound_is_populated_and_never_below_the_error(sampled):
    truth, data = sampled
    result = reconstruct(data)
    bound = result.bound
    assert isinstance(bound, CrossBound)
    assert bound.n_samples > 0 and 0 < bound.probability <= 1
    # bound on ||X - X_hat||_F of the tensor before normalisation
    raw = PauliMPO(result.state.tt * result.trace_before_normalization)
    error = relative_error(raw, truth) * math.exp(truth.tt.log_norm())
    assert bound.value >= error
    assert bound.rigorous == (bound.reason == "")  # not rigorous only with a reason given
    assert math.isfinite(bound.value) or bound.reason
    assert reconstruct(data, compute_bound=False).bound is None


@pytest.mark.parametrize("seed", [0, 1])
def test_shot_noise_bound_is_finite_and_covers_the_error(seed):
    """n = 6, depth 2, window 5, 3000 shots per setting: noise reaches kept singular values,
    so the value is the linearised estimate (flagged, with the reason); finite and >= the
    true ||X_hat - X||_F (benchmarks/bound_coverage.py: the same over more runs)."""
    truth = simulate(brickwork(6, 2, seed=seed), depolarizing(0.0, 0.01))
    data = measure(truth, MeasurementDesign(6, 5), 3000, seed=1000 + seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = reconstruct(data)
    bound = result.bound
    raw = PauliMPO(result.state.tt * result.trace_before_normalization)
    error = relative_error(raw, truth) * math.exp(truth.tt.log_norm())
    assert math.isfinite(bound.value) and bound.value >= error
    assert not bound.rigorous and "linearised" in bound.reason
    assert bound.value < 100 * error  # measured 10-20 x


def test_exact_bound_covers_the_error_inside_the_light_cone():
    truth = simulate(brickwork(6, 2, seed=2), NOISE)
    result = _exact(truth, 5)
    raw = PauliMPO(result.state.tt * result.trace_before_normalization)
    error = relative_error(raw, truth) * math.exp(truth.tt.log_norm())
    assert error <= result.bound.value < 1e-8


@pytest.mark.parametrize(
    ("options", "threshold"),
    [
        ({"index_sets": "maxvol"}, MAXVOL_FIDELITY),
        ({"regularization": "truncation"}, TRUNCATION_FIDELITY),
        ({"index_sets": "maxvol", "regularization": "truncation"}, MAXVOL_FIDELITY),
    ],
)
def test_sampled_maxvol_and_truncation(sampled, options, threshold):
    truth, data = sampled
    result = reconstruct(data, **options)
    assert fidelity(truth, result.state) > threshold
    assert result.state.trace() == pytest.approx(1.0, abs=1e-10)
    if options.get("index_sets") == "maxvol":
        # r_k rows and columns, r_k = singular values above the noise
        for (rows, cols), cut, rank in zip(
            result.index_sets, result.cuts, result.ranks, strict=True
        ):
            assert len(rows) == len(cols) == cut.rank_above_noise >= rank


def test_rank_caps_the_bond_dimension(sampled):
    truth, data = sampled
    result = reconstruct(data, max_rank=4)
    assert max(result.ranks) <= 4
    assert fidelity(truth, result.state) > 0.5


# ---------------------------------------------------------------------- GHZ
def test_noisy_ghz_what_the_user_is_told(noisy_ghz):
    """GHZ coherence lives in the n-body string X..X: no window narrower than the chain sees it.
    The estimate is (nearly) the classical mixture of |0..0> and |1..1>; the user gets a
    LongRangeCorrelationWarning (huge edge correlation, unsaturated ranks) saying coherence
    beyond the window (GHZ-type) is invisible to local data."""
    truth, data = noisy_ghz
    with pytest.warns(LongRangeCorrelationWarning, match="GHZ-type"):
        result = reconstruct(data)
    assert fidelity(truth, result.state) < 0.7  # measured 0.59
    assert result.edge_correlation > 100  # mean chi^2, about 1 for shot noise alone
    assert result.to_dict()["warnings"] == result.warnings != []
    assert "GHZ" in result.warnings[0]
    coherence = "XXXXXX"
    assert truth.expectation(coherence) > 0.8
    assert abs(result.state.expectation(coherence)) < 0.1
    assert result.state.purity() < 0.6 < truth.purity()


def test_exact_ghz_is_the_classical_mixture_and_warns():
    truth = simulate(ghz_line(6))
    with pytest.warns(LongRangeCorrelationWarning, match="max \\|connected correlation\\| 1"):
        result = reconstruct(ExactExpectations(truth, 5))
    assert fidelity(truth, result.state) == pytest.approx(0.5, abs=1e-8)
    assert result.consistency < 1e-10  # the data are fitted exactly: only the warning tells


@pytest.mark.xfail(
    strict=True,
    reason="known: the error bound assumes the cross is exact (model_error=0); on exact data "
    "outside the light cone it reports ~1e-11 while the error is large",
)
def test_bound_not_below_the_error_for_ghz():
    truth = simulate(ghz_line(6))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LongRangeCorrelationWarning)
        result = reconstruct(ExactExpectations(truth, 5))
    raw = PauliMPO(result.state.tt * result.trace_before_normalization)
    error = relative_error(raw, truth) * math.exp(truth.tt.log_norm())
    assert result.bound.value >= error


# ---------------------------------------------------------------------- bad input
def test_bad_input_types_and_windows(sampled):
    _, data = sampled
    with pytest.raises(TypeError, match="MeasurementData or ExactExpectations"):
        reconstruct({"XX": 1.0})
    with pytest.raises(TypeError, match="MeasurementData or ExactExpectations"):
        reconstruct(np.zeros((4, 4)))
    with pytest.raises(TypeError):
        reconstruct(data, window=3.0)
    with pytest.raises(TypeError):
        reconstruct(data, max_rank="4")
    with pytest.raises(ValueError, match="must be odd.*try 3"):
        reconstruct(data, window=4)
    with pytest.raises(ValueError, match="exceeds the design's window 5"):
        reconstruct(data, window=7)
    with pytest.raises(ValueError, match="at least 3"):
        reconstruct(data, window=1)
    with pytest.raises(ValueError):
        reconstruct(data, max_rank=0)
    with pytest.raises(ValueError):
        reconstruct(data, noise_scale=-1.0)


def test_unknown_method_names_list_the_valid_ones(sampled):
    _, data = sampled
    with pytest.raises(ValueError, match="unknown index_sets 'qr'; valid: all, maxvol"):
        reconstruct(data, index_sets="qr")
    with pytest.raises(
        ValueError, match="unknown regularization 'ridge'; valid: tikhonov, truncation"
    ):
        reconstruct(data, regularization="ridge")
    with pytest.raises(ValueError, match="unknown method 'svd'; valid: 'cross'"):
        reconstruct(data, method="svd")


# ---------------------------------------------------------------------- slow
@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_sampled_fidelity_sweep(seed):
    truth = simulate(brickwork(6, 2, seed=seed), NOISE)
    data = measure(truth, MeasurementDesign(6, 5), 2000, seed=seed)
    assert fidelity(truth, reconstruct(data).state) > SAMPLED_FIDELITY
    assert fidelity(truth, reconstruct(data, index_sets="maxvol").state) > MAXVOL_FIDELITY
    result = reconstruct(data, regularization="truncation")
    assert fidelity(truth, result.state) > TRUNCATION_FIDELITY


@pytest.mark.slow
def test_sampled_n10_as_in_the_readme():
    """Method note: w = 5, 10^4 shots reached 0.951 at n = 8, 0.83 at n = 12; measured 0.884
    here at n = 10."""
    truth = simulate(brickwork(10, 2, seed=1), NOISE)
    data = measure(truth, MeasurementDesign(10, 5), 10_000, seed=1)
    assert fidelity(truth, reconstruct(data).state) > 0.85


# ---------------------------------------------------------------------- positivity repair
def test_repair_projects_onto_states(sampled):
    truth, data = sampled
    plain = reconstruct(data)
    repaired = reconstruct(data, repair=True)
    assert plain.negativity > 1e-3 and plain.repair is None  # shot noise leaves negativity
    info = repaired.repair
    assert info.negativity == pytest.approx(plain.negativity, rel=1e-8)
    assert info.min_eigenvalue < 0 < info.distance
    rho = repaired.state.to_dense()
    assert np.linalg.eigvalsh(rho).min() > -1e-10 and repaired.negativity < 1e-10
    assert np.trace(rho).real == pytest.approx(1.0, abs=1e-10)
    # the repaired state is what fidelity() scores after its own (identical) projection
    assert fidelity(truth, repaired.state, repair=False) == pytest.approx(
        fidelity(truth, plain.state),
        abs=1e-6,  # fidelity's own floor is ~1e-8 (sqrt)
    )


def test_repair_refuses_large_n():
    truth = _product_state(np.tile([0.0, 0.0, 1.0], (13, 1)))
    with pytest.raises(ValueError, match="n <= 12"):
        reconstruct(ExactExpectations(truth, 3), repair=True)


def test_rank_cap_keeps_a_positive_trace():
    """A Frobenius rounding of the Pauli tensor to rank 4 once gave trace -9e-5 here; the
    weighted rounding keeps the identity component and the result is renormalised."""
    truth = simulate(brickwork(8, 4, seed=0), NOISE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WindowTooNarrowWarning)
        result = reconstruct(ExactExpectations(truth, 5), max_rank=4)
    assert max(result.ranks) <= 4
    assert result.state.trace() == pytest.approx(1.0, abs=1e-12)
    assert 0.0 < fidelity(truth, result.state) < 1.0


def test_refine_is_the_stage_after_reconstruct(sampled):
    """``refine(reconstruct(data).state, data)`` with refine's own defaults is the former
    ``reconstruct(data, refine=True, seed=3)`` (fidelity 0.9844746863 recorded before the
    stages were separated, 42 iterations, stopped by the held-out loss)."""
    truth, data = sampled
    plain = reconstruct(data)
    fit = refine(plain.state, data, seed=3)
    assert (fit.loss, fit.positive) == ("nll", True)
    assert fit.history[-1][0] <= fit.history[0][0]  # training loss did not rise
    assert fit.state.trace() == pytest.approx(1.0, abs=1e-10)
    assert fidelity(truth, fit.state) == pytest.approx(0.9844746862721303, abs=1e-6)
    assert (fit.iterations, fit.stop_reason) == (42, "holdout")
    assert fidelity(truth, fit.state) > fidelity(truth, plain.state) + 0.01
    explicit = refine(plain.state, data, loss="nll", positive=True, kraus_dim=4, seed=3)
    np.testing.assert_array_equal(explicit.state.tt.full(), fit.state.tt.full())
    with pytest.raises(TypeError, match="reconstruct"):
        reconstruct(data, refine=True)


def test_a_window_over_the_whole_chain_gives_no_window_warning():
    """n = 3 with window 3 is full tomography of the chain: nothing lies beyond the window
    (a false WindowTooNarrowWarning was issued here once)."""
    truth = simulate(brickwork(3, 2, seed=0), NOISE)
    data = measure(truth, MeasurementDesign(3, 3), 4000, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", WindowTooNarrowWarning)
        warnings.simplefilter("error", LongRangeCorrelationWarning)
        result = reconstruct(data)
    assert fidelity(truth, result.state) > 0.95
