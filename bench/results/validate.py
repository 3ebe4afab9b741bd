"""Result files are untrusted input: read them safely and check every field against the schema.

``read_json`` refuses what is not a small regular file (a FIFO, a device, a 1 GB file) before
opening it, without blocking; ``check_record`` checks the type and range of every field of a
parsed record and returns the problems, so one bad file is skipped with a warning instead of
breaking the reports or the runner.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping
from typing import Any

from bench.files import UntrustedFileError, read_small_file
from bench.results.record import ROLE_HEADLINE, ROLES, STATUS_OK, STATUSES

MAX_RECORD_BYTES = 16 * 1024 * 1024
MAX_NAME_CHARS = 100
MAX_TEXT_CHARS = 100_000
N_CLASSES = 10
HISTORY_KEYS = ("train_loss", "train_accuracy", "test_loss", "test_accuracy")
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")
KEY_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")
TIMESTAMP_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)?")
HEX_RE = re.compile(r"[0-9a-f]+")


def _reject_constant(name: str) -> None:
    raise ValueError(f"non-finite number {name}")


def read_json(path: str | os.PathLike, max_bytes: int = MAX_RECORD_BYTES) -> Any:
    """Parsed JSON of a small regular file; ``NaN``/``Infinity`` are refused.

    Raises ``UntrustedFileError`` with the reason for anything unusable (``OSError`` included).
    """
    try:
        text = read_small_file(path, max_bytes).decode("utf-8")
        return json.loads(text, parse_constant=_reject_constant)
    except UntrustedFileError:
        raise
    except OSError as exc:
        raise UntrustedFileError(f"unreadable ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise UntrustedFileError(f"not valid JSON ({exc})") from None


# ---------------------------------------------------------------------------- field checks


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


def is_safe_name(value: Any) -> bool:
    """A model, dataset or profile name: letters, digits and ``._+-``, at most 100 chars."""
    return (isinstance(value, str) and len(value) <= MAX_NAME_CHARS
            and NAME_RE.fullmatch(value) is not None)


def is_fraction(value: Any) -> bool:
    return is_number(value) and 0.0 <= value <= 1.0


def is_timestamp(value: Any) -> bool:
    return isinstance(value, str) and TIMESTAMP_RE.fullmatch(value) is not None


def _json_safe(value: Any, depth: int = 0) -> bool:
    """Plain JSON of finite numbers, nested at most 8 deep."""
    if depth > 8:
        return False
    if value is None or isinstance(value, bool | str):
        return True
    if isinstance(value, int | float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_json_safe(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_safe(v, depth + 1) for k, v in value.items())
    return False


def _check_optional(data: Mapping[str, Any], name: str, ok, what: str) -> list[str]:
    value = data.get(name)
    return [] if value is None or ok(value) else [f"{name} must be {what}, got {value!r:.60}"]


def _check_matrix(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == N_CLASSES
            and all(isinstance(row, list) and len(row) == N_CLASSES
                    and all(is_int(v) and v >= 0 for v in row) for row in value))


def _check_history(value: Any) -> bool:
    return (isinstance(value, dict)
            and all(isinstance(k, str) and isinstance(v, list) and len(v) <= 100_000
                    and all(x is None or is_number(x) for x in v) for k, v in value.items()))


def _check_mistakes(value: Any) -> bool:
    if not isinstance(value, list) or len(value) > 10_000:
        return False
    for m in value:
        if not (isinstance(m, dict) and is_int(m.get("index")) and m["index"] >= 0
                and is_int(m.get("true")) and 0 <= m["true"] < N_CLASSES
                and is_int(m.get("pred")) and 0 <= m["pred"] < N_CLASSES
                and is_fraction(m.get("confidence"))):
            return False
    return True


def check_record(data: Any, key: str | None = None) -> list[str]:
    """The problems of a parsed record (empty when it is valid).

    ``key`` is the job key its file name says it holds. An ``ok`` record must carry its
    metrics: test and train accuracy and a test size of at least one image.
    """
    if not isinstance(data, dict):
        return [f"a record must be a JSON object, not {type(data).__name__}"]
    problems = []
    if not isinstance(data.get("key"), str) or KEY_RE.fullmatch(data["key"]) is None:
        problems.append("key must be a job key (letters, digits, ._+-)")
    elif key is not None and data["key"] != key:
        problems.append(f"key {data['key']!r} does not match the file name")
    for name in ("model", "dataset", "profile"):
        if not is_safe_name(data.get(name)):
            problems.append(f"{name} must be a name of letters, digits and ._+- "
                            f"(at most {MAX_NAME_CHARS} characters), got {data.get(name)!r:.60}")
    if data.get("status") not in STATUSES:
        problems.append(f"status must be one of {', '.join(STATUSES)}, "
                        f"got {data.get('status')!r:.40}")
    if not isinstance(data.get("model_version"), str) or len(data["model_version"]) > 100:
        problems.append("model_version must be a short string")
    if not isinstance(data.get("params"), dict) or not _json_safe(data["params"]):
        problems.append("params must be an object of plain, finite values")
    sha = data.get("dataset_sha256")
    if not (isinstance(sha, dict) and len(sha) <= 16 and all(
            isinstance(k, str) and isinstance(v, str) and len(k) <= 100 and len(v) <= 128
            and (k + v).isprintable() for k, v in sha.items())):
        problems.append("dataset_sha256 must map file names to digests")
    if not is_int(data.get("seed")) or data["seed"] < 0:
        problems.append("seed must be a non-negative integer")
    for name in ("train_size", "test_size"):
        if not is_int(data.get(name)) or data[name] < 0:
            problems.append(f"{name} must be a non-negative integer")
    if data.get("role", ROLE_HEADLINE) not in ROLES:
        problems.append(f"role must be one of {', '.join(ROLES)}")
    if not is_int(data.get("schema_version", 1)) or data.get("schema_version", 1) < 1:
        problems.append("schema_version must be a positive integer")
    for name in ("train_accuracy", "test_accuracy"):
        problems += _check_optional(data, name, is_fraction, "a number in [0, 1]")
    for name in ("train_loss", "test_loss", "fit_seconds", "predict_seconds", "cpu_seconds",
                 "peak_memory_mb", "wall_seconds"):
        problems += _check_optional(data, name, lambda v: is_number(v) and v >= 0,
                                    "a finite non-negative number")
    problems += _check_optional(
        data, "per_class_test_accuracy",
        lambda v: isinstance(v, list) and len(v) == N_CLASSES and all(
            v_ is None or is_fraction(v_) for v_ in v), f"{N_CLASSES} numbers in [0, 1]")
    problems += _check_optional(data, "confusion_matrix", _check_matrix,
                                f"a {N_CLASSES}x{N_CLASSES} matrix of counts")
    problems += _check_optional(data, "history", _check_history, "lists of finite numbers")
    problems += _check_optional(data, "confident_mistakes", _check_mistakes,
                                "a list of {index, true, pred, confidence}")
    problems += _check_optional(data, "converged", lambda v: isinstance(v, bool), "a boolean")
    problems += _check_optional(data, "test_indices_digest",
                                lambda v: isinstance(v, str) and HEX_RE.fullmatch(v) is not None,
                                "a hex digest")
    for name in ("started_at", "finished_at"):
        problems += _check_optional(data, name, is_timestamp, "an ISO timestamp")
    for name in ("error", "traceback"):
        problems += _check_optional(data, name,
                                    lambda v: isinstance(v, str) and len(v) <= MAX_TEXT_CHARS,
                                    "a string")
    if not (isinstance(data.get("warnings", []), list)
            and all(isinstance(w, str) for w in data.get("warnings", []))):
        problems.append("warnings must be a list of strings")
    if not isinstance(data.get("provenance", {}), dict) or not _json_safe(
            data.get("provenance", {})):
        problems.append("provenance must be an object of plain values")
    predictions = data.get("test_predictions")
    if predictions is not None:
        if not isinstance(predictions, str) or not predictions.isascii() \
                or not predictions.isdigit():
            problems.append("test_predictions must be a string of digits")
        elif is_int(data.get("test_size")) and len(predictions) > data["test_size"]:
            # a test set smaller than the profile's test_size is evaluated whole, so fewer
            # predictions than test_size are fine; more are not
            problems.append(f"test_predictions holds {len(predictions)} predictions, "
                            f"more than test_size {data['test_size']}")
    if data.get("status") == STATUS_OK:
        missing = [n for n in ("test_accuracy", "train_accuracy") if data.get(n) is None]
        if missing:
            problems.append(f"an ok record must carry its metrics; {', '.join(missing)} missing")
        if is_int(data.get("test_size")) and data["test_size"] < 1:
            problems.append("an ok record must have test_size of at least 1")
    return problems


def check_run_info(data: Any) -> list[str]:
    """The problems of a parsed ``run-info.json`` (empty when usable)."""
    if not isinstance(data, dict):
        return [f"run-info must be a JSON object, not {type(data).__name__}"]
    problems = []
    if not is_safe_name(data.get("profile")):
        problems.append("profile must be a name")
    if not _json_safe(data):
        problems.append("it holds non-plain or non-finite values")
    command = data.get("command")
    if command is not None and not (isinstance(command, str) and command.isprintable()
                                    and len(command) <= 2000):
        problems.append("command must be one printable line")
    for name in ("started_at", "finished_at"):
        problems += _check_optional(data, name, is_timestamp, "an ISO timestamp")
    for name in ("jobs", "jobs_executed"):
        problems += _check_optional(data, name, lambda v: is_int(v) and v >= 0,
                                    "a non-negative integer")
    problems += _check_optional(data, "wall_seconds", lambda v: is_number(v) and v >= 0,
                                "a finite non-negative number")
    problems += _check_optional(data, "seeds", lambda v: isinstance(v, list) and all(
        is_int(s) and s >= 0 for s in v), "a list of seeds")
    problems += _check_optional(data, "provenance", lambda v: isinstance(v, dict), "an object")
    return problems


# ---------------------------------------------------------------------------- analysis cache

IMAGE_BYTES = 28 * 28
MAX_ANALYSIS_BYTES = 64 * 1024 * 1024
DIGEST_FIELD = "payload_sha256"


def payload_digest(payload: Mapping[str, Any]) -> str:
    """SHA-256 of a JSON payload without its own digest field (sorted keys, compact)."""
    import hashlib

    body = {k: v for k, v in payload.items() if k != DIGEST_FIELD}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _check_pair(p: Any, n_classes: int = N_CLASSES) -> bool:
    return (isinstance(p, dict) and all(is_int(p.get(k)) for k in (
        "a", "b", "pixel", "threshold", "high", "test_count"))
        and 0 <= p["a"] < p["b"] < n_classes and 0 <= p["pixel"] < IMAGE_BYTES
        and 0 <= p["threshold"] <= 255 and p["high"] in (p["a"], p["b"]) and p["test_count"] >= 0
        and is_fraction(p.get("train_accuracy")) and is_fraction(p.get("test_accuracy")))


def check_analysis(data: Any) -> list[str]:
    """The problems of a parsed analysis cache (empty when it can be trusted).

    Checks every field's type and range and, when present, the digest of the payload (a file
    changed by hand or by a bad disk no longer matches it).
    """
    import base64
    import binascii

    if not isinstance(data, dict):
        return [f"an analysis cache must be a JSON object, not {type(data).__name__}"]
    problems = []
    if not is_safe_name(data.get("dataset")):
        problems.append("dataset must be a name")
    sha = data.get("dataset_sha256")
    if not (isinstance(sha, dict) and all(isinstance(k, str) and isinstance(v, str)
                                          for k, v in sha.items())):
        problems.append("dataset_sha256 must map file names to digests")
    labels = data.get("test_labels")
    if not (isinstance(labels, str) and labels.isascii() and labels.isdigit()
            and 0 < len(labels) <= 1_000_000):
        problems.append("test_labels must be a string of digits")
        labels = ""
    pairs = data.get("separability")
    if not (isinstance(pairs, list) and all(_check_pair(p) for p in pairs)
            and len({(p["a"], p["b"]) for p in pairs}) == len(pairs)):
        problems.append("separability must list distinct class pairs with valid rules")
    images = data.get("images")
    if not isinstance(images, dict):
        problems.append("images must map test indices to images")
    else:
        for key, value in images.items():
            try:
                ok = (key.isdigit() and int(key) < max(len(labels), 1) and isinstance(value, str)
                      and len(base64.b64decode(value, validate=True)) == IMAGE_BYTES)
            except (binascii.Error, ValueError):
                ok = False
            if not ok:
                problems.append(f"image {key!r:.20} is not a 28x28 image of the test set")
                break
    digest = data.get(DIGEST_FIELD)
    if digest is not None and digest != payload_digest(data):
        problems.append("its content does not match its digest (changed since it was written)")
    return problems
