"""reports/mnist-too-easy.md: each sense of "too easy" measured with an interval, and read."""

from __future__ import annotations

from pathlib import Path

from bench.reports import discrimination, efficiency, figures, floor, pixel, shift, transfer
from bench.reports.answers import ORDER, STABLE, Answer
from bench.reports.index import answer_sentence, answer_table, stability_cell
from bench.reports.inputs import (
    N_SAMPLES,
    ReportInputs,
    best_model_errors,
    class_names,
    dataset_title,
    sample_record,
)
from bench.reports.measures import METHOD, Measures
from bench.reports.page import Page, figure_link, join_blocks, scope_line
from bench.reports.references import References, cite
from bench.reports.safe import figure_path, md
from bench.reports.tables import MISSING, markdown_table
from bench.stats import N_BOOTSTRAP

QUESTIONS = (floor, discrimination, transfer, efficiency, pixel, shift)
SECTIONS = (floor, discrimination, efficiency, transfer, pixel, shift)  # the page's order


def answers(inputs: ReportInputs, m: Measures) -> list[Answer]:
    """Every question module's answers, in the first-screen order."""
    found = [a for module in QUESTIONS for a in module.answers(inputs, m)]
    return sorted(found, key=lambda a: ORDER.index(a.key))


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


def _errors_section(inputs: ReportInputs, fig_dir: Path) -> str:
    blocks = ["## What the best model still gets wrong",
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
        *(module.section(inputs, m, refs, fig_dir) for module in SECTIONS),
        _errors_section(inputs, fig_dir),
        references_section(refs),
        notes,
    )
    for a in found:  # the first screen links each question to its section by key
        text = text.replace(f"\n## {a.question}\n", f'\n<a id="{a.key}"></a>\n\n## {a.question}\n', 1)
    return Page("mnist-too-easy.md", text)


