"""EfficientViT-SAM image encoder (issue 15): [B, 3, Se, Se] → [B, C, Se/8, Se/8].

The structure of mit-han-lab/efficientvit's L-series SAM backbone and `SamNeck`, written from the architecture
with widths and depths as parameters so a test model stays tiny:
  stem: 3×3 stride-2 conv+BN+GELU, then residual depthwise-separable blocks                    → Se/2
  stages 1, 2: a stride-2 MBConv (1×1 expand, 3×3 depthwise, 1×1 project), then residual MBConvs → Se/4, Se/8
  stages 3, 4: a stride-2 MBConv, then EfficientViT blocks → Se/16, Se/32. A block is a residual LiteMLA
              (ReLU linear attention over q/k/v from a 1×1 conv, plus a multi-scale branch: 5×5 depthwise and
              grouped 1×1 on q/k/v, concatenated as extra heads) and a residual MBConv
  neck: stages 2, 3, 4 each 1×1 conv+BN, bicubic up to Se/8, summed, residual fused MBConvs (3×3 expand, 1×1
        project), 1×1 conv to C.
Simplified against the original (random weights make these immaterial to the layout): every conv here has batch
norm and no bias, the stem's residual blocks are depthwise-separable.
The official L0–L2 models take Se = 512 but their prompt encoder and decoder work in a 1024 frame (16 × the
64-cell grid): `img_size` here is that decoder frame (2 · Se), `input_size` the encoder's input side Se.
"""

from __future__ import annotations

from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn


def conv_bn(cin: int, cout: int, kernel: int = 1, stride: int = 1, groups: int = 1, act: bool = False):
    layers = [nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]
    return nn.Sequential(*layers, nn.GELU()) if act else nn.Sequential(*layers)


class MBConv(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int = 1, expand: float = 4.0) -> None:
        super().__init__()
        hidden = int(cin * expand)
        self.residual = stride == 1 and cin == cout
        self.inverted = conv_bn(cin, hidden, act=True)
        self.depth = conv_bn(hidden, hidden, 3, stride, groups=hidden, act=True)
        self.point = conv_bn(hidden, cout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.point(self.depth(self.inverted(x)))
        return x + y if self.residual else y


class FusedMBConv(nn.Module):
    """Residual 3×3 expand conv + 1×1 project (the neck's blocks)."""

    def __init__(self, dim: int, expand: float) -> None:
        super().__init__()
        hidden = int(dim * expand)
        self.spatial, self.point = conv_bn(dim, hidden, 3, act=True), conv_bn(hidden, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.point(self.spatial(x))


class DSConv(nn.Module):
    """Residual depthwise 3×3 + pointwise 1×1 (the stem's blocks)."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.depth, self.point = conv_bn(dim, dim, 3, groups=dim, act=True), conv_bn(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.point(self.depth(x))


class LiteMLA(nn.Module):
    """ReLU linear attention: out = q·(kᵀv) / (q·Σk), per head of width `head_dim`, tokens = pixels."""

    def __init__(self, dim: int, head_dim: int, scales: Sequence[int] = (5,), eps: float = 1e-15) -> None:
        super().__init__()
        heads = dim // head_dim
        total = heads * head_dim
        self.head_dim, self.eps = head_dim, eps
        self.qkv = nn.Conv2d(dim, 3 * total, 1, bias=False)
        self.aggreg = nn.ModuleList(
            nn.Sequential(
                nn.Conv2d(3 * total, 3 * total, s, padding=s // 2, groups=3 * total, bias=False),
                nn.Conv2d(3 * total, 3 * total, 1, groups=3 * heads, bias=False),
            )
            for s in scales
        )
        self.proj = conv_bn(total * (1 + len(scales)), dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, _, h, w = x.shape
        qkv = self.qkv(x)
        qkv = torch.cat([qkv] + [op(qkv) for op in self.aggreg], dim=1)
        qkv = qkv.reshape(b, -1, 3 * self.head_dim, h * w).transpose(-1, -2)  # [B, heads', HW, 3d]
        q, k, v = qkv.split(self.head_dim, dim=-1)
        q, k = F.relu(q), F.relu(k)
        v = F.pad(v, (0, 1), value=1.0)  # the extra ones-column yields the normaliser q·Σk
        out = q @ (k.transpose(-1, -2) @ v)
        out = out[..., :-1] / (out[..., -1:] + self.eps)
        return self.proj(out.transpose(-1, -2).reshape(b, -1, h, w))


class EfficientViTBlock(nn.Module):
    def __init__(self, dim: int, head_dim: int, expand: float) -> None:
        super().__init__()
        self.context, self.local = LiteMLA(dim, head_dim), MBConv(dim, dim, expand=expand)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.context(x)
        return self.local(x)  # MBConv with stride 1 and equal widths is residual itself


class EfficientViTSamEncoder(nn.Module):
    """[B, 3, Se, Se] normalized and padded → [B, out_chans, Se/8, Se/8]."""

    def __init__(
        self,
        input_size: int,
        out_chans: int,
        widths: Sequence[int] = (32, 64, 128, 256, 512),
        depths: Sequence[int] = (1, 1, 1, 4, 4),
        head_dim: int = 32,
        neck_width: int = 256,
        neck_depth: int = 4,
        expand: float = 4.0,
    ) -> None:
        super().__init__()
        self.input_size, self.img_size = input_size, 2 * input_size
        stem_blocks = [DSConv(widths[0]) for _ in range(depths[0])]
        self.stem = nn.Sequential(conv_bn(3, widths[0], 3, 2, act=True), *stem_blocks)
        self.stages = nn.ModuleList()
        for i in range(1, len(widths)):
            blocks = [MBConv(widths[i - 1], widths[i], stride=2, expand=expand)]
            for _ in range(depths[i]):  # attention only in the two low-resolution stages
                attention = i >= len(widths) - 2
                blocks.append(EfficientViTBlock(widths[i], head_dim, expand) if attention
                              else MBConv(widths[i], widths[i], expand=expand))
            self.stages.append(nn.Sequential(*blocks))
        self.neck_inputs = nn.ModuleList(conv_bn(w, neck_width) for w in widths[2:])
        self.neck_blocks = nn.Sequential(*[FusedMBConv(neck_width, 1.0) for _ in range(neck_depth)])
        self.neck_out = nn.Conv2d(neck_width, out_chans, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        feats = []
        x = self.stem(x)
        for stage in self.stages:
            x = stage(x)
            feats.append(x)
        size = feats[1].shape[-2:]  # stride 8
        fused = sum(
            F.interpolate(proj(f), size=size, mode="bicubic", align_corners=False) if f.shape[-1] != size[-1]
            else proj(f)
            for proj, f in zip(self.neck_inputs, feats[1:])
        )
        return self.neck_out(self.neck_blocks(fused))
