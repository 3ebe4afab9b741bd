"""reports/README.md: the answer first (a sentence, a table of questions, one figure), the
headline table, links, and how the run was made."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from statistics import fmean
from typing import Any

from bench.reports import figures
from bench.reports.answers import NO, PARTLY, STABLE, UNCLEAR, YES, Answer
from bench.reports.inputs import ReportInputs, dataset_title
from bench.reports.measures import FASHION, METHOD, MNIST, Measures, error_ratio
from bench.reports.names import short_names
from bench.reports.page import Page, figure_link, join_blocks, plural, scope_line
from bench.reports.safe import code, figure_path, md
from bench.reports.tables import (
    COMBINED_RULE,
    MISSING,
    combined_cell,
    markdown_table,
    ratio,
    seconds,
)
from bench.results.record import RunRecord

PAGES = (
    ("accuracy.md", "Accuracy",
     "test/train accuracy with intervals and fit time, cost vs accuracy, this harness vs Xiao "
     "et al. 2017, the MNIST → Fashion drop, per-class accuracy, confusions"),
    ("overfitting.md", "Overfitting",
     "generalisation gap with intervals, flags, per-epoch curves of the neural models"),
    ("mnist-too-easy.md", "Is MNIST too easy?",
     "the seven questions with their rules, stability and alternative rules, the label-noise "
     "floor, the README's claims tested, the errors the best model still makes, references"),
)
PROVENANCE_ORDER = ("python", "platform", "cpu", "cpu_count", "git_commit")
MAX_ERROR = 160
CAPPED = "†"  # marks a model that stopped at its iteration cap
LEGEND = "accuracy.md#model-names"


def models_scope(seeds_per_model: dict[str, int]) -> str:
    """"4 models × 3 seeds", or "17 models (4 × 3 seeds, 13 × 1 seed)" when seeds differ."""
    groups = Counter(seeds_per_model.values())
    if len(groups) <= 1:
        return f"{len(seeds_per_model)} models × {plural(next(iter(groups), 0), 'seed')}"
    parts = ", ".join(f"{n} × {plural(k, 'seed')}" for k, n in sorted(groups.items(),
                                                                      reverse=True))
    return f"{len(seeds_per_model)} models ({parts})"


def answer_sentence(found: Sequence[Answer]) -> str:
    """One sentence: the overall answer and how many senses get each first-screen answer."""
    if not found:
        return "**Is MNIST too easy? Undecided:** no question could be answered."
    counts = Counter(a.shown for a in found)
    overall = (next(iter(counts)) if len(counts) == 1
               else PARTLY if counts[YES] or counts[PARTLY] else NO if counts[NO] else UNCLEAR)
    parts = [f"{word.lower()} in {n}" for word in (YES, PARTLY, NO, UNCLEAR)
             if (n := counts[word])]
    parts[0] += f" of the {len(found)} senses below"
    tail = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
    return (f"**Is MNIST too easy? {overall}:** {tail} (an answer that fewer than "
            f"{100 * STABLE:.0f}% of resamples keep is shown as unclear).")


def stability_cell(a: Answer) -> str:
    """How many resamples keep the rule's answer, e.g. ``"93% (Yes)"``."""
    return "not checked" if math.isnan(a.stability) else f"{100 * a.stability:.0f}% ({a.answer})"


def answer_table(found: Sequence[Answer]) -> str:
    """A row per question: the first-screen answer, the key figure, its interval, stability."""
    rows = [[f"[{md(a.question)}](mnist-too-easy.md#{a.key})", f"**{a.shown}**", a.figure,
             a.interval, stability_cell(a)] for a in found]
    return markdown_table(["Is MNIST too easy? In this sense:", "answer",
                           "MNIST vs Fashion-MNIST", "95% interval",
                           "resamples keeping the answer"], rows,
                          ["left", "left", "right", "right", "right"])


def summary_figure(inputs: ReportInputs, m: Measures, fig_dir: Path) -> str:
    """Every model's MNIST and Fashion-MNIST test error with the references, best first."""
    names = short_names(inputs.models)
    cells = {(c.model, d): c for d in (MNIST, FASHION) for c in m.boot.full_cells(d)}
    models = sorted({mo for mo, _ in cells}, key=lambda mo: (
        -cells[(mo, MNIST)].accuracy.value if (mo, MNIST) in cells else 1, names.get(mo, mo)))
    rows = [(names.get(mo, mo), {d: (100 * (1 - c.accuracy.value), 100 * (1 - c.accuracy.high),
                                     100 * (1 - c.accuracy.low))
                                 for d in (MNIST, FASHION) if (c := cells.get((mo, d)))},
             ratio(error_ratio(cells[(mo, FASHION)], cells[(mo, MNIST)]))
             if (mo, MNIST) in cells and (mo, FASHION) in cells else MISSING) for mo in models]
    refs = [(d, 100 * (1 - float(r.value)), f"best published {dataset_title(d)} ({r.short})",
             ":") for d, r in m.refs.best_published.items()]
    refs += [(d, 100 * float(r.value) / 10_000, f"{dataset_title(d)} label errors ({r.short})",
              "--") for d, r in m.refs.label_errors.items()]
    path = figures.error_summary(figure_path(fig_dir, "summary"), rows,
                                 {d: dataset_title(d) for d in (MNIST, FASHION)}, refs)
    return figure_link(path, "test error per model on MNIST and Fashion-MNIST, log scale")


def first_screen(inputs: ReportInputs, m: Measures, found: Sequence[Answer],
                 fig_dir: Path) -> str:
    """The answer sentence, the question table, the summary figure and the method line."""
    if MNIST not in m.datasets or FASHION not in m.datasets:
        have = ", ".join(dataset_title(d) for d in m.datasets) or "none"
        return ("**Is MNIST too easy? Undecided:** the comparison needs results on both MNIST "
                f"and Fashion-MNIST; this store has results on: {have}.")
    seeds = {mo: len({r.seed for r in inputs.runs if r.model == mo}) for mo in inputs.models}
    return join_blocks(
        answer_sentence(found), answer_table(found), summary_figure(inputs, m, fig_dir),
        f"_Method: {models_scope(seeds)} on both test sets; {METHOD}. The rules, how often "
        "each answer survives resampling and the readings: [Is MNIST too easy?]"
        f"(mnist-too-easy.md#how-to-read-it); model names: [legend]({LEGEND})._")


def stopped_at_cap(r: RunRecord) -> bool:
    """Whether the record holds scikit-learn's ConvergenceWarning (it stopped at its cap)."""
    return any(w.startswith("ConvergenceWarning") for w in r.warnings)


def model_cell(model: str, names: dict[str, str], runs: Iterable[RunRecord]) -> str:
    """The model's display name, marked when a run of it stopped at its iteration cap."""
    capped = any(stopped_at_cap(r) for r in runs if r.model == model)
    return md(names.get(model, model)) + (f" {CAPPED}" if capped else "")


def convergence_note(runs: Iterable[RunRecord], names: dict[str, str]) -> str:
    """The footnote to :data:`CAPPED`: each capped model's cap and measured fit times."""
    capped = sorted((r for r in runs if stopped_at_cap(r)), key=lambda r: (r.model, r.dataset == FASHION))
    parts = [f"{md(names.get(mo, mo))} (`max_iter` = {mine[0].params.get('max_iter', '?')}; "
             + ", ".join(f"{seconds(fmean(r.fit_seconds for r in mine if r.dataset == d))} "
                         f"per fit on {dataset_title(d)}"
                         for d in dict.fromkeys(r.dataset for r in mine)) + ")"
             for mo in dict.fromkeys(r.model for r in capped)
             if (mine := [r for r in capped if r.model == mo and r.fit_seconds is not None])]
    return (f"{CAPPED} Stopped at its iteration cap (scikit-learn's ConvergenceWarning in the "
            "record): its accuracy may still rise with more iterations. " + "; ".join(parts)
            + ". Fit time grows about linearly with the iterations, so a cap k times higher "
            "costs about k times the fit time shown.") if parts else ""


def headline_table(inputs: ReportInputs, m: Measures) -> str:
    """Model x dataset: test accuracy (%) with the combined interval, and fit time."""
    rows, names = [], short_names(inputs.models)
    for model in inputs.models:
        row, fits = [model_cell(model, names, inputs.runs)], []
        for d in inputs.datasets:
            recs = inputs.runs_of(model, d)
            cell = m.boot.full(model, d)
            if not recs or cell is None:
                row.append(MISSING)
                continue
            row.append(combined_cell([r.test_accuracy for r in recs], cell.n_test,
                                     cell.effective_runs))
            fits.append(seconds(cell.fit_seconds))
        rows.append(row + [" / ".join(fits) or MISSING])
    headers = ["model", *[f"{dataset_title(d)} test acc. (%)" for d in inputs.datasets],
               "fit time per run (" + " / ".join(dataset_title(d) for d in inputs.datasets)
               + ")"]
    return markdown_table(headers, rows, ["left"] + ["right"] * (len(inputs.datasets) + 1))


def _provenance(inputs: ReportInputs) -> dict[str, Any]:
    """The run-info's provenance, else the first headline record's (validated objects)."""
    return ((inputs.run_info or {}).get("provenance")
            or next((r.provenance for r in inputs.runs if r.provenance), {}))


def _when(inputs: ReportInputs) -> tuple[str, str, str]:
    """(started, finished, wall time) from run-info.json, else from the records."""
    info = inputs.run_info or {}
    started = info.get("started_at") or min((r.started_at for r in inputs.runs if r.started_at),
                                            default=MISSING)
    finished = info.get("finished_at") or max(
        (r.finished_at for r in inputs.runs if r.finished_at), default=MISSING)
    if isinstance(info.get("wall_seconds"), int | float):
        wall = seconds(float(info["wall_seconds"]))
    else:
        total = sum(r.wall_seconds or 0.0 for r in (*inputs.runs, *inputs.curve_runs))
        wall = f"{seconds(total)} (sum of the jobs' wall times; no run-info.json for this profile)"
    return str(started), str(finished), wall


def record_origins(records: Sequence[RunRecord]) -> list[list[str]]:
    """One row per code commit that made the records (commit, jobs, first start, last finish,
    summed wall time), oldest first: a store is filled by several invocations."""
    groups: dict[str, list[RunRecord]] = {}
    for rec in records:
        commit = (rec.provenance or {}).get("git_commit")
        groups.setdefault(str(commit)[:12] if commit else "unknown", []).append(rec)
    rows = []
    for commit, recs in groups.items():
        starts = sorted(r.started_at for r in recs if r.started_at)
        ends = sorted(r.finished_at for r in recs if r.finished_at)
        rows.append([code(commit) if commit != "unknown" else "not recorded", f"{len(recs)}",
                     md(starts[0][:16].replace("T", " ")) if starts else MISSING,
                     md(ends[-1][:16].replace("T", " ")) if ends else MISSING,
                     seconds(sum(r.wall_seconds or 0.0 for r in recs))])
    return sorted(rows, key=lambda row: (row[2], row[0]))


def how_made(inputs: ReportInputs) -> str:
    info = inputs.run_info or {}
    prov = _provenance(inputs)
    started, finished, wall = _when(inputs)
    seeds = info.get("seeds") or sorted({r.seed for r in inputs.runs})
    rows = [["command", code(portable(info["command"])) if info.get("command")
             else "not recorded (no run-info.json for this profile)"],
            ["profile", md(inputs.profile)],
            ["seeds", ", ".join(str(s) for s in seeds)],
            ["started", md(started)], ["finished", md(finished)], ["total wall time", wall]]
    if isinstance(info.get("jobs"), int):
        rows.append(["jobs", _jobs_cell(info["jobs"], info.get("jobs_executed"))])
    keys = [k for k in PROVENANCE_ORDER if k in prov]
    keys += sorted(k for k in prov if k not in PROVENANCE_ORDER and k != "packages"
                   and isinstance(prov[k], str | int | float | bool))
    rows += [[md(k.replace("_", " ")), md(prov[k])] for k in keys]
    origins = record_origins([*inputs.runs, *inputs.curve_runs, *inputs.sweep_runs])
    blocks = ["## How the run was made"]
    if len(origins) > 1:
        blocks.append("The latest invocation that trained jobs for this profile (its run-info; "
                      "the table after it lists every invocation the records come from):")
    blocks.append(markdown_table(["", ""], rows, ["left", "left"]))
    if len(origins) > 1:
        blocks += ["The records in the store come from several invocations (cached jobs are "
                   "reused, not re-run). By the code commit each worker started from (UTC; "
                   "records made before workers recorded it at start carry the commit at the "
                   "end of their first job):",
                   markdown_table(["code commit", "jobs", "first started", "last finished",
                                   "jobs' wall time, summed"], origins,
                                  ["left", "right", "left", "left", "right"])]
    packages = prov.get("packages")
    if isinstance(packages, dict) and packages:
        blocks += ["Package versions:",
                   markdown_table(["package", "version"],
                                  [[md(k), md(v)] for k, v in sorted(packages.items())],
                                  ["left", "left"])]
    return join_blocks(*blocks)


def portable(command: str) -> str:
    """The command without the machine's folders: ``/work/run/results`` → ``…/results``."""
    return re.sub(r"(?<![\w.~])/(?:[^\s/]+/)*([^\s/]+)", r"…/\1", command)


def _jobs_cell(jobs: int, executed) -> str:
    """How many jobs the run planned and how many it trained itself."""
    if not isinstance(executed, int):
        return f"{jobs}"
    if executed == jobs:
        return f"{jobs} (all trained in that run)"
    return f"{jobs} ({executed} trained in that run, the rest reused from the store)"


def _first_line(text: str | None) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= MAX_ERROR else line[:MAX_ERROR - 1] + "…"


def failures(records: tuple[RunRecord, ...], left_out: tuple[RunRecord, ...] = ()) -> str:
    blocks = ["## Jobs that did not succeed"]
    if not records:
        blocks.append("None: every job in the store finished with status `ok`.")
    else:
        rows = [[md(r.model), dataset_title(r.dataset), r.seed, md(r.profile),
                 f"{r.train_size:,}", r.status, md(_first_line(r.error)) or MISSING]
                for r in records]
        blocks += [f"{len(records)} job(s) did not finish with status `ok`; they are left out "
                   "of every statistic. Rerun them with the same command to retry.",
                   markdown_table(["model", "dataset", "seed", "profile", "train size", "status",
                                   "error"], rows)]
    if left_out:
        listed = "; ".join(f"{md(r.model)} on {dataset_title(r.dataset)} seed {r.seed}, "
                           f"{r.train_size:,} images ({code(r.key)})" for r in left_out)
        blocks.append(f"{len(left_out)} other successful record(s) for the same model, dataset, "
                      "seed and training size were left out, in favour of the parameters most "
                      f"of the model's runs share, then the latest: {listed}.")
    return join_blocks(*blocks)


ROBUSTNESS = ("robustness.md", "Robustness", "accuracy on corrupted test images (after MNIST-C) "
              "with intervals, its heatmap, the mean drop per model, accuracy on the line")


def render(inputs: ReportInputs, m: Measures, found: Sequence[Answer], fig_dir: Path) -> Page:
    """The index page: the answer first."""
    pages = PAGES + ((ROBUSTNESS,) if any(r.corrupted for r in inputs.runs) else ())
    links = "\n".join(f"- [{title}]({name}): {what}." for name, title, what in pages)
    text = join_blocks(
        "# MNIST vs Fashion-MNIST: is MNIST too easy?",
        first_screen(inputs, m, found, fig_dir),
        "Generated by `python -m bench report` from the result store; regenerate rather than "
        "edit. " + scope_line(inputs),
        "## Headline: test accuracy",
        "Test accuracy in percent: " + COMBINED_RULE + " (± is this half-width in every "
        "accuracy column of the reports). Fit time is the mean per run.",
        headline_table(inputs, m),
        convergence_note(inputs.runs, short_names(inputs.models)),
        "## Reports",
        links,
        how_made(inputs),
        failures(inputs.unsuccessful, inputs.left_out),
        ("## Notes\n\n" + "\n".join(f"- {n}" for n in inputs.notes)) if inputs.notes else "",
    )
    return Page("README.md", text)
