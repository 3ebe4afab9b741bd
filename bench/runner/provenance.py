"""Provenance: where and with what a result was produced."""

from __future__ import annotations

import functools
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from bench.threads import KERAS_THREADS, THREAD_VARIABLES, threads_per_job

PACKAGES = ("mnist-vs-fashion-bench", "numpy", "pandas", "scikit-learn", "scipy",
            "tensorflow-cpu", "tensorflow", "keras", "joblib", "matplotlib")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def git_commit(path: str | os.PathLike | None = None) -> str | None:
    """The commit of the checkout the harness runs from, with ``-dirty`` for local changes."""
    root = Path(path) if path else Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no",
                                "--", "bench", "models"], cwd=root,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("-dirty" if dirty else "")


def blas_info() -> list[dict[str, object]]:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    keep = ("internal_api", "num_threads", "version", "threading_layer", "architecture")
    return [{k: pool.get(k) for k in keep} for pool in threadpool_info()]


@functools.cache
def _static() -> dict[str, object]:
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "packages": package_versions(),
        "git_commit": git_commit(),
    }


def collect() -> dict[str, object]:
    """Versions, CPU, thread settings and git commit (the static part is computed once)."""
    info = dict(_static())
    info["threads"] = {k: os.environ[k] for k in (*THREAD_VARIABLES, "OPENBLAS_CORETYPE")
                       if k in os.environ}
    info["threads"]["per_job"] = threads_per_job()
    info["threads"]["keras"] = KERAS_THREADS
    info["blas"] = blas_info()
    return info
