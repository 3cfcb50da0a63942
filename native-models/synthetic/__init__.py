"""Synthetic scenes (shapes, blobs, textures) with exact instance masks: the built-in model's data."""

from .scenes import MIN_AREA, Instance, Scene, distance_to_boundary, interior_point, make_scene

__all__ = ["MIN_AREA", "Instance", "Scene", "distance_to_boundary", "interior_point", "make_scene"]
