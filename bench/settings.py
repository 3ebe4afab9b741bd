"""Settings: every ``BENCH_*`` environment variable is read here and nowhere else (each is
described under "Settings" in README.md). The entry point (the CLI, a worker) activates a
:class:`Settings`; library code asks :func:`get_settings`, as scikit-learn's ``get_config``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.errors import UsageError


def _path(value: str | None) -> Path | None:
    return Path(value).expanduser() if value not in (None, "") else None


def _names(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() not in ("", "0", "false", "no", "off")


def _positive_int(name: str, value: str | None) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise UsageError(f"{name} must be a whole number of threads (1 or more), got {value!r}.")
    return number


@dataclass(frozen=True)
class Settings:
    """Everything the harness takes from the environment."""

    data_dir: Path | None = None
    cache_dir: Path | None = None
    offline: bool = False
    mirrors: tuple[str, ...] = ()
    plugins: tuple[str, ...] = ()
    disable_plugins: tuple[str, ...] = ()
    plugins_dir: Path | None = None
    threads_per_job: int | None = None
    keras_home: Path | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``environ`` (default: ``os.environ``), then non-``None`` ``overrides``
        (command-line flags win over the environment)."""
        env = os.environ if environ is None else environ
        settings = cls(
            data_dir=_path(env.get("BENCH_DATA_DIR")),
            cache_dir=_path(env.get("BENCH_CACHE_DIR")),
            offline=_flag(env.get("BENCH_OFFLINE")),
            mirrors=_names(env.get("BENCH_MIRRORS")),
            plugins=_names(env.get("BENCH_PLUGINS")),
            disable_plugins=_names(env.get("BENCH_DISABLE_PLUGINS")),
            plugins_dir=_path(env.get("BENCH_PLUGINS_DIR")),
            threads_per_job=_positive_int("BENCH_THREADS_PER_JOB",
                                          env.get("BENCH_THREADS_PER_JOB")),
            keras_home=_path(env.get("KERAS_HOME")),
        )
        return settings.replace(**overrides)

    def replace(self, **changes: Any) -> Settings:
        """A copy with the non-``None`` ``changes`` applied (paths given as strings are fine)."""
        changes = {k: v for k, v in changes.items() if v is not None}
        for name in ("data_dir", "cache_dir", "plugins_dir", "keras_home"):
            if name in changes and not isinstance(changes[name], Path):
                changes[name] = _path(str(changes[name]))
        return dataclasses.replace(self, **changes)


_active: Settings | None = None


def get_settings() -> Settings:
    """The active settings: those activated by the entry point (the CLI, a worker), else the
    environment's (read on each call, so library code and tests follow changes to it)."""
    return _active if _active is not None else Settings.from_environ()


def set_settings(settings: Settings | None) -> None:
    """Activate ``settings`` for this process (``None``: re-read the environment on next use)."""
    global _active
    _active = settings


@contextlib.contextmanager
def use_settings(settings: Settings) -> Iterator[Settings]:
    """Activate ``settings`` inside a ``with`` block, restoring the previous ones after."""
    previous = _active
    set_settings(settings)
    try:
        yield settings
    finally:
        set_settings(previous)
