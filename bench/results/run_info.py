"""How each profile's results were made: ``run-info.json`` files beside the runs.

``<results>/run-info.json`` describes the latest ``run-all``; ``<results>/run-info-<profile>.json``
keeps the latest run-all *that trained something* for each profile, so the reports of one
profile still say how its numbers were made after a run-all of another profile. Both are
rewritten by every run-all. Files read here are untrusted: an invalid one is ignored with a
warning.
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

RUN_INFO_FILE = "run-info.json"
MAX_RUN_INFO_BYTES = 1024 * 1024


def latest_path(results_dir: str | os.PathLike) -> Path:
    return Path(results_dir) / RUN_INFO_FILE


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
    info = read_info_file(profile_path(results_dir, profile))
    if info is not None and info.get("profile") == profile:
        return info
    info = read_info_file(latest_path(results_dir))
    return info if info is not None and info.get("profile") == profile else None


def info_files(results_dir: str | os.PathLike) -> list[Path]:
    """Every run-info file in ``results_dir`` (inputs of the reports), sorted."""
    folder = Path(results_dir)
    return sorted([*folder.glob("run-info-*.json"), *folder.glob(RUN_INFO_FILE)])


def save_run_info(results_dir: str | os.PathLike, profile: str,
                  make_info: Callable[[], dict[str, Any]], trained: bool) -> Path:
    """Record a run-all of ``profile``; rewrites ``run-info.json`` every time.

    When the run trained nothing (``trained`` false) and the profile already has a run-info,
    that one is kept (``make_info`` is not even called): it still says how the profile's
    results were made. A latest file of another profile is first kept as that profile's file
    if it has none.
    """
    mine = profile_path(results_dir, profile)
    previous = read_info_file(latest_path(results_dir))
    if previous is not None and previous["profile"] != profile:
        theirs = profile_path(results_dir, previous["profile"])
        if not os.path.lexists(theirs):
            _write(theirs, previous)
    kept = None if trained else read_run_info(results_dir, profile)
    chosen = kept if kept is not None else {**make_info(), "profile": profile}
    _write(mine, chosen)
    _write(latest_path(results_dir), chosen)
    return latest_path(results_dir)


def _write(path: Path, info: dict[str, Any]) -> None:
    try:
        atomic_write_text(path, json.dumps(info, indent=1, sort_keys=True) + "\n")
    except OSError as exc:
        raise ResultsError(f"cannot write {path}: {exc}. Check that the results folder is "
                           "writable (--results-dir).") from exc
