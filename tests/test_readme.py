"""The README's Python examples run as written.

Each ```python block is executed in a fresh namespace, in order. A block that fails (an
import the README promises that does not exist yet, or an API that changed) fails the test
with the block's text in the message: the README must not drift from the code.
"""

from __future__ import annotations

import re
import traceback
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def _blocks() -> list[str]:
    return BLOCK.findall(README.read_text(encoding="utf-8"))


def test_readme_has_python_examples():
    blocks = _blocks()
    assert len(blocks) >= 2, "README.md should show the ttcross and tomography examples"
    assert any("tt_cross" in b for b in blocks) and any("reconstruct" in b for b in blocks)


@pytest.mark.parametrize("index", range(len(_blocks())))
def test_readme_block_runs(index, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a block may write files (the sweep example writes a store)
    source = _blocks()[index]
    try:
        exec(compile(source, f"README.md python block {index}", "exec"), {"__name__": "readme"})
    except Exception:
        pytest.fail(
            f"README.md python block {index} failed:\n{source}\n{traceback.format_exc()}",
            pytrace=False,
        )
    assert capsys.readouterr().out.strip(), "each README example prints its result"
