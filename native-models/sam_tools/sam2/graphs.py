"""The modules traced to ONNX for SAM 2 / 2.1, one per graph and layout (contracts: native-models/LAYOUTS.md §3).

Frames: point coordinates are (x, y) pixels of the S×S model frame (the stretched image), as Meta's predictor
passes them; every graph adds 0.5 and divides by S itself. All layouts put `conv_s0` / `conv_s1` and
`no_mem_embed` in the encoder, as Meta's `SAM2ImagePredictor.set_image` does.

layout        encoder outputs (order)                      decoder
sam-annotate  image_embed, high_res_feats_0, _1            `ProjectDecoderGraph`: all 4 tokens, low-res, unclamped
samexporter   high_res_feats_0, _1, image_embed            `SamexporterDecoderGraph`: tokens 1..3, clamped ±32
rectlabel     image_embeddings, high_res_features1, 2      `RectLabelDecoderGraph`: 4 tokens at H×W + low-res
transformers  image_embeddings.0, .1, .2                   `HfSam2DecoderGraph`: tokens 1..3 + object score
"""

from __future__ import annotations

from typing import Tuple

import torch
import torch.nn.functional as F
from torch import nn

from .model import Sam2Image

HF_PADDING = -10  # transformers' filler label: an all-zero token


class EncoderGraph(nn.Module):
    """image [B, 3, S, S] normalized → the three feature tensors in `order` (names of `Sam2Image.encode`)."""

    ORDERS = {"embed_first": (0, 1, 2), "high_res_first": (1, 2, 0)}

    def __init__(self, model: Sam2Image, order: str) -> None:
        super().__init__()
        self.model = model
        self.order = self.ORDERS[order]
        s = model.config.image_size // 4
        with torch.no_grad():  # constant in the graph: see Hiera.forward
            self.register_buffer("pos", model.image_encoder.trunk.position_embedding(s, s).detach(), persistent=False)

    def forward(self, image: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        features = self.model.encode(image, self.pos)
        return tuple(features[i] for i in self.order)


class _PromptDecoder(nn.Module):
    """Meta's prompt assembly as the predictor runs it, traceable: the padding point (0, 0) label −1 is always
    appended (box corners arrive as points labelled 2 and 3); `has_mask_input` chooses the mask embedding.
    `few_tokens`: the image cross-attentions multiply around the prompt's tokens (`few_token_attention`)."""

    def __init__(self, model: Sam2Image, few_tokens: bool = False) -> None:
        super().__init__()
        self.model = model
        self.few_tokens = few_tokens

    def decode(self, image_embed, feats_0, feats_1, point_coords, point_labels, mask_input, has_mask_input):
        """→ (low-res logits [L, 4, 4g, 4g], IoU [L, 4], object score logits [L, 1]); L = point batches."""
        prompt = self.model.sam_prompt_encoder
        coords = torch.cat([point_coords, torch.zeros_like(point_coords[:, :1])], dim=1)
        labels = torch.cat([point_labels, -torch.ones_like(point_labels[:, :1])], dim=1)
        sparse = prompt.embed_labeled_points(coords, labels)
        # [L] → [L, 1, 1, 1]: one flag per prompt (Meta-style exports broadcast [L] against the width axis).
        has = has_mask_input.reshape(-1, 1, 1, 1)
        dense = has * prompt.embed_mask(mask_input) + (1 - has) * prompt.no_mask_embed.weight.reshape(1, -1, 1, 1)
        return self.model.sam_mask_decoder.predict_masks(
            image_embed, prompt.get_dense_pe(), sparse, dense, feats_0, feats_1, self.few_tokens
        )


class ProjectDecoderGraph(_PromptDecoder):
    """sam-annotate: image_embed [1, C, g, g], high_res_feats_0 [1, C/8, 4g, 4g], high_res_feats_1
    [1, C/4, 2g, 2g], point_coords [1, N, 2], point_labels [1, N] (2, 3 box corners first, then 1/0; no padding
    point), mask_input [1, 1, 4g, 4g], has_mask_input [1] → masks [1, 4, 4g, 4g] (unclamped logits, all tokens),
    iou_predictions [1, 4]."""

    @torch.no_grad()
    def forward(self, image_embed, high_res_feats_0, high_res_feats_1, point_coords, point_labels, mask_input,
                has_mask_input):
        masks, iou, _ = self.decode(image_embed, high_res_feats_0, high_res_feats_1, point_coords, point_labels,
                                    mask_input, has_mask_input)
        return masks, iou


class SamexporterDecoderGraph(_PromptDecoder):
    """Layout A (samexporter `export_sam2.py`): same inputs with a dynamic batch L → masks [L, 3, 4g, 4g]
    (tokens 1..3, clamped to ±32), iou_predictions [L, 3]."""

    @torch.no_grad()
    def forward(self, image_embed, high_res_feats_0, high_res_feats_1, point_coords, point_labels, mask_input,
                has_mask_input):
        masks, iou, _ = self.decode(image_embed, high_res_feats_0, high_res_feats_1, point_coords, point_labels,
                                    mask_input, has_mask_input)
        return torch.clamp(masks[:, 1:], -32.0, 32.0), iou[:, 1:]


class RectLabelDecoderGraph(_PromptDecoder):
    """Layout B (RectLabel `export_onnx.py`, osam): inputs as layout A plus orig_im_size int64 [2] (H, W) →
    masks [L, 4, H, W] (logits bilinear from low-res straight to H×W, unclamped), iou_predictions [L, 4],
    low_res_masks [L, 4, 4g, 4g] (clamped to ±32)."""

    @torch.no_grad()
    def forward(self, image_embeddings, high_res_features1, high_res_features2, point_coords, point_labels,
                mask_input, has_mask_input, orig_im_size):
        masks, iou, _ = self.decode(image_embeddings, high_res_features1, high_res_features2, point_coords,
                                    point_labels, mask_input, has_mask_input)
        # Tensor elements, never int(): int() would freeze the example's size into the graph.
        full = F.interpolate(masks, size=(orig_im_size[0], orig_im_size[1]), mode="bilinear", align_corners=False)
        return full, iou, torch.clamp(masks, -32.0, 32.0)


class HfSam2DecoderGraph(nn.Module):
    """Layout D (transformers.js `Sam2Model`, onnx-community): `image_embeddings.0/.1/.2` [B, ...],
    input_points [B, P, n, 2], input_labels int64 [B, P, n], input_boxes [B, nb, 4] (nb = 0 or P) →
    iou_scores [B, P, 3], pred_masks [B, P, 3, 4g, 4g] (tokens 1..3, unclamped), object_score_logits [B, P, 1].

    HF's `Sam2PromptEncoder` as traced with a box input: the points get no padding point (HF pads points only
    when `input_boxes is None`); each box becomes its two corners plus a not-a-point token, after the points;
    label −1 → `not_a_point_embed`, −10 → a zero token, 0..3 → `point_embed[label]`. Meta's prompt is
    therefore expressible two ways: corners as points labelled 2, 3, then the clicks, then (0, 0) label −1, with
    input_boxes [B, 0, 4]; or the clicks as points and the box in input_boxes (same tokens in another order,
    which changes only float rounding). nb = 0 with points is our reading of transformers.js's empty
    `input_boxes`; how the published graphs treat it is not verified. No mask input (transformers.js has none).
    """

    def __init__(self, model: Sam2Image) -> None:
        super().__init__()
        self.model = model

    def _tokens(self, coords: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        prompt = self.model.sam_prompt_encoder
        tokens = prompt.pe_layer.encode_pixels(coords + 0.5, prompt.input_image_size)
        labels = labels[..., None]
        tokens = torch.where(labels == -1, prompt.not_a_point_embed.weight, tokens)
        tokens = torch.where(labels == HF_PADDING, torch.zeros_like(tokens), tokens)
        for code in range(4):
            tokens = torch.where(labels == code, tokens + prompt.point_embeddings[code].weight, tokens)
        return tokens

    @torch.no_grad()
    def forward(self, embeddings_0, embeddings_1, embeddings_2, input_points, input_labels, input_boxes):
        b, p = input_points.shape[0], input_points.shape[1]
        sparse = self._tokens(input_points, input_labels)  # [B, P, n, C]
        # HF's `_embed_boxes`: the two corners plus a (0, 0) not-a-point token, so a box alone is Meta's prompt.
        corners = input_boxes.reshape(input_boxes.shape[0], -1, 2, 2)
        corners = torch.cat([corners, torch.zeros_like(corners[:, :, :1])], dim=2)
        corner_labels = torch.tensor([2, 3, -1], dtype=input_labels.dtype).expand(corners.shape[:3])
        boxes = self._tokens(corners, corner_labels)  # [B, nb, 3, C]
        # Box i belongs to point batch i; nb = 0 gives no tokens (ONNX infers the -1 as 0 on an empty tensor).
        if boxes.numel() == 0:
            boxes = boxes.new_zeros(b, p, 0, boxes.shape[-1])
        sparse = torch.cat([sparse, boxes.reshape(b, p, -1, boxes.shape[-1])], dim=2).flatten(0, 1)

        def per_prompt(x: torch.Tensor) -> torch.Tensor:
            return x[:, None].expand(-1, p, -1, -1, -1).flatten(0, 1)

        dense = self.model.sam_prompt_encoder.no_mask_dense(1)
        pe = self.model.sam_prompt_encoder.get_dense_pe()
        masks, iou, score = self.model.sam_mask_decoder.predict_masks(
            per_prompt(embeddings_2), pe, sparse, dense, per_prompt(embeddings_0), per_prompt(embeddings_1)
        )
        low = masks.shape[-1]
        return iou[:, 1:].reshape(b, p, 3), masks[:, 1:].reshape(b, p, 3, low, low), score.reshape(b, p, 1)
