"""The Keras MLP of the "fashionable hello world" tutorial: 784 → Dense(128, relu) → softmax."""

from __future__ import annotations

from bench.estimators import KerasClassifierBase
from bench.params import Param
from bench.registry import ModelSpec


class KerasMLP(KerasClassifierBase):
    def __init__(self, hidden_units=(128,), activation="relu", optimizer="rmsprop",
                 learning_rate=0.001, epochs=5, batch_size=128, seed=0):
        self.hidden_units = hidden_units
        self.activation = activation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.seed = seed

    def build_network(self, keras, input_shape):
        layers = [keras.Input(shape=input_shape)]
        layers += [keras.layers.Dense(int(u), activation=self.activation)
                   for u in self.hidden_units]
        layers.append(keras.layers.Dense(10, activation="softmax"))
        model = keras.Sequential(layers)
        optimizer = keras.optimizers.get(
            {"class_name": self.optimizer, "config": {"learning_rate": self.learning_rate}})
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        return model


PARAMS = (
    Param("hidden_units", (128,), tuple[int, ...], "units of each hidden Dense layer"),
    Param("activation", "relu", str, "activation of the hidden layers"),
    Param("optimizer", "rmsprop", str, "Keras optimizer name"),
    Param("learning_rate", 0.001, float, "optimizer learning rate"),
    Param("epochs", 5, int, "training epochs"),
    Param("batch_size", 128, int, "minibatch size"),
)


def build(params: dict, seed: int) -> KerasMLP:
    return KerasMLP(**params, seed=seed)


MODEL = ModelSpec(
    name="keras-mlp",
    description="Tutorial MLP: Dense(128, relu) -> Dense(10, softmax), RMSprop, 5 epochs",
    family="neural network",
    params=PARAMS,
    input_kind="flat",
    version="1",
    build=build,
    test_params={"epochs": 2},
    neural=True,
    epochs_param="epochs",
    learning_curve=True,
)
