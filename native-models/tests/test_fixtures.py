"""The committed fixtures are what make_fixtures.py produces now (byte for byte, but for float rounding across
CPUs) and are self-consistent."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

import make_fixtures
from fixture_diff import file_differences
from sam_tools import rle
from sam_tools.sam import sha256_file
from sam_tools.smoke import OnnxRuns

COMMITTED = Path(make_fixtures.NATIVE_MODELS).parent / "tests" / "fixtures"
GENERATED = ("models", "reference", "images")
FAST_VARIANT_FOLDERS = ("fast", "mobile-sam-preprocess", "efficientvit-xanylabeling", "efficientvit-official")


def files_under(root: Path):
    """Generated files (the README.md files beside them are written by hand); SAM 2's fixtures have their own
    generator and test (make_sam2_fixtures.py, test_sam2_fixtures.py)."""
    return sorted(
        p.relative_to(root) for sub in GENERATED for p in (root / sub).rglob("*")
        if p.is_file() and p.suffix != ".md" and not _made_by_another_generator(p.relative_to(root / sub))
    )


# Folders written by make_edge_hq_fixtures.py (checked by test_edge_hq_fixtures.py).
EDGE_HQ_FOLDERS = {"edgesam-tiny-random", "tiny-random-hf-boxes", "edgesam", "samhq-tiny-random", "samhq"}


def _made_by_another_generator(relative: Path) -> bool:
    # ... and the other generators' folders (issue 15), which have their own regeneration checks.
    return (
        relative.parts[0].startswith("sam2")
        or relative.parts[0] in EDGE_HQ_FOLDERS
        or relative.parts[0] in FAST_VARIANT_FOLDERS
    )


@pytest.mark.skipif(shutil.which("node") is None, reason="make_fixtures runs the export smoke test (Node.js)")
def test_regenerating_gives_the_committed_bytes(tmp_path):
    make_fixtures.main(["--out", str(tmp_path)])
    assert files_under(tmp_path) == files_under(COMMITTED)
    differing = {str(p): why for p in files_under(tmp_path) if (why := file_differences(tmp_path / p, COMMITTED / p))}
    assert not differing, f"fixtures are stale; rerun {make_fixtures.COMMAND}: {differing}"


def test_fixture_sizes_stay_small():
    total = sum((COMMITTED / p).stat().st_size for p in files_under(COMMITTED))
    assert total < 3_000_000
    for folder in ("tiny-random", "tiny-random-hf"):
        assert sum(f.stat().st_size for f in (COMMITTED / "models" / folder).iterdir()) < 1_000_000


def test_manifests_describe_the_model_files():
    for folder in ("tiny-random", "tiny-random-hf"):
        manifest = json.loads((COMMITTED / "models" / folder / "manifest.json").read_text())
        for entry in manifest["files"].values():
            assert entry["sha256"] == sha256_file(COMMITTED / "models" / folder / entry["path"])
        assert manifest["source"]["seed"] == make_fixtures.MODEL_SEED and manifest["demo"] is False


def test_reference_index_is_consistent():
    index = json.loads((COMMITTED / "reference" / "index.json").read_text())
    assert set(index["images"]) == {"wide", "tall"}
    for entry in index["images"].values():
        h, w = entry["original_size_hw"]
        assert (w > h) == (entry["file"] == "wide.png")
        embeddings = np.fromfile(COMMITTED / "reference" / entry["image_embeddings"]["file"], dtype="<f4")
        assert embeddings.size == np.prod(entry["image_embeddings"]["shape"])
        for prompt in entry["prompts"]:
            expected = prompt["expected"]
            count = len(prompt["decoder_inputs"]["output_index"])
            assert len(expected["masks"]) == len(expected["iou_predictions"]) == count
            assert len(expected["stability_scores"]) == count
            for mask in expected["masks"]:
                decoded = rle.decode(mask)
                assert decoded.shape == (h, w) and int(decoded.sum()) == mask["area"]
                assert 0 < mask["area"] < h * w  # the random model's masks are neither empty nor full


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js with onnxruntime-node")
def test_committed_onnx_models_reproduce_the_reference(tmp_path):
    """onnxruntime-node on the committed graphs, fed the recorded inputs, gives the recorded outputs."""
    index = json.loads((COMMITTED / "reference" / "index.json").read_text())
    ref, models = COMMITTED / "reference", COMMITTED / "models"
    manifest = json.loads((models / "tiny-random" / "manifest.json").read_text())
    mean = torch.tensor(manifest["pixel_mean"]).view(3, 1, 1)
    std = torch.tensor(manifest["pixel_std"]).view(3, 1, 1)

    def f32(name, shape):
        return torch.from_numpy(np.fromfile(ref / name, dtype="<f4").reshape(shape))

    def runs(name, folder):
        (tmp_path / name).mkdir()
        return OnnxRuns(tmp_path / name, models / folder)

    encoders, meta, hf = runs("enc", "tiny-random"), runs("meta", "tiny-random"), runs("hf", "tiny-random-hf")
    tokens_of, masks_of = {}, {}
    for image, entry in index["images"].items():
        resized = np.asarray(Image.open(ref / entry["input_resized"]).convert("RGB"), dtype=np.float32)
        pixels = (torch.from_numpy(resized).permute(2, 0, 1) - mean) / std
        model_input = F.pad(pixels, (0, 256 - pixels.shape[2], 0, 256 - pixels.shape[1]))[None]
        embeddings = f32(entry["image_embeddings"]["file"], entry["image_embeddings"]["shape"])
        encoders.add(image, "encoder.onnx", {"image": model_input}, {"image_embeddings": embeddings})
        low_res = {}
        for prompt in entry["prompts"]:
            inputs, expected = prompt["decoder_inputs"], prompt["expected"]
            want = f32(expected["low_res_logits"]["file"], expected["low_res_logits"]["shape"])
            low_res[prompt["name"]] = want
            source = prompt["mask_input_from"]
            mask = low_res[source["prompt"]][source["candidate"]] if source else torch.zeros(64, 64)
            run_id = f"{image}-{prompt['name']}"
            tokens_of[run_id], masks_of[run_id] = inputs["output_index"], expected["masks"]
            meta.add(run_id, "decoder.onnx", {
                "image_embeddings": embeddings,
                "point_coords": torch.tensor([inputs["point_coords"]]),
                "point_labels": torch.tensor([inputs["point_labels"]]),
                "mask_input": mask[None, None],
                "has_mask_input": torch.tensor([inputs["has_mask_input"]]),
                "orig_im_size": torch.tensor(inputs["orig_im_size"]),
            }, {"low_res_masks": want, "iou_predictions": torch.tensor(expected["iou_predictions"]), "masks": None})
            if prompt["name"] == "point1_multi":  # the one prompt the transformers.js layout can express
                hf.add(image, "prompt_encoder_mask_decoder.onnx", {
                    "image_embeddings": embeddings,
                    "image_positional_embeddings": make_fixtures.tiny_model().prompt_encoder.get_dense_pe(),
                    "input_points": torch.tensor([inputs["point_coords"][:1]])[None],
                    "input_labels": torch.tensor([[[1]]]),
                }, {"pred_masks": want[None, None], "iou_scores": torch.tensor([[expected["iou_predictions"]]])})

    worst = max(d for outs in encoders.max_abs_diffs().values() for d in outs.values())
    worst = max([worst] + [d for outs in hf.max_abs_diffs().values() for d in outs.values()])
    differing = 0
    for run_id, got in meta.run().items():
        want, tokens = meta.expected[run_id], tokens_of[run_id]
        worst = max(worst, float(np.abs(got["low_res_masks"][0, tokens] - want["low_res_masks"]).max()))
        worst = max(worst, float(np.abs(got["iou_predictions"][0, tokens] - want["iou_predictions"]).max()))
        for k, token in enumerate(tokens):
            ours, want_mask = got["masks"][0, token] > 0, rle.decode(masks_of[run_id][k])
            differing = max(differing, int((ours != want_mask).sum()))  # logits within 1e-5 of 0 may flip
            assert (ours & want_mask).sum() / max((ours | want_mask).sum(), 1) >= 0.999
    print(f"committed ONNX vs reference: max diff {worst:.2e}, at most {differing} mask pixels differ")
    assert worst <= 1e-4


def test_fixture_diff_allows_float_rounding_only(tmp_path):
    def write(name, payload):
        path = tmp_path / name
        path.write_text(json.dumps(payload)) if isinstance(payload, dict) else path.write_bytes(payload)
        return path

    mask = {"size": [2, 3], "counts": "0211"}
    old = write("old.json", {"iou": 1.7610319852, "area": 4, "segmentation": mask})
    assert file_differences(write("noise.json", {"iou": 1.7610318660, "area": 4, "segmentation": mask}), old) == []
    assert file_differences(write("iou.json", {"iou": 1.7620, "area": 4, "segmentation": mask}), old)
    assert file_differences(write("area.json", {"iou": 1.7610319852, "area": 5, "segmentation": mask}), old)
    moved = {"size": [2, 3], "counts": "0121"}
    assert file_differences(write("rle.json", {"iou": 1.7610319852, "area": 4, "segmentation": moved}), old)
    # With a mask tolerance, a flipped pixel passes while the area stays the mask's own; a moved mask does not.
    big = np.zeros((40, 50), dtype=bool)
    big[5:30, 10:40] = True
    flipped = big.copy()
    flipped[5, 10] = False
    as_json = lambda m: {**rle.encode(m), "area": int(m.sum())}  # noqa: E731
    big_old = write("big.json", {"m": as_json(big)})
    assert file_differences(write("flip.json", {"m": as_json(flipped)}), big_old, mask_tolerance=1e-3) == []
    assert file_differences(write("flip_exact.json", {"m": as_json(flipped)}), big_old)
    wrong_area = {**as_json(flipped), "area": int(big.sum())}
    assert file_differences(write("area_lie.json", {"m": wrong_area}), big_old, mask_tolerance=1e-3)
    shifted = np.roll(big, 3, axis=1)
    assert file_differences(write("shift.json", {"m": as_json(shifted)}), big_old, mask_tolerance=1e-3)
    logits = np.array([12.193352, -3.5, 0.0], dtype="<f4")
    old_f32 = write("old.f32", logits.tobytes())
    assert file_differences(write("noise.f32", (logits + np.float32(4e-5)).tobytes()), old_f32) == []
    assert file_differences(write("off.f32", (logits + np.float32(1e-2)).tobytes()), old_f32)
    assert file_differences(write("short.f32", logits[:2].tobytes()), old_f32)
    assert file_differences(write("model.onnx", b"\x01"), write("old.onnx", b"\x02")) == ["bytes differ"]
