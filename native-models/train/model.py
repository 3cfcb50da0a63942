"""The built-in demo model's architecture and the decoder call used in training and evaluation.

The architecture is Meta's SAM (ViT image encoder with windowed and global attention, prompt encoder, two-way
transformer mask decoder with 3 + 1 mask tokens and an IoU head), scaled down to train on a 2-core CPU:
S = 256 (16×16 embedding grid, 64×64 low-res masks), a 5-block ViT of width 160 (windows of 8×8 patches,
global attention in blocks 2 and 4) and a 96-wide prompt encoder / mask decoder: 2.2 M parameters.
"""

from __future__ import annotations

from typing import Tuple

import torch

from sam_tools import SamConfig, build_sam
from sam_tools.sam import Sam

DEMO_CONFIG = SamConfig(
    encoder_embed_dim=160,
    encoder_depth=5,
    encoder_num_heads=5,
    encoder_global_attn_indexes=(2, 4),
    img_size=256,
    window_size=8,
    out_chans=96,
    prompt_embed_dim=96,
    mask_in_chans=16,
    decoder_mlp_dim=384,
    decoder_num_heads=4,
    iou_head_hidden_dim=96,
).validate()


def build_demo() -> Sam:
    """The demo SAM (DEMO_CONFIG), untrained."""
    return build_sam(DEMO_CONFIG)


def decode(
    model: Sam,
    embeddings: torch.Tensor,
    coords: torch.Tensor,
    labels: torch.Tensor,
    mask_input: torch.Tensor,
    has_mask: torch.Tensor,
) -> Tuple[torch.Tensor, torch.Tensor]:
    """The exported decoder's computation (`MetaDecoderGraph` before upsampling), batched over prompts.

    embeddings [N, C, g, g] (one row per prompt), coords [N, T, 2] model-frame pixels, labels [N, T]
    (1, 0, 2, 3, −1; Meta's ONNX codes), mask_input [N, 1, 4g, 4g] logits, has_mask [N] 0/1
    → (low-res logits [N, 4, 4g, 4g] for all four tokens, IoU predictions [N, 4]).
    """
    prompt_encoder = model.prompt_encoder
    sparse = prompt_encoder.embed_labeled_points(coords, labels)
    has = has_mask.reshape(-1, 1, 1, 1)
    dense = has * prompt_encoder.mask_downscaling(mask_input) + (1 - has) * prompt_encoder.no_mask_embed.weight.reshape(
        1, -1, 1, 1
    )
    return model.mask_decoder.predict_masks(embeddings, prompt_encoder.get_dense_pe(), sparse, dense)
