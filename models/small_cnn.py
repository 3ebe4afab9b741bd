"""A small convolutional network: two Conv/MaxPool blocks, dropout and a softmax layer."""

from __future__ import annotations

from bench.estimators import KerasClassifierBase
from bench.params import Param
from bench.registry import ModelSpec


class SmallCNN(KerasClassifierBase):
    def __init__(self, filters=(32, 64), kernel_size=3, dropout=0.5, learning_rate=0.001,
                 epochs=10, batch_size=128, seed=0):
        self.filters = filters
        self.kernel_size = kernel_size
        self.dropout = dropout
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.seed = seed

    def build_network(self, keras, input_shape):
        layers = [keras.Input(shape=input_shape)]
        for n_filters in self.filters:
            layers += [
                keras.layers.Conv2D(int(n_filters), int(self.kernel_size), activation="relu"),
                keras.layers.MaxPooling2D(2),
            ]
        layers += [
            keras.layers.Flatten(),
            keras.layers.Dropout(float(self.dropout)),
            keras.layers.Dense(10, activation="softmax"),
        ]
        model = keras.Sequential(layers)
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=self.learning_rate),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model


PARAMS = (
    Param("filters", (32, 64), tuple[int, ...], "filters of each Conv(3x3)+MaxPool(2) block"),
    Param("kernel_size", 3, int, "convolution kernel size"),
    Param("dropout", 0.5, float, "dropout rate before the output layer"),
    Param("learning_rate", 0.001, float, "Adam learning rate"),
    Param("epochs", 10, int, "training epochs"),
    Param("batch_size", 128, int, "minibatch size"),
)


def build(params: dict, seed: int) -> SmallCNN:
    return SmallCNN(**params, seed=seed)


MODEL = ModelSpec(
    name="small-cnn",
    description="Conv(32)-Pool-Conv(64)-Pool-Dropout(0.5)-Dense(10) CNN, Adam, 10 epochs",
    family="neural network",
    params=PARAMS,
    input_kind="image",
    version="1",
    build=build,
    test_params={"epochs": 6, "filters": (8, 8), "batch_size": 16},
    neural=True,
    epochs_param="epochs",
    learning_curve=True,
)
