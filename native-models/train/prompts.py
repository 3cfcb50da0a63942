"""Simulated prompts, as SAM was trained (Kirillov et al. 2023, §3 and appendix A "Training algorithm").

Frames: everything here is in the S×S model frame (scenes are drawn with their long side = S, so image pixels
are model-frame pixels); masks are float or bool tensors [N, S, S], points (x, y) pixel indices.

- first prompt: a point in the object (uniform over the mask, or at its interior — the farthest pixel from the
  boundary, which is where evaluation clicks) or the object's box with noise (std 10 % of the box side,
  at most 20 px);
- corrective clicks: a pixel of the error between the current mask and the truth, positive where the object
  was missed, negative where the mask spills over; sampled uniformly over the error, or at the interior of
  the larger error region;
- the previous low-res logits are fed back as `mask_input` (done by the training loop).
"""

from __future__ import annotations

from typing import Tuple

import torch

# Chessboard-distance depth to which `interior_score` erodes: far enough for the interior of any object the
# click can matter for, cheap enough to run on every step.
EROSION_STEPS = 12


def interior_score(masks: torch.Tensor, steps: int = EROSION_STEPS) -> torch.Tensor:
    """bool [N, H, W] → float [N, H, W]: how many erosions each pixel survives (0 outside the mask).

    An approximation of the distance to the boundary (city-block metric, 4-neighbour erosions, capped at
    `steps`); the image border counts as outside. Boolean shifts on each mask's bounding box, each mask
    stopping when it is eroded away: this runs several times per training step, and most objects are small
    (3× faster than eroding the whole batch of full frames).
    """
    n, h, w = masks.shape
    score = torch.zeros(n, h, w, dtype=torch.uint8)
    rows, cols = masks.any(2), masks.any(1)
    for i in range(n):
        ys, xs = rows[i].nonzero(), cols[i].nonzero()
        if len(ys) == 0:
            continue
        y0, y1, x0, x1 = int(ys[0]), int(ys[-1]) + 1, int(xs[0]), int(xs[-1]) + 1
        out = score[i, y0:y1, x0:x1]  # a view: the crop's scores land in `score`
        out += masks[i, y0:y1, x0:x1]
        # The crop framed by one pixel of outside; pixels on the image border never survive an erosion.
        current = torch.zeros(y1 - y0 + 2, x1 - x0 + 2, dtype=torch.bool)
        current[1:-1, 1:-1] = masks[i, y0:y1, x0:x1]
        current[1, :] &= y0 > 0
        current[-2, :] &= y1 < h
        current[:, 1] &= x0 > 0
        current[:, -2] &= x1 < w
        for _ in range(steps):
            inner = current[1:-1, 1:-1] & current[:-2, 1:-1]
            inner &= current[2:, 1:-1]
            inner &= current[1:-1, :-2]
            inner &= current[1:-1, 2:]
            if not bool(inner.any()):
                break
            out += inner
            current = torch.zeros_like(current)
            current[1:-1, 1:-1] = inner
    return score.float()


def sample_uniform(region: torch.Tensor, generator: torch.Generator) -> Tuple[torch.Tensor, torch.Tensor]:
    """One pixel per row, uniformly from the True pixels of bool [N, H, W] → (xy long [N, 2], found bool [N]).

    The k-th True pixel for a uniform k, found by a search in the running count (2× faster than
    `torch.multinomial` over H·W weights); a row with no True pixel gets a uniform pixel of the frame.
    """
    n, h, w = region.shape
    flat = region.reshape(n, -1)
    counts = flat.sum(1)
    found = counts > 0
    k = torch.minimum((torch.rand(n, generator=generator) * counts).long(), (counts - 1).clamp(min=0)) + 1
    index = torch.searchsorted(flat.cumsum(1), k[:, None])[:, 0]
    index = torch.where(found, index, torch.randint(0, h * w, (n,), generator=generator))
    return torch.stack([index % w, index // w], dim=1), found


def sample_interior(region: torch.Tensor, generator: torch.Generator) -> Tuple[torch.Tensor, torch.Tensor]:
    """The most interior pixel of each row of bool [N, H, W] (ties broken at random) → (xy [N, 2], found [N])."""
    return most_interior(interior_score(region), generator)


def most_interior(score: torch.Tensor, generator: torch.Generator) -> Tuple[torch.Tensor, torch.Tensor]:
    """The argmax of each row of an `interior_score` [N, H, W], ties broken at random → (xy [N, 2], found [N])."""
    n, h, w = score.shape
    score = score.reshape(n, -1)
    score = score + torch.rand(score.shape, generator=generator) * 0.5 * (score > 0)
    index = score.argmax(1)
    return torch.stack([index % w, index // w], dim=1), score.amax(1) > 0


def first_points(masks: torch.Tensor, generator: torch.Generator, p_interior: float = 0.5) -> torch.Tensor:
    """One positive point per object (bool [N, H, W]) → xy float [N, 2]."""
    uniform, _ = sample_uniform(masks, generator)
    interior, _ = sample_interior(masks, generator)
    pick = torch.rand(masks.shape[0], generator=generator) < p_interior
    return torch.where(pick[:, None], interior, uniform).float()


def noisy_boxes(masks: torch.Tensor, generator: torch.Generator, limit: float = 20.0) -> torch.Tensor:
    """Box XYXY float [N, 4] around each bool [N, H, W] mask, each coordinate moved by N(0, (0.1·side)²),
    clipped to ±`limit` px and to the image; corners stay ordered."""
    n, h, w = masks.shape
    rows = masks.any(2)
    cols = masks.any(1)
    ar_h = torch.arange(h).expand(n, h)
    ar_w = torch.arange(w).expand(n, w)
    y0 = torch.where(rows, ar_h, h).amin(1)
    y1 = torch.where(rows, ar_h, -1).amax(1)
    x0 = torch.where(cols, ar_w, w).amin(1)
    x1 = torch.where(cols, ar_w, -1).amax(1)
    box = torch.stack([x0, y0, x1, y1], dim=1).float()
    side = torch.stack([x1 - x0, y1 - y0, x1 - x0, y1 - y0], dim=1).float() + 1
    noise = (torch.randn(box.shape, generator=generator) * 0.1 * side).clamp(-limit, limit)
    box = box + noise
    box[:, 0::2] = box[:, 0::2].clamp(0, w - 1)
    box[:, 1::2] = box[:, 1::2].clamp(0, h - 1)
    lo = torch.minimum(box[:, :2], box[:, 2:])
    hi = torch.maximum(box[:, :2], box[:, 2:])
    return torch.cat([lo, hi], dim=1)


def corrective_clicks(
    predicted: torch.Tensor, truth: torch.Tensor, generator: torch.Generator, p_interior: float = 0.5
) -> Tuple[torch.Tensor, torch.Tensor]:
    """Next click per object from bool masks [N, H, W] → (xy float [N, 2], label float [N]: 1 or 0).

    Uniform over the error (label from the pixel: missed → positive, spill → negative), or, with probability
    `p_interior`, at the interior of whichever of the missed / spilled regions reaches deeper (the
    evaluation protocol). A perfect mask gets a positive click inside the object.
    """
    n = len(truth)
    missed = truth & ~predicted
    spilled = predicted & ~truth
    error = missed | spilled
    uniform_xy, found = sample_uniform(error, generator)
    uniform_label = missed[torch.arange(n), uniform_xy[:, 1], uniform_xy[:, 0]].float()

    score_missed, score_spilled = interior_score(torch.cat([missed, spilled])).split(n)
    positive = score_missed.flatten(1).amax(1) >= score_spilled.flatten(1).amax(1)
    interior_xy, _ = most_interior(torch.where(positive[:, None, None], score_missed, score_spilled), generator)

    pick = torch.rand(n, generator=generator) < p_interior
    xy = torch.where(pick[:, None], interior_xy, uniform_xy)
    label = torch.where(pick, positive.float(), uniform_label)
    # Nothing to correct: click the object's interior again (positive).
    if not bool(found.all()):
        fallback, _ = sample_interior(truth, generator)
        xy = torch.where(found[:, None], xy, fallback)
    label = torch.where(found, label, torch.ones_like(label))
    return xy.float(), label
