"""The digit-string codec of class labels."""

import numpy as np
import pytest

from bench.results.codec import array_to_digits, digits_to_array


def test_round_trip_matches_an_independent_encoding():
    labels = np.random.default_rng(0).integers(0, 10, 1000)
    text = array_to_digits(labels)
    assert text == "".join(str(int(v)) for v in labels)
    decoded = digits_to_array(text)
    assert decoded.dtype == np.uint8 and decoded.tolist() == labels.tolist()
    assert array_to_digits(np.array([], dtype=int)) == "" and digits_to_array("").size == 0


@pytest.mark.parametrize("values", [[10], [-1], [3, 255]])
def test_only_classes_0_to_9_are_encoded(values):
    with pytest.raises(ValueError, match="0-9"):
        array_to_digits(np.array(values))


@pytest.mark.parametrize("text", ["7a", "12/", "1 2", "7é"])
def test_non_digits_are_refused(text):
    with pytest.raises(ValueError, match="non-digit"):
        digits_to_array(text)
