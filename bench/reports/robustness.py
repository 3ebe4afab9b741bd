"""reports/robustness.md, written when headline records carry corrupted results: accuracy per
corruption (after MNIST-C) with intervals, its heatmap, the drop per model, accuracy on the line."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.data import corruptions as shifts
from bench.data.corruptions import CORRUPTION_NAMES, CORRUPTION_SEED, CORRUPTIONS, corrupt
from bench.reports import figures, tables
from bench.reports.inputs import CORRUPTION_EXAMPLE, ReportInputs, dataset_title
from bench.reports.measures import Estimate
from bench.reports.names import short_name
from bench.reports.page import Page, figure_link, join_blocks, scope_line
from bench.reports.safe import figure_path, md
from bench.reports.tables import COMBINED_RULE, combined_cell, markdown_table, pct, pp
from bench.results.record import RunRecord
from bench.stats import fit_line, mean_ci

LINE_RULE = ("One point per model: mean corrupted against clean accuracy on probit axes (Φ⁻¹, "
             "clipped half an image from 0 and 1), a least-squares line with its 95% band. "
             "Effective robustness: corrupted accuracy minus the line's at the model's clean "
             "accuracy (Miller et al. 2021), in the 95% prediction interval of a new point; one "
             "that excludes 0 is a model off the line")
SUBSET_RULE = (f"A model whose evaluation on every corruption would take over "
               f"{shifts.EXPENSIVE_SECONDS:.0f} s and {shifts.EXPENSIVE_SHARE:.0%} of its job's "
               f"time is evaluated on a fixed, stratified subset of {shifts.SUBSET_SIZE:,} test "
               "images (the same for each such model; its record says how many): wider "
               "intervals for")


def probit(accuracy, n: int):
    from scipy.stats import norm

    return norm.ppf(np.clip(accuracy, 0.5 / n, 1 - 0.5 / n))


def effective_robustness(clean, shifted, n: int) -> list[Estimate] | None:
    """Each model's corrupted accuracy minus the probit line's at its clean accuracy, with the
    line's 95% prediction interval there; None without a line (under 3 models or one x)."""
    from scipy.stats import norm

    fit = fit_line(probit(clean, n), probit(shifted, n))
    if fit is None:
        return None
    centre, half = fit(probit(clean, n), new=True)
    return [Estimate(s - norm.cdf(c), s - norm.cdf(c + h), s - norm.cdf(c - h))
            for s, c, h in zip(shifted, centre, half, strict=True)]


def grouped(runs: list[RunRecord]) -> tuple[dict[str, list[RunRecord]], list[str]]:
    """Runs with corrupted results by model (by seed), and the corruptions found, in order."""
    groups: dict[str, list[RunRecord]] = {}
    for r in sorted((r for r in runs if r.corrupted), key=lambda r: (r.model, r.seed)):
        groups.setdefault(r.model, []).append(r)
    found = {n for recs in groups.values() for r in recs for n in r.corrupted}
    return groups, [n for n in CORRUPTION_NAMES if n in found] + sorted(
        found - set(CORRUPTION_NAMES))


def dataset_section(dataset: str, runs: list[RunRecord]) -> tuple[list[str], tuple, list]:
    """The markdown blocks, the heatmap's (models, columns, accuracy) and the line's rows."""
    groups, names = grouped(runs)
    rows, acc, n, subsets = [], [], max(r.test_size for r in runs), []
    for model, recs in groups.items():
        seeds = [[r.test_accuracy for r in recs]] + [
            [r.corrupted[c]["accuracy"] for r in recs if c in r.corrupted] for c in names]
        runs_of = [{r.test_predictions for r in recs}] + [
            {r.corrupted[c]["correct"] for r in recs if c in r.corrupted} for c in names]
        drop = [1 - np.mean([r.corrupted[c]["accuracy"] for c in r.corrupted]) / r.test_accuracy
                for r in recs if r.test_accuracy]
        sizes = [n] + [min(r.corruption_test_size or n for r in recs)] * len(names)
        subsets += [f"{short_name(model)} ({sizes[-1]:,})"] if sizes[-1] < n else []
        rows.append([md(short_name(model)), *(combined_cell(s, k, len(e)) for s, k, e in zip(
            seeds, sizes, runs_of, strict=True)),
            tables.with_interval(Estimate((c := mean_ci(drop)).mean, c.low, c.high), 100, 1)])
        acc.append([np.mean(s) if s else np.nan for s in seeds])
    acc = np.array(acc)
    line = effective_robustness(acc[:, 0], np.nanmean(acc[:, 1:], axis=1), n)
    blocks = [f"## {dataset_title(dataset)}", f"Test accuracy (%): {COMBINED_RULE}. Relative "
              "drop: 1 − mean corrupted / clean accuracy, mean over seeds [95% t interval].",
              markdown_table(["model", "clean", *map(md, names), "relative drop (%)"], rows,
                             ["left"] + ["right"] * (len(names) + 2)),
              f"{SUBSET_RULE} {md(', '.join(subsets))}." if subsets else ""]
    line_rows = [[dataset_title(dataset), md(short_name(m)), pct(a[0]), pct(np.nanmean(a[1:])),
                  pp(e)]
                 for m, a, e in zip(groups, acc, line or [], strict=False)]
    return blocks, (list(groups), ["clean", *names], acc, n), line_rows


def heatmaps(path: Path, tables: dict[str, tuple]) -> Path:
    """Accuracy (%) of each model (rows) clean and under each corruption (columns)."""
    rows = max(len(t[0]) for t in tables.values())
    with figures.figure(path, 9.0, (0.3 * rows + 1.6) * len(tables)) as fig:
        for ax, (dataset, (models, names, acc, _)) in zip(
                fig.subplots(len(tables), 1, squeeze=False)[:, 0], tables.items(), strict=True):
            image = ax.imshow(100 * acc, cmap="viridis", vmin=0, vmax=100, aspect="auto")
            for (i, j), value in np.ndenumerate(100 * acc):
                ax.text(j, i, f"{value:.0f}", ha="center", va="center", fontsize=6,
                        color="white" if value < 60 else "black")
            ax.set_xticks(range(len(names)), names, rotation=40, ha="right")
            ax.set_yticks(range(len(models)), [short_name(m) for m in models])
            ax.set_title(f"{dataset_title(dataset)}: test accuracy (%), mean over seeds")
            fig.colorbar(image, ax=ax, fraction=0.03)
    return path


def line_figure(path: Path, tables: dict[str, tuple]) -> Path:
    """Mean corrupted against clean accuracy on probit axes, line and band; a panel a dataset."""
    from scipy.stats import norm

    with figures.figure(path, 4.6 * len(tables), 4.0) as fig:
        for ax, (dataset, (models, _, acc, n)) in zip(
                fig.subplots(1, len(tables), squeeze=False)[0], tables.items(), strict=True):
            x, y = probit(acc[:, 0], n), probit(np.nanmean(acc[:, 1:], axis=1), n)
            grid = np.linspace(min(x.min(), y.min()) - 0.3, max(x.max(), y.max()) + 0.3, 100)
            centre, half = fit_line(x, y)(grid)
            ax.fill_between(grid, centre - half, centre + half, color="0.85", lw=0)
            ax.plot(grid, centre, color="0.3", lw=1, label="fitted line, 95% band")
            ax.plot(grid, grid, color="0.6", lw=0.8, ls=":", label="no drop (y = x)")
            ax.scatter(x, y, s=16, color=figures.DATASET_COLOURS.get(dataset), zorder=3)
            for model, xx, yy in zip(models, x, y, strict=True):
                ax.annotate(short_name(model), (xx, yy), xytext=(4, -8),
                            textcoords="offset points", fontsize=6)
            ticks = [t for t in (0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999)
                     if grid[0] <= norm.ppf(t) <= grid[-1]]
            for axis in (ax.xaxis, ax.yaxis):
                axis.set_ticks(norm.ppf(ticks), [f"{100 * t:g}" for t in ticks])
            ax.set(xlim=grid[[0, -1]], ylim=grid[[0, -1]], title=dataset_title(dataset),
                   xlabel="clean test accuracy (%, probit scale)",
                   ylabel="mean corrupted accuracy (%, probit scale)")
            ax.grid(True, lw=0.3)
            ax.legend(loc="upper left", fontsize=6)
    return path


def examples(inputs: ReportInputs, fig_dir: Path) -> str:
    """One test image of each dataset under every corruption (a note without the data)."""
    shown = {d: image for d, a in inputs.analyses.items()
             if (image := a.image(CORRUPTION_EXAMPLE)) is not None}
    if not shown:
        return "_The example figure needs the test images (`--data-dir`); it is skipped._"
    images = [im for image in shown.values() for im in (image, *(
        corrupt(image[None], c.name, CORRUPTION_SEED)[0] for c in CORRUPTIONS))]
    captions = ["clean", *(c.name.replace("_", " ") for c in CORRUPTIONS)] * len(shown)
    path = figures.image_grid(figure_path(fig_dir, "corruption-examples"),
                              f"test image {CORRUPTION_EXAMPLE} of "
                              + ", ".join(map(dataset_title, shown)), images, captions,
                              [True] * len(images), ncols=len(CORRUPTIONS) + 1)
    return figure_link(path, "a test image under every corruption")


def render(inputs: ReportInputs, fig_dir: Path) -> Page:
    """The robustness page (for inputs whose headline runs carry corrupted results)."""
    blocks = ["# Robustness: accuracy on corrupted test images", scope_line(inputs),
              "Each headline job is also evaluated, in the same process, on its test images "
              "under each corruption of `bench.data.corruptions` (after Mu & Gilmer's MNIST-C; "
              f"seed {CORRUPTION_SEED}: every model sees the same images).",
              markdown_table(["corruption", "family", "severity"],
                             [[md(c.name), c.family, md(c.severity)] for c in CORRUPTIONS]),
              examples(inputs, fig_dir)]
    tables, lines, line_rows = {}, {}, []
    for dataset in inputs.datasets:
        runs = [r for r in inputs.runs if r.dataset == dataset and r.corrupted]
        if runs:
            section, tables[dataset], rows = dataset_section(dataset, runs)
            blocks += section
            line_rows += rows
            lines.update({dataset: tables[dataset]} if rows else {})
    blocks += [figure_link(heatmaps(figure_path(fig_dir, "robustness-heatmap"), tables),
                           "accuracy under each corruption"), "## Accuracy on the line",
               LINE_RULE + (". It needs three models of different clean accuracy." if not lines
                            else ".")]
    if lines:
        blocks += [figure_link(line_figure(figure_path(fig_dir, "accuracy-on-the-line"), lines),
                               "corrupted against clean accuracy"),
                   markdown_table(["dataset", "model", "clean (%)", "mean corrupted (%)",
                                   "effective robustness [95%]"], line_rows,
                                  ["left", "left", "right", "right", "right"])]
    return Page("robustness.md", join_blocks(*blocks))
