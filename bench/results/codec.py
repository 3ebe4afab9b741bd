"""Class labels 0-9 as a string of digits (``"7210414..."``): how records store predictions
and the analysis cache stores test labels. The one codec for this encoding."""

from __future__ import annotations

import numpy as np

_ZERO = ord("0")


def array_to_digits(values: np.ndarray) -> str:
    """Classes 0-9 as a digit string; ``ValueError`` for anything else."""
    arr = np.asarray(values)
    if arr.size and (arr.min() < 0 or arr.max() > 9):
        raise ValueError("only classes 0-9 can be written as a digit string")
    return (arr.astype(np.uint8) + _ZERO).tobytes().decode("ascii")


def digits_to_array(digits: str) -> np.ndarray:
    """A digit string as a uint8 array; ``ValueError`` for any other character."""
    try:
        arr = np.frombuffer(digits.encode("ascii"), dtype=np.uint8) - np.uint8(_ZERO)
    except UnicodeEncodeError:
        raise ValueError("the class string holds non-digit characters") from None
    if arr.size and arr.max() > 9:  # uint8: characters below "0" wrap round to > 9
        raise ValueError("the class string holds non-digit characters")
    return arr
