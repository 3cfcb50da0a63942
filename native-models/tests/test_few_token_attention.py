"""sam_tools/few_token_attention.py: the reassociated cross-attentions give Meta's decoder outputs, in the batch
graph's module (grid prompts) and in decoder.onnx's (any points, a box, a mask input)."""

from __future__ import annotations

import pytest
import torch

from sam_tools.config import PRESETS
from sam_tools.onnx_models import MetaDecoderGraph
from sam_tools.sam import build_sam, randomize_


@pytest.fixture(scope="module")
def vit_b_model():
    """SAM's decoder at its real size (256 channels, 8 heads, 64×64 grid): every SAM 1 checkpoint shares it."""
    return randomize_(build_sam(PRESETS["vit_b"]), 3).eval()


def _decode(model, image: torch.Tensor, points, few_tokens: bool):
    prompt_encoder = model.prompt_encoder
    labels = torch.tensor([[1.0, -1.0]] * points.shape[0])
    sparse = prompt_encoder.embed_labeled_points(points, labels)
    g = image.shape[-1]
    dense = prompt_encoder.no_mask_embed.weight.reshape(1, -1, 1, 1).expand(image.shape[0], -1, g, g)
    with torch.no_grad():
        return model.mask_decoder.predict_masks(image, prompt_encoder.get_dense_pe(), sparse, dense, few_tokens)


@pytest.mark.parametrize("prompts", [1, 5])
@pytest.mark.parametrize("per_prompt_image", [False, True])
def test_grid_prompts_give_meta_outputs(vit_b_model, prompts, per_prompt_image):
    gen = torch.Generator().manual_seed(prompts)
    image = torch.randn(prompts if per_prompt_image else 1, 256, 64, 64, generator=gen)
    points = torch.rand(prompts, 2, 2, generator=gen) * 1024
    meta_logits, meta_iou = _decode(vit_b_model, image, points, few_tokens=False)
    logits, iou = _decode(vit_b_model, image, points, few_tokens=True)
    assert logits.shape == meta_logits.shape == (prompts, 4, 256, 256)
    # float rounding of a different summation order only: logits reach ~20 here
    assert (logits - meta_logits).abs().max() < 2e-4
    assert (iou - meta_iou).abs().max() < 2e-5
    assert not torch.equal(logits, meta_logits)  # the flag took effect: other products, other rounding


@pytest.mark.parametrize("points", [1, 6, 14])
def test_clicks_with_a_box_and_a_mask_input_give_meta_outputs(vit_b_model, points):
    gen = torch.Generator().manual_seed(points)
    corners = torch.tensor([[[100.0, 80.0], [700.0, 600.0]]])
    coords = torch.cat([torch.rand(1, points, 2, generator=gen) * 1024, corners], 1)
    labels = torch.cat([torch.ones(1, points), torch.tensor([[2.0, 3.0]])], 1)
    feeds = (torch.randn(1, 256, 64, 64, generator=gen), coords, labels,
             torch.randn(1, 1, 256, 256, generator=gen) * 5, torch.tensor([1.0]), torch.tensor([534.0, 800.0]))
    meta = MetaDecoderGraph(vit_b_model).eval()(*feeds)
    ours = MetaDecoderGraph(vit_b_model, few_tokens=True).eval()(*feeds)
    for a, b in zip(ours, meta):
        assert a.shape == b.shape
        assert (a - b).abs().max() < 2e-4
