"""Tests for tomography.metrics against direct dense formulas (scipy's sqrtm only here)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from qiskit.quantum_info import DensityMatrix, partial_trace
from scipy.linalg import sqrtm

from tomography.metrics import (
    LocalFidelities,
    Metrics,
    PhysicalRepair,
    compare,
    fidelity,
    local_fidelities,
    make_physical,
    overlap_fidelity,
    project_to_simplex,
    relative_error,
    trace_distance,
)
from tomography.state import PauliMPO
from ttcross import TensorTrain


# ---------------------------------------------------------------------- helpers
def random_state(n: int, rank: int, seed: int) -> np.ndarray:
    """Random density matrix (2^n, 2^n) of the given rank: G G^dagger / tr."""
    rng = np.random.default_rng(seed)
    g = rng.standard_normal((2**n, rank)) + 1j * rng.standard_normal((2**n, rank))
    rho = g @ g.conj().T
    return rho / np.trace(rho).real


def non_psd_estimate(n: int, seed: int) -> np.ndarray:
    """A pure state plus a Hermitian perturbation, scaled to trace 1.3: not positive."""
    rng = np.random.default_rng(seed)
    h = rng.standard_normal((2**n, 2**n)) + 1j * rng.standard_normal((2**n, 2**n))
    h = 0.5 * (h + h.conj().T)
    h -= np.trace(h) / 2**n * np.eye(2**n)
    return 1.3 * (random_state(n, 1, seed) + 0.05 * h)


def direct_fidelity(rho: np.ndarray, sigma: np.ndarray) -> float:
    root = sqrtm(rho)
    return float(np.real(np.trace(sqrtm(root @ sigma @ root))) ** 2)


def direct_trace_distance(rho: np.ndarray, sigma: np.ndarray) -> float:
    return float(0.5 * np.abs(np.linalg.eigvalsh(rho - sigma)).sum())


def product_state(bloch_vectors: np.ndarray) -> PauliMPO:
    """Product state from per-qubit Pauli vectors (n, 4) = (1, x, y, z), rank-1 cores."""
    return PauliMPO(TensorTrain([v.reshape(1, 4, 1) for v in bloch_vectors]))


def random_bloch(n: int, radius: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    directions = rng.standard_normal((n, 3))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    return np.column_stack([np.ones(n), radius * directions])


def log_product(values: np.ndarray) -> float:
    return float(np.sum(np.log(values)))


# ---------------------------------------------------------------------- simplex projection
def test_simplex_projection_is_a_probability_vector_and_idempotent():
    rng = np.random.default_rng(0)
    for m in (1, 2, 5, 40):
        v = 3 * rng.standard_normal(m)
        p = project_to_simplex(v)
        assert p.shape == (m,)
        assert np.all(p >= 0)
        assert p.sum() == pytest.approx(1.0, abs=1e-12)
        np.testing.assert_allclose(project_to_simplex(p), p, atol=1e-14)


def test_simplex_projection_keeps_points_of_the_simplex():
    p = np.random.default_rng(1).dirichlet(np.ones(6))
    np.testing.assert_allclose(project_to_simplex(p), p, atol=1e-15)
    np.testing.assert_allclose(project_to_simplex([0.2, 0.3]), [0.45, 0.55])
    np.testing.assert_allclose(project_to_simplex([5.0, -1.0, 0.0]), [1.0, 0.0, 0.0])


def test_simplex_projection_is_closest_point_by_brute_force():
    rng = np.random.default_rng(2)
    candidates = np.vstack(
        [rng.dirichlet(np.ones(3), 20000), rng.dirichlet(0.1 * np.ones(3), 20000), np.eye(3)]
    )
    for _ in range(10):
        v = 2 * rng.standard_normal(3)
        p = project_to_simplex(v)
        best = np.min(np.linalg.norm(candidates - v, axis=1))
        assert np.linalg.norm(p - v) <= best + 1e-12
        assert np.linalg.norm(p - v) == pytest.approx(best, abs=2e-2)


def test_simplex_projection_kkt_conditions():
    v = np.random.default_rng(3).standard_normal(12)
    p = project_to_simplex(v)
    shift = v - p  # = theta on the support, >= theta off it (v <= theta there)
    theta = shift[p > 0]
    np.testing.assert_allclose(theta, theta[0], atol=1e-14)
    assert np.all(v[p == 0] <= theta[0] + 1e-14)


@pytest.mark.parametrize(
    ("values", "error"),
    [
        (np.zeros((2, 2)), ValueError),
        (np.zeros(0), ValueError),
        ([0.5, np.nan], ValueError),
        ([0.5, 1j], TypeError),
        (["a", "b"], TypeError),
    ],
)
def test_simplex_projection_rejects_bad_input(values, error):
    with pytest.raises(error):
        project_to_simplex(values)


# ---------------------------------------------------------------------- make_physical
def test_make_physical_leaves_a_state_unchanged():
    rho = random_state(3, 4, seed=10)
    physical, info = make_physical(rho)
    np.testing.assert_allclose(physical, rho, atol=1e-13)
    assert isinstance(info, PhysicalRepair)
    assert info.negativity < 1e-14  # round-off of the zero eigenvalues only
    assert info.distance < 1e-13
    assert info.trace_before == pytest.approx(1.0)
    assert info.rank == 4


def test_make_physical_repairs_and_reports_a_non_psd_estimate():
    estimate = non_psd_estimate(3, seed=11)
    physical, info = make_physical(estimate)
    hermitian = estimate / np.trace(estimate).real
    eigenvalues = np.linalg.eigvalsh(hermitian)
    assert info.trace_before == pytest.approx(1.3)
    assert info.negativity > 0
    assert info.negativity == pytest.approx(-eigenvalues[eigenvalues < 0].sum())
    assert info.min_eigenvalue == pytest.approx(eigenvalues[0])
    change = np.linalg.eigvalsh(physical - hermitian)
    assert info.distance == pytest.approx(np.abs(change).sum())
    np.testing.assert_allclose(physical, physical.conj().T, atol=1e-15)
    assert np.trace(physical).real == pytest.approx(1.0)
    assert np.linalg.eigvalsh(physical)[0] > -1e-14
    np.testing.assert_allclose(physical @ hermitian, hermitian @ physical, atol=1e-12)  # same V
    # nearer in Frobenius norm than clip-and-renormalise
    w, v = np.linalg.eigh(hermitian)
    clipped = np.clip(w, 0, None)
    clipped = (v * (clipped / clipped.sum())) @ v.conj().T
    assert np.linalg.norm(physical - hermitian) < np.linalg.norm(clipped - hermitian)


def test_make_physical_takes_hermitian_part_and_reports_it():
    rho = random_state(2, 2, seed=12)
    skew = 1e-3j * np.eye(4)
    skew[0, 1] = 1e-3
    physical, info = make_physical(rho + skew - skew.conj().T)
    assert info.anti_hermitian_norm > 1e-3
    np.testing.assert_allclose(physical, rho, atol=1e-13)


def test_make_physical_accepts_pauli_mpo_and_density_matrix():
    rho = random_state(3, 2, seed=13)
    for given in (PauliMPO.from_dense(rho), DensityMatrix(rho)):
        physical, info = make_physical(given)
        np.testing.assert_allclose(physical, rho, atol=1e-12)
        assert info.rank == 2


def test_make_physical_rejects_non_positive_trace():
    with pytest.raises(ValueError, match="trace"):
        make_physical(-random_state(2, 1, seed=14))


# ---------------------------------------------------------------------- fidelity
@pytest.mark.parametrize(("rank_a", "rank_b"), [(4, 8), (1, 8), (3, 1), (8, 8)])
def test_fidelity_matches_direct_formula(rank_a, rank_b):
    rho, sigma = random_state(3, rank_a, seed=20), random_state(3, rank_b, seed=21)
    expected = direct_fidelity(rho, sigma)
    assert fidelity(rho, sigma) == pytest.approx(expected, abs=1e-7)
    assert fidelity(sigma, rho) == pytest.approx(expected, abs=1e-7)
    assert fidelity(rho, sigma, repair=False) == pytest.approx(expected, abs=1e-7)


def test_fidelity_of_pure_states_is_squared_overlap():
    rng = np.random.default_rng(22)
    psi, phi = (rng.standard_normal(16) + 1j * rng.standard_normal(16) for _ in range(2))
    psi, phi = psi / np.linalg.norm(psi), phi / np.linalg.norm(phi)
    expected = abs(np.vdot(psi, phi)) ** 2
    assert fidelity(np.outer(psi, psi.conj()), np.outer(phi, phi.conj())) == pytest.approx(
        expected, abs=1e-12
    )


def test_fidelity_identical_and_orthogonal():
    rho = random_state(3, 3, seed=23)
    assert fidelity(rho, rho) == pytest.approx(1.0, abs=1e-10)
    assert fidelity(PauliMPO.from_dense(rho), rho) == pytest.approx(1.0, abs=1e-10)
    # supports on orthogonal subspaces
    zeros, ones = np.zeros((4, 4)), np.zeros((4, 4))
    zeros[0, 0] = 0.5
    zeros[1, 1] = 0.5
    ones[2, 2] = 1.0
    assert fidelity(zeros, ones) == pytest.approx(0.0, abs=1e-14)
    assert trace_distance(zeros, ones) == pytest.approx(1.0)


def test_fidelity_accepts_pauli_mpo():
    rho, sigma = random_state(3, 2, seed=24), random_state(3, 5, seed=25)
    expected = direct_fidelity(rho, sigma)
    value = fidelity(PauliMPO.from_dense(rho), PauliMPO.from_dense(sigma))
    assert value == pytest.approx(expected, abs=1e-7)
    assert 0.0 <= value <= 1.0


def test_fidelity_repairs_a_non_psd_estimate():
    estimate, truth = non_psd_estimate(3, seed=26), random_state(3, 2, seed=27)
    repaired = make_physical(estimate)[0]
    value = fidelity(estimate, truth)
    assert value == pytest.approx(direct_fidelity(repaired, truth), abs=1e-7)
    assert 0.0 <= value <= 1.0
    with pytest.raises(ValueError, match="negative eigenvalue"):
        fidelity(estimate / 1.3, truth, repair=False)
    with pytest.raises(ValueError, match="trace"):
        fidelity(2 * truth, truth, repair=False)


# ---------------------------------------------------------------------- trace distance
def test_trace_distance_matches_direct_formula():
    rho, sigma = random_state(3, 2, seed=30), random_state(3, 8, seed=31)
    expected = direct_trace_distance(rho, sigma)
    assert trace_distance(rho, sigma) == pytest.approx(expected, abs=1e-12)
    assert trace_distance(PauliMPO.from_dense(rho), sigma) == pytest.approx(expected, abs=1e-12)
    assert trace_distance(rho, rho) == pytest.approx(0.0, abs=1e-14)


def test_trace_distance_repair_flag():
    estimate, truth = non_psd_estimate(2, seed=32), random_state(2, 1, seed=33)
    raw = trace_distance(estimate, truth)
    assert raw == pytest.approx(direct_trace_distance(estimate, truth), abs=1e-12)
    repaired = trace_distance(estimate, truth, repair=True)
    expected = direct_trace_distance(make_physical(estimate)[0], truth)
    assert repaired == pytest.approx(expected, abs=1e-12)
    skew = truth.copy()
    skew[0, 1] += 0.1
    with pytest.raises(ValueError, match="not Hermitian"):
        trace_distance(skew, truth)


# ---------------------------------------------------------------------- TT metrics, small n
def test_overlap_fidelity_and_relative_error_match_dense_formulas():
    rho, sigma = random_state(4, 2, seed=40), random_state(4, 3, seed=41)
    overlap = np.trace(rho @ sigma).real / max(
        np.trace(rho @ rho).real, np.trace(sigma @ sigma).real
    )
    error = np.linalg.norm(rho - sigma) / np.linalg.norm(sigma)
    mpo_rho, mpo_sigma = PauliMPO.from_dense(rho), PauliMPO.from_dense(sigma)
    for a, b in ((rho, sigma), (mpo_rho, mpo_sigma), (mpo_rho, sigma), (rho, mpo_sigma)):
        assert overlap_fidelity(a, b) == pytest.approx(overlap, rel=1e-10)
        assert relative_error(a, b) == pytest.approx(error, rel=1e-10)
    assert overlap_fidelity(mpo_rho, mpo_rho) == pytest.approx(1.0, rel=1e-12)
    assert relative_error(mpo_rho, mpo_rho) < 1e-14


def test_pure_overlap_fidelity_equals_uhlmann_fidelity():
    psi, sigma = random_state(3, 1, seed=42), random_state(3, 1, seed=43)
    assert overlap_fidelity(psi, sigma) == pytest.approx(fidelity(psi, sigma), abs=1e-10)


def test_normalize_option_divides_by_trace():
    rho, sigma = random_state(3, 2, seed=44), random_state(3, 3, seed=45)
    a, b = PauliMPO.from_dense(1.5 * rho), PauliMPO.from_dense(sigma)
    assert overlap_fidelity(a, b) == pytest.approx(overlap_fidelity(rho, sigma), rel=1e-10)
    scaled = relative_error(a, b)
    assert scaled == pytest.approx(np.linalg.norm(1.5 * rho - sigma) / np.linalg.norm(sigma))
    assert relative_error(a, b, normalize=True) == pytest.approx(relative_error(rho, sigma))
    with pytest.raises(ValueError, match="not positive"):
        overlap_fidelity(PauliMPO.from_dense(-rho), b)


# ---------------------------------------------------------------------- local fidelities
def test_local_fidelities_match_partial_traces():
    n, width = 5, 3
    rho, sigma = random_state(n, 2, seed=50), random_state(n, 6, seed=51)
    result = local_fidelities(PauliMPO.from_dense(rho), PauliMPO.from_dense(sigma), width)
    from_dense = local_fidelities(rho, sigma, width)
    assert isinstance(result, LocalFidelities)
    np.testing.assert_array_equal(result.starts, [0, 1, 2])
    for j, start in enumerate(result.starts):
        drop = [q for q in range(n) if not start <= q < start + width]  # Qiskit qubit indices
        r = partial_trace(DensityMatrix(rho), drop).data
        s = partial_trace(DensityMatrix(sigma), drop).data
        assert result.fidelity[j] == pytest.approx(direct_fidelity(r, s), abs=1e-7)
        assert result.trace_distance[j] == pytest.approx(direct_trace_distance(r, s), abs=1e-10)
    np.testing.assert_allclose(from_dense.fidelity, result.fidelity, atol=1e-10)
    np.testing.assert_allclose(from_dense.trace_distance, result.trace_distance, atol=1e-10)
    assert not result.fidelity.flags.writeable


def test_local_fidelities_report_negativity_of_the_estimate():
    estimate, truth = non_psd_estimate(3, seed=52), random_state(3, 2, seed=53)
    result = local_fidelities(estimate, truth, 3)
    assert result.negativity[0] == pytest.approx(make_physical(estimate)[1].negativity)
    with pytest.raises(ValueError, match=r"a\[0:3\]"):
        local_fidelities(estimate / 1.3, truth, 3, repair=False)


def test_local_fidelities_width_checks():
    rho = random_state(3, 1, seed=54)
    with pytest.raises(ValueError, match="width"):
        local_fidelities(rho, rho, 4)
    with pytest.raises(ValueError, match="width"):
        local_fidelities(rho, rho, 0)
    with pytest.raises(TypeError, match="width"):
        local_fidelities(rho, rho, 2.0)


# ---------------------------------------------------------------------- compare
def test_compare_fills_every_metric_at_small_n():
    truth, estimate = random_state(4, 1, seed=60), non_psd_estimate(4, seed=61)
    metrics = compare(PauliMPO.from_dense(estimate), truth, width=2)
    normalised = estimate / 1.3
    repaired = make_physical(estimate)[0]
    assert isinstance(metrics, Metrics)
    assert metrics.n == 4
    assert metrics.trace_estimate == pytest.approx(1.3)
    assert metrics.inner == pytest.approx(np.trace(normalised @ truth).real)
    assert metrics.purity_estimate == pytest.approx(np.trace(normalised @ normalised).real)
    assert metrics.purity_truth == pytest.approx(1.0)
    assert metrics.overlap_fidelity == pytest.approx(overlap_fidelity(normalised, truth))
    assert metrics.relative_error == pytest.approx(relative_error(normalised, truth))
    assert metrics.fidelity == pytest.approx(direct_fidelity(repaired, truth), abs=1e-7)
    assert metrics.trace_distance == pytest.approx(direct_trace_distance(repaired, truth))
    assert metrics.repair_estimate.negativity > 0
    assert metrics.local.fidelity.shape == (3,)
    json.dumps(metrics.to_dict())


def test_compare_skips_local_when_window_exceeds_n():
    rho = random_state(2, 2, seed=62)
    assert compare(rho, rho, width=3).local is None
    with pytest.raises(ValueError, match="width"):
        compare(rho, rho, width=9)


# ---------------------------------------------------------------------- large n, log scale
@pytest.mark.parametrize("n", [1000, 2000])
def test_overlap_fidelity_at_large_n_without_overflow(n):
    va, vb = random_bloch(n, 0.75, seed=70), random_bloch(n, 0.95, seed=71)
    vb[: n // 2] = va[: n // 2]  # half the qubits agree, so the overlap is not tiny
    vb[n // 2 :] = 0.9 * va[n // 2 :] + 0.1 * vb[n // 2 :]
    vb[:, 0] = 1.0
    a, b = product_state(va), product_state(vb)
    # ||X_a||^2 = (1 + r^2)^n overflows at n = 2000 when formed directly
    log_inner = log_product(np.sum(va * vb, axis=1))
    log_norms = [log_product(np.sum(v * v, axis=1)) for v in (va, vb)]
    expected = np.exp(log_inner - max(log_norms))
    value = overlap_fidelity(a, b)
    assert np.isfinite(value) and value > 1e-200
    assert value == pytest.approx(expected, rel=1e-9)
    assert overlap_fidelity(a, a) == pytest.approx(1.0, rel=1e-9)


def test_relative_error_at_large_n_without_overflow():
    n = 1000
    vb = random_bloch(n, 0.99, seed=72)
    va = vb.copy()
    va[::100, 1:] *= 0.9  # a few qubits a little more mixed
    a, b = product_state(va), product_state(vb)
    log_a = log_product(np.sum(va * va, axis=1))
    log_b = log_product(np.sum(vb * vb, axis=1))
    log_ab = log_product(np.sum(va * vb, axis=1))
    expected = np.sqrt(np.exp(log_a - log_b) + 1.0 - 2.0 * np.exp(log_ab - log_b))
    assert relative_error(a, b) == pytest.approx(expected, rel=1e-8)
    assert relative_error(b, b) < 1e-12


def test_relative_error_tiny_difference_without_cancellation():
    vb = random_bloch(1000, 0.9, seed=73)
    va = vb.copy()
    va[500, 1] += 1e-9
    expected = 1e-9 / np.linalg.norm(vb[500])  # every other factor cancels
    value = relative_error(product_state(va), product_state(vb))
    assert value == pytest.approx(expected, rel=1e-4)


def test_relative_error_of_rank_two_mixture_at_large_n():
    n = 1000
    v1, v2 = random_bloch(n, 0.9, seed=74), random_bloch(n, 0.9, seed=75)
    mixture = PauliMPO(0.5 * (product_state(v1).tt + product_state(v2).tt))
    assert mixture.bond_dims[0] == 2
    assert overlap_fidelity(mixture, mixture) == pytest.approx(1.0, rel=1e-9)
    assert relative_error(mixture, mixture) < 1e-12
    # the mixture against one component: tr(a b) / max(...) with both terms in log scale
    logs = [log_product(np.sum(x * y, axis=1)) for x, y in ((v1, v1), (v2, v1), (v2, v2))]
    log_inner = np.logaddexp(logs[0], logs[1]) - np.log(2)
    log_mix = np.logaddexp(np.logaddexp(logs[0], logs[2]), np.log(2) + logs[1]) - 2 * np.log(2)
    expected = np.exp(log_inner - max(log_mix, logs[0]))
    value = overlap_fidelity(mixture, product_state(v1))
    assert value == pytest.approx(expected, rel=1e-8)


def test_compare_at_large_n_skips_dense_metrics():
    n = 1000
    va = random_bloch(n, 0.9, seed=76)
    vb = va.copy()
    vb[::50, 1:] *= 0.95
    metrics = compare(product_state(va), product_state(vb), width=2)
    assert metrics.fidelity is None and metrics.trace_distance is None
    assert metrics.repair_estimate is None
    assert metrics.local.fidelity.shape == (n - 1,)
    assert np.all(metrics.local.fidelity <= 1.0)
    assert metrics.local.min_fidelity < 1.0 - 1e-6
    assert np.isfinite(metrics.log_purity_truth)
    np.testing.assert_allclose(
        metrics.log_purity_truth, log_product((1 + np.sum(vb[:, 1:] ** 2, axis=1)) / 2)
    )
    json.dumps(metrics.to_dict())


# ---------------------------------------------------------------------- input errors
@pytest.mark.parametrize("function", [fidelity, trace_distance, overlap_fidelity, relative_error])
def test_qubit_count_mismatch(function):
    with pytest.raises(ValueError, match="qubit count mismatch"):
        function(random_state(2, 1, seed=80), random_state(3, 1, seed=81))
    with pytest.raises(ValueError, match="qubit count mismatch"):
        function(product_state(random_bloch(4, 0.5, seed=82)), random_state(3, 1, seed=83))


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (np.zeros((4, 2)), "square"),
        (np.zeros((3, 3)), "power of two"),
        (np.zeros(4), "square"),
        (np.full((4, 4), np.nan), "NaN"),
    ],
)
@pytest.mark.parametrize("function", [fidelity, trace_distance, overlap_fidelity])
def test_invalid_matrices(function, bad, message):
    with pytest.raises(ValueError, match=message):
        function(bad, random_state(2, 1, seed=84))


def test_wrong_types():
    rho = random_state(1, 1, seed=85)
    with pytest.raises(TypeError, match="PauliMPO"):
        fidelity("state", rho)
    with pytest.raises(TypeError, match="TensorTrain"):
        overlap_fidelity(product_state(random_bloch(1, 0.5, seed=86)).tt, rho)


def test_dense_metrics_refuse_more_than_twelve_qubits():
    big_dense = np.broadcast_to(np.zeros(1), (2**13, 2**13))  # no memory used
    with pytest.raises(ValueError, match="n <= 12"):
        fidelity(big_dense, big_dense)
    big = product_state(random_bloch(13, 0.5, seed=87))
    for function in (fidelity, trace_distance, make_physical):
        args = (big,) if function is make_physical else (big, big)
        with pytest.raises(ValueError, match="overlap_fidelity"):
            function(*args)
    assert overlap_fidelity(big, big) == pytest.approx(1.0)


def test_zero_state_is_rejected():
    zero = PauliMPO(TensorTrain([np.zeros((1, 4, 1))] * 3))
    one = product_state(random_bloch(3, 0.5, seed=88))
    with pytest.raises(ValueError, match="zero"):
        relative_error(one, zero)


def test_product_state_helper_matches_dense_kron():
    """Product states built from cores agree with their dense form (Qiskit order)."""
    v = random_bloch(3, 0.8, seed=89)
    dense = product_state(v).to_dense()
    paulis = [np.eye(2), [[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]]
    singles = [sum(c * np.asarray(p) for c, p in zip(row, paulis, strict=True)) / 2 for row in v]
    expected = np.kron(singles[2], np.kron(singles[1], singles[0]))  # qubit 0 right-most
    np.testing.assert_allclose(dense, expected, atol=1e-14)
    np.testing.assert_allclose(local_fidelities(product_state(v), dense, 1).fidelity, 1.0)
