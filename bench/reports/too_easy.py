"""reports/mnist-too-easy.md: each sense of "too easy" measured with an interval, and read."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from bench.data.specs import N_CLASSES
from bench.reports import figures, shift
from bench.reports.inputs import (
    N_SAMPLES,
    ReportInputs,
    best_model_errors,
    class_names,
    confident_mistakes,
    dataset_title,
    sample_record,
)
from bench.reports.measures import FASHION, METHOD, MNIST, Cell, Measures, versus_reference
from bench.reports.page import Page, figure_link, join_blocks, scope_line
from bench.reports.readings import (
    RULES,
    Reading,
    answer,
    models_scope,
    readings,
)
from bench.reports.references import References, cite, cite_short
from bench.reports.safe import figure_path, md
from bench.reports.tables import (
    MISSING,
    count,
    images,
    markdown_table,
    pct,
    pp,
    ratio,
    with_interval,
)
from bench.results.record import CURVE_MIN_STEPS
from bench.stats import ALPHA, POWER

CURVE_BARS_SHOWN = (0.80, 0.85, 0.90, 0.95, 0.99)


def the_readings(m: Measures) -> list[Reading]:
    return readings(m, CURVE_MIN_STEPS)


def the_answer(inputs: ReportInputs, m: Measures) -> str:
    """The answer block shared by README.md and this page."""
    found = the_readings(m)
    if MNIST not in m.datasets or FASHION not in m.datasets:
        have = ", ".join(dataset_title(d) for d in m.datasets) or "none"
        return ("**Is MNIST too easy? Undecided:** the comparison needs results on both MNIST "
                f"and Fashion-MNIST; this store has results on: {have}.")
    seeds = {mo: len({r.seed for r in inputs.runs if r.model == mo}) for mo in inputs.models}
    return answer(found, models_scope(seeds), METHOD)


def _rules() -> str:
    lines = [f"- {key}: {rule}." for key, rule in RULES.items()]
    return join_blocks("## How to read it",
                       f"Intervals: {METHOD}. A reading is *supported*, *not "
                       "supported*, *mixed* or *cannot tell* by these rules, each a comparison "
                       "of intervals, never a vote of thresholds:", "\n".join(lines))


def _saturation(m: Measures, refs: References, fig_dir: Path) -> str:
    s = m.saturation
    models = sorted({c.model for cells in s.cells.values() for c in cells})
    by = {(c.model, c.dataset): c for cells in s.cells.values() for c in cells}
    rows = [[md(model), *(count(by[(model, d)].errors) if (model, d) in by else MISSING
                          for d in m.datasets),
             ratio(s.ratios[model]) if model in s.ratios else MISSING] for model in models]
    for d in m.datasets:
        if d in refs.best_published:
            ref = refs.best_published[d]
            rows.append([f"best published ({dataset_title(d)}, {cite_short(ref)})"]
                        + [f"{s.published_errors[d]:.0f}" if dd == d else "" for dd in m.datasets]
                        + [""])
    for d, ref in refs.label_errors.items():
        if d in m.datasets:
            rows.append([f"label errors in the test set ({cite_short(ref)})"]
                        + [f"≥ {ref.value:.0f}" if dd == d else "" for dd in m.datasets] + [""])
    table = markdown_table(["model", *[f"{dataset_title(d)} errors / 10,000" for d in m.datasets],
                            "error ratio Fashion / MNIST"], rows,
                           ["left"] + ["right"] * (len(m.datasets) + 1))
    errors = {(c.model, c.dataset): (100 * (1 - c.accuracy.value), 100 * (1 - c.accuracy.high),
                                     100 * (1 - c.accuracy.low))
              for cells in s.cells.values() for c in cells}
    refs_lines = [(d, 100 * (1 - float(r.value)), f"best published {dataset_title(d)}")
                  for d, r in refs.best_published.items() if d in m.datasets]
    path = figures.error_rates(figure_path(fig_dir, "error-rates"), models, m.datasets, errors,
                               {d: dataset_title(d) for d in m.datasets}, refs_lines)
    return join_blocks("## 1. Saturation: errors left", table,
                       figure_link(path, "test error rate per model, log scale, with intervals"),
                       the_readings(m)[0].line())


def _discrimination(m: Measures) -> str:
    rows = [[dataset_title(p.dataset), md(p.model_a), md(p.model_b), pp(p.difference),
             f"{100 * p.flip_probability:.1f}", f"{100 * p.disagreement:.2f}",
             f"{100 * p.min_detectable:.2f}", "yes" if p.resolved else "no"]
            for d in m.datasets for p in m.pairs.get(d, [])]
    table = markdown_table(["dataset", "model A", "model B", "A − B (pp) [95%]",
                            "P(order reverses) (%)", "disagreement (%)",
                            "smallest detectable (pp)", "interval excludes 0"], rows,
                           ["left", "left", "left"] + ["right"] * 4 + ["left"])
    intro = ("Paired accuracy differences (A − B, seed means), bootstrapped over the same test "
             "images for both models. *Disagreement* is the share of test images exactly one of "
             "the two gets right (seed mean); the smallest detectable difference is the "
             f"difference McNemar's test finds with α = {ALPHA} and power {POWER} at that "
             "disagreement on this many test images (Connor 1987 normal approximation).")
    return join_blocks("## 2. Discrimination: can the test set tell models apart?", intro,
                       table, the_readings(m)[1].line())


def _curve_table(curves: dict[tuple[str, str], list[Cell]]) -> str:
    sizes = sorted({c.train_size for cells in curves.values() for c in cells})
    rows = []
    for (mo, d), cells in curves.items():
        at = {c.train_size: c for c in cells}
        steps = [at[s].gradient_steps for s in sizes if s in at]
        rows.append([md(mo), dataset_title(d)]
                    + [with_interval(at[s].accuracy, 100, 2) if s in at else MISSING
                       for s in sizes]
                    + [", ".join(f"{x:,}" for x in steps if x is not None) or MISSING])
    return markdown_table(["model", "dataset", *[f"{s:,}" for s in sizes],
                           "gradient steps per size"], rows,
                          ["left", "left"] + ["right"] * (len(sizes) + 1))


def _data_efficiency(m: Measures, fig_dir: Path) -> str:
    head = "## 3. Data efficiency: the learning curve"
    curves = {key: m.boot.curve(*key) for key in sorted(m.boot.full_size)
              if len(m.boot.curve(*key)) >= 2}
    if not curves:
        return join_blocks(head, "No learning-curve runs in this run (`python -m bench "
                           "run-all` with the full profile makes them).")
    points = {d: {mo: [(c.train_size, c.accuracy.value, c.accuracy.low, c.accuracy.high)
                       for c in cells] for (mo, dd), cells in curves.items() if dd == d}
              for d in m.datasets if d in {dd for _, dd in curves}}
    targets = {MNIST: {e.model: e.target for e in m.efficiency}}
    path = figures.learning_curves(figure_path(fig_dir, "learning-curve"), points,
                                   {d: dataset_title(d) for d in points}, targets)
    rows = [[md(e.model), pct(e.target), images(e.images, e.censor),
             f"[{images(e.low, e.low_censor)}, {images(e.high, e.high_censor)}]"
             if not math.isnan(e.low) else MISSING,
             f"{e.full_size / e.images:.0f}×" if e.censor != ">" else MISSING]
            for e in m.efficiency]
    table = markdown_table(["model", "full-data Fashion-MNIST acc. (%)",
                            "MNIST images to reach it", "95% interval", "fewer than full"],
                           rows, ["left"] + ["right"] * 4)
    rule = ("Training effort: neural models' curve points train for at least "
            f"{CURVE_MIN_STEPS:,} gradient steps (epochs scaled up at small sizes; the rule is in "
            "`bench/plan/profiles.py`); points recorded with fewer are marked in the "
            "readings as confounded.")
    intro = ("Mean test accuracy (%) with its 95% interval against the number of training "
             "images (stratified, seeded subsets; the largest size is the headline run). The "
             "dashed lines in the MNIST panel are each model's full-data Fashion-MNIST accuracy; "
             "where a curve crosses its line is read off by linear interpolation on log(size), "
             "in every bootstrap replicate for the interval.")
    missing = sorted({mo for mo, _d in m.boot.full_size} - {mo for mo, _d in curves})
    absent = (f"Not in this run: learning-curve points for {', '.join(md(x) for x in missing)}."
              if missing else "")
    return join_blocks(head, intro, _curve_table(curves), figure_link(path, "learning curves"),
                       absent, table, rule, the_readings(m)[2].line())


def _transfer(m: Measures, fig_dir: Path) -> str:
    t = m.transfer
    head = "## 4. Transfer: does the MNIST ranking predict the Fashion-MNIST ranking?"
    if t is None:
        return join_blocks(head, "Needs models on both datasets.")
    acc = {(mo, d): m.boot.full(mo, d).accuracy for mo in t.models for d in (MNIST, FASHION)}
    rm, rf = ({mo: i + 1 for i, mo in enumerate(sorted(t.models, key=lambda mo: (
        -acc[(mo, d)].value, mo)))} for d in (MNIST, FASHION))
    rows = [[md(mo), rm[mo], pct(acc[(mo, MNIST)].value), rf[mo], pct(acc[(mo, FASHION)].value)]
            for mo in sorted(t.models, key=rm.get)]
    table = markdown_table(["model", "rank on MNIST", "MNIST acc. (%)", "rank on Fashion-MNIST",
                            "Fashion-MNIST acc. (%)"], rows, ["left"] + ["right"] * 4)
    path = figures.rank_transfer(
        figure_path(fig_dir, "rank-transfer"),
        [(mo, *((a.value, a.low, a.high) for a in (acc[(mo, MNIST)], acc[(mo, FASHION)])))
         for mo in sorted(t.models)],
        "MNIST test accuracy (%), 95% interval", "Fashion-MNIST test accuracy (%), 95% interval")
    return join_blocks(head, table, figure_link(path, "MNIST vs Fashion-MNIST accuracy per "
                                                "model (every model in the run)"),
                       the_readings(m)[3].line())


def _pixels(inputs: ReportInputs, m: Measures, refs: References,
            fig_dir: Path) -> str:
    head = "## 5. The one-pixel folklore"
    quote = (f"The folklore: “{refs.one_pixel.quote}” (quoted in {cite(refs.one_pixel)}). "
             f"{refs.one_pixel.caveats}")
    intro = ("For each pair of classes, the best rule “pixel > threshold → one class, else the "
             "other” is chosen on the training images of the two classes (all 784 pixels × 256 "
             "thresholds × 2 directions) and scored on their test images. The share of pairs "
             "is shown for every bar from 80% to 99%; P(most) is "
             "the probability that more than half the pairs reach the bar when each pair's test "
             "accuracy varies by its binomial sampling error (normal approximation, pairs "
             "independent).")
    if not m.pixels:
        return join_blocks(head, quote, "Unavailable: no cached analysis and the data could "
                           "not be loaded (see the notes at the end).")
    curve = figures.pixel_share_curves(
        figure_path(fig_dir, "single-pixel-share"),
        {d: (c.bars, c.shares) for d, c in m.pixels.items()},
        {d: dataset_title(d) for d in m.pixels})
    rows = [[dataset_title(d)] + [f"{round(c.share_at(b) * c.n_pairs)} of {c.n_pairs} "
                                  f"(P(most) {100 * c.prob_at(b):.0f}%)"
                                  for b in CURVE_BARS_SHOWN] for d, c in m.pixels.items()]
    table = markdown_table(["dataset", *[f"≥ {100 * b:.0f}%" for b in CURVE_BARS_SHOWN]], rows,
                           ["left"] + ["right"] * len(CURVE_BARS_SHOWN))
    heat = figures.separability_heatmaps(
        figure_path(fig_dir, "single-pixel"),
        {d: _pixel_matrix(inputs, d) for d in m.pixels},
        {d: dataset_title(d) for d in m.pixels}, {d: class_names(d) for d in m.pixels})
    details = []
    for d in m.pixels:
        labels = class_names(d)
        pairs = inputs.analyses[d].separability
        prow = [[f"{labels[q.a]} / {labels[q.b]}", f"({q.row_col[0]}, {q.row_col[1]})",
                 f"> {q.threshold} → {labels[q.high]}", pct(q.train_accuracy, 1),
                 pct(q.test_accuracy, 1)]
                for q in sorted(pairs, key=lambda q: (q.test_accuracy, q.a, q.b))]
        details.append(f"<details><summary>{dataset_title(d)}: all {len(pairs)} pairs, "
                       "hardest first</summary>\n\n"
                       + markdown_table(["pair", "pixel (row, col)", "rule", "train acc. (%)",
                                         "test acc. (%)"], prow,
                                        ["left", "left", "left", "right", "right"])
                       + "\n\n</details>")
    return join_blocks(head, quote, intro, table,
                       figure_link(curve, "share of class pairs one pixel separates, by bar"),
                       the_readings(m)[4].line(),
                       figure_link(heat, "single-pixel separability per class pair"),
                       *details)


def _pixel_matrix(inputs: ReportInputs, d: str) -> np.ndarray:
    out = np.full((N_CLASSES, N_CLASSES), np.nan)
    for p in inputs.analyses[d].separability:
        out[p.a, p.b] = out[p.b, p.a] = p.test_accuracy
    return out


def _headroom(m: Measures, refs: References) -> str:
    rows = []
    for d in m.datasets:
        ref = refs.best_published.get(d)
        if ref is None:
            continue
        r = float(ref.value)
        human = refs.human.get(d)
        for c in m.boot.full_cells(d):
            a = c.accuracy
            gap, er = versus_reference(a, r)
            rows.append([md(c.model), dataset_title(d), with_interval(a, 100, 2),
                         with_interval(gap, 100, 2), ratio(er),
                         f"{100 * (a.value - float(human.value)):+.2f}" if human else MISSING])
    table = markdown_table(["model", "dataset", "test acc. (%) [95%]",
                            "below best published (pp)", "error ratio vs best published",
                            "vs human (pp)"], rows, ["left", "left"] + ["right"] * 4)
    cites = [f"best published {dataset_title(d)} {100 * float(ref.value):.2f}% ({cite(ref)})"
             for d, ref in refs.best_published.items() if d in m.datasets]
    cites += [f"human {dataset_title(d)} {100 * float(ref.value):.1f}%: {ref.what} ({cite(ref)})"
              for d, ref in refs.human.items() if d in m.datasets]
    return join_blocks("## 6. Headroom", "References: " + "; ".join(cites) + ".", table,
                       the_readings(m)[5].line())


def _errors_section(inputs: ReportInputs, fig_dir: Path) -> str:
    blocks = ["## 7. What the best model still gets wrong",
              f"The first {N_SAMPLES} test images the best model (highest mean test accuracy) "
              "gets wrong at its lowest seed: predicted label, then the true label in brackets. "
              "On MNIST several are ambiguous or arguably mislabelled. Then the most confident "
              "mistakes of any model (at each model's lowest seed), with the predicted class's "
              "probability to four digits."]
    for d in inputs.datasets:
        found = inputs.analyses.get(d)
        rec = sample_record(inputs.runs, d)
        labels = class_names(d)
        if found is None or rec is None:
            blocks.append(f"{dataset_title(d)}: unavailable (no cached images or predictions).")
            continue
        wrong = [e for e in best_model_errors(rec, found.test_labels)
                 if found.image(e[0]) is not None]
        if wrong:
            caps = [f"said {labels[p][:11]}\n(true {labels[t][:11]})" for _, t, p in wrong]
            title = (f"{dataset_title(d)}: {rec.model}, seed {rec.seed} — {len(wrong)} of its "
                     f"{round((1 - rec.test_accuracy) * rec.test_size)} errors")
            path = figures.image_grid(figure_path(fig_dir, "errors", d), title,
                                      [found.image(i) for i, _, _ in wrong], caps,
                                      [False] * len(wrong), ncols=8)
            blocks += [f"### {dataset_title(d)}",
                       figure_link(path, f"{dataset_title(d)}: errors of the best model")]
        blocks.append(_mistakes(inputs, d, fig_dir))
    return join_blocks(*blocks)


def confidence_text(value: float) -> str:
    """A recorded (4-digit) probability; 1.0 means at least 0.99995 after rounding."""
    return "≥ 0.99995" if value >= 1.0 else f"{value:.4f}"


def _mistakes(inputs: ReportInputs, d: str, fig_dir: Path) -> str:
    found = inputs.analyses[d]
    labels = class_names(d)
    mistakes = [mi for mi in confident_mistakes(inputs.runs, d)
                if found.image(int(mi["index"])) is not None]
    if not mistakes:
        return "No confident mistakes recorded."
    rows = [[int(mi["index"]), labels[int(mi["true"])], labels[int(mi["pred"])],
             confidence_text(float(mi["confidence"])), md(mi["model"])] for mi in mistakes]
    caps = [f"{labels[int(mi['pred'])][:11]} ({labels[int(mi['true'])][:11]})\n"
            f"{mi['model'][:14]} {confidence_text(float(mi['confidence']))}" for mi in mistakes]
    path = figures.image_grid(figure_path(fig_dir, "mistakes", d),
                              f"{dataset_title(d)}: most confident mistakes",
                              [found.image(int(mi["index"])) for mi in mistakes], caps,
                              [False] * len(mistakes), ncols=4)
    table = markdown_table(["test index", "true", "predicted", "probability", "model"], rows,
                           ["right", "left", "left", "right", "left"])
    return join_blocks(table, figure_link(path, f"{dataset_title(d)} confident mistakes"))


def references_section(refs: References) -> str:
    rows = [[r.key, f"{r.value:g}" if r.value is not None else (f"“{r.quote}”" if r.quote
                                                                else MISSING),
             r.what, cite(r), r.caveats or MISSING] for r in refs.all()]
    return join_blocks("## References",
                       "Every reference figure in these reports, from "
                       "`bench/reports/references.toml`:",
                       markdown_table(["key", "value", "what", "source", "caveats"], rows))


def render(inputs: ReportInputs, fig_dir: Path, m: Measures, refs: References) -> Page:
    """The too-easy page and its figures."""
    notes = ("## Notes\n\n" + "\n".join(f"- {n}" for n in inputs.notes)) if inputs.notes else ""
    text = join_blocks(
        "# Is MNIST too easy?",
        scope_line(inputs),
        the_answer(inputs, m),
        _rules(),
        _saturation(m, refs, fig_dir),
        _discrimination(m),
        _data_efficiency(m, fig_dir),
        _transfer(m, fig_dir),
        _pixels(inputs, m, refs, fig_dir),
        _headroom(m, refs),
        shift.section(inputs, m, refs, fig_dir),
        _errors_section(inputs, fig_dir),
        references_section(refs),
        notes,
    )
    return Page("mnist-too-easy.md", text)


