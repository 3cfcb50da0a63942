"""Issue 15 (part 2) fixtures: EdgeSAM's own ONNX layout, SAM-HQ, and transformers.js SAM with `input_boxes` — the
committed graphs reproduce the PyTorch reference, and make_edge_hq_fixtures.py regenerates them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

import make_edge_hq_fixtures as gen
import make_fixtures
from fixture_diff import file_differences
from sam_tools.edgesam import EdgeSamDecoderGraph, EdgeSamPredictor, select_by_stability
from sam_tools.predictor import Predictor
from sam_tools.samhq import SamHqDecoderGraph, SamHqPredictor, combine, encode_with_interm
from sam_tools.smoke import OnnxRuns

COMMITTED = Path(make_fixtures.NATIVE_MODELS).parent / "tests" / "fixtures"
FOLDERS = ("models/tiny-random-hf-boxes", "models/edgesam-tiny-random", "reference/edgesam",
           "models/samhq-tiny-random", "reference/samhq")
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js with onnxruntime-node")


def files_of(root: Path):
    return sorted(p.relative_to(root) for folder in FOLDERS for p in (root / folder).rglob("*") if p.is_file())


def f32(path: Path, shape) -> torch.Tensor:
    return torch.from_numpy(np.fromfile(path, dtype="<f4").reshape(shape))


def model_input(resized_png: Path, manifest: dict) -> torch.Tensor:
    """The reference's resized image → the encoder input [1, 3, S, S] (normalised, zero-padded)."""
    s = manifest["input_size"]
    resized = np.asarray(Image.open(resized_png).convert("RGB"), dtype=np.float32)
    mean = torch.tensor(manifest["pixel_mean"]).view(3, 1, 1)
    std = torch.tensor(manifest["pixel_std"]).view(3, 1, 1)
    pixels = (torch.from_numpy(resized).permute(2, 0, 1) - mean) / std
    return F.pad(pixels, (0, s - pixels.shape[2], 0, s - pixels.shape[1]))[None]


@needs_node
def test_regenerating_gives_the_committed_bytes(tmp_path):
    gen.main(["--out", str(tmp_path)])
    assert files_of(tmp_path) == files_of(COMMITTED)
    # A thresholded mask may flip a pixel whose logit is within float noise of 0 (fixture_diff.py).
    differing = {
        str(p): why
        for p in files_of(tmp_path)
        if (why := file_differences(tmp_path / p, COMMITTED / p, mask_tolerance=1e-3))
    }
    assert not differing, f"fixtures are stale; rerun {gen.COMMAND}: {differing}"


def test_each_fixture_folder_stays_under_2_mb():
    for folder in FOLDERS:
        assert sum(f.stat().st_size for f in (COMMITTED / folder).rglob("*") if f.is_file()) < 2_000_000


def test_edgesam_multimask_reference_is_metas_predictor():
    """EdgeSAM changes only the single-mask rule: tokens 1..3 are what Meta's SamPredictor returns."""
    model = gen.tiny_edgesam()
    image = make_fixtures.draw_image(*make_fixtures.IMAGES["wide"]["size"], make_fixtures.IMAGES["wide"]["shapes"], 4)
    meta, edge = Predictor(model), EdgeSamPredictor(model)
    meta.set_image(image)
    edge.set_image(image)
    ours, theirs = edge.predict([[90, 80]], [1]), meta.predict([[90, 80]], [1])
    assert ours.output_index == theirs.output_index == [1, 2, 3]
    np.testing.assert_array_equal(ours.low_res_logits, theirs.low_res_logits)
    with pytest.raises(ValueError, match="no mask input"):
        edge.predict([[90, 80]], [1], mask_input=np.zeros((64, 64), np.float32))


def test_stability_rule_picks_the_most_stable_token_first_on_ties():
    low = torch.full((4, 8, 8), -5.0)  # token 0 empty: 0/0, counted as 0
    low[1, :4] = 0.5  # unstable: between the two thresholds
    low[2, :4] = 3.0  # stable
    low[3, :2] = 3.0  # stable too, but a tie with token 2 goes to the first
    assert select_by_stability(low) == 2


@needs_node
def test_committed_edgesam_reproduces_the_reference(tmp_path):
    """onnxruntime-node on the committed EdgeSAM graphs: encoder on the reference input, decoder on the
    reference embeddings with Meta's point feed (padding point appended by the caller) → PyTorch's four
    tokens; the reference's tokens are the ones the stability rule picks from the ONNX logits."""
    ref, folder = COMMITTED / "reference" / "edgesam", COMMITTED / "models" / "edgesam-tiny-random"
    index = json.loads((ref / "index.json").read_text())
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["layout"] == "edgesam" and manifest["source"]["seed"] == gen.EDGESAM_SEED
    graph = EdgeSamDecoderGraph(gen.tiny_edgesam())
    runs = OnnxRuns(tmp_path, folder)
    chosen, reference = {}, {}
    for image, entry in index["images"].items():
        embeddings = f32(ref / entry["image_embeddings"]["file"], entry["image_embeddings"]["shape"])
        runs.add(image, "encoder.onnx", {"image": model_input(ref / entry["input_resized"], manifest)},
                 {"image_embeddings": embeddings})
        for prompt in entry["prompts"]:
            inputs, expected = prompt["decoder_inputs"], prompt["expected"]
            coords, labels = torch.tensor([inputs["point_coords"]]), torch.tensor([inputs["point_labels"]])
            scores, masks = graph(embeddings, coords, labels)
            run_id = f"{image}-{prompt['name']}"
            runs.add(run_id, "decoder.onnx", {"image_embeddings": embeddings, "point_coords": coords,
                                              "point_labels": labels}, {"scores": scores, "masks": masks})
            chosen[run_id] = (inputs["output_index"], prompt["multimask_output"])
            reference[run_id] = f32(ref / expected["low_res_logits"]["file"], expected["low_res_logits"]["shape"])
    worst = max(d for outputs in runs.max_abs_diffs().values() for d in outputs.values())
    assert worst <= 1e-4
    for run_id, got in runs.run().items():
        if run_id not in chosen:
            continue
        tokens, multimask = chosen[run_id]
        low = torch.from_numpy(got["masks"][0])
        assert tokens == ([1, 2, 3] if multimask else [select_by_stability(low)])
        assert float((low[tokens] - reference[run_id]).abs().max()) <= 1e-4


@needs_node
def test_committed_hf_boxes_graph_reproduces_the_sam_reference(tmp_path):
    """The transformers.js graph with `input_boxes` (seed-4 weights of tiny-random) gives reference/'s logits
    for the prompts it can express: multimask, no mask input — points padded by the caller, a box as a box."""
    ref, folder = COMMITTED / "reference", COMMITTED / "models" / "tiny-random-hf-boxes"
    index = json.loads((ref / "index.json").read_text())
    manifest = json.loads((folder / "manifest.json").read_text())
    names = {i["name"] for i in manifest["files"]["decoder"]["inputs"]}
    assert "input_boxes" in names
    dense_pe = make_fixtures.tiny_model().prompt_encoder.get_dense_pe()
    runs, count = OnnxRuns(tmp_path, folder), 0
    for image, entry in index["images"].items():
        embeddings = f32(ref / entry["image_embeddings"]["file"], entry["image_embeddings"]["shape"])
        for prompt in entry["prompts"]:
            if not prompt["multimask_output"] or prompt["mask_input_from"]:
                continue
            inputs, expected = prompt["decoder_inputs"], prompt["expected"]
            labels = inputs["point_labels"]
            corners = [i for i, code in enumerate(labels) if code in (2.0, 3.0)]
            keep = [i for i in range(len(labels)) if i not in corners]
            boxes = torch.tensor([sum((inputs["point_coords"][i] for i in corners), [])]).reshape(1, -1, 4)
            want = f32(ref / expected["low_res_logits"]["file"], expected["low_res_logits"]["shape"])
            runs.add(f"{image}-{prompt['name']}", "prompt_encoder_mask_decoder.onnx", {
                "image_embeddings": embeddings,
                "image_positional_embeddings": dense_pe,
                "input_points": torch.tensor([[inputs["point_coords"][i] for i in keep]])[None],
                "input_labels": torch.tensor([[[int(labels[i]) for i in keep]]]),
                "input_boxes": boxes,
            }, {"pred_masks": want[None, None], "iou_scores": torch.tensor([[expected["iou_predictions"]]])})
            count += 1
    assert count == 4  # point1_multi and box_neg_multi on both images
    worst = max(d for outputs in runs.max_abs_diffs().values() for d in outputs.values())
    assert worst <= 1e-4


def test_samhq_one_mask_is_sam_token_plus_hq_token():
    """HQ-SAM's rule: token 0 (or the best of 1..3 by IoU) + the HQ token's mask, or the HQ mask alone."""
    masks = torch.arange(5.0).view(1, 5, 1, 1).expand(1, 5, 2, 2)
    iou = torch.tensor([[0.1, 0.2, 0.9, 0.3]])
    low, score, token = combine(masks, iou, multimask_output=False, hq_token_only=False)
    assert float(low[0, 0, 0, 0]) == 0 + 4 and float(score) == pytest.approx(0.1) and int(token) == 0
    low, score, token = combine(masks, iou, multimask_output=True, hq_token_only=False)
    assert float(low[0, 0, 0, 0]) == 2 + 4 and float(score) == pytest.approx(0.9) and int(token) == 2
    low, _, _ = combine(masks, iou, multimask_output=True, hq_token_only=True)
    assert float(low[0, 0, 0, 0]) == 4


def test_samhq_reference_differs_from_plain_sam_token_0():
    """The HQ token changes the mask (the fixture would not catch a decoder that ignores it otherwise)."""
    model = gen.tiny_samhq()
    image = make_fixtures.draw_image(*make_fixtures.IMAGES["tall"]["size"], make_fixtures.IMAGES["tall"]["shapes"], 4)
    hq, meta = SamHqPredictor(model), Predictor(model)
    hq.set_image(image)
    meta.set_image(image)
    ours = hq.predict([[75, 165]], [1], multimask_output=False)
    theirs = meta.predict([[75, 165]], [1], None, None, False)
    assert ours.output_index == theirs.output_index == [0]
    assert float(np.abs(ours.low_res_logits - theirs.low_res_logits).max()) > 1.0


@needs_node
def test_committed_samhq_reproduces_the_reference(tmp_path):
    """onnxruntime-node on the committed SAM-HQ graphs: the encoder gives the embeddings and the K global-block
    features; the decoder, fed Meta's inputs plus those features, gives the reference's one mask per prompt
    (refinement included)."""
    ref, folder = COMMITTED / "reference" / "samhq", COMMITTED / "models" / "samhq-tiny-random"
    index = json.loads((ref / "index.json").read_text())
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["layout"] == "sam-hq" and manifest["source"]["seed"] == gen.SAMHQ_SEED
    model = gen.tiny_samhq()
    graph = SamHqDecoderGraph(model)
    runs, count = OnnxRuns(tmp_path, folder), 0
    for image, entry in index["images"].items():
        pixels = model_input(ref / entry["input_resized"], manifest)
        embeddings = f32(ref / entry["image_embeddings"]["file"], entry["image_embeddings"]["shape"])
        with torch.no_grad():
            _, interm = encode_with_interm(model, pixels)
        assert tuple(interm.shape) == (4, 1, 16, 16, 32)
        runs.add(image, "encoder.onnx", {"image": pixels},
                 {"image_embeddings": embeddings, "interm_embeddings": interm})
        low_res = {}
        for prompt in entry["prompts"]:
            inputs, expected = prompt["decoder_inputs"], prompt["expected"]
            want = f32(ref / expected["low_res_logits"]["file"], expected["low_res_logits"]["shape"])
            low_res[prompt["name"]] = want
            source = prompt["mask_input_from"]
            mask = low_res[source["prompt"]][source["candidate"]] if source else torch.zeros(64, 64)
            feeds = {
                "image_embeddings": embeddings, "interm_embeddings": interm,
                "point_coords": torch.tensor([inputs["point_coords"]]),
                "point_labels": torch.tensor([inputs["point_labels"]]),
                "mask_input": mask[None, None], "has_mask_input": torch.tensor([inputs["has_mask_input"]]),
                "orig_im_size": torch.tensor(inputs["orig_im_size"]),
            }
            masks, _, _ = graph(*feeds.values())
            runs.add(f"{image}-{prompt['name']}", "decoder.onnx", feeds, {
                "low_res_masks": want[None], "iou_predictions": torch.tensor([expected["iou_predictions"]]),
                "masks": masks})
            count += 1
    assert count == 10
    worst = max(d for outputs in runs.max_abs_diffs().values() for d in outputs.values())
    assert worst <= 1e-4
