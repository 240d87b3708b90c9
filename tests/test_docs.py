"""The documentation builds without warnings, and its runnable examples run.

- ``mkdocs build --strict`` (every mkdocs, mkdocstrings and griffe warning is an error) into a
  temporary directory; the key pages must be in the output, the tutorial with its images.
- A python block in ``docs/*.md`` is *runnable* when the line before its opening fence is
  ``<!-- runnable -->`` (invisible on the site). The runnable blocks of one page run in order
  in one namespace, in a temporary working directory: a block can use what an earlier block
  of the same page defined. Keep them small (n <= 6).

The documentation tools are in the ``test`` extra, so none of this is skipped on CI.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import traceback
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
RUNNABLE = re.compile(r"^<!-- runnable -->\n```python\n(.*?)^```", re.S | re.M)
BUILD_TIMEOUT = 300  # seconds

KEY_PAGES = [
    "index.html",
    "quickstart/index.html",
    "tutorial/index.html",
    "hardware/index.html",
    "cli/index.html",
    "limits/index.html",
    "benchmarks/index.html",
    "examples/index.html",
    "sweeps/index.html",
    "method/index.html",
    "api/index.html",
    "api/tomography.reconstruct/index.html",
    "api/tomography.measure/index.html",
    "api/tomography.exchange/index.html",
    "api/tomography.plotting/index.html",
    "api/tomography.sweep/index.html",
    "api/ttcross.cross/index.html",
    "api/ttcross.bounds/index.html",
]


def _runnable_pages() -> list[Path]:
    return sorted(p for p in DOCS.glob("*.md") if RUNNABLE.search(p.read_text(encoding="utf-8")))


def _load_sync():
    spec = importlib.util.spec_from_file_location("sync_benchmarks", DOCS / "sync_benchmarks.py")
    sync = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sync)
    return sync


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        env=env,
    )
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{proc.stdout}\n{proc.stderr}"
    return out


def test_docs_build_strict_has_key_pages(site):
    missing = [page for page in KEY_PAGES if not (site / page).is_file()]
    assert not missing, f"pages missing from the built site: {missing}"
    api = site / "api" / "tomography.reconstruct" / "index.html"
    text = api.read_text(encoding="utf-8")
    assert "Reconstruction" in text and "LongRangeCorrelationWarning" in text, (
        "the API page of tomography.reconstruct has no generated reference"
    )


def test_tutorial_images_are_built(site):
    html = (site / "tutorial" / "index.html").read_text(encoding="utf-8")
    images = re.findall(r'<img[^>]+src="([^"]+\.png)"', html)
    assert len(images) >= 6, f"the tutorial shows {len(images)} figures, expected >= 6"
    for src in images:
        target = (site / "tutorial" / src).resolve()
        assert target.is_file(), f"tutorial image {src} is not in the built site"


def test_benchmark_figures_are_built(site):
    html = (site / "benchmarks" / "index.html").read_text(encoding="utf-8")
    images = re.findall(r'<img[^>]+src="([^"]+\.png)"', html)
    assert images, "the benchmarks page shows no figure"
    for src in images:
        assert (site / "benchmarks" / src).resolve().is_file(), f"{src} missing from the site"


def test_benchmarks_page_is_in_sync_with_the_results():
    """docs/benchmarks.md and its figures are what docs/sync_benchmarks.py makes of
    benchmarks/results/ now (rerun that script after rerunning a benchmark)."""
    sync = _load_sync()
    fix = "run `python docs/sync_benchmarks.py` and commit docs/"
    page = (DOCS / "benchmarks.md").read_text(encoding="utf-8")
    assert page == sync.build_page(copy_figures=False), f"docs/benchmarks.md is stale: {fix}"
    for source in sorted(sync.RESULTS.glob("*.png")):
        copy = sync.FIGURES / source.name
        if f"figures/benchmarks/{source.name}" in page:
            assert copy.is_file() and copy.read_bytes() == source.read_bytes(), (
                f"docs/figures/benchmarks/{source.name} differs from {source}: {fix}"
            )


def test_example_figures_are_in_sync_and_shown(site):
    """Every figure of examples/figures/ is copied unchanged to docs/figures/examples/ (by
    docs/sync_benchmarks.py) and shown on the examples page; every script has a section."""
    sync = _load_sync()
    fix = "run `python docs/sync_benchmarks.py` and commit docs/"
    sources = sorted(sync.EXAMPLE_SOURCES.glob("*.png"))
    assert sources, "examples/figures/ has no PNG"
    html = (site / "examples" / "index.html").read_text(encoding="utf-8")
    shown = {Path(src).name for src in re.findall(r'<img[^>]+src="([^"]+\.png)"', html)}
    for source in sources:
        copy = sync.EXAMPLE_FIGURES / source.name
        assert copy.is_file() and copy.read_bytes() == source.read_bytes(), (
            f"docs/figures/examples/{source.name} differs from {source}: {fix}"
        )
        assert source.name in shown, f"docs/examples.md does not show {source.name}"
    page = (DOCS / "examples.md").read_text(encoding="utf-8")
    for script in sorted((ROOT / "examples").glob("*.py")):
        assert f"python examples/{script.name}" in page, f"docs/examples.md misses {script.name}"


def test_some_pages_have_runnable_blocks():
    names = {p.name for p in _runnable_pages()}
    assert {"quickstart.md", "hardware.md", "tutorial.md"} <= names, names


@pytest.mark.parametrize("page", _runnable_pages(), ids=lambda p: p.name)
def test_runnable_blocks_execute(page, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": f"docs_{page.stem}"}
    for index, source in enumerate(RUNNABLE.findall(page.read_text(encoding="utf-8"))):
        try:
            exec(compile(source, f"{page.name} runnable block {index}", "exec"), namespace)
        except Exception:
            pytest.fail(
                f"{page.name} runnable block {index} failed:\n{source}\n{traceback.format_exc()}",
                pytrace=False,
            )
    assert capsys.readouterr().out.strip(), f"the runnable blocks of {page.name} print nothing"
