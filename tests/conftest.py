"""Shared fixtures: the real data folder, an isolated cache, and test plugins on the path."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLUGINS_DIR = Path(__file__).resolve().parent / "fixtures" / "plugins"


def real_data_dir() -> str | None:
    value = os.environ.get("BENCH_DATA_DIR")  # absolute: some tests change directory
    return str(Path(value).resolve()) if value and Path(value).is_dir() else None


@pytest.fixture(scope="session")
def data_dir() -> str:
    """The real datasets (``BENCH_DATA_DIR``); tests that need them skip without it."""
    value = real_data_dir()
    if value is None:
        pytest.skip("set BENCH_DATA_DIR to the folder with mnist/ and fashion-mnist/")
    return value


@pytest.fixture(scope="session")
def session_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("bench-cache")


@pytest.fixture
def plugin_env(monkeypatch, session_cache):
    """Environment under which spawned workers see the test plugins in tests/fixtures/plugins/."""

    def activate(*entries: str) -> None:
        path = os.pathsep.join(filter(None, [str(PLUGINS_DIR), os.environ.get("PYTHONPATH")]))
        monkeypatch.setenv("PYTHONPATH", path)
        monkeypatch.syspath_prepend(str(PLUGINS_DIR))
        monkeypatch.setenv("BENCH_PLUGINS", ",".join(entries))
        monkeypatch.setenv("BENCH_CACHE_DIR", str(session_cache))
        from bench.plugins.registry import reset_default_registry
        from bench.settings import set_settings

        set_settings(None)  # re-read the environment just changed
        reset_default_registry()

    yield activate
    from bench.plugins.registry import reset_default_registry
    from bench.settings import set_settings

    monkeypatch.undo()
    set_settings(None)
    reset_default_registry()


def pytest_configure(config):
    sys.path.insert(0, str(ROOT))
    # a harness cache of the session's own: the developer's is neither read nor written
    import tempfile

    config._bench_cache = tempfile.TemporaryDirectory(prefix="bench-test-cache-")
    config._bench_cache_before = os.environ.get("BENCH_CACHE_DIR")
    os.environ["BENCH_CACHE_DIR"] = config._bench_cache.name


def pytest_unconfigure(config):
    cache = getattr(config, "_bench_cache", None)
    if cache is None:
        return
    cache.cleanup()
    if config._bench_cache_before is None:
        os.environ.pop("BENCH_CACHE_DIR", None)
    else:
        os.environ["BENCH_CACHE_DIR"] = config._bench_cache_before


@pytest.fixture(autouse=True)
def _no_active_settings():
    """Each test starts and ends with no activated settings (the environment's apply)."""
    from bench.settings import set_settings

    set_settings(None)
    yield
    set_settings(None)
