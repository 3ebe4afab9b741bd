"""Short display names for models: "SVC (sk)" for ``sklearn.svm.SVC``; plugin names as they are."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

ABBREVIATIONS = {
    "RandomForestClassifier": "RF", "HistGradientBoostingClassifier": "HistGradBoost",
    "KNeighborsClassifier": "KNN", "LogisticRegression": "LogReg",
    "PassiveAggressiveClassifier": "PassiveAggr", "GradientBoostingClassifier": "GradBoost",
}
LIBRARIES = {"sklearn": "sk"}


def short_name(model: str) -> str:
    """A model's display name: an import path becomes its class, shortened, with its library."""
    if "." not in model:
        return model
    package, _, cls = model.rpartition(".")
    top = package.split(".")[0]
    name = ABBREVIATIONS.get(cls) or (cls.removesuffix("Classifier") or cls)
    return f"{name} ({LIBRARIES.get(top, top)})"


def short_names(models: Iterable[str]) -> dict[str, str]:
    """Display names for ``models``, unique among them (a clash keeps the full names)."""
    models = sorted(set(models))
    counts = Counter(short_name(m) for m in models)
    return {m: short_name(m) if counts[short_name(m)] == 1 else m for m in models}
