"""A rendered report page and the pieces every page starts with."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.reports.inputs import ReportInputs
from bench.reports.safe import code, md
from bench.reports.writer import FIGURES_FOLDER


@dataclass(frozen=True)
class Page:
    """A markdown file name and its text."""

    name: str
    text: str


def figure_link(path: Path, alt: str) -> str:
    """A markdown image link relative to the reports folder (renders on GitHub)."""
    return f"![{md(alt)}]({FIGURES_FOLDER}/{path.name})"


def scope_line(inputs: ReportInputs) -> str:
    """One sentence naming the profile, seeds and what the numbers are."""
    seeds = sorted({r.seed for r in inputs.runs})
    seed_text = f" ({', '.join(str(s) for s in seeds)})" if seeds else ""
    return (f"Profile {code(inputs.profile)}, {plural(len(seeds), 'seed')}{seed_text}; "
            f"{plural(len(inputs.runs), 'successful headline run')}, "
            f"{plural(len(inputs.curve_runs), 'learning-curve run')} and "
            f"{plural(len(inputs.sweep_runs), 'long-sweep run')}.")


def plural(n: int, noun: str) -> str:
    """``"1 seed"``, ``"3 seeds"``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def join_blocks(*blocks: str) -> str:
    """Markdown blocks separated by blank lines, ending with one newline."""
    return "\n\n".join(b.strip("\n") for b in blocks if b and b.strip()) + "\n"
