"""The built-in demo model's architecture and the decoder call used in training and evaluation.

The architecture is Meta's SAM (ViT image encoder with windowed and global attention, prompt encoder, two-way
transformer mask decoder with 3 + 1 mask tokens and an IoU head), scaled down to train on a 2-core CPU:
S = 256 (16×16 embedding grid, 64×64 low-res masks), a 5-block ViT of width 160 (windows of 8×8 patches,
global attention in blocks 2 and 4) and a 96-wide prompt encoder / mask decoder: 2.2 M parameters.
"""

from __future__ import annotations

import dataclasses
import math
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

# The convolutional variant (sam_tools/conv_encoder.py): output stride 8 → 32×32 embedding, 128×128 low-res masks.
DEMO_CONV_CONFIG = dataclasses.replace(
    DEMO_CONFIG,  # same prompt encoder and decoder
    encoder_type="conv",
    encoder_embed_dim=128,
    encoder_depth=4,
    encoder_num_heads=1,
    encoder_global_attn_indexes=(),
    patch_size=8,
).validate()

CONFIGS = {"vit": DEMO_CONFIG, "conv": DEMO_CONV_CONFIG}


# Frequencies of the prompt/image positional encoding, log-uniform in this range (cycles per image side).
PE_SCALES = (1.0, 8.0)


def build_demo(config: SamConfig = DEMO_CONFIG, pe_scales=PE_SCALES) -> Sam:
    """The demo SAM, untrained.

    SAM's positional encoding is a fixed random Fourier matrix B ~ N(0, 1) (a buffer, saved with the weights):
    at that scale two points 1/5 of the image apart still get encodings of similarity 0.5, so the decoder, whose
    only link between a click and the image is attention over these encodings, cannot tell neighbouring objects
    apart by position until it has learned to compensate. Each frequency here gets its own scale, log-uniform in
    `pe_scales`: coarse ones for "same object, far away", fine ones down to a few pixels for small objects. It
    is only an initialization — the exported graphs and the contract are the same.
    """
    model = build_sam(config)
    matrix = model.prompt_encoder.pe_layer.positional_encoding_gaussian_matrix
    low, high = pe_scales
    scales = torch.exp(torch.empty(matrix.shape[1]).uniform_(math.log(low), math.log(high)))
    with torch.no_grad():
        matrix.mul_(scales[None, :])
    return model


def load_demo(state: dict, source: str) -> Sam:
    """A model from a train.py checkpoint (its `config` says which architecture) or a bare state_dict (the ViT)."""
    from sam_tools import load_weights

    config = SamConfig.from_json_dict(state["config"], source) if "config" in state else DEMO_CONFIG
    return load_weights(build_demo(config), state.get("model", state), source).eval()


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
