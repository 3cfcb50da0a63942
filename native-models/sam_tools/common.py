"""Small layers shared by the encoder and the decoder (Meta's `modeling/common.py`)."""

from __future__ import annotations

from typing import Type

import torch
from torch import nn


class MLPBlock(nn.Module):
    """Linear → activation → Linear on the last axis (`lin1`, `lin2` as in Meta's checkpoints)."""

    def __init__(self, embedding_dim: int, mlp_dim: int, act: Type[nn.Module] = nn.GELU) -> None:
        super().__init__()
        self.lin1 = nn.Linear(embedding_dim, mlp_dim)
        self.lin2 = nn.Linear(mlp_dim, embedding_dim)
        self.act = act()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.lin2(self.act(self.lin1(x)))


def sam_neck(dim: int, out_chans: int) -> nn.Sequential:
    """SAM's image-encoder neck: 1×1 conv, LayerNorm2d, 3×3 conv, LayerNorm2d. Indexes 0..3 match Meta's
    nn.Sequential, so the state_dict keys agree."""
    return nn.Sequential(
        nn.Conv2d(dim, out_chans, kernel_size=1, bias=False),
        LayerNorm2d(out_chans),
        nn.Conv2d(out_chans, out_chans, kernel_size=3, padding=1, bias=False),
        LayerNorm2d(out_chans),
    )


class LayerNorm2d(nn.Module):
    """LayerNorm over the channel axis of [B, C, H, W] (biased variance, eps inside the sqrt, as Meta)."""

    def __init__(self, num_channels: int, eps: float = 1e-6) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(num_channels))
        self.bias = nn.Parameter(torch.zeros(num_channels))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        u = x.mean(1, keepdim=True)
        s = (x - u).pow(2).mean(1, keepdim=True)
        x = (x - u) / torch.sqrt(s + self.eps)
        return self.weight[:, None, None] * x + self.bias[:, None, None]


def upscaling_4x(channels: int, mid: int, out: int) -> nn.Sequential:
    """SAM's mask upscaling: two 2× transposed convs, g → 4g (indexes match Meta's nn.Sequential)."""
    return nn.Sequential(
        nn.ConvTranspose2d(channels, mid, kernel_size=2, stride=2),
        LayerNorm2d(mid),
        nn.GELU(),
        nn.ConvTranspose2d(mid, out, kernel_size=2, stride=2),
        nn.GELU(),
    )
