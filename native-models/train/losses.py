"""SAM's training losses: focal + dice on the masks (20 : 1), MSE of the IoU head against the true IoU, and the
minimum over the multimask candidates for ambiguous (single-point) prompts.

Shapes: logits [N, T, H, W] (T candidates per prompt, at the truth's resolution), truth float [N, H, W].
"""

from __future__ import annotations

from typing import Tuple

import torch
import torch.nn.functional as F

FOCAL_WEIGHT = 20.0
DICE_WEIGHT = 1.0
IOU_WEIGHT = 1.0


def focal_loss(logits: torch.Tensor, truth: torch.Tensor, alpha: float = 0.25, gamma: float = 2.0) -> torch.Tensor:
    """Sigmoid focal loss (Lin et al.), mean over pixels → [N, T]."""
    p = torch.sigmoid(logits)
    ce = F.binary_cross_entropy_with_logits(logits, truth, reduction="none")
    p_t = p * truth + (1 - p) * (1 - truth)
    loss = ce * (1 - p_t) ** gamma
    loss = loss * (alpha * truth + (1 - alpha) * (1 - truth))
    return loss.flatten(2).mean(2)


def dice_loss(logits: torch.Tensor, truth: torch.Tensor) -> torch.Tensor:
    """1 − soft Dice → [N, T]."""
    p = torch.sigmoid(logits).flatten(2)
    t = truth.flatten(2)
    return 1 - (2 * (p * t).sum(2) + 1) / (p.sum(2) + t.sum(2) + 1)


def hard_iou(logits: torch.Tensor, truth: torch.Tensor) -> torch.Tensor:
    """IoU of (logits > 0) with the truth → [N, T] (1 when both are empty)."""
    pred = logits.flatten(2) > 0
    t = truth.flatten(2) >= 0.5
    inter = (pred & t).sum(2).float()
    union = (pred | t).sum(2).float()
    return torch.where(union > 0, inter / union.clamp(min=1), torch.ones_like(union))


def balanced_bce_loss(logits: torch.Tensor, truth: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy averaged separately over the object's and the background's pixels → [N, T].

    An empty prediction costs ~half the loss whatever the object's size, with a gradient that does not vanish.
    """
    ce = F.binary_cross_entropy_with_logits(logits, truth, reduction="none").flatten(2)
    t = truth.flatten(2)
    positive = (ce * t).sum(2) / t.sum(2).clamp(min=1.0)
    negative = (ce * (1 - t)).sum(2) / (1 - t).sum(2).clamp(min=1.0)
    return 0.5 * (positive + negative)


def sam_loss(
    logits: torch.Tensor,
    iou_pred: torch.Tensor,
    truth: torch.Tensor,
    warmup: bool = False,
    focal: bool = True,
    iou_weight: float = IOU_WEIGHT,
) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """logits [N, T, H, W], iou_pred [N, T], truth [N, H, W] → (loss scalar, best candidate [N], true IoU [N, T]).

    With T > 1 only the candidate of lowest mask loss gets the mask gradient (SAM's min over the multimask
    outputs); the IoU head learns the true IoU of every candidate.

    `warmup`: class-balanced binary cross-entropy + dice instead of SAM's focal + dice. From scratch (SAM started
    from an MAE encoder) focal loss, and plain BCE too, drove every mask to empty within ~100 steps and kept it
    there for hundreds of steps (the foreground is ~1 % of the pixels, and the dice gradient vanishes once the
    logits saturate); balancing object and background pixels keeps a gradient towards the object, so the first
    part of training uses it.

    `focal=False`: after the warm-up, plain binary cross-entropy + dice (1 : 1) instead of focal + dice. In short
    runs from scratch focal + dice sent the masks back to empty when it took over from the warm-up loss.
    """
    t = truth[:, None].expand_as(logits)
    if warmup:
        mask_loss = balanced_bce_loss(logits, t) + DICE_WEIGHT * dice_loss(logits, t)
    elif not focal:
        bce = F.binary_cross_entropy_with_logits(logits, t, reduction="none").flatten(2).mean(2)
        mask_loss = bce + DICE_WEIGHT * dice_loss(logits, t)
    else:
        mask_loss = FOCAL_WEIGHT * focal_loss(logits, t) + DICE_WEIGHT * dice_loss(logits, t)  # [N, T]
    best = mask_loss.argmin(1)
    chosen = mask_loss.gather(1, best[:, None])[:, 0]
    with torch.no_grad():
        true_iou = hard_iou(logits, t)
    iou_loss = F.mse_loss(iou_pred, true_iou, reduction="none").mean(1)
    return (chosen + iou_weight * iou_loss).mean(), best, true_iou
