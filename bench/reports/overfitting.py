"""reports/overfitting.md: train vs test accuracy, the generalisation gap and epoch curves."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.reports import figures
from bench.reports.inputs import ReportInputs, dataset_title
from bench.reports.measures import FASHION, MNIST
from bench.reports.names import short_name
from bench.reports.page import Page, figure_link, join_blocks, scope_line
from bench.reports.safe import figure_path, md
from bench.reports.tables import CellSummary, markdown_table, number, pct, pct_ci, signed_pp
from bench.results.record import RunRecord

GAP_THRESHOLD = 0.02
INTERPOLATING = 0.999
FLAG_RULE = ("A gap is flagged as large when its mean over seeds exceeds "
             f"{100 * GAP_THRESHOLD:.0f} percentage points **and** the lower bound of its 95% "
             "confidence interval is above 0 (with a single seed there is no interval and the "
             "mean alone decides; such flags are marked). A model without per-epoch training "
             f"(no history) whose train accuracy is at least {100 * INTERPOLATING:.1f}% fits its "
             "training set by design (e.g. fully grown trees): it is labelled *interpolates by "
             "design*, not flagged; its gap is the test error, not a sign of training too long.")
HISTORY_KEYS = ("train_accuracy", "test_accuracy", "train_loss", "test_loss")


def flag(cell: CellSummary, has_history: bool = True) -> str:
    """``"large gap"``, ``"large gap (1 seed)"``, ``"interpolates by design"`` or ``""`` by
    :data:`FLAG_RULE`."""
    if not has_history and cell.train.n and cell.train.mean >= INTERPOLATING:
        return "interpolates by design"
    if cell.gap.n == 0 or not cell.gap.mean > GAP_THRESHOLD:
        return ""
    if not cell.gap.has_interval:
        return "large gap (1 seed)"
    return "large gap" if cell.gap.low > 0 else ""


def ranked(summary: dict[tuple[str, str], CellSummary]) -> list[CellSummary]:
    """Cells with a known gap, largest mean gap first (ties by model, dataset)."""
    cells = [c for c in summary.values() if c.gap.n > 0]
    return sorted(cells, key=lambda c: (-c.gap.mean, c.model, c.dataset))


@dataclass(frozen=True)
class EpochCurve:
    """Seed-mean per-epoch curves of one model on one dataset."""

    model: str
    dataset: str
    curves: dict[str, np.ndarray]
    best_epochs: tuple[int, ...]

    @property
    def epochs(self) -> int:
        return len(self.curves.get("test_loss", ()))


def epoch_curve(model: str, dataset: str, runs: list[RunRecord]) -> EpochCurve | None:
    """Mean of the seeds' histories over the epochs all seeds reached, or None."""
    histories = [r.history for r in sorted(runs, key=lambda r: r.seed)
                 if r.history and r.history.get("test_loss")]
    if not histories:
        return None
    curves = {}
    for key in HISTORY_KEYS:
        series = [h[key] for h in histories if h.get(key)]
        if series:
            length = min(len(s) for s in series)
            curves[key] = np.mean([np.asarray(s[:length], dtype=float) for s in series], axis=0)
    best = tuple(int(np.argmin(h["test_loss"])) + 1 for h in histories)
    return EpochCurve(model, dataset, curves, best)


def _gap_table(cells: list[CellSummary], neural: set[tuple[str, str]]) -> str:
    rows = [[i, md(short_name(c.model)), dataset_title(c.dataset), pct_ci(c.train), pct_ci(c.test),
             f"{signed_pp(c.gap.mean)} ± {100 * c.gap.half_width:.2f}" if c.gap.has_interval
             else signed_pp(c.gap.mean),
             f"[{signed_pp(c.gap.low)}, {signed_pp(c.gap.high)}]" if c.gap.has_interval else "–",
             flag(c, (c.model, c.dataset) in neural)] for i, c in enumerate(cells, start=1)]
    return markdown_table(["rank", "model", "dataset", "train acc. (%)", "test acc. (%)",
                           "gap (pp)", "gap 95% CI (pp)", "flag"], rows,
                          ["right", "left", "left", "right", "right", "right", "right", "left"])


def reading(cells: list[CellSummary], curves: list[EpochCurve],
            neural: set[tuple[str, str]]) -> list[str]:
    """Sentences describing the gaps and epoch curves, generated from the numbers."""
    if not cells:
        return ["No run recorded both train and test accuracy."]
    top, low = cells[0], cells[-1]
    out = [f"The largest gap is {signed_pp(top.gap.mean)} pp ({_where(top)}, train "
           f"{pct(top.train.mean)}% vs test {pct(top.test.mean)}%); the smallest is "
           f"{signed_pp(low.gap.mean)} pp ({_where(low)})."]
    flagged = [c for c in cells if flag(c, (c.model, c.dataset) in neural).startswith("large")]
    interp = [c for c in cells if flag(c, (c.model, c.dataset) in neural).startswith("interp")]
    if interp:
        out.append(f"{len(interp)} combination(s) interpolate their training set by design "
                   "(train accuracy ≈ 100%, no epochs to stop early): "
                   + ", ".join(map(_where, interp)) + ".")
    if flagged:
        names = ", ".join(map(_where, flagged))
        out.append(f"{len(flagged)} of {len(cells)} model–dataset combinations are flagged: "
                   f"{names}.")
    else:
        out.append(f"None of the {len(cells)} model–dataset combinations is flagged.")
    by_key = {(c.model, c.dataset): c for c in cells}
    both = [(by_key[(m, MNIST)], by_key[(m, FASHION)]) for m, d in sorted(by_key)
            if d == MNIST and (m, FASHION) in by_key]
    if both:
        wider = sum(1 for mn, fa in both if fa.gap.mean > mn.gap.mean)
        mean_mn = float(np.mean([mn.gap.mean for mn, _ in both]))
        mean_fa = float(np.mean([fa.gap.mean for _, fa in both]))
        out.append(f"The gap is wider on Fashion-MNIST than on MNIST for {wider} of {len(both)} "
                   f"models (average gap {signed_pp(mean_fa)} pp on Fashion-MNIST vs "
                   f"{signed_pp(mean_mn)} pp on MNIST).")
    for c in curves:
        out.append(_curve_sentence(c))
    return out


def _where(c: CellSummary | EpochCurve) -> str:
    return f"{md(short_name(c.model))} on {dataset_title(c.dataset)}"


def _curve_sentence(c: EpochCurve) -> str:
    test_loss = c.curves["test_loss"]
    best = int(np.argmin(test_loss)) + 1
    where = _where(c)
    if best == c.epochs:
        return (f"{where}: test loss is lowest at the last epoch ({c.epochs}): no sign of "
                "overfitting within the epochs trained.")
    rise = float(test_loss[-1] - test_loss[best - 1])
    train = c.curves.get("train_loss")
    falling = train is not None and train[-1] < train[best - 1]
    return (f"{where}: test loss bottoms at epoch {best} of {c.epochs} and then rises by "
            f"{rise:.3f}{' while train loss keeps falling' if falling else ''}.")


def _curves_section(curves: list[EpochCurve], fig_dir: Path, head: str, intro: str,
                    kind: str) -> str:
    rows, blocks = [], []
    for model in sorted({c.model for c in curves}):
        mine = [c for c in curves if c.model == model]
        path = figures.history_curves(
            figure_path(fig_dir, kind, model), model, {c.dataset: c.curves for c in mine},
            {c.dataset: dataset_title(c.dataset) for c in mine})
        blocks.append(figure_link(path, f"{model} per-epoch curves"))
        for c in mine:
            loss = c.curves["test_loss"]
            best = int(np.argmin(loss)) + 1
            acc = c.curves.get("test_accuracy")
            rows.append([md(short_name(model)), dataset_title(c.dataset), c.epochs, best,
                         ", ".join(str(b) for b in c.best_epochs), number(loss[best - 1], 4),
                         number(loss[-1], 4),
                         pct(acc[-1]) if acc is not None and len(acc) else "–"])
    table = markdown_table(["model", "dataset", "epochs", "lowest test loss at epoch (mean curve)",
                            "… per seed", "lowest test loss", "final test loss",
                            "final test acc. (%)"], rows,
                           ["left", "left"] + ["right"] * 6)
    return join_blocks(head, intro, table, *blocks)


def _curves(runs: tuple[RunRecord, ...], datasets: tuple[str, ...]) -> list[EpochCurve]:
    return [c for m in sorted({r.model for r in runs}) for d in datasets
            if (c := epoch_curve(m, d, [r for r in runs if r.model == m and r.dataset == d]))
            is not None]


def render(inputs: ReportInputs, fig_dir: Path) -> Page:
    """The overfitting page and its figures."""
    cells = ranked(inputs.summary)
    neural = {(r.model, r.dataset) for r in inputs.runs if r.history}
    curves = _curves(inputs.runs, inputs.datasets)
    sweeps = _curves(inputs.sweep_runs, inputs.datasets)
    intro = ("Neural models record train and test-monitor accuracy and loss after every epoch. "
             "The test values are for monitoring only; they never choose the epoch.")
    section = (_curves_section(curves, fig_dir, "## Per-epoch curves (headline runs)", intro,
                               "history") if curves else "## Per-epoch curves\n\nNo run recorded "
               "a per-epoch history (only neural models do).")
    sweep_head = "## Long per-epoch sweep"
    sweep_intro = ("Extra full-data runs of the neural models trained for many more epochs "
                   "than the headline (the `full` profile's epoch sweeps), so the test loss can "
                   "pass its minimum. Not used in any headline number.")
    sweep_text = join_blocks(
        _curves_section(sweeps, fig_dir, sweep_head, sweep_intro, "history-long"),
        "\n".join(f"- {_curve_sentence(c)}" for c in sweeps)) if sweeps else join_blocks(
        sweep_head, sweep_intro, "Not in this run: the store holds no sweep runs (`python -m "
        "bench run-all` with the full profile makes them).")
    text = join_blocks(
        "# Overfitting",
        scope_line(inputs),
        "## Generalisation gap",
        "Gap = train accuracy − test accuracy of the same run, in percentage points, then "
        "averaged over seeds with a 95% t confidence interval (± is its half-width in every "
        "column here: seeds only). Ranked by mean gap. " + FLAG_RULE,
        _gap_table(cells, neural),
        "## Reading",
        "\n".join(f"- {s}" for s in reading(cells, curves, neural)),
        section,
        sweep_text,
    )
    return Page("overfitting.md", text)
