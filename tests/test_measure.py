"""Tests for tomography.measure: designs, circuits, counts from Aer, estimates, files.

References: Aer itself (the measurement circuits run on ``AerSimulator``, counts in Qiskit bit
order), Aer's exact density matrix (``simulate_dense``) with ``qiskit.quantum_info`` Pauli
expectations, and the MPO sampler (``measure(PauliMPO)``). Statistical checks compare
estimates with exact values in units of the reported standard error: fixed seeds, so every
outcome is deterministic, with a 5-sigma margin.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit
from qiskit.quantum_info import DensityMatrix, Pauli, Statevector
from qiskit_aer import AerSimulator
from qiskit_aer.noise import NoiseModel, ReadoutError
from qiskit_aer.primitives import SamplerV2

from tomography.circuit_ops import simulate_dense
from tomography.circuits import brickwork
from tomography.measure import (
    DATA_FORMAT_VERSION,
    ExactExpectations,
    MeasurementData,
    MeasurementDesign,
    assignment_from_calibration,
    measure,
    readout_calibration_circuits,
)
from tomography.noise import amplitude_damping, combine, depolarizing
from tomography.simulate import simulate
from tomography.state import PauliMPO
from ttcross import TensorTrain

Z_MAX = 5.0  # estimates must lie within this many standard errors of the exact value


# ---------------------------------------------------------------------- helpers
def _window_strings(n: int, window: int) -> list[str]:
    """Every ttqst Pauli string supported inside some window of ``window`` qubits."""
    out = set()
    for start in range(n - window + 1):
        for local in itertools.product("IXYZ", repeat=window):
            out.add("I" * start + "".join(local) + "I" * (n - start - window))
    return sorted(out)


def _exact_expectations(rho: np.ndarray, strings: list[str]) -> np.ndarray:
    """``tr(rho sigma)`` with qiskit.quantum_info (ttqst strings reversed into Qiskit labels)."""
    dm = DensityMatrix(rho)
    return np.array([dm.expectation_value(Pauli(s[::-1])).real for s in strings])


def _product_state(bloch: np.ndarray) -> PauliMPO:
    """Product state with Bloch vectors ``bloch`` (n, 3)."""
    cores = [np.concatenate([[1.0], r]).reshape(1, 4, 1) for r in bloch]
    return PauliMPO(TensorTrain(cores))


def _z_scores(estimate: np.ndarray, stderr: np.ndarray, exact: np.ndarray) -> np.ndarray:
    return np.abs(estimate - exact) / stderr


@pytest.fixture(scope="module")
def noisy_circuit():
    """Depth-2 Haar brickwork on 5 qubits with gate noise, and Aer's exact density matrix.

    Noise on the two-qubit gates only: the default models also put one-qubit errors on ``h``,
    which the measurement rotations use (see test_rotation_gates_take_noise_from_the_model).
    """
    circuit = brickwork(5, 2, seed=3)
    model = combine(
        depolarizing(0.0, 0.03, one_qubit_gates=()),
        amplitude_damping(0.02, one_qubit_gates=()),
    )
    return circuit, model, simulate_dense(circuit, model)


@pytest.fixture(scope="module")
def aer_data(noisy_circuit):
    """Counts of ``design.circuits(circuit)`` from Aer's density-matrix method (n=5, w=3)."""
    circuit, model, _ = noisy_circuit
    design = MeasurementDesign(5, 3)
    backend = AerSimulator(method="density_matrix", noise_model=model, seed_simulator=11)
    result = backend.run(design.circuits(circuit), shots=3000).result()
    counts = [result.get_counts(i) for i in range(design.n_settings)]
    return design, counts


@pytest.fixture(scope="module")
def small_data():
    """Sampled data of a 4-qubit noisy brickwork state (w=3, 200 shots per setting)."""
    truth = simulate(brickwork(4, 2, seed=5), depolarizing(0.01, 0.05))
    return truth, measure(truth, MeasurementDesign(4, 3), 200, seed=5)


# ---------------------------------------------------------------------- design
@pytest.mark.parametrize(("n", "window"), [(3, 3), (7, 3), (8, 5), (6, 1)])
def test_design_has_3_to_the_w_periodic_settings_covering_every_window(n, window):
    design = MeasurementDesign(n, window)
    assert design.n_settings == len(design.settings) == 3**window
    assert len(set(design.settings)) == 3**window
    assert design.basis_indices.shape == (3**window, n)
    assert set(np.unique(design.basis_indices)) <= {1, 2, 3}
    for s, setting in enumerate(design.settings):
        assert len(setting) == n and set(setting) <= set("XYZ")
        assert [" XYZ"[p] for p in design.basis_indices[s]] == list(setting)
        assert all(setting[j] == setting[j % window] for j in range(n))  # periodic
    for start in range(n - window + 1):
        local = {s[start : start + window] for s in design.settings}
        assert local == {"".join(t) for t in itertools.product("XYZ", repeat=window)}


def test_design_validates_and_compares():
    assert MeasurementDesign(6, 3) == MeasurementDesign(6, 3) != MeasurementDesign(6, 5)
    assert hash(MeasurementDesign(6, 3)) == hash(MeasurementDesign(6, 3))
    assert "window=3" in repr(MeasurementDesign(6, 3))
    with pytest.raises(ValueError, match="exceeds the 4 qubits"):
        MeasurementDesign(4, 5)
    with pytest.raises(ValueError):
        MeasurementDesign(4, 0)
    with pytest.raises(TypeError):
        MeasurementDesign(4.0, 3)
    with pytest.raises(TypeError):
        MeasurementDesign(4, "3")
    with pytest.raises(ValueError):  # basis_indices is read-only
        MeasurementDesign(4, 3).basis_indices[0, 0] = 1


# ---------------------------------------------------------------------- circuits
def test_circuit_rotations_map_each_basis_onto_z():
    """Exact check, all 27 settings: after the rotations, Z on qubit k measures the setting's
    Pauli on qubit k of the prepared state (Statevector, no sampling)."""
    prep = QuantumCircuit(3)
    prep.u(0.7, 0.4, 0.0, 0)
    prep.u(1.9, -1.1, 0.0, 1)
    prep.u(2.5, 2.2, 0.0, 2)
    before = Statevector(prep)
    design = MeasurementDesign(3, 3)
    for setting, qc in zip(design.settings, design.circuits(prep), strict=True):
        after = Statevector(qc.remove_final_measurements(inplace=False))
        for k, basis in enumerate(setting):
            want = before.expectation_value(Pauli(basis), [k]).real
            got = after.expectation_value(Pauli("Z"), [k]).real
            assert got == pytest.approx(want, abs=1e-12), (setting, k)


def test_circuits_on_aer_measure_eigenstates_deterministically():
    """|+>, |+i>, |1> on qubits 0, 1, 2: the matching setting always gives bits 0, 0, 1, i.e.
    the count key '100' (qubit 0 right-most); the opposite eigenstates give '011'."""
    design = MeasurementDesign(3, 3)
    plus = QuantumCircuit(3)
    plus.h(0)
    plus.h(1)
    plus.s(1)
    plus.x(2)
    minus = QuantumCircuit(3)
    minus.x(0)
    minus.h(0)
    minus.h(1)
    minus.sdg(1)
    index = design.settings.index("XYZ")
    backend = AerSimulator(seed_simulator=1)
    for prep, key in ((plus, "100"), (minus, "011")):
        counts = backend.run(design.circuits(prep)[index], shots=200).result().get_counts()
        assert counts == {key: 200}
    # a setting measuring qubit 0 in Z sees a 50/50 outcome on it, nothing else random
    other = design.settings.index("ZYZ")
    counts = backend.run(design.circuits(plus)[other], shots=400).result().get_counts()
    assert set(counts) == {"100", "101"}


def test_circuit_metadata_registers_and_names():
    prep = QuantumCircuit(4, name="prep", metadata={"experiment": "x"})
    prep.h(0)
    design = MeasurementDesign(4, 3)
    circuits = design.circuits(prep)
    assert len(circuits) == 27
    for index, qc in enumerate(circuits):
        assert qc.metadata == {
            "experiment": "x",
            "ttqst_setting": index,
            "bases": design.settings[index],
        }
        assert [reg.name for reg in qc.cregs] == ["meas"] and qc.num_clbits == 4
        assert qc.name == f"prep_setting{index}"
        measured = [
            (qc.find_bit(i.qubits[0]).index, qc.find_bit(i.clbits[0]).index)
            for i in qc.data
            if i.operation.name == "measure"
        ]
        assert measured == [(k, k) for k in range(4)]
        assert qc.count_ops().get("sdg", 0) == design.settings[index].count("Y")
        assert qc.count_ops().get("h", 0) - 1 == sum(b in "XY" for b in design.settings[index])
    assert prep.num_clbits == 0 and prep.metadata == {"experiment": "x"}  # input untouched


def test_circuits_reject_bad_input():
    design = MeasurementDesign(4, 3)
    with pytest.raises(ValueError, match="qubit count mismatch.*4 qubits.*has 5"):
        design.circuits(QuantumCircuit(5))
    measured = QuantumCircuit(4)
    measured.measure_all()
    with pytest.raises(ValueError, match="already has classical bits or measurements"):
        design.circuits(measured)
    with_clbits = QuantumCircuit(4)
    with_clbits.add_register(ClassicalRegister(1, "c"))
    with pytest.raises(ValueError, match="remove_final_measurements"):
        design.circuits(with_clbits)
    with pytest.raises(TypeError, match="QuantumCircuit"):
        design.circuits("not a circuit")


# ---------------------------------------------------------------------- counts from Aer
def test_from_counts_of_aer_runs_matches_exact_expectations(noisy_circuit, aer_data):
    """The key check: Aer counts (Qiskit order) -> from_counts -> expectations agree with the
    exact noisy state's Pauli expectations within 5 standard errors, for every string."""
    _, _, rho = noisy_circuit
    design, counts = aer_data
    data = MeasurementData.from_counts(design, counts)
    assert data.total_shots == 27 * 3000
    np.testing.assert_array_equal(data.shots, np.full(27, 3000))
    strings = _window_strings(5, 3)
    mean, stderr = data.expectations(strings)
    exact = _exact_expectations(rho, strings)
    nonidentity = np.array([s != "IIIII" for s in strings])
    assert mean[~nonidentity] == 1.0 and stderr[~nonidentity] == 0.0
    z = _z_scores(mean[nonidentity], stderr[nonidentity], exact[nonidentity])
    assert z.max() < Z_MAX, strings[int(np.argmax(z))]
    assert np.abs(exact).max() > 0.3  # the check has something to see
    # a reversed bit order would be caught: single-qubit Z expectations differ per qubit
    z_strings = ["ZIIII", "IIIIZ"]
    assert abs(np.diff(_exact_expectations(rho, z_strings))[0]) > 10 * stderr[:2].max()


def test_aer_counts_agree_with_mpo_sampler(noisy_circuit, aer_data):
    circuit, model, _ = noisy_circuit
    design, counts = aer_data
    aer = MeasurementData.from_counts(design, counts)
    mpo = measure(simulate(circuit, model), design, 3000, seed=4)
    strings = _window_strings(5, 3)[1:]
    a, sa = aer.expectations(strings)
    b, sb = mpo.expectations(strings)
    z = np.abs(a - b) / np.hypot(sa, sb)
    assert z.max() < Z_MAX, strings[int(np.argmax(z))]


def test_measure_circuit_through_aer_matches_exact(noisy_circuit):
    """measure(QuantumCircuit, noise_model=...) transpiles, runs Aer and reads the counts."""
    circuit, model, rho = noisy_circuit
    design = MeasurementDesign(5, 3)
    data = measure(circuit, design, 1000, seed=2, noise_model=model)
    assert data.total_shots == 27 * 1000
    strings = _window_strings(5, 3)[1:]
    mean, stderr = data.expectations(strings)
    assert _z_scores(mean, stderr, _exact_expectations(rho, strings)).max() < Z_MAX
    with pytest.raises(ValueError, match="either a backend or a noise_model"):
        measure(circuit, design, 10, noise_model=model, backend=AerSimulator())


class _RecordingBackend:
    """An AerSimulator that keeps the circuits it was asked to run."""

    def __init__(self, simulator):
        self.simulator, self.ran = simulator, []

    def __getattr__(self, name):  # target, options, ... for the transpiler
        return getattr(self.simulator, name)

    def run(self, circuits, **options):
        self.ran.extend(circuits)
        return self.simulator.run(circuits, **options)


def test_initial_layout_puts_the_chain_on_chosen_qubits():
    from qiskit.providers.fake_provider import GenericBackendV2

    line = [[k, k + 1] for k in range(7)] + [[k + 1, k] for k in range(7)]
    device = GenericBackendV2(num_qubits=8, coupling_map=line, seed=3)
    backend = _RecordingBackend(AerSimulator.from_backend(device, seed_simulator=1))
    chain = [6, 5, 4, 3]
    truth = brickwork(4, 1, seed=2)
    design = MeasurementDesign(4, 3)
    data = measure(truth, design, 2000, seed=1, backend=backend, initial_layout=chain)
    assert len(backend.ran) == design.n_settings
    for compiled in backend.ran:
        reads = {
            compiled.find_bit(op.clbits[0]).index: compiled.find_bit(op.qubits[0]).index
            for op in compiled.data
            if op.operation.name == "measure"
        }
        assert reads == dict(enumerate(chain))  # qubit k on chain[k], read into bit k
    rho = simulate_dense(truth)
    strings = _window_strings(4, 3)[1:]
    mean, stderr = data.expectations(strings)
    exact = _exact_expectations(rho, strings)
    assert np.abs(mean - exact).max() < 0.15  # the device's noise, not a scrambled bit order


@pytest.mark.parametrize(
    "layout, error, message",
    [
        ([0, 1, 2], ValueError, "4 distinct non-negative physical qubits"),
        ([0, 1, 1, 2], ValueError, "4 distinct"),
        ([0, 1, 2, -3], ValueError, "non-negative"),
        ([0, 1, 2, 2.5], TypeError, "must be ints"),
    ],
)
def test_initial_layout_errors(layout, error, message):
    design = MeasurementDesign(4, 3)
    with pytest.raises(error, match=message):
        measure(brickwork(4, 1, seed=2), design, 10, backend=AerSimulator(), initial_layout=layout)
    with pytest.raises(ValueError, match="give `backend`"):
        measure(brickwork(4, 1, seed=2), design, 10, initial_layout=[0, 1, 2, 3])


def test_from_sampler_result_matches_from_counts(noisy_circuit):
    circuit, model, rho = noisy_circuit
    design = MeasurementDesign(5, 3)
    options = {"backend_options": {"method": "density_matrix", "noise_model": model}}
    sampler = SamplerV2(default_shots=2000, seed=9, options=options)
    result = sampler.run(design.circuits(circuit)).result()
    data = MeasurementData.from_sampler_result(design, result)
    counts = [pub.data.meas.get_counts() for pub in result]
    again = MeasurementData.from_counts(design, counts)
    strings = _window_strings(5, 3)[1:]
    np.testing.assert_array_equal(data.expectations(strings)[0], again.expectations(strings)[0])
    mean, stderr = data.expectations(strings)
    assert _z_scores(mean, stderr, _exact_expectations(rho, strings)).max() < Z_MAX
    with pytest.raises(ValueError, match="1 pub results, expected 27"):
        MeasurementData.from_sampler_result(design, list(result)[:1])


def test_from_sampler_result_rejects_extra_registers():
    design = MeasurementDesign(2, 1)
    circuits = design.circuits(QuantumCircuit(2))
    extra = []
    for qc in circuits:
        qc = qc.copy()
        qc.add_register(ClassicalRegister(1, "extra"))
        qc.measure(0, qc.cregs[1][0])
        extra.append(qc)
    result = SamplerV2(default_shots=10, seed=1).run(extra).result()
    with pytest.raises(ValueError, match="expected exactly one"):
        MeasurementData.from_sampler_result(design, result)


def test_from_counts_bit_order_round_trip():
    """Bits from_bits(...) and counts in Qiskit order (qubit 0 right-most) give the same data."""
    design = MeasurementDesign(3, 3)
    bits = np.zeros((27, 4, 3), dtype=np.uint8)
    bits[:, :, 0] = 1  # qubit 0 always reads 1 (eigenvalue -1)
    bits[:, :2, 2] = 1  # qubit 2 half the time
    from_bits = MeasurementData.from_bits(design, bits)
    counts = [{"001": 2, "101": 2}] * 27
    from_counts = MeasurementData.from_counts(design, counts)
    strings = ["ZII", "IIZ", "IZI", "ZIZ", "XII", "IIY"]
    np.testing.assert_array_equal(from_bits.expectations(strings)[0], [-1, 0, 1, 0, -1, 0])
    np.testing.assert_array_equal(from_counts.expectations(strings)[0], [-1, 0, 1, 0, -1, 0])


# ---------------------------------------------------------------------- estimates
def test_window_estimates_agree_with_expectations_and_pool_shots(small_data):
    _, data = small_data
    design = data.design
    for start in range(design.n - design.window + 1):
        est = data.window_estimates(start)
        assert est.start == start and est.mean.shape == (4, 4, 4)
        for local in itertools.product(range(4), repeat=3):
            text = "I" * start + "".join("IXYZ"[p] for p in local) + "I" * (1 - start)
            mean, stderr = data.expectations(text)
            assert mean[0] == pytest.approx(est.mean[local], abs=1e-12)
            assert stderr[0] == pytest.approx(np.sqrt(est.variance[local]), abs=1e-12)
            weight = sum(p > 0 for p in local)
            # a weight-k string is pooled over 3^(w-k) settings of 200 shots
            assert est.shots[local] == 200 * 3 ** (3 - weight)
    # narrower windows are slices of the wider one (same pooled settings)
    wide = data.window_estimates(1)
    narrow = data.window_estimates(1, 2)
    np.testing.assert_allclose(narrow.mean, wide.mean[..., 0], atol=1e-12)
    np.testing.assert_allclose(narrow.variance, wide.variance[..., 0], atol=1e-15)
    assert wide.mean[0, 0, 0] == 1.0 and wide.variance[0, 0, 0] == 0.0


def test_window_estimates_reject_bad_ranges(small_data):
    _, data = small_data
    with pytest.raises(ValueError, match="width <= 3"):
        data.window_estimates(0, 4)
    with pytest.raises(ValueError, match="inside 4 qubits"):
        data.window_estimates(2)
    with pytest.raises(ValueError):
        data.window_estimates(-1)


def test_variance_is_binomial_and_matches_the_spread_over_repetitions():
    """Reported variance = (1 - x^2) / N; over 300 repetitions the empirical variance of each
    estimate matches it (relative error of a sample variance ~ sqrt(2 / R))."""
    truth = simulate(brickwork(3, 2, seed=8), depolarizing(0.01, 0.05))
    design = MeasurementDesign(3, 3)
    strings = ["ZII", "XYI", "IZZ", "XZY", "YYY", "IXI"]
    exact = truth.expectation(strings)
    repetitions = 300
    rng = np.random.default_rng(12)
    means, reported = [], []
    for _ in range(repetitions):
        data = measure(truth, design, 10, seed=rng)
        mean, stderr = data.expectations(strings)
        means.append(mean)
        reported.append(stderr**2)
    means, reported = np.array(means), np.array(reported)
    weights = np.array([sum(c != "I" for c in s) for s in strings])
    shots = 10 * 3.0 ** (3 - weights)
    # reported variance is the binomial formula evaluated at the estimate
    np.testing.assert_allclose(reported, np.maximum(1 - means**2, 1 / shots) / shots, rtol=1e-12)
    predicted = (1 - exact**2) / shots
    empirical = means.var(axis=0, ddof=1)
    assert np.all(np.abs(empirical / predicted - 1) < Z_MAX * np.sqrt(2 / (repetitions - 1)))
    assert np.all(np.abs(means.mean(axis=0) - exact) < Z_MAX * np.sqrt(predicted / repetitions))


def test_exact_expectations_interface():
    truth = simulate(brickwork(5, 2, seed=2), depolarizing(0.01, 0.05))
    exact = ExactExpectations(truth, 3)
    est = exact.window_estimates(1)
    strings = ["IXYZI", "IIZXI", "IZIII"]
    np.testing.assert_allclose(
        [est.mean[1, 2, 3], est.mean[0, 3, 1], est.mean[3, 0, 0]], truth.expectation(strings)
    )
    assert not est.variance.any() and exact.total_shots == float("inf")
    with pytest.raises(TypeError, match="PauliMPO"):
        ExactExpectations(np.eye(4) / 4, 2)
    with pytest.raises(ValueError):
        exact.window_estimates(3)


# ---------------------------------------------------------------------- readout
def test_readout_mitigation_removes_the_bias():
    """Sampling a state with readout error: raw estimates are biased by many sigma, estimates
    mitigated with the same assignment matrices are within 5 sigma of exact."""
    truth = simulate(brickwork(4, 2, seed=6), depolarizing(0.005, 0.02))
    p01 = np.array([0.03, 0.08, 0.05, 0.10])  # P(read 1 | 0)
    p10 = np.array([0.06, 0.04, 0.12, 0.07])  # P(read 0 | 1)
    a = np.empty((4, 2, 2))
    a[:, 0, 0], a[:, 1, 0], a[:, 0, 1], a[:, 1, 1] = 1 - p01, p01, p10, 1 - p10
    design = MeasurementDesign(4, 3)
    raw = measure(truth.with_assignment(a), design, 3000, seed=10)
    mitigated = raw.with_assignment(a)
    assert raw.assignment is None and mitigated.assignment is not None
    strings = _window_strings(4, 3)[1:]
    exact = truth.expectation(strings)
    mean, stderr = mitigated.expectations(strings)
    assert _z_scores(mean, stderr, exact).max() < Z_MAX
    raw_mean, raw_stderr = raw.expectations(strings)
    assert _z_scores(raw_mean, raw_stderr, exact).max() > 10
    # mitigated variances are the raw ones divided by the squared readout gain
    gains = np.prod(
        [
            [a[k, 0, 0] + a[k, 1, 1] - 1 if c != "I" else 1.0 for k, c in enumerate(s)]
            for s in strings
        ],
        axis=1,
    )
    np.testing.assert_allclose(stderr, raw_stderr / gains, rtol=1e-12)
    assert np.all(stderr > raw_stderr)


def test_assignment_from_aer_calibration_recovers_readout_probabilities():
    """Per-qubit readout errors in an Aer noise model: calibration counts (Qiskit order) give
    A[k][measured, true] for qubit k, within 5 binomial standard errors."""
    p01 = [0.02, 0.10, 0.05]
    p10 = [0.07, 0.03, 0.15]
    model = NoiseModel()
    for k in range(3):
        model.add_readout_error(ReadoutError([[1 - p01[k], p01[k]], [p10[k], 1 - p10[k]]]), [k])
    circuits = readout_calibration_circuits(3)
    assert [qc.num_qubits for qc in circuits] == [3, 3]
    shots = 20000
    result = AerSimulator(noise_model=model, seed_simulator=3).run(circuits, shots=shots).result()
    a = assignment_from_calibration(result.get_counts(0), result.get_counts(1))
    assert a.shape == (3, 2, 2)
    np.testing.assert_allclose(a.sum(axis=1), 1.0)
    for k in range(3):
        for got, want in ((a[k, 1, 0], p01[k]), (a[k, 0, 1], p10[k])):
            assert abs(got - want) < Z_MAX * np.sqrt(want * (1 - want) / shots), (k, got, want)


def test_aer_readout_noise_mitigated_by_aer_calibration():
    """Hardware-style chain on an Aer backend with per-qubit readout errors only: calibrate,
    measure(circuit, backend=...), mitigate with the calibrated matrices."""
    circuit = brickwork(4, 2, seed=7)
    model = NoiseModel()
    for k, (p01, p10) in enumerate([(0.04, 0.08), (0.09, 0.02), (0.03, 0.06), (0.07, 0.11)]):
        model.add_readout_error(ReadoutError([[1 - p01, p01], [p10, 1 - p10]]), [k])
    backend = AerSimulator(noise_model=model, seed_simulator=5)
    cal = backend.run(readout_calibration_circuits(4), shots=20000).result()
    a = assignment_from_calibration(cal.get_counts(0), cal.get_counts(1))
    data = measure(circuit, MeasurementDesign(4, 3), 2000, seed=3, backend=backend)
    strings = _window_strings(4, 3)[1:]
    exact = _exact_expectations(simulate_dense(circuit), strings)
    mean, stderr = data.with_assignment(a).expectations(strings)
    # the calibration's own error (~1/sqrt(20000) per entry) is small against stderr here
    assert _z_scores(mean, stderr, exact).max() < Z_MAX
    raw_mean, raw_stderr = data.expectations(strings)
    assert _z_scores(raw_mean, raw_stderr, exact).max() > 10


def test_rotation_gates_take_noise_from_the_model():
    """Documents a semantic difference: Aer applies the model's one-qubit errors to the ``h``
    of the basis rotations (the default models list ``h``), the MPO sampler measures ideally.
    With p1 = 0.3 on ``h`` only, Aer's X and Y estimates shrink by 1 - p1, Z ones do not."""
    prep = QuantumCircuit(3)
    prep.h(0)  # |+> on qubit 0: <X> = 1, but its own h also gets the error
    model = depolarizing(0.3, 0.0, one_qubit_gates=("h",), two_qubit_gates=())
    data = measure(prep, MeasurementDesign(3, 3), 4000, seed=1, noise_model=model)
    mean, stderr = data.expectations(["XII", "IZI", "IIX"])
    # preparation h and rotation h each shrink <X> by 0.7; Z on qubit 1 untouched; X on |0>: 0
    assert abs(mean[0] - 0.7**2) < Z_MAX * stderr[0]
    assert mean[1] == 1.0
    assert abs(mean[2]) < Z_MAX * stderr[2]


def test_assignment_and_calibration_reject_bad_input(small_data):
    _, data = small_data
    with pytest.raises(ValueError, match=r"shape \(4, 2, 2\)"):
        data.with_assignment(np.tile(np.eye(2), (3, 1, 1)))
    with pytest.raises(ValueError, match="column-stochastic"):
        data.with_assignment(np.tile([[0.9, 0.2], [0.2, 0.8]], (4, 1, 1)))
    with pytest.raises(ValueError, match="singular"):
        data.with_assignment(np.tile([[0.5, 0.5], [0.5, 0.5]], (4, 1, 1)))
    assert data.with_assignment(None).assignment is None
    with pytest.raises(ValueError, match="non-empty bitstring"):
        assignment_from_calibration({}, {"11": 5})
    with pytest.raises(ValueError, match="non-empty bitstring"):
        assignment_from_calibration({"0a": 5}, {"11": 5})
    with pytest.raises(ValueError, match="different qubit counts"):
        assignment_from_calibration({"00": 5}, {"111": 5})


# ---------------------------------------------------------------------- files
def test_save_load_round_trip_without_pickle(small_data, tmp_path):
    _, data = small_data
    a = np.tile([[0.95, 0.1], [0.05, 0.9]], (4, 1, 1))
    data = data.with_assignment(a)
    path = data.save(tmp_path / "run")
    assert path == tmp_path / "run.npz"
    with np.load(path, allow_pickle=False) as raw:  # no object arrays anywhere
        meta = json.loads(str(raw["meta"]))
        assert {"outcomes", "counts", "setting_index", "assignment"} <= set(raw.files)
    assert meta["version"] == DATA_FORMAT_VERSION and meta["n"] == 4 and meta["window"] == 3
    back = MeasurementData.load(path)
    assert back.design == data.design
    np.testing.assert_array_equal(back.outcomes, data.outcomes)
    np.testing.assert_array_equal(back.counts, data.counts)
    np.testing.assert_array_equal(back.setting_index, data.setting_index)
    np.testing.assert_array_equal(back.assignment, a)
    strings = _window_strings(4, 3)
    np.testing.assert_array_equal(back.expectations(strings)[0], data.expectations(strings)[0])


def test_save_does_not_overwrite_silently(small_data, tmp_path):
    _, data = small_data
    path = data.save(tmp_path / "run.npz")
    first = path.read_bytes()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        data.with_assignment(np.tile(np.eye(2), (4, 1, 1))).save(path)
    assert path.read_bytes() == first
    data.with_assignment(np.tile(np.eye(2), (4, 1, 1))).save(path, overwrite=True)
    assert MeasurementData.load(path).assignment is not None


def test_load_rejects_corrupt_foreign_and_other_version_files(small_data, tmp_path):
    _, data = small_data
    path = data.save(tmp_path / "good.npz")
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(path.read_bytes()[:200])
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not an npz file at all")
    npy = tmp_path / "array.npy"
    np.save(npy, np.arange(3))
    no_meta = tmp_path / "no_meta.npz"
    np.savez(no_meta, counts=np.arange(3))
    for bad in (truncated, garbage, npy, no_meta):
        with pytest.raises(ValueError, match="cannot read a ttqst measurement file"):
            MeasurementData.load(bad)
    with np.load(path, allow_pickle=False) as raw:
        arrays = {key: raw[key] for key in raw.files}
    meta = json.loads(str(arrays["meta"]))
    for change, pattern in (({"version": 99}, "version 99"), ({"format": "other"}, "not a ttqst")):
        other = tmp_path / f"changed_{next(iter(change))}.npz"
        np.savez(other, **{**arrays, "meta": np.array(json.dumps({**meta, **change}))})
        with pytest.raises(ValueError, match=pattern):
            MeasurementData.load(other)
    missing_counts = tmp_path / "missing_counts.npz"
    np.savez(missing_counts, **{k: v for k, v in arrays.items() if k != "counts"})
    with pytest.raises(ValueError, match="missing or invalid"):
        MeasurementData.load(missing_counts)
    with pytest.raises(FileNotFoundError):
        MeasurementData.load(tmp_path / "absent.npz")


# ---------------------------------------------------------------------- bad input
def _all_zero_counts(design: MeasurementDesign, shots: int = 5) -> list[dict[str, int]]:
    return [{"0" * design.n: shots} for _ in range(design.n_settings)]


def test_from_counts_rejects_bad_counts():
    design = MeasurementDesign(3, 2)
    good = _all_zero_counts(design)
    assert MeasurementData.from_counts(design, good).total_shots == 45
    with pytest.raises(ValueError, match="counts for 8 settings, expected 9"):
        MeasurementData.from_counts(design, good[:-1])
    with pytest.raises(TypeError, match="list of dicts"):
        MeasurementData.from_counts(design, good[0])
    cases = [
        ({"00": 5}, "not a bitstring of 3 bits"),
        ({"0000": 5}, "not a bitstring of 3 bits"),
        ({"012": 5}, "not a bitstring of 3 bits"),
        ({"0 01": 5}, "not a bitstring of 3 bits"),
        ({"000": float("nan")}, "not a count"),
        ({"000": -1}, "not a count"),
        ({"000": 2.5}, "not a count"),
        ({"000": True}, "not a count"),
        ({}, "zero shots"),
        ({"000": 0}, "zero shots"),
    ]
    for table, pattern in cases:
        counts = list(good)
        counts[4] = table
        with pytest.raises(ValueError, match=pattern):
            MeasurementData.from_counts(design, counts)


def test_zero_shot_setting_is_named():
    design = MeasurementDesign(3, 2)
    counts = _all_zero_counts(design)
    counts[5] = {}
    with pytest.raises(ValueError, match=f"first: 5, {design.settings[5]!r}"):
        MeasurementData.from_counts(design, counts)


def test_from_bits_and_constructor_reject_bad_arrays():
    design = MeasurementDesign(3, 2)
    with pytest.raises(ValueError, match=r"shape \(9, shots, 3\)"):
        MeasurementData.from_bits(design, np.zeros((9, 4, 2), dtype=np.uint8))
    with pytest.raises(ValueError, match="bits"):
        MeasurementData.from_bits(design, np.full((9, 4, 3), 2, dtype=np.uint8))
    rows = np.zeros((9, 3), dtype=np.uint8)
    with pytest.raises(ValueError, match="finite and non-negative"):
        MeasurementData(design, rows, np.full(9, np.nan), np.arange(9))
    with pytest.raises(ValueError, match="setting_index must lie in 0..8"):
        MeasurementData(design, rows, np.ones(9), np.arange(1, 10))
    with pytest.raises(TypeError, match="MeasurementDesign"):
        MeasurementData("design", rows, np.ones(9), np.arange(9))


def test_measure_rejects_mismatched_and_wrong_sources():
    state = _product_state(np.tile([0.0, 0.0, 1.0], (4, 1)))
    with pytest.raises(ValueError, match="qubit count mismatch: state has 4, design 5"):
        measure(state, MeasurementDesign(5, 3), 10)
    with pytest.raises(ValueError, match="apply to circuits"):
        measure(state, MeasurementDesign(4, 3), 10, noise_model=depolarizing(0.01, 0.01))
    with pytest.raises(ValueError, match="qubit count mismatch"):
        measure(QuantumCircuit(5), MeasurementDesign(4, 3), 10)
    with pytest.raises(TypeError, match="PauliMPO or a QuantumCircuit"):
        measure(np.eye(16) / 16, MeasurementDesign(4, 3), 10)
    with pytest.raises(ValueError):
        measure(state, MeasurementDesign(4, 3), 0)


def test_expectations_reject_strings_wider_than_the_window(small_data):
    _, data = small_data
    with pytest.raises(ValueError, match="spans qubits 0..3: wider than the window 3"):
        data.expectations(["ZIIZ"])
    mean, _ = data.expectations(["XIZI", "IIII"])  # span 3 is fine
    assert mean[1] == 1.0
    with pytest.raises(ValueError):
        data.expectations(["ZZZ"])  # wrong length
    with pytest.raises(ValueError):
        data.expectations(["ZZZQ"])  # not a Pauli letter


def test_bitstring_order_helpers_roundtrip():
    from tomography.pauli import bits_to_bitstrings, bitstrings_to_bits

    keys = ["001", "110", "100"]
    bits = bitstrings_to_bits(keys, 3)
    assert bits.dtype == np.uint8
    np.testing.assert_array_equal(bits, [[1, 0, 0], [0, 1, 1], [0, 0, 1]])  # qubit 0 right-most
    assert bits_to_bitstrings(bits) == keys
    assert bitstrings_to_bits([], 4).shape == (0, 4)
    assert bits_to_bitstrings(np.zeros((0, 2), dtype=int)) == []
