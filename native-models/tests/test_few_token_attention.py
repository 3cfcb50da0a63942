"""sam_tools/few_token_attention.py: the batch graph's reassociated cross-attentions give Meta's decoder outputs."""

from __future__ import annotations

import pytest
import torch

from sam_tools.config import PRESETS
from sam_tools.mask_decoder import MaskDecoder
from sam_tools.prompt_encoder import PromptEncoder
from sam_tools.sam import build_sam, randomize_


@pytest.fixture(scope="module")
def vit_b_decoder():
    """SAM's decoder at its real size (256 channels, 8 heads, 64×64 grid): every SAM 1 checkpoint shares it."""
    model = randomize_(build_sam(PRESETS["vit_b"], on_meta_device=False), 3)
    return model.prompt_encoder, model.mask_decoder


def _decode(prompt_encoder: PromptEncoder, decoder: MaskDecoder, image: torch.Tensor, points, few_tokens: bool):
    labels = torch.tensor([[1.0, -1.0]] * points.shape[0])
    sparse = prompt_encoder.embed_labeled_points(points, labels)
    g = image.shape[-1]
    dense = prompt_encoder.no_mask_embed.weight.reshape(1, -1, 1, 1).expand(image.shape[0], -1, g, g)
    with torch.no_grad():
        return decoder.predict_masks(image, prompt_encoder.get_dense_pe(), sparse, dense, few_tokens)


@pytest.mark.parametrize("prompts", [1, 5])
@pytest.mark.parametrize("per_prompt_image", [False, True])
def test_reassociated_attention_gives_meta_outputs(vit_b_decoder, prompts, per_prompt_image):
    prompt_encoder, decoder = vit_b_decoder
    gen = torch.Generator().manual_seed(prompts)
    image = torch.randn(prompts if per_prompt_image else 1, 256, 64, 64, generator=gen)
    points = torch.rand(prompts, 2, 2, generator=gen) * 1024
    meta_logits, meta_iou = _decode(prompt_encoder, decoder, image, points, few_tokens=False)
    logits, iou = _decode(prompt_encoder, decoder, image, points, few_tokens=True)
    assert logits.shape == meta_logits.shape == (prompts, 4, 256, 256)
    # float rounding of a different summation order only: logits reach ~20 here
    assert (logits - meta_logits).abs().max() < 2e-4
    assert (iou - meta_iou).abs().max() < 2e-5
    # and not the same computation by accident: the graph's matmuls differ
    assert not torch.equal(logits, meta_logits)
