"""scikit-learn random forest on raw pixels: four declared parameters; every other argument
of ``RandomForestClassifier`` (``criterion``, ``bootstrap``, ...) may be ``--set`` too."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from bench.plugins import AtLeast1, ModelSpec, Positive, threads_per_job


def random_forest(
    n_estimators: Annotated[int, AtLeast1, "number of trees"] = 100,
    max_depth: Annotated[int | None, AtLeast1, "maximum tree depth (None: grow fully)"] = None,
    max_features: Annotated[int | float | Literal["sqrt", "log2"] | None, Positive,
                            "features tried per split: a count, a fraction, or a rule"] = "sqrt",
    min_samples_leaf: Annotated[int, AtLeast1, "minimum samples per leaf"] = 1,
    seed: int = 0,
    **options: Any,
):
    from sklearn.ensemble import RandomForestClassifier

    # n_jobs changes speed only: a seeded forest gives the same trees with any thread count.
    return RandomForestClassifier(n_estimators=n_estimators, max_depth=max_depth,
                                  max_features=max_features, min_samples_leaf=min_samples_leaf,
                                  random_state=seed, n_jobs=threads_per_job(), **options)


MODEL = ModelSpec(
    name="random-forest",
    description="scikit-learn RandomForestClassifier, 100 trees, on raw pixels",
    family="tree ensemble",
    input_kind="flat",
    version="1",
    estimator=random_forest,
    passthrough="sklearn.ensemble.RandomForestClassifier",
    learning_curve=True,
    test_params={"n_estimators": 10},
)
