"""The Keras MLP of the "fashionable hello world" tutorial: 784 → Dense(128, relu) → softmax."""

from __future__ import annotations

from typing import Annotated, Literal

from bench.plugins import AtLeast1, KerasClassifierBase, ModelSpec, Positive

Optimizer = Literal["adadelta", "adagrad", "adam", "adamax", "adamw", "nadam", "rmsprop", "sgd"]


class KerasMLP(KerasClassifierBase):
    def __init__(
        self,
        hidden_units: Annotated[tuple[int, ...], AtLeast1, "units of each hidden Dense layer"]
        = (128,),
        activation: Annotated[str, "activation of the hidden layers"] = "relu",
        optimizer: Annotated[Optimizer, "Keras optimizer"] = "rmsprop",
        learning_rate: Annotated[float, Positive, "optimizer learning rate"] = 0.001,
        epochs: Annotated[int, AtLeast1, "training epochs"] = 5,
        batch_size: Annotated[int, AtLeast1, "minibatch size"] = 128,
        seed: int = 0,
    ):
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


MODEL = ModelSpec(
    name="keras-mlp",
    description="Tutorial MLP: Dense(128, relu) -> Dense(10, softmax), RMSprop, 5 epochs",
    family="neural network",
    input_kind="flat",
    version="1",
    estimator=KerasMLP,
    trains_in_epochs=True,
    learning_curve=True,
    test_params={"epochs": 2},
)
