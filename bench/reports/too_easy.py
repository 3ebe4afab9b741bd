"""reports/mnist-too-easy.md: each sense of "too easy" measured with an interval, and read."""

from __future__ import annotations

from pathlib import Path

from bench.reports import efficiency, figures, floor, pixel
from bench.reports.answers import NO, ORDER, PARTLY, STABLE, UNCLEAR, YES, Answer
from bench.reports.index import answer_sentence, answer_table, stability_cell
from bench.reports.inputs import (
    N_SAMPLES,
    ReportInputs,
    best_model_errors,
    class_names,
    dataset_title,
    sample_record,
)
from bench.reports.measures import FASHION, METHOD, MNIST, Measures
from bench.reports.page import Page, figure_link, join_blocks, scope_line
from bench.reports.readings import (
    CANNOT_TELL,
    MIXED,
    NOT_SUPPORTED,
    RULES,
    SUPPORTED,
    Reading,
    readings,
)
from bench.reports.references import References, cite
from bench.reports.safe import figure_path, md
from bench.reports.tables import (
    MISSING,
    markdown_table,
    pct,
    pp,
)
from bench.stats import ALPHA, N_BOOTSTRAP, POWER


def the_readings(m: Measures) -> list[Reading]:
    return readings(m)


# TEMPORARY adapter (issue #20): the old readings as Answers, until the question modules
# (floor, discrimination, transfer, efficiency, pixel, shift) replace ``answers`` at merge.
ADAPTED = {"discrimination": ("discrimination", "Can MNIST no longer tell models apart?"),
           "transfer": ("transfer", "Do MNIST rankings fail to predict Fashion-MNIST's?")}
VERDICTS = {SUPPORTED: YES, NOT_SUPPORTED: NO, MIXED: PARTLY, CANNOT_TELL: UNCLEAR}


def _reading(m: Measures, key: str) -> Reading:
    return next(r for r in the_readings(m) if r.key == key)


def answers(inputs: ReportInputs, m: Measures) -> list[Answer]:
    """TEMPORARY: each old reading as an Answer in ORDER (stability not checked: nan)."""
    found, figs = {r.key: r for r in the_readings(m)}, _adapted_figures(m)
    out = [Answer(key, question, VERDICTS[found[old].verdict],
                  *figs.get(key, (MISSING, MISSING)), math.nan, RULES[old], found[old].text)
           for old, (key, question) in ADAPTED.items()] + [
        a for mod in (floor, efficiency, pixel) for a in mod.answers(inputs, m)]
    return sorted(out, key=lambda a: ORDER.index(a.key))


def _adapted_figures(m: Measures) -> dict[str, tuple[str, str]]:
    """TEMPORARY: key figures of the old measures, where one is at hand."""
    out = {}
    if m.transfer is not None:
        rho = m.transfer.spearman
        out["transfer"] = (f"ρ = {rho.value:.2f}", f"[{rho.low:.2f}, {rho.high:.2f}]")
    return out


def how_to_read(found: list[Answer]) -> str:
    """Every question's rule, as the code applies it, and what stability means."""
    return join_blocks(
        "## How to read it",
        f"Intervals: {METHOD}. Each question is worded so that *Yes* means “MNIST is too easy "
        "in this sense”; its rule, applied to the point estimates, answers Yes, No, Partly or "
        f"Unclear. The same rule applied to each of the {N_BOOTSTRAP:,} bootstrap replicates "
        "gives the answer's stability (the share of replicates that agree); an answer kept by "
        f"fewer than {100 * STABLE:.0f}% of them is shown as Unclear on the first screen.",
        "\n".join(f"- **{md(a.question)}** {a.rule.rstrip('.')}." for a in found))


def sensitivity(found: list[Answer]) -> str:
    """Each question re-answered under its named alternative rules."""
    width = max((len(a.alternatives) for a in found), default=0)
    rows = [[md(a.question), stability_cell(a),
             *(f"{md(name)}: **{ans}**" for name, ans in a.alternatives),
             *[""] * (width - len(a.alternatives))] for a in found]
    return join_blocks("## Sensitivity: the answers under alternative rules",
                       markdown_table(["question", "main rule: resamples keeping its answer",
                                       *(f"alternative {i + 1}" for i in range(width))], rows)
                       if width else "No question names an alternative rule yet.")


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
                       table, _reading(m, "discrimination").line())


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
                       _reading(m, "transfer").line())


def _errors_section(inputs: ReportInputs, fig_dir: Path) -> str:
    blocks = ["## 7. What the best model still gets wrong",
              f"The first {N_SAMPLES} test images the best model (highest mean test accuracy) "
              "gets wrong at its lowest seed: predicted label, then the true label in brackets. "
              "On MNIST several are ambiguous or arguably mislabelled."]
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
    return join_blocks(*blocks)


def references_section(refs: References) -> str:
    rows = [[r.key, f"{r.value:g}" if r.value is not None else (f"“{r.quote}”" if r.quote
                                                                else MISSING),
             r.what, cite(r), r.caveats or MISSING] for r in refs.all()]
    return join_blocks("## References",
                       "Every reference figure in these reports, from "
                       "`bench/reports/references.toml`:",
                       markdown_table(["key", "value", "what", "source", "caveats"], rows))


def render(inputs: ReportInputs, fig_dir: Path, m: Measures, refs: References,
           found: list[Answer]) -> Page:
    """The too-easy page and its figures; ``found`` answers the questions."""
    notes = ("## Notes\n\n" + "\n".join(f"- {n}" for n in inputs.notes)) if inputs.notes else ""
    text = join_blocks(
        "# Is MNIST too easy?",
        scope_line(inputs),
        answer_sentence(found),
        answer_table(found),
        how_to_read(found),
        sensitivity(found),
        floor.section(inputs, m, refs, fig_dir),
        _discrimination(m),
        efficiency.section(inputs, m, refs, fig_dir),
        _transfer(m, fig_dir),
        pixel.section(inputs, m, refs, fig_dir),
        _errors_section(inputs, fig_dir),
        references_section(refs),
        notes,
    )
    return Page("mnist-too-easy.md", text)


