"""The decoder's image cross-attentions with the products reassociated around the few tokens (issue 16).

A grid prompt has T = 7 tokens (IoU, 4 mask tokens, the point and its padding point) against 4096 image positions.
Meta's `Attention` projects the image side to the internal width (4096 × 256 × 128 multiply-adds for each of q, k, v
and the output projection) before the tokens meet it. Multiplying in the other order — the tokens' side through
the projection weights first, per head — costs 4096 × 256 × (heads × T), i.e. 56 / 128 of that for SAM's 8 heads:

    token→image  scores_h = (q_h Wk_h) · imageᵀ + q_h · bk_h        out_h = (A_h · image) Wv_hᵀ + bv_h
    image→token  scores_h = image · (Wq_hᵀ k_hᵀ) + bq_h · k_hᵀ      out   = Σ_h A_h (v_h Wo_hᵀ) + bo

The same values as Meta's up to float rounding (each A_h row sums to 1, so the value bias passes through). The
graphs of a conversion use it (`decoder_batch.onnx`, and `decoder.onnx` unless `--meta-order-decoder`). The saving
shrinks with the prompt's points and would reverse past 128 / 8 = 16 tokens (11 points); measured on the ViT-B-size
split decoder, 2 threads: 1 point 42 → 33 ms, 5 points 44 → 37 ms, 12 points 39 → 37 ms.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import torch

if TYPE_CHECKING:  # mask_decoder imports this module
    from .mask_decoder import Attention


def _heads(weight: torch.Tensor, heads: int) -> torch.Tensor:
    """A projection's weight [internal, C] → per head [heads, d, C]."""
    return weight.reshape(heads, weight.shape[0] // heads, weight.shape[1])


def tokens_to_image(attn: "Attention", q: torch.Tensor, k_image: torch.Tensor, v_image: torch.Tensor) -> torch.Tensor:
    """Meta's `attn(q=tokens, k=image, v=image)`: q [B, T, C]; k_image, v_image [B, HW, C] → [B, T, C]."""
    h = attn.num_heads
    b, t, _ = q.shape
    qh = attn.q_proj(q).reshape(b, t, h, -1).transpose(1, 2)  # [B, h, T, d]
    wk = _heads(attn.k_proj.weight, h)  # [h, d, C]
    q_in_image = torch.matmul(qh, wk).reshape(b, h * t, -1)  # [B, h·T, C]
    bias = torch.matmul(qh, attn.k_proj.bias.reshape(h, -1, 1)).reshape(b, h * t, 1)
    scores = torch.matmul(q_in_image, k_image.transpose(1, 2)) + bias  # [B, h·T, HW]
    weights = torch.softmax(scores / math.sqrt(qh.shape[-1]), dim=-1)
    mixed = torch.matmul(weights, v_image).reshape(b, h, t, -1)  # [B, h, T, C]
    wv = _heads(attn.v_proj.weight, h)  # [h, d, C]
    out = torch.matmul(mixed, wv.transpose(1, 2)) + attn.v_proj.bias.reshape(h, 1, -1)  # [B, h, T, d]
    return attn.out_proj(out.transpose(1, 2).reshape(b, t, -1))


def image_to_tokens(
    attn: "Attention", q_image: torch.Tensor, k: torch.Tensor, v: torch.Tensor, image_shared: bool
) -> torch.Tensor:
    """Meta's `attn(q=image, k=tokens, v=tokens)`: q_image [1 or B, HW, C]; k, v [B, T, C] → [B, HW, C].

    `image_shared`: q_image is one image for all B prompts, so its projection runs once and is not reassociated.
    """
    h = attn.num_heads
    b, t, _ = k.shape
    kh = attn.k_proj(k).reshape(b, t, h, -1).transpose(1, 2)  # [B, h, T, d]
    d = kh.shape[-1]
    if image_shared:
        qh = attn.q_proj(q_image).reshape(1, -1, h, d).transpose(1, 2)  # [1, h, HW, d]
        scores = torch.matmul(qh, kh.transpose(2, 3)).transpose(1, 2)  # [B, HW, h, T]
    else:
        wq = _heads(attn.q_proj.weight, h)  # [h, d, C]
        k_in_image = torch.matmul(wq.transpose(1, 2), kh.transpose(2, 3))  # [B, h, C, T]
        k_in_image = k_in_image.permute(0, 2, 1, 3).reshape(b, -1, h * t)  # [B, C, h·T]
        bias = torch.matmul(attn.q_proj.bias.reshape(h, 1, d), kh.transpose(2, 3)).reshape(b, 1, h * t)
        scores = (torch.matmul(q_image, k_in_image) + bias).reshape(b, -1, h, t)  # [B, HW, h, T]
    weights = torch.softmax(scores / math.sqrt(d), dim=-1).reshape(b, -1, h * t)
    vh = attn.v_proj(v).reshape(b, t, h, d).transpose(1, 2)  # [B, h, T, d]
    wo = attn.out_proj.weight.reshape(-1, h, d).transpose(0, 1)  # [h, C, d]
    v_out = torch.matmul(vh, wo.transpose(1, 2)).reshape(b, h * t, -1)  # [B, h·T, C]
    return torch.matmul(weights, v_out) + attn.out_proj.bias
