"""Run profiles: how much data and how many epochs a plan uses."""

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
class EpochSweep:
    """An extra full-data plan entry: ``model`` trained for ``epochs`` epochs so the per-epoch
    history can show the test loss pass its minimum (``seeds``: how many of the plan's seeds,
    None for all). Not a headline run: its jobs are marked like learning-curve points at the
    full training size, and the reports show them on the overfitting page."""

    model: str
    epochs: int
    seeds: int | None = None


# keras-mlp passes its best test loss well within 40 epochs; a small-cnn sweep (20 epochs, ~13 min
# per dataset on one core) is easy to add here: `EpochSweep("small-cnn", 20, seeds=1)`.
EPOCH_SWEEPS = (EpochSweep("keras-mlp", 40),)
# The model zoo of the reference run: a plain `run-all --profile full` also runs these built-in
# suites (bench/plan/builtin/), so rank transfer and the Xiao et al. 2017 comparison are part
# of the committed results. `run-all --suite default` runs the four built-ins alone.
REFERENCE_SUITES = ("xiao2017",)


@dataclass(frozen=True)
class Profile:
    """``train_size``/``test_size`` are stratified subset sizes; ``epochs`` caps neural models."""

    name: str
    train_size: int
    test_size: int
    epochs: int | None
    description: str
    learning_curve: bool = False
    epoch_sweeps: tuple[EpochSweep, ...] = ()
    suites: tuple[str, ...] = ()  # built-in suites a plain `run-all` adds (with their own seeds)


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile("smoke", 2_000, 1_000, 1,
                "2,000 train / 1,000 test images, 1 epoch: about a minute, for tests and CI"),
        Profile("quick", 10_000, FULL_TEST_SIZE, 2,
                "10,000 train images, the full test set, 2 epochs: for iterating"),
        Profile("full", FULL_TRAIN_SIZE, FULL_TEST_SIZE, None,
                "all 60,000 / 10,000 images, each model's default epochs, plus the "
                "learning-curve sweep over training-set sizes (equal training effort) and "
                "a long per-epoch sweep of keras-mlp (40 epochs) and the model zoo (suite "
                "xiao2017: the Fashion-MNIST paper's scikit-learn families, seed 0)",
                learning_curve=True, epoch_sweeps=EPOCH_SWEEPS, suites=REFERENCE_SUITES),
    )
}


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise UsageError(f"unknown profile {name!r}. {did_you_mean(name, list(PROFILES))}") from None
