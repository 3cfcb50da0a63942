"""COCO run-length encoding, compressed string form, as pycocotools writes it (`common/maskApi.c`).

Runs are taken in column-major order (down each column, then left to right) and alternate background /
foreground, starting with background (a leading 0 when the first pixel is foreground). The string form
stores each count — from the third on, as the difference to the count two before — in 5-bit groups, least
significant first, one character (group + 48, with 0x20 set while more groups follow) per group; the last
group's 0x10 bit is the sign.
"""

from __future__ import annotations

from typing import Dict, List

import numpy as np


def mask_to_counts(mask: np.ndarray) -> List[int]:
    """bool/0-1 [H, W] → run lengths in column-major order, first run background."""
    flat = np.asarray(mask, dtype=bool).flatten(order="F")
    if flat.size == 0:
        return []
    change = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    bounds = np.concatenate(([0], change, [flat.size]))
    runs = np.diff(bounds).tolist()
    return ([0] + runs) if flat[0] else runs


def counts_to_mask(counts: List[int], h: int, w: int) -> np.ndarray:
    """Inverse of `mask_to_counts` → bool [H, W]."""
    if sum(counts) != h * w:
        raise ValueError(f"RLE counts sum to {sum(counts)}, expected {h * w}")
    values = np.zeros(len(counts), dtype=bool)
    values[1::2] = True
    return np.repeat(values, counts).reshape((h, w), order="F")


def counts_to_string(counts: List[int]) -> str:
    """pycocotools' `rleToString`."""
    out = []
    for i, count in enumerate(counts):
        x = count - counts[i - 2] if i > 2 else count
        more = True
        while more:
            c = x & 0x1F
            x >>= 5  # arithmetic shift: Python ints keep the sign, like C's long
            more = (x != -1) if (c & 0x10) else (x != 0)
            if more:
                c |= 0x20
            out.append(chr(c + 48))
    return "".join(out)


def string_to_counts(text: str) -> List[int]:
    """pycocotools' `rleFrString`."""
    counts: List[int] = []
    p = 0
    while p < len(text):
        x, k, more = 0, 0, True
        while more:
            c = ord(text[p]) - 48
            x |= (c & 0x1F) << (5 * k)
            more = bool(c & 0x20)
            p += 1
            k += 1
            if not more and (c & 0x10):
                x |= -1 << (5 * k)
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    return counts


def encode(mask: np.ndarray) -> Dict[str, object]:
    """bool [H, W] → {"size": [H, W], "counts": str} (COCO compressed RLE)."""
    h, w = mask.shape
    return {"size": [int(h), int(w)], "counts": counts_to_string(mask_to_counts(mask))}


def decode(rle: Dict[str, object]) -> np.ndarray:
    h, w = rle["size"]
    return counts_to_mask(string_to_counts(rle["counts"]), h, w)


def area(rle: Dict[str, object]) -> int:
    return int(sum(string_to_counts(rle["counts"])[1::2]))
