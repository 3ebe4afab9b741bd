"""scikit-learn random forest on raw pixels."""

from __future__ import annotations

from bench.estimators import threads_per_job
from bench.params import Param
from bench.registry import ModelSpec

PARAMS = (
    Param("n_estimators", 100, int, "number of trees"),
    Param("max_depth", None, int | None, "maximum tree depth (None: grow fully)"),
    Param("max_features", "sqrt", float | str | None, "features tried per split"),
    Param("min_samples_leaf", 1, int, "minimum samples per leaf"),
)


def build(params: dict, seed: int):
    from sklearn.ensemble import RandomForestClassifier

    # n_jobs changes speed only: a seeded forest gives the same trees with any thread count.
    return RandomForestClassifier(**params, random_state=seed, n_jobs=threads_per_job())


MODEL = ModelSpec(
    name="random-forest",
    description="scikit-learn RandomForestClassifier, 100 trees, on raw pixels",
    family="tree ensemble",
    params=PARAMS,
    input_kind="flat",
    version="1",
    build=build,
    test_params={"n_estimators": 10},
    learning_curve=True,
)
