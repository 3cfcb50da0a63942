"""SAM 2's mask decoder (Meta's `sam/mask_decoder.py`) for image mode, names kept.

Differences from SAM 1 (each changes the masks): an object-score token is prepended to the output tokens
(`pred_obj_scores`), so the IoU token is token 1 of the transformer output and the mask tokens 2..5; the IoU head
ends in a sigmoid; the 4× upscaling adds the encoder's high-res features (`conv_s1` output after the first
transposed conv, `conv_s0` output after the second); the two-way transformer's MLPs are named `mlp.layers.*`.
`conv_s0` / `conv_s1` belong to this module in the checkpoints but run on the encoder side (Meta's
`SAM2Base.forward_image`), so every export puts them in the encoder graph.
"""

from __future__ import annotations

from typing import Tuple

import torch
from torch import nn

from ..common import upscaling_4x
from ..mask_decoder import MLP, TwoWayTransformer
from .config import Sam2Config


class Sam2MaskDecoder(nn.Module):
    def __init__(self, cfg: Sam2Config) -> None:
        super().__init__()
        dim = cfg.d_model
        self.transformer = TwoWayTransformer(cfg.decoder_depth, dim, cfg.decoder_num_heads, cfg.decoder_mlp_dim)
        for layer in self.transformer.layers:
            layer.mlp = MLP(dim, cfg.decoder_mlp_dim, dim, 2)  # same ReLU MLP as SAM 1's, Meta's SAM 2 names
        self.num_mask_tokens = 4
        self.iou_token = nn.Embedding(1, dim)
        self.mask_tokens = nn.Embedding(self.num_mask_tokens, dim)
        self.pred_obj_scores = cfg.pred_obj_scores
        if cfg.pred_obj_scores:
            self.obj_score_token = nn.Embedding(1, dim)
        self.output_upscaling = upscaling_4x(dim, dim // 4, dim // 8)
        self.conv_s0 = nn.Conv2d(dim, dim // 8, kernel_size=1)
        self.conv_s1 = nn.Conv2d(dim, dim // 4, kernel_size=1)
        self.output_hypernetworks_mlps = nn.ModuleList(MLP(dim, dim, dim // 8, 3) for _ in range(4))
        self.iou_prediction_head = MLP(dim, cfg.iou_head_hidden_dim, self.num_mask_tokens, 3)
        self.iou_sigmoid = cfg.iou_prediction_use_sigmoid
        if cfg.pred_obj_scores:
            self.pred_obj_score_head = MLP(dim, dim, 1, 3) if cfg.pred_obj_scores_mlp else nn.Linear(dim, 1)

    def predict_masks(
        self,
        image_embed: torch.Tensor,
        image_pe: torch.Tensor,
        sparse: torch.Tensor,
        dense: torch.Tensor,
        feat_s0: torch.Tensor,
        feat_s1: torch.Tensor,
        few_tokens: bool = False,
    ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """All 4 mask tokens → (low-res logits [N, 4, 4g, 4g], IoU [N, 4], object score logits [N, 1]).

        image_embed [1 or N, C, g, g] (with `no_mem_embed`), image_pe [1, C, g, g], sparse [N, T, C],
        dense [1 or N, C, g, g], feat_s0 [1 or N, C/8, 4g, 4g], feat_s1 [1 or N, C/4, 2g, 2g] (after conv_s0/s1).
        `few_tokens`: the image cross-attentions multiply around the tokens (`few_token_attention`).
        """
        weights = [self.iou_token.weight, self.mask_tokens.weight]
        if self.pred_obj_scores:
            weights.insert(0, self.obj_score_token.weight)
        first = 1 if self.pred_obj_scores else 0
        n = sparse.shape[0]
        tokens = torch.cat([torch.cat(weights, dim=0).unsqueeze(0).expand(n, -1, -1), sparse], dim=1)
        # A batch-1 image is broadcast inside the transformer, not repeated here (see TwoWayTransformer).
        src = image_embed + dense
        _, c, h, w = src.shape
        hs, src = self.transformer(src, image_pe, tokens, few_tokens)
        iou_token_out = hs[:, first, :]
        mask_tokens_out = hs[:, first + 1 : first + 1 + self.num_mask_tokens, :]

        src = src.expand(n, -1, -1).transpose(1, 2).reshape(n, c, h, w)
        dc1, ln1, act1, dc2, act2 = self.output_upscaling
        upscaled = act1(ln1(dc1(src) + feat_s1))
        upscaled = act2(dc2(upscaled) + feat_s0)
        hyper_in = torch.stack([mlp(mask_tokens_out[:, i, :]) for i, mlp in enumerate(self.output_hypernetworks_mlps)],
                               dim=1)
        b, c, h, w = upscaled.shape
        masks = (hyper_in @ upscaled.reshape(b, c, h * w)).reshape(b, -1, h, w)
        iou = self.iou_prediction_head(iou_token_out)
        if self.iou_sigmoid:
            iou = torch.sigmoid(iou)
        if self.pred_obj_scores:
            object_score = self.pred_obj_score_head(hs[:, 0, :])
        else:
            object_score = iou.new_full((iou.shape[0], 1), 10.0)  # Meta's constant when there is no head
        return masks, iou, object_score


def stability_scores(logits: torch.Tensor, delta: float) -> torch.Tensor:
    """IoU of (logits > delta) and (logits > −delta) per mask, [..., h, w] → [...]; 1 when both are empty."""
    flat = logits.flatten(-2)
    inter = (flat > delta).sum(-1).float()
    union = (flat > -delta).sum(-1).float()
    return torch.where(union > 0, inter / union.clamp(min=1), torch.ones_like(union))


def select_tokens(masks: torch.Tensor, iou: torch.Tensor, multimask_output: bool, delta: float, thresh: float):
    """Meta's token selection on all 4 tokens ([N, 4, h, w], [N, 4]) → (masks [N, T, h, w], iou [N, T], tokens).

    Multimask: tokens 1..3. Single mask (`_dynamic_multimask_via_stability`): token 0 if its stability score
    is ≥ `thresh`, else the token among 1..3 with the highest predicted IoU. `tokens` [N, T] are the indexes.
    """
    if multimask_output:
        index = torch.tensor([[1, 2, 3]]).expand(masks.shape[0], 3)
    else:
        best = torch.argmax(iou[:, 1:], dim=-1) + 1
        stable = stability_scores(masks[:, 0], delta) >= thresh
        index = torch.where(stable, torch.zeros_like(best), best).unsqueeze(1)
    rows = torch.arange(masks.shape[0]).unsqueeze(1)
    return masks[rows, index], iou[rows, index], index
