"""Markdown reports with figures, generated from the result store (``python -m bench report``).

``write_reports`` trains nothing: it reads ``<results>/runs/*.json``, the run-info and the
analysis cache (computing it from the data only when missing) and writes ``README.md``,
``accuracy.md``, ``overfitting.md``, ``mnist-too-easy.md``, ``figures/*.png`` and the manifest
``.manifest.json`` of what it wrote. The same results give byte-identical files; when neither
the results nor the report code changed since the last report, nothing is redrawn.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["ReportFiles", "write_reports"]


class ReportFiles(list):
    """The report files (pages, index first, then figures); ``redrawn`` is False when the
    reports were already up to date and nothing was written."""

    redrawn: bool = True


def render_pages(results_dir: str | os.PathLike, fig_dir: Path,
                 data_dir: str | os.PathLike | None = None, profile: str | None = None):
    """(every page, index first; the inputs); figures are written to ``fig_dir``."""
    from bench.reports import accuracy, index, overfitting, references, too_easy
    from bench.reports.inputs import gather
    from bench.reports.measures import measure

    inputs = gather(results_dir, data_dir, profile)
    refs = references.load()
    m = measure(inputs, refs)
    pages = [index.render(inputs, m), accuracy.render(inputs, fig_dir, m, refs),
             overfitting.render(inputs, fig_dir), too_easy.render(inputs, fig_dir, m, refs)]
    return pages, inputs


def write_reports(results_dir: str | os.PathLike = "results",
                  reports_dir: str | os.PathLike = "reports",
                  data_dir: str | os.PathLike | None = None, profile: str | None = None,
                  force: bool = False) -> ReportFiles:
    """Write the reports of ``results_dir`` into ``reports_dir``; return the files written.

    ``profile`` chooses the profile reported (default: the largest in the store). Only files
    listed in the folder's manifest are replaced or removed. Raises ``ResultsError`` when the
    store holds no successful result and ``ReportsError`` when the folder is not the reports'
    own or cannot be written. Unless ``force``, reports whose inputs are unchanged are kept.
    """
    from bench.reports import writer

    folder = writer.check_reports_dir(reports_dir)

    def digest() -> str:
        return writer.inputs_digest(results_dir, profile, writer.results_inputs(results_dir))

    if not force:
        done = writer.up_to_date(folder, digest())
        if done is not None:
            files = ReportFiles(done)
            files.redrawn = False
            return files

    def render(fig_dir: Path) -> writer.Rendered:
        pages, inputs = render_pages(results_dir, fig_dir, data_dir, profile)
        complete = set(inputs.analyses) == set(inputs.datasets)
        return writer.Rendered({p.name: p.text for p in pages}, complete)

    return ReportFiles(writer.publish(folder, render, digest))
