import io

import pytest

from bench.cli import main
from bench.plan.jobs import Job
from bench.results.record import RunRecord
from bench.runner.progress import Progress


def job(seed=0):
    return Job("m", "1", {}, "mnist", {}, seed, "smoke", 2000, 1000)


def record(status="ok", error=None):
    return RunRecord.from_fields(key=job().key, model="m", model_version="1", params={}, dataset="mnist",
                     dataset_sha256={}, seed=0, profile="smoke", train_size=2000,
                     test_size=1000, status=status, train_accuracy=0.9, test_accuracy=0.85,
                     wall_seconds=1.5, error=error)


def test_plain_lines_when_not_a_terminal():
    stream = io.StringIO()
    progress = Progress(2, stream=stream)
    progress.on_start(job())
    progress.on_epoch(job(), 1, 5, {"accuracy": 0.5})
    progress.on_finish(record())
    progress.on_finish(record("failed", "ValueError: boom\nmore"))
    progress.close()
    lines = stream.getvalue().splitlines()
    assert lines == ["[1/2] m on mnist seed 0: train 0.9000 test 0.8500 (1.5 s)",
                     "[2/2] m on mnist seed 0: FAILED: ValueError: boom"]


def test_quiet_prints_nothing():
    stream = io.StringIO()
    progress = Progress(1, quiet=True, stream=stream)
    progress.on_finish(record())
    assert stream.getvalue() == ""


def test_live_bar_on_a_terminal_shows_the_epoch():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    progress = Progress(1, stream=stream)
    progress.on_start(job())
    progress.on_epoch(job(), 3, 5, {"accuracy": 0.75})
    assert "epoch 3/5 acc 0.750" in stream.getvalue()
    progress.on_finish(record())
    progress.close()
    assert "1/1" in stream.getvalue()


def test_events_arriving_after_the_finish_are_ignored():
    """Dask relays start/epoch events separately from results: a late one changes nothing."""

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    progress = Progress(2, stream=stream)
    progress.on_finish(record())
    progress.on_start(job())
    progress.on_epoch(job(), 1, 5, {"accuracy": 0.5})
    assert "epoch 1/5" not in stream.getvalue()
    progress.on_start(job(seed=1))
    progress.on_epoch(job(seed=1), 2, 5, {"accuracy": 0.5})
    assert "m on mnist seed 1 epoch 2/5" in stream.getvalue()
    progress.close()


@pytest.mark.parametrize(("args", "message"), [
    (["run-all", "--jobs", "0"], "--jobs must be at least 1"),
    (["run-all", "--backend", "dask"], "needs --scheduler"),
    (["run-all", "--scheduler", "tcp://127.0.0.1:8786"], "only used with --backend dask"),
    (["run-all", "--scheduler", "tcp://127.0.0.1:8786", "--dry-run"],
     "only used with --backend dask"),
    (["run-all", "--timeout", "-3"], "--timeout must be a positive"),
    (["run-all", "--seeds", "0"], "--seeds must be at least 1"),
    (["run-all", "--set", "nothing=1"], "no selected model has a parameter 'nothing'"),
    (["run", "--model", "keras-mlp", "--dataset", "mnist", "--set", "epochs=many"],
     "bad value 'many' for parameter 'epochs'"),
])
def test_bad_options_exit_2_with_a_message(args, message, capsys, tmp_path):
    assert main([*args, "--results-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("args", [["run-all", "--datasets", "cifar"], ["frobnicate"],
                                  ["run-all", "--profile", "huge"]])
def test_unknown_choices_exit_2_listing_valid_ones(args, capsys):
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2
    assert "choose from" in capsys.readouterr().err


@pytest.mark.parametrize("command", [
    ["run-all", "--profile", "smoke", "--models", "logistic-regression", "--seed", "0",
     "--no-report"],
    ["run", "--profile", "smoke", "--model", "logistic-regression", "--dataset", "mnist"],
])
def test_a_data_folder_that_does_not_exist_is_one_error_before_any_job(command, capsys,
                                                                       tmp_path):
    """Not one failed record per job (every job of a long plan would fail the same way)."""
    results = tmp_path / "results"
    assert main(["--data-dir", str(tmp_path / "typo"), *command,
                 "--results-dir", str(results)]) == 1
    err = capsys.readouterr().err
    assert err.count("error: data folder") == 1 and "does not exist" in err
    assert "Nothing was done" in err and "Traceback" not in err
    assert not (results / "runs").exists()


def test_a_dry_run_with_a_missing_data_folder_still_lists_the_jobs(capsys, tmp_path):
    argv = ["--data-dir", str(tmp_path / "typo"), "run-all", "--dry-run", "--profile", "smoke",
            "--models", "logistic-regression", "--seed", "0", "--results-dir", str(tmp_path)]
    assert main(argv) == 0
    assert "2 jobs: 0 cached, 2 to run." in capsys.readouterr().out
