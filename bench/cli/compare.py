"""``bench compare A B``: did the results change beyond noise between two result stores?"""

from __future__ import annotations

import argparse
import dataclasses
import json

from bench import api

HEADERS = ["model", "dataset", "train", "seed", "A %", "B %", "B − A % [95% CI]",
           "A-only/B-only right", "p", "Holm p", "verdict"]


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "compare", help="compare two result stores job by job (paired tests)",
        description=(
            "Pair the records of result stores A and B by job key (or by the rest of the job "
            "identity when only the model version or the corrupted test sets differ). Bit-identical predictions are "
            "'identical'; otherwise the accuracy difference B - A on the same images gets an "
            "exact McNemar test and a 95% interval, Holm-adjusted across the pairs, and "
            "'changed' means adjusted p < 0.05. Also lists the jobs only in one store and the "
            "provenance differences (library versions, harness commit, platform). B may be a "
            "git revision of A (e.g. HEAD~1 or main). Test labels come from the stores' "
            "analysis caches (written by 'bench report' and 'run-all')."))
    parser.add_argument("a", metavar="A", help="result store folder")
    parser.add_argument("b", metavar="B", help="result store folder, or a git revision of A")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--markdown", action="store_true", help="write markdown")
    output.add_argument("--json", action="store_true", help="write JSON (every pair)")
    parser.add_argument("--fail-on-change", action="store_true",
                        help="exit 1 when a pair changed significantly (for CI)")
    parser.set_defaults(func=run)
    return parser


def _pct(value: float | None, sign: str = "") -> str:
    return "-" if value is None else f"{100 * value:{sign}.2f}"


def _row(p) -> list:
    ci = "" if p.low is None else f" [{_pct(p.low, '+')}, {_pct(p.high, '+')}]"
    p_values = ["-" if v is None else f"{v:.3g}" for v in (p.p_value, p.p_holm)]
    return [p.model, p.dataset, p.train_size, p.seed, _pct(p.accuracy_a), _pct(p.accuracy_b),
            _pct(p.difference, "+") + ci, f"{p.only_a}/{p.only_b}", *p_values,
            p.verdict + (f" ({p.note})" if p.note else "")]


def render(c, markdown: bool = False) -> str:
    """The comparison as a terminal table, or markdown; identical pairs are only counted."""
    from tabulate import tabulate

    head, tick = ("## ", "`") if markdown else ("", "")
    counts = ", ".join(f"{n} {verdict}" for verdict, n in c.counts.items())
    lines = [f"{head}Comparing {c.a} (A) with {c.b} (B)", "",
             f"{len(c.pairs)} jobs in both ({counts or 'none'}); {len(c.only_in_a)} only in A, "
             f"{len(c.only_in_b)} only in B.", "Changed: Holm-adjusted exact McNemar p < 0.05 "
             f"over the {sum(p.p_holm is not None for p in c.pairs)} pairs that differ in some "
             "image's correctness.", ""]
    if c.notable:
        fmt = "github" if markdown else "simple"
        lines += [tabulate([_row(p) for p in c.notable], headers=HEADERS, tablefmt=fmt,
                           disable_numparse=True), ""]
    for title, keys in (("Only in A", c.only_in_a), ("Only in B", c.only_in_b)):
        if keys:
            lines += [f"{head}{title}", "", *(f"- {tick}{k}{tick}" for k in keys), ""]
    if c.provenance:
        lines += [f"{head}Provenance differences", "",
                  *(f"- {field}: {a} → {b} in {n} jobs" for field, a, b, n in c.provenance), ""]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    comparison = api.compare(args.a, args.b)
    print(json.dumps(dataclasses.asdict(comparison), indent=1, sort_keys=True) if args.json
          else render(comparison, args.markdown).rstrip("\n"))
    return 1 if args.fail_on_change and comparison.changed else 0
