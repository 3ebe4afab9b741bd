"""Every built-in is a real scikit-learn classifier: ``get_model(name).estimator(**params)`` works
in ``clone``, ``Pipeline``, ``cross_val_score`` and ``GridSearchCV``, and scikit-learn's own
``check_estimator`` passes on it apart from the expected failures listed below (strict xfail)."""

import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.estimator_checks import parametrize_with_checks

from bench.data.inputs import prepare_inputs
from bench.plugins import tiny_data
from bench.plugins.registry import get_model

BUILTINS = ("keras-mlp", "logistic-regression", "random-forest", "small-cnn")
KERAS = ("keras-mlp", "small-cnn")

_NO_INPUT_VALIDATION = ("fit takes the harness's prepared float arrays as they are: no "
                        "scikit-learn input validation (n_features_in_, NaN, sparse, empty, "
                        "complex or 1-D input, label types)")
_UNFITTED = "predict before fit raises AttributeError, not NotFittedError"
_TEN_CLASSES = ("the network always has 10 softmax outputs and classes_ = 0..9, the labels "
                "of both datasets; other label sets are not supported")
_KERAS_COMMON = {
    **dict.fromkeys([
        "check_n_features_in", "check_n_features_in_after_fitting", "check_complex_data",
        "check_dtype_object", "check_estimators_empty_data_messages",
        "check_estimators_nan_inf", "check_estimator_sparse_tag", "check_estimator_sparse_array",
        "check_estimator_sparse_matrix", "check_supervised_y_no_nan", "check_supervised_y_2d",
        "check_fit2d_predict1d", "check_requires_y_none", "check_classifiers_regression_target",
    ], _NO_INPUT_VALIDATION),
    "check_estimators_unfitted": _UNFITTED,
    "check_classifiers_classes": _TEN_CLASSES,
    "check_classifiers_train": _TEN_CLASSES,
    "check_estimators_pickle": ("the Keras network is not pickled (jobs never send a fitted "
                                "model across processes), so an unpickled copy cannot predict"),
}

#: scikit-learn's checks each built-in is known to fail, and why.
EXPECTED_FAILURES: dict[str, dict[str, str]] = {
    "logistic-regression": {
        "check_no_attributes_set_in_init": ("the **options catch-all of pass-through "
                                            "LogisticRegression arguments is stored as one "
                                            "attribute, `options`"),
        "check_estimators_unfitted": _UNFITTED,
        "check_n_features_in": _NO_INPUT_VALIDATION,
        "check_n_features_in_after_fitting": _NO_INPUT_VALIDATION,
    },
    "random-forest": {  # scikit-learn's own RandomForestClassifier, listed as such upstream
        "check_sample_weight_equivalence_on_dense_data": ("bootstrap samples differ with "
                                                          "weights vs repeated rows"),
        "check_sample_weight_equivalence_on_sparse_data": ("bootstrap samples differ with "
                                                           "weights vs repeated rows"),
    },
    "keras-mlp": _KERAS_COMMON,
    "small-cnn": {  # every check that fits it on a 2-D table, besides the ones above
        **{k: v for k, v in _KERAS_COMMON.items() if k != "check_supervised_y_no_nan"},
        **dict.fromkeys([
            "check_fit_score_takes_y", "check_estimators_overwrite_params",
            "check_dont_overwrite_parameters", "check_estimators_fit_returns_self",
            "check_readonly_memmap_input", "check_positive_only_tag_during_fit",
            "check_estimators_dtypes", "check_pipeline_consistency",
            "check_f_contiguous_array_estimator", "check_classifier_data_not_an_array",
            "check_classifiers_one_label", "check_methods_sample_order_invariance",
            "check_methods_subset_invariance", "check_fit2d_1sample", "check_fit2d_1feature",
            "check_dict_unchanged", "check_fit_idempotent", "check_fit_check_is_fitted",
            "check_estimators_pickle", "check_classifiers_classes", "check_classifiers_train",
        ], "a convolutional network: it takes 28x28x1 images, and the checks fit it on 2-D "
           "tables of a few features"),
    },
}


def builtin(name: str):
    """A built-in's estimator with its fast test parameters."""
    spec = get_model(name)
    return spec.estimator(**spec.test_params)


BY_CLASS = {type(builtin(name)): name for name in BUILTINS}


def expected(estimator) -> dict[str, str]:
    return EXPECTED_FAILURES[BY_CLASS[type(estimator)]]


@pytest.mark.parametrize("name", BUILTINS)
def test_cross_val_score_on_every_builtin(name):
    images, labels = tiny_data()
    X = prepare_inputs(images, get_model(name).input_kind)
    scores = cross_val_score(builtin(name), X, labels, cv=2)
    assert scores.shape == (2,) and scores.mean() > 0.5, scores


@pytest.mark.parametrize("name", BUILTINS)
def test_clone_keeps_every_parameter(name):
    original = builtin(name)
    copy = clone(original)
    assert copy is not original and copy.get_params() == original.get_params()


def test_pipeline_and_grid_search_tune_a_builtin():
    images, labels = tiny_data()
    X = prepare_inputs(images, "flat")
    pipeline = make_pipeline(FunctionTransformer(), builtin("logistic-regression"))
    search = GridSearchCV(pipeline, {"standardisedlogisticregression__C": [0.001, 1.0],
                                     "standardisedlogisticregression__fit_intercept": [False]},
                          cv=2).fit(X, labels)
    assert search.best_params_["standardisedlogisticregression__C"] in (0.001, 1.0)
    best = search.best_estimator_[-1]
    assert best.options == {"fit_intercept": False}  # a pass-through argument, set by name
    assert search.score(X, labels) > 0.5


@parametrize_with_checks([builtin("logistic-regression"), builtin("random-forest")],
                         expected_failed_checks=expected, xfail_strict=True)
def test_sklearn_check_estimator(estimator, check):
    check(estimator)


@pytest.mark.slow
@parametrize_with_checks([builtin(name) for name in KERAS],
                         expected_failed_checks=expected, xfail_strict=True)
def test_sklearn_check_estimator_keras(estimator, check):
    check(estimator)
