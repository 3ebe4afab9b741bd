"""``<results>/run-info.json``: how the latest run-all that trained something was made."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from bench.files import atomic_write_text

RUN_INFO_FILE = "run-info.json"


def run_info_path(results_dir: str | os.PathLike) -> Path:
    return Path(results_dir) / RUN_INFO_FILE


def write_run_info(results_dir: str | os.PathLike, info: dict[str, Any]) -> Path:
    """Write ``info`` (JSON-serialisable) as the store's run info, atomically."""
    path = run_info_path(results_dir)
    atomic_write_text(path, json.dumps(info, indent=1, sort_keys=True) + "\n")
    return path


def read_run_info(results_dir: str | os.PathLike) -> dict[str, Any] | None:
    """The store's run info as a dict, or ``None`` when absent or unreadable."""
    try:
        data = json.loads(run_info_path(results_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
