"""Test plugins for the runner: a slow framework import, a slow fit (every fit logged), a
plugin whose ``build`` kills its process and one that shows the settings it runs under."""

from __future__ import annotations

import os
import time

from faulty_plugins import Centroids

from bench.params import Param
from bench.registry import ModelSpec

FIT_LOG_ENV = "TEST_FIT_LOG"  # a folder: every fit leaves one file there


class SlowCentroids(Centroids):
    """Centroids that sleep ``fit_seconds`` in ``fit`` and leave a file per fit."""

    def __init__(self, fit_seconds=0.0, seed=0):
        super().__init__("ok", seed)
        self.fit_seconds = fit_seconds

    def fit(self, X, y):
        folder = os.environ.get(FIT_LOG_ENV)
        if folder:
            name = f"{os.getpid()}-{time.monotonic_ns()}-seed{self.seed}-n{len(y)}"
            open(os.path.join(folder, name), "w").close()
        time.sleep(self.fit_seconds)
        return super().fit(X, y)


def _build_slow_start(params, seed):
    import slow_framework  # noqa: F401 - stands in for TensorFlow: seconds to import

    return SlowCentroids(**params, seed=seed)


SLOW_FIT = ModelSpec(
    name="test-slow-fit", description="test plugin: fit takes fit_seconds", family="test",
    params=(Param("fit_seconds", 1.0, float),), input_kind="flat", version="1",
    build=lambda params, seed: SlowCentroids(**params, seed=seed))

SLOW_START = ModelSpec(
    name="test-slow-start", description="test plugin: its framework takes seconds to import",
    family="test", params=(Param("fit_seconds", 0.0, float),), input_kind="flat", version="1",
    build=_build_slow_start)


def _build_and_exit(params, seed):
    os._exit(4)


BUILD_EXITS = ModelSpec(
    name="test-build-exits", description="test plugin: build() kills the process",
    family="test", params=(), input_kind="flat", version="1", build=_build_and_exit)


class ShowsSettings(Centroids):
    """Fails with the settings its process sees, so a test can read them from the record."""

    def fit(self, X, y):
        from bench.settings import get_settings

        settings = get_settings()
        raise RuntimeError(f"mirrors={settings.mirrors} threads={settings.threads_per_job}")


SHOWS_SETTINGS = ModelSpec(
    name="test-shows-settings", description="test plugin: fails showing the worker's settings",
    family="test", params=(), input_kind="flat", version="1",
    build=lambda params, seed: ShowsSettings(seed=seed))
