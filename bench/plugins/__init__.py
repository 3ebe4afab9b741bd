"""The plugin API, everything a model plugin imports (docs/plugins.md): a :class:`ModelSpec`
whose ``estimator`` is a scikit-learn classifier, checked by :func:`check_model`.
"""

from bench.plugins.checks import check_model, parametrize_with_checks, run_checks, tiny_data
from bench.plugins.estimators import EstimatorBase, KerasClassifierBase
from bench.plugins.params import AtLeast1, NonNegative, Param, Positive, Probability, Range
from bench.plugins.spec import ModelSpec
from bench.threads import threads_per_job

__all__ = [
    "AtLeast1", "EstimatorBase", "KerasClassifierBase", "ModelSpec", "NonNegative", "Param",
    "Positive", "Probability", "Range", "check_model", "parametrize_with_checks", "run_checks",
    "threads_per_job", "tiny_data",
]
