"""Helpers shared by the benchmark scripts: timing, summaries, machine facts, doc sections."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PERFORMANCE_DOC = ROOT / "docs" / "performance.md"
# The numbers each script measured, one key per section: the targets are computed from them.
PERFORMANCE_DATA = ROOT / "docs" / "performance-data.json"
# Where a section goes when it is new to the document (existing sections keep their place).
SECTION_ORDER = (
    "targets", "reference-run", "zoo-cost", "cached-run-all", "data-load", "overhead",
    "overhead-keras-mlp", "overhead-findings", "runner", "dask-vs-local", "logistic-defaults",
    "logistic-findings", "cnn-backends", "cnn-findings",
)
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


def replace_section(document: str, name: str, text: str) -> str:
    """``document`` with section ``name`` replaced; a new section goes before the first later
    one of :data:`SECTION_ORDER` that is present, else at the end. Other sections are kept."""
    start, end = markers(name)
    body = f"{start}\n{text.strip()}\n{end}"
    if start in document and end in document:
        head, rest = document.split(start, 1)
        return head + body + rest.split(end, 1)[1]
    later = SECTION_ORDER[SECTION_ORDER.index(name) + 1:] if name in SECTION_ORDER else ()
    for other in later:
        other_start = markers(other)[0]
        if other_start in document:
            head, rest = document.split(other_start, 1)
            return head + body + "\n\n" + other_start + rest
    return document.rstrip("\n") + "\n\n" + body + "\n"


def write_section(name: str, text: str, path: Path = PERFORMANCE_DOC) -> None:
    """Replace the section ``name`` of ``path`` (insert it, or create the file, if absent)."""
    current = path.read_text() if path.exists() else "# Performance\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(replace_section(current, name, text))


def stored_numbers(path: Path = PERFORMANCE_DATA) -> dict:
    """Every section's stored measurement (``{}`` when the file does not exist yet)."""
    return json.loads(path.read_text()) if path.exists() else {}


def store_numbers(section: str, numbers: dict, command: str, note: str = "",
                  path: Path = PERFORMANCE_DATA) -> None:
    """Keep what a script measured for ``section`` (date, command, machine, numbers)."""
    from datetime import date

    data = stored_numbers(path)
    data[section] = {"date": date.today().isoformat(), "command": command, "machine": machine(),
                     **({"note": note} if note else {}), "numbers": numbers}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
