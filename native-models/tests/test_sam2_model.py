"""SAM 2 / 2.1 image mode (sam_tools/sam2): configs, checkpoint names and shapes, loader behaviour, token rules."""

from __future__ import annotations

import dataclasses
import json

import pytest
import torch

from sam_tools import SamToolsError
from sam_tools.sam2 import PRESETS, build_sam2, check_shapes, load_config, load_sam2_weights, read_checkpoint
from sam_tools.sam2.config import Sam2Config, from_meta_json
from sam_tools.sam2.decoder import select_tokens

SIZES = ["hiera_t", "hiera_s", "hiera_b+", "hiera_l"]
TINY = Sam2Config(embed_dim=8, num_heads=1, stages=(1, 1, 2, 1), global_att_blocks=(3,), image_size=128, d_model=32,
                  decoder_mlp_dim=64, decoder_num_heads=2, iou_head_hidden_dim=32, mask_in_chans=8,
                  window_pos_embed_bkg_spatial_size=(4, 4), window_spec=(4, 2, 4, 2))


@pytest.fixture(scope="module")
def real_keys(conformance):
    return json.loads((conformance / "sam2" / "state-dict-keys.json").read_text())


@pytest.mark.parametrize("family", ["sam2.1", "sam2"])
@pytest.mark.parametrize("size", SIZES)
def test_every_real_checkpoint_name_and_shape_fits_the_preset(family, size, real_keys):
    """Meta's released tensors (names, shapes) load strictly into the preset; only video tensors are skipped.
    SAM 2 and 2.1 share the image path, so the 2.1 list also stands for the SAM 2 files' image tensors."""
    shapes = {k: tuple(v) for k, v in real_keys[f"sam2.1_{size}"].items()}
    model = build_sam2(PRESETS[f"{family}_{size}"], on_meta_device=True)
    skipped = check_shapes(model, shapes, f"{family}_{size}")
    assert skipped and all(k.startswith(("memory_", "maskmem", "obj_ptr", "mask_downsample", "no_obj", "no_mem_pos"))
                           for k in skipped)
    assert len(skipped) + len(model.state_dict()) == len(shapes)


def test_a_preset_refuses_another_sizes_checkpoint(real_keys):
    shapes = {k: tuple(v) for k, v in real_keys["sam2.1_hiera_l"].items()}
    with pytest.raises(SamToolsError, match=r"hiera_l\.pt: weights do not fit .*wrong shape"):
        check_shapes(build_sam2(PRESETS["sam2.1_hiera_t"], on_meta_device=True), shapes, "hiera_l.pt")


def test_missing_image_tensor_is_named(tmp_path):
    model = build_sam2(TINY)
    state = dict(model.state_dict())
    del state["no_mem_embed"]
    with pytest.raises(SamToolsError, match=r"x\.pt: .*1 missing \(no_mem_embed\)"):
        load_sam2_weights(model, state, "x.pt")


def test_loader_refuses_a_pickled_object_without_running_it(tmp_path):
    """checkpoint_io: a checkpoint that pickles a callable is refused, not executed."""
    marker = tmp_path / "ran"
    path = tmp_path / "evil.pt"
    torch.save({"model": {"x": torch.zeros(1)}, "hook": _Exploit(str(marker))}, path)
    with pytest.raises(SamToolsError, match=r"evil.pt: not a plain checkpoint \(it contains code objects\)"):
        read_checkpoint(path)
    assert not marker.exists()


class _Exploit:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_config_json_reads_meta_resolved_config(conformance):
    cfg = load_config(conformance / "sam2" / "sam2.1_test.json")
    assert (cfg.embed_dim, cfg.stages, cfg.global_att_blocks, cfg.scalp) == (16, (1, 1, 3, 1), (3,), 1)
    assert cfg.backbone_channel_list == (128, 64, 32, 16) and cfg.pred_obj_scores and cfg.iou_prediction_use_sigmoid


def test_config_json_with_inconsistent_neck_is_refused():
    data = {"model": {"image_size": 1024, "scalp": 1, "use_high_res_features_in_sam": True,
                      "image_encoder": {"scalp": 1, "trunk": {"embed_dim": 16},
                                        "neck": {"d_model": 256, "backbone_channel_list": [768, 384, 192, 96]}}}}
    with pytest.raises(SamToolsError, match="cfg.json: neck.backbone_channel_list"):
        from_meta_json(data, "cfg.json")


def test_single_mask_rule_keeps_a_stable_token_0_else_best_of_1_to_3():
    iou = torch.tensor([[0.9, 0.2, 0.7, 0.5], [0.9, 0.2, 0.7, 0.5]])
    masks = torch.full((2, 4, 8, 8), 5.0)
    masks[1, 0, :4] = 0.01  # half of token 0 sits between −delta and +delta: stability 0.5
    chosen, chosen_iou, tokens = select_tokens(masks, iou, False, 0.05, 0.98)
    assert tokens.tolist() == [[0], [2]] and chosen_iou[:, 0].tolist() == pytest.approx([0.9, 0.7])
    assert torch.equal(chosen[1, 0], masks[1, 2])
    _, multi_iou, tokens = select_tokens(masks, iou, True, 0.05, 0.98)
    assert tokens.tolist() == [[1, 2, 3]] * 2 and multi_iou[0].tolist() == pytest.approx([0.2, 0.7, 0.5])


def test_tiny_model_runs_at_a_non_meta_size():
    model = build_sam2(TINY)
    with torch.no_grad():
        features = model.encode(torch.randn(1, 3, 128, 128))
        masks, iou, score = model.decode_all(features, torch.tensor([[[10.0, 20.0]]]), torch.tensor([[1.0]]))
    assert [tuple(f.shape) for f in features] == [(1, 32, 8, 8), (1, 4, 32, 32), (1, 8, 16, 16)]
    assert masks.shape == (1, 4, 32, 32) and iou.shape == (1, 4) and score.shape == (1, 1)


@pytest.mark.parametrize("change, message", [
    (dict(image_size=1000), "not a multiple of 32"),
    (dict(window_spec=(6, 2, 4, 2)), "not a multiple of window_spec"),
    (dict(window_spec=(8, 4, 3, 7)), "need an even window"),
    (dict(scalp=0), "scalp 1"),
])
def test_config_refuses_shapes_hiera_cannot_run(change, message):
    with pytest.raises(SamToolsError, match=message):
        dataclasses.replace(TINY, **change).validate()
