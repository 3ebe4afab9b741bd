"""reports/mnist-too-easy.md: the evidence side by side, and the verdict drawn from it."""

from __future__ import annotations

import math
from pathlib import Path

from bench.reports import figures
from bench.reports.evidence import (
    BEST_PUBLISHED,
    FASHION,
    HIGH_ACCURACY,
    HUMAN,
    MNIST,
    PIXEL_GOOD,
    Evidence,
    PixelSummary,
    collect,
    pair_outcomes,
)
from bench.reports.inputs import (
    N_SAMPLES,
    ReportInputs,
    class_names,
    confident_mistakes,
    dataset_title,
    evaluated_indices,
    sample_record,
)
from bench.reports.page import Page, figure_link, join_blocks, scope_line
from bench.reports.safe import md, slug
from bench.reports.tables import MISSING, markdown_table, number, pct, signed_pp
from bench.reports.verdict import paragraph, small_data
from bench.stats import ALPHA

FOLKLORE = "Most pairs of MNIST digits can be distinguished pretty well by just one pixel."
MCNEMAR_RULE = (
    "For every pair of models evaluated on the same test images with the same seed, McNemar's "
    "exact test (a two-sided binomial test on the images exactly one of the two gets right). "
    f"p-values are Holm-corrected over the model pairs of each dataset and seed, α = {ALPHA}. "
    "A pair counts as significantly different on a dataset only if it is significant on "
    "**every** seed it was tested on.")


def _spread_section(ev: Evidence, datasets: tuple[str, ...]) -> str:
    rows = [[dataset_title(d), s.n_models, s.above, f"{pct(s.low)} ({md(s.worst)})",
             f"{pct(s.high)} ({md(s.best)})", number(100 * s.range), number(100 * s.std)]
            for d in datasets if (s := ev.spreads.get(d)) is not None]
    table = markdown_table(["dataset", "models", f"> {100 * HIGH_ACCURACY:.0f}%",
                            "lowest (%)", "highest (%)", "range (pp)", "std (pp)"], rows,
                           ["left"] + ["right"] * 6)
    return join_blocks("## a. Spread across models",
                       "Seed-mean test accuracy of each model; std across models.", table)


def _pairs_section(ev: Evidence, datasets: tuple[str, ...]) -> str:
    rows = []
    for d in datasets:
        disc = ev.discrimination.get(d)
        if disc is None:
            continue
        seeds = "; ".join(f"seed {s}: {k} of {n}" for s, k, n in disc.per_seed) or MISSING
        rows.append([dataset_title(d), disc.possible, disc.n_pairs, disc.n_significant, seeds])
    summary = markdown_table(["dataset", "model pairs", "tested", "significant on all seeds",
                              "significant per seed (Holm)"], rows,
                             ["left", "right", "right", "right", "left"])
    detail = [[dataset_title(o.dataset), md(o.model_a), md(o.model_b), len(o.seeds), o.only_a, o.only_b,
               f"{o.max_p_holm:.2g}", "yes" if o.significant else "no"]
              for o in pair_outcomes(ev.tests)]
    blocks = ["## b. Can the dataset tell models apart?", MCNEMAR_RULE, summary]
    if detail:
        blocks += ["Per pair, counts summed over seeds (A = first model, B = second):",
                   markdown_table(["dataset", "model A", "model B", "seeds", "A right, B wrong",
                                   "B right, A wrong", "largest Holm p", "significant"], detail,
                                  ["left", "left", "left"] + ["right"] * 4 + ["left"])]
    else:
        blocks.append("No pair could be tested: the test labels are unknown (no cached analysis "
                      "and no data), the runs stored no predictions, or no two models share a "
                      "test set.")
    return join_blocks(*blocks)


def _headroom_section(ev: Evidence) -> str:
    rows = [[md(h.model), dataset_title(h.dataset), pct(h.accuracy), pct(1 - h.accuracy),
             pct(h.reference), signed_pp(h.gap), number(h.error_ratio, 1),
             signed_pp(h.accuracy - h.human) if not math.isnan(h.human) else MISSING]
            for h in ev.headroom]
    refs = ", ".join(f"{dataset_title(d)} {pct(v)}%" for d, v in BEST_PUBLISHED.items())
    humans = ", ".join(f"{dataset_title(d)} {pct(v, 1)}%" for d, v in HUMAN.items())
    return join_blocks(
        "## c. Headroom",
        f"Reference accuracies: best published {refs}; human accuracy {humans} (no human "
        "figure is used for MNIST). Headroom = best published − model accuracy; the error "
        "ratio is the model's error rate over the best published error rate.",
        markdown_table(["model", "dataset", "test acc. (%)", "error (%)", "best published (%)",
                        "headroom (pp)", "error ratio", "vs human (pp)"], rows,
                       ["left", "left"] + ["right"] * 6))


def _pair_name(labels: tuple[str, ...], a: int, b: int) -> str:
    return f"{labels[a]} / {labels[b]}"


def _scored_pair(labels: tuple[str, ...], pair) -> str:
    return f"{pct(pair.test_accuracy, 1)} ({_pair_name(labels, pair.a, pair.b)})"


def _pixel_text(m: PixelSummary | None, f: PixelSummary | None) -> str:
    if m is None:
        return "The MNIST separability analysis is unavailable."
    n = len(m.pairs)
    most = m.good > n / 2
    out = (f"The folklore, quoted in the Fashion-MNIST README, says: “{FOLKLORE}” Here the "
           f"best single pixel reaches ≥ {100 * PIXEL_GOOD:.0f}% test accuracy on {m.good} of "
           f"{n} MNIST pairs (median {pct(m.median, 1)}%), so “most pairs” "
           f"{'holds' if most else 'does not hold'} at that bar; the hardest MNIST pair "
           f"reaches {pct(m.hardest.test_accuracy, 1)}%.")
    if f is not None:
        out += (f" On Fashion-MNIST {f.good} of {len(f.pairs)} pairs reach it (median "
                f"{pct(f.median, 1)}%).")
        if f.median >= m.median:
            out += (" So one pixel separates Fashion-MNIST pairs at least as well as MNIST "
                    "pairs: on this measure MNIST is not the easier dataset, which contradicts "
                    "using the folklore as an argument that MNIST is too easy.")
        else:
            out += " One pixel separates MNIST pairs better, as the folklore suggests."
    return out


def _pixel_section(ev: Evidence, datasets: tuple[str, ...], fig_dir: Path,
                   ) -> tuple[str, list[Path]]:
    intro = ("For each pair of classes, the best rule “pixel > threshold → one class, else the "
             "other” is chosen on the training images of the two classes (all 784 pixels × 256 "
             "thresholds × 2 directions) and scored on their test images.")
    pixels = {d: ev.pixels[d] for d in datasets if d in ev.pixels}
    if not pixels:
        return join_blocks("## d. Single-pixel separability", intro,
                           "Unavailable: no cached analysis and the data could not be "
                           "loaded (see the notes at the end)."), []
    rows = [[dataset_title(d), len(p.pairs), pct(p.median, 1),
             _scored_pair(class_names(d), p.hardest), _scored_pair(class_names(d), p.easiest),
             p.good] for d, p in pixels.items()]
    table = markdown_table(["dataset", "pairs", "median test acc. (%)", "hardest pair (%)",
                            "easiest pair (%)", f"pairs ≥ {100 * PIXEL_GOOD:.0f}%"], rows,
                           ["left"] + ["right"] * 5)
    path = figures.separability_heatmaps(
        fig_dir / "single-pixel.png", {d: p.matrix() for d, p in pixels.items()},
        {d: dataset_title(d) for d in pixels}, {d: class_names(d) for d in pixels})
    details = []
    for d, p in pixels.items():
        labels = class_names(d)
        prow = [[_pair_name(labels, q.a, q.b), f"({q.row_col[0]}, {q.row_col[1]})",
                 f"> {q.threshold} → {labels[q.high]}", pct(q.train_accuracy, 1),
                 pct(q.test_accuracy, 1)]
                for q in sorted(p.pairs, key=lambda q: (q.test_accuracy, q.a, q.b))]
        details.append(f"<details><summary>{dataset_title(d)}: all {len(p.pairs)} pairs, "
                       "hardest first</summary>\n\n"
                       + markdown_table(["pair", "pixel (row, col)", "rule", "train acc. (%)",
                                         "test acc. (%)"], prow,
                                        ["left", "left", "left", "right", "right"])
                       + "\n\n</details>")
    text = join_blocks("## d. Single-pixel separability", intro, table,
                       figure_link(path, "single-pixel separability per class pair"),
                       _pixel_text(pixels.get(MNIST), pixels.get(FASHION)), *details)
    return text, [path]


def _curve_section(ev: Evidence, fig_dir: Path) -> tuple[str, list[Path]]:
    head = "## e. Learning curve"
    if not ev.curves:
        return join_blocks(head, "No learning-curve runs in this profile "
                           "(`python -m bench run-all` makes them for the fast models)."), []
    sizes = sorted({p.train_size for d in ev.curves.values() for pts in d.values() for p in pts})
    rows = []
    for d, by_model in ev.curves.items():
        for model, pts in by_model.items():
            at = {p.train_size: p for p in pts}
            rows.append([md(model), dataset_title(d)]
                        + [pct(at[s].mean) if s in at else MISSING for s in sizes])
    table = markdown_table(["model", "dataset", *[f"{s:,}" for s in sizes]], rows,
                           ["left", "left"] + ["right"] * len(sizes))
    path = figures.learning_curves(
        fig_dir / "learning-curve.png",
        {d: {m: [(p.train_size, p.mean) for p in pts] for m, pts in by.items()}
         for d, by in ev.curves.items()},
        {d: dataset_title(d) for d in ev.curves})
    intro = ("Mean test accuracy (%) over seeds against the number of training images "
             "(stratified, seeded subsets; the largest size is the headline run).")
    reading = small_data(ev)
    text = (f"Reading: {reading.evidence}." if reading.holds is not None else "")
    return join_blocks(head, intro, table, figure_link(path, "learning curves"), text), [path]


def _samples_section(inputs: ReportInputs, fig_dir: Path) -> tuple[str, list[Path]]:
    blocks = ["## f. Sample predictions",
              f"The first {N_SAMPLES} test images the best model (highest mean test accuracy) "
              "was evaluated on, at its lowest seed: predicted label above each image, green "
              "when right, red when wrong with the true label in brackets. Then the most "
              "confident mistakes of any model (at each model's lowest seed)."]
    made = []
    for d in inputs.datasets:
        found = inputs.analyses.get(d)
        rec = sample_record(inputs.runs, d)
        labels = class_names(d)
        if found is None or rec is None:
            blocks.append(f"{dataset_title(d)}: unavailable (no cached images or predictions).")
            continue
        truth, preds = inputs.truth(rec), inputs.predictions(rec)
        indices = evaluated_indices(rec, found.test_labels)
        if truth is None or preds is None or indices is None:
            blocks.append(f"{dataset_title(d)}: unavailable (test positions unknown).")
            continue
        pos = [i for i in range(min(N_SAMPLES, len(preds))) if found.image(indices[i]) is not None]
        right = [bool(preds[i] == truth[i]) for i in pos]
        caps = [labels[preds[i]][:11] + ("" if ok else f" ({labels[truth[i]][:11]})")
                for i, ok in zip(pos, right, strict=True)]
        if pos:
            title = (f"{dataset_title(d)}: {rec.model}, seed {rec.seed} — {sum(right)} of "
                     f"{len(pos)} right")
            path = figures.image_grid(fig_dir / f"samples-{slug(d)}.png", title,
                                      [found.image(indices[i]) for i in pos], caps, right)
            made.append(path)
            blocks += [f"### {dataset_title(d)}", figure_link(path, f"{dataset_title(d)} samples")]
        text, path = _mistakes(inputs, d, fig_dir)
        blocks.append(text)
        made += [path] if path else []
    return join_blocks(*blocks), made


def _mistakes(inputs: ReportInputs, d: str, fig_dir: Path) -> tuple[str, Path | None]:
    found = inputs.analyses[d]
    labels = class_names(d)
    mistakes = [m for m in confident_mistakes(inputs.runs, d)
                if found.image(int(m["index"])) is not None]
    if not mistakes:
        return "No confident mistakes recorded.", None
    rows = [[int(m["index"]), labels[int(m["true"])], labels[int(m["pred"])],
             number(float(m["confidence"]), 3), m["model"]] for m in mistakes]
    caps = [f"{labels[int(m['pred'])][:11]} ({labels[int(m['true'])][:11]})\n"
            f"{m['model'][:20]} {float(m['confidence']):.2f}" for m in mistakes]
    path = figures.image_grid(fig_dir / f"mistakes-{slug(d)}.png",
                              f"{dataset_title(d)}: most confident mistakes",
                              [found.image(int(m["index"])) for m in mistakes], caps,
                              [False] * len(mistakes), ncols=4)
    table = markdown_table(["test index", "true", "predicted", "confidence", "model"], rows,
                           ["right", "left", "left", "right", "left"])
    return join_blocks(table, figure_link(path, f"{dataset_title(d)} confident mistakes")), path


def render(inputs: ReportInputs, fig_dir: Path, ev: Evidence | None = None) -> Page:
    """The too-easy page and its figures (``ev`` is collected when not given)."""
    ev = ev if ev is not None else collect(inputs)
    pixel_text, pixel_figs = _pixel_section(ev, inputs.datasets, fig_dir)
    curve_text, curve_figs = _curve_section(ev, fig_dir)
    sample_text, sample_figs = _samples_section(inputs, fig_dir)
    notes = ("## Notes\n\n" + "\n".join(f"- {n}" for n in inputs.notes)) if inputs.notes else ""
    text = join_blocks(
        "# Is MNIST too easy?",
        scope_line(inputs),
        paragraph(ev, inputs.datasets),
        _spread_section(ev, inputs.datasets),
        _pairs_section(ev, inputs.datasets),
        _headroom_section(ev),
        pixel_text,
        curve_text,
        sample_text,
        notes,
    )
    return Page("mnist-too-easy.md", text, (*pixel_figs, *curve_figs, *sample_figs))

