"""Run profiles (data budgets) and the learning curve's training-set sizes and effort rule."""

from __future__ import annotations

import math
from dataclasses import dataclass

from bench.errors import UsageError, did_you_mean

FULL_TRAIN_SIZE = 60_000
FULL_TEST_SIZE = 10_000
LEARNING_CURVE_SIZES = (500, 1_000, 5_000, 10_000)

# Equal training effort along the learning curve (for models with an epochs parameter): a
# curve point trains with a batch of ``n / CURVE_BATCHES_PER_EPOCH`` images (between
# ``CURVE_MIN_BATCH`` and the model's own batch size) for at least ``CURVE_MIN_STEPS``
# gradient steps (never fewer epochs than the model's default). Without it a 5-epoch MLP at
# n = 500 and batch 128 takes 20 steps and the curve measures under-training, not data.
CURVE_MIN_STEPS = 500
CURVE_BATCHES_PER_EPOCH = 32
CURVE_MIN_BATCH = 16


def curve_effort(train_size: int, default_epochs: int, default_batch: int | None,
                 ) -> tuple[int, int | None]:
    """(epochs, batch size) of a learning-curve point by the equal-effort rule above.

    ``default_batch`` None means the model has no batch-size parameter: its steps cannot be
    counted, so it keeps its default epochs.
    """
    if default_batch is None:
        return default_epochs, None
    batch = max(min(default_batch, train_size // CURVE_BATCHES_PER_EPOCH),
                min(CURVE_MIN_BATCH, default_batch))
    steps_per_epoch = math.ceil(train_size / batch)
    return max(default_epochs, math.ceil(CURVE_MIN_STEPS / steps_per_epoch)), batch


@dataclass(frozen=True)
class Profile:
    """A data budget: stratified subset sizes, and ``epochs`` caps neural models (None: their
    default epochs)."""

    name: str
    train_size: int
    test_size: int
    epochs: int | None
    description: str


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile("smoke", 2_000, 1_000, 1,
                "2,000 train / 1,000 test images, 1 epoch: about a minute, for tests and CI"),
        Profile("quick", 10_000, FULL_TEST_SIZE, 2,
                "10,000 train images, the full test set, 2 epochs: for iterating"),
        Profile("full", FULL_TRAIN_SIZE, FULL_TEST_SIZE, None,
                "all 60,000 / 10,000 images, each model's default epochs"),
    )
}


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise UsageError(f"unknown profile {name!r}. {did_you_mean(name, list(PROFILES))}") from None
