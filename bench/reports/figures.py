"""Deterministic PNG figures (Agg canvas, fixed style and DPI, no metadata): each function draws
one figure from plain data to ``path``; the same input gives the same bytes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from bench.data.specs import DATASET_NAMES
from bench.reports.names import short_name, short_names

DPI = 100
STYLE = {
    "font.family": "DejaVu Sans", "font.size": 8, "axes.titlesize": 9, "axes.labelsize": 8,
    "legend.fontsize": 7, "xtick.labelsize": 7, "ytick.labelsize": 7, "figure.dpi": DPI,
    "savefig.dpi": DPI, "image.interpolation": "nearest", "axes.spines.top": False,
    "axes.spines.right": False, "path.simplify": False,
}
RIGHT, WRONG = "#1a7f37", "#cf222e"
Interval = tuple[float, float, float]  # value, low, high
DATASET_COLOURS = dict(zip(DATASET_NAMES, ("#4c72b0", "#dd8452"), strict=False))


@contextmanager
def figure(path: Path, width: float, height: float, layout: str | None = "constrained",
           ) -> Iterator:
    """Yield a fresh ``Figure`` in the fixed style; save it to ``path`` as PNG on exit (many
    axes: ``layout=None`` and fixed margins, the constrained layout is slow there)."""
    import matplotlib.style
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.style.context(["default", STYLE]):
        fig = Figure(figsize=(width, height), dpi=DPI, layout=layout)
        FigureCanvasAgg(fig)
        yield fig
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="png", dpi=DPI, metadata={"Software": None})


def _grid(fig, n: int, ncols: int, **kwargs) -> list:
    """``n`` axes in rows of ``ncols``; the unused cells of the last row are hidden."""
    ncols = max(1, min(ncols, n))
    nrows = (n + ncols - 1) // ncols
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False, **kwargs)).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    return list(axes[:n])


def error_summary(path: Path, rows: Sequence[tuple[str, Mapping[str, Interval], str]],
                  titles: Mapping[str, str],
                  references: Sequence[tuple[str, float, str, str]]) -> Path:
    """One row per model, in the given order: its test error (%) on each dataset of ``titles``
    (value, low, high) on a log axis with 95% bars, and its right-hand text (the error ratio);
    ``references`` are (dataset, error %, label, line style) lines named in the legend."""
    from matplotlib.ticker import FuncFormatter

    height = 0.27 * len(rows) + 1.5
    with figure(path, 7.2, height) as fig:
        ax = fig.add_subplot()
        for k, name in enumerate(titles):
            pts = [(i, *r[1][name]) for i, r in enumerate(rows) if name in r[1]]
            if not pts:
                continue
            ys, vals, lows, highs = (np.array(v, dtype=float) for v in zip(*pts, strict=True))
            ax.errorbar(vals, ys + 0.2 * (k - (len(titles) - 1) / 2), fmt="o", ms=3.5, lw=1,
                        xerr=np.nan_to_num(np.vstack([vals - lows, highs - vals])), capsize=2,
                        color=DATASET_COLOURS.get(name), label=f"{titles[name]} test error")
        for name, value, label, style in references:
            ax.axvline(value, color=DATASET_COLOURS.get(name, "grey"), ls=style, lw=1,
                       label=f"{label}: {value:g}%")
        for i, (_, _, text) in enumerate(rows):
            ax.annotate(text, (1.01, i), xycoords=("axes fraction", "data"), va="center",
                        fontsize=7)
        if any(text for _, _, text in rows):
            ax.annotate("Fashion / MNIST\nerrors [95%]", (1.01, -0.6), va="bottom", fontsize=7,
                        xycoords=("axes fraction", "data"), fontweight="bold")
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
        ax.set_yticks(range(len(rows)), [r[0] for r in rows])
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xlabel("test error rate (%), log scale; bars: 95% interval")
        ax.grid(True, axis="x", which="both", lw=0.3)
        fig.legend(loc="outside upper center", ncol=2, fontsize=7, frameon=False)
    return path


def confusion_grid(path: Path, title: str, labels: Sequence[str],
                   matrices: Mapping[str, np.ndarray]) -> Path:
    """Row-normalised confusions (% of each true class), diagonal masked, one panel per model,
    each coloured from 0 to its own largest cell so that good models stay readable."""
    names = sorted(matrices)
    shown = short_names(names)
    ncols = max(1, min(4, int(np.ceil(np.sqrt(len(names))))))
    nrows = (len(names) + ncols - 1) // ncols
    panel = 3.6
    width, height = panel * ncols + 0.6, panel * nrows + 1.2
    with figure(path, width, height, layout=None) as fig:
        fig.suptitle(f"{title}\neach panel coloured from 0 to its largest cell; numbers in %",
                     y=1 - 0.12 / height, va="top")
        margins = {"left": 0.7 / width, "right": 1 - 0.15 / width, "bottom": 0.95 / height,
                   "top": 1 - 0.95 / height, "wspace": 0.35, "hspace": 0.45}
        for ax, name in zip(_grid(fig, len(names), ncols, gridspec_kw=margins), names,
                            strict=True):
            m = np.asarray(matrices[name], dtype=float)
            rows = m.sum(axis=1, keepdims=True)
            share = 100 * np.divide(m, rows, out=np.zeros_like(m), where=rows > 0)
            np.fill_diagonal(share, np.nan)
            top = max(float(np.nanmax(share)) if np.isfinite(share).any() else 0.0, 0.1)
            ax.imshow(np.ma.masked_invalid(share), cmap="Reds", vmin=0, vmax=top)
            for (i, j), v in np.ndenumerate(share):
                if np.isfinite(v) and v >= 0.05:
                    ax.text(j, i, f"{v:.1f}" if v < 10 else f"{v:.0f}", ha="center",
                            va="center", fontsize=6, color="white" if v > top * 0.6 else "black")
            ticks = np.arange(len(labels))
            ax.set_xticks(ticks, list(labels), rotation=90, fontsize=6)
            ax.set_yticks(ticks, list(labels), fontsize=6)
            ax.set_xlabel("predicted", labelpad=1)
            ax.set_ylabel("true", labelpad=1)
            ax.set_title(f"{shown[name]} (largest {top:.1f}%)", fontsize=8)
    return path


def history_curves(path: Path, model: str, curves: Mapping[str, Mapping[str, np.ndarray]],
                   titles: Mapping[str, str]) -> Path:
    """Per-epoch train vs test-monitor accuracy and loss (seed means), a row per dataset."""
    from matplotlib.ticker import MaxNLocator

    names = list(curves)
    height = 2.4 * len(names) + 0.3
    with figure(path, 7.0, height, layout=None) as fig:
        fig.suptitle(f"{short_name(model)}: per-epoch curves (mean over seeds)")
        axes = fig.subplots(len(names), 2, squeeze=False, gridspec_kw={
            "left": 0.09, "right": 0.98, "bottom": 0.45 / height, "top": 1 - 0.6 / height,
            "wspace": 0.25, "hspace": 0.55})
        for row, name in enumerate(names):
            c = curves[name]
            for col, metric in enumerate(("accuracy", "loss")):
                ax = axes[row, col]
                for split, style in (("train", "-"), ("test", "--")):
                    values = c.get(f"{split}_{metric}")
                    if values is None or len(values) == 0:
                        continue
                    epochs = np.arange(1, len(values) + 1)
                    scale = 100 if metric == "accuracy" else 1
                    label = "train" if split == "train" else "test (monitor)"
                    ax.plot(epochs, scale * np.asarray(values), style, marker=".", label=label)
                if metric == "loss" and len(c.get("test_loss", [])):
                    best = int(np.argmin(c["test_loss"])) + 1
                    ax.axvline(best, color="grey", lw=0.8, ls=":")
                ax.set_title(f"{titles.get(name, name)}: {metric}")
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))
                ax.set_xlabel("epoch")
                ax.set_ylabel("accuracy (%)" if metric == "accuracy" else "loss")
                ax.legend(loc="best" if metric == "accuracy" else "upper right")
    return path


def learning_curves(path: Path,
                    curves: Mapping[str, Mapping[str, list[tuple[int, float, float, float]]]],
                    titles: Mapping[str, str],
                    marks: Mapping[str, Sequence[tuple[str, str, float, float]]] | None = None,
                    ) -> Path:
    """Test accuracy (%) against training-set size (log scale), a panel per dataset: points
    ``(size, mean, low, high)`` with a 95% band; ``marks`` a hollow marker per ``(model, label,
    size, accuracy)``, one shape per label."""
    from matplotlib import colormaps

    names = list(curves)
    models = sorted({m for c in curves.values() for m in c})
    palette = colormaps["tab10"]
    colour = {m: palette(i % 10) for i, m in enumerate(models)}
    labels = sorted({label for found in (marks or {}).values() for _, label, _, _ in found})
    shape = dict(zip(labels, "vDs^", strict=False))
    with figure(path, 4.2 * len(names), 4.4) as fig:
        axes = _grid(fig, len(names), len(names), sharey=True)
        for ax, name in zip(axes, names, strict=True):
            sizes = set()
            for model, points in sorted(curves[name].items()):
                xs, ys, lo, hi = (np.array(v, dtype=float) for v in zip(*points, strict=True))
                ax.plot(xs, 100 * ys, marker="o", ms=3, label=short_name(model),
                        color=colour[model])
                ok = np.isfinite(lo) & np.isfinite(hi)
                if ok.any():
                    ax.fill_between(xs[ok], 100 * lo[ok], 100 * hi[ok], alpha=0.2, lw=0,
                                    color=colour[model])
                sizes.update(int(x) for x in xs)
            for model, label, size, acc in (marks or {}).get(name, ()):
                ax.plot([size], [100 * acc], ls="", marker=shape.get(label, "o"), ms=7, mew=1.2,
                        mfc="none", color=colour.get(model, "grey"))
            ax.set_xscale("log")
            ax.minorticks_off()
            ax.set_xticks(sorted(sizes), [f"{s:,}" for s in sorted(sizes)], rotation=45)
            ax.set_title(titles.get(name, name))
            ax.set_xlabel("training images")
            ax.grid(True, which="major", lw=0.3)
        axes[0].set_ylabel("test accuracy (%), mean and 95% band")
        for label in labels:
            axes[0].plot([], [], ls="", marker=shape[label], mfc="none", color="grey", label=label)
        shown = {label: h for ax in axes for h, label in zip(*ax.get_legend_handles_labels(),
                                                             strict=True)}
        fig.legend(shown.values(), shown.keys(), loc="outside lower center", ncols=3)
    return path


def pixel_share_curves(path: Path, curves: Mapping[str, tuple[Sequence[float], ...]],
                       titles: Mapping[str, str]) -> Path:
    """Share of class pairs the best single pixel separates against the accuracy bar:
    ``{dataset: (bars, shares, low, high)}``, the band being the shares' 95% interval."""
    with figure(path, 5.6, 3.4) as fig:
        ax = fig.add_subplot()
        for name, (bars, shares, low, high) in curves.items():
            colour = DATASET_COLOURS.get(name)
            ax.fill_between(100 * np.asarray(bars), 100 * np.asarray(low), 100 * np.asarray(high),
                            step="post", alpha=0.25, lw=0, color=colour)
            ax.step(100 * np.asarray(bars), 100 * np.asarray(shares), where="post", color=colour,
                    label=f"{titles.get(name, name)} (band: 95% interval)")
        ax.axhline(50, color="grey", ls=":", lw=0.8)
        ax.text(75.3, 51, "half the pairs (“most”)", fontsize=6, color="grey", va="bottom")
        ax.set_xlabel("bar: best single-pixel test accuracy on the pair (%)")
        ax.set_ylabel("pairs reaching the bar (%)")
        ax.set_ylim(0, 102)
        ax.grid(True, lw=0.3)
        ax.legend(loc="lower left")
    return path


def spread(ys: Sequence[float], gap: float) -> np.ndarray:
    """Label positions in [0, 1] near ``ys`` (axes fractions), in the same order, at least
    ``gap`` apart (less when that many do not fit)."""
    order = np.argsort(ys, kind="stable")
    out = np.clip(np.asarray(ys, dtype=float)[order], 0, 1)
    gap = min(gap, 1 / max(len(out) - 1, 1))
    for i in range(1, len(out)):
        out[i] = max(out[i], out[i - 1] + gap)
    for i in range(len(out) - 1, -1, -1):
        out[i] = min(out[i], 1 if i == len(out) - 1 else out[i + 1] - gap)
    placed = np.empty_like(out)
    placed[order] = out
    return placed


def cost_accuracy(path: Path, points: Sequence[tuple[str, str, float, float]],
                  titles: Mapping[str, str]) -> Path:
    """Mean fit seconds (log scale) against mean test accuracy, a panel per dataset, the labels
    in a column right of the panel (never overlapping)."""
    from matplotlib.ticker import FuncFormatter, LogLocator

    shown = [p for p in points if np.isfinite(p[2]) and p[2] > 0 and np.isfinite(p[3])]
    datasets = list(dict.fromkeys(d for _, d, _, _ in shown)) or [""]
    names = short_names(p[0] for p in shown)
    with figure(path, 5.8 * len(datasets), 4.2) as fig:
        axes = fig.subplots(1, len(datasets), squeeze=False)[0]
        for ax, dataset in zip(axes, datasets, strict=True):
            mine = sorted((fit, 100 * acc, model) for model, d, fit, acc in shown
                          if d == dataset)
            if not mine:
                continue
            fits, accs, models = zip(*mine, strict=True)
            ax.scatter(fits, accs, color=DATASET_COLOURS.get(dataset), s=18)
            low, high = min(accs) - 2, max(accs) + 2
            ax.set_ylim(low, high)
            for fit, acc, model, y in zip(fits, accs, models,
                                          spread([(a - low) / (high - low) for a in accs],
                                                 0.045), strict=True):
                ax.annotate(names[model], (fit, acc), xytext=(1.03, y), fontsize=6,
                            textcoords="axes fraction", va="center",
                            arrowprops={"arrowstyle": "-", "lw": 0.4, "color": "0.6"})
            ax.set_xscale("log")
            ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
            ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _pos: ""))
            ax.set_title(titles.get(dataset, dataset), fontsize=9)
            ax.set_xlabel("fit time per run (s, mean over seeds; log scale)")
            ax.set_ylabel("test accuracy (%)")
            ax.grid(True, which="both", lw=0.3)
    return path


def rank_transfer(path: Path, points: Sequence[tuple[str, Interval, Interval]], xlabel: str,
                  ylabel: str, zoom_from: float = 0.95) -> Path:
    """One point per model: accuracy (%) on one dataset against another, 95% bars each way; a
    second panel zooms on the models at ``zoom_from`` or more when others lie below."""
    from matplotlib.patches import Rectangle

    top = [p for p in points if p[1][0] >= zoom_from]
    zoom = 2 <= len(top) < len(points)
    with figure(path, 9.6 if zoom else 5.2, 4.2) as fig:
        axes = fig.subplots(1, 2) if zoom else [fig.add_subplot()]
        for k, (ax, shown) in enumerate(zip(axes, (points, top), strict=False)):
            for _, (x, xl, xh), (y, yl, yh) in shown:
                xerr = np.nan_to_num([[100 * (x - xl)], [100 * (xh - x)]])
                yerr = np.nan_to_num([[100 * (y - yl)], [100 * (yh - y)]])
                ax.errorbar([100 * x], [100 * y], xerr=xerr, yerr=yerr, fmt="o", ms=4,
                            capsize=2, lw=1, color="#4c72b0")
            _spread_labels(ax, [(name, 100 * x, 100 * y) for name, (x, _, _), (y, _, _) in shown
                                if k == 1 or not zoom or x < zoom_from])
            ax.set_xlabel(xlabel)
            ax.set_ylabel(ylabel)
            ax.grid(True, lw=0.3)
        if zoom:
            x0, x1 = axes[1].get_xlim()
            y0, y1 = axes[1].get_ylim()
            axes[0].add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, lw=0.8, ls="--",
                                        color="0.4"))
            axes[0].set_title("all models (the box is enlarged on the right)", fontsize=8)
            axes[1].set_title(f"models at {100 * zoom_from:.0f}% or more on the x axis",
                              fontsize=8)
    return path


def _spread_labels(ax, labels: Sequence[tuple[str, float, float]], gap: float = 0.04) -> None:
    """Label points (name, x, y) above right (left in the right third), clear of their bars,
    heights at least ``gap`` (axes fraction) apart in the points' order, a line to each."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    fx = [(x - x0) / (x1 - x0) for _, x, _ in labels]
    fy = [(y - y0) / (y1 - y0) for _, _, y in labels]
    order = sorted(range(len(labels)), key=lambda i: (fy[i], fx[i]))
    at, floor = list(fy), -1.0
    for i in order:  # push up, then down from the top
        at[i] = floor = max(fy[i] + gap * 0.6, floor + gap)
    ceiling = 1.0 + gap
    for i in reversed(order):
        at[i] = ceiling = min(at[i], ceiling - gap)
    for i, ((name, x, y), px) in enumerate(zip(labels, fx, strict=True)):
        right = px > 0.66
        ax.annotate(name, (x, y), xytext=(px + (-0.04 if right else 0.04), at[i]),
                    textcoords="axes fraction", fontsize=7, va="center",
                    ha="right" if right else "left",
                    bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
                    arrowprops={"arrowstyle": "-", "lw": 0.4, "color": "0.55"})


def top_k_curve(path: Path, ks: Sequence[int], rho: Sequence[Interval],
                lines: Sequence[tuple[float, str]], xlabel: str, ylabel: str) -> Path:
    """Values (value, low, high) against k, intervals as bars, and labelled reference lines."""
    v = np.asarray(rho, dtype=float).reshape(-1, 3)
    with figure(path, 5.6, 3.2) as fig:
        ax = fig.add_subplot(xlabel=xlabel, ylabel=ylabel, xticks=list(ks))
        ax.vlines(ks, v[:, 1], v[:, 2], color="#4c72b0", lw=1.2)
        ax.plot(ks, v[:, 0], "o-", color="#4c72b0", ms=4, lw=0.8)
        for y, label in lines:
            ax.axhline(y, ls="--", lw=0.8, color="0.5")
            ax.text(ks[-1], y, label, fontsize=7, ha="right", va="bottom", color="0.3")
        ax.grid(True, lw=0.3)
    return path


def image_grid(path: Path, title: str, images: Sequence[np.ndarray],
               captions: Sequence[str], correct: Sequence[bool], ncols: int = 6) -> Path:
    """28x28 images with a caption each, green when ``correct`` else red, as one mosaic."""
    scale, gap, cap, size = 3, 8, 9, 28
    n = len(images)
    ncols = max(1, min(ncols, n))
    nrows = max(1, (n + ncols - 1) // ncols)
    cell_w, cell_h = size + gap, size + cap + 2
    mosaic = np.zeros((nrows * cell_h, ncols * cell_w))
    spots = []
    for k, img in enumerate(images):
        row, col = divmod(k, ncols)
        y0, x0 = row * cell_h + cap, col * cell_w + gap // 2
        mosaic[y0:y0 + size, x0:x0 + size] = np.asarray(img, dtype=float).reshape(size, size)
        spots.append((x0, y0))
    title_px = 26
    width_px, height_px = mosaic.shape[1] * scale, mosaic.shape[0] * scale + title_px
    with figure(path, width_px / DPI, height_px / DPI, layout=None) as fig:
        from matplotlib.patches import Rectangle

        fig.suptitle(title, y=1 - 4 / height_px, va="top")
        ax = fig.add_axes((0, 0, 1, 1 - title_px / height_px))
        ax.imshow(mosaic, cmap="gray_r", vmin=0, vmax=255, aspect="equal")
        ax.set_axis_off()
        for (x0, y0), text, ok in zip(spots, captions, correct, strict=True):
            colour = RIGHT if ok else WRONG
            ax.add_patch(Rectangle((x0 - 0.5, y0 - 0.5), size, size, fill=False,
                                   edgecolor=colour, lw=1))
            ax.text(x0 + size / 2, y0 - 1, text, ha="center", va="bottom", fontsize=6,
                    color=colour, linespacing=1.0)
    return path
