"""What `bench report` may delete (issue 24): only what it made. A tampered or stale manifest
listing a user's file, a user's file among the figures, a bad --reports-dir name."""

from __future__ import annotations

import json

import pytest
from test_report_writer import publish, snapshot

from bench.errors import ReportsError
from bench.reports import writer


def test_a_tampered_old_manifest_listing_a_users_file_deletes_nothing_of_theirs(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "notes.md").write_text("the user's")
    (folder / "README.md").write_text("# old report\n")
    (folder / writer.OLD_MANIFEST).write_text(json.dumps(
        {"files": {"notes.md": "0" * 64, "../outside.txt": "0" * 64}}))
    (tmp_path / "outside.txt").write_text("the user's too")
    publish(folder, pages={"README.md": "# r\n"})
    assert (folder / "notes.md").read_text() == "the user's"
    assert (tmp_path / "outside.txt").read_text() == "the user's too"


def test_a_users_file_among_the_figures_is_refused_not_deleted(tmp_path):
    folder = tmp_path / "reports"
    publish(folder)
    (folder / "figures" / "notes.txt").write_text("the user's")
    before = snapshot(folder)
    with pytest.raises(ReportsError, match=r"figures/notes.txt.*never overwrite or delete"):
        publish(folder)
    assert snapshot(folder) == before


@pytest.mark.parametrize("name, problem", [("reports\n", "control characters"),
                                           ("r\x1b[2J", "control characters"),
                                           ("r" * 1001, "longer than 1000")])
def test_a_reports_dir_name_with_control_characters_or_too_long_is_refused(tmp_path, name,
                                                                          problem):
    with pytest.raises(ReportsError, match=problem):
        writer.check_reports_dir(tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_the_analysis_cache_is_never_written_through_a_linked_folder(tmp_path):
    from bench.files import atomic_write_text
    from bench.reports.analysis import ANALYSIS_FOLDER

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / ANALYSIS_FOLDER).symlink_to(elsewhere)
    with pytest.raises(OSError, match="own folder is a link"):
        atomic_write_text(tmp_path / ANALYSIS_FOLDER / "mnist-x.json", "{}", own_folder=True)
    assert list(elsewhere.iterdir()) == []


def test_report_refuses_an_empty_results_dir_name(tmp_path, monkeypatch, capsys):
    from bench.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["report", "--results-dir", "", "--reports-dir", "out"]) == 1
    assert "bad --results-dir '': it is empty" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
