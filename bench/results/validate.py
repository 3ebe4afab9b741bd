"""Result files are untrusted: ``read_json`` parses a small regular file, and one table per
file kind (records, run-info, the analysis cache) says what each field must be; the
``check_*`` functions return the problems, so a bad file is skipped with one warning.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import json
import math
import os
import re
from collections.abc import Callable, Mapping
from typing import Any

from bench.data.specs import N_CLASSES
from bench.files import UntrustedFileError, read_small_file
from bench.results.record import MAX_SEED, ROLES, STATUS_OK, STATUSES, JobIdentity, RunRecord

MAX_RECORD_BYTES = 16 * 1024 * 1024
MAX_ANALYSIS_BYTES = 64 * 1024 * 1024
MAX_NAME_CHARS = 100
KEY_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")
TIMESTAMP_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)?")
IMAGE_BYTES = 28 * 28
DIGEST_FIELD = "payload_sha256"

Check = Callable[[Any], bool]
Field = tuple[Check, str]  # the check, and what the value must be (for the message)


def read_json(path: str | os.PathLike, max_bytes: int = MAX_RECORD_BYTES) -> Any:
    """Parsed JSON of a small regular file, ``NaN``/``Infinity`` refused; ``UntrustedFileError``
    with the reason for anything unusable."""
    def refuse(name: str) -> None:
        raise ValueError(f"non-finite number {name}")

    try:
        return json.loads(read_small_file(path, max_bytes).decode("utf-8"), parse_constant=refuse)
    except UntrustedFileError:
        raise
    except OSError as exc:
        raise UntrustedFileError(f"unreadable ({exc.strerror or exc})") from None
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise UntrustedFileError(f"not valid JSON ({exc})") from None


MAX_INT = 2**63 - 1  # larger integers in a file are refused (they overflow a float or int64)
MAX_AMOUNT = 1e12  # seconds, megabytes and losses beyond this are not believed


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_INT


def is_finite(value: Any) -> bool:
    return is_int(value) or (isinstance(value, float) and math.isfinite(value))


def is_fraction(value: Any) -> bool:
    return is_finite(value) and 0 <= value <= 1


def is_safe_name(value: Any) -> bool:
    """A model, dataset or profile name: letters, digits and ``._+-``, at most 100 chars."""
    return isinstance(value, str) and len(value) <= MAX_NAME_CHARS and bool(KEY_RE.fullmatch(value))


def is_plain(value: Any, depth: int = 0) -> bool:
    """Plain JSON of finite numbers, nested at most 8 deep."""
    if isinstance(value, list | dict) and depth < 8:
        pairs = value.items() if isinstance(value, dict) else (("", v) for v in value)
        return all(isinstance(k, str) and is_plain(v, depth + 1) for k, v in pairs)
    return value is None or isinstance(value, bool | str) or is_finite(value)


def list_of(check: Check, length: int | None = None, limit: int = 100_000) -> Check:
    return lambda v: (isinstance(v, list) and len(v) <= limit
                      and length in (None, len(v)) and all(check(x) for x in v))


def _matches(pattern: str) -> Check:
    return lambda v: isinstance(v, str) and re.fullmatch(pattern, v) is not None


def _checksums(value: Any) -> bool:
    return isinstance(value, dict) and len(value) <= 16 and all(
        isinstance(k, str) and isinstance(v, str) and len(k) <= 100 and len(v) <= 128
        and (k + v).isprintable() for k, v in value.items())


def _corrupted_problems(data: dict) -> list[str]:
    """Corrupted results must be those of ``corruptions``, each base64 of one bit per image
    evaluated (``corruption_test_size`` or all) and its accuracy the share set, if finished."""
    if data.get("status") != STATUS_OK and not data.get("corrupted"):
        return []
    corrupted, predicted = data.get("corrupted") or {}, len(data.get("test_predictions") or "")
    n = data.get("corruption_test_size") or predicted
    try:
        bits = {k: base64.b64decode(c["correct"], validate=True) for k, c in corrupted.items()}
    except (binascii.Error, ValueError):
        bits = None
    if bits is None or n > predicted or set(bits) != set(data.get("corruptions") or ()) or any(
            len(b) != (n + 7) // 8 or abs(sum(map(int.bit_count, b)) / max(n, 1)
                                          - corrupted[k]["accuracy"]) > 1e-9
            for k, b in bits.items()):
        return ["corrupted must hold, for each of corruptions and only those, base64 of one "
                "bit per test prediction and their accuracy the share of bits set"]
    return []


def _mistake(m: Any) -> bool:
    return (isinstance(m, dict) and COUNT[0](m.get("index")) and is_fraction(m.get("confidence"))
            and all(is_int(m.get(k)) and 0 <= m[k] < N_CLASSES for k in ("true", "pred")))


NAME: Field = (is_safe_name, f"a name of letters, digits and ._+- (at most {MAX_NAME_CHARS} "
                             "characters)")
COUNT: Field = (lambda v: is_int(v) and v >= 0, "a non-negative integer")
AMOUNT: Field = (lambda v: is_finite(v) and 0 <= v <= MAX_AMOUNT,
                 f"a number from 0 to {MAX_AMOUNT:g}")
FRACTION: Field = (is_fraction, "a number in [0, 1]")
TIME: Field = (_matches(TIMESTAMP_RE.pattern), "an ISO timestamp")
TEXT: Field = (lambda v: isinstance(v, str) and len(v) <= 100_000, "a string")
PLAIN: Field = (lambda v: isinstance(v, dict) and is_plain(v), "an object of plain, finite values")
CHECKSUMS: Field = (_checksums, "a map of file names to digests")
DIGITS: Field = (lambda v: isinstance(v, str) and v.isascii() and v.isdigit(),
                 "a string of digits")

#: Every checked field of a stored record.
RECORD_FIELDS: dict[str, Field] = {
    "key": (_matches(KEY_RE.pattern), "a job key (letters, digits, ._+-)"),
    "model": NAME, "dataset": NAME, "profile": NAME,
    "status": (lambda v: v in STATUSES, f"one of {', '.join(STATUSES)}"),
    "role": (lambda v: v in ROLES, f"one of {', '.join(ROLES)}"),
    "model_version": (lambda v: isinstance(v, str) and len(v) <= 100, "a short string"),
    "params": PLAIN, "dataset_sha256": CHECKSUMS, "provenance": PLAIN,
    "seed": (lambda v: COUNT[0](v) and v <= MAX_SEED, f"a seed from 0 to {MAX_SEED}"),
    "train_size": COUNT, "test_size": COUNT,
    "schema_version": (lambda v: is_int(v) and v >= 1, "a positive integer"),
    "train_accuracy": FRACTION, "test_accuracy": FRACTION,
    **dict.fromkeys(("train_loss", "test_loss", "fit_seconds", "predict_seconds", "cpu_seconds",
                     "peak_memory_mb", "wall_seconds"), AMOUNT),
    "per_class_test_accuracy": (list_of(lambda v: v is None or is_fraction(v), N_CLASSES),
                                f"{N_CLASSES} numbers in [0, 1]"),
    "confusion_matrix": (list_of(list_of(COUNT[0], N_CLASSES), N_CLASSES),
                         f"a {N_CLASSES}x{N_CLASSES} matrix of counts"),
    "history": (lambda v: isinstance(v, dict) and all(
        isinstance(k, str) and list_of(lambda x: x is None or is_finite(x))(s)
        for k, s in v.items()), "lists of finite numbers"),
    "test_predictions": DIGITS,
    "test_indices_digest": (_matches("[0-9a-f]+"), "a hex digest"),
    "confident_mistakes": (list_of(_mistake, limit=10_000),
                           "a list of {index, true, pred, confidence}"),
    "corruptions": (list_of(is_safe_name, limit=100), "a list of corruption names"),
    "corruption_version": COUNT, "corruption_seconds": AMOUNT, "corruption_test_size": COUNT,
    "corrupted": (lambda v: isinstance(v, dict) and len(v) <= 100 and all(
        is_safe_name(k) and isinstance(c, dict) and set(c) == {"accuracy", "correct"}
        and is_fraction(c["accuracy"]) and isinstance(c["correct"], str)
        for k, c in v.items()), "a map of corruption names to {accuracy, correct}"),
    "converged": (lambda v: isinstance(v, bool), "a boolean"),
    "warnings": (list_of(lambda v: isinstance(v, str)), "a list of strings"),
    "started_at": TIME, "finished_at": TIME,
    **dict.fromkeys(("model_source", "model_distribution", "error", "traceback"), TEXT),
}
_DEFAULTS = {f.name: f.default for c in (JobIdentity, RunRecord) for f in dataclasses.fields(c)
             if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING}
#: Record fields that may be left out, and those that may also be null (default None).
OPTIONAL, NULLABLE = frozenset(_DEFAULTS), frozenset(k for k, v in _DEFAULTS.items() if v is None)


def check_fields(data: Any, kind: str, fields: Mapping[str, Field],
                 optional: frozenset[str] = frozenset(), nullable: frozenset[str] = frozenset(),
                 ) -> list[str]:
    """``"<name> must be <what>, got ..."`` for each field of ``data`` that fails its check
    (one problem when ``data`` is not a JSON object: ``kind`` names what it should be)."""
    if not isinstance(data, dict):
        return [f"{kind} must be a JSON object, not {type(data).__name__}"]
    return [f"{name} must be {what}, got {data.get(name)!r:.60}"
            for name, (check, what) in fields.items()
            if not (name not in data and name in optional)
            and not (data.get(name) is None and name in nullable) and not check(data.get(name))]


def check_record(data: Any, key: str | None = None) -> list[str]:
    """The problems of a parsed record (empty when valid); ``key`` is the one its file name
    says. An ``ok`` record must carry both accuracies and test at least one image."""
    problems = check_fields(data, "a record", RECORD_FIELDS, OPTIONAL, NULLABLE)
    if not isinstance(data, dict):
        return problems
    if key is not None and isinstance(data.get("key"), str) and data["key"] != key:
        problems.append(f"key {data['key']!r:.60} does not match the file name")
    predictions, size = data.get("test_predictions"), data.get("test_size")
    if isinstance(predictions, str) and is_int(size) and len(predictions) > size:
        # a test set smaller than the profile's test_size is evaluated whole: fewer is fine
        problems.append(f"test_predictions holds {len(predictions)} predictions, more than "
                        f"test_size {size}")
    problems += [] if problems else _corrupted_problems(data)
    if data.get("status") == STATUS_OK:
        missing = [n for n in ("test_accuracy", "train_accuracy") if data.get(n) is None]
        if missing:
            problems.append(f"an ok record must carry its metrics; {', '.join(missing)} missing")
        if is_int(size) and size < 1:
            problems.append("an ok record must have test_size of at least 1")
    return problems


RUN_INFO_FIELDS: dict[str, Field] = {
    "profile": NAME,
    "command": (lambda v: isinstance(v, str) and v.isprintable() and len(v) <= 2000,
                "one printable line"),
    "started_at": TIME, "finished_at": TIME, "jobs": COUNT, "jobs_executed": COUNT,
    "wall_seconds": AMOUNT, "seeds": (list_of(RECORD_FIELDS["seed"][0]), "a list of seeds"),
    "provenance": PLAIN,
}


def check_run_info(data: Any) -> list[str]:
    """The problems of a parsed ``run-info.json`` (empty when usable)."""
    return check_fields(data, "run-info", RUN_INFO_FIELDS,
                        nullable=frozenset(RUN_INFO_FIELDS) - {"profile"})


def payload_digest(payload: Mapping[str, Any]) -> str:
    """SHA-256 of a JSON payload without its own digest field (sorted keys, compact)."""
    body = {k: v for k, v in payload.items() if k != DIGEST_FIELD}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _pixel_rule(p: Any) -> bool:
    return (isinstance(p, dict) and all(COUNT[0](p.get(k)) for k in (
        "a", "b", "pixel", "threshold", "high", "test_count"))
        and p["a"] < p["b"] < N_CLASSES and p["pixel"] < IMAGE_BYTES and p["threshold"] <= 255
        and p["high"] in (p["a"], p["b"])
        and is_fraction(p.get("train_accuracy")) and is_fraction(p.get("test_accuracy")))


def _image(value: Any) -> bool:
    try:
        return len(base64.b64decode(value, validate=True)) == IMAGE_BYTES
    except (binascii.Error, ValueError, TypeError):
        return False


ANALYSIS_FIELDS: dict[str, Field] = {
    "dataset": NAME, "dataset_sha256": CHECKSUMS,
    "test_labels": (lambda v: DIGITS[0](v) and 0 < len(v) <= 1_000_000, "a string of digits"),
    "separability": (lambda v: list_of(_pixel_rule)(v) and len({(p["a"], p["b"]) for p in v})
                     == len(v), "distinct class pairs with valid rules"),
    "images": (lambda v: isinstance(v, dict) and all(map(_image, v.values())),
               "a map of test indices to 28x28 images"),
}


def check_analysis(data: Any) -> list[str]:
    """The problems of a parsed analysis cache (empty when it can be trusted), its digest
    included when present (a file changed since it was written no longer matches it)."""
    problems = check_fields(data, "an analysis cache", ANALYSIS_FIELDS)
    if not isinstance(data, dict):
        return problems
    n_test = len(data["test_labels"]) if isinstance(data.get("test_labels"), str) else 0
    if isinstance(data.get("images"), dict) and not all(
            k.isdigit() and int(k) < n_test for k in data["images"]):
        problems.append("images must be of test-set indices")
    digest = data.get(DIGEST_FIELD)
    if digest is not None and digest != payload_digest(data):
        problems.append("its content does not match its digest (changed since it was written)")
    return problems
