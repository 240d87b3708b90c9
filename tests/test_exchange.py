"""Circuits out, counts in (tomography.exchange), without the command line."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tomography.circuits import brickwork
from tomography.exchange import (
    MANIFEST_NAME,
    export_measurement_circuits,
    load_counts,
    load_qasm,
    standard_gates,
)
from tomography.measure import MeasurementDesign
from tomography.simulate import simulate


def test_export_then_load_gives_the_same_circuits(tmp_path):
    circuit = brickwork(3, 2, seed=4)
    design = MeasurementDesign(3, 2)
    manifest = export_measurement_circuits(circuit, design, tmp_path / "out", description="bw")
    content = json.loads(manifest.read_text())
    assert [e["setting"] for e in content["settings"]] == design.settings
    assert content["circuit"] == "bw" and manifest.name == MANIFEST_NAME
    loaded = load_qasm(tmp_path / "out" / content["settings"][0]["file"])  # measurements dropped
    assert loaded.num_clbits == 0
    # setting 0 is XXX: undo nothing, compare the states after the same rotations
    rotated = standard_gates(design.circuits(circuit)[0].remove_final_measurements(inplace=False))
    np.testing.assert_allclose(simulate(loaded).to_dense(), simulate(rotated).to_dense(), atol=1e-9)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        export_measurement_circuits(circuit, design, tmp_path / "out")
    export_measurement_circuits(circuit, MeasurementDesign(3, 1), tmp_path / "out", overwrite=True)
    assert len(list((tmp_path / "out").glob("setting_*.qasm"))) == 3  # stale files removed


def test_load_counts_infers_the_window_and_checks_the_settings():
    design = MeasurementDesign(2, 2)
    table = {s: {"00": 3, "11": 1} for s in design.settings}
    data = load_counts(table)
    assert data.design == design and data.total_shots == 9 * 4
    with pytest.raises(ValueError, match="not a power of 3"):
        load_counts(dict(list(table.items())[:5]))
    with pytest.raises(ValueError, match="missing: expected 9"):
        load_counts(dict(list(table.items())[:8]), window=2)
    with pytest.raises(ValueError, match="different lengths"):
        load_counts({**table, "ZZZ": {"000": 1}}, window=2)
    with pytest.raises(ValueError, match="'AB' is not in"):
        load_counts({**table, "AB": {"00": 1}}, window=2)
    with pytest.raises(ValueError, match="not a bitstring"):
        load_counts({**table, "XX": {"0 0": 1}})
