"""Against what Meta's own code computes (/work/shared/conformance, README.md there): checkpoint loading,
preprocessing, encoder, decoder (ONNX-graph semantics and predictor semantics) and the RLE codec."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import torch
from PIL import Image

from sam_tools import build_sam, load_config, load_weights, read_state_dict, rle
from sam_tools.exporter import ExportOptions, ExportSource, export_model
from sam_tools.onnx_models import MetaDecoderGraph
from sam_tools.predictor import Predictor
from sam_tools.smoke import OnnxRuns

IMAGES = ["dog", "truck"]


@pytest.fixture(scope="module")
def official_model(conformance):
    model = build_sam(load_config(conformance / "sam_tiny_official.json"))
    return load_weights(model, read_state_dict(conformance / "sam_tiny_official.pth"), "sam_tiny_official.pth")


@pytest.fixture(scope="module")
def predictors(official_model, conformance, conformance_index):
    """One predictor per image, with set_image done (the encoder runs once per image)."""
    out = {}
    for name in IMAGES:
        image = np.asarray(Image.open(conformance / conformance_index["images"][name]["file"]).convert("RGB"))
        out[name] = Predictor(official_model)
        out[name].set_image(image)
    return out


def read_f32(path, shape):
    return np.fromfile(path, dtype="<f4").reshape(shape)


def mask_iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.logical_or(a, b).sum()
    return 1.0 if union == 0 else float(np.logical_and(a, b).sum() / union)


def test_checkpoint_loads_with_strict_keys(official_model, conformance):
    state_dict = read_state_dict(conformance / "sam_tiny_official.pth")
    assert set(state_dict) == set(official_model.state_dict())


@pytest.mark.parametrize("name", IMAGES)
def test_preprocessing_reproduces_input_resized_exactly(name, predictors, conformance, conformance_index):
    entry = conformance_index["images"][name]
    expected = np.asarray(Image.open(conformance / entry["input_resized"]).convert("RGB"))
    ours = predictors[name].input_resized
    assert ours.shape == expected.shape and list(ours.shape[:2]) == entry["input_size_hw"]
    assert int((ours != expected).sum()) == 0


@pytest.mark.parametrize("name", IMAGES)
def test_encoder_reproduces_meta_embeddings(name, predictors, conformance, conformance_index):
    spec = conformance_index["images"][name]["image_embeddings"]
    expected = read_f32(conformance / spec["file"], spec["shape"])
    diff = float(np.abs(predictors[name].features.numpy() - expected).max())
    print(f"{name}: encoder max |ours - Meta| = {diff:.2e}")
    assert diff <= 1e-4


@pytest.mark.parametrize("name", IMAGES)
def test_decoder_graph_on_meta_decoder_inputs(name, official_model, conformance, conformance_index):
    """The module exported as decoder.onnx, fed Meta's embeddings and decoder_inputs, gives Meta's outputs."""
    entry = conformance_index["images"][name]
    embeddings = torch.from_numpy(read_f32(conformance / entry["image_embeddings"]["file"], [1, 256, 64, 64]))
    graph = MetaDecoderGraph(official_model)
    low_res_by_name = {}
    worst_iou = worst_logits = 0.0
    for prompt in entry["prompts"]:
        inputs = prompt["decoder_inputs"]
        expected = prompt["expected"]
        mask_input = torch.zeros(1, 1, 256, 256)
        if prompt["mask_input_from"]:
            source = prompt["mask_input_from"]
            mask_input = torch.from_numpy(low_res_by_name[source["prompt"]][source["candidate"]])[None, None]
        masks, iou, low_res = graph(
            embeddings,
            torch.tensor([inputs["point_coords"]], dtype=torch.float32),
            torch.tensor([inputs["point_labels"]], dtype=torch.float32),
            mask_input,
            torch.tensor([inputs["has_mask_input"]], dtype=torch.float32),
            torch.tensor(inputs["orig_im_size"], dtype=torch.float32),
        )
        tokens = inputs["output_index"]
        low_res_by_name[prompt["name"]] = low_res[0, tokens].numpy()
        want_logits = read_f32(conformance / expected["low_res_logits"]["file"], expected["low_res_logits"]["shape"])
        worst_iou = max(worst_iou, float(np.abs(iou[0, tokens].numpy() - expected["iou_predictions"]).max()))
        worst_logits = max(worst_logits, float(np.abs(low_res[0, tokens].numpy() - want_logits).max()))
        for k, token in enumerate(tokens):
            ours = (masks[0, token] > 0).numpy()
            assert mask_iou(ours, rle.decode(expected["masks"][k])) >= 0.999, (prompt["name"], token)
    print(f"{name}: decoder max diff iou {worst_iou:.2e}, low-res logits {worst_logits:.2e}")
    assert worst_iou <= 1e-3 and worst_logits <= 1e-3


@pytest.mark.parametrize("name", IMAGES)
def test_predictor_from_image_prompts(name, predictors, conformance, conformance_index):
    """The reference pipeline (image-pixel prompts → Meta's predictor semantics) gives Meta's outputs."""
    low_res_by_name = {}
    for prompt in conformance_index["images"][name]["prompts"]:
        expected = prompt["expected"]
        source = prompt["mask_input_from"]
        mask_input = low_res_by_name[source["prompt"]][source["candidate"]] if source else None
        out = predictors[name].predict(prompt["point_coords"], prompt["point_labels"], prompt["box"], mask_input,
                                       prompt["multimask_output"])
        low_res_by_name[prompt["name"]] = out.low_res_logits
        inputs = prompt["decoder_inputs"]
        np.testing.assert_array_equal(out.point_coords, np.asarray(inputs["point_coords"], dtype=np.float32))
        assert out.point_labels.tolist() == inputs["point_labels"] and out.output_index == inputs["output_index"]
        want_logits = read_f32(conformance / expected["low_res_logits"]["file"], expected["low_res_logits"]["shape"])
        assert np.abs(out.iou_predictions - expected["iou_predictions"]).max() <= 1e-3
        assert np.abs(out.low_res_logits - want_logits).max() <= 1e-3
        for k, want in enumerate(expected["masks"]):
            assert mask_iou(out.masks[k], rle.decode(want)) >= 0.999, (prompt["name"], k)


def test_rle_codec_reproduces_meta_strings(conformance_index):
    checked = 0
    for entry in conformance_index["images"].values():
        for prompt in entry["prompts"]:
            for want in prompt["expected"]["masks"]:
                mask = rle.decode(want)
                assert mask.shape == tuple(want["size"])
                assert rle.encode(mask) == {"size": want["size"], "counts": want["counts"]}
                assert int(mask.sum()) == want["area"] == rle.area(want)
                checked += 1
    assert checked == 2 * (4 * 3 + 4 * 1 + 3 + 1)


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js with onnxruntime-node")
def test_exported_onnx_reproduces_meta(official_model, conformance, conformance_index, predictors, tmp_path):
    """encoder.onnx / decoder.onnx of the conformance checkpoint, run by onnxruntime-node on Meta's inputs."""
    export_model(official_model, tmp_path, ExportSource(checkpoint=conformance / "sam_tiny_official.pth"),
                 ExportOptions())
    (tmp_path / "runs").mkdir()
    runs = OnnxRuns(tmp_path / "runs", tmp_path)
    tokens_of, expected_of = {}, {}
    for name in IMAGES:
        entry = conformance_index["images"][name]
        embeddings = torch.from_numpy(read_f32(conformance / entry["image_embeddings"]["file"], [1, 256, 64, 64]))
        runs.add(f"{name}-encoder", "encoder.onnx", {"image": predictors[name].model_input},
                 {"image_embeddings": embeddings})
        low_res = {}
        for prompt in entry["prompts"]:
            inputs, expected = prompt["decoder_inputs"], prompt["expected"]
            want = read_f32(conformance / expected["low_res_logits"]["file"], expected["low_res_logits"]["shape"])
            low_res[prompt["name"]] = want
            source = prompt["mask_input_from"]
            mask = low_res[source["prompt"]][source["candidate"]] if source else np.zeros((256, 256), np.float32)
            run_id = f"{name}-{prompt['name']}"
            tokens_of[run_id], expected_of[run_id] = inputs["output_index"], (want, expected)
            runs.add(run_id, "decoder.onnx", {
                "image_embeddings": embeddings,
                "point_coords": torch.tensor([inputs["point_coords"]]),
                "point_labels": torch.tensor([inputs["point_labels"]]),
                "mask_input": torch.from_numpy(mask)[None, None],
                "has_mask_input": torch.tensor([inputs["has_mask_input"]]),
                "orig_im_size": torch.tensor(inputs["orig_im_size"]),
            }, {"masks": None, "iou_predictions": None, "low_res_masks": None})
    got = runs.run()
    encoder_diff = max(float(np.abs(got[f"{n}-encoder"]["image_embeddings"] - runs.expected[f"{n}-encoder"]
                                    ["image_embeddings"]).max()) for n in IMAGES)
    worst_iou = worst_logits = 0.0
    for run_id, tokens in tokens_of.items():
        want, expected = expected_of[run_id]
        worst_iou = max(worst_iou, float(np.abs(got[run_id]["iou_predictions"][0, tokens]
                                                - expected["iou_predictions"]).max()))
        worst_logits = max(worst_logits, float(np.abs(got[run_id]["low_res_masks"][0, tokens] - want).max()))
        for k, token in enumerate(tokens):
            assert mask_iou(got[run_id]["masks"][0, token] > 0, rle.decode(expected["masks"][k])) >= 0.999
    print(f"ONNX vs Meta: embeddings {encoder_diff:.2e}, iou {worst_iou:.2e}, low-res logits {worst_logits:.2e}")
    assert encoder_diff <= 1e-4 and worst_iou <= 1e-3 and worst_logits <= 1e-3
