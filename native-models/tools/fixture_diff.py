"""Is a regenerated fixture file the committed one, up to float rounding?

Torch picks its CPU kernels by instruction set, so the same seeded model gives logits that differ in the last
bits on an AMD EPYC and on an Intel Xeon (seen: 4e-5 at most on logits of magnitude 12). A fixture is stale
when anything else changes: a string (an RLE), an integer (an area, a box), a key, a file's length, or a float
by more than that noise.

Thresholded masks are the one exception a caller may allow (`mask_tolerance`): a SAM 2 logit that sits within
that noise of 0 flips its pixel, and SAM 2's random-weight fixtures have many such logits (seen: one pixel of
4767 between two thread counts). With a tolerance, a mask ({"size", "counts"[, "area"]}) may differ in at most
that fraction of its pixels, and its area must still be its own pixel count.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, List

import numpy as np

ABS_TOL = 5e-4
REL_TOL = 1e-4


def floats_close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def _is_mask(value: Any) -> bool:
    return isinstance(value, dict) and {"size", "counts"} <= value.keys() <= {"size", "counts", "area"}


def _mask_differences(a: dict, b: dict, where: str, tolerance: float) -> List[str]:
    from sam_tools import rle  # only where masks are compared with a tolerance

    ours, theirs = rle.decode(a), rle.decode(b)
    if ours.shape != theirs.shape:
        return [f"{where}: size {a['size']} != {b['size']}"]
    for mask, decoded in ((a, ours), (b, theirs)):
        if "area" in mask and mask["area"] != int(decoded.sum()):
            return [f"{where}.area: {mask['area']} is not the mask's {int(decoded.sum())} pixels"]
    differing = int((ours != theirs).sum())
    allowed = max(1.0, tolerance * int((ours | theirs).sum()))
    return [] if differing <= allowed else [f"{where}: {differing} pixels differ (at most {allowed:.0f} allowed)"]


def json_differences(a: Any, b: Any, where: str = "$", mask_tolerance: float = 0.0) -> List[str]:
    """Where two parsed JSON documents differ beyond float noise (JSON paths, at most a few)."""
    if mask_tolerance > 0 and _is_mask(a) and _is_mask(b):
        return _mask_differences(a, b, where, mask_tolerance)
    if isinstance(a, float) or isinstance(b, float):
        numbers = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (a, b))
        return [] if numbers and floats_close(float(a), float(b)) else [f"{where}: {a!r} != {b!r}"]
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return [f"{where}: keys {sorted(a)} != {sorted(b)}"]
        return [d for key in a for d in json_differences(a[key], b[key], f"{where}.{key}", mask_tolerance)][:5]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: {len(a)} items != {len(b)}"]
        return [
            d for i, (x, y) in enumerate(zip(a, b)) for d in json_differences(x, y, f"{where}[{i}]", mask_tolerance)
        ][:5]
    return [] if a == b and type(a) is type(b) else [f"{where}: {a!r} != {b!r}"]


def file_differences(generated: Path, committed: Path, mask_tolerance: float = 0.0) -> List[str]:
    """Why `generated` is not `committed`: empty when equal, or equal up to float noise (.json, .f32) and, with
    `mask_tolerance`, masks differing in at most that fraction of their pixels."""
    new, old = generated.read_bytes(), committed.read_bytes()
    if new == old:
        return []
    if generated.suffix == ".json":
        return json_differences(json.loads(new), json.loads(old), mask_tolerance=mask_tolerance)
    if generated.suffix == ".f32":
        a, b = np.frombuffer(new, dtype="<f4"), np.frombuffer(old, dtype="<f4")
        if a.shape != b.shape:
            return [f"{a.size} floats != {b.size}"]
        worst = int(np.argmax(np.abs(a - b) - REL_TOL * np.abs(b)))
        close = np.allclose(a, b, rtol=REL_TOL, atol=ABS_TOL)
        return [] if close else [f"float {worst}: {a[worst]} != {b[worst]}"]
    return ["bytes differ"]
