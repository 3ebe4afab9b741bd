"""reports/index.html: ``assets/index.html`` with the answer, a sortable table and Plotly chart
specs inline as JSON, beside ``plotly-basic.min.js`` (vendored in ``assets/``, licence there)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from bench.reports.answers import Answer
from bench.reports.index import PAGES, answer_sentence, stability_cell
from bench.reports.inputs import ReportInputs, dataset_title
from bench.reports.measures import FASHION, MNIST, Cell, Measures
from bench.reports.names import short_name
from bench.reports.references import References, xiao_family
from bench.reports.tables import COMBINED_RULE, MISSING, combined_cell, seconds, with_interval

ASSETS = Path(__file__).parent / "assets"
SCRIPT = "plotly-basic.min.js"
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896",
           "#c5b0d5", "#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5", "#393b79")


def family(model: str, refs: References) -> str:
    """A model's family: its Xiao et al. 2017 Table 3 family (the declared mapping the
    accuracy page uses), else the model itself."""
    row = xiao_family(model, refs.xiao_rows)
    return row.family if row else short_name(model)


def _num(value):
    """A number for the page: 6 significant digits, ``None`` when missing; text unchanged."""
    if isinstance(value, str):
        return value
    return None if value is None or not math.isfinite(value) else float(f"{value:.6g}")


def _acc(c: Cell) -> tuple[float, tuple[float, float]]:
    a = c.accuracy
    return 100 * a.value, (100 * a.low, 100 * a.high)


def _spread(value: float, interval: tuple[float, float] | None) -> tuple:
    """The error bar's (up, down) lengths."""
    return (interval[1] - value, value - interval[0]) if interval else (None, None)


def _traces(points: list[tuple], families: dict[str, str], lines: bool = False) -> list[dict]:
    """One scatter trace per (panel, family), grouped so that a family's legend entry toggles
    it in every panel. ``points`` are (panel, model, x, x interval, y, y interval, hover)."""
    colours = {f: PALETTE[i % len(PALETTE)] for i, f in enumerate(sorted(set(families.values())))}
    groups: dict[tuple[int, str], list[tuple]] = {}
    for p in sorted(points, key=lambda p: p[:3]):
        groups.setdefault((p[0], families[p[1]]), []).append(p)
    traces, shown = [], set()
    for (panel, fam), pts in sorted(groups.items()):
        t: dict = {k: [] for k in ("x", "y", "text", "ex", "exm", "ey", "eym")}
        for k, (_, model, x, xr, y, yr, hover) in enumerate(pts):
            gap = lines and k and pts[k - 1][1] != model  # a gap between two models' lines
            for key, value in zip(t, (x, y, hover, *_spread(x, xr), *_spread(y, yr)),
                                  strict=True):
                t[key] += [None, _num(value)] if gap else [_num(value)]
        sub = "" if panel == 0 else str(panel + 1)
        trace = {"type": "scatter", "mode": "lines+markers" if lines else "markers",
                 "name": fam, "legendgroup": fam, "showlegend": fam not in shown,
                 "x": t["x"], "y": t["y"], "text": t["text"],
                 "hovertemplate": "%{text}<extra></extra>", "xaxis": "x" + sub,
                 "yaxis": "y" + sub, "marker": {"color": colours[fam], "size": 7},
                 "line": {"color": colours[fam], "width": 1}}
        for axis, key in (("error_x", "ex"), ("error_y", "ey")):
            if any(v is not None for v in t[key]):
                trace[axis] = {"type": "data", "symmetric": False, "array": t[key],
                               "arrayminus": t[key + "m"], "color": colours[fam],
                               "thickness": 1, "width": 2}
        shown.add(fam)
        traces.append(trace)
    return traces


def _chart(name: str, title: str, traces: list[dict], axes: list[tuple[dict, dict]],
           height: int = 460) -> dict:
    """A Plotly figure with one panel per (x axis, y axis), side by side."""
    gap = 0.08
    width = (1 - gap * (len(axes) - 1)) / len(axes)
    layout: dict = {"title": {"text": title}, "height": height, "hovermode": "closest",
                    "legend": {"title": {"text": "family (click: hide/show)"}},
                    "margin": {"l": 70, "r": 20, "t": 60, "b": 60}}
    for i, (x, y) in enumerate(axes):
        sub = "" if i == 0 else str(i + 1)
        layout["xaxis" + sub] = {**x, "anchor": "y" + sub,
                                 "domain": [_num(i * (width + gap)), _num(i * (width + gap) + width)]}
        layout["yaxis" + sub] = {**y, "anchor": "x" + sub}
    return {"name": name, "data": traces, "layout": layout}


def _axis(title: str, log: bool = False, **extra) -> dict:
    return {"title": {"text": title}, "type": "log" if log else "-", "automargin": True, **extra}


def _charts(m: Measures, families: dict[str, str]) -> list[dict]:
    names = [dataset_title(d) for d in m.datasets]
    cells = [(i, c) for i, d in enumerate(m.datasets) for c in m.boot.full_cells(d)]
    order = sorted({short_name(c.model) for _, c in cells})
    errors, cost, curve, rank = [], [], [], []
    for i, c in cells:
        acc, iv = _acc(c)
        text = f"{c.model}<br>{names[i]}: {with_interval(c.accuracy, 100, 2)}% test accuracy"
        err = (100 - iv[1], 100 - iv[0])
        errors.append((i, c.model, 100 - acc, err, short_name(c.model), None,
                       f"{c.model}<br>{names[i]}: {100 - acc:.2f}% [{err[0]:.2f}, {err[1]:.2f}]"
                       " test error"))
        cost.append((i, c.model, c.fit_seconds, None, acc, iv,
                     f"{text}<br>fit {seconds(c.fit_seconds)} per run"))
        steps = m.boot.curve(c.model, m.datasets[i])
        for p in steps if len(steps) >= 2 else []:
            curve.append((i, c.model, p.train_size, None, *_acc(p),
                          f"{c.model}<br>{names[i]}, {p.train_size:,} training images: "
                          f"{with_interval(p.accuracy, 100, 2)}%"))
    by = {(c.model, m.datasets[i]): c for i, c in cells}
    for model in sorted(mo for mo, d in by if d == MNIST and (mo, FASHION) in by):
        (x, xr), (y, yr) = _acc(by[(model, MNIST)]), _acc(by[(model, FASHION)])
        rank.append((0, model, x, xr, y, yr,
                     f"{model}<br>MNIST {with_interval(by[(model, MNIST)].accuracy, 100, 2)}%"
                     f"<br>Fashion-MNIST {with_interval(by[(model, FASHION)].accuracy, 100, 2)}%"))
    rows = {"type": "category", "categoryorder": "array", "categoryarray": order,
            "autorange": "reversed", "automargin": True}
    charts = [
        _chart("error-rates", "Test error rate per model (log scale), 95% intervals",
               _traces(errors, families),
               [(_axis(f"{n}: test error (%)", log=True),
                 {**rows, **({} if i == 0 else {"matches": "y", "showticklabels": False})})
                for i, n in enumerate(names)], height=max(460, 26 * len(order) + 120)),
        _chart("cost-vs-accuracy", "Fit time per run against test accuracy",
               _traces(cost, families),
               [(_axis(f"{n}: fit time per run (s, log scale)", log=True),
                 _axis("test accuracy (%)")) for n in names]),
        _chart("rank-transfer", "MNIST against Fashion-MNIST accuracy per model, 95% intervals",
               _traces(rank, families), [(_axis("MNIST test accuracy (%)"),
                                          _axis("Fashion-MNIST test accuracy (%)"))]),
        _chart("learning-curve", "Learning curves: test accuracy against training images",
               _traces(curve, families, lines=True),
               [(_axis(f"{n}: training images (log scale)", log=True),
                 _axis("test accuracy (%)")) for n in names]),
    ]
    return [c for c in charts if c["data"]]


def _table(inputs: ReportInputs, m: Measures, families: dict[str, str]) -> dict:
    """The headline numbers, a row per model: each cell is [text, sort key]."""
    columns = [{"label": "model", "dataset": None}, {"label": "family", "dataset": None}]
    for d in inputs.datasets:
        columns += [{"label": f"{dataset_title(d)} {what}", "dataset": dataset_title(d)}
                    for what in ("test acc. (%)", "bootstrap 95% interval", "fit time per run")]
    rows = []
    for model in inputs.models:
        row = [[model, model], [families[model], families[model]]]
        for d in inputs.datasets:
            recs, cell = inputs.runs_of(model, d), m.boot.full(model, d)
            if not recs or cell is None:
                row += [[MISSING, None]] * 3
                continue
            accs = [r.test_accuracy for r in recs]
            row += [[combined_cell(accs, cell.n_test, cell.effective_runs),
                     _num(100 * float(np.mean(accs)))],
                    [with_interval(cell.accuracy, 100, 2), _num(100 * cell.accuracy.value)],
                    [seconds(cell.fit_seconds), _num(cell.fit_seconds)]]
        rows.append(row)
    return {"columns": columns, "rows": rows}


def render(inputs: ReportInputs, m: Measures, refs: References,
           found: list[Answer]) -> dict[str, str]:
    """``{"index.html": page, SCRIPT: the vendored charting library}``."""
    families = {model: family(model, refs) for model in {*inputs.models, *(mo for mo, _ in m.boot.full_size)}}
    data = {"answer": [answer_sentence(found)],
            "questions": [[a.question, a.shown, f"{a.figure} {a.interval}; resamples keeping "
                           f"it: {stability_cell(a)}. {a.text}"] for a in found],
            "rule": COMBINED_RULE, "pages": [[name, title, what] for name, title, what in PAGES],
            "table": _table(inputs, m, families), "charts": _charts(m, families)}
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).replace("<", "\\u003c")
    page = (ASSETS / "index.html").read_text(encoding="utf-8").replace("{{DATA}}", text)
    return {"index.html": page, SCRIPT: (ASSETS / SCRIPT).read_bytes().decode("utf-8")}
