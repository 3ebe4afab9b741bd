"""The one path for names into file names and markdown (to be connected to the slug/escape
helpers of ``bench/reports/safe.py`` at merge).

Every figure file name is built by :func:`figure_path`; every model or dataset name that
reaches markdown passes through :func:`md`.
"""

from __future__ import annotations

import re
from pathlib import Path

from bench.reports.tables import escape

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def slug(name: str) -> str:
    """A file-name-safe form of ``name`` (letters, digits, ``.``, ``_``, ``-``)."""
    text = _UNSAFE.sub("-", str(name)).strip("-.")
    return text or "unnamed"


def figure_path(fig_dir: Path, kind: str, *parts: str) -> Path:
    """``<fig_dir>/<kind>[-<part>...].png`` with every part slugged."""
    return Path(fig_dir) / ("-".join([slug(kind), *(slug(p) for p in parts)]) + ".png")


def md(name: object) -> str:
    """A name as it may appear in markdown text or a table cell."""
    return escape(name)
