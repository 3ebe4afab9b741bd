"""Published reference figures with their sources, read from ``references.toml`` (the one home
of every cited number), and the mapping of our models to Xiao et al. 2017's Table 3 families."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

from bench.data.specs import DATASET_NAMES

REFERENCES_FILE = Path(__file__).with_name("references.toml")


@dataclass(frozen=True)
class Reference:
    """One cited figure: ``value`` (a fraction or a count) or a ``quote``."""

    key: str
    value: float | None
    what: str
    source: str
    url: str
    caveats: str = ""
    quote: str = ""
    short: str = ""


@dataclass(frozen=True)
class XiaoRow:
    """A row of Xiao et al. 2017, Table 3: a family's best configuration on Fashion-MNIST."""

    family: str
    params: str
    accuracy: dict[str, float]
    class_paths: tuple[str, ...]
    models: tuple[str, ...]
    ours: tuple[tuple[str, str], ...] = ()  # (model or class path, how our run differs)

    def difference(self, model: str) -> str:
        """How the harness's run of ``model`` differs from this row's configuration, if declared."""
        return next((text for name, text in self.ours if _names_match(model, name)), "")


@dataclass(frozen=True)
class References:
    best_published: dict[str, Reference]
    human: dict[str, Reference]
    label_errors: dict[str, Reference]
    one_pixel: Reference
    readme_claims: Reference
    xiao: Reference
    xiao_rows: tuple[XiaoRow, ...]

    def all(self) -> list[Reference]:
        """Every reference, in a fixed order (for the references table)."""
        return [*self.best_published.values(), *self.human.values(),
                *self.label_errors.values(), self.one_pixel, self.readme_claims, self.xiao]


def _ref(key: str, data: dict) -> Reference:
    return Reference(key, data.get("value"), data["what"], data["source"], data["url"],
                     data.get("caveats", ""), data.get("quote", ""), data.get("short", ""))


def parse(text: str) -> References:
    """References from the TOML text of ``references.toml``."""
    data = tomllib.loads(text)

    def group(name: str) -> dict[str, Reference]:
        return {k: _ref(f"{name}.{k}", v) for k, v in data.get(name, {}).items()}

    xiao = data["xiao2017"]
    rows = tuple(XiaoRow(r["family"], r["params"],
                         {d: float(r[d]) for d in DATASET_NAMES if d in r},
                         tuple(r.get("class_paths", ())), tuple(r.get("models", ())),
                         tuple((str(k), str(v)) for k, v in r.get("ours", {}).items()))
                 for r in xiao["rows"])
    return References(group("best_published"), group("human"), group("label_errors"),
                      _ref("one_pixel", data["one_pixel"]),
                      _ref("readme_claims", data["readme_claims"]),
                      _ref("xiao2017", {**xiao, "what": "Xiao et al. 2017, Table 3"}), rows)


@functools.cache
def load() -> References:
    """The packaged references (read once)."""
    return parse(REFERENCES_FILE.read_text(encoding="utf-8"))


def cite(ref: Reference) -> str:
    """``[source](url)``: the markdown citation printed next to a reference figure."""
    return f"[{ref.source}]({ref.url})"


def cite_short(ref: Reference) -> str:
    """``[Byerly et al. 2020](url)``: the compact citation used inside sentences."""
    return f"[{ref.short or ref.source}]({ref.url})"


def xiao_family(model: str, rows: tuple[XiaoRow, ...]) -> XiaoRow | None:
    """The Table 3 row of a declared built-in name or a class path (also followed by a non-name
    character, e.g. a suite's ``sklearn.svm.SVC[C=10]``); ``None`` without one."""
    return next((row for row in rows if model in row.models
                 or any(_names_match(model, path) for path in row.class_paths)), None)


def _names_match(model: str, name: str) -> bool:
    """``model`` is ``name``, or ``name`` followed by a non-name character."""
    return model == name or (model.startswith(name) and not
                             (model[len(name)].isalnum() or model[len(name)] in "_.-"))
