"""Test plugins for the runner: a slow framework import, a slow fit (every fit logged), and a
plugin whose ``build`` kills its process."""

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
