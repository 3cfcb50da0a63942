"""TinyViT image encoder as MobileSAM uses it (issue 15): a drop-in for SAM's ViT, [B, 3, S, S] → [B, C, S/16, S/16].

The structure of MobileSAM's `tiny_vit_sam.py` (TinyViT-5M), written here from the architecture, widths and depths
as parameters so a test model stays tiny:
  patch embed (two stride-2 3×3 conv+BN, GELU between)                       → S/4
  stage 0: MBConv blocks (1×1 expand, 3×3 depthwise, 1×1 project, residual), then patch merging → S/8
  stages 1..: TinyViT blocks (window attention with a learned relative-offset bias table, residual;
              3×3 depthwise conv+BN on the token grid; LayerNorm-first MLP, residual), then patch merging;
              the last merging keeps stride 1 (MobileSAM's change, so the grid is S/16 like SAM's ViT)
  neck: SAM's (1×1 conv, LayerNorm2d, 3×3 conv, LayerNorm2d) from the last stage's width to C.
Decoder and prompt encoder are Meta's, unchanged: MobileSAM pairs this encoder with SAM's ViT-H decoder.
"""

from __future__ import annotations

import itertools
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .common import sam_neck


def conv_bn(cin: int, cout: int, kernel: int = 1, stride: int = 1, groups: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)
    )


class MBConv(nn.Module):
    def __init__(self, dim: int, expand: float) -> None:
        super().__init__()
        hidden = int(dim * expand)
        self.conv1, self.conv2 = conv_bn(dim, hidden), conv_bn(hidden, hidden, 3, groups=hidden)
        self.conv3, self.act = conv_bn(hidden, dim), nn.GELU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.act(self.conv2(self.act(self.conv1(x))))
        return self.act(x + self.conv3(y))


class PatchMerging(nn.Module):
    """[B, C, H, W] → [B, C', H/stride, W/stride] (1×1, 3×3 depthwise with stride, 1×1; GELU between)."""

    def __init__(self, dim: int, out_dim: int, stride: int) -> None:
        super().__init__()
        self.conv1, self.conv2 = conv_bn(dim, out_dim), conv_bn(out_dim, out_dim, 3, stride, groups=out_dim)
        self.conv3, self.act = conv_bn(out_dim, out_dim), nn.GELU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv3(self.act(self.conv2(self.act(self.conv1(x)))))


class WindowAttention(nn.Module):
    """Multi-head attention inside a w×w window, LayerNorm first, plus a learned bias per head and per
    |dy|, |dx| offset between the two tokens (TinyViT's `attention_biases` indexed by `attention_bias_idxs`)."""

    def __init__(self, dim: int, heads: int, window: int) -> None:
        super().__init__()
        self.heads, self.scale = heads, (dim // heads) ** -0.5
        self.norm, self.qkv, self.proj = nn.LayerNorm(dim), nn.Linear(dim, 3 * dim), nn.Linear(dim, dim)
        cells = list(itertools.product(range(window), range(window)))
        offsets: dict = {}
        idxs = []
        for a in cells:
            for b in cells:
                key = (abs(a[0] - b[0]), abs(a[1] - b[1]))
                idxs.append(offsets.setdefault(key, len(offsets)))
        self.attention_biases = nn.Parameter(torch.zeros(heads, len(offsets)))
        n = len(cells)
        self.register_buffer("attention_bias_idxs", torch.tensor(idxs).view(n, n), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, c = x.shape
        qkv = self.qkv(self.norm(x)).view(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = (q * self.scale) @ k.transpose(-2, -1) + self.attention_biases[:, self.attention_bias_idxs]
        return self.proj((attn.softmax(-1) @ v).transpose(1, 2).reshape(b, n, c))


class TinyViTBlock(nn.Module):
    def __init__(self, dim: int, heads: int, window: int, mlp_ratio: float) -> None:
        super().__init__()
        self.window = window
        self.attn = WindowAttention(dim, heads, window)
        self.local_conv = conv_bn(dim, dim, 3, groups=dim)
        hidden = int(dim * mlp_ratio)
        self.mlp = nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: [B, C, H, W] (grid form between blocks)."""
        b, c, h, w = x.shape
        ws = self.window
        pad_h, pad_w = (ws - h % ws) % ws, (ws - w % ws) % ws
        t = F.pad(x, (0, pad_w, 0, pad_h)).permute(0, 2, 3, 1)  # [B, H', W', C], zero tokens in the padding
        hp, wp = h + pad_h, w + pad_w
        t = t.reshape(b, hp // ws, ws, wp // ws, ws, c).transpose(2, 3).reshape(-1, ws * ws, c)
        t = self.attn(t).view(b, hp // ws, wp // ws, ws, ws, c).transpose(2, 3).reshape(b, hp, wp, c)
        x = x + t[:, :h, :w].permute(0, 3, 1, 2)
        x = self.local_conv(x)
        return x + self.mlp(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


class TinyViTEncoder(nn.Module):
    """[B, 3, S, S] normalized and padded → [B, out_chans, S/16, S/16]."""

    def __init__(
        self,
        img_size: int,
        out_chans: int,
        dims: Sequence[int] = (64, 128, 160, 320),
        depths: Sequence[int] = (2, 2, 6, 2),
        heads: Sequence[int] = (2, 4, 5, 10),
        windows: Sequence[int] = (7, 7, 14, 7),
        mlp_ratio: float = 4.0,
    ) -> None:
        super().__init__()
        self.img_size = img_size
        d0 = dims[0]
        self.patch_embed = nn.Sequential(conv_bn(3, d0 // 2, 3, 2), nn.GELU(), conv_bn(d0 // 2, d0, 3, 2))
        stages = []
        for i, dim in enumerate(dims):
            blocks = (
                [MBConv(dim, mlp_ratio) for _ in range(depths[i])]
                if i == 0
                else [TinyViTBlock(dim, heads[i], windows[i], mlp_ratio) for _ in range(depths[i])]
            )
            if i < len(dims) - 1:  # merging into the next stage; stride 1 into the last (MobileSAM)
                blocks.append(PatchMerging(dim, dims[i + 1], 1 if i == len(dims) - 2 else 2))
            stages.append(nn.Sequential(*blocks))
        self.layers = nn.Sequential(*stages)
        self.neck = sam_neck(dims[-1], out_chans)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.neck(self.layers(self.patch_embed(x)))
