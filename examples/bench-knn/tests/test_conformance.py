"""The harness's conformance kit on this plugin: one pytest id per check."""

from bench.plugins import check_model, parametrize_with_checks

from bench_knn import MODEL


@parametrize_with_checks([MODEL])
def test_knn_conforms(spec, check):
    check(spec)


def test_knn_conforms_without_pca():
    from dataclasses import replace

    check_model(replace(MODEL, test_params={"pca_components": None}))
