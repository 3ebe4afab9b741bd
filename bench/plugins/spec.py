"""The model declaration: what a plugin (or an import path) declares, read from its estimator
class — :class:`ModelSpec` (plugin authors import it from :mod:`bench.plugins`)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from bench.errors import PluginError, UsageError
from bench.plugins.library import check_constraints, class_params, is_import_path
from bench.plugins.params import (
    HARNESS_ARGS,
    Param,
    coerce_param,
    is_plain,
    params_from_signature,
    resolve_params,
)
from bench.results.validate import is_safe_name

InputKind = Literal["flat", "image"]
INPUT_KINDS = get_args(InputKind)
EPOCHS_PARAM = "epochs"


@dataclass(frozen=True)
class ModelSpec:
    """What a model plugin declares (each field: docs/plugins.md). The keyword arguments of
    ``estimator`` (a class or factory) are the parameters; ``build(params, seed)``, by default
    ``estimator(**params, seed=seed)``, makes a job's fresh, unfitted classifier.
    """

    name: str
    description: str
    family: str
    input_kind: InputKind
    version: str
    estimator: Callable[..., Any] | None = None
    trains_in_epochs: bool = False
    learning_curve: bool = False
    test_params: dict[str, Any] = field(default_factory=dict, compare=False)
    passthrough: str | None = None
    params: tuple[Param, ...] = None  # type: ignore[assignment]  # derived from estimator
    build: Callable[[dict[str, Any], int], Any] = None  # type: ignore[assignment]
    source: str = field(default="", compare=False)
    distribution: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.params is None:
            if self.estimator is None:
                raise PluginError(f"model plugin {self.name!r}: give `estimator` (the class "
                                  "whose __init__ declares the parameters).")
            try:
                params = params_from_signature(self.estimator)
            except TypeError as exc:
                raise PluginError(f"model plugin {self.name!r}: {exc}.") from None
            object.__setattr__(self, "params", params)
        if self.build is None:
            if self.estimator is None:
                raise PluginError(f"model plugin {self.name!r}: give `estimator` or `build`.")
            object.__setattr__(self, "build", functools.partial(_construct, self.estimator))

    @property
    def epochs_param(self) -> str | None:
        """The parameter a profile may cap, for models trained by epochs."""
        return EPOCHS_PARAM if self.trains_in_epochs else None

    @property
    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def passthrough_params(self) -> tuple[Param, ...]:
        """The underlying class's other constructor arguments (empty if none)."""
        if not self.passthrough:
            return ()
        declared = tuple(p.name for p in self.params)
        return class_params(self.passthrough, exclude=HARNESS_ARGS + declared)

    def has_param(self, name: str) -> bool:
        """Whether ``--set name=...`` applies: a declared or pass-through parameter."""
        return (any(p.name == name for p in self.params)
                or any(p.name == name for p in self.passthrough_params()))

    def resolve(self, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        """Defaults updated with type- and range-checked ``overrides``, a scikit-learn class's
        own arguments also against its constraints (``criterion="entropyy"``) before any job."""
        extra = self.passthrough_params if self.passthrough else None
        resolved = resolve_params(self.name, self.params, overrides, extra)
        underlying = self.passthrough or (self.name if is_import_path(self.name)
                                          and self.source == self.name else None)
        if underlying and overrides:
            check_constraints(self.name, underlying, resolved)
        return resolved

    def validate(self) -> None:
        """Raise ``PluginError`` naming the plugin if its declaration is malformed."""
        problems = []
        if not is_safe_name(self.name):  # it goes into job keys, file names and reports
            problems.append("name must be letters, digits and ._+- (at most 100 characters, "
                            "starting with a letter or digit)")
        elif "." in self.name and self.source != self.name:
            problems.append("name must not contain '.' (dotted names are import paths)")
        for attr in ("description", "family", "version"):
            if not isinstance(getattr(self, attr), str) or not getattr(self, attr).strip():
                problems.append(f"{attr} must be a non-empty string")
        if self.input_kind not in INPUT_KINDS:
            problems.append(f"input_kind must be one of {INPUT_KINDS}, not {self.input_kind!r}")
        if not callable(self.build):
            problems.append("build must be callable as build(params, seed)")
        if not isinstance(self.params, tuple) or not all(isinstance(p, Param)
                                                         for p in self.params):
            problems.append("params must be a tuple of bench.plugins.params.Param")
        else:
            names = [p.name for p in self.params]
            if len(set(names)) != len(names):
                problems.append("parameter names must be unique")
            for p in self.params:
                try:
                    coerce_param(self.name, p, p.default)
                except UsageError as exc:
                    problems.append(f"the default of {p.name!r} does not fit its declaration "
                                    f"({exc})")
                if not is_plain(p.default):
                    problems.append(f"the default of {p.name!r} is not a plain value "
                                    "(None, bool, int, float, str or a tuple of them)")
            unknown = {n for n in set(self.test_params) - set(names) if not self.has_param(n)}
            if unknown:
                problems.append(f"test_params name unknown parameters {sorted(unknown)}")
            if self.trains_in_epochs and EPOCHS_PARAM not in names:
                problems.append(f"trains_in_epochs needs an {EPOCHS_PARAM!r} parameter")
        if problems:
            raise PluginError(f"model plugin {self.name!r} ({self.source or 'unknown source'}) "
                              f"is invalid: {'; '.join(problems)}.")


def _construct(estimator: Callable[..., Any], params: dict[str, Any], seed: int) -> Any:
    return estimator(**params, seed=seed)
