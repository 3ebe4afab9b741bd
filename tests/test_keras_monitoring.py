"""The per-epoch test monitoring of Keras models observes only: it never changes what is learnt."""

import numpy as np
import pytest

from models.keras_mlp import KerasMLP

pytestmark = pytest.mark.slow


def synthetic(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, n)
    x = rng.normal(size=(n, 20)).astype(np.float32) + y[:, None].astype(np.float32) / 3
    return x, y


def test_monitoring_leaves_predictions_unchanged_and_records_test_curves():
    x, y = synthetic(300, 0)
    x_test, y_test = synthetic(100, 1)
    params = {"hidden_units": (8,), "epochs": 2, "batch_size": 32, "seed": 3}
    plain = KerasMLP(**params).fit(x, y)
    monitored = KerasMLP(**params).fit(x, y, monitor=(x_test, y_test))
    np.testing.assert_array_equal(plain.predict_proba(x_test), monitored.predict_proba(x_test))
    assert "val_loss" not in plain.history_
    # The monitored test accuracy after the last epoch is the accuracy of the final model.
    final = float(np.mean(monitored.predict(x_test) == y_test))
    assert monitored.history_["val_accuracy"][-1] == pytest.approx(final, abs=1e-6)
    assert len(monitored.history_["val_loss"]) == 2
