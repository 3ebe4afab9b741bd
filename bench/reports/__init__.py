"""Markdown reports, figures and ``index.html`` from the result store (``python -m bench report``).

Nothing is trained: the pages are read from ``<results>/runs/*.json``, the run-info and the
analysis cache, so the same results give byte-identical files in any environment.
"""

from __future__ import annotations

import os
from pathlib import Path

from bench.reports import accuracy, html, index, overfitting, robustness, too_easy
from bench.reports.inputs import gather
from bench.reports.measures import measure
from bench.reports.references import load
from bench.reports.writer import publish

__all__ = ["write_reports"]


def write_reports(results_dir: str | os.PathLike = "results",
                  reports_dir: str | os.PathLike = "reports",
                  data_dir: str | os.PathLike | None = None,
                  profile: str | None = None) -> list[Path]:
    """Write the reports of ``results_dir`` (``profile``, default the largest) into
    ``reports_dir``; return the files written (pages, index first, then figures)."""
    def render(fig_dir: Path) -> dict[str, str]:
        inputs = gather(results_dir, data_dir, profile)
        refs = load()
        m = measure(inputs, refs)
        found = too_easy.answers(inputs, m)
        pages = [index.render(inputs, m, found, fig_dir),
                 accuracy.render(inputs, fig_dir, m, refs), overfitting.render(inputs, fig_dir),
                 too_easy.render(inputs, fig_dir, m, refs, found)]
        if any(r.corrupted for r in inputs.runs):
            pages.append(robustness.render(inputs, fig_dir))
        return {**{p.name: p.text for p in pages}, **html.render(inputs, m, refs, found)}

    return publish(reports_dir, render)
