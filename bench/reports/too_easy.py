"""reports/mnist-too-easy.md: each sense of "too easy" measured with an interval, and read."""

from __future__ import annotations

from pathlib import Path

from bench.reports import efficiency, figures, pixel
from bench.reports.inputs import (
    N_SAMPLES,
    ReportInputs,
    best_model_errors,
    class_names,
    confident_mistakes,
    dataset_title,
    sample_record,
)
from bench.reports.measures import FASHION, METHOD, MNIST, Measures, versus_reference
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
    markdown_table,
    pct,
    pp,
    ratio,
    with_interval,
)
from bench.stats import ALPHA, POWER


def the_readings(m: Measures) -> list[Reading]:
    return readings(m)


def the_answer(inputs: ReportInputs, m: Measures) -> str:
    """The answer block shared by README.md and this page."""
    found = the_readings(m)
    if MNIST not in m.datasets or FASHION not in m.datasets:
        have = ", ".join(dataset_title(d) for d in m.datasets) or "none"
        return ("**Is MNIST too easy? Undecided:** the comparison needs results on both MNIST "
                f"and Fashion-MNIST; this store has results on: {have}.")
    seeds = {mo: len({r.seed for r in inputs.runs if r.model == mo}) for mo in inputs.models}
    return answer(found, models_scope(seeds), METHOD)


def _rules(inputs: ReportInputs, m: Measures) -> str:
    lines = [f"- {key}: {rule}." for key, rule in RULES.items()]
    lines += [f"- {a.key}: {a.rule}." for mod in (efficiency, pixel) for a in mod.answers(inputs, m)]
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
                       the_readings(m)[2].line())


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
                       the_readings(m)[3].line())


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
        _rules(inputs, m),
        _saturation(m, refs, fig_dir),
        _discrimination(m),
        efficiency.section(inputs, m, refs, fig_dir),
        _transfer(m, fig_dir),
        pixel.section(inputs, m, refs, fig_dir),
        _headroom(m, refs),
        _errors_section(inputs, fig_dir),
        references_section(refs),
        notes,
    )
    return Page("mnist-too-easy.md", text)


