"""The architecture: Meta's state_dict layout for every preset, configs, and generalized sizes."""

from __future__ import annotations

import dataclasses
import json

import pytest
import torch

from sam_tools import PRESETS, SamConfig, SamToolsError, build_sam, load_config, randomize_
from sam_tools.onnx_models import HfPromptDecoderGraph, MetaDecoderGraph


@pytest.mark.parametrize("model_type", ["vit_b", "vit_l", "vit_h"])
def test_preset_state_dict_equals_meta_checkpoint(model_type, conformance):
    reference = json.loads((conformance / "state-dict-keys.json").read_text())["models"][model_type]
    model = build_sam(PRESETS[model_type], on_meta_device=True)  # shapes only: ViT-H would need 2.5 GB
    ours = {name: list(t.shape) for name, t in model.state_dict().items()}
    assert list(ours) == list(reference["tensors"])  # same keys, same order as Meta's files
    assert ours == reference["tensors"]
    assert sum(t.numel() for t in model.state_dict().values()) == reference["num_parameters"]
    # pixel_mean/std exist, as in Meta's Sam, but are not saved (non-persistent buffers).
    assert hasattr(model, "pixel_mean") and "pixel_mean" not in ours


def test_conformance_config_json_round_trips(conformance):
    cfg = load_config(conformance / "sam_tiny_official.json")
    assert (cfg.encoder_embed_dim, cfg.img_size, cfg.grid, cfg.prompt_embed_dim) == (64, 1024, 64, 256)
    original = json.loads((conformance / "sam_tiny_official.json").read_text())
    assert SamConfig.from_json_dict(cfg.to_json_dict()) == cfg
    assert cfg.to_json_dict()["pixel_mean"] == original["pixel_mean"]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"img_size": 250}, "multiple of patch_size"),
        ({"out_chans": 64}, "out_chans must equal prompt_embed_dim"),
        ({"encoder_global_attn_indexes": [5]}, "encoder_global_attn_indexes"),
        ({"prompt_embed_dim": 36, "out_chans": 36}, "divisible by 8"),
        ({"encoder_type": "cnn"}, "encoder_type must be"),
        ({"encoder_type": "conv"}, "patch_size 8"),  # tiny_test has patch 16
    ],
)
def test_invalid_configs_are_rejected(change, message):
    data = PRESETS["tiny_test"].to_json_dict()
    data["config"].update(change)
    data["config"].pop("image_embedding_size")
    data["config"]["decoder_transformer"].pop("embedding_dim")
    with pytest.raises(SamToolsError, match=message):
        SamConfig.from_json_dict(data)


def test_other_image_sizes_and_widths_run():
    """S = 320 (grid 20, not a multiple of the window 6) and 48 prompt channels: shapes follow the config."""
    data = PRESETS["tiny_test"].to_json_dict()
    data["config"].update(img_size=320, out_chans=48, prompt_embed_dim=48, image_embedding_size=[20, 20])
    data["config"]["decoder_transformer"]["embedding_dim"] = 48
    cfg = SamConfig.from_json_dict(data)
    model = randomize_(build_sam(cfg), 0)
    with torch.no_grad():
        embedding = model.image_encoder(torch.randn(1, 3, 320, 320))
        assert embedding.shape == (1, 48, 20, 20)
        masks, iou, low = MetaDecoderGraph(model)(
            embedding, torch.tensor([[[100.0, 50.0], [0.0, 0.0]]]), torch.tensor([[1.0, -1.0]]),
            torch.zeros(1, 1, 80, 80), torch.tensor([0.0]), torch.tensor([123.0, 77.0]),
        )
    assert masks.shape == (1, 4, 123, 77) and iou.shape == (1, 4) and low.shape == (1, 4, 80, 80)


def test_conv_encoder_config_round_trips_and_gives_stride_8():
    """encoder_type "conv": a 32×32 embedding and 128×128 low-res masks at S = 256; the key is written only for it."""
    cfg = dataclasses.replace(PRESETS["tiny_test"], encoder_type="conv", patch_size=8)
    data = cfg.to_json_dict()
    assert data["config"]["encoder_type"] == "conv" and data["config"]["image_embedding_size"] == [32, 32]
    assert "encoder_type" not in PRESETS["tiny_test"].to_json_dict()["config"]  # Meta's JSON stays Meta's
    assert SamConfig.from_json_dict(json.loads(json.dumps(data))) == cfg
    model = randomize_(build_sam(cfg), 0)
    with torch.no_grad():
        embedding = model.image_encoder(torch.randn(1, 3, 256, 256))
        assert embedding.shape == (1, 32, 32, 32)
        masks, iou, low = MetaDecoderGraph(model)(
            embedding, torch.tensor([[[100.0, 50.0], [0.0, 0.0]]]), torch.tensor([[1.0, -1.0]]),
            torch.zeros(1, 1, 128, 128), torch.tensor([0.0]), torch.tensor([200.0, 150.0]),
        )
    assert masks.shape == (1, 4, 200, 150) and low.shape == (1, 4, 128, 128)


def test_transformers_js_point_batches_are_independent(tiny_model):
    """Point batch p of one call equals a call with that batch alone (the graph repeats the image per batch)."""
    decoder = HfPromptDecoderGraph(tiny_model)
    g, c = tiny_model.config.grid, tiny_model.config.prompt_embed_dim
    embeddings = torch.randn(1, c, g, g, generator=torch.Generator().manual_seed(1))
    pe = tiny_model.prompt_encoder.get_dense_pe()
    points = torch.tensor([[[[30.0, 40.0], [200.0, 100.0]], [[120.0, 90.0], [10.0, 10.0]]]])
    labels = torch.tensor([[[1, 0], [1, -10]]])
    iou, masks = decoder(embeddings, pe, points, labels)
    assert iou.shape == (1, 2, 3) and masks.shape == (1, 2, 3, 64, 64)
    for p in range(2):
        iou_p, masks_p = decoder(embeddings, pe, points[:, p : p + 1], labels[:, p : p + 1])
        torch.testing.assert_close(iou[:, p : p + 1], iou_p, rtol=0, atol=1e-6)
        torch.testing.assert_close(masks[:, p : p + 1], masks_p, rtol=0, atol=1e-5)


def test_transformers_js_padding_label_is_a_zero_token(tiny_model):
    """-10 gives an all-zero token, -1 the not-a-point embedding: they are different prompts."""
    decoder = HfPromptDecoderGraph(tiny_model)
    tokens = decoder._point_tokens(torch.tensor([[[[5.0, 5.0], [9.0, 9.0]]]]), torch.tensor([[[-10, -1]]]))
    assert torch.count_nonzero(tokens[0, 0, 0]) == 0
    torch.testing.assert_close(tokens[0, 0, 1], tiny_model.prompt_encoder.not_a_point_embed.weight[0])
    # The graph's own padding point (no boxes): (0, 0) with label -1, appended last.
    torch.testing.assert_close(tokens[0, 0, 2], tiny_model.prompt_encoder.not_a_point_embed.weight[0])
