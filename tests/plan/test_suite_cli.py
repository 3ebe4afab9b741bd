"""`bench run-all --suite/--grid/--include-heavy` and `bench list --suites` on the command line."""

import re

import pytest

from bench.cli import main
from bench.results import load_records


def test_list_suites(capsys):
    assert main(["list", "--suites"]) == 0
    out = capsys.readouterr().out
    for name in ("default", "xiao2017", "xiao2017-grid"):
        assert f"  {name}  " in out


def test_list_suites_with_names_shows_each_suites_entries(tmp_path, capsys):
    import json

    assert main(["list", "--suites", "xiao2017"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("xiao2017  ") and "seeds: 0" in out
    assert "  sklearn.svm.SVC  [family SVC]\n    params: C=10.0, kernel='rbf'" in out
    assert "[family KNeighborsClassifier, heavy]" in out
    path = tmp_path / "mine.toml"
    path.write_text('[[models]]\nmodel = "random-forest"\ngrid = { max_depth = [5, "none"] }\n')
    assert main(["list", "--suites", str(path), "--format", "json"]) == 0
    [data] = json.loads(capsys.readouterr().out)
    assert data["name"] == "mine" and data["seeds"] is None
    assert data["models"][0]["grid"] == {"max_depth": [5, "none"]}
    assert main(["list", "--suites", "extra-word"]) == 2
    assert "no built-in suite 'extra-word'" in capsys.readouterr().err


def test_a_bad_suite_file_is_one_error_line_with_file_line_and_key(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text('seeds = [0]\n\n[[models]]\nmodel = "random-forest"\n'
                    'params = { n_estimators = "many" }\n')
    assert main(["run-all", "--suite", str(path), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: suite file {path}, line 5, key models[0].params.n_estimators:")
    assert "Traceback" not in err


@pytest.mark.parametrize(("argv", "message"), [
    (["--suite", "nope"], "no built-in suite 'nope'"),
    (["--grid", "n_estimators"], "expected NAME=VALUE"),
    (["--set", "epochs=2", "--grid", "epochs=1", "2"], "both by --set and --grid"),
    (["--include-heavy"], "--include-heavy only applies to a --suite"),
    (["--models", "keras-mlp", "--grid", "epochs=5,10"], "write --grid epochs=5 10."),
    (["--models", "random-forest", "--grid", "rf.max_depth=1", "2"],
     "--grid rf.max_depth: 'rf' is not one of the selected models"),
    (["--models", "random-forest", "--set", "rf.max_depth=1", "--grid", "n_estimators=1", "2"],
     "--set rf.max_depth: 'rf' is not one of the selected models"),
    (["--suite", "default", "--models", "sklearn.svm.SVC"], "not a model of suite 'default'"),
])
def test_usage_errors(argv, message, capsys):
    assert main(["run-all", "--dry-run", *argv]) == 2
    assert message in capsys.readouterr().err


def test_suite_values_are_used_unless_the_command_line_overrides_them(tmp_path, capsys):
    path = tmp_path / "two.toml"
    path.write_text('profile = "smoke"\ndatasets = ["mnist"]\nseeds = [4]\n[[models]]\n'
                    'model = "random-forest"\ngrid = { n_estimators = [3, 7] }\n')
    results = ["--results-dir", str(tmp_path / "r")]
    assert main(["run-all", "--suite", str(path), "--dry-run", *results]) == 0
    out = capsys.readouterr().out
    assert out.count("random-forest on mnist seed 4") == 2 and "2 jobs:" in out
    assert main(["run-all", "--suite", str(path), "--dry-run", "--seeds", "2", "--datasets",
                 "mnist", "fashion-mnist", *results]) == 0
    assert "8 jobs:" in capsys.readouterr().out


def test_dry_run_of_xiao2017_says_which_heavy_entries_are_skipped(capsys, monkeypatch):
    from bench.cli import run

    monkeypatch.setattr(run, "plan_from_args", lambda args: [])
    monkeypatch.setattr(run, "print_preview", lambda preview, parallel: None)
    assert main(["run-all", "--suite", "xiao2017", "--dry-run"]) == 0
    err = capsys.readouterr().err
    assert ("skipping the heavy entries sklearn.ensemble.GradientBoostingClassifier, "
            "sklearn.neighbors.KNeighborsClassifier") in err
    assert main(["run-all", "--suite", "xiao2017", "--dry-run", "--include-heavy"]) == 0
    assert "skipping" not in capsys.readouterr().err


@pytest.mark.realdata
def test_a_suite_runs_through_the_runner_and_resumes(plugin_env, data_dir, tmp_path, capsys):
    plugin_env("faulty_plugins:CENTROIDS")
    path = tmp_path / "tiny.toml"
    path.write_text('profile = "smoke"\ndatasets = ["mnist"]\nseeds = [0]\n[[models]]\n'
                    'model = "test-centroids"\n[[models]]\nmodel = "test-centroids"\n'
                    'params = { behaviour = "raise" }\nheavy = true\n')
    argv = ["--data-dir", data_dir, "run-all", "--suite", str(path), "--results-dir",
            str(tmp_path / "results"), "--no-report", "--jobs", "1", "--quiet"]
    assert main(argv) == 0
    records = load_records(tmp_path / "results")
    assert [(r.model, r.status, r.params) for r in records] == [
        ("test-centroids", "ok", {"behaviour": "ok"})]
    assert "skipping the heavy entries test-centroids" in capsys.readouterr().err
    assert main([*argv, "--include-heavy"]) == 1  # the heavy entry runs (and fails) now
    out = capsys.readouterr().out
    assert "2 jobs: 1 ok, 1 failed (1 run, 1 cached)" in out


def test_the_run_summary_gives_each_grid_configuration_its_own_row(capsys):
    from bench.cli.run import print_summary
    from bench.results.record import RunRecord
    from bench.runner.batch import RunSummary

    def rec(depth, seed, dataset, accuracy):
        return RunRecord.from_fields(key=f"k{depth}{seed}{dataset}", model="random-forest", model_version="1",
                         params={"max_depth": depth, "n_estimators": 10}, dataset=dataset,
                         dataset_sha256={}, seed=seed, profile="smoke", train_size=2000,
                         test_size=1000, status="ok", test_accuracy=accuracy, wall_seconds=1.0)

    records = [rec(5, 0, "mnist", 0.8), rec(5, 1, "mnist", 0.9), rec(None, 0, "mnist", 0.95)]
    print_summary(RunSummary(records, cached=3, executed=0, wall_seconds=0.1, results_dir="r"))
    out = capsys.readouterr().out
    assert re.search(r"^random-forest max_depth=5 +0\.85$", out, re.M)  # mean of 2 seeds
    assert re.search(r"^random-forest max_depth=None +0\.95$", out, re.M)


def test_a_huge_command_line_grid_is_one_error_naming_size_and_cap(capsys):
    values = [str(v) for v in range(1, 31)]
    argv = ["run-all", "--dry-run", "--models", "random-forest"]
    for name in ("n_estimators", "max_depth", "min_samples_leaf", "min_samples_split"):
        argv += ["--grid", f"{name}={values[0]}", *values[1:]]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "--grid asks for up to 4,860,000 jobs" in err and "cap of 10,000 jobs" in err
    assert "Traceback" not in err
