"""Markdown reports with figures, generated from the result store (``python -m bench report``).

``write_reports`` trains nothing: it reads ``<results>/runs/*.json``, ``run-info.json`` and the
analysis cache (computing it from the data only when missing) and writes ``README.md``,
``accuracy.md``, ``overfitting.md``, ``mnist-too-easy.md`` and ``figures/*.png``. The same
results give byte-identical files.
"""

from __future__ import annotations

import os
from pathlib import Path

from bench.reports.page import FIGURES_FOLDER, Page

__all__ = ["write_reports"]


def render_pages(results_dir: str | os.PathLike, fig_dir: Path,
                 data_dir: str | os.PathLike | None = None) -> list[Page]:
    """Every page, index first; figures are written to ``fig_dir`` as a side effect."""
    from bench.reports import accuracy, index, overfitting, references, too_easy
    from bench.reports.inputs import gather
    from bench.reports.measures import measure

    inputs = gather(results_dir, data_dir)
    refs = references.load()
    m = measure(inputs, refs)
    return [index.render(inputs, m), accuracy.render(inputs, fig_dir, m, refs),
            overfitting.render(inputs, fig_dir), too_easy.render(inputs, fig_dir, m, refs)]


def write_reports(results_dir: str | os.PathLike = "results",
                  reports_dir: str | os.PathLike = "reports",
                  data_dir: str | os.PathLike | None = None) -> list[Path]:
    """Write the reports of ``results_dir`` into ``reports_dir``; return the files written.

    PNGs left in ``<reports>/figures/`` by an earlier report and not made this time are
    removed. Raises ``ResultsError`` when the store holds no successful result.
    """
    from bench.files import atomic_write_text

    reports_dir = Path(reports_dir)
    fig_dir = reports_dir / FIGURES_FOLDER
    pages = render_pages(results_dir, fig_dir, data_dir)
    written = []
    for page in pages:
        path = reports_dir / page.name
        atomic_write_text(path, page.text)
        written.append(path)
    made = sorted({p for page in pages for p in page.figures})
    if fig_dir.is_dir():
        for stale in sorted(set(fig_dir.glob("*.png")) - set(made)):
            stale.unlink()
    return written + made
