"""Bootstrap intervals (tomography.bootstrap), their statistics and the target fidelity."""

from __future__ import annotations

import json

import numpy as np
import pytest
from qiskit import QuantumCircuit

from tomography import MeasurementDesign, measure, simulate
from tomography.bootstrap import CrossEstimator, RefinedEstimator, bootstrap, resample
from tomography.circuits import build
from tomography.intervals import summarize_replicas
from tomography.measure import ExactExpectations
from tomography.noise import from_rates
from tomography.state import PauliMPO
from tomography.statistics import (
    Expectation,
    FidelityTo,
    LocalFidelity,
    OverlapTo,
    Purity,
    TargetFidelity,
)
from tomography.target import target_fidelity


@pytest.fixture(scope="module")
def case():
    """n = 4, depth-1 brickwork (light cone 3 = the window), p2 = 0.01."""
    circuit, _ = build("brickwork", 4, 1, seed=3)
    truth = simulate(circuit, from_rates(p2=0.01)[0])
    design = MeasurementDesign(4, window=3)
    return circuit, truth, design


def _data(case, shots, seed=1):
    _, truth, design = case
    return measure(truth, design, shots, seed=seed)


# ---------------------------------------------------------------------- target fidelity
@pytest.mark.parametrize("n", [6, 80])
def test_target_fidelity_of_the_ideal_state_is_one(n):
    circuit, _ = build("brickwork", n, 2, seed=n)
    assert target_fidelity(simulate(circuit), circuit) == pytest.approx(1.0, abs=1e-10)


def _product_circuit(angles):
    circuit = QuantumCircuit(len(angles))
    for k, (theta, phi) in enumerate(angles):
        circuit.ry(theta, k)
        circuit.rz(phi, k)
    return circuit


@pytest.mark.parametrize("n", [5, 60])
def test_target_fidelity_of_product_states_is_the_product_of_overlaps(n):
    rng = np.random.default_rng(n)
    ideal = rng.uniform(0, np.pi, (n, 2))
    tilted = ideal + rng.normal(0, 0.1, (n, 2))
    # |<a|b>|^2 per qubit for ry(t) rz(p)|0>: cos^2(dt/2) cos^2(.) ... computed from vectors
    expected = 1.0
    for (t1, p1), (t2, p2) in zip(ideal, tilted, strict=True):
        a = np.array([np.cos(t1 / 2), np.exp(1j * p1) * np.sin(t1 / 2)])
        b = np.array([np.cos(t2 / 2), np.exp(1j * p2) * np.sin(t2 / 2)])
        expected *= abs(np.vdot(a, b)) ** 2
    estimate = simulate(_product_circuit(tilted))
    value = target_fidelity(estimate, _product_circuit(ideal))
    assert value == pytest.approx(expected, rel=1e-9)


def test_target_fidelity_accepts_a_dense_estimate_and_a_pure_state(case):
    circuit, truth, _ = case
    pure = simulate(circuit)
    dense = truth.to_dense()
    assert target_fidelity(dense, pure) == pytest.approx(target_fidelity(truth, circuit))
    assert 0.9 < target_fidelity(truth, circuit) < 1.0


def test_target_fidelity_refuses_a_mixed_target(case):
    _, truth, _ = case
    with pytest.raises(ValueError, match="mixed.*overlap_fidelity"):
        target_fidelity(truth, truth)


@pytest.mark.parametrize("instruction", ["measure", "reset"])
def test_target_fidelity_refuses_non_unitary_circuits(case, instruction):
    _, truth, _ = case
    circuit = QuantumCircuit(4, 4)
    circuit.h(0)
    if instruction == "measure":
        circuit.measure(0, 0)
    else:
        circuit.reset(1)
    with pytest.raises(ValueError, match=f"non-unitary instruction '{instruction}'"):
        target_fidelity(truth, circuit)


def test_target_fidelity_refuses_a_wrong_qubit_count(case):
    _, truth, _ = case
    circuit, _ = build("brickwork", 5, 1, seed=1)
    with pytest.raises(ValueError, match="qubit count mismatch.*4 qubits, the target 5"):
        target_fidelity(truth, circuit)
    with pytest.raises(ValueError, match="qubit count mismatch"):
        TargetFidelity(circuit)(truth)


# ---------------------------------------------------------------------- intervals
def test_bias_corrected_interval_follows_a_shift():
    values = np.linspace(0.0, 1.0, 101)
    centred = summarize_replicas("x", 0.5, values)
    assert centred.bias_corrected == pytest.approx(centred.percentile, abs=0.02)
    shifted = summarize_replicas("x", 0.3, values)  # most replicas above the point
    assert shifted.bias_corrected[1] < shifted.percentile[1]
    assert shifted.basic == pytest.approx((0.6 - 0.975, 0.6 - 0.025))
    assert shifted.bias == pytest.approx(0.2)
    assert not shifted.clipped and summarize_replicas("x", 2.0, values).clipped


# ---------------------------------------------------------------------- bootstrap
def test_intervals_shrink_as_shots_grow(case):
    stats = {"zz": Expectation("ZZII")}
    widths = []
    for shots in (100, 2000):
        result = bootstrap(_data(case, shots), CrossEstimator(), stats, 30, seed=2)
        low, high = result["zz"].percentile
        widths.append(high - low)
    assert widths[1] < 0.5 * widths[0]


def test_same_seed_same_numbers_and_every_statistic(case):
    circuit, truth, _ = case
    data = _data(case, 300)
    stats = {
        "target": TargetFidelity(circuit),
        "fidelity": FidelityTo(truth),
        "overlap": OverlapTo(truth),
        "energy": Expectation({"ZZII": 0.5, "IXXI": -1.0}),
        "purity": Purity(),
        "local": LocalFidelity(truth, 1, 3),
    }
    first = bootstrap(data, CrossEstimator(), stats, 6, seed=5)
    second = bootstrap(data, CrossEstimator(), stats, 6, seed=5)
    third = bootstrap(data, CrossEstimator(), stats, 6, seed=6)
    for name in stats:
        np.testing.assert_array_equal(first[name].values, second[name].values)
        assert first[name].bias_corrected == second[name].bias_corrected
    assert not np.array_equal(first["energy"].values, third["energy"].values)
    report = json.dumps(first.to_dict(), allow_nan=False)
    assert '"bias_corrected"' in report and "target" in first.summary()


def test_model_resampling_runs_and_keeps_the_design(case):
    data = _data(case, 200).with_assignment(
        np.tile(np.array([[0.98, 0.03], [0.02, 0.97]]), (4, 1, 1))
    )
    estimate = CrossEstimator()(data)
    replica = resample(data, "model", estimate=estimate, seed=1)
    np.testing.assert_array_equal(replica.shots, data.shots)
    np.testing.assert_array_equal(replica.assignment, data.assignment)
    result = bootstrap(
        data, CrossEstimator(), {"zz": Expectation("ZZII")}, 4, method="model", seed=1
    )
    assert result.method == "model" and result["zz"].values.size == 4


def test_counts_resampling_keeps_shots_per_setting(case):
    data = _data(case, 50)
    replica = resample(data, "counts", seed=3)
    np.testing.assert_array_equal(replica.shots, data.shots)
    observed = {tuple(r) + (s,) for r, s in zip(data.outcomes, data.setting_index, strict=True)}
    drawn = {tuple(r) + (s,) for r, s in zip(replica.outcomes, replica.setting_index, strict=True)}
    assert drawn <= observed


class _FailsOnce:
    """An estimator that raises on its second call (the first replica after the point)."""

    def __init__(self):
        self.calls = 0

    def __call__(self, data, seed=None):
        self.calls += 1
        if self.calls == 2:
            raise RuntimeError("singular intersection")
        return CrossEstimator()(data)


def test_a_failing_replica_is_recorded_and_the_others_go_on(case):
    result = bootstrap(_data(case, 200), _FailsOnce(), {"p": Purity()}, 5, seed=1)
    assert [(f.index, f.error_type, f.message) for f in result.failed] == [
        (0, "RuntimeError", "singular intersection")
    ]
    assert result.indices.tolist() == [1, 2, 3, 4]


def test_too_few_successful_replicas_raise_with_the_reasons(case):
    def broken_after_point(data, seed=None, _calls=[]):  # noqa: B006 - counts calls
        _calls.append(1)
        if len(_calls) > 1:
            raise RuntimeError("no convergence")
        return CrossEstimator()(data)

    with pytest.raises(ValueError, match="only 0 of 3.*RuntimeError: no convergence"):
        bootstrap(_data(case, 100), broken_after_point, {"p": Purity()}, 3, seed=1)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"replicas": 1}, ValueError, "replicas"),
        ({"method": "jackknife"}, ValueError, "unknown method 'jackknife'"),
        ({"statistics": {}}, ValueError, "no statistics"),
        ({"statistics": {"p": 0.5}}, TypeError, "statistic 'p' must be"),
        ({"statistics": {"nan": lambda s: float("nan")}}, ValueError, "'nan' returned nan"),
        ({"statistics": {"arr": lambda s: np.ones(2)}}, TypeError, "'arr' returned a ndarray"),
        ({"executor": "cloud"}, ValueError, "executor 'cloud'"),
    ],
)
def test_bad_inputs_get_clear_errors(case, kwargs, error, match):
    args = {"statistics": {"p": Purity()}, "replicas": 3, **kwargs}
    with pytest.raises(error, match=match):
        bootstrap(_data(case, 50), CrossEstimator(), args.pop("statistics"), **args)


def test_exact_expectations_and_bad_estimator_options_are_refused(case):
    _, truth, _ = case
    with pytest.raises(TypeError, match="no shots to resample"):
        bootstrap(ExactExpectations(truth, window=3), CrossEstimator(), {"p": Purity()})
    with pytest.raises(TypeError, match="unknown reconstruct option"):
        CrossEstimator(max_bond=4)
    with pytest.raises(TypeError, match="seed"):
        RefinedEstimator(refine_options={"seed": 1})


def test_refined_estimator_gets_its_seed_from_the_replica(case):
    data = _data(case, 200)
    estimator = RefinedEstimator(refine_options={"max_iters": 5})
    stats = {"p": Purity()}
    first = bootstrap(data, estimator, stats, 2, seed=4)
    second = bootstrap(data, estimator, stats, 2, seed=4)
    np.testing.assert_array_equal(first["p"].values, second["p"].values)
    assert 0.0 < first["p"].point <= 1.0 + 1e-9  # refined states are positive


def test_serial_and_local_cluster_give_the_same_numbers(case):
    from tomography.sweep.runner import local_cluster

    circuit, _, _ = case
    data = _data(case, 200)
    stats = {"target": TargetFidelity(circuit), "zz": Expectation("ZZII")}
    serial = bootstrap(data, CrossEstimator(), stats, 4, seed=9)
    seen = []
    with local_cluster(2) as client:
        remote = bootstrap(
            data,
            CrossEstimator(),
            stats,
            4,
            seed=9,
            executor=client,
            progress=lambda d, t: seen.append(d),
        )
    for name in stats:
        np.testing.assert_array_equal(serial[name].values, remote[name].values)
    assert seen[0] == 0 and seen[-1] == 4


def test_statistic_constructors_check_their_arguments(case):
    _, truth, _ = case
    with pytest.raises(ValueError, match="no Pauli strings"):
        Expectation({})
    with pytest.raises(ValueError):
        Expectation("ZQ")
    with pytest.raises(ValueError, match="does not fit"):
        LocalFidelity(truth, 3, 3)
    with pytest.raises(TypeError, match="PauliMPO"):
        OverlapTo(truth.to_dense())
    assert isinstance(truth, PauliMPO)


# ---------------------------------------------------------------------- command line
def _cli(*args, cwd):
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    env = {
        **os.environ,
        "OPENBLAS_NUM_THREADS": "1",
        "PYTHONPATH": os.pathsep.join([str(repo), os.environ.get("PYTHONPATH", "")]),
    }
    out = subprocess.run(
        [sys.executable, "-m", "tomography.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=cwd,
    )
    return out


def test_cli_bootstrap_and_compare_target(case, tmp_path):
    from qiskit import qasm2

    circuit, truth, design = case
    (tmp_path / "c.qasm").write_text(qasm2.dumps(circuit))
    _data(case, 200).save(tmp_path / "data.npz")
    args = ["reconstruct", "data.npz", "-o", "est.npz", "--report", "r.json", "--target", "c.qasm"]
    out = _cli(*args, "--bootstrap", "4", "--observable", "ZZII", "--seed", "3", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    line = next(s for s in out.stdout.splitlines() if "target_fidelity:" in s)
    assert "95% BC; percentile [" in line and "basic [" in line and " se " in line
    assert "<ZZII>:" in out.stdout
    report = json.loads((tmp_path / "r.json").read_text())
    assert set(report["bootstrap"]["statistics"]) == {"target_fidelity", "<ZZII>", "purity"}
    assert "not 'bound'" in report["uncertainty"] and "docs/limits.md" in report["uncertainty"]
    out = _cli("compare", "est.npz", "--target", "c.qasm", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    value = float(out.stdout.split(":")[-1])
    estimate = PauliMPO.load(tmp_path / "est.npz")
    assert value == pytest.approx(target_fidelity(estimate, circuit), abs=1e-6)
    wrong = QuantumCircuit(5)
    wrong.h(0)
    (tmp_path / "w.qasm").write_text(qasm2.dumps(wrong))
    out = _cli("compare", "est.npz", "--target", "w.qasm", cwd=tmp_path)
    assert out.returncode == 1 and "has 5 qubits, the estimate 4" in out.stderr
