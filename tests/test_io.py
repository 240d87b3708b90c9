"""The file layer: archive errors (kind, version, corruption) and JSON reports."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tomography.io import (
    REPORT_FORMAT,
    REPORT_VERSION,
    FileFormatError,
    archive_path,
    read_archive,
    read_report,
    reconstruction_report,
    to_jsonable,
    write_archive,
    write_report,
)
from tomography.measure import ExactExpectations, MeasurementData, MeasurementDesign
from tomography.reconstruct import reconstruct
from tomography.state import PauliMPO


def test_archive_path_adds_npz_only_when_missing(tmp_path):
    assert archive_path(tmp_path / "a") == tmp_path / "a.npz"
    assert archive_path(tmp_path / "a.npz") == tmp_path / "a.npz"
    assert archive_path(tmp_path / "a.b") == tmp_path / "a.b.npz"


def test_reading_the_other_kind_names_what_the_file_is(tmp_path):
    state = PauliMPO.from_dense(np.diag([1.0, 0.0]))
    path = state.save(tmp_path / "state")
    with pytest.raises(FileFormatError, match="it is a ttqst state file"):
        MeasurementData.load(path)
    data = MeasurementData.from_bits(MeasurementDesign(1, 1), np.zeros((3, 2, 1), np.uint8))
    with pytest.raises(FileFormatError, match="not a ttqst state file: it is a ttqst measurement"):
        PauliMPO.load(data.save(tmp_path / "data"))


def test_versions_corruption_and_missing_files(tmp_path):
    write_archive(tmp_path / "new", "ttqst.PauliMPO", 7, {}, {"x": np.ones(2)})
    with pytest.raises(FileFormatError, match="version 7, this ttqst reads version 1; upgrade"):
        read_archive(tmp_path / "new.npz", "ttqst.PauliMPO", 1, "a ttqst state")
    write_archive(tmp_path / "old", "ttqst.PauliMPO", 0, {}, {"x": np.ones(2)})
    with pytest.raises(FileFormatError, match="re-create it"):
        read_archive(tmp_path / "old.npz", "ttqst.PauliMPO", 1, "a ttqst state")
    (tmp_path / "noise.npz").write_bytes(np.random.default_rng(2).bytes(100))
    with pytest.raises(FileFormatError, match="not an .npz archive") as info:
        read_archive(tmp_path / "noise.npz", "ttqst.PauliMPO", 1, "a ttqst state")
    assert "allow_pickle" not in str(info.value)  # no advice to unpickle
    with pytest.raises(FileNotFoundError, match="expected a ttqst state file"):
        read_archive(tmp_path / "absent.npz", "ttqst.PauliMPO", 1, "a ttqst state")
    assert issubclass(FileFormatError, ValueError)


def test_to_jsonable_writes_strict_json():
    value = {"a": np.float64(np.inf), "b": (np.int64(3), np.array([1.0, np.nan])), "c": None}
    out = to_jsonable(value)
    assert out == {"a": "inf", "b": [3, [1.0, "nan"]], "c": None}
    json.dumps(out, allow_nan=False)
    with pytest.raises(TypeError, match="object"):
        to_jsonable(object())


def test_report_round_trip_and_checks(tmp_path):
    truth = PauliMPO.from_dense(np.diag([0.7, 0.1, 0.1, 0.1, 0, 0, 0, 0]))
    result = reconstruct(ExactExpectations(truth, window=3))
    report = reconstruction_report(result, inputs={"data_file": "d.npz"}, timings={"load": 0.1})
    assert report["format"] == REPORT_FORMAT and report["version"] == REPORT_VERSION
    assert report["total_shots"] == "inf" and report["state"]["n"] == 3
    assert len(report["cuts"]) == 2 and report["timings"]["load"] == 0.1
    path = write_report(tmp_path / "r.json", report)
    assert read_report(path) == report
    with pytest.raises(FileExistsError, match="overwrite=True"):
        write_report(path, report)
    with pytest.raises(ValueError, match="format"):
        write_report(tmp_path / "x.json", {"a": 1})
    (tmp_path / "other.json").write_text(json.dumps({**report, "version": 99}))
    with pytest.raises(FileFormatError, match="report version 99"):
        read_report(tmp_path / "other.json")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(FileFormatError, match="cannot read"):
        read_report(tmp_path / "bad.json")
