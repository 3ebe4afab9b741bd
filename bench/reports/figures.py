"""Deterministic PNG figures: Agg canvas, fixed style, DPI, sizes and no PNG metadata.

Every function draws one figure from plain data and writes it to ``path``; the same input
gives the same bytes. Nothing here touches ``matplotlib.pyplot`` or global state beyond a
temporary ``rc_context``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from bench.data.specs import DATASET_NAMES

DPI = 100
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.labelsize": 8,
    "legend.fontsize": 7,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "image.interpolation": "nearest",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "path.simplify": False,
}
RIGHT, WRONG = "#1a7f37", "#cf222e"
DATASET_COLOURS = dict(zip(DATASET_NAMES, ("#4c72b0", "#dd8452"), strict=False))


@contextmanager
def figure(path: Path, width: float, height: float, layout: str | None = "constrained",
           ) -> Iterator:
    """Yield a fresh ``Figure`` in the fixed style; save it to ``path`` as PNG on exit.

    Figures with many axes pass ``layout=None`` and place them with fixed margins: the
    constrained layout is slow there.
    """
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


def error_rates(path: Path, models: Sequence[str], datasets: Sequence[str],
                errors: Mapping[tuple[str, str], tuple[float, float, float]],
                titles: Mapping[str, str], references: Sequence[tuple[str, float, str]]) -> Path:
    """Test error rate (%) per model on a log axis, 95% intervals as bars, one marker per
    dataset; ``references`` are (dataset, error %, label) drawn as vertical lines."""
    from matplotlib.ticker import FuncFormatter

    height = max(2.8, 0.5 * len(models) + 1.6)
    with figure(path, 6.6, height) as fig:
        ax = fig.add_subplot()
        y = np.arange(len(models))
        offsets = np.linspace(-0.17, 0.17, len(datasets)) if len(datasets) > 1 else [0.0]
        for off, name in zip(offsets, datasets, strict=True):
            pts = [(i, *errors[(m, name)]) for i, m in enumerate(models) if (m, name) in errors]
            if not pts:
                continue
            ys, vals, lows, highs = (np.array(v, dtype=float) for v in zip(*pts, strict=True))
            xerr = np.nan_to_num(np.vstack([vals - lows, highs - vals]))
            colour = DATASET_COLOURS.get(name)
            ax.errorbar(vals, ys + off, xerr=xerr, fmt="o", ms=4, capsize=2, lw=1,
                        color=colour, label=titles.get(name, name))
            for yy, v, hi in zip(ys, vals, highs, strict=True):
                ax.annotate(f"{v:.2f}%", (hi if np.isfinite(hi) else v, yy + off),
                            xytext=(4, 0), textcoords="offset points", fontsize=6,
                            va="center", color=colour)
        trans = ax.get_xaxis_transform()
        for name, value, label in references:
            colour = DATASET_COLOURS.get(name, "grey")
            ax.axvline(value, color=colour, ls=":", lw=1)
            ax.text(value, 1.01, f"{label}\n{value:.2f}%", transform=trans, fontsize=6,
                    ha="center", va="bottom", color=colour)
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
        ax.set_yticks(y, list(models))
        ax.set_ylim(len(models) - 0.5, -0.5)
        shown = [v for v in (*(r[1] for r in references),
                             *(x for e in errors.values() for x in e)) if np.isfinite(v) and v > 0]
        lo, hi = (min(shown), max(shown)) if shown else (0.1, 100.0)
        ax.set_xlim(lo / 1.6, hi * 2.2)
        ax.set_xlabel("test error rate (%), log scale; bars: 95% interval over test images "
                      "and seeds")
        ax.grid(True, axis="x", which="both", lw=0.3)
        ax.legend(loc="lower left", fontsize=6)
    return path


def confusion_grid(path: Path, title: str, labels: Sequence[str],
                   matrices: Mapping[str, np.ndarray]) -> Path:
    """Row-normalised confusions (% of each true class), diagonal masked, one panel per model,
    one shared colour scale with a colour bar."""
    names = sorted(matrices)
    ncols = max(1, min(4, int(np.ceil(np.sqrt(len(names))))))
    nrows = (len(names) + ncols - 1) // ncols
    panel = 3.4
    width, height = panel * ncols + 0.9, panel * nrows + 0.4
    shares = {}
    for name in names:
        m = np.asarray(matrices[name], dtype=float)
        rows = m.sum(axis=1, keepdims=True)
        share = 100 * np.divide(m, rows, out=np.zeros_like(m), where=rows > 0)
        np.fill_diagonal(share, np.nan)
        shares[name] = share
    top = max([float(np.nanmax(s)) for s in shares.values() if np.isfinite(s).any()] or [1.0])
    with figure(path, width, height, layout=None) as fig:
        fig.suptitle(title)
        margins = {"left": 1.1 / width, "right": 1 - 0.9 / width, "bottom": 1.0 / height,
                   "top": 1 - 0.55 / height, "wspace": 0.5, "hspace": 0.6}
        image = None
        for ax, name in zip(_grid(fig, len(names), ncols, gridspec_kw=margins), names,
                            strict=True):
            share = shares[name]
            image = ax.imshow(np.ma.masked_invalid(share), cmap="Reds", vmin=0, vmax=top)
            for (i, j), v in np.ndenumerate(share):
                if np.isfinite(v) and v >= (0.5 if top < 10 else 1):
                    ax.text(j, i, f"{v:.1f}" if top < 10 else f"{v:.0f}", ha="center",
                            va="center", fontsize=4.5 if top < 10 else 5,
                            color="white" if v > top * 0.6 else "black")
            ticks = np.arange(len(labels))
            ax.set_xticks(ticks, list(labels), rotation=90, fontsize=5)
            ax.set_yticks(ticks, list(labels), fontsize=5)
            ax.set_xlabel("predicted")
            ax.set_ylabel("true")
            ax.set_title(name)
        if image is not None:
            cax = fig.add_axes((1 - 0.7 / width, 1.0 / height, 0.12 / width, 1 - 1.55 / height))
            fig.colorbar(image, cax=cax, label="% of the true class predicted as this class")
    return path


def history_curves(path: Path, model: str, curves: Mapping[str, Mapping[str, np.ndarray]],
                   titles: Mapping[str, str]) -> Path:
    """Per-epoch train vs test-monitor accuracy and loss (seed means), a row per dataset."""
    from matplotlib.ticker import MaxNLocator

    names = list(curves)
    height = 2.4 * len(names) + 0.3
    with figure(path, 7.0, height, layout=None) as fig:
        fig.suptitle(f"{model}: per-epoch curves (mean over seeds)")
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


def separability_heatmaps(path: Path, tables: Mapping[str, np.ndarray],
                          titles: Mapping[str, str],
                          labels: Mapping[str, Sequence[str]]) -> Path:
    """Best single-pixel test accuracy (%) for each class pair, one 10x10 panel per dataset."""
    names = list(tables)
    with figure(path, 4.0 * len(names), 4.0) as fig:
        fig.suptitle("Best one-pixel, one-threshold rule per class pair: test accuracy (%)")
        for ax, name in zip(_grid(fig, len(names), len(names)), names, strict=True):
            acc = 100 * np.asarray(tables[name], dtype=float)
            image = ax.imshow(np.ma.masked_invalid(acc), cmap="viridis", vmin=50, vmax=100)
            for (i, j), v in np.ndenumerate(acc):
                if np.isfinite(v):
                    ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=5,
                            color="black" if v > 85 else "white")
            ticks = np.arange(acc.shape[0])
            full = list(labels[name])
            ax.set_xticks(ticks, full, rotation=90, fontsize=6)
            ax.set_yticks(ticks, full, fontsize=6)
            ax.set_title(titles.get(name, name))
        fig.colorbar(image, ax=fig.axes, shrink=0.7, label="test accuracy (%)")
    return path


def learning_curves(path: Path,
                    curves: Mapping[str, Mapping[str, list[tuple[int, float, float, float]]]],
                    titles: Mapping[str, str],
                    targets: Mapping[str, Mapping[str, float]] | None = None) -> Path:
    """Test accuracy (%) against training-set size (log scale), a panel per dataset.

    Points are ``(size, mean, low, high)``; the band is the 95% interval. ``targets`` draws a
    dashed line per model (``{dataset: {model: accuracy}}``), e.g. its full-data Fashion
    accuracy on the MNIST panel.
    """
    from matplotlib import colormaps

    names = list(curves)
    models = sorted({m for c in curves.values() for m in c})
    palette = colormaps["tab10"]
    colour = {m: palette(i % 10) for i, m in enumerate(models)}
    with figure(path, 4.2 * len(names), 3.6) as fig:
        axes = _grid(fig, len(names), len(names), sharey=True)
        for ax, name in zip(axes, names, strict=True):
            sizes = set()
            for model, points in sorted(curves[name].items()):
                xs, ys, lo, hi = (np.array(v, dtype=float) for v in zip(*points, strict=True))
                ax.plot(xs, 100 * ys, marker="o", ms=3, label=model, color=colour[model])
                ok = np.isfinite(lo) & np.isfinite(hi)
                if ok.any():
                    ax.fill_between(xs[ok], 100 * lo[ok], 100 * hi[ok], alpha=0.2, lw=0,
                                    color=colour[model])
                sizes.update(int(x) for x in xs)
            mine = sorted((targets or {}).get(name, {}).items())
            for model, acc in mine:
                ax.axhline(100 * acc, ls="--", lw=0.8, color=colour.get(model, "grey"))
            if mine:
                ax.plot([], [], ls="--", lw=0.8, color="grey",
                        label="dashed: the model's full-data\nFashion-MNIST accuracy")
                ax.legend(loc="lower right", fontsize=6)
            ax.set_xscale("log")
            ax.minorticks_off()
            ax.set_xticks(sorted(sizes), [f"{s:,}" for s in sorted(sizes)], rotation=45)
            ax.set_title(titles.get(name, name))
            ax.set_xlabel("training images")
            ax.grid(True, which="major", lw=0.3)
        axes[0].set_ylabel("test accuracy (%), mean and 95% band")
        axes[-1].legend(loc="lower right")
    return path


def pixel_share_curves(path: Path, curves: Mapping[str, tuple[Sequence[float], Sequence[float]]],
                       titles: Mapping[str, str]) -> Path:
    """Share of class pairs the best single pixel separates, against the accuracy bar."""
    with figure(path, 5.0, 3.2) as fig:
        ax = fig.add_subplot()
        for name, (bars, shares) in curves.items():
            ax.plot(100 * np.asarray(bars), 100 * np.asarray(shares), marker="o", ms=3,
                    color=DATASET_COLOURS.get(name), label=titles.get(name, name))
        ax.axhline(50, color="grey", ls=":", lw=0.8)
        ax.text(80.2, 51, "half the pairs (“most”)", fontsize=6, color="grey", va="bottom")
        ax.set_xlabel("bar: best single-pixel test accuracy on the pair (%)")
        ax.set_ylabel("pairs reaching the bar (%)")
        ax.set_ylim(0, 102)
        ax.grid(True, lw=0.3)
        ax.legend(loc="lower left")
    return path


def short_label(model: str) -> str:
    """A model's label in a crowded figure: the class name of an import path."""
    return model.rsplit(".", 1)[-1] if "." in model else model


def cost_accuracy(path: Path, points: Sequence[tuple[str, str, float, float]],
                  titles: Mapping[str, str]) -> Path:
    """Mean fit seconds (log scale) against mean test accuracy, one point per model, one
    panel per dataset, labelled with the model."""
    from matplotlib.ticker import FuncFormatter, LogLocator

    shown = [p for p in points if np.isfinite(p[2]) and p[2] > 0 and np.isfinite(p[3])]
    datasets = list(dict.fromkeys(d for _, d, _, _ in shown)) or [""]
    with figure(path, 4.8 * len(datasets), 3.8) as fig:
        axes = fig.subplots(1, len(datasets), squeeze=False)[0]
        for ax, dataset in zip(axes, datasets, strict=True):
            for model, d, fit, acc in shown:
                if d != dataset:
                    continue
                ax.scatter([fit], [100 * acc], color=DATASET_COLOURS.get(d), s=18)
                ax.annotate(short_label(model), (fit, 100 * acc), xytext=(4, 2),
                            textcoords="offset points", fontsize=6)
            ax.set_xscale("log")
            ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
            ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _pos: ""))
            ax.set_title(titles.get(dataset, dataset), fontsize=9)
            ax.set_xlabel("fit time per run (s, mean over seeds; log scale)")
            ax.set_ylabel("test accuracy (%)")
            ax.grid(True, which="both", lw=0.3)
    return path


def rank_transfer(path: Path, points: Sequence[tuple[str, tuple[float, float, float],
                                                     tuple[float, float, float]]],
                  xlabel: str, ylabel: str, zoom_from: float = 0.95) -> Path:
    """One point per model: accuracy (%) on one dataset against another, 95% bars each way.

    Models whose x accuracy reaches ``zoom_from`` crowd one corner; when there are several and
    also others below, a second panel zooms on them (the first marks that region). Labels
    (the first item of each point) are placed by :func:`_spread_labels`.
    """
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


def top_k_curve(path: Path, ks: Sequence[int], rho: Sequence[tuple[float, float, float]],
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
    """28x28 images with a caption each, green when ``correct`` else red.

    Drawn as one mosaic image (one axes) at 3 screen pixels per image pixel: much faster
    than an axes per image.
    """
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
