"""Helpers shared by the benchmark scripts: timing, summaries, machine facts, doc sections."""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PERFORMANCE_DOC = ROOT / "docs" / "performance.md"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def default_data_dir() -> str:
    return os.environ.get("BENCH_DATA_DIR") or str(ROOT.parent / "shared" / "data")


def timed(func: Callable[[], object], repeats: int) -> list[float]:
    """Seconds taken by each of ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return times


def summary(values: list[float], scale: float = 1000.0) -> str:
    """``median (min–max)`` of ``values`` times ``scale`` (default: seconds shown as ms)."""
    scaled = [v * scale for v in values]
    med = statistics.median(scaled)
    fmt = "{:.0f}" if med >= 100 else "{:.1f}" if med >= 1 else "{:.3f}"
    return f"{fmt.format(med)} ({fmt.format(min(scaled))}–{fmt.format(max(scaled))})"


def machine() -> str:
    import numpy as np

    from bench.runner.provenance import cpu_model

    return (f"{cpu_model()}, {os.cpu_count()} cores, {platform.system()}; Python "
            f"{platform.python_version()}, numpy {np.__version__}")


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def write_section(name: str, text: str, path: Path = PERFORMANCE_DOC) -> None:
    """Replace the section ``name`` of ``path`` (append it, or create the file, if absent)."""
    start, end = markers(name)
    body = f"{start}\n{text.strip()}\n{end}"
    current = path.read_text() if path.exists() else "# Performance\n"
    if start in current and end in current:
        head, rest = current.split(start, 1)
        new = head + body + rest.split(end, 1)[1]
    else:
        new = current.rstrip("\n") + "\n\n" + body + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new)
