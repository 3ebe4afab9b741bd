"""A small convolutional network: two Conv/MaxPool blocks, dropout and a softmax layer."""

from __future__ import annotations

from typing import Annotated

from bench.plugins import AtLeast1, KerasClassifierBase, ModelSpec, Positive, Range


class SmallCNN(KerasClassifierBase):
    def __init__(
        self,
        filters: Annotated[tuple[int, ...], AtLeast1, "filters of each Conv+MaxPool(2) block"]
        = (32, 64),
        kernel_size: Annotated[int, AtLeast1, "convolution kernel size"] = 3,
        dropout: Annotated[float, Range(ge=0, lt=1), "dropout rate before the output layer"]
        = 0.5,
        learning_rate: Annotated[float, Positive, "Adam learning rate"] = 0.001,
        epochs: Annotated[int, AtLeast1, "training epochs"] = 10,
        batch_size: Annotated[int, AtLeast1, "minibatch size"] = 128,
        seed: int = 0,
    ):
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
            layers += [keras.layers.Conv2D(int(n_filters), int(self.kernel_size), activation="relu"),
                       keras.layers.MaxPooling2D(2)]
        layers += [keras.layers.Flatten(), keras.layers.Dropout(float(self.dropout)),
                   keras.layers.Dense(10, activation="softmax")]
        model = keras.Sequential(layers)
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=self.learning_rate),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model


MODEL = ModelSpec(
    name="small-cnn",
    description="Conv(32)-Pool-Conv(64)-Pool-Dropout(0.5)-Dense(10) CNN, Adam, 10 epochs",
    family="neural network",
    input_kind="image",
    version="1",
    estimator=SmallCNN,
    trains_in_epochs=True,
    test_params={"epochs": 6, "filters": (8, 8), "batch_size": 16},
    learning_curve=True,
)
