"""COCO RLE codec on cases whose answer is known from pycocotools' documentation and by construction."""

from __future__ import annotations

import numpy as np
import pytest

from sam_tools import rle


@pytest.mark.parametrize(
    "column, counts",
    [([0, 0, 1, 1, 1, 0, 1], [2, 3, 1, 1]), ([1, 1, 1, 1, 1, 1, 0], [0, 6, 1]), ([0, 0, 0], [3]), ([1, 1], [0, 2])],
)
def test_counts_start_with_background(column, counts):
    # From pycocotools/mask.py: M=[0 0 1 1 1 0 1] → [2 3 1 1], M=[1 1 1 1 1 1 0] → [0 6 1].
    mask = np.array(column, dtype=bool)[:, None]
    assert rle.mask_to_counts(mask) == counts
    np.testing.assert_array_equal(rle.counts_to_mask(counts, len(column), 1), mask)


def test_runs_are_column_major():
    mask = np.array([[1, 0, 0], [1, 0, 0]], dtype=bool)  # the first column is foreground
    assert rle.mask_to_counts(mask) == [0, 2, 4]


def test_string_form_known_values():
    # Small counts are one character each (value + 48). From the fourth count on, the difference to the count
    # two before is stored: 1 - 3 = -2 → 5-bit group 0b11110 with the sign bit 0x10 set → chr(30 + 48) = 'N'.
    assert rle.counts_to_string([2, 3, 1, 1]) == "231N"
    assert rle.counts_to_string([0, 6, 1]) == "061"
    # 100 needs two 5-bit groups: 100 = 0b11_00100 → (4 | 0x20) + 48 = 'T', 3 + 48 = '3'.
    assert rle.counts_to_string([100]) == "T3"
    # 1 - 6 = -5 → (-5 & 0x1f) = 27 → 'K'.
    assert rle.counts_to_string([3, 6, 5, 1]) == "365K"
    for counts in ([2, 3, 1, 1], [100], [3, 6, 5, 1], [0, 1000, 3, 70000, 2]):
        assert rle.string_to_counts(rle.counts_to_string(counts)) == counts


@pytest.mark.parametrize("seed", range(5))
def test_random_masks_round_trip(seed):
    rng = np.random.default_rng(seed)
    h, w = rng.integers(1, 60, size=2)
    mask = rng.random((h, w)) < rng.random()
    encoded = rle.encode(mask)
    assert encoded["size"] == [h, w]
    np.testing.assert_array_equal(rle.decode(encoded), mask)
    assert rle.area(encoded) == int(mask.sum())
