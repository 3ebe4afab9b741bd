"""Two result stores compared job by job (``bench compare A B``): bit-identical predictions are
*identical*, else the accuracy difference B − A gets an exact McNemar test and a 95% interval,
Holm-adjusted across the pairs (adjusted p < 0.05: *changed*).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import subprocess
import tarfile
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from bench import stats
from bench.errors import ResultsError, UsageError
from bench.files import UntrustedFileError, read_small_file
from bench.results.codec import digits_to_array
from bench.results.record import STATUS_OK, RunRecord, evaluated_indices
from bench.results.store import load_records
from bench.results.validate import MAX_ANALYSIS_BYTES, check_analysis

IDENTICAL, CHANGED, NOISE, FAILED, UNTESTED = ("identical", "changed", "not significant",
                                               "failed", "not compared")
VERDICTS = (CHANGED, NOISE, UNTESTED, FAILED, IDENTICAL)  # the order of the report

Truth = Callable[[RunRecord], "np.ndarray | None"]


@dataclass(frozen=True)
class PairComparison:
    """One job in both stores. ``only_a``: images A gets right and B wrong; ``only_b`` the
    reverse; ``difference`` = accuracy B − A on the same images, [``low``, ``high``] its 95%
    interval; ``p_holm`` the Holm-adjusted p-value; ``provenance`` (field, A, B) differences."""

    key: str
    model: str
    dataset: str
    seed: int
    train_size: int
    verdict: str
    note: str = ""
    accuracy_a: float | None = None
    accuracy_b: float | None = None
    only_a: int = 0
    only_b: int = 0
    difference: float | None = None
    low: float | None = None
    high: float | None = None
    p_value: float | None = None
    p_holm: float | None = None
    provenance: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class Comparison:
    """Everything ``bench compare`` reports; ``pairs`` and the key lists sorted by key;
    ``provenance`` (field, A, B, number of pairs) for each provenance difference."""

    a: str
    b: str
    pairs: tuple[PairComparison, ...]
    only_in_a: tuple[str, ...]
    only_in_b: tuple[str, ...]
    provenance: tuple[tuple[str, str, str, int], ...]

    @property
    def changed(self) -> tuple[PairComparison, ...]:
        return tuple(p for p in self.pairs if p.verdict == CHANGED)

    @property
    def counts(self) -> dict[str, int]:
        """How many pairs got each verdict, in ``VERDICTS`` order (zeros left out)."""
        found = Counter(p.verdict for p in self.pairs)
        return {v: found[v] for v in VERDICTS if found[v]}

    @property
    def notable(self) -> tuple[PairComparison, ...]:
        """The pairs that are not identical, by verdict then key."""
        return tuple(sorted((p for p in self.pairs if p.verdict != IDENTICAL),
                            key=lambda p: (VERDICTS.index(p.verdict), p.key)))


def paired_interval(only_a: int, only_b: int, n: int,
                    confidence: float = stats.CONFIDENCE) -> tuple[float, float]:
    """Wald interval with continuity correction (Fleiss) for the paired difference of two
    accuracies on ``n`` images: ``(only_b - only_a) / n`` ± (z·se + 1/n), clipped to [-1, 1]."""
    from scipy.special import ndtri

    d = (only_b - only_a) / n
    se = math.sqrt(max(0.0, (only_a + only_b) / n - d * d) / n)
    half = float(ndtri((1 + confidence) / 2)) * se + 1 / n
    return (max(-1.0, d - half), min(1.0, d + half))


def flatten(value, prefix: str = "") -> dict[str, str]:
    """Nested dicts as ``{"a.b": "text"}``, other values as JSON text (strings bare)."""
    if isinstance(value, dict):
        return {k: v for name, item in value.items()
                for k, v in flatten(item, f"{prefix}.{name}" if prefix else str(name)).items()}
    if isinstance(value, list):  # order-free (threadpoolctl lists BLAS libraries in any order)
        return {prefix: "; ".join(sorted(json.dumps(v, sort_keys=True) for v in value))}
    return {prefix: value if isinstance(value, str) else json.dumps(value, sort_keys=True)}


def provenance_diff(a: RunRecord, b: RunRecord) -> tuple[tuple[str, str, str], ...]:
    """The (field, A, B) provenance values that differ, the model's version and distribution
    included."""
    fa, fb = ({**flatten(r.provenance), "model_distribution": str(r.model_distribution),
               "model_version": r.model_version} for r in (a, b))
    return tuple((k, fa.get(k, "-"), fb.get(k, "-")) for k in sorted(fa.keys() | fb.keys())
                 if fa.get(k) != fb.get(k))


def compare_pair(a: RunRecord, b: RunRecord, truth: Truth) -> PairComparison:
    """One pair, before the multiplicity adjustment (``p_holm`` unset)."""
    pair = PairComparison(a.key, a.model, a.dataset, a.seed, a.train_size, IDENTICAL,
                          accuracy_a=a.test_accuracy, accuracy_b=b.test_accuracy,
                          provenance=provenance_diff(a, b))
    if a.status != STATUS_OK or b.status != STATUS_OK:
        return replace(pair, verdict=FAILED, note=f"A {a.status}, B {b.status}")
    if not (a.test_predictions and b.test_predictions and a.test_indices_digest
            and len(a.test_predictions) == len(b.test_predictions)
            and a.test_indices_digest == b.test_indices_digest):
        return replace(pair, verdict=UNTESTED, note="no predictions on the same images")
    if a.test_predictions == b.test_predictions:
        return replace(pair, difference=0.0)
    pred_a, pred_b = digits_to_array(a.test_predictions), digits_to_array(b.test_predictions)
    labels = truth(a)
    if labels is None:
        return replace(pair, verdict=UNTESTED, note=(
            f"{int(np.sum(pred_a != pred_b))} predictions differ; no test labels for "
            f"{a.dataset}: run `bench report --results-dir` on either store"))
    test = stats.mcnemar_exact(pred_a, pred_b, labels)
    low, high = paired_interval(test.only_a, test.only_b, len(labels))
    return replace(pair, verdict=NOISE, only_a=test.only_a, only_b=test.only_b,
                   difference=(test.only_b - test.only_a) / len(labels), low=low, high=high,
                   p_value=test.p_value)


def pair_keys(a: Iterable[RunRecord], b: Iterable[RunRecord]) -> list[tuple[str, str]]:
    """(key in A, key in B) of each job in both: the same key, else the same identity but for
    the model version (an import-path model's version is its library's) and the corrupted test
    sets (scored after training, so the clean predictions stay), unique on each side."""
    loose: dict[str, list[list[str]]] = {}
    for side, records in enumerate((a, b)):
        for r in records:
            ident = json.dumps({**r.job.as_dict(), "model_version": 0, "corruptions": 0,
                                "corruption_version": 0}, sort_keys=True)
            loose.setdefault(ident, [[], []])[side].append(r.key)
    found = []
    for keys_a, keys_b in loose.values():
        same = [(k, k) for k in set(keys_a) & set(keys_b)]
        found += same or ([(keys_a[0], keys_b[0])] if len(keys_a) == len(keys_b) == 1 else [])
    return sorted(found)


def compare_records(records_a: Iterable[RunRecord], records_b: Iterable[RunRecord],
                    truth: Truth, a: str = "A", b: str = "B") -> Comparison:
    """All pairs of ``records_a`` and ``records_b``. The Holm family leaves out pairs that no
    image tells apart: they cannot reach significance, so the family-wise error rate holds
    (Tarone's argument) with more power."""
    by_a, by_b = {r.key: r for r in records_a}, {r.key: r for r in records_b}
    keys = pair_keys(by_a.values(), by_b.values())
    pairs = [compare_pair(by_a[ka], by_b[kb], truth) for ka, kb in keys]
    family = [i for i, p in enumerate(pairs) if p.only_a + p.only_b > 0]
    for i, adjusted in zip(family, stats.holm_adjust([pairs[i].p_value for i in family]),
                           strict=True):
        pairs[i] = replace(pairs[i], p_holm=adjusted,
                           verdict=CHANGED if adjusted < stats.ALPHA else NOISE)
    counts = Counter(change for p in pairs for change in p.provenance)
    changes = tuple((*change, n) for change, n in sorted(counts.items()))
    return Comparison(a, b, tuple(pairs), tuple(sorted(by_a.keys() - {ka for ka, _ in keys})),
                      tuple(sorted(by_b.keys() - {kb for _, kb in keys})), changes)


def truth_lookup(folders: Iterable[str | Path]) -> Truth:
    """``truth(record)``: the true labels of the images ``record`` was evaluated on, from the
    valid analysis caches of ``folders`` (``<results>/analysis/*.json``), else None."""
    labels: dict[tuple[str, str], np.ndarray] = {}
    for path in (p for f in folders for p in sorted(Path(f, "analysis").glob("*.json"))):
        try:
            data = json.loads(read_small_file(path, MAX_ANALYSIS_BYTES))
        except (UntrustedFileError, OSError, ValueError, RecursionError):
            continue
        if not check_analysis(data):
            key = (data["dataset"], json.dumps(data["dataset_sha256"], sort_keys=True))
            labels.setdefault(key, digits_to_array(data["test_labels"]))

    def truth(record: RunRecord) -> np.ndarray | None:
        full = labels.get((record.dataset, json.dumps(record.dataset_sha256, sort_keys=True)))
        if full is None:
            return None
        indices = evaluated_indices(record, full)
        same = indices is not None and len(indices) == len(record.test_predictions or "")
        return full[indices] if same else None

    return truth


@contextlib.contextmanager
def revision_store(folder: str | Path, revision: str) -> Iterator[Path]:
    """The results folder ``folder`` as it was at git ``revision``, exported to a temporary
    folder removed on exit; ``UsageError`` outside a repository or for an unknown revision."""
    def git(where: str | Path, *args: str) -> bytes:
        return subprocess.run(["git", "-C", where, *args], capture_output=True, check=True).stdout

    try:
        if revision.startswith("-"):
            raise OSError("a revision cannot start with '-'")
        top, prefix = git(folder, "rev-parse", "--show-toplevel", "--show-prefix").splitlines()
        archive = git(top.decode(), "archive", "--format=tar",
                      f"{revision}:{prefix.decode().rstrip('/')}")
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", None) or str(exc).encode()
        raise UsageError(f"{revision!r} is not a folder, and it cannot be read as a git revision "
                         f"of {folder}: {detail.decode(errors='replace').strip()}. Give two result "
                         "folders, or a results folder in a git repository and a revision such "
                         "as HEAD~1 or main.") from None
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        yield Path(tmp)


def compare_stores(a: str | Path, b: str | Path) -> Comparison:
    """Store ``a`` against store ``b``, or against ``a`` at git revision ``b`` when ``b`` is
    not a path; ``ResultsError`` for a store without valid records."""
    with contextlib.ExitStack() as stack:
        folder_b = b if os.path.lexists(b) else stack.enter_context(revision_store(a, str(b)))
        records = [load_records(a), load_records(folder_b)]
        for found, name in zip(records, (a, b), strict=True):
            if not found:
                raise ResultsError(f"{name} holds no result records (no valid runs/*.json): "
                                   "give a result store, such as run-all's --results-dir.")
        return compare_records(*records, truth_lookup([a, folder_b]), str(a), str(b))
