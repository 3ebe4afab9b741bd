"""Figure helpers that decide where things go."""

from __future__ import annotations

import numpy as np
import pytest

from bench.reports.figures import spread


@pytest.mark.parametrize("ys", [[0.5, 0.5, 0.5], [0.9, 0.95, 0.97, 0.99, 0.1, 0.0],
                                list(np.linspace(0.9, 1.0, 17))])
def test_spread_labels_keep_order_and_distance_within_the_axes(ys):
    placed = spread(ys, 0.045)
    order = np.argsort(ys, kind="stable")
    gaps = np.diff(placed[order])
    assert (gaps >= min(0.045, 1 / (len(ys) - 1)) - 1e-9).all()
    assert placed.min() >= 0 and placed.max() <= 1
    far = [i for i, y in enumerate(ys) if all(abs(y - o) > 0.2 for j, o in enumerate(ys) if j != i)]
    assert all(placed[i] == pytest.approx(min(max(ys[i], 0), 1)) for i in far)
