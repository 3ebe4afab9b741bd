"""Run profiles: how much data and how many epochs a plan uses."""

from __future__ import annotations

from dataclasses import dataclass

from bench.errors import UsageError, did_you_mean

FULL_TRAIN_SIZE = 60_000
FULL_TEST_SIZE = 10_000
LEARNING_CURVE_SIZES = (500, 1_000, 5_000, 10_000)


@dataclass(frozen=True)
class Profile:
    """``train_size``/``test_size`` are stratified subset sizes; ``epochs`` caps neural models."""

    name: str
    train_size: int
    test_size: int
    epochs: int | None
    description: str
    learning_curve: bool = False


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile("smoke", 2_000, 1_000, 1,
                "2,000 train / 1,000 test images, 1 epoch: a couple of minutes, for tests and CI"),
        Profile("quick", 10_000, FULL_TEST_SIZE, 2,
                "10,000 train images, the full test set, 2 epochs: for iterating"),
        Profile("full", FULL_TRAIN_SIZE, FULL_TEST_SIZE, None,
                "all 60,000 / 10,000 images, each model's default epochs, plus the "
                "learning-curve sweep over training-set sizes", learning_curve=True),
    )
}


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise UsageError(f"unknown profile {name!r}. {did_you_mean(name, list(PROFILES))}") from None
