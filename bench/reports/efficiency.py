"""Does MNIST need little data? The images a model needs on each dataset to reach one fixed
accuracy (*absolute*) and to come near that dataset's own ceiling (*relative*), per replicate."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.reports import figures
from bench.reports.answers import NO, PARTLY, YES, Answer, block, stability, unclear
from bench.reports.inputs import ReportInputs, dataset_title
from bench.reports.measures import FASHION, MNIST, Cell, Measures
from bench.reports.names import short_names
from bench.reports.page import figure_link, join_blocks
from bench.reports.references import References
from bench.reports.safe import figure_path, md
from bench.reports.tables import MISSING, images, markdown_table, percent, with_interval
from bench.results.record import CURVE_MIN_STEPS
from bench.stats import ALPHA

KEY, QUESTION = "data", "Does MNIST need little data?"
RELATIVE, LOOSE = 2.0, 3.0  # the relative view's target in full-data errors; an alternative's
FEWER, MORE, MIXED = "fewer", "more", "mixed"
RULE = ("the training images each model needs on each dataset, read off its learning curves, "
        "*absolute*: to reach its own full-data Fashion-MNIST accuracy; *relative*: to come "
        f"within {RELATIVE:g}× that dataset's own full-data error. A view says *fewer* (*more*) "
        "when MNIST needs fewer (more) images than Fashion-MNIST for every model: Yes when both "
        "views say fewer, No when both say more, Partly otherwise; Unclear without curves")
LABELS = {"absolute": "absolute: reaches its full-data Fashion-MNIST accuracy",
          "relative": f"relative: within {RELATIVE:g}× its own full-data error"}
SIGN = {"<=": "≥ ", ">": "≤ "}  # a fold's marks
UNITS = {FEWER: "× fewer", MORE: "× more", MIXED: "× (Fashion ÷ MNIST images)"}


def crossing(sizes, curves: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Training size at which each row of ``curves`` (over ascending ``sizes``) first reaches
    its target, interpolating accuracy linearly on log(size); marked ``"<="`` when the smallest
    size is already there (that size), ``">"`` when no size is (the largest)."""
    sizes = np.asarray(sizes, dtype=float)
    reached = curves >= targets[:, None]
    first = reached.argmax(axis=1)
    prev = np.maximum(first - 1, 0)
    y0, y1 = (np.take_along_axis(curves, i[:, None], axis=1)[:, 0] for i in (prev, first))
    with np.errstate(divide="ignore", invalid="ignore"):
        found = np.exp(np.log(sizes[prev]) + (targets - y0) / (y1 - y0)
                       * np.log(sizes[first] / sizes[prev]))
    found = np.where(y1 == targets, sizes[first], found)  # exactly at a point: no rounding
    never, at_first = ~reached.any(axis=1), first == 0
    return (np.where(never, sizes[-1], np.where(at_first, sizes[0], found)),
            np.where(never, ">", np.where(at_first, "<=", "")))


@dataclass(frozen=True, eq=False)
class Need:
    """The training images one model needs on MNIST and on Fashion-MNIST under one view."""

    model: str
    view: str  # "absolute" or "relative"
    targets: tuple[float, float]  # the accuracy to reach on MNIST, on Fashion-MNIST
    images: np.ndarray  # (2, 1 + replicates): MNIST, Fashion-MNIST; column 0 the point
    marks: np.ndarray  # the same shape: "", "<=" or ">" (see crossing)

    def folds(self, more: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Fashion-MNIST ÷ MNIST images ("× fewer") or, with ``more``, the inverse ("× more"),
        marked "<=" (a lower bound), ">" (an upper) or "?" (both counts censored)."""
        low = (self.marks[0] == "<=") | (self.marks[1] == ">")
        high = (self.marks[0] == ">") | (self.marks[1] == "<=")
        low, high = (high, low) if more else (low, high)
        fold = self.images[1] / self.images[0]
        return (1 / fold if more else fold), np.where(low & high, "?", np.where(
            low, "<=", np.where(high, ">", "")))

    @property
    def direction(self) -> np.ndarray:
        """+1 where MNIST needs fewer images, -1 more, 0 cannot tell (a tie of censored
        counts); a censored count's bound decides a tie with an exact one."""
        fold, marks = self.folds()
        tie = np.where(marks == "<=", 1, np.where(marks == ">", -1, 0))
        return np.where(fold == 1, tie, np.sign(np.log(fold)))


def _rows(cells: list[Cell]) -> np.ndarray:
    """A curve's accuracies, (1 + replicates, sizes): the points, then each replicate's."""
    reps = [c.accuracy.replicates for c in cells]
    point = np.array([[c.accuracy.value for c in cells]])
    return point if any(r is None for r in reps) else np.vstack([point, np.column_stack(reps)])


def needs(m: Measures, relative: float = RELATIVE) -> list[Need]:
    """Both views for every model with at least two curve points on both datasets."""
    out = []
    for model in sorted({mo for mo, d in m.boot.full_size if d == MNIST}):
        curves = [m.boot.curve(model, d) for d in (MNIST, FASHION)]
        if min(len(c) for c in curves) < 2:
            continue
        acc = [_rows(c) for c in curves]
        acc = [a[:min(a.shape[0] for a in acc)] for a in acc]
        full = [a[:, -1] for a in acc]  # the largest size is the headline run
        for view, targets in (("absolute", (full[1], full[1])),
                              ("relative", [1 - relative * (1 - f) for f in full])):
            found = [crossing([p.train_size for p in c], a, t)
                     for c, a, t in zip(curves, acc, targets, strict=True)]
            out.append(Need(model, view, (float(targets[0][0]), float(targets[1][0])),
                            np.stack([s for s, _ in found]), np.stack([k for _, k in found])))
    return out


def view_answers(found: list[Need], view: str) -> np.ndarray:
    """Per column (point, replicates): FEWER (MORE) when MNIST needs fewer (more) for all."""
    mine = [n for n in found if n.view == view]
    cols = min(n.images.shape[1] for n in mine)
    signs = np.array([n.direction[:cols] for n in mine])
    return np.where((signs > 0).all(axis=0), FEWER, np.where((signs < 0).all(axis=0), MORE, MIXED))


def overall(found: list[Need]) -> np.ndarray:
    """The answer per column: Yes when both views say FEWER, No when both MORE, else Partly."""
    a, r = view_answers(found, "absolute"), view_answers(found, "relative")
    return np.where((a == FEWER) & (r == FEWER), YES,
                    np.where((a == MORE) & (r == MORE), NO, PARTLY))


def _times(value: float, mark: str) -> str:
    """A fold with two significant digits and its censoring mark: "93", "≥ 120", "0.071"."""
    if mark == "?":
        return "?"
    digits = max(0, 1 - math.floor(math.log10(value))) if value > 0 else 0
    return f"{SIGN.get(mark, '')}{value:.{digits}f}"


def _interval(values: np.ndarray, marks: np.ndarray) -> list[tuple[float, str]]:
    """The 2.5th and 97.5th percentile replicates (inverted CDF), with their marks."""
    order = np.argsort(values, kind="stable")
    return [(float(values[order[k]]), str(marks[order[k]]))
            for k in (math.ceil(q * values.size) - 1 for q in (ALPHA / 2, 1 - ALPHA / 2))]


def _with_interval(values: np.ndarray, marks: np.ndarray, fmt, unit: str = "") -> str:
    """Column 0 and, with replicates, their 95% interval: "93× fewer [66, ≥ 120]"."""
    text = fmt(values[0], marks[0]) + unit
    if values.size > 1:
        text += " [{}, {}]".format(*(fmt(*e) for e in _interval(values[1:], marks[1:])))
    return text


def _fold(n: Need, verdict: str) -> str:
    return _with_interval(*n.folds(verdict == MORE), _times, UNITS[verdict])


def _view_text(found: list[Need], view: str, verdict: str, names: dict[str, str]) -> str:
    """Every model's fold in one view with its interval, and what they say together."""
    each = ", ".join(f"{md(names[n.model])} {_fold(n, verdict)}" for n in found
                     if n.view == view)
    return (f"mixed across models ({each})" if verdict == MIXED else
            f"MNIST needs {verdict} images than Fashion-MNIST for every model ({each})")


def _envelope(found: list[Need], view: str, verdict: str) -> tuple[str, str]:
    """The smallest and largest fold in one view ("93 to ≥ 120× fewer") and the lowest and
    highest 95% interval bound of any model ("[66, ≥ 120]")."""
    mine = [n.folds(verdict == MORE) for n in found if n.view == view]
    points = sorted((float(v[0]), str(k[0])) for v, k in mine)
    ends = sorted(e for v, k in mine if v.size > 1 for e in _interval(v[1:], k[1:]))
    return (f"{_times(*points[0])} to {_times(*points[-1])}{UNITS[verdict]}",
            f"[{_times(*ends[0])}, {_times(*ends[-1])}]" if ends else MISSING)


def answers(inputs: ReportInputs, m: Measures) -> list[Answer]:
    found = needs(m)
    if not found:
        return [unclear(KEY, QUESTION, RULE, "Needs learning-curve runs of the same models on "
                        "both datasets (not in this run).")]
    names, by = short_names(n.model for n in found), overall(found)
    views = {v: view_answers(found, v)[0] for v in ("absolute", "relative")}
    text = ("Absolute, to reach the model's own full-data Fashion-MNIST accuracy: "
            f"{_view_text(found, 'absolute', views['absolute'], names)}. Relative, to come "
            f"within {RELATIVE:g}× each dataset's own full-data error: "
            f"{_view_text(found, 'relative', views['relative'], names)}")
    if views["absolute"] != views["relative"]:
        text += (". The views disagree: little data takes MNIST to an accuracy Fashion-MNIST "
                 "only reaches with all its data, but not close to MNIST's own ceiling")
    under = sorted({md(names[c.model]) for n in found for d in (MNIST, FASHION)
                    for c in m.boot.curve(n.model, d) if (c.gradient_steps or 1e9) < CURVE_MIN_STEPS})
    if under:
        text += (f"; confounded for {', '.join(under)} (curve points under {CURVE_MIN_STEPS} "
                 "gradient steps): under-training at small sizes overstates the images needed")
    (fa, ia), (fr, ir) = (_envelope(found, v, views[v]) for v in views)
    say = {FEWER: YES, MORE: NO, MIXED: PARTLY}
    return [Answer(KEY, QUESTION, str(by[0]), f"{fa} vs {fr} images (absolute vs relative)",
                   f"{ia} vs {ir}", stability(by[0], by[1:]), RULE, text + ".",
                   (("absolute view alone (the earlier reading)", say[views["absolute"]]),
                    ("relative view alone", say[views["relative"]]),
                    (f"relative view at {LOOSE:g}× the full-data error",
                     str(overall(needs(m, LOOSE))[0]))))]


def _curve_table(curves: dict[tuple[str, str], list[Cell]], names: dict[str, str]) -> str:
    sizes = sorted({c.train_size for cells in curves.values() for c in cells})
    rows = []
    for (mo, d), cells in curves.items():
        at = {c.train_size: c for c in cells}
        steps = [at[s].gradient_steps for s in sizes if s in at]
        rows.append([md(names[mo]), dataset_title(d)]
                    + [with_interval(at[s].accuracy, 100, 2) if s in at else MISSING
                       for s in sizes]
                    + [", ".join(f"{x:,}" for x in steps if x is not None) or MISSING])
    return markdown_table(["model", "dataset", *[f"{s:,}" for s in sizes],
                           "gradient steps per size"], rows,
                          ["left", "left"] + ["right"] * (len(sizes) + 1))


def section(inputs: ReportInputs, m: Measures, refs: References, fig_dir: Path) -> str:
    """The learning curves, both views' table and the answer, for mnist-too-easy.md."""
    (a,) = answers(inputs, m)
    curves = {key: c for key in sorted(m.boot.full_size) if len(c := m.boot.curve(*key)) >= 2}
    if not curves:
        return join_blocks(f"## {QUESTION}", "No learning-curve runs in this run (`python -m "
                           "bench run-all` with the full profile makes them).", block(a))
    names, found = short_names(mo for mo, _ in m.boot.full_size), needs(m)
    points = {d: {names[mo]: [(c.train_size, c.accuracy.value, c.accuracy.low, c.accuracy.high)
                              for c in cells] for (mo, dd), cells in curves.items() if dd == d}
              for d in m.datasets if d in {dd for _, dd in curves}}
    marks = {d: [(names[n.model], LABELS[n.view], n.images[i, 0], n.targets[i]) for n in found]
             for i, d in enumerate((MNIST, FASHION))}
    path = figures.learning_curves(figure_path(fig_dir, "learning-curve"), points,
                                   {d: dataset_title(d) for d in points}, marks)
    rows = [[md(names[n.model]), n.view, *(percent(t) for t in n.targets),
             *(_with_interval(n.images[i], n.marks[i], images) for i in (0, 1)),
             _fold(n, MORE if n.direction[0] < 0 else FEWER)] for n in found]
    table = markdown_table(["model", "view", "MNIST target", "Fashion-MNIST target",
                            "MNIST images [95%]", "Fashion-MNIST images [95%]",
                            "MNIST needs [95%]"], rows, ["left"] * 2 + ["right"] * 5)
    intro = ("Test accuracy (%) [95%] by training images (stratified seeded subsets; the largest "
             "is the headline run). Markers: where each view's target is reached, by linear "
             "interpolation on log(size), in every replicate for the intervals; “≤ 500”: the "
             "smallest size already reaches it, “> 60,000”: none does, so a fold resting on one "
             "is a bound (“≥ 120”), “?” when both are. Neural models' curve points train for "
             f"at least {CURVE_MIN_STEPS:,} gradient steps (`bench/plan/profiles.py`).")
    missing = sorted({names[mo] for mo, _d in m.boot.full_size} - {names[mo] for mo, _d in curves})
    absent = (f"Not in this run: learning-curve points for {', '.join(md(x) for x in missing)}."
              if missing else "")
    return join_blocks(f"## {QUESTION}", intro, _curve_table(curves, names),
                       figure_link(path, "learning curves"), absent, table, a.text,
                       block(a))
