"""reports/robustness.md: accuracy on corrupted test images (after MNIST-C) and on the line.

Read only from records that carry corrupted results (``run-all --corruptions``); the page
exists only when some headline record does.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.data.corruptions import CORRUPTION_NAMES, CORRUPTION_SEED, CORRUPTIONS, corrupt
from bench.reports import figures
from bench.reports.inputs import CORRUPTION_EXAMPLE, ReportInputs, dataset_title
from bench.reports.page import Page, figure_link, join_blocks, scope_line
from bench.reports.safe import figure_path, md
from bench.reports.tables import (
    COMBINED_RULE,
    combined_cell,
    markdown_table,
    pct,
    pct_ci,
    signed_pp,
)
from bench.results.record import RunRecord
from bench.stats import fit_line, mean_ci

LINE_RULE = ("a least-squares line through the models' points in probit space (Φ⁻¹ of each "
             "accuracy, clipped half an image from 0 and 1); shaded: its 95% confidence band. "
             "A model's effective robustness is its corrupted accuracy minus the line's at its "
             "clean accuracy (Miller et al. 2021), with the 95% prediction interval of a new "
             "point there: an interval that excludes 0 is a model off the line")


def corrupted_runs(inputs: ReportInputs, dataset: str) -> dict[str, list[RunRecord]]:
    """Model -> its headline records on ``dataset`` that carry corrupted results."""
    out: dict[str, list[RunRecord]] = {}
    for r in sorted(inputs.runs, key=lambda r: (r.model, r.seed)):
        if r.dataset == dataset and r.corrupted:
            out.setdefault(r.model, []).append(r)
    return out


def shift_names(groups: dict[str, list[RunRecord]]) -> list[str]:
    """The corruptions found, in registry order (unknown names last, by name)."""
    found = {n for recs in groups.values() for r in recs for n in r.corrupted}
    return [n for n in CORRUPTION_NAMES if n in found] + sorted(found - set(CORRUPTION_NAMES))


def accuracies(recs: list[RunRecord], name: str) -> list[float]:
    return [r.corrupted[name]["accuracy"] for r in recs if name in r.corrupted]


def mean_shifted(recs: list[RunRecord], names: list[str]) -> float:
    """Mean accuracy over the corruptions (each the mean over seeds)."""
    return float(np.mean([np.mean(accuracies(recs, n)) for n in names]))


def relative_drop(recs: list[RunRecord], names: list[str]) -> str:
    """Mean over seeds of 1 - (mean corrupted accuracy / clean accuracy), with a t interval."""
    drops = [1 - np.mean([r.corrupted[n]["accuracy"] for n in names]) / r.test_accuracy
             for r in recs if all(n in r.corrupted for n in names) and r.test_accuracy]
    return pct_ci(mean_ci(drops), 1)


def accuracy_table(groups: dict[str, list[RunRecord]], names: list[str]) -> str:
    rows = []
    for model, recs in groups.items():
        cells = [combined_cell([r.test_accuracy for r in recs], recs[0].test_size,
                               len({r.test_predictions for r in recs}))]
        cells += [combined_cell(accuracies(recs, n), recs[0].test_size,
                                len({r.corrupted[n]["correct"] for r in recs if n in r.corrupted}))
                  for n in names]
        rows.append([md(model), *cells, relative_drop(recs, names)])
    return markdown_table(["model", "clean", *map(md, names), "mean relative drop (%)"], rows,
                          ["left"] + ["right"] * (len(names) + 2))


def probit(accuracy, n: int):
    from scipy.stats import norm

    return norm.ppf(np.clip(accuracy, 0.5 / n, 1 - 0.5 / n))


def on_the_line(groups: dict[str, list[RunRecord]], names: list[str]):
    """(models, clean, corrupted, fit, effective robustness (n, 3): value, low, high) or None."""
    from scipy.stats import norm

    models = list(groups)
    n = max(r.test_size for recs in groups.values() for r in recs)
    clean = np.array([np.mean([r.test_accuracy for r in groups[m]]) for m in models])
    shifted = np.array([mean_shifted(groups[m], names) for m in models])
    fit = fit_line(probit(clean, n), probit(shifted, n))
    if fit is None:
        return None
    centre, half = fit.at(probit(clean, n), new=True)
    effective = np.stack([shifted - norm.cdf(centre), shifted - norm.cdf(centre + half),
                          shifted - norm.cdf(centre - half)], axis=1)
    return models, clean, shifted, fit, effective, n


def line_figure(path: Path, panels: dict[str, tuple]) -> Path:
    """Corrupted against clean accuracy on probit axes, one panel per dataset."""
    from scipy.stats import norm

    with figures.figure(path, 4.6 * len(panels), 4.0) as fig:
        axes = fig.subplots(1, len(panels), squeeze=False)[0]
        for ax, (dataset, (models, clean, shifted, fit, _, n)) in zip(axes, panels.items(),
                                                                     strict=True):
            x, y = probit(clean, n), probit(shifted, n)
            grid = np.linspace(min(x.min(), y.min()) - 0.3, max(x.max(), y.max()) + 0.3, 100)
            centre, half = fit.at(grid)
            ax.fill_between(grid, centre - half, centre + half, color="0.85", lw=0)
            ax.plot(grid, centre, color="0.3", lw=1, label="fitted line")
            ax.plot(grid, grid, color="0.6", lw=0.8, ls=":", label="no drop (y = x)")
            ax.scatter(x, y, s=16, color=figures.DATASET_COLOURS.get(dataset), zorder=3)
            for model, xx, yy in zip(models, x, y, strict=True):
                ax.annotate(figures.short_label(model), (xx, yy), xytext=(4, -8),
                            textcoords="offset points", fontsize=6)
            ticks = [t for t in (0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999)
                     if grid[0] <= norm.ppf(t) <= grid[-1]]
            for axis in (ax.xaxis, ax.yaxis):
                axis.set_ticks(norm.ppf(ticks), [f"{100 * t:g}" for t in ticks])
            ax.set_xlim(grid[0], grid[-1])
            ax.set_ylim(grid[0], grid[-1])
            ax.set_title(dataset_title(dataset))
            ax.set_xlabel("clean test accuracy (%, probit scale)")
            ax.set_ylabel("mean corrupted accuracy (%, probit scale)")
            ax.grid(True, lw=0.3)
            ax.legend(loc="upper left", fontsize=6)
    return path


def heatmaps(path: Path, tables: dict[str, tuple[list[str], list[str], np.ndarray]]) -> Path:
    """Accuracy (%) of each model (rows) clean and under each corruption (columns)."""
    rows = max(len(models) for models, _, _ in tables.values())
    with figures.figure(path, 9.0, (0.3 * rows + 1.6) * len(tables)) as fig:
        for ax, (dataset, (models, names, acc)) in zip(
                fig.subplots(len(tables), 1, squeeze=False)[:, 0], tables.items(), strict=True):
            image = ax.imshow(100 * acc, cmap="viridis", vmin=0, vmax=100, aspect="auto")
            for (i, j), value in np.ndenumerate(100 * acc):
                ax.text(j, i, f"{value:.0f}", ha="center", va="center", fontsize=6,
                        color="white" if value < 60 else "black")
            ax.set_xticks(range(len(names)), names, rotation=40, ha="right")
            ax.set_yticks(range(len(models)), [figures.short_label(m) for m in models])
            ax.set_title(f"{dataset_title(dataset)}: test accuracy (%), mean over seeds")
            fig.colorbar(image, ax=ax, fraction=0.03)
    return path


def examples(inputs: ReportInputs, fig_dir: Path) -> tuple[str, str]:
    """The figure of one test image per dataset under every corruption (or a note why not)."""
    shown = {d: a.image(CORRUPTION_EXAMPLE) for d, a in inputs.analyses.items()}
    shown = {d: img for d, img in shown.items() if img is not None}
    if not shown:
        return "", ("_The example figure needs the test images (`--data-dir` or "
                    "BENCH_DATA_DIR); it is skipped._")
    images, captions = [], []
    for image in shown.values():
        images += [image] + [corrupt(image[None], c.name, CORRUPTION_SEED)[0] for c in CORRUPTIONS]
        captions += ["clean"] + [c.name.replace("_", " ") for c in CORRUPTIONS]
    path = figures.image_grid(figure_path(fig_dir, "corruption-examples"), "test image "
                              f"{CORRUPTION_EXAMPLE} of {', '.join(map(dataset_title, shown))}",
                              images, captions, [True] * len(images), ncols=len(CORRUPTIONS) + 1)
    return figure_link(path, "a test image under every corruption"), ""


def render(inputs: ReportInputs, fig_dir: Path) -> Page:
    """The robustness page (for inputs whose headline runs carry corrupted results)."""
    severities = markdown_table(["corruption", "family", "severity"],
                                [[md(c.name), c.family, md(c.severity)] for c in CORRUPTIONS])
    blocks = ["# Robustness: accuracy on corrupted test images", scope_line(inputs),
              "Every headline job is also evaluated, after training and in the same process, on "
              "its test images under each corruption of `bench.data.corruptions` (after Mu & "
              "Gilmer's MNIST-C, fixed severities, seed "
              f"{CORRUPTION_SEED}: every model sees the same corrupted images).", severities,
              *examples(inputs, fig_dir)]
    tables, panels, rows = {}, {}, []
    for dataset in inputs.datasets:
        groups = corrupted_runs(inputs, dataset)
        if not groups:
            continue
        names = shift_names(groups)
        blocks += [f"## {dataset_title(dataset)}",
                   f"Test accuracy (%): {COMBINED_RULE}. The mean relative drop is 1 − mean "
                   "corrupted accuracy / clean accuracy, mean over seeds ± t interval.",
                   accuracy_table(groups, names)]
        acc = np.array([[np.mean([r.test_accuracy for r in recs]),
                         *(np.mean(accuracies(recs, n) or [np.nan]) for n in names)]
                        for recs in groups.values()])
        tables[dataset] = (list(groups), ["clean", *names], acc)
        line = on_the_line(groups, names)
        if line is None:
            blocks.append("_Accuracy on the line needs at least three models with different "
                          "clean accuracy._")
            continue
        panels[dataset] = line
        models, clean, shifted, fit, effective, _ = line
        rows += [[dataset_title(dataset), md(m), pct(c), pct(s),
                  f"{signed_pp(e[0])} [{signed_pp(e[1])}, {signed_pp(e[2])}]"]
                 for m, c, s, e in zip(models, clean, shifted, effective, strict=True)]
        blocks.append(f"Line (probit): slope {fit.slope:.2f}, intercept {fit.intercept:.2f}.")
    path = heatmaps(figure_path(fig_dir, "robustness-heatmap"), tables)
    blocks.append(figure_link(path, "accuracy under each corruption"))
    if panels:
        path = line_figure(figure_path(fig_dir, "accuracy-on-the-line"), panels)
        blocks += ["## Accuracy on the line", LINE_RULE[0].upper() + LINE_RULE[1:] + ".",
                   figure_link(path, "corrupted against clean accuracy"),
                   markdown_table(["dataset", "model", "clean (%)", "mean corrupted (%)",
                                   "effective robustness (pp) [95%]"], rows,
                                  ["left", "left", "right", "right", "right"])]
    return Page("robustness.md", join_blocks(*blocks))
