"""``python -m bench report``: options, the empty-store error, a successful run."""

from __future__ import annotations

import argparse

import pytest

from bench.cli import report as report_cli


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="bench")
    report_cli.add_parser(top.add_subparsers(dest="command", required=True))
    return top


def test_defaults_and_help(capsys):
    args = parser().parse_args(["report"])
    assert (args.results_dir, args.reports_dir) == ("results", "reports")
    assert not hasattr(args, "data_dir")  # unset: the settings' data folder applies
    assert parser().parse_args(["report", "--data-dir", "d"]).data_dir == "d"
    assert args.func is report_cli.run_report
    with pytest.raises(SystemExit) as exc:
        parser().parse_args(["report", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "--results-dir" in out and "--reports-dir" in out and "byte-identical" in out


def test_empty_store_is_a_clear_error(tmp_path, capsys):
    from bench.cli import main

    code = main(["report", "--results-dir", str(tmp_path / "none"),
                 "--reports-dir", str(tmp_path / "reports")])
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("error: no results in ") and "python -m bench run-all" in err


def test_report_command_writes_reports(report_run, tmp_path, capsys, loader):
    results, _, _ = report_run
    args = parser().parse_args(["report", "--results-dir", str(results),
                                "--reports-dir", str(tmp_path / "out")])
    assert args.func(args) == 0
    assert "wrote 4 reports" in capsys.readouterr().out
    assert (tmp_path / "out" / "README.md").is_file()
    assert not hasattr(args, "force")  # nothing is skipped: every run redraws


@pytest.mark.parametrize("where", ["store", "runs"])
def test_a_results_dir_that_is_a_file_is_a_clear_error(tmp_path, capsys, where):
    from bench.cli import main

    store = tmp_path / "store"
    if where == "store":
        store.write_text("not a folder\n")
    else:
        store.mkdir()
        (store / "runs").write_text("not a folder\n")
    code = main(["report", "--results-dir", str(store), "--reports-dir", str(tmp_path / "rep")])
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: cannot read results from {store}: ") and "is not a folder" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "rep").exists()
