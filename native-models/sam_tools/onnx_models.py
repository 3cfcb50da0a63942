"""The modules that are traced to ONNX, one per graph and layout. See LAYOUTS.md for the contracts.

sam-annotate layout
  `ImageEncoderGraph`   image [1, 3, S, S] → image_embeddings [1, C, g, g]
  `MetaDecoderGraph`    Meta's `SamOnnxModel` with default flags (`scripts/export_onnx_model.py`): all four
                        mask tokens, masks upsampled in-graph to `orig_im_size`.
  `BatchDecoderGraph`   optional (`decoder_batch.onnx`): B point prompts of one image in one run, no mask input,
                        low-res outputs only — what automatic mask generation decodes (Meta's `predict_torch`).
transformers.js layout (optimum's `SamOnnxConfig`, variant "split")
  `HfVisionEncoderGraph` pixel_values [B, 3, S, S] → image_embeddings, image_positional_embeddings
  `HfPromptDecoderGraph` points/labels (optionally boxes) → iou_scores [B, P, 3], pred_masks [B, P, 3, 4g, 4g]
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .sam import Sam

# Labels of the transformers.js layout (HF `SamPromptEncoder._embed_points`).
HF_NOT_A_POINT = -1
HF_PADDING = -10


class ImageEncoderGraph(nn.Module):
    def __init__(self, model: Sam) -> None:
        super().__init__()
        self.image_encoder = model.image_encoder

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return self.image_encoder(image)


class MetaDecoderGraph(nn.Module):
    """Prompt encoder + mask decoder + mask upsampling, traceable, with Meta's ONNX input semantics.

    image_embeddings [1, C, g, g]; point_coords [1, N, 2] model-frame pixels; point_labels [1, N] float
    (1, 0, 2, 3, −1); mask_input [1, 1, 4g, 4g]; has_mask_input [1]; orig_im_size [2] = (H, W) float.
    → masks [1, 4, H, W] logits, iou_predictions [1, 4], low_res_masks [1, 4, 4g, 4g].
    `few_tokens`: the image cross-attentions multiply around the prompt's tokens (`few_token_attention`; what
    conversions export, issue 16: a ViT-B-size click 42 → 33 ms on the split decoder, 2 threads).
    """

    def __init__(self, model: Sam, few_tokens: bool = False) -> None:
        super().__init__()
        self.model = model
        self.img_size = model.image_encoder.img_size
        self.few_tokens = few_tokens

    @staticmethod
    def resize_longest_image_size(input_image_size: torch.Tensor, longest_side: int) -> torch.Tensor:
        """(H, W) → pre-padding (h', w') in float32 then round half up (Meta's ONNX arithmetic)."""
        input_image_size = input_image_size.to(torch.float32)
        scale = longest_side / torch.max(input_image_size)
        return torch.floor(scale * input_image_size + 0.5).to(torch.int64)

    def embed_masks(self, mask_input: torch.Tensor, has_mask_input: torch.Tensor) -> torch.Tensor:
        prompt_encoder = self.model.prompt_encoder
        dense = has_mask_input * prompt_encoder.mask_downscaling(mask_input)
        return dense + (1 - has_mask_input) * prompt_encoder.no_mask_embed.weight.reshape(1, -1, 1, 1)

    def mask_postprocessing(self, masks: torch.Tensor, orig_im_size: torch.Tensor) -> torch.Tensor:
        masks = F.interpolate(masks, size=(self.img_size, self.img_size), mode="bilinear", align_corners=False)
        prepadded = self.resize_longest_image_size(orig_im_size, self.img_size)
        masks = masks[..., : prepadded[0], : prepadded[1]]
        # Tensor elements, never int(): int() would freeze the example's size into the graph.
        orig = orig_im_size.to(torch.int64)
        return F.interpolate(masks, size=(orig[0], orig[1]), mode="bilinear", align_corners=False)

    @torch.no_grad()
    def forward(self, image_embeddings, point_coords, point_labels, mask_input, has_mask_input, orig_im_size):
        prompt_encoder = self.model.prompt_encoder
        sparse = prompt_encoder.embed_labeled_points(point_coords, point_labels)
        dense = self.embed_masks(mask_input, has_mask_input)
        low_res, iou = self.model.mask_decoder.predict_masks(
            image_embeddings, prompt_encoder.get_dense_pe(), sparse, dense, self.few_tokens
        )
        return self.mask_postprocessing(low_res, orig_im_size), iou, low_res


class BatchDecoderGraph(nn.Module):
    """Many prompts of one image per run, without a mask input: Meta's `predict_torch` on a batch of prompts.

    image_embeddings [1, C, g, g]; point_coords [B, N, 2] model-frame pixels (the graph adds 0.5); point_labels
    [B, N] float with the codes of `MetaDecoderGraph` → iou_predictions [B, 4], low_res_masks [B, 4, 4g, 4g].
    Each prompt is decoded independently (the image rows are repeated per prompt, as Meta's decoder does).
    `few_tokens`: the image cross-attentions multiply around the prompts' few tokens (`few_token_attention`; what
    `decoder_batch.onnx` is exported with, issue 16: 68 → 48 ms per prompt on one thread, ViT-B decoder).
    """

    def __init__(self, model: Sam, few_tokens: bool = False) -> None:
        super().__init__()
        self.model = model
        self.few_tokens = few_tokens

    @torch.no_grad()
    def forward(self, image_embeddings, point_coords, point_labels):
        prompt_encoder = self.model.prompt_encoder
        sparse = prompt_encoder.embed_labeled_points(point_coords, point_labels)
        dense = prompt_encoder.no_mask_embed.weight.reshape(1, -1, 1, 1).expand(
            1, -1, image_embeddings.shape[2], image_embeddings.shape[3]
        )
        low_res, iou = self.model.mask_decoder.predict_masks(
            image_embeddings, prompt_encoder.get_dense_pe(), sparse, dense, self.few_tokens
        )
        return iou, low_res


class HfVisionEncoderGraph(nn.Module):
    """optimum's split vision encoder: also returns the dense positional encoding, repeated per image."""

    def __init__(self, model: Sam) -> None:
        super().__init__()
        self.image_encoder = model.image_encoder
        self.prompt_encoder = model.prompt_encoder

    def forward(self, pixel_values: torch.Tensor):
        embeddings = self.image_encoder(pixel_values)
        positional = self.prompt_encoder.get_dense_pe().expand(pixel_values.shape[0], -1, -1, -1)
        return embeddings, positional


class HfPromptDecoderGraph(nn.Module):
    """optimum's split prompt encoder + mask decoder (multimask, no mask input), on our modules.

    image_embeddings, image_positional_embeddings [B, C, g, g]; input_points [B, P, n, 2] model-frame pixels;
    input_labels int64 [B, P, n]: 1 positive, 0 negative, −1 not-a-point, −10 padding (zero token);
    any other code gets no label embedding. Each of the P point batches is decoded independently.

    Without boxes (the published exports), HF's encoder is traced with `input_boxes=None`, so the graph
    appends one (0, 0, −1) padding point to every point batch. With `with_boxes`, `input_boxes` [B, nb, 4]
    (XYXY, model frame, nb = 0 or P) adds two corner tokens per point batch after the points, and no padding
    point is appended (HF pads only when there are no boxes).
    """

    def __init__(self, model: Sam, with_boxes: bool = False) -> None:
        super().__init__()
        self.model = model
        self.with_boxes = with_boxes

    def _point_tokens(self, points: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        prompt_encoder = self.model.prompt_encoder
        points = points + 0.5
        if not self.with_boxes:
            points = torch.cat([points, torch.zeros_like(points[:, :, :1])], dim=2)
            labels = torch.cat([labels, torch.full_like(labels[:, :, :1], HF_NOT_A_POINT)], dim=2)
        tokens = prompt_encoder.pe_layer.encode_pixels(points, prompt_encoder.input_image_size)
        labels = labels[..., None]
        tokens = torch.where(labels == HF_NOT_A_POINT, prompt_encoder.not_a_point_embed.weight, tokens)
        tokens = torch.where(labels == HF_PADDING, torch.zeros_like(tokens), tokens)
        tokens = torch.where(labels == 0, tokens + prompt_encoder.point_embeddings[0].weight, tokens)
        return torch.where(labels == 1, tokens + prompt_encoder.point_embeddings[1].weight, tokens)

    def _box_tokens(self, boxes: torch.Tensor, point_batches: int) -> torch.Tensor:
        prompt_encoder = self.model.prompt_encoder
        corners = (boxes + 0.5).reshape(boxes.shape[0], boxes.shape[1], 2, 2)
        tokens = prompt_encoder.pe_layer.encode_pixels(corners, prompt_encoder.input_image_size)
        corner_embed = torch.cat([prompt_encoder.point_embeddings[2].weight, prompt_encoder.point_embeddings[3].weight])
        tokens = tokens + corner_embed  # [B, nb, 2, C]
        # HF concatenates [B, P, n, C] with [B, nb, 2, C] on axis 2, so box i belongs to point batch i (nb = P).
        # nb = 0 (no box) is also accepted; PyTorch rejects a -1 in the reshape of an empty tensor, ONNX infers 0.
        if tokens.numel() == 0:
            return tokens.new_zeros(tokens.shape[0], point_batches, 0, tokens.shape[-1])
        return tokens.reshape(tokens.shape[0], point_batches, -1, tokens.shape[-1])

    @torch.no_grad()
    def forward(self, image_embeddings, image_positional_embeddings, input_points, input_labels, input_boxes=None):
        b, p = input_points.shape[0], input_points.shape[1]
        sparse = self._point_tokens(input_points, input_labels)  # [B, P, T, C]
        if self.with_boxes:
            sparse = torch.cat([sparse, self._box_tokens(input_boxes, p)], dim=2)
        c, g = image_embeddings.shape[1], image_embeddings.shape[2]
        # One decode per (image, point batch): the image rows are repeated P times.
        per_prompt = image_embeddings[:, None].expand(-1, p, -1, -1, -1).reshape(-1, c, g, g)
        pe = image_positional_embeddings[:, None].expand(-1, p, -1, -1, -1).reshape(-1, c, g, g)
        dense = self.model.prompt_encoder.no_mask_dense(1)
        low_res, iou = self.model.mask_decoder.predict_masks(per_prompt, pe, sparse.flatten(0, 1), dense)
        low_res = low_res[:, 1:]  # multimask tokens only, as the export forces multimask_output=True
        iou_scores = iou[:, 1:].reshape(b, p, -1)
        return iou_scores, low_res.reshape(b, p, low_res.shape[1], low_res.shape[2], low_res.shape[3])
