import pytest

from bench.errors import UsageError
from bench.registry import get_model
from bench.runner.plan import build_plan, split_overrides
from bench.runner.profiles import LEARNING_CURVE_SIZES, PROFILES, get_profile


def plan(models=("keras-mlp", "random-forest"), datasets=("mnist", "fashion-mnist"),
         seeds=(0, 1, 2), profile="smoke", **kwargs):
    return build_plan([get_model(m) for m in models], list(datasets), seeds,
                      get_profile(profile), **kwargs)


def test_plan_is_models_x_datasets_x_seeds_with_unique_keys():
    jobs = plan()
    assert len(jobs) == 2 * 2 * 3
    assert len({j.key for j in jobs}) == len(jobs)


def test_keys_are_stable_and_depend_on_identity():
    first, second = plan(), plan()
    assert [j.key for j in first] == [j.key for j in second]
    changed = plan(overrides={"keras-mlp.epochs": "3"})
    assert {j.key for j in changed} != {j.key for j in first}
    mlp_keys = {j.key for j in first if j.model == "keras-mlp"}
    assert not mlp_keys & {j.key for j in changed}
    assert {j.key for j in first if j.model == "random-forest"} <= {j.key for j in changed}


def test_smoke_profile_caps_epochs_but_user_override_wins():
    jobs = plan(models=("keras-mlp",), seeds=(0,))
    assert {j.params["epochs"] for j in jobs} == {1}
    jobs = plan(models=("keras-mlp",), seeds=(0,), overrides={"epochs": "2"})
    assert {j.params["epochs"] for j in jobs} == {2}
    full = plan(models=("keras-mlp",), seeds=(0,), profile="full", learning_curve=False)
    assert {j.params["epochs"] for j in full} == {5}


def test_full_profile_adds_learning_curve_for_fast_models_only():
    jobs = plan(models=("keras-mlp", "small-cnn"), datasets=("mnist",), seeds=(0,),
                profile="full")
    curve = sorted(j.train_size for j in jobs if j.learning_curve)
    assert curve == sorted(LEARNING_CURVE_SIZES)
    assert all(j.model == "keras-mlp" for j in jobs if j.learning_curve)
    assert [j.train_size for j in jobs if not j.learning_curve] == [60_000, 60_000]


def test_train_size_makes_learning_curve_jobs_and_is_validated():
    jobs = plan(models=("random-forest",), seeds=(0,), train_size=500)
    assert all(j.train_size == 500 and j.learning_curve for j in jobs)
    with pytest.raises(UsageError, match="--train-size"):
        plan(train_size=10**6)


def test_bare_override_goes_to_every_model_that_has_it():
    specs = [get_model("keras-mlp"), get_model("small-cnn"), get_model("random-forest")]
    routed = split_overrides({"epochs": "2"}, specs)
    assert routed == {"keras-mlp": {"epochs": "2"}, "small-cnn": {"epochs": "2"},
                      "random-forest": {}}
    with pytest.raises(UsageError, match="no selected model has a parameter 'epoch'"):
        split_overrides({"epoch": "2"}, specs)
    with pytest.raises(UsageError, match="not one of the selected models"):
        split_overrides({"logistic-regression.C": "1"}, specs)


def test_unknown_profile_lists_choices():
    with pytest.raises(UsageError, match="smoke"):
        get_profile("tiny")
    assert set(PROFILES) == {"smoke", "quick", "full"}
