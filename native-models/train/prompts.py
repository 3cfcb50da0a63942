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
    `steps`); the image border counts as outside. Boolean shifts, not pooling: this runs on every step.
    """
    current = masks.clone()
    current[:, 0, :] = False
    current[:, -1, :] = False
    current[:, :, 0] = False
    current[:, :, -1] = False
    score = masks.to(torch.uint8)
    for _ in range(steps):
        eroded = current.clone()
        eroded[:, 1:] &= current[:, :-1]
        eroded[:, :-1] &= current[:, 1:]
        eroded[:, :, 1:] &= current[:, :, :-1]
        eroded[:, :, :-1] &= current[:, :, 1:]
        if not bool(eroded.any()):
            break
        score += eroded
        current = eroded
    return score.float()


def sample_uniform(region: torch.Tensor, generator: torch.Generator) -> Tuple[torch.Tensor, torch.Tensor]:
    """One pixel per row, uniformly from the True pixels of bool [N, H, W] → (xy long [N, 2], found bool [N])."""
    n, h, w = region.shape
    weights = region.reshape(n, -1).float()
    found = weights.sum(1) > 0
    weights = torch.where(found[:, None], weights, torch.ones_like(weights))
    index = torch.multinomial(weights, 1, generator=generator)[:, 0]
    return torch.stack([index % w, index // w], dim=1), found


def sample_interior(region: torch.Tensor, generator: torch.Generator) -> Tuple[torch.Tensor, torch.Tensor]:
    """The most interior pixel of each row of bool [N, H, W] (ties broken at random) → (xy [N, 2], found [N])."""
    n, h, w = region.shape
    score = interior_score(region).reshape(n, -1)
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
    missed = truth & ~predicted
    spilled = predicted & ~truth
    error = missed | spilled
    uniform_xy, found = sample_uniform(error, generator)
    uniform_label = missed[torch.arange(len(truth)), uniform_xy[:, 1], uniform_xy[:, 0]].float()

    depth_missed = interior_score(missed).flatten(1).amax(1)
    depth_spilled = interior_score(spilled).flatten(1).amax(1)
    positive = depth_missed >= depth_spilled
    region = torch.where(positive[:, None, None], missed, spilled)
    interior_xy, _ = sample_interior(region, generator)

    pick = torch.rand(len(truth), generator=generator) < p_interior
    xy = torch.where(pick[:, None], interior_xy, uniform_xy)
    label = torch.where(pick, positive.float(), uniform_label)
    # Nothing to correct: click the object's interior again (positive).
    if not bool(found.all()):
        fallback, _ = sample_interior(truth, generator)
        xy = torch.where(found[:, None], xy, fallback)
    label = torch.where(found, label, torch.ones_like(label))
    return xy.float(), label
