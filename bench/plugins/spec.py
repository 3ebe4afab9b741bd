"""The model declaration: what a plugin (or an import path) declares, read from its estimator
class — :class:`ModelSpec` — and the helpers that read a class's constructor parameters.

Plugin authors import ``ModelSpec`` from :mod:`bench.plugins.registry`, which re-exports it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from bench.errors import PluginError, UsageError
from bench.plugins.declarations import (  # noqa: F401 - IMPORT_PATH_HINT, import_class re-exported
    IMPORT_PATH_HINT,
    clears_with_declarations,
    import_class,
)
from bench.plugins.params import (
    Param,
    coerce_param,
    infer_type,
    is_plain,
    params_from_signature,
    resolve_params,
)

INPUT_KINDS = ("flat", "image")

InputKind = Literal["flat", "image"]


EPOCHS_PARAM = "epochs"
#: Passed by the harness, never declared: the job seed (``random_state`` for scikit-learn) and
#: the thread count (``n_jobs``, speed only).
HARNESS_ARGS = ("self", "seed", "random_state", "n_jobs")


@dataclass(frozen=True)
class ModelSpec:
    """What a model plugin declares.

    ``estimator`` is the declaration: a class (or factory function) whose keyword arguments,
    with their defaults and annotations, are the model's parameters (see ``bench.plugins.params``).
    ``build(params, seed)`` returns a fresh, unfitted estimator keeping the scikit-learn
    protocol; by default it is ``estimator(**params, seed=seed)``.
    ``input_kind`` is ``"flat"`` (784 floats in [0, 1]) or ``"image"`` (28x28x1 floats in
    [0, 1]). ``trains_in_epochs`` marks models with an ``epochs`` parameter that profiles may
    shorten; their ``fit`` takes ``monitor``/``on_epoch_end`` and sets ``history_``.
    ``learning_curve`` includes the model in the full plan's training-size sweep (fast
    models). ``test_params`` are overrides that make the conformance checks fast.
    ``passthrough`` is the import path of an underlying scikit-learn class whose other
    constructor arguments may also be ``--set`` (they enter the job's parameters only when set).
    ``params`` and ``build`` are derived from ``estimator``; give them only for models whose
    parameters are computed (``bench.plugins.importpath``). ``source`` and ``distribution`` are
    filled in by the registry.
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
    def neural(self) -> bool:
        """Trained by epochs (``fit`` gets ``monitor``/``on_epoch_end``, sets ``history_``)."""
        return self.trains_in_epochs

    @property
    def epochs_param(self) -> str | None:
        """The parameter a profile may cap, for models trained by epochs."""
        return EPOCHS_PARAM if self.trains_in_epochs else None

    @property
    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def passthrough_params(self) -> tuple[Param, ...]:
        """The underlying class's other constructor arguments (empty if none; read through
        the declaration cache, ``bench.plugins.declarations``)."""
        if not self.passthrough:
            return ()
        declared = tuple(p.name for p in self.params)
        return class_params(self.passthrough, exclude=HARNESS_ARGS + declared)

    def has_param(self, name: str) -> bool:
        """Whether ``--set name=...`` applies: a declared or pass-through parameter."""
        return (any(p.name == name for p in self.params)
                or any(p.name == name for p in self.passthrough_params()))

    def resolve(self, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        """Default parameters updated with type- and range-checked ``overrides``; values of a
        scikit-learn class's own arguments are also checked against its parameter constraints
        (e.g. ``criterion="entropyy"``) here, before any job runs."""
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
        from bench.results.validate import is_safe_name

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
            unknown = set(self.test_params) - set(names)
            if unknown:
                problems.append(f"test_params name unknown parameters {sorted(unknown)}")
            if self.trains_in_epochs and EPOCHS_PARAM not in names:
                problems.append(f"trains_in_epochs needs an {EPOCHS_PARAM!r} parameter")
        if problems:
            raise PluginError(f"model plugin {self.name!r} ({self.source or 'unknown source'}) "
                              f"is invalid: {'; '.join(problems)}.")


def _construct(estimator: Callable[..., Any], params: dict[str, Any], seed: int) -> Any:
    return estimator(**params, seed=seed)


@clears_with_declarations
@functools.cache
def class_params(class_path: str, exclude: tuple[str, ...] = HARNESS_ARGS) -> tuple[Param, ...]:
    """Parameters of the class at ``class_path`` read from its constructor's defaults; arguments
    whose default is not a plain value (an object, NaN) are left out. Read through the
    declaration cache (``bench.plugins.declarations``): no import when the library is unchanged."""
    from bench.plugins.declarations import declaration

    return tuple(Param(name, default, infer_type(default))
                 for name, default in declaration(class_path).defaults if name not in exclude)


def is_import_path(name: str) -> bool:
    return "." in name


def check_constraints(model: str, class_path: str, params: dict[str, Any]) -> None:
    """Raise a UsageError when scikit-learn's declared constraints of ``class_path`` refuse one
    of ``params`` (only the class's own constructor arguments are passed; a class without
    ``_validate_params``, i.e. not a scikit-learn estimator, is not checked). Combinations the
    class accepted before are remembered (``bench.plugins.declarations``), so they need no import."""
    import warnings

    from bench.plugins.declarations import accepted_before, declaration, remember_accepted

    found = declaration(class_path)
    if not found.has_validate_params:
        return
    accepted = set(found.arguments) - set(HARNESS_ARGS)
    own = {k: v for k, v in params.items() if k in accepted}
    if accepted_before(class_path, own):
        return
    kwargs = {k: list(v) if isinstance(v, tuple) else v for k, v in own.items()}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import_class(class_path)(**kwargs)._validate_params()
    except (TypeError, ValueError) as exc:
        raise UsageError(f"model {model!r}: {exc} (checked against {class_path}'s declared "
                         "parameter constraints before running anything).") from None
    remember_accepted(class_path, own)
