"""Conformance kit for model plugins, after scikit-learn's ``check_estimator``: one
``check_<rule>(spec)`` per rule of the contract, raising ``AssertionError`` with a readable
reason, run where the spec's capabilities say it applies (``APPLIES``), on :func:`tiny_data`
with the spec's ``test_params``. ``expected_failures`` ({check: reason}) must fail.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import clone

from bench.data.inputs import prepare_inputs
from bench.data.specs import N_CLASSES
from bench.errors import PluginError, UsageError
from bench.plugins.contract import estimator_proba
from bench.plugins.params import Param
from bench.plugins.registry import get_model
from bench.plugins.spec import ModelSpec

IMPORT_SECONDS_LIMIT = 1.0
Check = Callable[[ModelSpec], None]


@functools.cache
def tiny_data() -> tuple[np.ndarray, np.ndarray]:
    """120 uint8 28x28 images, 12 per class (a bright bar per class), plus noise."""
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(N_CLASSES), 12)
    images = rng.integers(0, 60, size=(len(labels), 28, 28)).astype(np.uint8)
    for i, label in enumerate(labels):
        images[i, 2 + 2 * label: 4 + 2 * label, 4:24] = 230
    order = rng.permutation(len(labels))
    return images[order], labels[order].astype(np.int64)


def _inputs(spec: ModelSpec) -> tuple[np.ndarray, np.ndarray]:
    images, labels = tiny_data()
    return prepare_inputs(images, spec.input_kind), labels


def _build(spec: ModelSpec, seed: int = 0):
    return spec.build(spec.resolve(spec.test_params), seed)


def _fitted(spec: ModelSpec, seed: int = 0, without_class: int | None = None):
    X, y = _inputs(spec)
    if without_class is not None:
        keep = y != without_class
        X, y = X[keep], y[keep]
    estimator = _build(spec, seed)
    returned = estimator.fit(X, y)
    return estimator, returned, X, y


def _aligned(spec: ModelSpec, estimator, X) -> np.ndarray:
    """The probabilities as the harness sees them (``bench.plugins.contract``), or AssertionError."""
    try:
        return estimator_proba(estimator, X, spec.name)
    except PluginError as exc:
        raise AssertionError(str(exc)) from None


def check_metadata(spec: ModelSpec) -> None:
    """Name, description, family, version, input kind and typed defaults are valid."""
    try:
        spec.validate()
    except PluginError as exc:
        raise AssertionError(str(exc)) from None


def check_fit_returns_self(spec: ModelSpec) -> None:
    """``fit`` works on tiny data and returns the estimator itself."""
    estimator, returned, _, _ = _fitted(spec)
    assert returned is estimator, f"{spec.name}: fit() must return self, got {returned!r}"


def check_predict_proba(spec: ModelSpec) -> None:
    """``predict_proba`` has a column per class of ``classes_``, its rows summing to 1."""
    estimator, _, X, _ = _fitted(spec)
    proba = np.asarray(estimator.predict_proba(X))
    classes = getattr(estimator, "classes_", None)
    expected = (len(X), N_CLASSES if classes is None else len(classes))
    assert proba.shape == expected, (
        f"{spec.name}: predict_proba shape {proba.shape}, expected {expected}")
    assert np.all(np.isfinite(proba)) and np.all(proba >= 0), (
        f"{spec.name}: predict_proba has negative or non-finite values")
    sums = proba.sum(axis=1)
    worst = float(np.max(np.abs(sums - 1)))
    assert worst < 1e-4, (
        f"{spec.name}: predict_proba rows must sum to 1; the worst row sums to "
        f"{sums[np.argmax(np.abs(sums - 1))]:.6f}")
    _aligned(spec, estimator, X)


def check_missing_class(spec: ModelSpec) -> None:
    """Trained without class 9, ``predict_proba`` still maps onto 10 classes by ``classes_``."""
    estimator, _, X, _ = _fitted(spec, without_class=N_CLASSES - 1)
    X_all, _ = _inputs(spec)
    proba = _aligned(spec, estimator, X_all)
    assert proba.shape == (len(X_all), N_CLASSES)


def check_predict_matches_argmax(spec: ModelSpec) -> None:
    """``predict`` equals the class of the largest ``predict_proba`` column."""
    estimator, _, X, _ = _fitted(spec)
    predicted = np.asarray(estimator.predict(X))
    argmax = _aligned(spec, estimator, X).argmax(axis=1)
    mismatches = int(np.sum(predicted != argmax))
    assert mismatches == 0, (
        f"{spec.name}: predict disagrees with argmax(predict_proba) on {mismatches} of {len(X)}")


def check_learns(spec: ModelSpec) -> None:
    """On easy tiny data the training accuracy beats chance clearly (> 50%)."""
    estimator, _, X, y = _fitted(spec)
    accuracy = float(np.mean(np.asarray(estimator.predict(X)) == y))
    assert accuracy > 0.5, f"{spec.name}: training accuracy {accuracy:.2f} on trivial data"


def check_deterministic(spec: ModelSpec) -> None:
    """Same parameters and seed give identical predictions."""
    first, _, X, _ = _fitted(spec, seed=3)
    second, _, _, _ = _fitted(spec, seed=3)
    p1, p2 = np.asarray(first.predict_proba(X)), np.asarray(second.predict_proba(X))
    assert np.array_equal(first.predict(X), second.predict(X)) and np.allclose(p1, p2), (
        f"{spec.name}: two fits with seed 3 gave different predictions (max probability "
        f"difference {float(np.max(np.abs(p1 - p2))):.3g}); seed every random generator")


def check_fresh_estimator(spec: ModelSpec) -> None:
    """Each ``build`` returns a new, unfitted estimator."""
    first, second = _build(spec), _build(spec)
    assert first is not second, f"{spec.name}: build() returned the same object twice"
    X, y = _inputs(spec)
    first.fit(X, y)
    fitted = [k for k in vars(second) if k.endswith("_") and not k.startswith("_")]
    assert not fitted, f"{spec.name}: a fresh estimator already has fitted attributes {fitted}"


def check_history(spec: ModelSpec) -> None:
    """Models trained in epochs expose per-epoch ``history_`` with loss and accuracy."""
    estimator, _, _, _ = _fitted(spec)
    history = getattr(estimator, "history_", None)
    assert isinstance(history, dict), f"{spec.name}: neural models must set history_ after fit"
    for key in ("loss", "accuracy"):
        assert key in history and len(history[key]) >= 1, (
            f"{spec.name}: history_ lacks per-epoch {key!r} (has {sorted(history)})")


def check_import_time(spec: ModelSpec) -> None:
    """The plugin's module imports in under a second in a fresh process (every command imports
    every plugin)."""
    target = spec.source if spec.source.endswith(".py") else spec.source.partition(":")[0]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    done = subprocess.run([sys.executable, "-c", _IMPORT_TIMER, target], capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, f"{spec.name}: importing {target} failed:\n{done.stderr[-2000:]}"
    seconds = float(done.stdout.strip().splitlines()[-1])
    assert seconds <= IMPORT_SECONDS_LIMIT, (
        f"{spec.name}: importing {spec.source} takes {seconds:.1f} s (limit "
        f"{IMPORT_SECONDS_LIMIT:.0f} s); import heavy libraries (TensorFlow, PyTorch, "
        "scikit-learn) inside fit or build, not at module top")


_IMPORT_TIMER = """
import importlib, importlib.util, sys, time
import numpy, bench.plugins
target = sys.argv[1]
start = time.perf_counter()
if target.endswith(".py"):
    spec = importlib.util.spec_from_file_location("bench_import_timer_plugin", target)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
else:
    importlib.import_module(target)
print(time.perf_counter() - start)
"""


def check_clone(spec: ModelSpec) -> None:
    """``sklearn.base.clone`` rebuilds the estimator with the same parameters."""
    estimator = _build(spec)
    copy = clone(estimator)
    assert copy is not estimator and copy.get_params() == estimator.get_params(), (
        f"{spec.name}: clone() changed the parameters: {estimator.get_params()} became "
        f"{copy.get_params()}; __init__ must store its arguments unchanged")


def _other_values(param: Param, value: Any) -> list[Any]:
    """Values to try instead of ``value`` (``spec.resolve`` picks the valid ones)."""
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):  # halving first: a batch of 129 on 120 images changes nothing
        return [v for v in (value // 2, value + 1, value - 1) if v != value]
    if isinstance(value, float):
        return [value * 2, value / 2] if value else [0.5, 0.1]
    if isinstance(value, tuple) and all(isinstance(v, int) for v in value):
        return [tuple(v + 1 for v in value)]
    return [c for c in param.choices if c != value] + ([2, 0.5] if value is None else [])


def _trained_state(estimator, X) -> list[str]:
    """How the fitted model was trained: ``effective_params_`` if set, else its probabilities and
    the parameters or configs of the estimators and networks it holds (or is)."""
    hook = getattr(estimator, "effective_params_", None)
    if hook is not None:
        return [repr(sorted(hook.items()))]
    state = [np.asarray(estimator.predict_proba(X), dtype=np.float64).tobytes().hex()]
    held = [v for k, v in vars(estimator).items() if k.endswith("_") and not k.startswith("_")]
    for obj in held + ([estimator] if type(estimator).__module__.startswith("sklearn.") else []):
        if hasattr(obj, "get_params") and not isinstance(obj, type):
            state.append(repr(obj.get_params(deep=True)))
        if hasattr(obj, "get_config"):  # a Keras network and its optimizer
            optimizer = getattr(obj, "optimizer", None)
            state.append(repr((obj.get_config(), optimizer and optimizer.get_config())))
        if isinstance(obj, dict):  # history_: the number of epochs trained
            state.append(repr({k: len(v) for k, v in obj.items() if isinstance(v, list)}))
    return state


def check_params_take_effect(spec: ModelSpec) -> None:
    """Each declared parameter set to another valid value changes the trained model."""
    X, y = _inputs(spec)
    base = spec.resolve(spec.test_params)
    reference = _trained_state(spec.build(base, 0).fit(X, y), X)
    ignored = []
    for param in spec.params:  # it takes effect if one other valid value changes the model
        tried = []
        for value in _other_values(param, base[param.name]):
            try:
                params = spec.resolve({**base, param.name: value})
            except UsageError:
                continue
            if _trained_state(spec.build(params, 0).fit(X, y), X) != reference:
                break
            tried.append(f"{param.name}={value!r}")
        else:
            ignored += tried
    assert not ignored, (
        f"{spec.name}: setting {', '.join(ignored)} changed nothing in the trained model; pass "
        "each parameter on to the estimator or network you train (docs/plugins.md)")


CHECKS: tuple[Check, ...] = (
    check_metadata, check_import_time, check_clone, check_fit_returns_self, check_predict_proba,
    check_missing_class, check_predict_matches_argmax, check_learns, check_deterministic,
    check_fresh_estimator, check_history, check_params_take_effect,
)
#: The checks that apply only to some models, by declared capability.
APPLIES: dict[Check, Callable[[ModelSpec], bool]] = {
    check_history: lambda spec: spec.trains_in_epochs,
    # only a plugin from a module of its own (not an import path, not made in code)
    check_import_time: lambda spec: bool(spec.source) and spec.source != spec.name,
}


def iter_checks(spec: ModelSpec, expected_failures: dict[str, str] | None = None,
                ) -> Iterator[tuple[Check, str | None]]:
    """The checks that apply to ``spec``, each with the reason it is expected to fail (or
    ``None``); a name in ``expected_failures`` that is no check is a ValueError."""
    expected_failures = expected_failures or {}
    unknown = sorted(set(expected_failures) - {c.__name__ for c in CHECKS})
    if unknown:
        raise ValueError(f"expected_failures names no check: {unknown}; the checks are "
                         f"{[c.__name__ for c in CHECKS]}.")
    for check in CHECKS:
        if check not in APPLIES or APPLIES[check](spec):
            yield check, expected_failures.get(check.__name__)


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome: ``passed`` also covers an expected failure that did fail."""

    check: str
    passed: bool
    seconds: float
    message: str = ""
    expected_failure: str | None = None


def run_checks(spec: ModelSpec | str, expected_failures: dict[str, str] | None = None,
               on_result: Callable[[CheckResult], None] | None = None) -> list[CheckResult]:
    """Every check that applies to ``spec`` (or a registered name), with its time; failures
    are collected, not raised."""
    spec = get_model(spec) if isinstance(spec, str) else spec
    results = []
    for check, reason in iter_checks(spec, expected_failures):
        start = time.perf_counter()
        message, failed = "", False
        try:
            check(spec)
        except Exception as exc:  # noqa: BLE001 - a crashing plugin is a failed check
            failed = True
            message = str(exc) if isinstance(exc, AssertionError) else f"{type(exc).__name__}: {exc}"
        if reason is not None:
            message = "" if failed else f"passed but was expected to fail ({reason})"
        result = CheckResult(check.__name__, failed == (reason is not None),
                             time.perf_counter() - start, message, reason)
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


def check_model(spec: ModelSpec | str, expected_failures: dict[str, str] | None = None) -> None:
    """Run every check that applies to ``spec`` (or a registered name); raise an
    AssertionError on the first failure (an expected failure that passes is one too)."""
    def stop_on_failure(result: CheckResult) -> None:
        if not result.passed:
            raise AssertionError(f"{result.check}: {result.message}")

    run_checks(spec, expected_failures, on_result=stop_on_failure)


def parametrize_with_checks(specs: Sequence[ModelSpec],
                            expected_failures: dict[str, str] | None = None):
    """A ``pytest.mark.parametrize`` over (spec, check), one id per model and check that
    applies; ``expected_failures`` (for every spec) become strict xfails."""
    import pytest

    cases = [pytest.param(spec, check, id=f"{spec.name}-{check.__name__}",
                          marks=() if reason is None else pytest.mark.xfail(strict=True,
                                                                            reason=reason))
             for spec in specs for check, reason in iter_checks(spec, expected_failures)]
    return pytest.mark.parametrize(("spec", "check"), cases)
