"""SAM 2's image encoder for image mode: the Hiera trunk and the FPN neck (Meta's `backbones/hieradet.py`,
`backbones/image_encoder.py`), parameter names kept so Meta's checkpoints load by name.

Image [B, 3, S, S] → patch embedding [B, S/4, S/4, C] → 4 stages; each stage after the first starts with a block
that max-pools its queries 2× (q-pooling) and doubles the width. Blocks attend within windows (`window_spec`,
lagging one block behind the stage change, as Meta's) except `global_att_blocks`. The neck projects the 4
stage outputs to `d_model` channels and adds nearest-upsampled coarser levels to `fpn_top_down_levels`; image
mode drops the coarsest level (`scalp` 1) and keeps strides 4, 8 and 16.
"""

from __future__ import annotations

import math
from typing import List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from ..mask_decoder import MLP
from .config import Sam2Config


def window_partition(x: torch.Tensor, window: int) -> Tuple[torch.Tensor, Tuple[int, int]]:
    """[B, H, W, C] → windows [B·nW, window, window, C], zero-padded bottom/right; → also the padded (Hp, Wp)."""
    b, h, w, c = x.shape
    pad_h, pad_w = (window - h % window) % window, (window - w % window) % window
    if pad_h or pad_w:
        x = F.pad(x, (0, 0, 0, pad_w, 0, pad_h))
    hp, wp = h + pad_h, w + pad_w
    x = x.view(b, hp // window, window, wp // window, window, c)
    return x.permute(0, 1, 3, 2, 4, 5).reshape(-1, window, window, c), (hp, wp)


def window_unpartition(windows: torch.Tensor, window: int, padded: Tuple[int, int], hw: Tuple[int, int]):
    """Inverse of `window_partition`: → [B, H, W, C] with the padding cut off."""
    hp, wp = padded
    h, w = hw
    b = windows.shape[0] // (hp * wp // window // window)
    x = windows.reshape(b, hp // window, wp // window, window, window, -1)
    x = x.permute(0, 1, 3, 2, 4, 5).reshape(b, hp, wp, -1)
    return x[:, :h, :w, :] if (hp > h or wp > w) else x


def pool_2x(x: torch.Tensor, pool: Optional[nn.Module]) -> torch.Tensor:
    """Max-pool a channels-last map [B, H, W, C] → [B, H/2, W/2, C] (identity without a pool)."""
    if pool is None:
        return x
    return pool(x.permute(0, 3, 1, 2)).permute(0, 2, 3, 1)


class MultiScaleAttention(nn.Module):
    """Self-attention on [B, H, W, C]; with `q_pool` the queries (so the output) are pooled to H/2 × W/2."""

    def __init__(self, dim: int, dim_out: int, num_heads: int, q_pool: Optional[nn.Module]) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.q_pool = q_pool
        self.qkv = nn.Linear(dim, dim_out * 3)
        self.proj = nn.Linear(dim_out, dim_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, h, w, _ = x.shape
        qkv = self.qkv(x).reshape(b, h * w, 3, self.num_heads, -1)
        q, k, v = torch.unbind(qkv, 2)  # each [B, HW, heads, c]
        if self.q_pool is not None:
            q = pool_2x(q.reshape(b, h, w, -1), self.q_pool)
            h, w = q.shape[1:3]
            q = q.reshape(b, h * w, self.num_heads, -1)
        q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
        # softmax(QKᵀ/√d)·V: what F.scaled_dot_product_attention computes (torch 1.13 and opset 17 lack it)
        attn = torch.softmax((q @ k.transpose(-2, -1)) / math.sqrt(q.shape[-1]), dim=-1)
        x = (attn @ v).transpose(1, 2).reshape(b, h, w, -1)
        return self.proj(x)


class MultiScaleBlock(nn.Module):
    def __init__(self, dim: int, dim_out: int, num_heads: int, mlp_ratio: float, q_stride: bool, window: int):
        super().__init__()
        self.dim, self.dim_out = dim, dim_out
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.window_size = window
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2) if q_stride else None
        self.attn = MultiScaleAttention(dim, dim_out, num_heads, self.pool)
        self.norm2 = nn.LayerNorm(dim_out, eps=1e-6)
        self.mlp = MLP(dim_out, int(dim_out * mlp_ratio), dim_out, 2)  # run with GELU in forward (Meta: act_layer)
        if dim != dim_out:
            self.proj = nn.Linear(dim, dim_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = x
        x = self.norm1(x)
        if self.dim != self.dim_out:
            shortcut = pool_2x(self.proj(x), self.pool)  # Meta projects the normed input
        window = self.window_size
        h, w = x.shape[1:3]
        if window > 0:
            x, padded = window_partition(x, window)
        x = self.attn(x)
        if self.pool is not None:
            # q-pooling halved every window; the output map is the shortcut's size
            window = self.window_size // 2
            h, w = shortcut.shape[1:3]
            padded = (h + (window - h % window) % window, w + (window - w % window) % window)
        if self.window_size > 0:
            x = window_unpartition(x, window, padded, (h, w))
        x = shortcut + x
        layer0, layer1 = self.mlp.layers
        return x + layer1(F.gelu(layer0(self.norm2(x))))


class PatchEmbed(nn.Module):
    """7×7 stride-4 conv: [B, 3, S, S] → [B, S/4, S/4, C] (channels last)."""

    def __init__(self, embed_dim: int) -> None:
        super().__init__()
        self.proj = nn.Conv2d(3, embed_dim, kernel_size=7, stride=4, padding=3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(x).permute(0, 2, 3, 1)


class Hiera(nn.Module):
    """→ the 4 stage outputs [B, C_i, H_i, W_i], finest first."""

    def __init__(self, cfg: Sam2Config) -> None:
        super().__init__()
        stage_ends = [sum(cfg.stages[:i]) - 1 for i in range(1, len(cfg.stages) + 1)]
        self.stage_ends = stage_ends
        q_pool_blocks = [end + 1 for end in stage_ends[:-1]][: cfg.q_pool]
        self.patch_embed = PatchEmbed(cfg.embed_dim)
        self.pos_embed = nn.Parameter(torch.zeros(1, cfg.embed_dim, *cfg.window_pos_embed_bkg_spatial_size))
        self.pos_embed_window = nn.Parameter(torch.zeros(1, cfg.embed_dim, cfg.window_spec[0], cfg.window_spec[0]))
        self.blocks = nn.ModuleList()
        dim, heads, stage = cfg.embed_dim, cfg.num_heads, 1
        for i in range(sum(cfg.stages)):
            dim_out = dim
            # The window lags one block: a stage's first block still uses the previous stage's window.
            window = 0 if i in cfg.global_att_blocks else cfg.window_spec[stage - 1]
            if i - 1 in stage_ends:
                dim_out, heads, stage = int(dim * cfg.dim_mul), int(heads * cfg.head_mul), stage + 1
            self.blocks.append(MultiScaleBlock(dim, dim_out, heads, 4.0, i in q_pool_blocks, window))
            dim = dim_out

    def position_embedding(self, h: int, w: int) -> torch.Tensor:
        """Background table bicubic-resized to h×w plus the window table tiled → [1, h, w, C]."""
        pos = F.interpolate(self.pos_embed, size=(h, w), mode="bicubic", align_corners=False)
        window = self.pos_embed_window
        pos = pos + window.tile([1, 1, h // window.shape[2], w // window.shape[3]])
        return pos.permute(0, 2, 3, 1)

    def forward(self, x: torch.Tensor, pos: Optional[torch.Tensor] = None) -> List[torch.Tensor]:
        """`pos`: a precomputed `position_embedding`. The ONNX encoders pass it as a constant (S/4·S/4·C floats,
        25 MB for Hiera-T at 1024), bit-identical to Meta's bicubic resize: the random-weight conformance model
        amplifies float rounding so much that an in-graph Resize (onnxruntime's cubic matches PyTorch's within
        1e-5) or a matrix form put the end-to-end ONNX run just past the README's bounds (measured 0.206 % of
        the largest logit against 0.2 %, IoU 1.1e-3 against 1e-3)."""
        x = self.patch_embed(x)
        x = x + (self.position_embedding(*x.shape[1:3]) if pos is None else pos)
        outputs = []
        for i, block in enumerate(self.blocks):
            x = block(x)
            if i in self.stage_ends:
                outputs.append(x.permute(0, 3, 1, 2))
        return outputs


class FpnNeck(nn.Module):
    """Stage outputs (finest first) → `d_model`-channel maps (finest first), top-down on `fpn_top_down_levels`.

    The neck's sine position encodings are not computed: image mode's decoder uses the prompt encoder's.
    """

    def __init__(self, cfg: Sam2Config) -> None:
        super().__init__()
        self.convs = nn.ModuleList()
        for width in cfg.backbone_channel_list:  # coarsest first, as Meta's
            level = nn.Sequential()
            level.add_module("conv", nn.Conv2d(width, cfg.d_model, kernel_size=1))
            self.convs.append(level)
        self.top_down_levels = list(cfg.fpn_top_down_levels)
        self.interp = cfg.fpn_interp_model

    def forward(self, xs: List[torch.Tensor]) -> List[torch.Tensor]:
        n = len(self.convs) - 1
        out: List[torch.Tensor] = [xs[0]] * len(xs)
        previous = None
        for i in range(n, -1, -1):
            lateral = self.convs[n - i](xs[i])
            if i in self.top_down_levels and previous is not None:
                align = None if self.interp == "nearest" else False
                previous = lateral + F.interpolate(previous, scale_factor=2.0, mode=self.interp, align_corners=align)
            else:
                previous = lateral
            out[i] = previous
        return out


class ImageEncoder(nn.Module):
    """`image_encoder.trunk` + `image_encoder.neck` → levels at strides 4, 8, 16 (`scalp` 1 drops stride 32)."""

    def __init__(self, cfg: Sam2Config) -> None:
        super().__init__()
        self.trunk = Hiera(cfg)
        self.neck = FpnNeck(cfg)
        self.scalp = cfg.scalp

    def forward(self, image: torch.Tensor, pos: Optional[torch.Tensor] = None) -> List[torch.Tensor]:
        levels = self.neck(self.trunk(image, pos))
        return levels[: len(levels) - self.scalp]
