"""What the perf scripts share: the repository root, timing spreads and markdown tables."""

from __future__ import annotations

import os
import platform
import re
import statistics
from collections.abc import Sequence
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def spread(values: Sequence[float], scale: float = 1.0) -> str:
    """``median (min–max)`` of ``values`` times ``scale``, to three significant-ish digits."""
    scaled = [v * scale for v in values]
    med = statistics.median(scaled)
    fmt = "{:.0f}" if med >= 100 else "{:.1f}" if med >= 1 else "{:.3f}"
    return f"{fmt.format(med)} ({fmt.format(min(scaled))}–{fmt.format(max(scaled))})"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]],
                   numeric: Sequence[bool] | None = None) -> str:
    """A markdown table; ``numeric`` right-aligns the columns where it is true."""
    numeric = numeric or [False] * len(header)
    align = ["---:" if n else "---" for n in numeric]
    return "\n".join("| " + " | ".join(str(c) for c in row) + " |"
                     for row in (header, align, *rows))


def measured_on() -> str:
    """Date and machine, for the line above a pasted table."""
    cpuinfo = Path("/proc/cpuinfo")
    names = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo.read_text() if cpuinfo.exists() else "",
                       re.MULTILINE)
    return (f"Measured {date.today().isoformat()} on {names[0] if names else platform.machine()}, "
            f"{os.cpu_count()} cores, {platform.system()}; Python {platform.python_version()}.")
