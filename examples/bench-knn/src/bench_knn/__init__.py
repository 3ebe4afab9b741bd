"""A k-nearest-neighbours model plugin: PCA to a few components, then a KNN vote.

The harness finds ``MODEL`` through the ``bench.models`` entry point declared in this
package's ``pyproject.toml``. Everything it needs from the harness comes from ``bench.plugins``;
scikit-learn's estimators are imported inside ``fit`` only, so listing models stays fast.
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from bench.plugins import AtLeast1, EstimatorBase, ModelSpec

__version__ = "0.1.0"


class PCAKNNClassifier(EstimatorBase):
    """Optional PCA (``pca_components=None`` skips it) followed by ``KNeighborsClassifier``.

    After ``fit``: ``pipeline_`` and ``classes_``. ``seed`` seeds PCA's randomized solver;
    the neighbour vote itself is deterministic.
    """

    def __init__(
        self,
        n_neighbors: Annotated[int, AtLeast1, "neighbours that vote"] = 5,
        weights: Annotated[Literal["uniform", "distance"],
                           "how votes count: equally, or closer neighbours more"] = "distance",
        pca_components: Annotated[int | None, AtLeast1,
                                  "PCA components before KNN (None: raw pixels)"] = 50,
        seed: int = 0,
    ):
        self.n_neighbors = n_neighbors
        self.weights = weights
        self.pca_components = pca_components
        self.seed = seed

    def fit(self, X, y):
        from sklearn.decomposition import PCA
        from sklearn.neighbors import KNeighborsClassifier
        from sklearn.pipeline import make_pipeline

        X = np.asarray(X, dtype=np.float32)
        steps = []
        if self.pca_components is not None:
            components = min(int(self.pca_components), *X.shape)
            steps.append(PCA(n_components=components, random_state=self.seed))
        steps.append(KNeighborsClassifier(n_neighbors=self.n_neighbors, weights=self.weights))
        self.pipeline_ = make_pipeline(*steps).fit(X, y)
        self.classes_ = self.pipeline_.classes_
        return self

    def predict_proba(self, X):
        return self.pipeline_.predict_proba(np.asarray(X, dtype=np.float32))

    def predict(self, X):
        # argmax of the probabilities, so predict and predict_proba never disagree on ties
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


MODEL = ModelSpec(
    name="knn",
    description="k-nearest neighbours (k=5, distance-weighted) on 50 PCA components",
    family="instance-based",
    input_kind="flat",
    version="1",
    estimator=PCAKNNClassifier,
    learning_curve=True,
    test_params={"pca_components": 20},
)
