"""reports/accuracy.md: accuracy per model and dataset, the MNIST → Fashion drop, per class."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.reports import figures
from bench.reports.evidence import FASHION, MNIST
from bench.reports.inputs import ReportInputs, class_names, dataset_title
from bench.reports.page import Page, figure_link, join_blocks, scope_line
from bench.reports.safe import md, slug
from bench.reports.tables import (
    MISSING,
    CellSummary,
    column_means,
    markdown_table,
    number,
    pct,
    pct_ci,
    pct_interval,
    seconds,
    signed_pp,
    sum_matrices,
)
from bench.stats import error_rate_ratio, wilson_interval

N_CONFUSED = 5


@dataclass(frozen=True)
class Drop:
    """One model's accuracy on MNIST and Fashion-MNIST (seed means)."""

    model: str
    mnist: float
    fashion: float

    @property
    def drop(self) -> float:
        return self.mnist - self.fashion

    @property
    def error_ratio(self) -> float:
        return error_rate_ratio(self.fashion, self.mnist)


def drops(summary: dict[tuple[str, str], CellSummary], models: tuple[str, ...]) -> list[Drop]:
    """The MNIST − Fashion-MNIST drop of every model run on both datasets."""
    return [Drop(m, summary[(m, MNIST)].test.mean, summary[(m, FASHION)].test.mean)
            for m in models if (m, MNIST) in summary and (m, FASHION) in summary]


def confused_pairs(matrix: np.ndarray, top: int = N_CONFUSED) -> list[tuple[int, int, int, int]]:
    """(a, b, a→b count, b→a count) of the unordered class pairs with the most confusions."""
    pairs = []
    for a in range(matrix.shape[0]):
        for b in range(a + 1, matrix.shape[0]):
            pairs.append((a, b, int(matrix[a, b]), int(matrix[b, a])))
    pairs.sort(key=lambda p: (-(p[2] + p[3]), p[0], p[1]))
    return [p for p in pairs[:top] if p[2] + p[3] > 0]


def _main_table(inputs: ReportInputs, summary: dict[tuple[str, str], CellSummary]) -> str:
    rows = []
    for model in inputs.models:
        for name in inputs.datasets:
            cell = summary.get((model, name))
            if cell is None:
                continue
            correct = int(round(cell.test.mean * cell.test_size))
            rows.append([md(model), dataset_title(name), pct_ci(cell.test),
                         pct_interval(cell.test.low, cell.test.high),
                         number(100 * cell.test.std), len(cell.seeds),
                         pct_interval(*wilson_interval(correct, cell.test_size)),
                         pct_ci(cell.train), seconds(cell.fit_seconds)])
    headers = ["model", "dataset", "test acc. (%)", "95% CI over seeds", "std (pp)", "seeds",
               "test-set 95% CI (Wilson)", "train acc. (%)", "fit time (mean)"]
    return markdown_table(headers, rows, ["left", "left"] + ["right"] * 7)


def _drop_section(found: list[Drop]) -> str:
    if not found:
        return ("## MNIST → Fashion-MNIST\n\n"
                "Needs models run on both MNIST and Fashion-MNIST; none were.")
    rows = [[md(d.model), pct(d.mnist), pct(d.fashion), signed_pp(d.drop),
             number(d.error_ratio, 1)] for d in found]
    table = markdown_table(["model", "MNIST (%)", "Fashion-MNIST (%)",
                            "drop: MNIST − Fashion (pp)", "error ratio (Fashion / MNIST)"],
                           rows, ["left"] + ["right"] * 4)
    ordered = sorted(found, key=lambda d: (d.drop, d.model))
    lost = sum(1 for d in found if d.drop > 0)
    ratios = [d.error_ratio for d in found if np.isfinite(d.error_ratio)]
    text = (f"{lost} of {len(found)} models score lower on Fashion-MNIST than on MNIST. The drop "
            f"ranges from {signed_pp(ordered[0].drop)} pp ({md(ordered[0].model)}) to "
            f"{signed_pp(ordered[-1].drop)} pp ({md(ordered[-1].model)}).")
    if ratios:
        text += (f" Fashion-MNIST error rates are {min(ratios):.1f} to {max(ratios):.1f} times "
                 "the MNIST ones.")
    return join_blocks("## MNIST → Fashion-MNIST",
                       "Seed means of test accuracy; the error ratio is "
                       "(1 − Fashion accuracy) / (1 − MNIST accuracy).", table, text)


def _per_class_section(inputs: ReportInputs) -> str:
    blocks = ["## Per-class test accuracy",
              "Mean over seeds of each class's test accuracy (%), i.e. the recall of the class."]
    for name in inputs.datasets:
        labels = class_names(name)
        columns = {}
        for model in inputs.models:
            per_class = [r.per_class_test_accuracy for r in inputs.runs_of(model, name)
                         if r.per_class_test_accuracy]
            if per_class:
                columns[model] = column_means(per_class)
        if not columns:
            continue
        rows = [[f"{i} {lab}" if lab != str(i) else lab]
                + [pct(col[i], 1) if i < len(col) else MISSING for col in columns.values()]
                for i, lab in enumerate(labels)]
        blocks.append(f"### {dataset_title(name)}")
        blocks.append(markdown_table(["class", *columns], rows,
                                     ["left"] + ["right"] * len(columns)))
    return join_blocks(*blocks)


def _confusion_section(inputs: ReportInputs, fig_dir: Path) -> tuple[str, list[Path]]:
    blocks = ["## Confusions",
              f"The {N_CONFUSED} class pairs confused most often, both directions, summed over "
              "all models and seeds; then each model's confusion matrix (row-normalised, "
              "summed over seeds)."]
    made = []
    for name in inputs.datasets:
        labels = class_names(name)
        per_model = {}
        for model in inputs.models:
            mats = [r.confusion_matrix for r in inputs.runs_of(model, name) if r.confusion_matrix]
            if mats:
                per_model[model] = sum_matrices(mats)
        if not per_model:
            continue
        total = sum_matrices(list(per_model.values()))
        errors = int(total.sum() - np.trace(total))
        rows = [[f"{labels[a]} / {labels[b]}", ab, ba, ab + ba,
                 pct((ab + ba) / errors, 1) if errors else MISSING]
                for a, b, ab, ba in confused_pairs(total)]
        title = f"{dataset_title(name)}: confusion matrices (% of true class)"
        path = figures.confusion_grid(fig_dir / f"confusion-{slug(name)}.png", title, labels, per_model)
        made.append(path)
        headers = ["pair (A / B)", "A → B", "B → A", "total", "share of errors (%)"]
        blocks += [f"### {dataset_title(name)}",
                   markdown_table(headers, rows, ["left"] + ["right"] * 4),
                   figure_link(path, f"{dataset_title(name)} confusion matrices")]
    return join_blocks(*blocks), made


def render(inputs: ReportInputs, fig_dir: Path) -> Page:
    """The accuracy page and its figures."""
    summary = inputs.summary
    bars = figures.accuracy_bars(
        fig_dir / "accuracy-by-model.png", inputs.models, inputs.datasets,
        {k: v.test.mean for k, v in summary.items()},
        {k: v.test.half_width for k, v in summary.items()},
        {n: dataset_title(n) for n in inputs.datasets})
    confusion, made = _confusion_section(inputs, fig_dir)
    text = join_blocks(
        "# Accuracy",
        scope_line(inputs),
        "## Test and train accuracy",
        "Test accuracy is the mean over seeds ± the half-width of its 95% t confidence interval "
        "(the seed-to-seed spread: initialisation, subsampling). The Wilson interval is the "
        "sampling uncertainty of an accuracy of that size on a test set of that size, which "
        "the seed interval does not include.",
        _main_table(inputs, summary),
        figure_link(bars, "test accuracy per model on MNIST and Fashion-MNIST"),
        _drop_section(drops(summary, inputs.models)),
        _per_class_section(inputs),
        confusion,
    )
    return Page("accuracy.md", text, (bars, *made))
