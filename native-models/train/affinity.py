"""Dense grouping supervision for the image encoder during training: pixel-pair affinities.

SAM's encoder learns only through the decoder, i.e. from the handful of objects prompted per image. A scene
generator knows the owner of every pixel, so every image can also teach the encoder which places belong
together: a small head (training only — it is not part of the exported graphs or the contract) upsamples the
embedding 4× like the decoder does and predicts, for each low-res cell and each offset d in `OFFSETS` (cells,
right and down), whether the cell d away shows the same object. The targets come from the owner map at the
low-res grid (the owner of most of each cell's pixels); pairs that leave the image (padding) are ignored.
"""

from __future__ import annotations

from typing import Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from sam_tools.common import upscaling_4x

OFFSETS: Tuple[int, ...] = (1, 2, 4, 8)  # cells of the low-res grid (4 px at S = 256): edges to object scale


class AffinityHead(nn.Module):
    """Embedding [B, C, g, g] → affinity logits [B, 2·len(offsets), 4g, 4g] (right offsets, then down)."""

    def __init__(self, channels: int, offsets: Sequence[int] = OFFSETS) -> None:
        super().__init__()
        self.offsets = tuple(offsets)
        self.upscale = upscaling_4x(channels, channels // 2, channels // 4)
        self.predict = nn.Conv2d(channels // 4, 2 * len(self.offsets), kernel_size=1)

    def forward(self, embedding: torch.Tensor) -> torch.Tensor:
        return self.predict(self.upscale(embedding))


def cell_owners(owners: torch.Tensor, size: int) -> torch.Tensor:
    """Owner map long [B, S, S] (−1 padding, 0 no instance, k ≥ 1 instance k) → [B, size, size]: the owner of
    most pixels of each cell (ties: the smallest id); a cell that is mostly padding is −1."""
    b, s, _ = owners.shape
    k = s // size
    cells = owners.reshape(b, size, k, size, k).permute(0, 1, 3, 2, 4).reshape(b, size, size, k * k)
    return cells.mode(dim=-1).values


def affinity_targets(cells: torch.Tensor, offsets: Sequence[int] = OFFSETS) -> Tuple[torch.Tensor, torch.Tensor]:
    """Cell owners long [B, L, L] → (targets float [B, 2·len(offsets), L, L], valid bool [same]).

    Channel j < len(offsets): the cell `offsets[j]` to the right; then the same offsets downwards. A pair is
    valid when both cells are inside the image."""
    b, l, _ = cells.shape
    targets = torch.zeros(b, 2 * len(offsets), l, l)
    valid = torch.zeros(b, 2 * len(offsets), l, l, dtype=torch.bool)
    inside = cells >= 0
    for j, d in enumerate(offsets):
        if d >= l:
            continue
        targets[:, j, :, : l - d] = (cells[:, :, : l - d] == cells[:, :, d:]).float()
        valid[:, j, :, : l - d] = inside[:, :, : l - d] & inside[:, :, d:]
        down = len(offsets) + j
        targets[:, down, : l - d] = (cells[:, : l - d] == cells[:, d:]).float()
        valid[:, down, : l - d] = inside[:, : l - d] & inside[:, d:]
    return targets, valid


def affinity_loss(logits: torch.Tensor, targets: torch.Tensor, valid: torch.Tensor) -> Tuple[torch.Tensor, float]:
    """Binary cross-entropy over the valid pairs, the "same" and "different" pairs weighted equally (most
    pairs are "same") → (loss, accuracy of the valid pairs)."""
    ce = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    same = targets * valid
    different = (1 - targets) * valid
    loss = 0.5 * ((ce * same).sum() / same.sum().clamp(min=1) + (ce * different).sum() / different.sum().clamp(min=1))
    with torch.no_grad():
        accuracy = (((logits > 0).float() == targets) & valid).sum() / valid.sum().clamp(min=1)
    return loss, float(accuracy)
