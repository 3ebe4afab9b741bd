"""Conformance kit for model plugins, in the spirit of scikit-learn's ``check_estimator``.

Each rule of the plugin contract is one small ``check_<rule>(spec)`` function that raises
``AssertionError`` with a readable reason. Plugin authors run them all with::

    from bench.testing import check_model
    check_model(MY_MODEL)                      # raises on the first broken rule

or one pytest id per (model, check)::

    from bench.testing import parametrize_with_checks

    @parametrize_with_checks([MY_MODEL])
    def test_my_model(spec, check):
        check(spec)

The checks train on tiny synthetic data with the spec's ``test_params``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from bench.registry import ModelSpec

N_CLASSES = 10
Check = Callable[[ModelSpec], None]


@functools.cache
def tiny_data(n_per_class: int = 12, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """uint8 28x28 images of 10 learnable classes (a bright bar per class) plus noise."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(N_CLASSES), n_per_class)
    images = rng.integers(0, 60, size=(len(labels), 28, 28)).astype(np.uint8)
    for i, label in enumerate(labels):
        images[i, 2 + 2 * label: 4 + 2 * label, 4:24] = 230
    order = rng.permutation(len(labels))
    return images[order], labels[order].astype(np.int64)


def _inputs(spec: ModelSpec) -> tuple[np.ndarray, np.ndarray]:
    from bench.data.inputs import prepare_inputs

    images, labels = tiny_data()
    return prepare_inputs(images, spec.input_kind), labels


def _build(spec: ModelSpec, seed: int = 0, overrides: dict | None = None):
    params = spec.resolve({**spec.test_params, **(overrides or {})})
    return spec.build(params, seed), params


def _fitted(spec: ModelSpec, seed: int = 0):
    X, y = _inputs(spec)
    estimator, _ = _build(spec, seed)
    returned = estimator.fit(X, y)
    return estimator, returned, X, y


def check_metadata(spec: ModelSpec) -> None:
    """Name, description, family, version, input kind and typed defaults are valid."""
    from bench.errors import PluginError

    try:
        spec.validate()
    except PluginError as exc:
        raise AssertionError(str(exc)) from None


def check_fit_returns_self(spec: ModelSpec) -> None:
    """``fit`` works on tiny data and returns the estimator itself."""
    estimator, returned, _, _ = _fitted(spec)
    assert returned is estimator, f"{spec.name}: fit() must return self, got {returned!r}"


def check_predict_proba(spec: ModelSpec) -> None:
    """``predict_proba`` has shape (n, 10), finite non-negative rows summing to 1."""
    estimator, _, X, _ = _fitted(spec)
    proba = np.asarray(estimator.predict_proba(X))
    assert proba.shape == (len(X), N_CLASSES), (
        f"{spec.name}: predict_proba shape {proba.shape}, expected {(len(X), N_CLASSES)}")
    assert np.all(np.isfinite(proba)) and np.all(proba >= 0), (
        f"{spec.name}: predict_proba has negative or non-finite values")
    sums = proba.sum(axis=1)
    worst = float(np.max(np.abs(sums - 1)))
    assert worst < 1e-4, (
        f"{spec.name}: predict_proba rows must sum to 1; the worst row sums to "
        f"{sums[np.argmax(np.abs(sums - 1))]:.6f}")


def check_predict_matches_argmax(spec: ModelSpec) -> None:
    """``predict`` equals the argmax of ``predict_proba`` (as class labels 0..9)."""
    estimator, _, X, _ = _fitted(spec)
    predicted = np.asarray(estimator.predict(X))
    argmax = np.asarray(estimator.predict_proba(X)).argmax(axis=1)
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


def check_param_roundtrip(spec: ModelSpec) -> None:
    """Every declared parameter reaches the estimator: ``get_params()`` shows the value given."""
    estimator, params = _build(spec)
    got = estimator.get_params()
    wrong = {k: (v, got.get(k, "<missing>")) for k, v in params.items()
             if k not in got or got[k] != v}
    assert not wrong, f"{spec.name}: get_params() does not echo these parameters: {wrong}"
    for param in spec.params:
        if isinstance(param.default, bool):
            changed = not param.default
        elif isinstance(param.default, int):
            changed = param.default + 1
        elif isinstance(param.default, float):
            changed = param.default / 2
        else:
            continue
        rebuilt, _ = _build(spec, overrides={param.name: changed})
        assert rebuilt.get_params().get(param.name) == changed, (
            f"{spec.name}: overriding {param.name}={changed!r} did not reach the estimator")


def check_fresh_estimator(spec: ModelSpec) -> None:
    """Each ``build`` returns a new, unfitted estimator."""
    first, _ = _build(spec)
    second, _ = _build(spec)
    assert first is not second, f"{spec.name}: build() returned the same object twice"
    X, y = _inputs(spec)
    first.fit(X, y)
    fitted = [k for k in vars(second) if k.endswith("_") and not k.startswith("_")]
    assert not fitted, f"{spec.name}: a fresh estimator already has fitted attributes {fitted}"


def check_history(spec: ModelSpec) -> None:
    """Neural models expose per-epoch ``history_`` with loss and accuracy."""
    if not spec.neural:
        return
    estimator, _, _, _ = _fitted(spec)
    history = getattr(estimator, "history_", None)
    assert isinstance(history, dict), f"{spec.name}: neural models must set history_ after fit"
    for key in ("loss", "accuracy"):
        assert key in history and len(history[key]) >= 1, (
            f"{spec.name}: history_ lacks per-epoch {key!r} (has {sorted(history)})")


CHECKS: tuple[Check, ...] = (
    check_metadata, check_fit_returns_self, check_predict_proba, check_predict_matches_argmax,
    check_learns, check_deterministic, check_param_roundtrip, check_fresh_estimator,
    check_history,
)


def iter_checks(spec: ModelSpec) -> Iterator[Check]:
    yield from CHECKS


def check_model(spec: ModelSpec | str, expected_failures: dict[str, str] | None = None) -> None:
    """Run every check on ``spec`` (or a registered name); raise on the first failure.

    ``expected_failures`` maps check names to the reason they are known to fail; those are
    run and must fail (an unexpected pass is reported too), as in scikit-learn.
    """
    if isinstance(spec, str):
        from bench.registry import get_model

        spec = get_model(spec)
    expected_failures = expected_failures or {}
    for check in iter_checks(spec):
        reason = expected_failures.get(check.__name__)
        if reason is None:
            check(spec)
            continue
        try:
            check(spec)
        except AssertionError:
            continue
        raise AssertionError(f"{spec.name}: {check.__name__} passed but was expected to fail "
                             f"({reason})")


def parametrize_with_checks(specs: Sequence[ModelSpec]):
    """A ``pytest.mark.parametrize`` over (spec, check) with one id per model and check."""
    import pytest

    cases = [(spec, check) for spec in specs for check in iter_checks(spec)]
    ids = [f"{spec.name}-{check.__name__}" for spec, check in cases]
    return pytest.mark.parametrize(("spec", "check"), cases, ids=ids)
