"""Tests for tomography.state.PauliMPO: scalars, marginals, conversions, files, sampling.

References are dense: Aer's density matrix (``simulate_dense``), qiskit.quantum_info, and, for
sampling, Aer's own sampler with the basis rotations and measurements in the circuit.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import tensornetwork as tn
from qiskit import QuantumCircuit
from qiskit.quantum_info import DensityMatrix, Pauli, partial_trace
from qiskit_aer import AerSimulator
from scipy import stats

from tomography.circuit_ops import assignment_matrices, simulate_dense
from tomography.circuits import brickwork, ising_trotter
from tomography.noise import amplitude_damping, combine, depolarizing, readout, thermal
from tomography.pauli import dense_to_pauli, reverse_qubit_axes
from tomography.simulate import simulate
from tomography.state import MAX_TO_DENSE_QUBITS, STATE_FORMAT_VERSION, PauliMPO
from ttcross import TensorTrain

REL_1000 = 1e-9  # relative accuracy asked of scalars at n = 1000
P_MIN = 1e-3  # chi-square tests: fail below this p-value (fixed seeds: deterministic outcome)


def trace_distance(a: np.ndarray, b: np.ndarray) -> float:
    return 0.5 * float(np.abs(np.linalg.eigvalsh(a - b)).sum())


@pytest.fixture(scope="module")
def noisy():
    """A 5-qubit noisy state with readout error, and Aer's dense matrix of it."""
    circuit = brickwork(5, 3, gates="cx", seed=21)
    model = combine(depolarizing(0.01, 0.04), amplitude_damping(0.03), readout(0.02, 0.05))
    return simulate(circuit, model), simulate_dense(circuit, model)


def _pauli_matrix(string: str) -> np.ndarray:
    """Qiskit-ordered matrix of a ttqst Pauli string (character k on qubit k)."""
    return Pauli(string[::-1]).to_matrix()


def _product_state(vectors: np.ndarray) -> PauliMPO:
    """Product state with Bloch vectors ``vectors`` (n, 3): cores (1, 4, 1) = (1, r)."""
    cores = [np.concatenate([[1.0], r]).reshape(1, 4, 1) for r in vectors]
    return PauliMPO(TensorTrain(cores))


def _one_qubit_matrix(r: np.ndarray) -> np.ndarray:
    return 0.5 * (np.eye(2) + sum(c * _pauli_matrix(p) for c, p in zip(r, "XYZ", strict=True)))


# ---------------------------------------------------------------------- scalars vs dense
def test_trace_purity_expectation_inner_match_dense(noisy):
    state, rho = noisy
    assert state.trace() == pytest.approx(np.trace(rho).real, abs=1e-12)
    assert state.purity() == pytest.approx(np.trace(rho @ rho).real, rel=1e-12)
    assert state.log_purity() == pytest.approx(np.log(np.trace(rho @ rho).real), rel=1e-12)
    rng = np.random.default_rng(0)
    strings = ["".join(rng.choice(list("IXYZ"), size=5)) for _ in range(40)] + ["IIIII", "ZZZZZ"]
    expected = [np.trace(rho @ _pauli_matrix(s)).real for s in strings]
    np.testing.assert_allclose(state.expectation(strings), expected, atol=1e-13)
    assert isinstance(state.expectation("XIZIY"), float)
    single = np.trace(rho @ _pauli_matrix("XIZIY")).real
    assert state.expectation("XIZIY") == pytest.approx(single, abs=1e-13)
    assert state.expectation([]).shape == (0,)
    other = simulate(ising_trotter(5, 2, dt=0.3), thermal(40.0, 50.0, (1.0, 3.0)))
    assert state.inner(other) == pytest.approx(np.trace(rho @ other.to_dense()).real, abs=1e-13)
    assert state.inner(state) == pytest.approx(state.purity(), rel=1e-12)


@pytest.mark.parametrize("sites", [[0], [4], [1, 2], [0, 4], [3, 1], [0, 2, 3], [0, 1, 2, 3, 4]])
def test_marginal_matches_partial_trace(noisy, sites):
    state, rho = noisy
    marginal = state.marginal(sites)
    keep = sorted(sites)
    traced = [q for q in range(5) if q not in keep]
    expected = partial_trace(DensityMatrix(rho), traced).data if traced else rho
    assert marginal.n == len(sites)
    np.testing.assert_allclose(marginal.to_dense(), expected, atol=1e-13)
    np.testing.assert_array_equal(marginal.assignment, state.assignment[keep])


def test_marginal_errors(noisy):
    state, _ = noisy
    with pytest.raises(ValueError, match="repeated"):
        state.marginal([1, 1])
    with pytest.raises(ValueError, match="0..4"):
        state.marginal([0, 5])
    with pytest.raises(ValueError, match="0..4"):
        state.marginal([-1])
    with pytest.raises(ValueError, match="non-empty"):
        state.marginal([])


# ---------------------------------------------------------------------- dense, compress
def test_from_dense_round_trip(noisy):
    state, rho = noisy
    again = PauliMPO.from_dense(rho)
    np.testing.assert_allclose(again.to_dense(), rho, atol=1e-13)
    assert all(a <= b for a, b in zip(again.bond_dims, state.bond_dims, strict=True))
    np.testing.assert_allclose(again.tt.full(), dense_to_pauli(rho), atol=1e-13)
    coarse = PauliMPO.from_dense(rho, tol=0.05)
    assert max(coarse.bond_dims) < max(again.bond_dims)


def test_compress_reports_error_and_reduces_bonds():
    state = simulate(brickwork(6, 4, gates="haar", seed=22), depolarizing(0.001, 0.01))
    exact = state.tt.full()
    assert max(state.bond_dims) == 4**3
    same = state.compress()
    assert same.bond_dims == state.bond_dims and same.truncation_error < 1e-13
    for cap in (16, 4):
        small = state.compress(max_rank=cap)
        assert max(small.bond_dims) <= cap
        error = np.linalg.norm(small.tt.full() - exact) / np.linalg.norm(exact)
        assert 0 < error <= small.truncation_error * (1 + 1e-10)
    by_tol = state.compress(tol=0.05)
    assert max(by_tol.bond_dims) < max(state.bond_dims)
    error = np.linalg.norm(by_tol.tt.full() - exact) / np.linalg.norm(exact)
    assert error <= by_tol.truncation_error * (1 + 1e-10) <= 0.05 * (1 + 1e-10)
    twice = state.compress(max_rank=16).compress(max_rank=4)
    assert twice.truncation_error > state.compress(max_rank=16).truncation_error


def test_to_dense_refuses_large_states():
    state = _product_state(np.zeros((MAX_TO_DENSE_QUBITS + 1, 3)))
    with pytest.raises(ValueError, match=f"expected at most {MAX_TO_DENSE_QUBITS}"):
        state.to_dense()


def test_operator_cores_round_trip_and_non_hermitian(noisy):
    state, rho = noisy
    cores = state.operator_cores()
    assert [c.shape[1:3] for c in cores] == [(2, 2)] * 5
    np.testing.assert_allclose(PauliMPO.from_operator_cores(cores).to_dense(), rho, atol=1e-13)
    bad = [c.copy() for c in cores]
    bad[2] = bad[2] * 1j
    with pytest.raises(ValueError, match="not Hermitian"):
        PauliMPO.from_operator_cores(bad)
    with pytest.raises(ValueError, match="shape"):
        PauliMPO.from_operator_cores([np.ones((1, 4, 1))])


# ---------------------------------------------------------------------- files
def test_save_load_round_trip(noisy, tmp_path):
    state, _ = noisy
    truncated = state.compress(max_rank=4)
    path = truncated.save(tmp_path / "state")
    assert path == tmp_path / "state.npz"
    loaded = PauliMPO.load(path)
    assert loaded.n == 5 and loaded.bond_dims == truncated.bond_dims
    assert loaded.truncation_error == truncated.truncation_error
    assert loaded.tt.log_scale == truncated.tt.log_scale
    np.testing.assert_array_equal(loaded.assignment, state.assignment)
    for a, b in zip(loaded.tt.cores, truncated.tt.cores, strict=True):
        np.testing.assert_array_equal(a, b)
    no_readout = state.with_assignment(None)
    assert PauliMPO.load(no_readout.save(tmp_path / "plain.npz")).assignment is None


def test_save_refuses_to_overwrite(noisy, tmp_path):
    state, _ = noisy
    path = state.save(tmp_path / "s.npz")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        state.save(path)
    other = state.marginal([0, 1, 2]).with_assignment(None)
    other.save(path, overwrite=True)
    assert PauliMPO.load(path).n == 3


def _write_npz(path, meta, **arrays):
    np.savez(path, meta=np.array(json.dumps(meta)), **arrays)


def test_load_rejects_bad_files(noisy, tmp_path):
    state, _ = noisy
    good = state.save(tmp_path / "good.npz")
    meta = {"format": "ttqst.PauliMPO", "version": STATE_FORMAT_VERSION, "n": 1,
            "log_scale": 0.0, "truncation_error": 0.0}  # fmt: skip
    core = np.array([1.0, 0, 0, 1]).reshape(1, 4, 1)

    (tmp_path / "truncated.npz").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    (tmp_path / "garbage.npz").write_bytes(np.random.default_rng(1).bytes(300))
    (tmp_path / "empty.npz").write_bytes(b"")
    np.save(tmp_path / "array.npy", np.ones(3))
    np.savez(tmp_path / "other.npz", a=np.ones(3))
    _write_npz(tmp_path / "version.npz", {**meta, "version": STATE_FORMAT_VERSION + 1},
               core_0=core)  # fmt: skip
    _write_npz(tmp_path / "format.npz", {**meta, "format": "something.else"}, core_0=core)
    _write_npz(tmp_path / "missing.npz", {**meta, "n": 2}, core_0=core)
    np.savez(tmp_path / "notjson.npz", meta=np.array("{not json"), core_0=core)
    cases = {
        "truncated.npz": "cannot read",
        "garbage.npz": "cannot read",
        "empty.npz": "cannot read",
        "array.npy": "cannot read",
        "other.npz": "cannot read",
        "version.npz": f"version {STATE_FORMAT_VERSION + 1}",
        "format.npz": "not a ttqst state",
        "missing.npz": "cannot read",
        "notjson.npz": "cannot read",
    }
    for name, message in cases.items():
        with pytest.raises(ValueError, match=message):
            PauliMPO.load(tmp_path / name)
    with pytest.raises(FileNotFoundError):
        PauliMPO.load(tmp_path / "absent.npz")
    _write_npz(tmp_path / "ok.npz", meta, core_0=core)  # a hand-written file is fine
    np.testing.assert_allclose(PauliMPO.load(tmp_path / "ok.npz").to_dense(), np.diag([1.0, 0]))


# ---------------------------------------------------------------------- tensornetwork
def test_tensornetwork_mpo_round_trip_and_contraction(noisy):
    """FiniteMPO layout: tensor k is (left, right, row i_k, column j_k); contracting the chain
    gives rho with rows and columns ordered qubit 0 first (big-endian), i.e. Qiskit's order
    after reversing the qubit axes."""
    state, rho = noisy
    mpo = state.to_tensornetwork("mpo")
    assert isinstance(mpo, tn.FiniteMPO)
    assert [t.shape for t in mpo.tensors] == [
        (a, b, 2, 2) for a, b in zip((1, *state.bond_dims), (*state.bond_dims, 1), strict=True)
    ]
    n = state.n
    labels = [
        [k if k > 0 else -(2 * n + 1), k + 1 if k < n - 1 else -(2 * n + 2), -(k + 1), -(n + k + 1)]
        for k in range(n)
    ]  # bonds 1..n-1 contracted; outputs: rows of qubits 0..n-1, then columns, then the ends
    full = tn.ncon(mpo.tensors, labels, backend="numpy").reshape((2,) * (2 * n))
    qiskit_order = reverse_qubit_axes(full, n).reshape(2**n, 2**n)
    np.testing.assert_allclose(qiskit_order, rho, atol=1e-13)
    back = PauliMPO.from_tensornetwork(mpo)
    np.testing.assert_allclose(back.to_dense(), rho, atol=1e-13)


def test_tensornetwork_mps_round_trip(noisy):
    state, rho = noisy
    scaled = PauliMPO(state.tt * 3.0)  # log_scale is spread over the exported cores
    mps = scaled.to_tensornetwork("mps")
    assert isinstance(mps, tn.FiniteMPS)
    assert [t.shape[1] for t in mps.tensors] == [4] * 5
    back = PauliMPO.from_tensornetwork(mps)
    np.testing.assert_allclose(back.tt.full(), 3.0 * dense_to_pauli(rho), atol=1e-12)
    with pytest.raises(ValueError, match="'mpo' or 'mps'"):
        state.to_tensornetwork("peps")
    with pytest.raises(TypeError, match="FiniteMPO or FiniteMPS"):
        PauliMPO.from_tensornetwork(rho)


# ---------------------------------------------------------------------- n = 1000
def test_thousand_qubit_product_state_neither_overflows_nor_underflows():
    n = 1000  # logs of 1000 factors are summed: float addition alone gives ~1e-11 relative
    rng = np.random.default_rng(5)
    directions = rng.standard_normal((n, 3))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    lengths = rng.uniform(0.2, 0.9, size=n)
    vectors = directions * lengths[:, None]
    state = _product_state(vectors)
    assert state.trace() == pytest.approx(1.0, rel=REL_1000)
    log_purity = np.sum(np.log((1 + lengths**2) / 2))  # about -490: purity ~ 1e-213
    assert state.log_purity() == pytest.approx(log_purity, rel=REL_1000)
    assert state.purity() == pytest.approx(np.exp(log_purity), rel=REL_1000) and state.purity() > 0
    assert state.inner(state) == pytest.approx(np.exp(log_purity), rel=REL_1000)
    assert state.expectation("Z" * n) == pytest.approx(np.prod(vectors[:, 2]), rel=REL_1000)
    sites = [0, 500, 999]
    expected = np.eye(1)
    for k in sites:  # Qiskit order: the last kept qubit is the left-most factor
        expected = np.kron(_one_qubit_matrix(vectors[k]), expected)
    np.testing.assert_allclose(state.marginal(sites).to_dense(), expected, atol=1e-14)

    pure = _product_state(np.tile([0.0, 0.0, 1.0], (n, 1)))  # ||X||^2 = 2^1000 ~ 1e301
    assert pure.purity() == pytest.approx(1.0, rel=REL_1000)
    mixed = _product_state(np.zeros((n, 3)))  # purity 2^-1000 ~ 9e-302
    assert mixed.log_purity() == pytest.approx(-n * np.log(2), rel=REL_1000)
    assert mixed.purity() == pytest.approx(2.0**-n, rel=REL_1000)
    assert pure.inner(mixed) == pytest.approx(2.0**-n, rel=REL_1000)
    bits = pure.sample_bits(["Z" * n], 3, seed=0)
    assert bits.shape == (1, 3, n) and not bits.any()


def test_thousand_qubit_noisy_circuit():
    n = 1000
    model = depolarizing(0.01, 0.02)
    state = simulate(brickwork(n, 2, gates="cx", seed=23), model)
    assert max(state.bond_dims) <= 16
    assert state.trace() == pytest.approx(1.0, rel=1e-12)
    assert 0 < state.purity() < 1e-3 and np.isfinite(state.log_purity())
    again = simulate(brickwork(n, 2, gates="cx", seed=23), model)  # deterministic
    assert state.inner(again) == pytest.approx(state.purity(), rel=REL_1000)
    window = state.marginal([499, 500, 501])
    rho = window.to_dense()
    assert np.trace(rho).real == pytest.approx(1.0, rel=1e-12)
    assert np.linalg.eigvalsh(rho).min() > -1e-12  # a state, not only trace 1
    counts = state.sample(["XYZ" * 333 + "Z"], 20, seed=1)[0]
    assert sum(counts.values()) == 20 and all(len(k) == n for k in counts)


# ---------------------------------------------------------------------- sampling
def _rotation_circuit(setting: str) -> QuantumCircuit:
    """Rotations taking the +1 eigenvector of each qubit's basis to |0>: X: ry(-pi/2);
    Y: sdg then ry(-pi/2); Z: nothing. (Not h or rx: our noise models put errors on those.)"""
    circuit = QuantumCircuit(len(setting))
    for k, basis in enumerate(setting):
        if basis == "Y":
            circuit.sdg(k)
        if basis in "XY":
            circuit.ry(-np.pi / 2, k)
    return circuit


def _exact_distribution(rho: np.ndarray, setting: str, assignment: np.ndarray | None) -> dict:
    """Probabilities of Qiskit bitstrings, readout error included (A[k][measured, true])."""
    n = len(setting)
    probs = DensityMatrix(rho).evolve(_rotation_circuit(setting)).probabilities()
    tensor = probs.reshape((2,) * n)  # axis a is qubit n - 1 - a
    if assignment is not None:
        for k in range(n):
            axis = n - 1 - k
            tensor = np.moveaxis(np.tensordot(assignment[k], tensor, axes=(1, axis)), 0, axis)
    flat = tensor.reshape(-1)
    return {format(i, f"0{n}b"): float(p) for i, p in enumerate(flat)}


def _goodness_of_fit(counts: dict, probs: dict) -> float:
    """Chi-square p-value of counts against probabilities; bins with expectation < 5 pooled."""
    shots = sum(counts.values())
    expected = np.array([shots * probs[k] for k in probs])
    observed = np.array([counts.get(k, 0) for k in probs], dtype=float)
    assert sum(counts.get(k, 0) for k in probs) == shots, "outcome outside the support"
    small = expected < 5
    if small.any():
        expected = np.append(expected[~small], expected[small].sum())
        observed = np.append(observed[~small], observed[small].sum())
    return float(stats.chisquare(observed, expected * observed.sum() / expected.sum()).pvalue)


def _homogeneity(counts_a: dict, counts_b: dict) -> float:
    """Two-sample chi-square p-value (contingency table over outcomes seen in either)."""
    keys = sorted(set(counts_a) | set(counts_b))
    table = np.array([[counts_a.get(k, 0) for k in keys], [counts_b.get(k, 0) for k in keys]])
    return float(stats.chi2_contingency(table).pvalue)


def _aer_counts(circuit, model, setting, shots, seed) -> dict:
    measured = circuit.compose(_rotation_circuit(setting))
    measured.measure_all()
    simulator = AerSimulator(method="density_matrix", noise_model=model)
    result = simulator.run(measured, shots=shots, seed_simulator=seed).result()
    return result.get_counts()


SAMPLING_CASES = [
    (4, lambda: brickwork(4, 3, gates="haar", seed=31), readout(0.03, 0.08), ["ZZZZ", "XYZX"]),
    (5, lambda: brickwork(5, 3, gates="cx", seed=32),
     combine(depolarizing(0.01, 0.05), amplitude_damping(0.03), readout(0.02, 0.06)),
     ["XXXXX", "YZXYZ"]),
    (6, lambda: ising_trotter(6, 3, dt=0.3, field=0.8),
     combine(thermal(40.0, 50.0, (1.0, 4.0)), readout(0.05, 0.02)), ["ZZZZZZ", "XYZXYZ"]),
]  # fmt: skip


@pytest.mark.parametrize("n, build, model, settings", SAMPLING_CASES)
def test_sample_matches_aer_sampler_and_exact_distribution(n, build, model, settings):
    circuit = build()
    state = simulate(circuit, model)
    rho = simulate_dense(circuit, model)
    assignment = assignment_matrices(model, n)
    shots = 4000
    ours = state.sample(settings, shots, seed=7)
    for s, setting in enumerate(settings):
        aer = _aer_counts(circuit, model, setting, shots, seed=1000 + s)
        exact = _exact_distribution(rho, setting, assignment)
        assert all(len(k) == n for k in ours[s]) and sum(ours[s].values()) == shots
        assert _homogeneity(ours[s], aer) > P_MIN
        assert _goodness_of_fit(ours[s], exact) > P_MIN
        assert _goodness_of_fit(aer, exact) > P_MIN
        # the test has power: our shots without the readout error are rejected
        ideal = state.sample([setting], shots, seed=8, apply_assignment=False)[0]
        assert _goodness_of_fit(ideal, exact) < P_MIN


def test_sample_marginal_frequencies_match_exact_probabilities():
    circuit = brickwork(6, 4, gates="haar", seed=33)
    model = depolarizing(0.01, 0.05)
    state = simulate(circuit, model)
    rho = simulate_dense(circuit, model)
    shots = 20000
    for setting in ("XYZXYZ", "ZZZZZZ", "YYXXZY"):
        bits = state.sample_bits([setting], shots, seed=9)[0]
        exact = _exact_distribution(rho, setting, None)
        outcomes = np.array([[int(c) for c in key[::-1]] for key in exact])  # qubit k = column k
        weights = np.array(list(exact.values()))
        for sites in ([0], [3], [5], [1, 2], [4, 5], [0, 5]):
            for values in np.ndindex(*(2,) * len(sites)):
                mask = (outcomes[:, sites] == values).all(axis=1)
                p = weights[mask].sum()
                freq = (bits[:, sites] == values).all(axis=1).mean()
                sigma = np.sqrt(p * (1 - p) / shots)
                assert abs(freq - p) <= 5 * sigma + 1e-12, (setting, sites, values, freq, p)


def test_sample_bit_order_and_bases():
    circuit = QuantumCircuit(3)
    circuit.x(0)  # qubit 0 in |1>
    circuit.h(1)  # qubit 1 in |+>
    circuit.h(2)
    circuit.s(2)  # qubit 2 in |+i>
    state = simulate(circuit)
    assert state.sample(["ZXY"], 50, seed=0) == [{"001": 50}]  # qubit 0 right-most
    bits = state.sample_bits(["ZXY", "ZZZ"], 2000, seed=1)
    assert bits.shape == (2, 2000, 3) and bits.dtype == np.uint8
    assert (bits[0] == [1, 0, 0]).all()
    assert bits[1][:, 0].all() and 0.45 < bits[1][:, 1].mean() < 0.55  # |+> in Z: 50/50


def test_sample_readout_and_seeding():
    circuit = QuantumCircuit(2)
    state = simulate(circuit, readout(0.1, 0.0))  # |00>, reads 1 with probability 0.1
    bits = state.sample_bits(["ZZ"], 20000, seed=2)[0]
    assert abs(bits.mean() - 0.1) < 5 * np.sqrt(0.09 / 40000)
    assert not state.sample_bits(["ZZ"], 100, seed=2, apply_assignment=False).any()
    first = state.sample(["ZZ", "XX"], 300, seed=3)
    assert first == state.sample(["ZZ", "XX"], 300, seed=3)
    assert first != state.sample(["ZZ", "XX"], 300, seed=4)
    generator = np.random.default_rng(3)
    assert state.sample_bits("ZZ", 10, seed=generator).shape == (1, 10, 2)


# ---------------------------------------------------------------------- bad input
def test_sample_argument_errors(noisy):
    state, _ = noisy
    with pytest.raises(ValueError, match="expected a string of 5 letters"):
        state.sample(["ZZZ"], 10)
    with pytest.raises(ValueError, match="expected a string of 5 letters"):
        state.sample(["ZZZZZZ"], 10)
    with pytest.raises(ValueError, match=r"letters \['I'\]"):
        state.sample(["ZZIZZ"], 10)
    with pytest.raises(ValueError, match="letters"):
        state.sample(["zzzzz"], 10)
    with pytest.raises(ValueError, match="empty"):
        state.sample([], 10)
    with pytest.raises(ValueError, match="shots == 0"):
        state.sample(["ZZZZZ"], 0)
    with pytest.raises(ValueError, match="shots == -3"):
        state.sample(["ZZZZZ"], -3)
    with pytest.raises(TypeError, match="shots"):
        state.sample(["ZZZZZ"], 10.0)


def test_state_argument_errors(noisy):
    state, _ = noisy
    with pytest.raises(ValueError, match="qubit count mismatch: 5 and 3"):
        state.inner(state.marginal([0, 1, 2]))
    with pytest.raises(TypeError, match="PauliMPO"):
        state.inner(state.tt)
    with pytest.raises(ValueError, match="letters"):
        state.expectation("IXYZA")
    with pytest.raises(ValueError, match="5"):
        state.expectation("IXY")
    with pytest.raises(TypeError, match="TensorTrain"):
        PauliMPO(np.ones((1, 4, 1)))
    with pytest.raises(ValueError, match="mode size 4"):
        PauliMPO(TensorTrain([np.ones((1, 2, 1))]))
    with pytest.raises(ValueError, match="complex"):
        PauliMPO(TensorTrain([np.ones((1, 4, 1), dtype=complex)]))
    with pytest.raises(ValueError, match="shape"):
        state.with_assignment(np.tile(np.eye(2), (4, 1, 1)))
    with pytest.raises(ValueError, match="stochastic"):
        state.with_assignment(np.tile([[0.9, 0.2], [0.2, 0.8]], (5, 1, 1)))
    with pytest.raises(ValueError, match="trace"):
        PauliMPO(state.tt * -1.0).normalized()
