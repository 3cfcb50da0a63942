"""The committed SAM 2.1 fixtures (tests/fixtures/models/sam2-tiny-random*, reference/sam2) are what
make_sam2_fixtures.py produces now, are self-consistent, and the committed ONNX graphs of all four layouts
reproduce the recorded PyTorch outputs through onnxruntime-node (what the TypeScript adapters will check)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

import make_sam2_fixtures
from fixture_diff import file_differences
from sam_tools import rle
from sam_tools.sam import sha256_file
from sam_tools.sam2.decoder import select_tokens
from sam_tools.sam2.predictor import upscale_logits
from sam_tools.smoke import OnnxRuns

COMMITTED = Path(make_sam2_fixtures.NATIVE_MODELS).parent / "tests" / "fixtures"
REFERENCE = COMMITTED / "reference" / "sam2"
MODELS = COMMITTED / "models"
NEEDS_NODE = pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js with onnxruntime-node")

# The published contracts (sam2-layouts.md §1.2; LAYOUTS.md §3): input and output names in graph order.
CONTRACTS = {
    "sam-annotate": (["image"], ["image_embed", "high_res_feats_0", "high_res_feats_1"],
                     ["image_embed", "high_res_feats_0", "high_res_feats_1", "point_coords", "point_labels",
                      "mask_input", "has_mask_input"], ["masks", "iou_predictions"]),
    "samexporter": (["image"], ["high_res_feats_0", "high_res_feats_1", "image_embed"],
                    ["image_embed", "high_res_feats_0", "high_res_feats_1", "point_coords", "point_labels",
                     "mask_input", "has_mask_input"], ["masks", "iou_predictions"]),
    "rectlabel": (["input"], ["image_embeddings", "high_res_features1", "high_res_features2"],
                  ["image_embeddings", "high_res_features1", "high_res_features2", "point_coords", "point_labels",
                   "mask_input", "has_mask_input", "orig_im_size"], ["masks", "iou_predictions", "low_res_masks"]),
    "transformers.js": (["pixel_values"], ["image_embeddings.0", "image_embeddings.1", "image_embeddings.2"],
                        ["image_embeddings.0", "image_embeddings.1", "image_embeddings.2", "input_points",
                         "input_labels", "input_boxes"], ["iou_scores", "pred_masks", "object_score_logits"]),
}


def index() -> dict:
    return json.loads((REFERENCE / "index.json").read_text())


def read(entry) -> np.ndarray:
    return np.fromfile(REFERENCE / entry["file"], dtype="<f4").reshape(entry["shape"])


@NEEDS_NODE
def test_regenerating_gives_the_committed_files(tmp_path):
    make_sam2_fixtures.main(["--out", str(tmp_path)])
    generated = [p.relative_to(tmp_path) for p in make_sam2_fixtures.fixture_files(tmp_path)]
    assert generated == [p.relative_to(COMMITTED) for p in make_sam2_fixtures.fixture_files(COMMITTED)]
    # Thresholded masks may differ in a pixel or two: these random weights put many logits within float noise
    # of 0, and OpenBLAS's thread count (not torch's) changes the last bits (fixture_diff.py).
    differing = {
        str(p): why
        for p in generated
        if (why := file_differences(tmp_path / p, COMMITTED / p, mask_tolerance=1e-3))
    }
    assert not differing, f"SAM 2 fixtures are stale; rerun {make_sam2_fixtures.COMMAND}: {differing}"


def test_fixture_sizes_stay_small():
    for folder in make_sam2_fixtures.FOLDERS.values():
        assert sum(f.stat().st_size for f in (MODELS / folder).iterdir()) <= 2_000_000, folder
    assert sum(p.stat().st_size for p in make_sam2_fixtures.fixture_files(COMMITTED)) <= 10_000_000


@pytest.mark.parametrize("layout", sorted(CONTRACTS))
def test_manifest_matches_files_and_the_layout_contract(layout):
    folder = MODELS / make_sam2_fixtures.FOLDERS[layout]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert (manifest["layout"], manifest["family"], manifest["resize"]) == (layout, "sam2.1", "stretch")
    assert manifest["source"]["seed"] == make_sam2_fixtures.MODEL_SEED
    for entry in manifest["files"].values():
        assert entry["sha256"] == sha256_file(folder / entry["path"])
    enc_in, enc_out, dec_in, dec_out = CONTRACTS[layout]
    encoder, decoder = manifest["files"]["encoder"], manifest["files"]["decoder"]
    assert [v["name"] for v in encoder["inputs"]] == enc_in and [v["name"] for v in encoder["outputs"]] == enc_out
    assert [v["name"] for v in decoder["inputs"]] == dec_in and [v["name"] for v in decoder["outputs"]] == dec_out
    dtypes = {v["name"]: v["dtype"] for v in decoder["inputs"]}
    assert dtypes.get("orig_im_size", "int64") == "int64" and dtypes.get("input_labels", "int64") == "int64"


def test_reference_follows_meta_token_rule_and_covers_both_single_mask_branches():
    singles = set()
    for name, entry in index()["images"].items():
        h, w = entry["original_size_hw"]
        for prompt in entry["prompts"]:
            tokens = prompt["all_tokens"]
            masks = torch.from_numpy(read(tokens["low_res_logits"]))[None]
            iou = torch.tensor([tokens["iou_predictions"]])
            _, chosen_iou, chosen = select_tokens(masks, iou, prompt["multimask_output"], 0.05, 0.98)
            assert chosen[0].tolist() == prompt["expected"]["tokens"], (name, prompt["name"])
            assert chosen_iou[0].tolist() == pytest.approx(prompt["expected"]["iou_predictions"])
            if not prompt["multimask_output"]:
                singles.add(prompt["expected"]["tokens"][0] == 0)
            upsampled = upscale_logits(masks[:, chosen[0]], (h, w))[0].numpy() > 0
            for ours, mask in zip(upsampled, prompt["expected"]["masks"]):
                decoded = rle.decode(mask)
                assert np.array_equal(ours, decoded) and 0 < mask["area"] < h * w
    assert singles == {True, False}


def decoder_feeds(layout: str, io: dict, entry: dict, mask_input) -> dict:
    feeds = io["feeds"]
    if layout == "transformers.js":
        return {"image_embeddings.0": read(entry["high_res_feats_0"]),
                "image_embeddings.1": read(entry["high_res_feats_1"]), "image_embeddings.2": read(entry["image_embed"]),
                # [1, 1, n, 2] and [1, 1, n]; n = 0 for a box alone (JSON cannot keep the shape of an empty list)
                "input_points": np.array(feeds["input_points"], np.float32).reshape(1, 1, -1, 2),
                "input_labels": np.array(feeds["input_labels"], np.int64).reshape(1, 1, -1),
                "input_boxes": (np.zeros(feeds["input_boxes"]["shape"], np.float32) if "shape" in feeds["input_boxes"]
                                else np.array(feeds["input_boxes"], np.float32))}
    names = CONTRACTS[layout][2]
    out = dict(zip(names[:3], [read(entry["image_embed"]), read(entry["high_res_feats_0"]),
                               read(entry["high_res_feats_1"])]))
    out.update(point_coords=np.array(feeds["point_coords"], np.float32),
               point_labels=np.array(feeds["point_labels"], np.float32),
               mask_input=mask_input, has_mask_input=np.array(feeds["has_mask_input"], np.float32))
    if layout == "rectlabel":
        out["orig_im_size"] = np.array(feeds["orig_im_size"]["int64"], np.int64)
    return out


@NEEDS_NODE
@pytest.mark.parametrize("layout", sorted(CONTRACTS))
def test_committed_onnx_models_reproduce_the_reference(layout, tmp_path):
    folder = MODELS / make_sam2_fixtures.FOLDERS[layout]
    manifest = json.loads((folder / "manifest.json").read_text())
    encoder, decoder = manifest["files"]["encoder"]["path"], manifest["files"]["decoder"]["path"]
    enc_in, enc_out, _, _ = CONTRACTS[layout]
    runs = OnnxRuns(tmp_path, folder)
    low = manifest["low_res_mask_size"]
    cases = []
    for name, entry in index()["images"].items():
        runs.add(f"{name}.encoder", encoder, {enc_in[0]: torch.from_numpy(read(entry["input_tensor"]))},
                 {n: torch.from_numpy(read(entry[k])) for n, k in zip(enc_out, _feature_keys(layout))})
        for prompt in entry["prompts"]:
            io = prompt["layouts"][layout]
            if io is None:
                continue
            mask_file = prompt["decoder_inputs"]["mask_input"]
            mask = (np.fromfile(REFERENCE / mask_file, "<f4").reshape(1, 1, low, low) if mask_file
                    else np.zeros((1, 1, low, low), np.float32))
            feeds = {k: torch.from_numpy(v) for k, v in decoder_feeds(layout, io, entry, mask).items()}
            run_id = f"{name}.{prompt['name']}"
            runs.add(run_id, decoder, feeds, {n: None for n in CONTRACTS[layout][3]})
            cases.append((run_id, entry, prompt, io))
            if "native_feeds" in io:  # transformers.js's input_boxes path: the same tokens in another order
                native = {"feeds": {**io["native_feeds"]}}
                feeds = {k: torch.from_numpy(v) for k, v in decoder_feeds(layout, native, entry, mask).items()}
                runs.add(run_id + ".native", decoder, feeds, {n: None for n in CONTRACTS[layout][3]})
                cases.append((run_id + ".native", entry, prompt, io))
    results = runs.run()
    for run_id, expected in runs.expected.items():  # the encoder runs: features as recorded
        for name, want in expected.items():
            if want is not None:
                assert float(np.abs(results[run_id][name] - want).max()) <= 1e-4, f"{run_id} {name}"
    for run_id, entry, prompt, io in cases:
        _check_decoder_outputs(layout, results[run_id], entry, prompt, io, run_id)


def _feature_keys(layout: str):
    if layout in ("samexporter", "transformers.js"):
        return ["high_res_feats_0", "high_res_feats_1", "image_embed"]
    return ["image_embed", "high_res_feats_0", "high_res_feats_1"]


def _check_decoder_outputs(layout, out, entry, prompt, io, run_id):
    tokens = prompt["all_tokens"]
    logits = read(tokens["low_res_logits"])
    iou = np.array(tokens["iou_predictions"], np.float32)
    tol = 1e-4 * max(1.0, float(np.abs(logits).max()))

    def close(a, b, what):
        assert a.shape == b.shape and float(np.abs(a - b).max()) <= tol, f"{run_id} {what}"

    if layout == "sam-annotate":
        close(out["masks"][0], logits, "masks")
        close(out["iou_predictions"][0], iou, "iou")
    elif layout == "samexporter":
        close(out["masks"][0], np.clip(logits[1:], -32, 32), "masks")
        close(out["iou_predictions"][0], iou[1:], "iou")
    elif layout == "rectlabel":
        close(out["low_res_masks"][0], np.clip(logits, -32, 32), "low_res_masks")
        close(out["iou_predictions"][0], iou, "iou")
        for full, mask in zip(out["masks"][0], io["full_res_masks"]):
            decoded = rle.decode(mask)
            assert full.shape == decoded.shape and np.mean((full > 0) != decoded) < 1e-3, run_id
    else:
        close(out["pred_masks"][0, 0], logits[1:], "pred_masks")
        close(out["iou_scores"][0, 0], iou[1:], "iou_scores")
        close(out["object_score_logits"][0, 0], np.array(tokens["object_score_logits"], np.float32), "score")
