"""From suites to runner jobs: values checked per key, command-line overrides on top, heavy
entries opt-in, and the same jobs as the plain plan where both apply."""

import textwrap

import pytest

import bench.plan.jobs
from bench.data.corruptions import parse_corruptions
from bench.errors import SuiteError, UsageError
from bench.plan import find_suite, parse_suite, plan_jobs
from bench.plan.jobs import build_plan
from bench.plan.profiles import get_profile
from bench.plan.suite import restrict
from bench.plugins.params import Param
from bench.plugins.registry import ModelSpec, get_model

SUITE = """\
profile = "smoke"
datasets = ["mnist"]
seeds = [0, 3]

[[models]]
model = "random-forest"
params = { n_estimators = 10 }
grid = { max_depth = [5, "none"] }

[[models]]
model = "keras-mlp"
params = { epochs = 2, hidden_units = [32, 16] }
"""


def suite_of(text=SUITE):
    return parse_suite(textwrap.dedent(text), "test.toml", "test")


def plan_suite(suite, profile=None, datasets=None, seeds=None, overrides=None, models=None,
               **kwargs):
    return plan_jobs(models, datasets, seeds, profile, overrides, suite=suite, **kwargs)


def test_jobs_are_each_variant_planned_like_build_plan():
    jobs = plan_suite(suite_of())
    profile = get_profile("smoke")
    expected = []
    for model, params in [("random-forest", {"n_estimators": 10, "max_depth": 5}),
                          ("random-forest", {"n_estimators": 10, "max_depth": None}),
                          ("keras-mlp", {"epochs": 2, "hidden_units": (32, 16)})]:
        expected += build_plan([get_model(model)], ["mnist"], [0, 3], profile, params)
    assert [j.key for j in jobs] == [j.key for j in expected]
    assert len({j.key for j in jobs}) == 6
    assert {j.params["max_depth"] for j in jobs if j.model == "random-forest"} == {5, None}
    assert {j.params["hidden_units"] for j in jobs if j.model == "keras-mlp"} == {(32, 16)}


def test_arguments_replace_the_suites_profile_datasets_and_seeds():
    jobs = plan_suite(suite_of(), profile="quick", datasets=["fashion-mnist"], seeds=[7])
    assert {(j.profile, j.dataset, j.seed) for j in jobs} == {("quick", "fashion-mnist", 7)}
    assert {j.train_size for j in jobs} == {get_profile("quick").train_size}


def test_command_line_set_and_grid_apply_on_top_of_the_suite():
    jobs = plan_suite(suite_of(), seeds=[0], overrides={"epochs": "3"},
                      grid={"random-forest.min_samples_leaf": ["1", "4"]})
    mlp = [j for j in jobs if j.model == "keras-mlp"]
    assert [j.params["epochs"] for j in mlp] == [3]  # the command line wins; no grid on it
    forest = {(j.params["max_depth"], j.params["min_samples_leaf"]) for j in jobs
              if j.model == "random-forest"}
    assert forest == {(5, 1), (5, 4), (None, 1), (None, 4)}
    with pytest.raises(UsageError, match="no selected model has a parameter 'C'"):
        plan_suite(suite_of(), grid={"C": ["1", "2"]})


def test_unknown_model_names_file_line_and_key():
    text = SUITE + '\n[[models]]\nmodel = "random-forrest"\n'
    with pytest.raises(SuiteError) as info:
        plan_suite(suite_of(text))
    message = str(info.value)
    assert "suite file test.toml, line 15, key models[2].model:" in message
    assert "Did you mean 'random-forest'" in message


@pytest.mark.parametrize(("old", "new", "where"), [
    ('max_depth = [5, "none"]', 'max_depth = [5, "deep"]', "line 8, key models[0].grid.max_depth"),
    ("n_estimators = 10", "n_estimators = 10, bogus = 1", "line 7, key models[0].params.bogus"),
    ("epochs = 2", 'epochs = "two"', "line 12, key models[1].params.epochs"),
])
def test_bad_parameter_values_name_line_and_key(old, new, where):
    with pytest.raises(SuiteError, match=f"suite file test.toml, {where}".replace("[", r"\[")
                       .replace("]", r"\]")):
        plan_suite(suite_of(SUITE.replace(old, new)))


def test_heavy_entries_run_only_when_asked():
    text = SUITE.replace('model = "keras-mlp"', 'model = "keras-mlp"\nheavy = true')
    assert {j.model for j in plan_suite(suite_of(text))} == {"random-forest"}
    assert {j.model for j in plan_suite(suite_of(text), include_heavy=True)} == {
        "random-forest", "keras-mlp"}
    only_heavy = '[[models]]\nmodel = "keras-mlp"\nheavy = true\n'
    with pytest.raises(SuiteError, match="--include-heavy"):
        plan_suite(suite_of(only_heavy))


def test_models_without_a_suite_run_under_the_default_suites_settings():
    models = ["keras-mlp", "logistic-regression"]
    plain = plan_jobs(models, None, [0, 1], "full", {"epochs": "2"})
    via_suite = plan_suite("default", "full", None, [0, 1], {"epochs": "2"}, models=models)
    assert [j.key for j in via_suite] == [j.key for j in plain]
    assert any(j.role == "curve" for j in plain)
    assert not any(j.role == "sweep" for j in plain)  # --set epochs replaces the sweep's


def test_a_repeated_configuration_is_planned_once():
    twice = SUITE + '\n[[models]]\nmodel = "keras-mlp"\nparams = { hidden_units = [32, 16], epochs = 2 }\n'
    assert [j.key for j in plan_suite(suite_of(twice))] == [j.key for j in plan_suite(suite_of())]


def test_restrict_keeps_only_named_models_and_rejects_others():
    suite = restrict(suite_of(), ["keras-mlp"])
    assert [e.model for e in suite.entries] == ["keras-mlp"]
    assert suite.entries[0].index == 1  # errors still point at the right entry
    with pytest.raises(SuiteError, match="not a model of suite 'test'"):
        restrict(suite_of(), ["small-cnn"])


def fake_import_path_models(name):
    """Stands in for the import-path resolver: ``sklearn.svm.SVC`` with two parameters."""
    if name != "sklearn.svm.SVC":
        return get_model(name)
    return ModelSpec(name="sklearn.svm.SVC", description="SVC", family="svm",
                     params=(Param("C", 1.0, float), Param("kernel", "rbf", str)),
                     input_kind="flat", version="1.9.1", build=lambda params, seed: None)


def test_import_path_entries_go_through_get_model(monkeypatch):
    monkeypatch.setattr(bench.plan.jobs, "get_model", fake_import_path_models)
    text = ('datasets = ["mnist"]\nseeds = [0]\nprofile = "smoke"\n[[models]]\n'
            'model = "sklearn.svm.SVC"\ngrid = { C = [1, 10], kernel = ["rbf"] }\n')
    jobs = plan_suite(suite_of(text), overrides={"sklearn.svm.SVC.kernel": "poly"})
    assert [(j.model, j.params) for j in jobs] == [
        ("sklearn.svm.SVC", {"C": 1.0, "kernel": "poly"}),
        ("sklearn.svm.SVC", {"C": 10.0, "kernel": "poly"})]
    with pytest.raises(SuiteError, match=r"line 6, key models\[0\]\.grid\.C"):
        plan_suite(suite_of(text.replace("C = [1, 10]", 'C = [1, "big"]')))


def test_xiao2017_plans_every_family_on_both_datasets():
    jobs = plan_suite(find_suite("xiao2017"), profile="smoke")
    # 12 families + GaussianNB, heavy ones by stand-ins: 9 with seeds 0-2, 4 deterministic ones
    assert len(jobs) == (9 * 3 + 4) * 2
    assert {j.dataset for j in jobs} == {"mnist", "fashion-mnist"}
    heavy = plan_suite(find_suite("xiao2017"), profile="smoke", include_heavy=True)
    assert len(heavy) == len(jobs) + (3 + 1) * 2  # GradientBoosting x 3 seeds, k-NN p=1 x 1
    grid = plan_suite(find_suite("xiao2017-grid"), profile="smoke", seeds=[0])
    assert len(grid) == 129 * 2


def test_a_plain_run_all_is_the_reference_suite_default_plus_the_zoo_with_its_own_seeds():
    assert find_suite("reference").include == ("default", "xiao2017")
    shifted = parse_corruptions("default")
    assert find_suite("reference").corruptions == shifted
    builtin = {job.key for job in plan_jobs(suite="default", corruptions=shifted)}
    zoo = {job.key: job for job in plan_jobs(suite="xiao2017", corruptions=shifted)}
    plain = plan_jobs()
    everything = {job.key for job in plain}
    assert all(job.corruptions == shifted for job in plain if job.role == "headline")
    assert everything == builtin | set(zoo) == {job.key for job in plan_suite("reference")}
    assert everything == {job.key for job in plan_jobs(seeds=[0, 1, 2], profile="full")}
    assert builtin.isdisjoint(zoo)
    assert {job.seed for job in zoo.values()} == {0, 1, 2}
    assert {job.seed for job in zoo.values() if job.model == "sklearn.svm.SVC"} == {0}
    heavy = set(find_suite("xiao2017").heavy_models)
    assert heavy and not any(job.model in heavy and job.params.get("p") == 1
                             for job in zoo.values())


def test_the_zoo_follows_the_dataset_choice_and_is_left_out_of_narrowed_runs():
    mnist = plan_jobs(datasets=["mnist"])
    assert {job.dataset for job in mnist} == {"mnist"}
    assert any("." in job.model for job in mnist)
    for narrowed in (plan_jobs(models=["keras-mlp"]), plan_jobs(train_size=1000),
                     plan_jobs(overrides={"epochs": "2"}), plan_jobs(profile="smoke"),
                     plan_jobs(grid={"epochs": ["1", "2"]})):
        assert narrowed and not any("." in job.model for job in narrowed)
    with pytest.raises(UsageError, match="suite 'reference' has no jobs"):
        plan_suite("reference", train_size=1000)


def test_a_huge_grid_is_refused_before_it_is_expanded(monkeypatch):
    import bench.plan.jobs as jobs_module
    import bench.plan.suite as suite_module

    def no_expansion(grid):
        raise AssertionError("the grid was expanded")

    monkeypatch.setattr(jobs_module, "grid_points", no_expansion)
    monkeypatch.setattr(suite_module, "grid_points", no_expansion)
    values = [str(v) for v in range(1, 101)]
    grid = {"n_estimators": values, "max_depth": values, "min_samples_leaf": values}
    with pytest.raises(UsageError, match=r"asks for up to 2,000,000 jobs .* cap of 10,000 jobs"):
        plan_jobs(["random-forest"], ["mnist"], [0, 1], grid=grid)
    big = "\n".join(["seeds = [0]", "[[models]]", 'model = "random-forest"',
                     f"grid = {{ n_estimators = [{', '.join(values)}], "
                     f"max_depth = [{', '.join(values)}] }}"])
    with pytest.raises(UsageError, match=r"suite 'test' asks for up to 20,000 jobs"):
        plan_suite(suite_of(big))


def test_a_plan_exactly_at_the_cap_is_allowed(monkeypatch):
    import bench.plan.grid

    monkeypatch.setattr(bench.plan.grid, "MAX_PLAN_JOBS", 6)
    assert len(plan_suite(suite_of())) == 6   # 3 configurations x 1 dataset x 2 seeds
    with pytest.raises(UsageError, match="asks for up to 12 jobs"):
        plan_suite(suite_of(), grid={"random-forest.min_samples_leaf": ["1", "2"]})
