"""Where the reports go: a folder marked as theirs by :data:`MARKER` (a folder with files and no
marker is refused), rendered into a staging folder, then pages moved and ``figures`` swapped."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from bench.errors import ReportsError
from bench.files import atomic_write_text, path_problem

MARKER = ".bench-reports"
MARKER_TEXT = ("This folder holds reports made by `python -m bench report`: its pages and "
               "figures/ are regenerated from the results.\n")
FIGURES_FOLDER = "figures"
SUITES_FOLDER = "suites"  # suites/<name>/: an experiment's reports folder, marked, left alone
STAGING_PREFIX = ".staging-"
OLD_MANIFEST = ".manifest.json"  # the marker of reports made before the marker file
PROJECT_MARKERS = (".git", "pyproject.toml", "setup.py", "setup.cfg")


def check_reports_dir(reports_dir: str | os.PathLike) -> Path:
    """The reports folder as a path, refusing ones the reports must never fill."""
    problem = path_problem(str(reports_dir))
    if problem:
        raise ReportsError(f"bad --reports-dir {str(reports_dir)!r}: {problem}; give a folder "
                           "for the reports (default: reports).")
    path = Path(reports_dir)
    resolved = path.resolve()
    if resolved == Path(resolved.anchor) or resolved == Path.home().resolve():
        raise ReportsError(f"refusing to write reports into {resolved}: choose a folder of "
                           "their own with --reports-dir (default: reports).")
    if any((resolved / marker).exists() for marker in PROJECT_MARKERS):
        raise ReportsError(f"refusing to write reports into {path}: it is a project folder "
                           "(it holds .git or pyproject.toml). Choose a folder of their own "
                           "with --reports-dir (default: reports).")
    if os.path.lexists(path) and not path.is_dir():
        raise ReportsError(f"--reports-dir {path} exists and is not a folder.")
    figures = path / FIGURES_FOLDER
    if figures.is_symlink() or (os.path.lexists(figures) and not figures.is_dir()):
        raise ReportsError(f"{figures} is not a plain folder (a link or a file); the reports "
                           "write only inside --reports-dir. Remove it or choose another "
                           "folder.")
    return path


def is_report_file(rel: str) -> bool:
    """A path the reports can make: ``<page>.md``, ``index.html`` and its script ``<name>.js``,
    or ``figures/<file>.png``; no traversal."""
    parts = rel.split("/")
    if any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        return False
    return (len(parts) == 1 and rel.endswith((".md", ".html", ".js"))) or (
        len(parts) == 2 and parts[0] == FIGURES_FOLDER and rel.endswith(".png"))


def _entries(folder: Path) -> list[str]:
    """Every file (or link) under ``folder``, relative, POSIX style."""
    out = []
    for root, dirs, files in os.walk(folder):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            out.append(Path(root, name).relative_to(folder).as_posix())
    return sorted(out)


def check_owned(reports_dir: Path) -> None:
    """Refuse a folder that holds files and is not the reports' own, or whose ``figures/``
    (swapped whole) holds files the reports do not make (``ReportsError``)."""
    marks = (reports_dir / MARKER, reports_dir / OLD_MANIFEST)
    owned = any(m.is_file() and not m.is_symlink() for m in marks)
    experiments = tuple(f"{SUITES_FOLDER}/{m.parent.name}/"  # their own publish checks them
                        for m in (reports_dir / SUITES_FOLDER).glob(f"*/{MARKER}") if m.is_file())
    entries = [e for e in (_entries(reports_dir) if reports_dir.is_dir() else [])
               if not e.startswith(experiments)]
    others = [e for e in entries if not is_report_file(e)
              and (not owned or e.startswith(FIGURES_FOLDER + "/"))]
    if not entries or (owned and not others):
        return
    others = others or entries
    listed = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
    raise ReportsError(f"--reports-dir {reports_dir} holds files that `bench report` did not "
                       f"make ({listed}); the reports never overwrite or delete files they do "
                       "not own. Move them away or choose a new or empty folder with "
                       "--reports-dir.")


def check_can_publish(reports_dir: str | os.PathLike) -> None:
    """Refuse, before any work, a reports folder that ``publish`` would refuse."""
    check_owned(check_reports_dir(reports_dir))


def publish(reports_dir: str | os.PathLike,
            render: Callable[[Path], Mapping[str, str]]) -> list[Path]:
    """``render(fig_dir)`` (figures into ``fig_dir``, ``{page name: text}`` back) into a staging
    folder, swapped into ``reports_dir``; the pages and figures written. A write failure is one
    ``ReportsError`` and leaves the previous reports as they were."""
    reports_dir = check_reports_dir(reports_dir)
    check_owned(reports_dir)
    created, done, staging = not os.path.lexists(reports_dir), False, None
    try:
        reports_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_text(reports_dir / MARKER, MARKER_TEXT)  # the folder is the reports' now
        for old in reports_dir.glob(STAGING_PREFIX + "*"):  # left by a killed run
            if old.is_dir() and not old.is_symlink():
                shutil.rmtree(old, ignore_errors=True)
        staging = Path(tempfile.mkdtemp(dir=reports_dir, prefix=STAGING_PREFIX))
        (staging / FIGURES_FOLDER).mkdir()
        pages = render(staging / FIGURES_FOLDER)
        for name, text in pages.items():
            if "/" in name or not is_report_file(name):
                raise ReportsError(f"refusing to write page {name!r}: not a plain page name.")
            atomic_write_text(staging / name, text)
        bad = [rel for rel in _entries(staging) if not is_report_file(rel)]
        if bad:
            raise ReportsError(f"refusing to write {bad[0]!r}: reports write only pages, "
                               "index.html, its script and figures/*.png inside --reports-dir.")
        figures = [f"{FIGURES_FOLDER}/{p.name}" for p in (staging / FIGURES_FOLDER).iterdir()]
        for name in pages:
            os.replace(staging / name, reports_dir / name)
        if (reports_dir / FIGURES_FOLDER).is_dir():
            os.rename(reports_dir / FIGURES_FOLDER, staging / "old-figures")
        os.rename(staging / FIGURES_FOLDER, reports_dir / FIGURES_FOLDER)
        (reports_dir / OLD_MANIFEST).unlink(missing_ok=True)
        done = True
    except OSError as exc:
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        raise ReportsError(f"cannot write the reports to {reports_dir}: "
                           f"{exc.strerror or exc}{where}. Check that the folder is writable "
                           "and the disk has space, or choose another --reports-dir.") from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if created and not done:  # nothing half-made is left
            with contextlib.suppress(OSError):
                (reports_dir / MARKER).unlink()
                reports_dir.rmdir()
    return [reports_dir / p for p in pages] + [reports_dir / f for f in sorted(figures)]
