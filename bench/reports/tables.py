"""Aggregates over seeds and the markdown formatting every page shares."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from tabulate import tabulate

from bench.reports.safe import table_cell
from bench.results.record import RunRecord
from bench.stats import MeanCI, combined_half_width, mean_ci

MISSING = "–"


@dataclass(frozen=True)
class CellSummary:
    """One model on one dataset, aggregated over seeds."""

    model: str
    dataset: str
    test: MeanCI
    train: MeanCI
    gap: MeanCI


def summarise(runs: Iterable[RunRecord]) -> dict[tuple[str, str], CellSummary]:
    """``{(model, dataset): CellSummary}`` of records, over their seeds (sorted)."""
    groups: dict[tuple[str, str], list[RunRecord]] = {}
    for r in sorted(runs, key=lambda r: r.seed):
        groups.setdefault((r.model, r.dataset), []).append(r)
    out = {}
    for (model, dataset), recs in sorted(groups.items()):
        test, train = (np.array([getattr(r, name) for r in recs], dtype=float)
                       for name in ("test_accuracy", "train_accuracy"))
        out[(model, dataset)] = CellSummary(model, dataset, mean_ci(test), mean_ci(train),
                                            mean_ci(train - test))
    return out


def is_missing(value: float | None) -> bool:
    """None or NaN (of any float type)."""
    return value is None or value != value


def pct(value: float | None, digits: int = 2) -> str:
    """A fraction as a percentage without the sign: ``0.98123 -> "98.12"``."""
    return MISSING if is_missing(value) else f"{100 * value:.{digits}f}"


def signed_pp(value: float | None, digits: int = 2) -> str:
    """A difference of fractions in percentage points with its sign: ``"+1.25"``."""
    return MISSING if is_missing(value) else f"{100 * value:+.{digits}f}"


def pct_ci(ci: MeanCI, digits: int = 2) -> str:
    """``"98.12 ± 0.15"`` (mean ± 95% CI half-width), or ``"98.12 (1 seed)"``."""
    if ci.n == 0:
        return MISSING
    if not ci.has_interval:
        return f"{pct(ci.mean, digits)} (1 seed)"
    return f"{pct(ci.mean, digits)} ± {100 * ci.half_width:.{digits}f}"


def number(value: float | None, digits: int = 2) -> str:
    """``"1,234.50"``, or the missing mark."""
    return MISSING if is_missing(value) else f"{value:,.{digits}f}"


def with_interval(est, scale: float = 1.0, digits: int = 2, unit: str = "") -> str:
    """An estimate (``value``, ``low``, ``high``) as ``"0.80 pp [0.63, 0.98]"``; no brackets
    when the interval is unknown."""
    text = f"{number(scale * est.value, digits)}{unit}"
    if is_missing(est.low) or is_missing(est.high):
        return text
    return f"{text} [{number(scale * est.low, digits)}, {number(scale * est.high, digits)}]"


def pp(est) -> str:
    return with_interval(est, 100, 2, " pp")


def count(est) -> str:
    return with_interval(est, 1, 0)


def ratio(est) -> str:
    """``"11.2× [9.2, 13.8]"``; two decimals below 2 (``"0.90× [0.88, 0.93]"``)."""
    return with_interval(est, 1, 2 if abs(est.value) < 2 else 1, "×")


def percent(value: float, digits: int = 2) -> str:
    """``"98.12%"``."""
    return f"{100 * value:.{digits}f}%"


def images(value: float, mark: str = "") -> str:
    """A number of images with its censoring mark: ``"≤ 500"``, ``"> 60,000"``."""
    prefix = {"<=": "≤ ", ">": "> "}.get(mark, "")
    return f"{prefix}{value:,.0f}"


def seconds(value: float | None) -> str:
    """A duration: ``"0.42 s"``, ``"12.3 s"``, ``"3 min 05 s"``, ``"1 h 02 min"``."""
    if is_missing(value):
        return MISSING
    if value < 10:
        return f"{value:.2f} s"
    if value < 60:
        return f"{value:.1f} s"
    minutes, secs = divmod(int(round(value)), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]],
                   align: Sequence[str] | None = None) -> str:
    """A GitHub-flavoured markdown table of preformatted cells (no number parsing)."""
    if not rows:
        return "_(no rows)_"
    cells = [[table_cell(c) for c in row] for row in rows]
    return tabulate(cells, headers=[table_cell(h) for h in headers], tablefmt="github",
                    disable_numparse=True, colalign=align)


def column_means(rows: Sequence[Sequence[float]]) -> np.ndarray:
    """Mean of each column ignoring NaN; NaN where a column has no value."""
    arr = np.asarray(rows, dtype=float)
    counts = np.sum(~np.isnan(arr), axis=0)
    return np.where(counts > 0, np.nansum(arr, axis=0) / np.maximum(counts, 1), np.nan)


COMBINED_RULE = ("mean over seeds ± half-width of a 95% interval that combines the seed spread "
                 "and the test-set sampling error: √((t × seed SE)² + (z × √(p(1 − p) / test "
                 "images))²), t with seeds − 1 degrees of freedom, z the normal quantile")


def combined_cell(seed_accuracies, n_test: int, effective_runs: int) -> str:
    """``"97.40 ± 0.37"`` by :data:`COMBINED_RULE`; ``"… (1 effective run)"`` when every seed
    gave the same predictions (the interval is then the test-set sampling error alone)."""
    accs = [a for a in seed_accuracies if not is_missing(a)]
    if not accs:
        return MISSING
    text = f"{pct(float(np.mean(accs)))} ± {100 * combined_half_width(accs, n_test):.2f}"
    if len(accs) > 1 and effective_runs == 1:
        text += " (1 effective run)"
    elif len(accs) == 1:
        text += " (1 seed)"
    return text
