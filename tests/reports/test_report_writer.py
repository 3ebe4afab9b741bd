"""The reports own only what they wrote: manifest, refusals, write failures, the fast path."""

from __future__ import annotations

import errno
import json
import os
import sys
from pathlib import Path

import pytest

from bench.errors import ReportsError
from bench.reports import writer
from bench.reports.safe import code, md, slug, table_cell


def fake_render(pages=None, figures=("a.png",), complete=True):
    """A render that draws tiny 'figures' and returns pages (no matplotlib)."""

    def render(fig_dir: Path) -> writer.Rendered:
        fig_dir.mkdir(parents=True, exist_ok=True)
        for name in figures:
            (fig_dir / name).write_bytes(b"png " + name.encode())
        text = {"README.md": f"# r\n\n{writer.SIGNATURE} x\n", "page.md": "p\n"}
        return writer.Rendered(pages if pages is not None else text, complete)

    return render


def publish(folder, **kwargs):
    return writer.publish(folder, fake_render(**kwargs), lambda: "digest")


def test_publish_writes_pages_figures_and_a_manifest(tmp_path):
    folder = tmp_path / "reports"
    written = publish(folder)
    assert [p.relative_to(folder).as_posix() for p in written] == [
        "README.md", "page.md", "figures/a.png"]
    manifest = json.loads((folder / writer.MANIFEST).read_text())
    assert set(manifest["files"]) == {"README.md", "page.md", "figures/a.png"}
    assert manifest["inputs_digest"] == "digest"
    assert not [p for p in folder.iterdir() if p.name.startswith(writer.STAGING_PREFIX)]


def test_only_listed_files_are_deleted(tmp_path):
    folder = tmp_path / "reports"
    publish(folder, figures=("a.png", "old.png"))
    (folder / "figures" / "mine.png").write_bytes(b"the user's")
    (folder / "notes.txt").write_text("the user's")
    publish(folder, figures=("a.png",))
    assert not (folder / "figures" / "old.png").exists()  # ours, no longer made
    assert (folder / "figures" / "mine.png").read_bytes() == b"the user's"
    assert (folder / "notes.txt").exists()


def test_a_file_we_did_not_make_is_never_overwritten(tmp_path):
    folder = tmp_path / "reports"
    publish(folder, figures=("a.png",))
    (folder / "figures" / "b.png").write_bytes(b"the user's")
    with pytest.raises(ReportsError, match="b.png exists and was not made by"):
        publish(folder, figures=("a.png", "b.png"))
    assert (folder / "figures" / "b.png").read_bytes() == b"the user's"
    assert (folder / "figures" / "a.png").read_bytes() == b"png a.png"


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


def test_reports_made_before_manifests_are_still_ours(tmp_path):
    folder = tmp_path / "reports"
    (folder / "figures").mkdir(parents=True)
    (folder / "README.md").write_text(f"# results\n\n{writer.SIGNATURE} from the store\n")
    (folder / "figures" / "gone.png").write_bytes(b"old")
    publish(folder)
    assert not (folder / "figures" / "gone.png").exists()


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
        return writer.Rendered({"README.md": "r\n"}, True)

    with pytest.raises(ReportsError, match="refusing to write 'sub/x.png'"):
        writer.publish(tmp_path / "reports", render, lambda: "d")
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


def test_up_to_date_needs_the_same_digest_and_intact_files(tmp_path):
    folder = tmp_path / "reports"
    publish(folder)
    assert writer.up_to_date(folder, "digest") is not None
    assert writer.up_to_date(folder, "other") is None
    (folder / "figures" / "a.png").write_bytes(b"edited")
    assert writer.up_to_date(folder, "digest") is None


def test_an_incomplete_render_is_never_reused(tmp_path):
    folder = tmp_path / "reports"
    publish(folder, complete=False)
    assert writer.up_to_date(folder, "digest") is None


def test_inputs_digest_follows_content(tmp_path):
    runs = tmp_path / "runs"
    runs.mkdir()
    (runs / "a.json").write_text("{}")
    first = writer.inputs_digest(tmp_path, None, writer.results_inputs(tmp_path))
    assert first == writer.inputs_digest(tmp_path, None, writer.results_inputs(tmp_path))
    assert first != writer.inputs_digest(tmp_path, "smoke", writer.results_inputs(tmp_path))
    (runs / "a.json").write_text("{ }")
    assert first != writer.inputs_digest(tmp_path, None, writer.results_inputs(tmp_path))


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


def test_fast_path_imports_no_plotting(tmp_path):
    import subprocess

    script = (
        "import sys\n"
        "from bench.reports import writer\n"
        f"print(writer.up_to_date(writer.check_reports_dir({str(tmp_path)!r}), 'x'))\n"
        "print('matplotlib' in sys.modules, 'pandas' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["None", "False", "False"]


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
