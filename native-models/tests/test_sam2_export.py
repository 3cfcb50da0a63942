"""export_sam2.py: a Meta-format checkpoint exports (video tensors skipped and listed) and passes the smoke run;
bad inputs fail with one line naming the file; the manifest says which family the weights are."""

from __future__ import annotations

import json
import shutil

import pytest
import torch

import export_sam2 as cli
from sam_tools.checkpoint_io import load_checkpoint
from sam_tools.exporter import ExportSource
from sam_tools.sam import sha256_file
from sam_tools.sam2 import PRESETS, build_sam2, randomize_sam2_
from sam_tools.sam2.export import build_manifest
from sam2_tiny_config import TINY_JSON

NEEDS_NODE = pytest.mark.skipif(shutil.which("node") is None, reason="the smoke run needs Node.js")


@pytest.fixture()
def tiny_files(tmp_path):
    config = tmp_path / "tiny.json"
    config.write_text(json.dumps(TINY_JSON))
    model = randomize_sam2_(build_sam2(cli.resolve_config(None, config)[0]), 1)
    state = dict(model.state_dict())
    state["memory_encoder.out_proj.weight"] = torch.zeros(2, 2)  # a video-only tensor, as in Meta's files
    checkpoint = tmp_path / "tiny.pt"
    torch.save({"model": state}, checkpoint)
    return config, checkpoint


@NEEDS_NODE
def test_checkpoint_exports_and_lists_the_skipped_video_tensors(tiny_files, tmp_path, capsys):
    config, checkpoint = tiny_files
    out = tmp_path / "model"
    assert cli.main(["--checkpoint", str(checkpoint), "--config", str(config), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "skipped 1 video-only tensors (memory_encoder)" in printed and "smoke run passed" in printed
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["source"]["checkpoint_sha256"] == sha256_file(checkpoint)
    assert (manifest["family"], manifest["layout"], manifest["input_size"]) == ("sam2.1", "sam-annotate", 128)
    assert "--checkpoint" in manifest["export"]["command"]


def test_checkpoint_of_another_architecture_is_refused_in_one_line(tiny_files, tmp_path, capsys):
    config, checkpoint = tiny_files
    state = load_checkpoint(checkpoint)["model"]
    state["sam_mask_decoder.iou_token.weight"] = torch.zeros(1, 64)
    torch.save({"model": state}, checkpoint)
    assert cli.main(["--checkpoint", str(checkpoint), "--config", str(config), "--out", str(tmp_path / "x")]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(checkpoint) in err and "wrong shape" in err
    assert not (tmp_path / "x").exists()


def test_a_file_that_is_not_a_checkpoint_is_refused_in_one_line(tmp_path, capsys):
    bogus = tmp_path / "notes.pt"
    bogus.write_text("not a checkpoint")
    assert cli.main(["--checkpoint", str(bogus), "--type", "sam2.1_hiera_t", "--out", str(tmp_path / "x")]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"{bogus}: not a PyTorch checkpoint" in err


def test_a_broken_config_file_is_refused_in_one_line(tmp_path, capsys):
    config = tmp_path / "bad.json"
    config.write_text('{"model": {"image_encoder": {}}}')
    assert cli.main(["--random-seed", "1", "--config", str(config), "--out", str(tmp_path / "x")]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"{config}: not a SAM 2 config" in err


@pytest.mark.parametrize("variant, family", [("sam2.1_hiera_l", "sam2.1"), ("sam2_hiera_l", "sam2"),
                                             ("custom", "sam2.1")])
def test_manifest_family_follows_the_weights(variant, family):
    model = build_sam2(PRESETS["sam2.1_hiera_t"], on_meta_device=True)
    manifest = build_manifest(model, {}, ExportSource(seed=0), "sam-annotate", variant, "n", "", None, 17)
    assert manifest["family"] == family and manifest["resize"] == "stretch"
    assert manifest["high_res_features"] == [[32, 256], [64, 128]] and manifest["low_res_mask_size"] == 256
