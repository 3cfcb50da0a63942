"""SAM-HQ (issue 15): HQ-SAM's additions to SAM 1 (SysCV/sam-hq `modeling/mask_decoder_hq.py`), and the graphs
of its ONNX export (`scripts/export_onnx_model.py` + `utils/onnx.py`, default flags). See LAYOUTS.md "SAM-HQ".

What HQ-SAM adds to Meta's model:
- the ViT encoder also hands over the output of each global-attention block, [1, g, g, D] (D = ViT width);
  the decoder uses the first one ("early-layer feature");
- an HQ output token (`hf_token`) after the four mask tokens, with its own hypernetwork MLP (`hf_mlp`);
- HQ features at 4g: `embedding_encoder(image_embeddings) + compress_vit_feat(early feature)` (two ×2
  transposed convolutions each), added to `embedding_maskfeature(upscaled SAM features)`; the HQ token's mask
  is the dot product with those;
- the result is ONE mask: SAM's chosen token (0, or with `multimask_output` the best of 1..3 by IoU) plus the
  HQ token's mask (`hq_token_only`: the HQ mask alone); its score is SAM's IoU for the chosen token.

ONNX graphs (this project's export of that contract):
  encoder: image [1, 3, S, S] → image_embeddings [1, C, g, g], interm_embeddings [K, 1, g, g, D] (the K
    global blocks' outputs, stacked, as X-AnyLabeling stacks the encoder's extra outputs);
  decoder: Meta's six inputs plus interm_embeddings [K, 1, g, g, D] → masks [1, 1, H, W], iou_predictions
    [1, 1], low_res_masks [1, 1, 4g, 4g] (the one mask, before upsampling).
"""

from __future__ import annotations

import dataclasses
from typing import List, Tuple

import torch
from torch import nn

from .common import LayerNorm2d
from .config import SamConfig
from .mask_decoder import MLP, MaskDecoder
from .onnx_models import MetaDecoderGraph
from .predictor import Predictor, stability_score
from .sam import Sam

TINY_HQ_CONFIG = SamConfig(
    encoder_embed_dim=32,
    encoder_depth=8,
    encoder_num_heads=2,
    encoder_global_attn_indexes=(1, 3, 5, 7),  # four global blocks, as every SAM ViT has
    img_size=256,
    window_size=6,
    out_chans=32,
    prompt_embed_dim=32,
    mask_in_chans=8,
    decoder_mlp_dim=64,
    decoder_num_heads=2,
    iou_head_hidden_dim=32,
)


def _up2(cin: int, cout: int) -> nn.ConvTranspose2d:
    return nn.ConvTranspose2d(cin, cout, kernel_size=2, stride=2)


class MaskDecoderHQ(MaskDecoder):
    """Meta's mask decoder plus the HQ token and HQ features (module doc). `vit_dim` = the encoder's width D."""

    def __init__(self, cfg: SamConfig, vit_dim: int) -> None:
        super().__init__(cfg)
        dim = cfg.prompt_embed_dim
        self.hf_token = nn.Embedding(1, dim)
        self.hf_mlp = MLP(dim, dim, dim // 8, 3)
        self.compress_vit_feat = nn.Sequential(_up2(vit_dim, dim), LayerNorm2d(dim), nn.GELU(), _up2(dim, dim // 8))
        self.embedding_encoder = nn.Sequential(
            _up2(dim, dim // 4), LayerNorm2d(dim // 4), nn.GELU(), _up2(dim // 4, dim // 8)
        )
        self.embedding_maskfeature = nn.Sequential(
            nn.Conv2d(dim // 8, dim // 4, 3, 1, 1), LayerNorm2d(dim // 4), nn.GELU(),
            nn.Conv2d(dim // 4, dim // 8, 3, 1, 1),
        )

    def hq_features(self, image_embeddings: torch.Tensor, early: torch.Tensor) -> torch.Tensor:
        """image_embeddings [1, C, g, g], early [1, g, g, D] → [1, C/8, 4g, 4g]."""
        return self.embedding_encoder(image_embeddings) + self.compress_vit_feat(early.permute(0, 3, 1, 2))

    def predict_masks_hq(self, image_embeddings, image_pe, sparse, dense, hq_features):
        """→ (low-res logits [N, 5, 4g, 4g]: tokens 0..3 then the HQ token, IoU predictions [N, 4])."""
        n = sparse.shape[0]
        output_tokens = torch.cat([self.iou_token.weight, self.mask_tokens.weight, self.hf_token.weight], dim=0)
        tokens = torch.cat((output_tokens.unsqueeze(0).expand(n, -1, -1), sparse), dim=1)
        # A batch-1 image is broadcast inside the transformer, not repeated here (see TwoWayTransformer).
        src = image_embeddings + dense
        _, c, h, w = src.shape
        hs, src = self.transformer(src, image_pe, tokens)
        mask_tokens_out = hs[:, 1 : 2 + self.num_mask_tokens, :]
        upscaled_sam = self.output_upscaling(src.expand(n, -1, -1).transpose(1, 2).reshape(n, c, h, w))
        upscaled_hq = self.embedding_maskfeature(upscaled_sam) + hq_features.expand(n, -1, -1, -1)
        hyper: List[torch.Tensor] = [
            mlp(mask_tokens_out[:, i, :]) for i, mlp in enumerate(self.output_hypernetworks_mlps)
        ]
        sam_masks = self.weigh_features(torch.stack(hyper, dim=1), upscaled_sam)
        hq_mask = self.weigh_features(self.hf_mlp(mask_tokens_out[:, -1, :])[:, None], upscaled_hq)
        return torch.cat([sam_masks, hq_mask], dim=1), self.iou_prediction_head(hs[:, 0, :])


def combine(masks: torch.Tensor, iou: torch.Tensor, multimask_output: bool, hq_token_only: bool):
    """HQ-SAM's output rule: masks [N, 5, L, L], iou [N, 4] → (mask [N, 1, L, L], score [N, 1], SAM token)."""
    if multimask_output:
        score, best = torch.max(iou[:, 1:4], dim=1)
        token = best + 1
    else:
        score, token = iou[:, 0], torch.zeros(iou.shape[0], dtype=torch.int64)
    sam = masks[torch.arange(masks.shape[0]), token][:, None]
    hq = masks[:, 4:5]
    return (hq if hq_token_only else sam + hq), score[:, None], token


def build_samhq(cfg: SamConfig = TINY_HQ_CONFIG) -> Sam:
    model = Sam(cfg.validate())
    model.mask_decoder = MaskDecoderHQ(cfg, cfg.encoder_embed_dim)
    return model.eval()


def encode_with_interm(model: Sam, image: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """Meta's ViT forward, also keeping each global-attention block's output → (embeddings [1, C, g, g],
    interm [K, 1, g, g, D])."""
    encoder = model.image_encoder
    x = encoder.patch_embed(image) + encoder.pos_embed
    interm = []
    for block in encoder.blocks:
        x = block(x)
        if block.window_size == 0:
            interm.append(x)
    return encoder.neck(x.permute(0, 3, 1, 2)), torch.stack(interm)


class SamHqEncoderGraph(nn.Module):
    def __init__(self, model: Sam) -> None:
        super().__init__()
        self.model = model

    def forward(self, image: torch.Tensor):
        return encode_with_interm(self.model, image)


class SamHqDecoderGraph(MetaDecoderGraph):
    """sam-hq's `SamOnnxModel` contract (module doc) with its export flags."""

    def __init__(self, model: Sam, multimask_output: bool = False, hq_token_only: bool = False) -> None:
        super().__init__(model)
        self.multimask_output, self.hq_token_only = multimask_output, hq_token_only

    @torch.no_grad()
    def forward(self, image_embeddings, interm_embeddings, point_coords, point_labels, mask_input, has_mask_input,
                orig_im_size):
        prompt_encoder, decoder = self.model.prompt_encoder, self.model.mask_decoder
        sparse = prompt_encoder.embed_labeled_points(point_coords, point_labels)
        dense = self.embed_masks(mask_input, has_mask_input)
        hq = decoder.hq_features(image_embeddings, interm_embeddings[0])
        masks, iou = decoder.predict_masks_hq(image_embeddings, prompt_encoder.get_dense_pe(), sparse, dense, hq)
        low_res, score, _ = combine(masks, iou, self.multimask_output, self.hq_token_only)
        return self.mask_postprocessing(low_res, orig_im_size), score, low_res


class SamHqPredictor(Predictor):
    """Meta's `SamPredictor` on an HQ model (sam-hq's `predictor.py`): one mask per prompt, by `combine`."""

    def __init__(self, model: Sam, hq_token_only: bool = False) -> None:
        super().__init__(model)
        self.hq_token_only = hq_token_only

    @torch.no_grad()
    def set_image(self, image) -> None:
        super().set_image(image)
        self.features, self.interm = encode_with_interm(self.model, self.model_input)

    @torch.no_grad()
    def predict(self, point_coords=None, point_labels=None, box=None, mask_input=None, multimask_output=True):
        meta = super().predict(point_coords, point_labels, box, mask_input, False)  # the prompt feed, as Meta's
        coords = torch.as_tensor(meta.point_coords)[None]
        labels = torch.as_tensor(meta.point_labels)[None]
        prompt_encoder, decoder = self.model.prompt_encoder, self.model.mask_decoder
        sparse = prompt_encoder.embed_labeled_points(coords, labels)
        dense = (prompt_encoder.no_mask_dense(1) if mask_input is None
                 else prompt_encoder.embed_mask(torch.as_tensor(mask_input, dtype=torch.float32)[None, None]))
        hq = decoder.hq_features(self.features, self.interm[0])
        masks, iou = decoder.predict_masks_hq(self.features, prompt_encoder.get_dense_pe(), sparse, dense, hq)
        low_res, score, token = combine(masks, iou, multimask_output, self.hq_token_only)
        logits = self.model.postprocess_masks(low_res, self.input_size, self.original_size)
        return dataclasses.replace(
            meta,
            masks=(logits > self.model.mask_threshold)[0].numpy(),
            logits=logits[0].numpy(),
            iou_predictions=score[0].numpy(),
            low_res_logits=low_res[0].numpy(),
            stability_scores=stability_score(logits, self.model.mask_threshold, 1.0)[0].numpy(),
            output_index=[int(token[0])],
        )
