"""The result record: one JSON file per job, the single source of every report number."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 1

STATUS_OK = "ok"
STATUS_FAILED = "failed"
STATUS_TIMEOUT = "timeout"
STATUS_CRASHED = "crashed"
STATUSES = (STATUS_OK, STATUS_FAILED, STATUS_TIMEOUT, STATUS_CRASHED)


@dataclass
class RunRecord:
    """Everything one job produced.

    ``test_predictions`` is the predicted class of every evaluated test image as a
    string of digits (``"7210414..."``), in the order of ``test_indices_digest``'s
    index set, so two records with the same digest can be compared pairwise.
    ``history`` maps ``train_loss``, ``train_accuracy``, ``test_loss`` and
    ``test_accuracy`` to per-epoch lists; the test values are for monitoring only.
    ``learning_curve`` marks jobs whose training set was cut to ``train_size`` by the
    learning-curve sweep or ``--train-size``; headline tables use the others.
    ``confident_mistakes`` lists the most confident wrong test predictions as dicts with
    ``index`` (into the full test set), ``true``, ``pred`` and ``confidence``.
    ``model_source`` is where the model plugin came from (entry point ``module:ATTR``, plugin
    file or import path) and ``model_distribution`` the package providing it (``name
    version``); neither is part of the job key.
    """

    key: str
    model: str
    model_version: str
    params: dict[str, Any]
    dataset: str
    dataset_sha256: dict[str, str]
    seed: int
    profile: str
    train_size: int
    test_size: int
    status: str
    learning_curve: bool = False
    schema_version: int = SCHEMA_VERSION
    train_accuracy: float | None = None
    test_accuracy: float | None = None
    train_loss: float | None = None
    test_loss: float | None = None
    per_class_test_accuracy: list[float] | None = None
    confusion_matrix: list[list[int]] | None = None
    history: dict[str, list[float]] | None = None
    test_predictions: str | None = None
    test_indices_digest: str | None = None
    confident_mistakes: list[dict[str, Any]] | None = None
    converged: bool | None = None
    warnings: list[str] = field(default_factory=list)
    fit_seconds: float | None = None
    predict_seconds: float | None = None
    cpu_seconds: float | None = None
    peak_memory_mb: float | None = None
    wall_seconds: float | None = None
    started_at: str | None = None
    finished_at: str | None = None
    provenance: dict[str, Any] = field(default_factory=dict)
    model_source: str | None = None
    model_distribution: str | None = None
    error: str | None = None
    traceback: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunRecord:
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})
