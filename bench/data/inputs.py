"""Model inputs: the uint8 images of a dataset scaled and shaped for a model's input kind."""

from __future__ import annotations

import numpy as np


def prepare_inputs(images: np.ndarray, input_kind: str) -> np.ndarray:
    """uint8 (n, 28, 28) to float32 in [0, 1]: flat (n, 784) or image (n, 28, 28, 1)."""
    scaled = images.astype(np.float32) / np.float32(255.0)
    return scaled[..., np.newaxis] if input_kind == "image" else scaled.reshape(len(images), -1)
