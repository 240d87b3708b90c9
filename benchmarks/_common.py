"""Shared helpers of the benchmark scripts: result files and a process pool."""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
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


def run_all(task: Callable, configs: Iterable[dict], jobs: int) -> list[dict]:
    """Run ``task(**config)`` for every config, in ``jobs`` processes (1: in this process)."""
    configs = list(configs)
    if jobs <= 1:
        return [task(**c) for c in configs]
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(task, **c) for c in configs]
        return [f.result() for f in futures]


def write_results(name: str, payload: dict, table: str) -> tuple[Path, Path]:
    """Write ``results/<name>.json`` and ``results/<name>.md``; returns both paths."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {"machine": machine(), **payload}
    json_path = RESULTS / f"{name}.json"
    md_path = RESULTS / f"{name}.md"
    json_path.write_text(json.dumps(payload, indent=2, default=float))
    md_path.write_text(table)
    return json_path, md_path
