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


def accuracy_bars(path: Path, models: Sequence[str], datasets: Sequence[str],
                  means: Mapping[tuple[str, str], float],
                  errors: Mapping[tuple[str, str], float], titles: Mapping[str, str]) -> Path:
    """Grouped bars: test accuracy (%) per model, one bar per dataset, CI as error bars."""
    width = 0.8 / max(1, len(datasets))
    x = np.arange(len(models))
    vals = {d: np.array([100 * means.get((m, d), np.nan) for m in models]) for d in datasets}
    errs = {d: np.nan_to_num(np.array([100 * errors.get((m, d), np.nan) for m in models]))
            for d in datasets}
    lows = [v - e for d in datasets for v, e in zip(vals[d], errs[d], strict=True)
            if np.isfinite(v)]
    floor = max(0.0, np.floor((min(lows) if lows else 0) / 5) * 5 - 5)
    with figure(path, max(5.0, 1.3 * len(models) + 1.5), 3.4) as fig:
        ax = fig.add_subplot()
        for i, name in enumerate(datasets):
            pos = x + (i - (len(datasets) - 1) / 2) * width
            ax.bar(pos, vals[name], width, yerr=errs[name], capsize=2,
                   label=titles.get(name, name), color=DATASET_COLOURS.get(name))
            for xp, v in zip(pos, vals[name], strict=True):
                if np.isfinite(v):
                    ax.text(xp, floor + 1, f"{v:.1f}", ha="center", va="bottom", fontsize=6,
                            color="white")
        ax.set_ylim(floor, 101)
        ax.set_xticks(x, models, rotation=15, ha="right")
        ax.set_ylabel("test accuracy (%), mean ± 95% CI")
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=max(1, len(datasets)),
                  frameon=False)
    return path


def confusion_grid(path: Path, title: str, labels: Sequence[str],
                   matrices: Mapping[str, np.ndarray]) -> Path:
    """Row-normalised confusion matrices (% of each true class), one panel per model."""
    names = sorted(matrices)
    ncols = min(4, len(names))
    nrows = (len(names) + ncols - 1) // ncols
    height = 3.3 * nrows + 0.3
    with figure(path, 3.3 * ncols, height, layout=None) as fig:
        fig.suptitle(title)
        margins = {"left": 0.6 / (3.3 * ncols), "right": 0.99, "bottom": 0.75 / height,
                   "top": 1 - 0.55 / height, "wspace": 0.35, "hspace": 0.45}
        for ax, name in zip(_grid(fig, len(names), ncols, gridspec_kw=margins), names,
                            strict=True):
            m = np.asarray(matrices[name], dtype=float)
            rows = m.sum(axis=1, keepdims=True)
            share = 100 * np.divide(m, rows, out=np.zeros_like(m), where=rows > 0)
            ax.imshow(share, cmap="Blues", vmin=0, vmax=100)
            for (i, j), v in np.ndenumerate(share):
                if v >= 0.5:
                    ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=5,
                            color="white" if v > 60 else "black")
            ticks = np.arange(len(labels))
            short = [lab[:7] for lab in labels]
            ax.set_xticks(ticks, short, rotation=90, fontsize=5)
            ax.set_yticks(ticks, short, fontsize=5)
            ax.set_xlabel("predicted")
            ax.set_ylabel("true")
            ax.set_title(name)
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
            short = [lab[:7] for lab in labels[name]]
            ax.set_xticks(ticks, short, rotation=90, fontsize=6)
            ax.set_yticks(ticks, short, fontsize=6)
            ax.set_title(titles.get(name, name))
        fig.colorbar(image, ax=fig.axes, shrink=0.7, label="test accuracy (%)")
    return path


def learning_curves(path: Path, curves: Mapping[str, Mapping[str, list[tuple[int, float]]]],
                    titles: Mapping[str, str]) -> Path:
    """Test accuracy (%) against training-set size (log scale); a panel per dataset."""
    names = list(curves)
    with figure(path, 3.6 * len(names), 3.2) as fig:
        axes = _grid(fig, len(names), len(names), sharey=True)
        for ax, name in zip(axes, names, strict=True):
            sizes = set()
            for model, points in sorted(curves[name].items()):
                xs, ys = zip(*points, strict=True) if points else ((), ())
                ax.plot(xs, [100 * y for y in ys], marker="o", label=model)
                sizes.update(xs)
            ax.set_xscale("log")
            ax.minorticks_off()
            ax.set_xticks(sorted(sizes), [f"{s:,}" for s in sorted(sizes)], rotation=45)
            ax.set_title(titles.get(name, name))
            ax.set_xlabel("training images")
            ax.grid(True, which="major", lw=0.3)
        axes[0].set_ylabel("test accuracy (%), mean over seeds")
        axes[-1].legend(loc="lower right")
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
