import dataclasses
import math

import pytest

from bench.errors import UsageError
from bench.plan.jobs import plan_jobs, split_overrides
from bench.plan.profiles import (
    CURVE_MIN_STEPS,
    LEARNING_CURVE_SIZES,
    PROFILES,
    curve_effort,
    get_profile,
)
from bench.plugins.registry import get_model


def plan(models=("keras-mlp", "random-forest"), datasets=("mnist", "fashion-mnist"),
         seeds=(0, 1, 2), profile="smoke", **kwargs):
    return plan_jobs(list(models), list(datasets), seeds, profile, **kwargs)


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
    full = plan(models=("keras-mlp",), seeds=(0,), profile="full", one_off=True)
    assert {j.params["epochs"] for j in full} == {5}


def test_full_profile_adds_learning_curve_and_epoch_sweeps():
    jobs = plan(models=("keras-mlp", "small-cnn", "random-forest"), datasets=("mnist",),
                seeds=(0, 1), profile="full")
    headline = [j for j in jobs if j.role == "headline"]
    assert [(j.model, j.train_size) for j in headline] == [
        ("keras-mlp", 60_000), ("keras-mlp", 60_000), ("small-cnn", 60_000),
        ("small-cnn", 60_000), ("random-forest", 60_000), ("random-forest", 60_000)]
    for model in ("keras-mlp", "small-cnn", "random-forest"):
        sizes = sorted({j.train_size for j in jobs if j.role == "curve" and j.model == model
                        and j.train_size < 60_000})
        assert sizes == sorted(LEARNING_CURVE_SIZES), model
    sweeps = [j for j in jobs if j.role == "sweep"]
    assert {(j.model, j.params["epochs"], j.seed) for j in sweeps} == {
        ("keras-mlp", 40, 0), ("keras-mlp", 40, 1)}
    assert len({j.key for j in jobs}) == len(jobs)


def test_headline_keys_do_not_change_with_the_sweeps():
    with_sweeps = plan(models=("keras-mlp",), seeds=(0,), profile="full")
    without = plan(models=("keras-mlp",), seeds=(0,), profile="full", one_off=True)
    assert [j.key for j in without] == [j.key for j in with_sweeps if j.role == "headline"]


def test_learning_curve_points_get_equal_training_effort():
    jobs = plan(models=("keras-mlp", "small-cnn"), datasets=("mnist",), seeds=(0,),
                profile="full")
    for j in jobs:
        if j.role != "curve":
            continue
        steps = j.params["epochs"] * math.ceil(j.train_size / j.params["batch_size"])
        assert steps >= CURVE_MIN_STEPS, (j.model, j.train_size, steps)
        default = get_model(j.model).defaults
        assert j.params["epochs"] >= default["epochs"]
        assert j.params["batch_size"] <= default["batch_size"]
    # a user's epochs override turns the rule off
    jobs = plan(models=("keras-mlp",), datasets=("mnist",), seeds=(0,), profile="full",
                overrides={"epochs": "3"})
    assert {j.params["epochs"] for j in jobs} == {3}


@pytest.mark.parametrize("size,epochs,batch,expected", [
    (500, 5, 128, (16, 16)),       # 500 // 32 = 15 -> 16 a batch, 32 steps an epoch, 512 steps
    (1_000, 10, 128, (16, 31)),    # 33 steps an epoch, 528 steps
    (10_000, 5, 128, (7, 128)),    # 79 steps an epoch
    (60_000, 5, 128, (5, 128)),    # never fewer than the default
    (500, 5, None, (5, None)),     # no batch parameter: steps unknown, default epochs
])
def test_curve_effort_rule(size, epochs, batch, expected):
    assert curve_effort(size, epochs, batch) == expected
    e, b = expected
    if b is not None:
        assert e * math.ceil(size / b) >= CURVE_MIN_STEPS


def test_train_size_makes_curve_points_and_is_validated():
    jobs = plan(models=("random-forest",), seeds=(0,), profile="full", train_size=500)
    assert len(jobs) == 2 and all(j.train_size == 500 and j.role == "curve" for j in jobs)
    with pytest.raises(UsageError, match="--train-size"):
        plan(train_size=10**6)


def test_every_job_gets_its_role_and_the_role_is_not_in_the_key():
    full = plan(models=("keras-mlp",), datasets=("mnist",), seeds=(0,), profile="full")
    assert sorted(j.role for j in full) == ["curve"] * len(LEARNING_CURVE_SIZES) + [
        "headline", "sweep"]
    (one,) = plan(models=("keras-mlp",), datasets=("mnist",), seeds=(0,), profile="full",
                  one_off=True)  # `bench run`: the same job as the plan's headline one
    assert one == next(j for j in full if j.role == "headline")
    (point,) = plan(models=("random-forest",), datasets=("mnist",), seeds=(0,), profile="full",
                    train_size=500)  # `--train-size`: the same job as the curve point
    curve = plan(models=("random-forest",), datasets=("mnist",), seeds=(0,), profile="full")
    assert point == next(j for j in curve if j.train_size == 500)
    assert dataclasses.replace(point, role="headline").key == point.key  # not in the identity


def test_other_profiles_run_the_configurations_without_curve_or_sweeps():
    for profile in ("smoke", "quick"):
        jobs = plan(models=("keras-mlp", "random-forest"), profile=profile)
        assert len(jobs) == 2 * 2 * 3 and {j.role for j in jobs} == {"headline"}
    assert len(plan_jobs(profile="smoke")) == 4 * 2 * 3  # the built-ins, no zoo


@pytest.mark.parametrize("seed", [-1, 2**32, True, 1.5])
def test_one_seed_rule(seed):
    with pytest.raises(UsageError, match="seed must be a whole number from 0 to 4294967295"):
        plan(seeds=(seed,))
    assert {j.seed for j in plan(models=("random-forest",), seeds=(2**32 - 1,))} == {2**32 - 1}


def test_bare_override_goes_to_every_model_that_has_it():
    specs = [get_model("keras-mlp"), get_model("small-cnn"), get_model("random-forest")]
    routed = split_overrides({"epochs": "2"}, specs)
    assert routed == {"keras-mlp": {"epochs": "2"}, "small-cnn": {"epochs": "2"},
                      "random-forest": {}}
    with pytest.raises(UsageError, match="no selected model has a parameter 'epoch'"):
        split_overrides({"epoch": "2"}, specs)
    with pytest.raises(UsageError, match="not one of the selected models"):
        split_overrides({"logistic-regression.C": "1"}, specs)


def test_an_unknown_parameter_suggests_the_closest_one_pass_through_included():
    specs = [get_model("random-forest")]
    with pytest.raises(UsageError) as info:
        split_overrides({"criterio": "entropy"}, specs)  # a pass-through parameter, misspelt
    message = str(info.value)
    assert message.startswith("--set criterio: no selected model has a parameter 'criterio'. "
                              "Did you mean 'criterion'?")
    assert "`bench list random-forest`" in message
    with pytest.raises(UsageError, match="^--grid epoch: .* Did you mean 'epochs'"):
        split_overrides({"epoch": "2"}, [get_model("keras-mlp")], option="--grid")


def test_unknown_profile_lists_choices():
    with pytest.raises(UsageError, match="smoke"):
        get_profile("tiny")
    assert set(PROFILES) == {"smoke", "quick", "full"}
