"""Shared helpers of the benchmark scripts: result files and a process pool."""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict:
    """Where the numbers were taken."""
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


def provenance() -> dict:
    """Git commit of the working tree and whether the library files differ from it."""
    import subprocess

    root = Path(__file__).resolve().parent.parent

    def git(*args):
        try:
            return subprocess.run(
                ["git", *args], cwd=root, capture_output=True, text=True, timeout=30
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None

    dirty = git("status", "--porcelain", "--", "tomography", "ttcross")
    return {
        "commit": git("rev-parse", "HEAD"),
        "library_dirty": dirty.splitlines() if dirty else [],
    }


def run_all(
    task: Callable, configs: Iterable[dict], jobs: int, *, log: Path | None = None
) -> list[dict]:
    """Run ``task(**config)`` for every config, in ``jobs`` processes (1: in this process).

    With ``log``, each result is appended to that JSON-lines file as soon as it is done, so
    that an interrupted run keeps what it finished.
    """
    configs = list(configs)
    results = []

    def keep(result: dict) -> None:
        results.append(result)
        if log is not None:
            with open(log, "a") as handle:
                handle.write(json.dumps(result, default=float) + "\n")

    if jobs <= 1:
        for c in configs:
            keep(task(**c))
        return results
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(task, **c) for c in configs]
        for future in as_completed(futures):
            keep(future.result())
    return results


def write_results(name: str, payload: dict, table: str) -> tuple[Path, Path]:
    """Write ``results/<name>.json`` and ``results/<name>.md``; returns both paths."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {"machine": machine(), "provenance": provenance(), **payload}
    json_path = RESULTS / f"{name}.json"
    md_path = RESULTS / f"{name}.md"
    json_path.write_text(json.dumps(payload, indent=2, default=float))
    md_path.write_text(table)
    return json_path, md_path
