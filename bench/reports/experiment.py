"""An experiment's report (``bench report --suite``) in ``<reports>/suites/<name>/``, from the
records ``bench.api`` finds by planning the suite: each configuration (labelled as on the
console) is a model of its own to the paired bootstrap; the reference reports are left alone."""

from __future__ import annotations

import math
import os
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.data.specs import DATASET_NAMES
from bench.reports import analysis, tables, writer
from bench.reports.inputs import ReportInputs, choose_per_job, dataset_title, record_checksums
from bench.reports.measures import FASHION, METHOD, MNIST, Bootstrap, Cell, Estimate, estimate
from bench.reports.page import join_blocks, plural
from bench.reports.safe import code, md, slug
from bench.results import record as rec
from bench.results.record import ROLE_CURVE, ROLE_HEADLINE, RunRecord
from bench.stats import ALPHA, holm_adjust, percentile_interval, row_spearman


def write_experiment(name: str, records: list[RunRecord], missing: int,
                     results_dir: str | os.PathLike, reports_dir: str | os.PathLike) -> list[Path]:
    """Write the report of experiment ``name`` from its ok ``records`` (``missing``: planned
    jobs without one) into ``<reports_dir>/suites/<name>/``; the files written."""
    writer.check_can_publish(reports_dir)
    inputs = experiment_inputs(records, results_dir)
    text = render(name, inputs, Bootstrap(inputs), missing)
    return writer.publish(Path(reports_dir) / writer.SUITES_FOLDER / slug(name),
                          lambda _figures: {"README.md": text})


def experiment_inputs(records: list[RunRecord], results_dir: str | os.PathLike) -> ReportInputs:
    """Inputs whose models are the configurations (without headline runs, the largest size's)."""
    varying = rec.varying_params([r for r in records if r.role == ROLE_HEADLINE] or records)
    order = {rec.configuration_label(r, varying): rec.configuration_order(r) for r in records}
    labelled = [replace(r, job=replace(r.job, model=rec.configuration_label(r, varying)))
                for r in records]
    curve, _ = choose_per_job(r for r in labelled if r.role == ROLE_CURVE)
    runs, _ = choose_per_job(r for r in labelled if r.role == ROLE_HEADLINE)
    if not runs and curve:
        largest = max(r.train_size for r in curve)
        runs, curve = ([r for r in curve if (r.train_size == largest) == keep]
                       for keep in (True, False))
    datasets = tuple(sorted({r.dataset for r in labelled}, key=lambda d: (
        DATASET_NAMES.index(d) if d in DATASET_NAMES else len(DATASET_NAMES), d)))
    found = {d: analysis.load_or_compute(results_dir, d, record_checksums(labelled, d) or {})
             for d in datasets}  # the test labels, to pair predictions image by image
    notes = tuple(f"{dataset_title(d)}: {md(f.note)}" for d, f in found.items() if f.note)
    return ReportInputs(records[0].profile, tuple(runs), tuple(curve), (), (), (), None, datasets,
                        tuple(sorted({r.model for r in runs}, key=order.get)),
                        {d: f.analysis for d, f in found.items() if f.analysis}, notes)


def render(name: str, inputs: ReportInputs, boot: Bootstrap, missing: int) -> str:
    seeds = len({r.seed for r in inputs.runs})
    scope = (f"Profile {code(inputs.profile)}, {plural(seeds, 'seed')}; "
             f"{plural(len(inputs.models), 'configuration')}, "
             f"{plural(len(inputs.runs) + len(inputs.curve_runs), 'successful run')}.")
    if inputs.runs and inputs.runs[0].role == ROLE_CURVE:
        scope += (" Every run is a learning-curve point: the best configurations and the "
                  f"transfer are read at {inputs.runs[0].train_size:,} training images.")
    if missing:
        scope += f" Planned jobs without a successful result (left out): {missing}."
    return join_blocks(f"# Experiment {md(name)}", scope, *inputs.notes,
                       _configurations(inputs, boot), _best(inputs, boot), _transfer(boot))


def _configurations(inputs: ReportInputs, boot: Bootstrap) -> str:
    """One row per configuration and training size (a learning curve has several)."""
    runs, rows = (*inputs.runs, *inputs.curve_runs), []
    for model in inputs.models:
        for size in sorted({s for (m, _, s) in boot.cells if m == model}):
            row = [md(model), f"{size:,}"]
            for cell in (boot.cells.get((model, d, size)) for d in inputs.datasets):
                accs = [r.test_accuracy for r in runs if cell and
                        (r.model, r.dataset, r.train_size) == (model, cell.dataset, size)]
                row += [tables.combined_cell(accs, cell.n_test, cell.effective_runs),
                        tables.seconds(cell.fit_seconds)] if cell else [tables.MISSING] * 2
            rows.append(row)
    headers = ["configuration", "training images"] + [
        f"{dataset_title(d)} {h}" for d in inputs.datasets for h in ("test acc. (%)", "fit time")]
    table = tables.markdown_table(headers, rows, ["left"] + ["right"] * (len(headers) - 1))
    return join_blocks("## Configurations", "One row per configuration (the model and the "
                       "parameters that vary between its runs) and training-set size. Test "
                       f"accuracy: {tables.COMBINED_RULE}; fit time: the mean over seeds.", table)


def _difference(best: Cell, other: Cell) -> tuple[Estimate, float] | None:
    """``best − other`` from paired replicates, with its two-sided bootstrap p-value."""
    a, b = best.accuracy.replicates, other.accuracy.replicates
    if a is None or b is None or best.digest != other.digest:
        return None
    diff = a - b
    p = min(1.0, 2 * (min(np.sum(diff <= 0), np.sum(diff >= 0)) + 1) / (diff.size + 1))
    return Estimate(best.accuracy.value - other.accuracy.value, *percentile_interval(diff)), p


def _best(inputs: ReportInputs, boot: Bootstrap) -> str:
    blocks = ["## The best configuration per dataset",
              "Each configuration against the best: a two-sided paired bootstrap test of the "
              "difference (the same resampled test images for both), Holm-adjusted over the "
              f"comparisons with the best; *tied* when the adjusted p-value is at least {ALPHA}. "
              f"The best is picked on the images it is compared on, so it is the best here. "
              f"Intervals: {METHOD}."]
    for dataset in inputs.datasets:
        cells = sorted(boot.full_cells(dataset),
                       key=lambda c: (-c.accuracy.value, inputs.models.index(c.model)))
        if not cells:
            continue
        tests = [_difference(cells[0], c) for c in cells[1:]]
        adjusted = iter(holm_adjust([t[1] for t in tests if t is not None]))
        best = tables.with_interval(cells[0].accuracy, 100)
        rows, tied = [[md(cells[0].model), best, "", "", "best"]], []
        for cell, test in zip(cells[1:], tests, strict=True):
            p = next(adjusted) if test else math.nan
            verdict = "untested" if not test else "tied" if p >= ALPHA else "worse"
            tied += [md(cell.model)] if verdict == "tied" else []
            rows.append([md(cell.model), tables.with_interval(cell.accuracy, 100),
                         tables.pp(test[0]) if test else "", f"{p:.3g}" if test else "", verdict])
        blocks += [f"### {dataset_title(dataset)}",
                   f"Best: **{md(cells[0].model)}**; statistically tied with it: "
                   f"{', '.join(tied) or 'none'}.",
                   tables.markdown_table(["configuration", "test acc. (%) [95%]",
                                          "best − this [95%]", "Holm-adjusted p", "verdict"],
                                         rows, ["left", "right", "right", "right", "left"])]
    return join_blocks(*blocks)


def _transfer(boot: Bootstrap) -> str:
    """Does the MNIST ranking predict Fashion-MNIST's; what does the MNIST pick cost there?"""
    head = "## MNIST → Fashion-MNIST: would tuning on MNIST have picked the best?"
    pairs = [(m, f) for m in boot.full_cells(MNIST) if (f := boot.full(m.model, FASHION))]
    if len(pairs) < 2:
        return join_blocks(head, "Needs two configurations or more run on both datasets.")
    xm, xf = (np.array([p[i].accuracy.value for p in pairs]) for i in (0, 1))
    replicated = all(c.accuracy.replicates is not None for pair in pairs for c in pair)
    if replicated:
        rm, rf = (np.stack([p[i].accuracy.replicates for p in pairs], axis=1) for i in (0, 1))
    spearman = (estimate(row_spearman(rm, rf), float(row_spearman(xm, xf))) if replicated
                else Estimate(float(row_spearman(xm, xf)), math.nan, math.nan))
    rho = (f"Spearman's ρ of the configurations' MNIST and Fashion-MNIST accuracies over "
           f"{plural(len(pairs), 'configuration')}: {tables.with_interval(spearman)} (95% "
           "bootstrap interval over the test images and seeds).")
    if len(pairs) < 5:
        rho += f" With {len(pairs)} configurations ρ only describes."
    picked = max(pairs, key=lambda p: p[0].accuracy.value)[1]
    best = max((f for _, f in pairs), key=lambda c: c.accuracy.value)
    cost = Estimate(best.accuracy.value - picked.accuracy.value, math.nan, math.nan)
    if replicated:
        chosen = rf[np.arange(len(rf)), np.argmax(rm, axis=1)]  # the choice in each replicate
        cost = Estimate(cost.value, *percentile_interval(rf.max(axis=1) - chosen))
    return join_blocks(head, rho, (
        f"Picking the configuration best on MNIST (**{md(picked.model)}**) gives "
        f"{tables.pct(picked.accuracy.value)}% on Fashion-MNIST; the best there "
        f"(**{md(best.model)}**) gives {tables.pct(best.accuracy.value)}%: a cost of "
        f"{tables.pp(cost)} (95% bootstrap interval, both choices redone in every replicate)."))
