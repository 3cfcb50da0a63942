"""SAM's image encoder: a ViTDet-style ViT (Meta's `modeling/image_encoder.py`), parameter names kept.

Tensor layout inside the trunk is channels-last: tokens [B, g, g, D] for a g×g patch grid of width D.
Most blocks attend inside w×w windows (the grid is zero-padded to a multiple of w); blocks listed in
`global_attn_indexes` attend over the whole grid. Attention logits get decomposed relative-position terms
(MViTv2): one learned table per axis, indexed by query-minus-key offset.
"""

from __future__ import annotations

from typing import Tuple

import torch
import torch.nn.functional as F
from torch import nn

from .common import MLPBlock, sam_neck
from .config import SamConfig


class ImageEncoderViT(nn.Module):
    """image [B, 3, S, S] (normalized, padded) → embedding [B, out_chans, g, g], g = S / patch_size."""

    def __init__(self, cfg: SamConfig) -> None:
        super().__init__()
        self.img_size = cfg.img_size
        dim, grid = cfg.encoder_embed_dim, cfg.grid
        self.patch_embed = PatchEmbed(cfg.patch_size, dim)
        # Absolute position embedding for the pretraining grid (Meta always uses it).
        self.pos_embed = nn.Parameter(torch.zeros(1, grid, grid, dim))
        self.blocks = nn.ModuleList(
            Block(
                dim=dim,
                num_heads=cfg.encoder_num_heads,
                mlp_ratio=cfg.mlp_ratio,
                qkv_bias=cfg.qkv_bias,
                eps=cfg.layer_norm_eps,
                use_rel_pos=cfg.use_rel_pos,
                window_size=0 if i in cfg.encoder_global_attn_indexes else cfg.window_size,
                grid=grid,
            )
            for i in range(cfg.encoder_depth)
        )
        self.neck = sam_neck(dim, cfg.out_chans)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.patch_embed(x) + self.pos_embed
        for block in self.blocks:
            x = block(x)
        return self.neck(x.permute(0, 3, 1, 2))


class PatchEmbed(nn.Module):
    """[B, 3, S, S] → [B, g, g, D] by a stride-p p×p convolution."""

    def __init__(self, patch_size: int, embed_dim: int, in_chans: int = 3) -> None:
        super().__init__()
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(x).permute(0, 2, 3, 1)


class Block(nn.Module):
    """Pre-norm transformer block; `window_size` 0 means global attention over the g×g grid."""

    def __init__(
        self,
        dim: int,
        num_heads: int,
        mlp_ratio: float,
        qkv_bias: bool,
        eps: float,
        use_rel_pos: bool,
        window_size: int,
        grid: int,
    ) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        attn_side = grid if window_size == 0 else window_size
        self.attn = Attention(dim, num_heads, qkv_bias, use_rel_pos, (attn_side, attn_side))
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = MLPBlock(dim, int(dim * mlp_ratio))
        self.window_size = window_size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = x
        x = self.norm1(x)
        if self.window_size > 0:
            h, w = x.shape[1], x.shape[2]
            x, padded_hw = window_partition(x, self.window_size)
            x = self.attn(x)
            x = window_unpartition(x, self.window_size, padded_hw, (h, w))
        else:
            x = self.attn(x)
        x = shortcut + x
        return x + self.mlp(self.norm2(x))


class Attention(nn.Module):
    """Multi-head self-attention over a [B, H, W, D] token map, with decomposed relative positions."""

    def __init__(
        self, dim: int, num_heads: int, qkv_bias: bool, use_rel_pos: bool, input_size: Tuple[int, int]
    ) -> None:
        super().__init__()
        self.num_heads = num_heads
        head_dim = dim // num_heads
        self.scale = head_dim**-0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)
        self.use_rel_pos = use_rel_pos
        if use_rel_pos:
            # One embedding per relative offset −(n−1)..(n−1) along each axis.
            self.rel_pos_h = nn.Parameter(torch.zeros(2 * input_size[0] - 1, head_dim))
            self.rel_pos_w = nn.Parameter(torch.zeros(2 * input_size[1] - 1, head_dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, h, w, _ = x.shape
        # qkv: [3, B·heads, H·W, head_dim]
        qkv = self.qkv(x).reshape(b, h * w, 3, self.num_heads, -1).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.reshape(3, b * self.num_heads, h * w, -1).unbind(0)
        attn = (q * self.scale) @ k.transpose(-2, -1)
        if self.use_rel_pos:
            attn = add_decomposed_rel_pos(attn, q, self.rel_pos_h, self.rel_pos_w, (h, w), (h, w))
        attn = attn.softmax(dim=-1)
        x = (attn @ v).view(b, self.num_heads, h, w, -1).permute(0, 2, 3, 1, 4).reshape(b, h, w, -1)
        return self.proj(x)


def window_partition(x: torch.Tensor, window: int) -> Tuple[torch.Tensor, Tuple[int, int]]:
    """[B, H, W, C] → ([B·nW, w, w, C], (Hp, Wp)), zero-padding bottom/right to multiples of w."""
    b, h, w, c = x.shape
    pad_h = (window - h % window) % window
    pad_w = (window - w % window) % window
    if pad_h or pad_w:
        x = F.pad(x, (0, 0, 0, pad_w, 0, pad_h))
    hp, wp = h + pad_h, w + pad_w
    x = x.view(b, hp // window, window, wp // window, window, c)
    return x.permute(0, 1, 3, 2, 4, 5).contiguous().view(-1, window, window, c), (hp, wp)


def window_unpartition(
    windows: torch.Tensor, window: int, padded_hw: Tuple[int, int], hw: Tuple[int, int]
) -> torch.Tensor:
    """Inverse of `window_partition`: [B·nW, w, w, C] → [B, H, W, C] with the padding cropped."""
    hp, wp = padded_hw
    h, w = hw
    b = windows.shape[0] // (hp * wp // window // window)
    x = windows.view(b, hp // window, wp // window, window, window, -1)
    x = x.permute(0, 1, 3, 2, 4, 5).contiguous().view(b, hp, wp, -1)
    if hp > h or wp > w:
        x = x[:, :h, :w, :].contiguous()
    return x


def get_rel_pos(q_size: int, k_size: int, rel_pos: torch.Tensor) -> torch.Tensor:
    """Table [L, C] → [q_size, k_size, C] of the embeddings for each query/key offset.

    The table is linearly resized when its length is not 2·max(q, k) − 1 (never the case for SAM's own
    sizes; kept so a model can run at another grid than it was built for). The index arithmetic happens on
    Python ints at trace time, so the ONNX graph holds a constant gather.
    """
    max_rel_dist = int(2 * max(q_size, k_size) - 1)
    if rel_pos.shape[0] != max_rel_dist:
        table = rel_pos.reshape(1, rel_pos.shape[0], -1).permute(0, 2, 1)
        rel_pos = F.interpolate(table, size=max_rel_dist, mode="linear").reshape(-1, max_rel_dist).permute(1, 0)
    q_coords = torch.arange(q_size)[:, None] * max(k_size / q_size, 1.0)
    k_coords = torch.arange(k_size)[None, :] * max(q_size / k_size, 1.0)
    relative = (q_coords - k_coords) + (k_size - 1) * max(q_size / k_size, 1.0)
    return rel_pos[relative.long()]


def add_decomposed_rel_pos(
    attn: torch.Tensor,
    q: torch.Tensor,
    rel_pos_h: torch.Tensor,
    rel_pos_w: torch.Tensor,
    q_size: Tuple[int, int],
    k_size: Tuple[int, int],
) -> torch.Tensor:
    """attn [B, qh·qw, kh·kw] += q·R_h (per row offset) + q·R_w (per column offset); q is [B, qh·qw, C]."""
    q_h, q_w = q_size
    k_h, k_w = k_size
    r_h = get_rel_pos(q_h, k_h, rel_pos_h)  # [qh, kh, C]
    r_w = get_rel_pos(q_w, k_w, rel_pos_w)  # [qw, kw, C]
    b, _, dim = q.shape
    r_q = q.reshape(b, q_h, q_w, dim)
    # Meta writes these as einsum("bhwc,hkc->bhwk") and einsum("bhwc,wkc->bhwk"); the batched matmuls below
    # are the same contraction and export to plain MatMul nodes.
    rel_h = torch.matmul(r_q, r_h.permute(0, 2, 1))  # [B, qh, qw, kh]
    rel_w = torch.matmul(r_q.permute(0, 2, 1, 3), r_w.permute(0, 2, 1)).permute(0, 2, 1, 3)  # [B, qh, qw, kw]
    attn = attn.view(b, q_h, q_w, k_h, k_w) + rel_h[:, :, :, :, None] + rel_w[:, :, :, None, :]
    return attn.view(b, q_h * q_w, k_h * k_w)
