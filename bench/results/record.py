"""The result record: one JSON file per job, the single source of every report number."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bench.data.subsets import indices_digest, test_indices

SCHEMA_VERSION = 1

STATUS_OK = "ok"
STATUS_FAILED = "failed"
STATUS_TIMEOUT = "timeout"
STATUS_CRASHED = "crashed"
STATUSES = (STATUS_OK, STATUS_FAILED, STATUS_TIMEOUT, STATUS_CRASHED)

#: What a job is in its plan, stored in its record so the reports choose from records alone:
#: the full-size run of a configuration (a plan's or ``bench run``'s), a learning-curve point (a
#: smaller training set: the plan's curve or ``--train-size``), or a long per-epoch sweep on the
#: full data. One job has one role whichever command planned it, since the role is stored.
ROLE_HEADLINE = "headline"
ROLE_CURVE = "curve"
ROLE_SWEEP = "sweep"
ROLES = (ROLE_HEADLINE, ROLE_CURVE, ROLE_SWEEP)
#: A neural model's learning-curve point trains for at least this many gradient steps (the
#: plan scales its epochs up at small sizes), so the curve measures data, not under-training.
CURVE_MIN_STEPS = 500
#: Seeds are whole numbers from 0 to this (what numpy's and the frameworks' seeding takes).
MAX_SEED = 2**32 - 1


@dataclass(frozen=True)
class JobIdentity:
    """Everything that defines a job's result: the one definition, used by the runner's
    ``Job`` and embedded in every ``RunRecord``. ``key`` hashes all of it, so a change to any
    field is a different job (and never a stale cache hit)."""

    model: str
    model_version: str
    params: dict[str, Any] = field(hash=False)
    dataset: str
    dataset_sha256: dict[str, str] = field(hash=False)
    seed: int
    profile: str
    train_size: int
    test_size: int
    corruptions: tuple[str, ...] | None = None  # the corrupted test sets it is evaluated on
    corruption_version: int | None = None  # bench.data.corruptions.CORRUPTION_VERSION then

    def as_dict(self) -> dict[str, Any]:
        """The identity fields as plain data (copies of the dicts); without corruptions, the
        corruption fields are left out, so the keys of jobs without them never changed."""
        skip = () if self.corruptions else ("corruptions", "corruption_version")
        return {f.name: _copy(getattr(self, f.name)) for f in dataclasses.fields(JobIdentity)
                if f.name not in skip}

    @property
    def identity(self) -> JobIdentity:
        """Just the identity (a subclass such as the runner's ``Job`` carries more)."""
        return JobIdentity(**self.as_dict())

    @property
    def key(self) -> str:
        """``<model>__<dataset>__<profile>__n<train>__s<seed>__<hash>``: stable and readable."""
        digest = hashlib.sha256(canonical_json(self.as_dict()).encode()).hexdigest()[:12]
        return (f"{self.model}__{self.dataset}__{self.profile}__n{self.train_size}"
                f"__s{self.seed}__{digest}")


IDENTITY_FIELDS = tuple(f.name for f in dataclasses.fields(JobIdentity))


def canonical_json(value: Any) -> str:
    """The one text form of parameters and identities: sorted keys, tuples as lists, no spaces;
    equal values give equal text (the job key hashes it; "same parameters" compares it)."""
    return json.dumps(value, sort_keys=True, default=list, separators=(",", ":"))


def varying_params(items: list[Any]) -> dict[str, list[str]]:
    """Per model, the parameters whose values differ between its jobs or records, by name."""
    values: dict[str, dict[str, set[str]]] = {}
    for item in items:
        for name, value in item.params.items():
            values.setdefault(item.model, {}).setdefault(name, set()).add(canonical_json(value))
    return {model: sorted(name for name, seen in params.items() if len(seen) > 1)
            for model, params in values.items()}


def configuration_label(item: Any, varying: dict[str, list[str]]) -> str:
    """A job's or record's configuration as the console and the experiment reports name it:
    the model, then each varying parameter (:func:`varying_params`) as ``name=value``."""
    shown = varying.get(item.model, ())
    return " ".join([item.model, *(f"{name}={item.params.get(name)}" for name in shown)])


def configuration_order(item: Any) -> tuple:
    """Sort key of configurations: by model, then parameter values (numbers by size)."""
    return (item.model, [(0, v, "") if isinstance(v, int | float) and not isinstance(v, bool)
                         else (1, 0, str(v)) for _, v in sorted(item.params.items())])


def _copy(value: Any) -> Any:
    return dict(value) if isinstance(value, dict) else value


@dataclass
class RunRecord:
    """Everything one job produced.

    ``job`` is the job's identity; its fields read as the record's own (``record.model``,
    ``record.seed``, ...) and are stored flat in the JSON file, next to ``key``.
    ``test_predictions`` is the predicted class of every evaluated test image as a
    string of digits (``"7210414..."``, see ``bench.results.codec``), in the order of
    ``test_indices_digest``'s index set, so two records with the same digest can be compared
    pairwise. ``history`` maps ``train_loss``, ``train_accuracy``, ``test_loss`` and
    ``test_accuracy`` to per-epoch lists; the test values are for monitoring only.
    ``role`` says what the job is in its plan (``ROLES``); the headline tables use
    ``headline`` records, the learning curve ``curve`` ones, the per-epoch sweep ``sweep``.
    ``confident_mistakes`` lists the most confident wrong test predictions as dicts with
    ``index`` (into the full test set), ``true``, ``pred`` and ``confidence``.
    ``corrupted`` maps each of ``corruptions`` to ``{"accuracy", "correct"}``: ``correct`` is
    :func:`correct_bits` of ``pred == truth`` on ``corruption_test_size`` test images (all, or
    ``corruptions.evaluated_positions``), ``corruption_seconds`` the time that took.
    ``model_source`` is where the model plugin came from (entry point ``module:ATTR``, plugin
    file or import path) and ``model_distribution`` the package providing it (``name
    version``); neither is part of the job key.
    """

    key: str
    job: JobIdentity
    status: str
    role: str = ROLE_HEADLINE
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
    corrupted: dict[str, dict[str, Any]] | None = None
    corruption_seconds: float | None = None
    corruption_test_size: int | None = None
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

    @classmethod
    def for_job(cls, job: JobIdentity, status: str, role: str = ROLE_HEADLINE,
                **fields: Any) -> RunRecord:
        """A record of ``job`` (a ``JobIdentity`` or the runner's ``Job``) with ``fields``."""
        return cls(key=job.key, job=job.identity, status=status, role=role, **fields)

    def to_dict(self) -> dict[str, Any]:
        """The record as stored: the identity fields flat, next to the others."""
        data = dataclasses.asdict(self)
        return {**data.pop("job"), **data}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunRecord:
        """A record from its stored form; unknown names are ignored (newer writers).

        Raises ``TypeError`` when a required field is missing.
        """
        fields = {k: v for k, v in data.items() if k in STORED_FIELDS}
        if "role" not in fields and data.get("learning_curve") is True:  # schema before roles
            fields["role"] = ROLE_CURVE
        return cls.from_fields(**fields)

    @classmethod
    def from_fields(cls, **fields: Any) -> RunRecord:
        """A record from flat keyword fields, as stored (unknown names are a ``TypeError``)."""
        missing = [f.name for f in dataclasses.fields(JobIdentity)
                   if f.default is dataclasses.MISSING and f.name not in fields]
        if missing:
            raise TypeError(f"missing job identity field(s): {', '.join(missing)}")
        if fields.get("corruptions") is not None:
            fields["corruptions"] = tuple(fields["corruptions"])
        job = JobIdentity(**{name: fields.pop(name) for name in IDENTITY_FIELDS if name in fields})
        return cls(job=job, **fields)


def _identity_property(name: str) -> property:
    return property(lambda self: getattr(self.job, name), doc=f"``self.job.{name}``")


for _name in IDENTITY_FIELDS:  # record.model, record.seed, ...: read through record.job
    setattr(RunRecord, _name, _identity_property(_name))

# The fields of a stored record, in order: key, the identity, then the results.
STORED_FIELDS = ("key", *IDENTITY_FIELDS,
                 *(f.name for f in dataclasses.fields(RunRecord) if f.name not in ("key", "job")))


def evaluated_indices(record: RunRecord, labels: np.ndarray) -> np.ndarray | None:
    """Indices into the full test set of the images ``record`` was evaluated on, in order.

    Rebuilt with the runner's own subset function from the full test ``labels`` and checked
    against the record's ``test_indices_digest``; None when they do not match. A test set
    smaller than ``test_size`` is evaluated whole.
    """
    indices = np.asarray(test_indices(labels, record.test_size, record.dataset), dtype=np.int64)
    if record.test_indices_digest and indices_digest(indices) != record.test_indices_digest:
        return None
    return indices


def correct_bits(correct: np.ndarray) -> str:
    """Per-image correctness as base64 of its packed bits (1,250 bytes per 10,000 images)."""
    return base64.b64encode(np.packbits(np.asarray(correct, dtype=bool))).decode("ascii")


def bits_to_correct(bits: str, n: int) -> np.ndarray:
    """The ``n`` booleans :func:`correct_bits` packed into ``bits``."""
    return np.unpackbits(np.frombuffer(base64.b64decode(bits), np.uint8), count=n).astype(bool)
