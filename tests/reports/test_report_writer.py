"""The reports write only into a folder they own: the marker, refusals, staging, write failures."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from bench.errors import ReportsError
from bench.reports import writer
from bench.reports.safe import code, md, slug, table_cell


def fake_render(pages=None, figures=("a.png",)):
    """A render that draws tiny 'figures' and returns pages (no matplotlib)."""

    def render(fig_dir: Path) -> dict[str, str]:
        for name in figures:
            (fig_dir / name).write_bytes(b"png " + name.encode())
        return pages if pages is not None else {"README.md": "# r\n", "page.md": "p\n"}

    return render


def publish(folder, **kwargs):
    return writer.publish(folder, fake_render(**kwargs))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file()}


def test_publish_writes_pages_figures_and_the_marker(tmp_path):
    folder = tmp_path / "reports"
    written = publish(folder)
    assert [p.relative_to(folder).as_posix() for p in written] == [
        "README.md", "page.md", "figures/a.png"]
    assert (folder / writer.MARKER).read_text() == writer.MARKER_TEXT
    assert sorted(snapshot(folder)) == [writer.MARKER, "README.md", "figures/a.png", "page.md"]
    first = snapshot(folder)
    publish(folder)
    assert snapshot(folder) == first  # the same render gives the same bytes, marker included


def test_stale_figures_go_and_other_files_stay(tmp_path):
    folder = tmp_path / "reports"
    publish(folder, figures=("a.png", "old.png"))
    (folder / "notes.txt").write_text("the user's")
    publish(folder, figures=("a.png",))
    assert not (folder / "figures" / "old.png").exists()  # ours, no longer made
    assert (folder / "notes.txt").read_text() == "the user's"


def test_a_killed_run_leaves_staging_that_the_next_run_removes(tmp_path):
    folder = tmp_path / "reports"
    publish(folder)
    leftover = folder / f"{writer.STAGING_PREFIX}killed"
    (leftover / "figures").mkdir(parents=True)
    (leftover / "figures" / "half.png").write_bytes(b"half")
    writer.check_can_publish(folder)  # a marked folder with leftovers is still ours
    publish(folder)
    assert not leftover.exists()
    assert sorted(p.name for p in folder.iterdir()) == [writer.MARKER, "README.md", "figures",
                                                        "page.md"]


def test_a_folder_of_other_files_is_refused_untouched(tmp_path):
    paper = tmp_path / "paper"
    (paper / "figures").mkdir(parents=True)
    (paper / "README.md").write_text("# My paper\n")
    (paper / "figures" / "any.png").write_bytes(b"mine")
    with pytest.raises(ReportsError, match="did not make"):
        publish(paper)
    assert (paper / "README.md").read_text() == "# My paper\n"
    assert (paper / "figures" / "any.png").read_bytes() == b"mine"
    assert sorted(p.name for p in paper.iterdir()) == ["README.md", "figures"]


def test_reports_made_before_the_marker_are_still_ours(tmp_path):
    folder = tmp_path / "reports"
    (folder / "figures").mkdir(parents=True)
    (folder / "README.md").write_text("# results\n")
    (folder / ".manifest.json").write_text("{}")
    (folder / "figures" / "gone.png").write_bytes(b"old")
    publish(folder)
    assert not (folder / "figures" / "gone.png").exists()
    assert not (folder / ".manifest.json").exists()  # replaced by the marker
    assert (folder / writer.MARKER).is_file()


@pytest.mark.parametrize("where", ["", "   "])
def test_an_empty_reports_dir_is_refused(where):
    with pytest.raises(ReportsError, match="empty"):
        writer.check_reports_dir(where)


def test_a_project_folder_is_refused(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\n")
    (tmp_path / "README.md").write_text("mine")
    with pytest.raises(ReportsError, match="project folder"):
        publish(tmp_path)
    assert (tmp_path / "README.md").read_text() == "mine"


def test_a_file_as_reports_dir_and_a_linked_figures_folder_are_refused(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ReportsError, match="not a folder"):
        publish(tmp_path / "file")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "figures").symlink_to(elsewhere)
    with pytest.raises(ReportsError, match="not a plain folder"):
        publish(tmp_path / "reports")
    assert list(elsewhere.iterdir()) == []


def test_a_figure_outside_the_figures_folder_is_refused(tmp_path):
    def render(fig_dir):
        (fig_dir.parent / "sub").mkdir()
        (fig_dir.parent / "sub" / "x.png").write_bytes(b"x")
        return {"README.md": "r\n"}

    with pytest.raises(ReportsError, match="refusing to write 'sub/x.png'"):
        writer.publish(tmp_path / "reports", render)
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize("name", ["../x.md", "a/b.md", ".hidden.md", "x.txt"])
def test_a_page_name_that_is_not_plain_is_refused(tmp_path, name):
    with pytest.raises(ReportsError, match="not a plain page name"):
        publish(tmp_path / "reports", pages={name: "x"})
    assert not (tmp_path / name).exists()


def test_disk_full_is_one_clear_error_and_leaves_the_old_reports(tmp_path, monkeypatch):
    folder = tmp_path / "reports"
    publish(folder)
    before = (folder / "README.md").read_bytes()

    def full(path, text):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(writer, "atomic_write_text", full)
    with pytest.raises(ReportsError, match="No space left on device.*disk has space"):
        publish(folder)
    assert (folder / "README.md").read_bytes() == before
    assert not [p for p in folder.iterdir() if p.name.startswith(writer.STAGING_PREFIX)]


# ---------------------------------------------------------------------------- safe names


@pytest.mark.parametrize("name", ["../../../../elsewhere/PWNED", "/etc/passwd", "a/../b", "..",
                                  ".", "", "<script>", "x\ny", "é" * 100])
def test_slug_is_a_plain_file_name(name):
    s = slug(name)
    assert s and "/" not in s and not s.startswith(".") and len(s) <= 70
    assert all(c.isascii() and (c.isalnum() or c in "._-") for c in s)


def test_slug_keeps_plain_names_and_separates_different_ones():
    assert slug("keras-mlp") == "keras-mlp" and slug("fashion-mnist") == "fashion-mnist"
    assert slug("a/b") != slug("a-b") and slug("a b") != slug("a-b")


def test_md_escapes_markup_and_newlines():
    text = md("evil\n# heading <script>alert(1)</script> [link](http://x) | *b* _i_")
    assert "\n" not in text and "<script" not in text.replace("\\<", "")
    assert "\\[link\\]" in text and "\\|" in text and "\\#" in text and "\\*b\\*" in text
    assert md("x86_64") == "x86_64" and md("keras-mlp") == "keras-mlp"


def test_code_span_survives_backticks_and_table_cells_do_not_open_tags():
    assert code("a`b") == "``a`b``" and code("x") == "`x`"
    assert table_cell("a|b <b>") == "a\\|b \\<b>" and table_cell(md("a|b")) == "a\\|b"


def test_run_all_refuses_a_foreign_reports_folder_before_training(tmp_path, monkeypatch):
    from bench import api

    monkeypatch.setattr(api, "execute", lambda *a, **k: pytest.fail("trained first"))
    paper = tmp_path / "paper"
    paper.mkdir()
    (paper / "README.md").write_text("mine")
    with pytest.raises(ReportsError, match="did not make"):
        api.run_all(models=["logistic-regression"], datasets=["mnist"], seeds=[0],
                        profile="smoke", results_dir=tmp_path / "results", reports_dir=paper)
    assert (paper / "README.md").read_text() == "mine"
