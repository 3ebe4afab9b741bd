"""Aggregates over seeds and the markdown formatting every page shares."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from tabulate import tabulate

from bench.reports.safe import table_cell
from bench.stats import MeanCI, mean_ci

MISSING = "–"


@dataclass(frozen=True)
class CellSummary:
    """One model on one dataset, aggregated over seeds."""

    model: str
    dataset: str
    test: MeanCI
    train: MeanCI
    gap: MeanCI
    fit_seconds: float
    test_size: int
    seeds: tuple[int, ...]


def summarise(frame: pd.DataFrame) -> dict[tuple[str, str], CellSummary]:
    """``{(model, dataset): CellSummary}`` from :func:`bench.reports.inputs.runs_frame`."""
    out = {}
    for (model, dataset), group in frame.groupby(["model", "dataset"], sort=True):
        group = group.sort_values("seed")
        out[(model, dataset)] = CellSummary(
            model, dataset,
            test=mean_ci(group["test_accuracy"]),
            train=mean_ci(group["train_accuracy"]),
            gap=mean_ci(group["train_accuracy"] - group["test_accuracy"]),
            fit_seconds=float(group["fit_seconds"].mean()),
            test_size=int(group["test_size"].max()),
            seeds=tuple(int(s) for s in group["seed"]),
        )
    return out


def is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


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


def pct_interval(low: float, high: float, digits: int = 2) -> str:
    """``"[97.90, 98.34]"`` or the missing mark."""
    if is_missing(low) or is_missing(high):
        return MISSING
    return f"[{pct(low, digits)}, {pct(high, digits)}]"


def number(value: float | None, digits: int = 2) -> str:
    return MISSING if is_missing(value) else f"{value:.{digits}f}"


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


def escape(text: object) -> str:
    """Text safe inside a markdown table cell (one line, pipes escaped, no HTML tags)."""
    return table_cell(text)


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]],
                   align: Sequence[str] | None = None) -> str:
    """A GitHub-flavoured markdown table of preformatted cells (no number parsing)."""
    if not rows:
        return "_(no rows)_"
    cells = [[escape(c) for c in row] for row in rows]
    return tabulate(cells, headers=[escape(h) for h in headers], tablefmt="github",
                    disable_numparse=True, colalign=align)


def sum_matrices(matrices: Sequence[Sequence[Sequence[int]]]) -> np.ndarray:
    """Element-wise sum of confusion matrices (an empty list gives a 0x0 array)."""
    if not matrices:
        return np.zeros((0, 0), dtype=np.int64)
    return np.sum([np.asarray(m, dtype=np.int64) for m in matrices], axis=0)


def column_means(rows: Sequence[Sequence[float]]) -> np.ndarray:
    """Mean of each column ignoring NaN; NaN where a column has no value."""
    arr = np.asarray(rows, dtype=float)
    counts = np.sum(~np.isnan(arr), axis=0)
    return np.where(counts > 0, np.nansum(arr, axis=0) / np.maximum(counts, 1), np.nan)


COMBINED_RULE = ("mean over seeds ± half-width of a 95% interval that combines the seed spread "
                 "and the test-set sampling error: normal quantile × √(seed variance / seeds + "
                 "p(1 − p) / test images)")


def combined_cell(seed_accuracies, n_test: int, effective_runs: int) -> str:
    """``"97.40 ± 0.37"`` by :data:`COMBINED_RULE`; ``"… (1 effective run)"`` when every seed
    gave the same predictions (the interval is then the test-set sampling error alone)."""
    from bench.stats import combined_half_width

    accs = [a for a in seed_accuracies if not is_missing(a)]
    if not accs:
        return MISSING
    text = f"{pct(float(np.mean(accs)))} ± {100 * combined_half_width(accs, n_test):.2f}"
    if len(accs) > 1 and effective_runs == 1:
        text += " (1 effective run)"
    elif len(accs) == 1:
        text += " (1 seed)"
    return text
