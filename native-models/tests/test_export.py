"""export.py: both layouts export and pass the onnxruntime-node smoke run; the manifest describes the files;
bad inputs fail with one clear line naming the file."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys

import onnx
import pytest
import torch

import export as export_cli
from sam_tools import PRESETS, SamToolsError, build_sam, randomize_
from sam_tools.exporter import ExportOptions, ExportSource, export_model, signature
from sam_tools.sam import sha256_file
from sam_tools.smoke import run_smoke

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="the smoke run needs Node.js")


def check_manifest_matches_folder(folder, manifest):
    assert json.loads((folder / "manifest.json").read_text()) == manifest
    for role in ("encoder", "decoder"):
        entry = manifest["files"][role]
        path = folder / entry["path"]
        assert entry["sha256"] == sha256_file(path) and entry["bytes"] == path.stat().st_size
        for data in entry.get("external_data", []):
            assert data["sha256"] == sha256_file(folder / data["path"])
        graph = onnx.load(str(path), load_external_data=False).graph
        assert entry["inputs"] == [signature(v) for v in graph.input]
        assert entry["outputs"] == [signature(v) for v in graph.output]
    assert manifest["input_size"] == 256 and manifest["embedding"] == {"channels": 32, "grid": 16}
    assert manifest["low_res_mask_size"] == 64 and manifest["opset"] == 17


@pytest.mark.parametrize(
    "layout, hf_boxes, external",
    [("sam-annotate", False, False), ("transformers.js", False, False), ("transformers.js", True, True)],
)
def test_export_and_smoke(tmp_path, tiny_model, layout, hf_boxes, external):
    options = ExportOptions(layout=layout, hf_boxes=hf_boxes, external_data=external, variant="tiny_test")
    manifest = export_model(tiny_model, tmp_path, ExportSource(seed=11), options)
    check_manifest_matches_folder(tmp_path, manifest)
    assert bool(manifest["files"]["encoder"].get("external_data")) == external
    report = run_smoke(tiny_model, tmp_path, layout, hf_boxes)
    worst = max(d for outs in report["max_abs_diff"].values() for d in outs.values())
    print(f"{layout}{'+boxes' if hf_boxes else ''}: max |onnx - torch| {worst:.2e}")
    assert worst <= 1e-3


def test_conv_encoder_exports_and_passes_the_smoke_run(tmp_path):
    """The demo model's encoder type: batch norm (with trained running statistics) and space-to-depth export, and
    the manifest reports the stride-8 grid."""
    cfg = dataclasses.replace(PRESETS["tiny_test"], encoder_type="conv", patch_size=8)
    model = randomize_(build_sam(cfg), 3)
    model.train()
    with torch.no_grad():
        for _ in range(3):  # running statistics that are not the identity, so the exported graph must use them
            model.image_encoder(torch.randn(2, 3, 256, 256) * 2 + 0.5)
    model.eval()
    manifest = export_model(model, tmp_path, ExportSource(seed=3), ExportOptions(variant="tiny_conv"))
    assert manifest["embedding"] == {"channels": 32, "grid": 32} and manifest["low_res_mask_size"] == 128
    assert manifest["source"]["config"]["config"]["encoder_type"] == "conv"
    report = run_smoke(model, tmp_path, "sam-annotate")
    worst = max(d for outs in report["max_abs_diff"].values() for d in outs.values())
    assert worst <= 1e-3


def test_sam_annotate_graph_signature(tmp_path, tiny_model):
    """Meta's decoder contract: names, float32 everywhere, only num_points dynamic on the inputs."""
    manifest = export_model(tiny_model, tmp_path, ExportSource(seed=11), ExportOptions())
    decoder = {s["name"]: s for s in manifest["files"]["decoder"]["inputs"]}
    assert list(decoder) == ["image_embeddings", "point_coords", "point_labels", "mask_input", "has_mask_input",
                             "orig_im_size"]
    assert {s["dtype"] for s in decoder.values()} == {"float32"}
    assert decoder["point_coords"]["shape"] == [1, "num_points", 2]
    assert decoder["mask_input"]["shape"] == [1, 1, 64, 64] and decoder["orig_im_size"]["shape"] == [2]
    outputs = {s["name"]: s["shape"] for s in manifest["files"]["decoder"]["outputs"]}
    assert outputs == {"masks": [1, 4, "orig_im_height", "orig_im_width"], "iou_predictions": [1, 4],
                       "low_res_masks": [1, 4, 64, 64]}
    assert manifest["files"]["encoder"]["outputs"][0]["shape"] == [1, 32, 16, 16]


def test_smoke_run_detects_a_wrong_graph(tmp_path, tiny_model):
    """A graph that is not the model's fails the smoke run (so the check can fail)."""
    export_model(tiny_model, tmp_path, ExportSource(seed=11), ExportOptions())
    other = randomize_(build_sam(PRESETS["tiny_test"]), 12)
    with pytest.raises(SamToolsError, match="differs from PyTorch"):
        run_smoke(other, tmp_path, "sam-annotate")


def run_cli(argv, capsys):
    code = export_cli.main(argv)
    return code, capsys.readouterr().err.strip()


def test_cli_exports_a_checkpoint_wrapped_under_model(tmp_path, tiny_model, capsys):
    checkpoint = tmp_path / "tiny.pth"
    torch.save({"model": tiny_model.state_dict()}, checkpoint)
    out = tmp_path / "out"
    code, err = run_cli(["--checkpoint", str(checkpoint), "--type", "tiny_test", "--out", str(out)], capsys)
    assert code == 0, err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["source"]["checkpoint"] == "tiny.pth" and manifest["name"] == "tiny"
    assert manifest["source"]["checkpoint_sha256"] == sha256_file(checkpoint)


def test_cli_random_vit_b_meta_config_rejected_for_tiny_checkpoint(tmp_path, tiny_model, capsys):
    checkpoint = tmp_path / "tiny.pth"
    torch.save(tiny_model.state_dict(), checkpoint)
    code, err = run_cli(["--checkpoint", str(checkpoint), "--type", "vit_b", "--out", str(tmp_path / "o")], capsys)
    assert code == 1 and "\n" not in err
    assert str(checkpoint) in err and "do not fit" in err and "wrong shape" in err and "missing" in err


def test_cli_reports_missing_and_bad_files(tmp_path, capsys):
    out = str(tmp_path / "o")
    code, err = run_cli(["--checkpoint", str(tmp_path / "nope.pth"), "--type", "vit_b", "--out", out], capsys)
    assert code == 1 and err == f"error: {tmp_path / 'nope.pth'}: no such checkpoint file"

    garbage = tmp_path / "notes.pth"
    garbage.write_text("these are not weights\n")
    code, err = run_cli(["--checkpoint", str(garbage), "--type", "vit_b", "--out", out], capsys)
    assert code == 1 and err.startswith(f"error: {garbage}: not a PyTorch checkpoint") and "\n" not in err

    not_weights = tmp_path / "list.pth"
    torch.save([1, 2, 3], not_weights)
    code, err = run_cli(["--checkpoint", str(not_weights), "--type", "vit_b", "--out", out], capsys)
    assert code == 1 and f"{not_weights}: not a SAM checkpoint" in err

    bad_json = tmp_path / "config.json"
    bad_json.write_text("{ nope")
    code, err = run_cli(["--random-seed", "0", "--config", str(bad_json), "--out", out], capsys)
    assert code == 1 and f"{bad_json}: not a readable JSON config" in err

    code, err = run_cli(["--random-seed", "0", "--type", "tiny_test", "--opset", "18", "--out", out], capsys)
    assert code == 1 and "opsets up to 17" in err


def test_cli_help_runs():
    done = subprocess.run([sys.executable, str(export_cli.__file__), "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "--checkpoint" in done.stdout and "--layout" in done.stdout


def test_transformers_js_dynamic_batch_and_point_batches(tmp_path, tiny_model):
    """2 images and 3 point batches of 2 points (with a -10 filler) run in ONNX as in PyTorch."""
    from sam_tools.onnx_models import HfPromptDecoderGraph, HfVisionEncoderGraph
    from sam_tools.smoke import OnnxRuns

    export_model(tiny_model, tmp_path, ExportSource(seed=11), ExportOptions(layout="transformers.js"))
    gen = torch.Generator().manual_seed(0)
    pixels = torch.randn(2, 3, 256, 256, generator=gen)
    points = torch.rand(2, 3, 2, 2, generator=gen) * 256
    labels = torch.tensor([[[1, 0], [1, 1], [0, 1]], [[1, -10], [1, 0], [1, 1]]])
    with torch.no_grad():
        embeddings, positional = HfVisionEncoderGraph(tiny_model)(pixels)
        iou, masks = HfPromptDecoderGraph(tiny_model)(embeddings, positional, points, labels)
    (tmp_path / "case").mkdir()
    runs = OnnxRuns(tmp_path / "case", tmp_path)
    runs.add("encoder", "vision_encoder.onnx", {"pixel_values": pixels},
             {"image_embeddings": embeddings, "image_positional_embeddings": positional})
    runs.add("decoder", "prompt_encoder_mask_decoder.onnx",
             {"image_embeddings": embeddings, "image_positional_embeddings": positional, "input_points": points,
              "input_labels": labels}, {"iou_scores": iou, "pred_masks": masks})
    assert max(d for outs in runs.max_abs_diffs().values() for d in outs.values()) <= 1e-4
