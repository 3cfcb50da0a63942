#!/usr/bin/python3
"""Regenerate the committed SAM 2.1 test fixtures (deterministic on one CPU; tools/fixture_diff.py allows the
float rounding of another).

  /usr/bin/python3 native-models/tools/make_sam2_fixtures.py [--out tests/fixtures]

Writes, under the fixtures folder:
  models/sam2-tiny-random/              tiny random SAM 2.1, sam-annotate layout
  models/sam2-tiny-random-samexporter/  the same weights, layout A (samexporter / X-AnyLabeling)
  models/sam2-tiny-random-rectlabel/    layout B (RectLabel / osam)
  models/sam2-tiny-random-hf/           layout D (transformers.js Sam2Model)
  reference/sam2/                       PyTorch reference (Meta's SAM2ImagePredictor semantics) on
                                        reference/wide.png and reference/tall.png, per layout (README.md there)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np
import torch
from PIL import Image

NATIVE_MODELS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(NATIVE_MODELS))
sys.path.insert(0, str(NATIVE_MODELS / "tools"))

from make_fixtures import IMAGES, f32_list  # noqa: E402
from sam_tools import rle  # noqa: E402
from sam_tools.exporter import ExportSource  # noqa: E402
from sam_tools.sam2 import Sam2Config, Sam2Image, build_sam2, randomize_sam2_  # noqa: E402
from sam_tools.sam2.decoder import stability_scores  # noqa: E402
from sam_tools.sam2.export import export_sam2  # noqa: E402
from sam_tools.sam2.predictor import Sam2Predictor, upscale_logits  # noqa: E402
from sam_tools.sam2.smoke import run_sam2_smoke  # noqa: E402

COMMAND = "/usr/bin/python3 native-models/tools/make_sam2_fixtures.py"
MODEL_SEED = 15  # masks neither empty nor full; the single-mask rule keeps token 0 on wide, falls back on tall
FIXED_DATE = "2000-01-01T00:00:00Z"
# Meta's Hiera-T layout shrunk: S = 256 (embedding 32×16×16, high-res 4×64×64 and 8×32×32, low-res masks 64×64),
# Meta's window sizes (so stage 3 and 4 windows pad, as at 1024), global attention in stage 3, 2.1 flags.
CONFIG = Sam2Config(embed_dim=8, num_heads=1, stages=(1, 1, 2, 1), global_att_blocks=(3,), image_size=256,
                    d_model=32, decoder_mlp_dim=64, decoder_num_heads=2, iou_head_hidden_dim=32, mask_in_chans=8,
                    window_pos_embed_bkg_spatial_size=(7, 7), window_spec=(8, 4, 14, 7))
FOLDERS = {"sam-annotate": "sam2-tiny-random", "samexporter": "sam2-tiny-random-samexporter",
           "rectlabel": "sam2-tiny-random-rectlabel", "transformers.js": "sam2-tiny-random-hf"}


def tiny_model() -> Sam2Image:
    return randomize_sam2_(build_sam2(CONFIG), MODEL_SEED)


def write_models(model: Sam2Image, models_dir: Path) -> None:
    for layout, folder in FOLDERS.items():
        # Meta's order of products in the decoder: the fixtures stand for graphs made by others' exporters too
        export_sam2(model, models_dir / folder, ExportSource(seed=MODEL_SEED), layout, "custom", name=folder,
                    command=COMMAND, date=FIXED_DATE, few_token_decoder=False)
        run_sam2_smoke(model, models_dir / folder, layout, folder)


def prompt_sets(p: dict) -> List[dict]:
    """Meta's prompt kinds, with multimask on and off where the rule differs (single: stability rule)."""
    three = [p["point"], p["pos2"], p["neg"]]
    return [
        dict(name="point1_multi", point_coords=[p["point"]], point_labels=[1], box=None, multimask_output=True),
        dict(name="point1_single", point_coords=[p["point"]], point_labels=[1], box=None, multimask_output=False),
        dict(name="points3_single", point_coords=three, point_labels=[1, 1, 0], box=None, multimask_output=False),
        dict(name="box_single", point_coords=None, point_labels=None, box=p["box"], multimask_output=False),
        dict(name="box_neg_multi", point_coords=[p["box_neg"]], point_labels=[0], box=p["box"],
             multimask_output=True),
        dict(name="refine_single", point_coords=three, point_labels=[1, 1, 0], box=None, multimask_output=False,
             mask_input_from="point1_multi"),
    ]


def masks_rle(masks: np.ndarray) -> List[dict]:
    return [{**rle.encode(m), "area": int(m.sum())} for m in masks]


def layout_io(prompt: dict, out, hw, has_mask: bool, files: Dict[str, str]) -> Dict[str, Optional[dict]]:
    """What each layout's decoder is fed for this prompt and which recorded arrays its outputs must equal."""
    coords = [f32_list(c) for c in out.point_coords]
    labels = f32_list(out.point_labels)
    meta_feeds = {"point_coords": [coords], "point_labels": [labels], "has_mask_input": [1.0 if has_mask else 0.0],
                  "mask_input": files.get("mask_input")}
    full = upscale_logits(torch.from_numpy(out.all_low_res_logits)[None], hw)[0].numpy() > 0
    hf = None
    if not has_mask:  # transformers.js has no mask input
        hf = {"feeds": {"input_points": [[coords + [[0.0, 0.0]]]], "input_labels": [[[int(v) for v in labels] + [-1]]],
                        "input_boxes": {"shape": [1, 0, 4]}},
              "outputs": {"iou_scores": "all_tokens.iou_predictions[1:4]",
                          "pred_masks": "all_tokens.low_res_logits[1:4] (unclamped)",
                          "object_score_logits": "all_tokens.object_score_logits"}}
        if prompt["box"] is not None:  # the same prompt through transformers.js's own input_boxes
            clicks = [c for c, v in zip(coords, labels) if v in (0.0, 1.0)]
            hf["native_feeds"] = {"input_points": [[clicks]], "input_labels": [[[int(v) for v in labels if v < 2]]],
                                  "input_boxes": [[coords[0] + coords[1]]]}
    return {
        "sam-annotate": {"feeds": meta_feeds,
                         "outputs": {"masks": "all_tokens.low_res_logits (unclamped)",
                                     "iou_predictions": "all_tokens.iou_predictions"}},
        "samexporter": {"feeds": meta_feeds,
                        "outputs": {"masks": "all_tokens.low_res_logits[1:4] clamped to ±32",
                                    "iou_predictions": "all_tokens.iou_predictions[1:4]"}},
        "rectlabel": {"feeds": {**meta_feeds, "orig_im_size": {"int64": list(hw)}},
                      "outputs": {"masks": "> 0 equals full_res_masks (bilinear of all 4 tokens to H×W)",
                                  "iou_predictions": "all_tokens.iou_predictions",
                                  "low_res_masks": "all_tokens.low_res_logits clamped to ±32"},
                      "full_res_masks": masks_rle(full)},
        "transformers.js": hf,
    }


def write_reference(model: Sam2Image, ref_root: Path) -> dict:
    ref_dir = ref_root / "sam2"
    ref_dir.mkdir(parents=True, exist_ok=True)
    predictor = Sam2Predictor(model)
    index = {
        "about": "PyTorch reference outputs (Meta's SAM2ImagePredictor semantics) of the tiny random SAM 2.1 on "
        "../wide.png and ../tall.png, with what each ONNX layout is fed and returns. See README.md.",
        "generator": COMMAND,
        "models": {layout: f"../../models/{folder}" for layout, folder in FOLDERS.items()},
        "seed": MODEL_SEED,
        "config": CONFIG.to_json_dict(),
        "images": {},
    }
    for name, spec in IMAGES.items():
        image = np.asarray(Image.open(ref_root / f"{name}.png").convert("RGB"))
        (ref_dir / name).mkdir(exist_ok=True)
        predictor.set_image(image)
        hw = tuple(image.shape[:2])
        entry = {"file": f"../{name}.png", "original_size_hw": list(hw), "prompts": []}
        arrays = {"input_tensor": predictor.input_tensor}
        arrays.update(zip(["image_embed", "high_res_feats_0", "high_res_feats_1"], predictor.features))
        for key, tensor in arrays.items():
            tensor.numpy().astype("<f4").tofile(ref_dir / name / f"{key}.f32")
            entry[key] = {"file": f"{name}/{key}.f32", "shape": list(tensor.shape)}
        results = {}
        for prompt in prompt_sets(spec["prompts"]):
            files: Dict[str, str] = {}
            mask_input = None
            source = prompt.get("mask_input_from")
            if source:
                best = results[source]
                token = best.tokens[int(np.argmax(best.iou_predictions))]
                mask_input = best.low_res_logits[int(np.argmax(best.iou_predictions))]
                files["mask_input"] = f"{name}/{prompt['name']}.mask_input.f32"
                mask_input.astype("<f4").tofile(ref_dir / files["mask_input"])
                source = {"prompt": source, "token": token}
            out = predictor.predict(prompt["point_coords"], prompt["point_labels"], prompt["box"], mask_input,
                                    prompt["multimask_output"])
            results[prompt["name"]] = out
            with torch.no_grad():
                _, _, score = model.decode_all(predictor.features, torch.from_numpy(out.point_coords[None]),
                                               torch.from_numpy(out.point_labels[None]),
                                               None if mask_input is None else torch.from_numpy(mask_input)[None, None])
            logits_file = f"{name}/{prompt['name']}.all_tokens.low_res_logits.f32"
            out.all_low_res_logits.astype("<f4").tofile(ref_dir / logits_file)
            delta = CONFIG.dynamic_multimask_stability_delta
            stability = stability_scores(torch.from_numpy(out.all_low_res_logits), delta)
            entry["prompts"].append({
                "name": prompt["name"],
                "point_coords": [list(p) for p in prompt["point_coords"]] if prompt["point_coords"] else None,
                "point_labels": prompt["point_labels"],
                "box": list(prompt["box"]) if prompt["box"] else None,
                "multimask_output": prompt["multimask_output"],
                "mask_input_from": source,
                "decoder_inputs": {"point_coords": [f32_list(c) for c in out.point_coords],
                                   "point_labels": f32_list(out.point_labels),
                                   "has_mask_input": 0.0 if mask_input is None else 1.0,
                                   "mask_input": files.get("mask_input")},
                "all_tokens": {"iou_predictions": f32_list(out.all_iou),
                               "low_res_logits": {"file": logits_file, "shape": list(out.all_low_res_logits.shape)},
                               "stability_scores": f32_list(stability),
                               "object_score_logits": f32_list(score[0])},
                "expected": {"tokens": list(out.tokens), "iou_predictions": f32_list(out.iou_predictions),
                             "masks": masks_rle(out.masks)},
                "layouts": layout_io(prompt, out, hw, mask_input is not None, files),
            })
        index["images"][name] = entry
    (ref_dir / "index.json").write_text(json.dumps(index, indent=1) + "\n")
    return index


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=NATIVE_MODELS.parent / "tests" / "fixtures",
                        help="fixtures folder (default: tests/fixtures of this checkout)")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)  # one kernel path: the same bytes on every run
    model = tiny_model()
    write_models(model, args.out / "models")
    reference = args.out / "reference"
    if not (reference / "wide.png").is_file():  # a fresh --out folder: the SAM 1 generator's images
        import make_fixtures

        reference.mkdir(parents=True, exist_ok=True)
        for name, spec in IMAGES.items():
            Image.fromarray(make_fixtures.draw_image(*spec["size"], spec["shapes"], seed=len(name))).save(
                reference / f"{name}.png")
    write_reference(model, reference)
    total = sum(f.stat().st_size for f in fixture_files(args.out))
    print(f"SAM 2 fixtures written to {args.out} ({total / 1e6:.2f} MB)")
    return 0


def fixture_files(root: Path) -> List[Path]:
    """Every file this generator writes under `root`."""
    found = [p for folder in FOLDERS.values() for p in (root / "models" / folder).rglob("*")]
    found += list((root / "reference" / "sam2").rglob("*"))
    return sorted(p for p in found if p.is_file() and p.suffix != ".md")


if __name__ == "__main__":
    sys.exit(main())
