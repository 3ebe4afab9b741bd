"""reports/accuracy.md: accuracy per model and dataset, the MNIST → Fashion drop, per class."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from bench.reports import figures
from bench.reports.index import convergence_note, model_cell
from bench.reports.inputs import ReportInputs, class_names, dataset_title
from bench.reports.measures import FASHION, MNIST, Measures, error_ratio
from bench.reports.names import short_names
from bench.reports.page import Page, figure_link, join_blocks, scope_line
from bench.reports.references import References, cite, xiao_family
from bench.reports.safe import code, figure_path, md
from bench.reports.tables import (
    COMBINED_RULE,
    MISSING,
    column_means,
    combined_cell,
    markdown_table,
    number,
    pct,
    ratio,
    seconds,
    signed_pp,
    with_interval,
)

N_CONFUSED = 5


def confused_pairs(matrix: np.ndarray, top: int = N_CONFUSED) -> list[tuple[int, int, int, int]]:
    """(a, b, a→b count, b→a count) of the unordered class pairs with the most confusions."""
    pairs = [(a, b, int(matrix[a, b]), int(matrix[b, a]))
             for a, b in itertools.combinations(range(matrix.shape[0]), 2)]
    pairs.sort(key=lambda p: (-(p[2] + p[3]), p[0], p[1]))
    return [p for p in pairs[:top] if p[2] + p[3] > 0]


def legend(inputs: ReportInputs) -> str:
    """The model names the tables and figures show, with full names and parameters."""
    names = short_names(inputs.models)
    rows = [[md(names[mo]), code(mo), md(", ".join(f"{k}={v}" for k, v in sorted(next(
        r for r in inputs.runs if r.model == mo).params.items()))) or MISSING]
            for mo in inputs.models]
    return join_blocks("## Model names",
                       "Every table and figure shows these short names: an import path becomes "
                       "its class, shortened, with its library (sk: scikit-learn).",
                       markdown_table(["shown as", "model", "parameters"], rows))


def _main_table(inputs: ReportInputs, m: Measures) -> str:
    rows, names = [], short_names(inputs.models)
    for model in inputs.models:
        for name in inputs.datasets:
            cell = inputs.summary.get((model, name))
            boot = m.boot.full(model, name)
            if cell is None or boot is None:
                continue
            recs = inputs.runs_of(model, name)
            rows.append([model_cell(model, names, recs), dataset_title(name),
                         combined_cell([r.test_accuracy for r in recs], boot.n_test,
                                       boot.effective_runs),
                         with_interval(boot.accuracy, 100, 2),
                         number(100 * cell.test.std), f"{boot.seeds} ({boot.effective_runs})",
                         combined_cell([r.train_accuracy for r in recs], recs[0].train_size,
                                       boot.effective_runs), seconds(boot.fit_seconds)])
    headers = ["model", "dataset", "test acc. (%)", "bootstrap 95% interval", "seed std (pp)",
               "seeds (effective runs)", "train acc. (%)", "fit time (mean)"]
    return markdown_table(headers, rows, ["left", "left"] + ["right"] * 6)


def xiao_table(inputs: ReportInputs, m: Measures, refs: References) -> str:
    """This harness beside Xiao et al. 2017 Table 3, by the declared family mapping."""
    rows, names = [], short_names(inputs.models)
    for model in sorted({mo for (mo, _d) in m.boot.full_size}):
        row = xiao_family(model, refs.xiao_rows)
        if row is None:
            continue
        cells = []
        for d in (MNIST, FASHION):
            ours = m.boot.full(model, d)
            theirs = row.accuracy.get(d)
            if ours is None or theirs is None:
                cells += [pct(ours.accuracy.value) if ours else MISSING,
                          pct(theirs) if theirs is not None else MISSING, MISSING]
                continue
            cells += [with_interval(ours.accuracy, 100, 2), pct(theirs, 1),
                      signed_pp(ours.accuracy.value - theirs)]
        rows.append([model_cell(model, names, inputs.runs), f"{row.family} ({row.params})",
                     *cells,
                     md(row.difference(model)) or MISSING])
    intro = (f"Xiao et al. 2017 Table 3 ({cite(refs.xiao)}): mean test accuracy over 5 runs of "
             "each family's best configuration on Fashion-MNIST. Our models are matched to a "
             "family by a declared mapping (`bench/reports/references.toml`: built-in names and "
             "scikit-learn class paths); built-ins are close relatives, not the paper's exact "
             f"configurations (keras-mlp is a Keras MLP, not scikit-learn's). {refs.xiao.caveats}")
    if not rows:
        return join_blocks("## This harness vs Xiao et al. 2017", intro,
                           "No model in this run maps to a Table 3 family (not in this run).")
    table = markdown_table(["model", "Table 3 family (their best parameters)", "MNIST ours (%)",
                            "MNIST theirs (%)", "diff. (pp)", "Fashion ours (%)",
                            "Fashion theirs (%)", "diff. (pp)", "how our run differs"], rows,
                           ["left", "left"] + ["right"] * 6 + ["left"])
    return join_blocks("## This harness vs Xiao et al. 2017", intro, table,
                       convergence_note(inputs.runs, names))


def _drop_section(inputs: ReportInputs, m: Measures) -> str:
    """The MNIST − Fashion-MNIST drop of seed-mean test accuracy, per model run on both."""
    acc = {mo: (inputs.summary[(mo, MNIST)].test.mean, inputs.summary[(mo, FASHION)].test.mean)
           for mo in inputs.models if (mo, MNIST) in inputs.summary
           and (mo, FASHION) in inputs.summary}
    if not acc:
        return ("## MNIST → Fashion-MNIST\n\n"
                "Needs models run on both MNIST and Fashion-MNIST; none were.")
    drop = {mo: mn - fa for mo, (mn, fa) in acc.items()}
    names = short_names(inputs.models)
    cells = {mo: (m.boot.full(mo, MNIST), m.boot.full(mo, FASHION)) for mo in acc}
    rows = [[md(names[mo]), pct(mn), pct(fa), signed_pp(drop[mo]),
             ratio(error_ratio(cells[mo][1], cells[mo][0])) if None not in cells[mo] else MISSING]
            for mo, (mn, fa) in acc.items()]
    table = markdown_table(["model", "MNIST (%)", "Fashion-MNIST (%)",
                            "drop: MNIST − Fashion (pp)", "error ratio (Fashion / MNIST) [95%]"],
                           rows, ["left"] + ["right"] * 4)
    ordered = sorted(acc, key=lambda mo: (drop[mo], mo))
    lost = sum(1 for d in drop.values() if d > 0)
    ratios = sorted((1 - fa) / (1 - mn) for mn, fa in acc.values() if mn < 1)
    text = (f"{lost} of {len(acc)} models score lower on Fashion-MNIST than on MNIST. The drop "
            f"ranges from {signed_pp(drop[ordered[0]])} pp ({md(names[ordered[0]])}) to "
            f"{signed_pp(drop[ordered[-1]])} pp ({md(names[ordered[-1]])}).")
    if ratios:
        text += (f" Fashion-MNIST error rates are {ratios[0]:.2f} to {ratios[-1]:.2f} times "
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
        names = short_names(columns)
        blocks.append(markdown_table(["class", *(md(names[c]) for c in columns)], rows,
                                     ["left"] + ["right"] * len(columns)))
    return join_blocks(*blocks)


def _confusion_section(inputs: ReportInputs, fig_dir: Path) -> str:
    blocks = ["## Confusions",
              f"The {N_CONFUSED} class pairs confused most often, both directions, summed over "
              "all models and seeds; then each model's confusion matrix (row-normalised, "
              "summed over seeds)."]
    for name in inputs.datasets:
        labels = class_names(name)
        per_model = {}
        for model in inputs.models:
            mats = [r.confusion_matrix for r in inputs.runs_of(model, name) if r.confusion_matrix]
            if mats:
                per_model[model] = np.sum(mats, axis=0, dtype=np.int64)
        if not per_model:
            continue
        total = np.sum(list(per_model.values()), axis=0)
        errors = int(total.sum() - np.trace(total))
        rows = [[f"{labels[a]} / {labels[b]}", ab, ba, ab + ba,
                 pct((ab + ba) / errors, 1) if errors else MISSING]
                for a, b, ab, ba in confused_pairs(total)]
        title = (f"{dataset_title(name)}: where each class's errors go (% of the true class; "
                 "diagonal masked)")
        path = figures.confusion_grid(figure_path(fig_dir, "confusion", name), title, labels,
                                      per_model)
        headers = ["pair (A / B)", "A → B", "B → A", "total", "share of errors (%)"]
        blocks += [f"### {dataset_title(name)}",
                   markdown_table(headers, rows, ["left"] + ["right"] * 4),
                   figure_link(path, f"{dataset_title(name)} confusion matrices")]
    return join_blocks(*blocks)


def render(inputs: ReportInputs, fig_dir: Path, m: Measures, refs: References) -> Page:
    """The accuracy page and its figures."""
    cost = figures.cost_accuracy(
        figure_path(fig_dir, "cost-vs-accuracy"),
        [(c.model, c.dataset, c.fit_seconds, c.accuracy.value)
         for d in inputs.datasets for c in m.boot.full_cells(d)],
        {n: dataset_title(n) for n in inputs.datasets})
    text = join_blocks(
        "# Accuracy",
        scope_line(inputs),
        "## Test and train accuracy",
        "Test and train accuracy: " + COMBINED_RULE + " (test or train images; ± is this "
        "half-width in every column). The bootstrap interval resamples the test images "
        "and the seeds (2,000 replicates). *Effective runs* counts distinct prediction vectors: "
        "a model whose seeds all predict the same is one effective run, and its interval is "
        "the test-set sampling error alone.",
        _main_table(inputs, m),
        convergence_note(inputs.runs, short_names(inputs.models)),
        legend(inputs),
        "## Cost vs accuracy",
        figure_link(cost, "fit seconds against test accuracy per model and dataset"),
        xiao_table(inputs, m, refs),
        _drop_section(inputs, m),
        _per_class_section(inputs),
        _confusion_section(inputs, fig_dir),
    )
    return Page("accuracy.md", text)
