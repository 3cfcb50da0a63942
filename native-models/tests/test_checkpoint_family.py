"""tools/checkpoint_family.py: which SAM family a checkpoint's tensor names are (issue 14: `sam-annotate convert`
names the family when --type is of the other one)."""

import json
import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

from checkpoint_family import family_of, main  # noqa: E402

KEYS = Path("/work/shared/conformance/sam2/state-dict-keys.json")


def test_names_decide_the_family():
    assert family_of({"image_encoder.patch_embed.proj.weight", "mask_decoder.iou_token.weight"}) == "sam"
    assert family_of({"image_encoder.trunk.patch_embed.proj.weight", "no_mem_embed"}) == "sam2"
    assert family_of({"image_encoder.trunk.pos_embed", "no_obj_embed_spatial"}) == "sam2.1"
    assert family_of({"weight", "bias"}) == "unknown"


def test_meta_sam21_names_are_sam21():
    if not KEYS.exists():
        pytest.skip(f"{KEYS} is not on this machine")
    for preset, shapes in json.loads(KEYS.read_text()).items():
        assert family_of(set(shapes)) == "sam2.1", preset


def test_reads_meta_formats(tmp_path, capsys):
    sam1 = tmp_path / "sam1.pth"
    torch.save({"image_encoder.patch_embed.proj.weight": torch.zeros(1)}, sam1)
    sam2 = tmp_path / "sam2.pt"
    torch.save({"model": {"image_encoder.trunk.pos_embed": torch.zeros(1)}}, sam2)
    assert main([str(sam1)]) == 0
    assert json.loads(capsys.readouterr().out) == {"family": "sam", "tensors": 1}
    assert main([str(sam2)]) == 0
    assert json.loads(capsys.readouterr().out) == {"family": "sam2", "tensors": 1}
