"""Tests for tomography.progress.ProgressBar."""

from __future__ import annotations

import io

import pytest

import tomography
from tomography.progress import ProgressBar


def test_counts_and_closes(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    with ProgressBar("stage", "op", enabled=True) as bar:
        for done in range(6):
            bar(done, 5)
        assert bar._bar.n == 5 and bar._bar.total == 5
        assert (bar.done, bar.total) == (5, 5)
        inner = bar._bar
        assert not inner.disable
    assert bar._bar is None and inner.disable  # tqdm marks a closed bar disabled


def test_disabled_draws_nothing(monkeypatch, capsys):
    with ProgressBar("stage", enabled=False) as bar:
        for done in range(101):
            bar(done, 100)
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""
    assert (bar.done, bar.total) == (100, 100)


def test_default_draws_only_on_a_terminal(capsys):
    with ProgressBar("stage") as bar:  # pytest's stderr is not a terminal
        bar(1, 2)
        assert bar._bar.disable
    assert capsys.readouterr().err == ""


def test_drives_a_stage(capsys):
    from tomography.circuits import ghz_line
    from tomography.simulate import simulate

    with ProgressBar("simulate", "op", enabled=False) as bar:
        simulate(ghz_line(3), progress=bar)
    assert bar.done == bar.total == 3


def test_exported_and_checked():
    assert tomography.ProgressBar is ProgressBar and "ProgressBar" in tomography.__all__
    with pytest.raises(TypeError, match="enabled must be a bool or None"):
        ProgressBar("x", enabled="yes")
    assert "0/None" not in repr(ProgressBar("x"))  # before any call
