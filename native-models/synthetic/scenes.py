"""Synthetic scenes with exact instance masks, for training and evaluating the built-in demo model.

A scene is an RGB image [H, W, 3] uint8 and a list of instances, each a bool mask [H, W] of the pixels where
that object is *visible* (painted last). Everything is drawn from one seed, so `make_scene(seed)` is the same
scene on every machine (numpy's PCG64 and PIL's polygon rasterizer are deterministic).

What varies: backgrounds (flat, gradients, stripes, checkers, smooth noise, clutter), object shapes (ellipses,
rotated rectangles, polygons, stars, smooth blobs, rings and shapes with holes, thin bars and curves, shapes
with thin handles), sizes from tiny (a few pixels across) to large (most of the image), fills (flat, gradient,
stripes, checker, dots, noise, shading), occlusion by later objects, pixel noise and blur. Masks are
rasterized without antialiasing and the image is coloured from them, so the masks are exact; blur and noise are
applied to the image only, as a camera would.

Instances: an object whose visible part is smaller than `MIN_AREA` pixels, or less than a quarter of its
drawn area, is not an instance (its pixels stay in the image as clutter).
"""

from __future__ import annotations

import dataclasses
import math
from typing import List, Optional, Tuple

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

MIN_AREA = 64  # pixels; the smallest instance (8×8)
MIN_VISIBLE_FRACTION = 0.25


@dataclasses.dataclass
class Instance:
    mask: np.ndarray  # bool [H, W], the visible pixels
    kind: str  # shape family, e.g. "ellipse", "ring", "bar"
    area: int  # visible pixels

    @property
    def bbox(self) -> Tuple[int, int, int, int]:
        """Inclusive pixel box (x0, y0, x1, y1) of the visible mask."""
        ys, xs = np.nonzero(self.mask)
        return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


@dataclasses.dataclass
class Scene:
    image: np.ndarray  # uint8 [H, W, 3] RGB
    instances: List[Instance]
    seed: int


def scene_size(rng: np.random.Generator, long_side: int) -> Tuple[int, int]:
    """(H, W): one side `long_side`, the other 60–100 % of it, landscape or portrait."""
    short = int(long_side * rng.uniform(0.6, 1.0))
    return (short, long_side) if rng.random() < 0.6 else (long_side, short)


def make_scene(seed: int, size: Optional[Tuple[int, int]] = None, long_side: int = 256) -> Scene:
    """The scene of `seed`; `size` (H, W) defaults to a random aspect with the given long side."""
    rng = np.random.default_rng(seed)
    h, w = size if size is not None else scene_size(rng, long_side)
    image = _background(rng, h, w)
    owner = np.full((h, w), -1, dtype=np.int32)  # which object is visible at each pixel
    drawn: List[Tuple[str, int]] = []
    count = int(rng.integers(3, 13))
    for index in range(count):
        kind, mask = _shape(rng, h, w)
        if mask.sum() < 4:
            continue
        fill = _fill(rng, h, w, _local_colour(image, mask))
        image[mask] = fill[mask]
        owner[mask] = len(drawn)
        drawn.append((kind, int(mask.sum())))
    if rng.random() < 0.5:
        image = _clutter(rng, image)  # faint marks over everything: not objects, not occluders
    instances = []
    for index, (kind, full_area) in enumerate(drawn):
        visible = owner == index
        area = int(visible.sum())
        if area >= MIN_AREA and area >= MIN_VISIBLE_FRACTION * full_area:
            instances.append(Instance(mask=visible, kind=kind, area=area))
    return Scene(image=_camera(rng, image), instances=instances, seed=seed)


# --- colours and fills ------------------------------------------------------------------------------------


def _random_colour(rng: np.random.Generator) -> np.ndarray:
    return rng.uniform(0, 255, size=3)


def _distinct_colour(rng: np.random.Generator, avoid: np.ndarray, min_distance: float = 70.0) -> np.ndarray:
    """A colour at least `min_distance` (RGB Euclidean) from `avoid`, so most objects are visible."""
    for _ in range(20):
        colour = _random_colour(rng)
        if np.linalg.norm(colour - avoid) >= min_distance:
            return colour
    return 255.0 - avoid


def _local_colour(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return image[mask].mean(axis=0) if mask.any() else np.full(3, 128.0)


def _coords(h: int, w: int) -> Tuple[np.ndarray, np.ndarray]:
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    return yy, xx


def _pattern(rng: np.random.Generator, h: int, w: int, kind: str) -> np.ndarray:
    """A [H, W] float pattern in [0, 1] of the given kind."""
    yy, xx = _coords(h, w)
    angle = rng.uniform(0, math.pi)
    u = xx * math.cos(angle) + yy * math.sin(angle)
    if kind == "gradient":
        return (u - u.min()) / max(float(u.max() - u.min()), 1.0)
    if kind == "stripes":
        period = rng.uniform(3, 16)
        return (np.sin(2 * math.pi * u / period) > 0).astype(np.float32)
    if kind == "checker":
        cell = rng.uniform(3, 14)
        v = -xx * math.sin(angle) + yy * math.cos(angle)
        return ((np.floor(u / cell) + np.floor(v / cell)) % 2).astype(np.float32)
    if kind == "dots":
        period = rng.uniform(5, 12)
        radius = period * rng.uniform(0.15, 0.35)
        fx = (xx % period) - period / 2
        fy = (yy % period) - period / 2
        return (fx * fx + fy * fy < radius * radius).astype(np.float32)
    if kind == "smooth":
        cells = int(rng.integers(2, 9))
        small = rng.uniform(0, 255, size=(cells, cells)).astype(np.uint8)
        return np.asarray(Image.fromarray(small).resize((w, h), Image.BICUBIC), dtype=np.float32) / 255.0
    return rng.uniform(0, 1, size=(h, w)).astype(np.float32)  # "noise"


def _blend(pattern: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a[None, None, :] * (1 - pattern[..., None]) + b[None, None, :] * pattern[..., None]


def _background(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    kind = rng.choice(["flat", "gradient", "smooth", "stripes", "checker", "noise", "smooth"])
    a = _random_colour(rng)
    if kind == "flat":
        return np.broadcast_to(a, (h, w, 3)).astype(np.float32).copy()
    contrast = rng.uniform(0.15, 0.6) if kind in ("stripes", "checker", "noise") else 1.0
    b = a + (_random_colour(rng) - a) * contrast
    return _blend(_pattern(rng, h, w, str(kind)), a, b).astype(np.float32)


def _fill(rng: np.random.Generator, h: int, w: int, behind: np.ndarray) -> np.ndarray:
    """An [H, W, 3] float fill whose mean colour differs from what lies behind the object."""
    base = _distinct_colour(rng, behind)
    kind = rng.choice(["flat", "flat", "gradient", "stripes", "checker", "dots", "noise", "smooth", "shaded"])
    if kind == "flat":
        return np.broadcast_to(base, (h, w, 3)).astype(np.float32)
    if kind == "shaded":
        # A lit sphere-like shading: brighter towards one side.
        pattern = _pattern(rng, h, w, "gradient")
        return (base[None, None, :] * (0.55 + 0.6 * pattern[..., None])).clip(0, 255).astype(np.float32)
    contrast = rng.uniform(0.2, 0.7)
    other = base + (_random_colour(rng) - base) * contrast
    return _blend(_pattern(rng, h, w, str(kind)), base, other).astype(np.float32)


# --- shapes -----------------------------------------------------------------------------------------------


def _size(rng: np.random.Generator, h: int, w: int) -> float:
    """Object radius in pixels, log-uniform from tiny to large."""
    side = min(h, w)
    return float(math.exp(rng.uniform(math.log(5.0), math.log(side * 0.45))))


def _polygon_mask(h: int, w: int, points: np.ndarray) -> np.ndarray:
    canvas = Image.new("1", (w, h), 0)
    ImageDraw.Draw(canvas).polygon([tuple(p) for p in points.tolist()], fill=1)
    return np.asarray(canvas, dtype=bool)


def _line_mask(h: int, w: int, points: np.ndarray, width: int) -> np.ndarray:
    canvas = Image.new("1", (w, h), 0)
    draw = ImageDraw.Draw(canvas)
    draw.line([tuple(p) for p in points.tolist()], fill=1, width=width, joint="curve")
    r = (width - 1) / 2
    if r >= 1:  # round caps
        for x, y in (points[0], points[-1]):
            draw.ellipse([x - r, y - r, x + r, y + r], fill=1)
    return np.asarray(canvas, dtype=bool)


def _radial(rng: np.random.Generator, cx: float, cy: float, radius: float, kind: str) -> np.ndarray:
    """Outline points of a star-shaped figure around (cx, cy)."""
    n = 96
    theta = np.linspace(0, 2 * math.pi, n, endpoint=False)
    aspect = rng.uniform(0.4, 1.0)
    rotation = rng.uniform(0, 2 * math.pi)
    if kind == "ellipse":
        r = np.ones(n)
    elif kind == "blob":
        r = np.ones(n)
        for k in range(2, 6):
            r += rng.uniform(0, 0.35 / (k - 1)) * np.cos(k * theta + rng.uniform(0, 2 * math.pi))
        r = np.clip(r, 0.3, None)
    elif kind == "star":
        spikes = int(rng.integers(4, 9))
        depth = rng.uniform(0.3, 0.65)
        r = 1 - depth * (0.5 + 0.5 * np.cos(spikes * theta))
        aspect = max(aspect, 0.75)
    else:  # "polygon": a random convex-ish polygon with few vertices
        k = int(rng.integers(3, 8))
        theta = np.sort(rng.uniform(0, 2 * math.pi, size=k))
        r = rng.uniform(0.7, 1.0, size=k)
    x = r * np.cos(theta) * radius
    y = r * np.sin(theta) * radius * aspect
    c, s = math.cos(rotation), math.sin(rotation)
    return np.stack([cx + c * x - s * y, cy + s * x + c * y], axis=1)


def _shape(rng: np.random.Generator, h: int, w: int) -> Tuple[str, np.ndarray]:
    radius = _size(rng, h, w)
    cx = rng.uniform(-0.1 * w, 1.1 * w)
    cy = rng.uniform(-0.1 * h, 1.1 * h)
    kind = str(rng.choice(["ellipse", "rectangle", "polygon", "star", "blob", "blob", "ring", "holed",
                           "bar", "curve", "handled"]))
    if kind in ("ellipse", "polygon", "star", "blob"):
        return kind, _polygon_mask(h, w, _radial(rng, cx, cy, radius, kind))
    if kind == "rectangle":
        half = np.array([radius, radius * rng.uniform(0.3, 1.0)])
        corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * half
        a = rng.uniform(0, math.pi) if rng.random() < 0.6 else 0.0
        rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
        return kind, _polygon_mask(h, w, corners @ rot.T + [cx, cy])
    if kind in ("ring", "holed"):
        radius = max(radius, 8.0)
        outer = _polygon_mask(h, w, _radial(rng, cx, cy, radius, "ellipse" if kind == "ring" else "blob"))
        hole_r = radius * rng.uniform(0.35, 0.65)
        ox, oy = (0.0, 0.0) if kind == "ring" else rng.uniform(-0.25, 0.25, size=2) * radius
        hole = _polygon_mask(h, w, _radial(rng, cx + ox, cy + oy, hole_r, "ellipse" if kind == "ring" else "blob"))
        return kind, outer & ~hole
    if kind == "bar":
        length = radius * rng.uniform(1.5, 3.0)
        a = rng.uniform(0, math.pi)
        d = np.array([math.cos(a), math.sin(a)]) * length / 2
        ends = np.array([[cx, cy] - d, [cx, cy] + d])
        return kind, _line_mask(h, w, ends, int(rng.integers(3, 8)))
    if kind == "curve":
        steps = 24
        t = np.linspace(0, 1, steps)
        a = rng.uniform(0, 2 * math.pi)
        bend = rng.uniform(-2.5, 2.5)
        angles = a + bend * t
        seg = radius * 2.5 / steps
        pts = np.cumsum(np.stack([np.cos(angles), np.sin(angles)], axis=1) * seg, axis=0) + [cx, cy]
        return kind, _line_mask(h, w, pts, int(rng.integers(3, 7)))
    # "handled": a body with a thin stick attached (a lollipop, a pan, a key)
    radius = max(radius, 6.0)
    body = _polygon_mask(h, w, _radial(rng, cx, cy, radius * 0.7, str(rng.choice(["ellipse", "blob"]))))
    a = rng.uniform(0, 2 * math.pi)
    start = np.array([cx, cy])
    end = start + np.array([math.cos(a), math.sin(a)]) * radius * rng.uniform(1.4, 2.2)
    stick = _line_mask(h, w, np.array([start, end]), int(rng.integers(2, 6)))
    return kind, body | stick


# --- clutter and camera -----------------------------------------------------------------------------------


def _clutter(rng: np.random.Generator, image: np.ndarray) -> np.ndarray:
    """Low-contrast scratches and specks blended over the whole image."""
    h, w = image.shape[:2]
    canvas = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(canvas)
    for _ in range(int(rng.integers(3, 15))):
        x0, y0 = rng.uniform(0, w), rng.uniform(0, h)
        x1, y1 = x0 + rng.normal(0, 20), y0 + rng.normal(0, 20)
        draw.line([(x0, y0), (x1, y1)], fill=255, width=int(rng.integers(1, 3)))
    marks = np.asarray(canvas, dtype=np.float32)[..., None] / 255.0
    tint = _random_colour(rng)
    strength = rng.uniform(0.1, 0.3)
    return image * (1 - strength * marks) + tint * strength * marks


def _camera(rng: np.random.Generator, image: np.ndarray) -> np.ndarray:
    """Optional blur, brightness change and sensor noise; → uint8."""
    if rng.random() < 0.3:
        radius = rng.uniform(0.4, 1.2)
        image = np.asarray(
            Image.fromarray(image.clip(0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(radius)),
            dtype=np.float32,
        )
    image = image * rng.uniform(0.8, 1.15) + rng.uniform(-15, 15)
    sigma = rng.choice([0.0, 2.0, 5.0, 10.0])
    if sigma > 0:
        image = image + rng.normal(0, sigma, size=image.shape)
    return image.clip(0, 255).round().astype(np.uint8)


# --- geometry helpers used by prompts and evaluation ------------------------------------------------------


def distance_to_boundary(mask: np.ndarray) -> np.ndarray:
    """Exact Euclidean distance [H, W] from each mask pixel to the nearest pixel outside it (0 outside).

    Pixels beyond the image border count as outside. Separable algorithm: per-column 1-D distances, then per
    row the lower envelope min_j (g_j² + (x − j)²), vectorized (O(H·W²) memory-light in chunks).
    """
    h, w = mask.shape
    inside = np.pad(np.asarray(mask, dtype=bool), 1)
    big = float((h + w + 4) ** 2)
    # Vertical pass: distance to the nearest outside pixel in the same column.
    H, W = inside.shape
    g = np.zeros((H, W), dtype=np.float64)
    run = np.full(W, big)
    for y in range(H):
        run = np.where(inside[y], run + 1, 0)
        g[y] = run
    run = np.full(W, big)
    for y in range(H - 1, -1, -1):
        run = np.where(inside[y], run + 1, 0)
        g[y] = np.minimum(g[y], run)
    g2 = np.minimum(g, big) ** 2
    # Horizontal pass: min over columns j of g²(y, j) + (x − j)².
    cols = np.arange(W, dtype=np.float64)
    offsets = (cols[:, None] - cols[None, :]) ** 2  # [x, j]
    out = np.empty((H, W), dtype=np.float64)
    for start in range(0, H, 32):
        block = g2[start : start + 32]  # [b, j]
        out[start : start + 32] = (block[:, None, :] + offsets[None, :, :]).min(axis=2)
    return np.sqrt(out[1:-1, 1:-1]) * mask


def interior_point(mask: np.ndarray) -> Tuple[int, int]:
    """(x, y) of the mask pixel farthest from its boundary (the first one in row-major order on ties)."""
    distance = distance_to_boundary(mask)
    y, x = np.unravel_index(int(np.argmax(distance)), distance.shape)
    return int(x), int(y)
