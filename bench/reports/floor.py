"""MNIST's label-noise floor (the crowd audit of Northcutt et al. 2021, ``label_errors.json``,
Apache-2.0) and two questions read against it: few errors left? headroom?"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.errors import ReportsError
from bench.reports.answers import NO, PARTLY, YES, Answer, stability, unclear
from bench.reports.inputs import ReportInputs
from bench.reports.measures import FASHION, MNIST, PER_10K, Cell, Estimate, Measures, estimate
from bench.reports.names import short_names
from bench.reports.page import join_blocks
from bench.reports.references import References, cite_short
from bench.reports.tables import MISSING, count, markdown_table, percent, ratio, with_interval
from bench.results.record import evaluated_indices
from bench.results.validate import UntrustedFileError, read_json
from bench.stats import BOOTSTRAP_SEED, replicate_accuracies

AUDIT_FILE = Path(__file__).with_name("label_errors.json")
COLUMNS = ["index", "given", "guessed", "votes_given", "votes_guessed", "votes_neither"]
WORKERS, MNIST_TEST = 5, 10_000
MAJORITY = 3  # a label error: fewer than this many of the 5 workers picked the given label
STRICT, LOOSE = 2, 4  # the alternative rules' majorities (7 and 23 label errors)
NEAR = 2.0  # few errors left: the best model's errors are at most this many times the floor
NOISE_SHARE = 0.5  # little headroom: less than this share of those errors lies above the floor
CLAIMS = ((0.97, "classic", "Classic machine learning algorithms can also achieve 97% easily"),
          (0.997, "CNN", "Convolutional nets can achieve 99.7%"))


@dataclass(frozen=True)
class Audit:
    """Rows of :data:`COLUMNS`: test index, given label, the authors' guess, the votes."""

    rows: tuple[tuple[int, ...], ...]

    def indices(self, majority: int | None = None) -> np.ndarray:
        """Every flagged image, or the label errors under ``majority``."""
        return np.array([r[0] for r in self.rows if majority is None or r[3] < majority], int)


def load_audit(path: Path = AUDIT_FILE) -> Audit:
    """The audit, checked row by row; a ``ReportsError`` saying why when it is unusable."""
    try:
        data = read_json(path, 64_000)
        ok = isinstance(data, dict) and data.get("columns") == COLUMNS and data.get(
            "dataset") == MNIST and data.get("workers") == WORKERS
        problem = _bad_rows(data["images"]) if ok else "not the MNIST audit table"
    except (UntrustedFileError, KeyError) as exc:
        problem = str(exc)
    if problem:
        raise ReportsError(f"the MNIST label audit {path} is unusable ({problem}); it ships with "
                           "the package: restore bench/reports/label_errors.json from git.")
    return Audit(tuple(tuple(r) for r in data["images"]))


def _bad_rows(rows: object) -> str:
    """Why ``rows`` is not a table of audited images ('' when it is)."""
    if not isinstance(rows, list) or not 0 < len(rows) <= MNIST_TEST or not all(
            isinstance(r, list) and len(r) == 6 and all(type(v) is int for v in r) for r in rows):
        return f"images are not rows of {len(COLUMNS)} integers"
    for index, given, guessed, for_given, for_guessed, neither in rows:
        same = given == guessed  # then the two counts are the same votes
        if not (0 <= index < MNIST_TEST and 0 <= min(given, guessed) <= max(given, guessed) < 10
                and min(for_given, for_guessed, neither) >= 0 and (for_given == for_guessed or
                                                                    not same)
                and for_given + neither + (0 if same else for_guessed) == WORKERS):
            return f"image {index}: labels or votes out of range"
    return "an image is listed twice" if len({r[0] for r in rows}) < len(rows) else ""


@dataclass(frozen=True, eq=False)
class ModelNoise:
    """One model's MNIST cell next to the audit."""

    model: str
    errors: Estimate  # per 10,000 test images
    per_seed: np.ndarray  # (3, seeds) errors: on all images, the flagged, the label errors
    set_aside: Estimate  # accuracy with the flagged images set aside
    slope: Estimate | None  # errors per doubling of the training set, between its two largest


@dataclass(frozen=True, eq=False)
class Noise:
    models: tuple[ModelNoise, ...]  # fewest errors first
    floors: dict[int, Estimate]  # majority -> label errors per 10,000 (replicates paired)
    fashion: Cell | None  # the best Fashion-MNIST model
    n_flagged: int


def slope(curve: list[Cell]) -> Estimate | None:
    """Change in errors per 10,000 per doubling of the training set, between the two largest
    sizes of a learning curve (negative: still falling)."""
    if len(curve) < 2 or any(c.accuracy.replicates is None for c in curve[-2:]):
        return None
    a, b = curve[-2:]
    per = np.log2(b.train_size / a.train_size)
    return estimate((b.errors.replicates - a.errors.replicates) / per,
                    (b.errors.value - a.errors.value) / per)


def measure_noise(inputs: ReportInputs, m: Measures, audit: Audit) -> Noise | None:
    """None without MNIST predictions on images the audit describes (its given labels)."""
    found = inputs.analyses.get(MNIST)
    cells = sorted((c for c in m.boot.full_cells(MNIST) if c.correct is not None),
                   key=lambda c: (c.errors.value, c.model))
    if found is None or not cells:
        return None
    labels, rows = found.test_labels, np.array(audit.rows)
    if rows[:, 0].max() >= labels.size or np.any(labels[rows[:, 0]] != rows[:, 1]):
        return None
    cells = [c for c in cells if c.digest == cells[0].digest]
    record = next(r for r in inputs.runs if (r.model, r.dataset, r.train_size) == (
        cells[0].model, MNIST, cells[0].train_size))
    where = evaluated_indices(record, labels)
    flagged = np.isin(where, audit.indices())
    weights = m.boot.weights(cells[0])
    masks = {k: np.isin(where, audit.indices(k)).astype(np.float32)
             for k in (STRICT, MAJORITY, LOOSE)}
    floors = {k: estimate(PER_10K * (weights @ v) / v.size, PER_10K * v.mean())
              for k, v in masks.items()}
    kept = weights[:, ~flagged] * (np.sum(~flagged) / weights[:, ~flagged].sum(1, keepdims=True))
    models = tuple(_model_noise(c, flagged, masks[MAJORITY] > 0, kept, m.boot.curve(c.model, MNIST))
                   for c in cells)
    fashion = min(m.boot.full_cells(FASHION), key=lambda c: (c.errors.value, c.model),
                  default=None)
    return Noise(models, floors, fashion, int(flagged.sum()))


def _model_noise(c: Cell, flagged: np.ndarray, is_error: np.ndarray, kept: np.ndarray,
                 curve: list[Cell]) -> ModelNoise:
    wrong, rng = ~c.correct, np.random.default_rng(BOOTSTRAP_SEED)
    aside = replicate_accuracies(c.correct[:, ~flagged], kept, rng)
    return ModelNoise(c.model, c.errors, np.stack([wrong.sum(1), wrong[:, flagged].sum(1),
                                                   wrong[:, is_error].sum(1)]),
                      estimate(aside, c.correct[:, ~flagged].mean()), slope(curve))


def both(a: bool, b: bool | None = None) -> str:
    """Yes when both hold, No when neither, else Partly (``b`` None: ``a`` alone decides)."""
    b = a if b is None else b
    return YES if a and b else NO if not (a or b) else PARTLY


def _best_replicates(estimates: list[Estimate]) -> np.ndarray:
    return np.min(np.stack([e.replicates for e in estimates]), axis=0)


FLOOR_Q = "Are few errors left on MNIST, next to its label noise?"
HEADROOM_Q = "Is little headroom left on MNIST?"
FLOOR_RULE = (f"Yes when the best model's MNIST errors are at most {NEAR:g}× the label-noise "
              "floor and the learning curve of the best model that has one no longer falls "
              "between its two largest sizes (slope interval not wholly below 0), No when "
              "neither, else Partly; a replicate reads its own values for the intervals")
HEADROOM_RULE = ("headroom = the best model's errors above its test set's floor (Fashion-MNIST's "
                 "taken as 0: no audit); Yes when MNIST's headroom interval lies below "
                 f"Fashion-MNIST's and less than {percent(NOISE_SHARE, 0)} of the best MNIST "
                 "model's errors lie above the floor, No when neither, else Partly; a replicate "
                 "compares its own values")


def answers(inputs: ReportInputs, m: Measures, audit: Audit | None = None) -> list[Answer]:
    """The floor (saturation) and headroom answers."""
    return _answers_of(measure_noise(inputs, m, audit or load_audit()), m)


def _answers_of(noise: Noise | None, m: Measures) -> list[Answer]:
    if noise is None:
        why = ("needs stored MNIST predictions on the original test set (whose labels the "
               "audit's given labels match)")
        return [unclear("floor", FLOOR_Q, why, why), unclear("headroom", HEADROOM_Q, why, why)]
    if noise.fashion is None or noise.fashion.accuracy.replicates is None:
        why = "needs stored Fashion-MNIST predictions"
        return [_floor_answer(noise, m), unclear("headroom", HEADROOM_Q, why, why)]
    return [_floor_answer(noise, m), _headroom_answer(noise, m)]


def _floor_answer(noise: Noise, m: Measures) -> Answer:
    best, floor, ref = noise.models[0], noise.floors[MAJORITY], m.refs.best_published[MNIST]
    curve = next((x for x in noise.models if x.slope is not None), None)
    flat = None if curve is None else curve.slope.high >= 0
    point = both(best.errors.value <= NEAR * floor.value, flat)
    reps = _best_replicates([x.errors for x in noise.models])
    flats = [None] * len(reps) if curve is None else curve.slope.replicates >= 0
    times = estimate(reps / np.maximum(floor.replicates, 1),
                     best.errors.value / floor.value if floor.value else np.inf)
    published, names = PER_10K * (1 - ref.value), short_names(x.model for x in noise.models)
    text = (f"The best model, {names[best.model]}, leaves {count(best.errors)} errors per "
            f"10,000 MNIST test images, {ratio(times)} the floor of {floor.value:.0f} label "
            f"errors (resampled: [{floor.low:.0f}, {floor.high:.0f}]); {_seeds(best.per_seed[1])} "
            f"of them fall on the {noise.n_flagged} flagged images, {_seeds(best.per_seed[2])} "
            f"on the label errors. The best published result leaves {published:.0f} "
            f"({cite_short(ref)}), " + (
                f"below the floor: it agrees with the given label on at least "
                f"{floor.value - published:.0f} images the crowd rejected." if published <
                floor.value else "above the floor."))
    if curve is not None:
        a, b = (c.train_size for c in m.boot.curve(curve.model, MNIST)[-2:])
        text += (f" The learning curve of {names[curve.model]} changes by "
                 f"{with_interval(curve.slope, 1, 0)} errors per doubling of the training set "
                 f"from {a:,} to {b:,} images" + (": still falling." if not flat else "."))
    alts = tuple((f"floor of the {noise.floors[k].value:.0f} images {rule}",
                  both(best.errors.value <= NEAR * noise.floors[k].value, flat))
                 for k, rule in ((STRICT, "at most 1 worker saw as labelled"),
                                 (LOOSE, "at most 3 workers saw as labelled")))
    alts += (("within 5× the floor, learning curve ignored",
              both(best.errors.value <= 5 * floor.value)),)
    return Answer("floor", FLOOR_Q, point, f"{best.errors.value:,.0f} errors = "
                  f"{times.value:.1f}× the floor of {floor.value:.0f}",
                  f"[{best.errors.low:,.0f}, {best.errors.high:,.0f}]; [{times.low:.1f}, "
                  f"{times.high:.1f}]×", stability(point, map(both, reps <= NEAR *
                                                             floor.replicates, flats)),
                  FLOOR_RULE, text, alts)


def _headroom_answer(noise: Noise, m: Measures) -> Answer:
    reps = _best_replicates([x.errors for x in noise.models])
    best, fashion = noise.models[0].errors, noise.fashion.errors
    ref = m.refs.best_published[FASHION]
    published = PER_10K * (1 - ref.value)

    def above(k: int) -> tuple[Estimate, Estimate]:
        """Errors above the floor of ``k``, and their share of the best model's (0 of none)."""
        gap = estimate(reps - noise.floors[k].replicates, best.value - noise.floors[k].value)
        share = np.divide(gap.replicates, reps, out=np.zeros_like(reps), where=reps > 0)
        return gap, estimate(share, gap.value / best.value if best.value else 0.0)

    (gap, share), (loose, loose_share) = above(MAJORITY), above(LOOSE)
    f_reps = _best_replicates([c.errors for c in m.boot.full_cells(FASHION)
                               if c.accuracy.replicates is not None])
    point = both(gap.high < fashion.low, share.value < NOISE_SHARE)
    alts = ((f"Fashion-MNIST's floor = the {published:.0f} errors of its best published result",
             both(gap.high < fashion.low - published, share.value < NOISE_SHARE)),
            (f"MNIST floor of {noise.floors[LOOSE].value:.0f} (at most 3 workers saw the image "
             "as labelled)", both(loose.high < fashion.low, loose_share.value < NOISE_SHARE)),
            ("error counts only: MNIST's headroom interval below Fashion-MNIST's",
             both(gap.high < fashion.low)))
    text = (f"The best MNIST model leaves {count(gap)} errors per 10,000 above the label-noise "
            f"floor, {with_interval(share, 100, 0)}% of its errors; the best Fashion-MNIST model "
            f"({short_names([noise.fashion.model])[noise.fashion.model]}) leaves "
            f"{count(fashion)}. Fashion-MNIST has no label audit, so its floor is taken as 0, "
            "which cannot overstate it: its headroom is overstated by however many label "
            f"errors its test set holds (the first alternative rule takes the {published:.0f} "
            f"errors of its best published result, {cite_short(ref)}, as its floor).")
    return Answer("headroom", HEADROOM_Q, point, f"{gap.value:,.0f} vs {fashion.value:,.0f} "
                  "errors above the floor", f"[{gap.low:,.0f}, {gap.high:,.0f}] vs "
                  f"[{fashion.low:,.0f}, {fashion.high:,.0f}]", stability(point, map(
                      both, gap.replicates < f_reps, share.replicates < NOISE_SHARE)),
                  HEADROOM_RULE, text, alts)


def _seeds(counts: np.ndarray) -> str:
    """Per-seed counts: ``"41"``, or ``"41.3 (40–43)"`` (mean and range) when seeds differ."""
    low, high = int(counts.min()), int(counts.max())
    return f"{low}" if low == high else f"{counts.mean():.1f} ({low}–{high})"


def _answer_block(a: Answer) -> str:
    kept = "" if a.stability != a.stability else (
        f" (kept by {percent(a.stability, 0)} of the bootstrap replicates"
        + ("; shown as Unclear" if a.shown != a.answer else "") + ")")
    alts = "; ".join(f"{rule} → {answer}" for rule, answer in a.alternatives)
    return join_blocks(a.text, f"**Answer: {a.answer}**{kept}. Rule: {a.rule}.",
                       f"Alternative rules: {alts}." if alts else "")


def _kind(model: str) -> str:
    name = model.lower()
    return "CNN" if "cnn" in name else "neural" if "mlp" in name else "classic"


def claims_table(m: Measures) -> str:
    """The Fashion-MNIST README's MNIST claims against the measured accuracy intervals."""
    cells = m.boot.full_cells(MNIST)
    names = short_names(c.model for c in cells)
    rows = []
    for bar, kind, claim in CLAIMS:
        read = sorted((c for c in cells if _kind(c.model) == kind),
                      key=lambda c: (-c.accuracy.value, c.model))
        above = [c for c in read if c.accuracy.low >= bar]
        near = [c for c in read if c.accuracy.low < bar <= c.accuracy.high]
        holds = "yes" if above else "cannot tell" if near else MISSING if not read else (
            f"no (best {names[read[0].model]} {with_interval(read[0].accuracy, 100, 2)})")
        rows.append([f"“{claim}”", percent(bar, 1), f"{kind} ({len(read)})",
                     *(", ".join(f"{names[c.model]} {with_interval(c.accuracy, 100, 2)}"
                                 for c in found) or MISSING for found in (above, near)),
                     len(read) - len(above) - len(near), holds])
    return markdown_table(["claim", "bar", "models read", "interval above the bar (%) [95%]",
                           "interval includes it", "below it", "holds"], rows,
                          ["left", "right", "left", "left", "left", "right", "left"])


def _noise_table(noise: Noise, n_errors: int) -> str:
    names = short_names(x.model for x in noise.models)
    rows = [[names[x.model], count(x.errors), _seeds(x.per_seed[1]), _seeds(x.per_seed[2]),
             with_interval(x.set_aside, 100, 2),
             with_interval(x.slope, 1, 0) if x.slope is not None else MISSING]
            for x in noise.models]
    rows.append(["label-noise floor", f"{noise.floors[MAJORITY].value:.0f}", "", "", "", ""])
    return markdown_table(["model", "MNIST errors / 10,000 [95%]", f"on the {noise.n_flagged} "
                           "flagged: seed mean (range)", f"on the {n_errors} label errors: seed "
                           "mean (range)", "acc. without the flagged (%) [95%]",
                           "curve at full data (errors per doubling) [95%]"], rows,
                          ["left"] + ["right"] * 5)


def section(inputs: ReportInputs, m: Measures, refs: References, fig_dir: Path,
            audit: Audit | None = None) -> str:
    """The label-noise reading, the floor and headroom questions, the README's claims."""
    audit = audit or load_audit()
    noise = measure_noise(inputs, m, audit)
    floor_a, headroom_a = _answers_of(noise, m)
    n_errors = len(audit.indices(MAJORITY))
    intro = (f"The crowd audit of the MNIST test set ({cite_short(refs.label_errors[MNIST])}; "
             "data file `bench/reports/label_errors.json`, Apache-2.0) showed each of the "
             f"{len(audit.rows)} test images confident learning flagged to {WORKERS} workers. "
             f"On {n_errors} of them fewer than {MAJORITY} of the {WORKERS} picked the given "
             "label: the paper's label errors. A model that predicts the true digit is still "
             f"scored wrong on a label error, so {n_errors} errors per 10,000 is a floor under "
             "any MNIST error count (a lower bound on the noise: only flagged images were "
             "audited). Fashion-MNIST has no such audit.")
    blocks = [f"## {FLOOR_Q}", intro, _noise_table(noise, n_errors) if noise else "",
              _answer_block(floor_a), "### The Fashion-MNIST README's claims, tested",
               f"{cite_short(refs.readme_claims)}: “{refs.readme_claims.quote}” Read against "
               "each model's MNIST test accuracy interval; classic = not a neural network "
               "(no “mlp” or “cnn” in its name), CNN = “cnn” in its name. “Easily” is not "
               "tested; a “no” is about the models run here (the best published result, "
               f"{percent(refs.best_published[MNIST].value)}, {cite_short(refs.best_published[MNIST])}"
               ", is a CNN ensemble).", claims_table(m), f"## {HEADROOM_Q}", _answer_block(headroom_a)]
    return join_blocks(*blocks)
