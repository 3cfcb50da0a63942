"""The synthetic scene generator: deterministic by seed, exact masks, the variety the issue asks for."""

from __future__ import annotations

import numpy as np
import pytest

from synthetic import MIN_AREA, distance_to_boundary, interior_point, make_scene


def test_same_seed_same_scene_and_different_seeds_differ():
    a, b, c = make_scene(123), make_scene(123), make_scene(124)
    assert np.array_equal(a.image, b.image)
    assert len(a.instances) == len(b.instances)
    assert all(np.array_equal(x.mask, y.mask) for x, y in zip(a.instances, b.instances))
    assert a.image.shape != c.image.shape or not np.array_equal(a.image, c.image)


@pytest.mark.parametrize("seed", range(8))
def test_instance_masks_are_exact_disjoint_and_large_enough(seed):
    scene = make_scene(seed)
    h, w = scene.image.shape[:2]
    assert max(h, w) == 256 and scene.image.dtype == np.uint8
    union = np.zeros((h, w), dtype=int)
    for inst in scene.instances:
        assert inst.mask.shape == (h, w) and inst.mask.dtype == bool
        assert inst.area == int(inst.mask.sum()) >= MIN_AREA
        union += inst.mask
    assert union.max() <= 1  # visible masks never overlap: occluded pixels belong to the occluder


def test_masks_are_exact_in_flat_scenes():
    """A flat object colour without camera noise shows up exactly where its mask says (no antialiasing)."""
    for seed in range(40):
        scene = make_scene(seed)
        for inst in scene.instances:
            colours = scene.image[inst.mask].reshape(-1, 3)
            if (colours == colours[0]).all() and inst.area > 200:
                ring = _dilate(inst.mask) & ~inst.mask
                assert not (scene.image[ring] == colours[0]).all(1).all()
                return
    pytest.skip("no flat, noise-free object in the first 40 scenes")


def _dilate(mask):
    out = mask.copy()
    out[1:] |= mask[:-1]
    out[:-1] |= mask[1:]
    out[:, 1:] |= mask[:, :-1]
    out[:, :-1] |= mask[:, 1:]
    return out


def test_variety_over_many_scenes():
    kinds, areas = set(), []
    for seed in range(60):
        for inst in make_scene(seed).instances:
            kinds.add(inst.kind)
            areas.append(inst.area)
    assert {"ellipse", "rectangle", "polygon", "star", "blob", "ring", "holed", "bar", "curve", "handled"} <= kinds
    assert min(areas) < 150 and max(areas) > 15000  # tiny to large


def test_distance_transform_is_euclidean_and_interior_point_is_the_centre():
    mask = np.zeros((41, 61), dtype=bool)
    yy, xx = np.mgrid[0:41, 0:61]
    mask[(yy - 20) ** 2 + (xx - 30) ** 2 <= 15**2] = True
    assert interior_point(mask) == (30, 20)
    d = distance_to_boundary(mask)
    assert d[20, 30] == pytest.approx(226**0.5)  # nearest outside pixel: offset (1, 15), just past r = 15
    square = np.zeros((10, 10), dtype=bool)
    square[2:8, 2:8] = True
    assert distance_to_boundary(square)[2, 2] == 1.0 and distance_to_boundary(square)[4, 4] == 3.0
    # The image border counts as outside.
    assert distance_to_boundary(np.ones((5, 5), dtype=bool))[2, 2] == 3.0
