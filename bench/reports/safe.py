"""Names and text from result files are untrusted: figure names go through :func:`figure_path`,
text through :func:`md` (or :func:`code`): no path traversal, HTML or markdown from a record."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

MAX_SLUG = 60
_UNSAFE_SLUG = re.compile(r"[^A-Za-z0-9._-]+")
# ``_`` between two letters or digits never emphasises (GFM), so ``x86_64`` stays as it is.
_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|#!~&]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_UNESCAPED_LT = re.compile(r"(?<!\\)<")


def slug(name: object) -> str:
    """``name`` when file-name safe, else a cleaned form plus a short digest (different names
    never share a file): ``"../../x/PWNED" -> "x-PWNED-<digest>"``."""
    text = str(name)
    clean = _UNSAFE_SLUG.sub("-", text).strip("-.")[:MAX_SLUG].strip("-.")
    if clean == text and clean:
        return clean
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{clean}-{digest}" if clean else digest


def one_line(text: object) -> str:
    """``text`` with every run of whitespace (newlines included) made one space."""
    return " ".join(str(text).split())


def md(text: object) -> str:
    """Plain text safe anywhere in markdown: one line, HTML and markdown syntax escaped."""
    return _MD_SPECIAL.sub(r"\\\1", one_line(text))


def table_cell(text: object) -> str:
    """A markdown table cell: one line, pipes escaped (once), no HTML tag can open (record
    text is escaped with :func:`md` before it gets here)."""
    return _UNESCAPED_LT.sub(r"\\<", _UNESCAPED_PIPE.sub(r"\\|", one_line(text)))


def code(text: object) -> str:
    """``text`` as one inline code span, whatever backticks it holds."""
    line = one_line(text)
    longest = max((len(m) for m in re.findall(r"`+", line)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if line.startswith("`") or line.endswith("`") or not line else ""
    return f"{fence}{pad}{line}{pad}{fence}"


def figure_path(fig_dir: Path, kind: str, *parts: str) -> Path:
    """``<fig_dir>/<kind>[-<part>...].png``, every part through :func:`slug`."""
    return Path(fig_dir) / ("-".join([slug(kind), *(slug(p) for p in parts)]) + ".png")
