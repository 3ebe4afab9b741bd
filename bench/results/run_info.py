"""How each profile's results were made: ``run-info-<profile>.json`` beside the runs, from the
latest run-all of that profile that trained something (an older store's ``run-info.json`` is
read when its profile matches). An invalid file is ignored with a warning.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.errors import ResultsError, ResultsWarning
from bench.files import atomic_write_text
from bench.results.validate import UntrustedFileError, check_run_info, is_safe_name, read_json

OLD_RUN_INFO_FILE = "run-info.json"
MAX_RUN_INFO_BYTES = 1024 * 1024


def profile_path(results_dir: str | os.PathLike, profile: str) -> Path:
    if not is_safe_name(profile):
        raise ResultsError(f"invalid profile name {profile!r:.60}")
    return Path(results_dir) / f"run-info-{profile}.json"


def read_info_file(path: Path) -> dict[str, Any] | None:
    """A valid run-info file's content; None when absent, or invalid (with a warning)."""
    if not os.path.lexists(path):
        return None
    try:
        data = read_json(path, MAX_RUN_INFO_BYTES)
    except UntrustedFileError as exc:
        problems = [str(exc)]
    else:
        problems = check_run_info(data)
    if problems:
        warnings.warn(f"ignoring {path}: {'; '.join(problems[:3])}.", ResultsWarning,
                      stacklevel=2)
        return None
    return data


def read_run_info(results_dir: str | os.PathLike, profile: str) -> dict[str, Any] | None:
    """How the results of ``profile`` were made, or None when no valid file says so."""
    for path in (profile_path(results_dir, profile), Path(results_dir) / OLD_RUN_INFO_FILE):
        info = read_info_file(path)
        if info is not None and info.get("profile") == profile:
            return info
    return None


def save_run_info(results_dir: str | os.PathLike, profile: str,
                  make_info: Callable[[], dict[str, Any]], trained: bool) -> Path:
    """Record a run-all of ``profile`` in its run-info file, unless it trained nothing and the
    profile already has one (``make_info`` is then not called)."""
    path = profile_path(results_dir, profile)
    if not trained and read_run_info(results_dir, profile) is not None:
        return path
    try:
        atomic_write_text(path, json.dumps({**make_info(), "profile": profile}, indent=1,
                                           sort_keys=True) + "\n")
    except OSError as exc:
        raise ResultsError(f"cannot write {path}: {exc}. Check that the results folder is "
                           "writable (--results-dir).") from exc
    return path
