#!/usr/bin/python3
"""Regenerate the committed test fixtures (deterministic: same bytes on every run on the same CPU; another CPU
changes the last bits of floats, which the tests allow: tools/fixture_diff.py).

  /usr/bin/python3 native-models/tools/make_fixtures.py [--out tests/fixtures]

Writes, under the fixtures folder:
  models/tiny-random/     tiny SAM (tiny_test config, seeded random weights), sam-annotate layout
  models/tiny-random-hf/  the same weights, transformers.js layout
  reference/              PyTorch reference outputs of that model on generated images (reference/README.md)
  images/                 small files for the image-loader tests (images/README.md)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np
from PIL import Image, ImageDraw

NATIVE_MODELS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(NATIVE_MODELS))
sys.path.insert(0, str(NATIVE_MODELS / "tools"))

from loader_images import write_loader_images  # noqa: E402
from sam_tools import PRESETS, Sam, build_sam, randomize_  # noqa: E402
from sam_tools import rle  # noqa: E402
from sam_tools.exporter import ExportOptions, ExportSource, export_model  # noqa: E402
from sam_tools.predictor import Predictor  # noqa: E402
from sam_tools.smoke import run_smoke  # noqa: E402

COMMAND = "/usr/bin/python3 native-models/tools/make_fixtures.py"
MODEL_TYPE = "tiny_test"
MODEL_SEED = 4  # chosen so masks are neither empty nor full and stability scores spread over 0..0.9
FIXED_DATE = "2000-01-01T00:00:00Z"  # the manifests' export date, fixed so regenerating changes no byte


def tiny_model() -> Sam:
    return randomize_(build_sam(PRESETS[MODEL_TYPE]), MODEL_SEED)


def write_models(model: Sam, models_dir: Path) -> Dict[str, Path]:
    folders = {"sam-annotate": models_dir / "tiny-random", "transformers.js": models_dir / "tiny-random-hf"}
    for layout, folder in folders.items():
        # Meta's order of products in decoder.onnx: the fixtures stand for graphs made by Meta's exporter too
        options = ExportOptions(layout=layout, name=folder.name, variant=MODEL_TYPE, command=COMMAND, date=FIXED_DATE,
                                few_token_decoder=False)
        export_model(model, folder, ExportSource(seed=MODEL_SEED), options)
        run_smoke(model, folder, layout)
    return folders


# --- reference images and prompts (image pixels, x then y; boxes XYXY) -------------------------------------


def draw_image(width: int, height: int, shapes, seed: int) -> np.ndarray:
    """Gradient background with mild noise, then flat shapes: [(kind, xy, rgb)]."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width]
    background = np.stack([60 + 80 * xx / width, 90 + 60 * yy / height, 140 - 50 * xx / width], -1)
    background += rng.normal(0, 6, background.shape)
    image = Image.fromarray(np.clip(background, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for kind, xy, rgb in shapes:
        getattr(draw, kind)(xy, fill=rgb)
    return np.asarray(image)


IMAGES = {
    # Wider than tall, shrunk to 256×146 (PIL's antialiased bilinear path).
    "wide": dict(
        size=(320, 183),
        shapes=[
            ("ellipse", (35, 40, 145, 120), (220, 50, 40)),
            ("rectangle", (180, 40, 290, 140), (40, 60, 200)),
            ("polygon", [(20, 175), (120, 120), (150, 178)], (40, 180, 60)),
        ],
        prompts=dict(point=(90, 80), pos2=(235, 90), neg=(135, 160), box=(170, 30, 300, 150), box_neg=(230, 95)),
    ),
    # Taller than wide, enlarged to 167×256 (upscaling path).
    "tall": dict(
        size=(150, 230),
        shapes=[
            ("ellipse", (30, 25, 120, 95), (230, 200, 40)),
            ("rectangle", (20, 120, 130, 210), (120, 40, 150)),
            ("ellipse", (98, 138, 122, 162), (20, 20, 20)),
        ],
        prompts=dict(point=(75, 165), pos2=(40, 190), neg=(110, 150), box=(15, 15, 135, 105), box_neg=(75, 60)),
    ),
}


def prompt_sets(p: dict) -> List[dict]:
    """The five prompt sets of reference/README.md, for one image's named points."""
    return [
        dict(name="point1_multi", point_coords=[p["point"]], point_labels=[1], box=None, multimask_output=True),
        dict(name="points3_single", point_coords=[p["point"], p["pos2"], p["neg"]], point_labels=[1, 1, 0],
             box=None, multimask_output=False),
        dict(name="box_single", point_coords=None, point_labels=None, box=p["box"], multimask_output=False),
        dict(name="box_neg_multi", point_coords=[p["box_neg"]], point_labels=[0], box=p["box"],
             multimask_output=True),
        # Refinement: the three points again, with the best first-click candidate's logits as mask_input.
        dict(name="refine_single", point_coords=[p["point"], p["pos2"], p["neg"]], point_labels=[1, 1, 0],
             box=None, multimask_output=False, mask_input_from={"prompt": "point1_multi", "candidate": "best"}),
    ]


def f32_list(values) -> List[float]:
    return [float(v) for v in np.asarray(values, dtype=np.float32).ravel()]


def write_reference(model: Sam, ref_dir: Path, folders: Dict[str, Path]) -> dict:
    ref_dir.mkdir(parents=True, exist_ok=True)
    predictor = Predictor(model)
    index = {
        "about": "PyTorch reference outputs (Meta's SamPredictor semantics) of the tiny random SAM on generated "
        "images. See README.md.",
        "generator": COMMAND,
        "models": {layout: f"../models/{folder.name}" for layout, folder in folders.items()},
        "model_type": MODEL_TYPE,
        "seed": MODEL_SEED,
        "config": model.config.to_json_dict(),
        "images": {},
    }
    for name, spec in IMAGES.items():
        image = draw_image(*spec["size"], spec["shapes"], seed=len(name))
        Image.fromarray(image).save(ref_dir / f"{name}.png")
        (ref_dir / name).mkdir(exist_ok=True)
        predictor.set_image(image)
        Image.fromarray(predictor.input_resized).save(ref_dir / name / "input_resized.png")
        embeddings = predictor.features.numpy()
        embeddings.astype("<f4").tofile(ref_dir / name / "image_embeddings.f32")
        entry = {
            "file": f"{name}.png",
            "original_size_hw": list(image.shape[:2]),
            "input_size_hw": list(predictor.input_size),
            "input_resized": f"{name}/input_resized.png",
            "image_embeddings": {"file": f"{name}/image_embeddings.f32", "shape": list(embeddings.shape)},
            "prompts": [],
        }
        low_res_by_prompt: Dict[str, np.ndarray] = {}
        iou_by_prompt: Dict[str, np.ndarray] = {}
        for prompt in prompt_sets(spec["prompts"]):
            mask_input: Optional[np.ndarray] = None
            source = prompt.get("mask_input_from")
            if source:
                candidate = int(np.argmax(iou_by_prompt[source["prompt"]]))
                source = {"prompt": source["prompt"], "candidate": candidate}
                mask_input = low_res_by_prompt[source["prompt"]][candidate]
            out = predictor.predict(prompt["point_coords"], prompt["point_labels"], prompt["box"], mask_input,
                                    prompt["multimask_output"])
            low_res_by_prompt[prompt["name"]] = out.low_res_logits
            iou_by_prompt[prompt["name"]] = out.iou_predictions
            logits_file = f"{name}/{prompt['name']}.low_res_logits.f32"
            out.low_res_logits.astype("<f4").tofile(ref_dir / logits_file)
            masks = []
            for mask in out.masks:
                encoded = rle.encode(mask)
                masks.append({**encoded, "area": int(mask.sum())})
            entry["prompts"].append({
                "name": prompt["name"],
                "point_coords": [list(p) for p in prompt["point_coords"]] if prompt["point_coords"] else None,
                "point_labels": prompt["point_labels"],
                "box": list(prompt["box"]) if prompt["box"] else None,
                "multimask_output": prompt["multimask_output"],
                "mask_input_from": source,
                "decoder_inputs": {
                    "point_coords": [f32_list(p) for p in out.point_coords],
                    "point_labels": f32_list(out.point_labels),
                    "has_mask_input": 1.0 if mask_input is not None else 0.0,
                    "orig_im_size": [float(v) for v in image.shape[:2]],
                    "output_index": out.output_index,
                },
                "expected": {
                    "iou_predictions": f32_list(out.iou_predictions),
                    "low_res_logits": {"file": logits_file, "shape": list(out.low_res_logits.shape)},
                    "masks": masks,
                    "stability_scores": f32_list(out.stability_scores),
                },
            })
        index["images"][name] = entry
    (ref_dir / "index.json").write_text(json.dumps(index, indent=1) + "\n")
    return index


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=NATIVE_MODELS.parent / "tests" / "fixtures",
                        help="fixtures folder (default: tests/fixtures of this checkout)")
    args = parser.parse_args(argv)
    model = tiny_model()
    folders = write_models(model, args.out / "models")
    write_reference(model, args.out / "reference", folders)
    write_loader_images(args.out / "images")
    total = sum(f.stat().st_size for sub in ("models", "reference", "images") for f in (args.out / sub).rglob("*")
                if f.is_file())
    print(f"fixtures written to {args.out} ({total / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
