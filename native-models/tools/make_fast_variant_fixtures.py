#!/usr/bin/python3
"""Regenerate the fast-variant fixtures (issue 15): tiny random MobileSAM / EfficientViT-SAM models in the ONNX
layouts other tools publish, and their PyTorch reference outputs on the reference images.

  /usr/bin/python3 native-models/tools/make_fast_variant_fixtures.py [--out tests/fixtures]

Writes, under the fixtures folder (each model folder is a downloaded-style pair: no manifest.json):
  models/mobile-sam-preprocess/      mobile_sam.encoder.onnx (input_image f32 [h,w,3]) + Meta's decoder
  models/efficientvit-xanylabeling/  efficientvit_sam_tiny.{encoder,decoder}.onnx (encoder uint8 [H,W,3])
  models/efficientvit-official/      encoder.onnx (f32 [1,3,Se,Se]) + decoder.onnx (official 3-in/2-out)
  reference/fast/<layout>/           index.json + low-res logits, in reference/README.md's format; the images are
                                     reference/wide.png and reference/tall.png.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Dict, Optional

import numpy as np
from PIL import Image

NATIVE_MODELS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(NATIVE_MODELS))
sys.path.insert(0, str(NATIVE_MODELS / "tools"))

from make_fixtures import IMAGES, f32_list, prompt_sets  # noqa: E402
from sam_tools import rle  # noqa: E402
from sam_tools.exporter import export_graph  # noqa: E402
from sam_tools.fast_variants import (  # noqa: E402
    EncoderFramePredictor,
    fast_graph_specs,
    tiny_efficientvit_sam,
    tiny_mobile_sam,
)

COMMAND = "/usr/bin/python3 native-models/tools/make_fast_variant_fixtures.py"
SEED = 4
OPSET = 17
BUILDERS = {
    "mobile-sam-preprocess": tiny_mobile_sam,
    "efficientvit-xanylabeling": tiny_efficientvit_sam,
    "efficientvit-official": tiny_efficientvit_sam,
}
# The official EfficientViT-SAM decoder has no mask input: no refinement prompt.
HAS_MASK_INPUT = {"mobile-sam-preprocess": True, "efficientvit-xanylabeling": True, "efficientvit-official": False}
# X-AnyLabeling exported its EfficientViT-SAM decoder with Meta's --return-single-mask: one mask per prompt.
SINGLE_MASK = {"efficientvit-xanylabeling"}


def write_model(layout: str, folder: Path):
    model = BUILDERS[layout](SEED)
    folder.mkdir(parents=True, exist_ok=True)
    for spec in fast_graph_specs(model, layout):
        export_graph(spec, folder, OPSET, external_data=False)
    return model


def write_reference(layout: str, model, ref_root: Path, ref_dir: Path) -> None:
    ref_dir.mkdir(parents=True, exist_ok=True)
    predictor = EncoderFramePredictor(model, layout)
    index = {
        "about": f"PyTorch reference outputs (Meta's SamPredictor semantics, decoder frame S = "
        f"{model.image_encoder.img_size}) of the tiny random {layout} model. See ../../README.md.",
        "generator": COMMAND,
        "models": {layout: f"../../../models/{layout}"},
        "seed": SEED,
        "images": {},
    }
    for name, spec in IMAGES.items():
        image = np.asarray(Image.open(ref_root / f"{name}.png").convert("RGB"))
        predictor.set_image(image)
        (ref_dir / name).mkdir(exist_ok=True)
        embeddings = predictor.features.numpy()
        embeddings.astype("<f4").tofile(ref_dir / name / "image_embeddings.f32")
        entry = {
            "file": f"../../{name}.png",
            "original_size_hw": list(image.shape[:2]),
            "image_embeddings": {"file": f"{name}/image_embeddings.f32", "shape": list(embeddings.shape)},
            "prompts": [],
        }
        low_res: Dict[str, np.ndarray] = {}
        ious: Dict[str, np.ndarray] = {}
        for prompt in prompt_sets(spec["prompts"]):
            source = prompt.get("mask_input_from")
            if source and not HAS_MASK_INPUT[layout]:
                continue
            mask_input: Optional[np.ndarray] = None
            if source:
                candidate = int(np.argmax(ious[source["prompt"]]))
                source = {"prompt": source["prompt"], "candidate": candidate}
                mask_input = low_res[source["prompt"]][candidate]
            if layout in SINGLE_MASK:
                out = predictor.predict_single_mask(prompt["point_coords"], prompt["point_labels"], prompt["box"],
                                                    mask_input)
            else:
                out = predictor.predict(prompt["point_coords"], prompt["point_labels"], prompt["box"], mask_input,
                                        prompt["multimask_output"])
            low_res[prompt["name"]], ious[prompt["name"]] = out.low_res_logits, out.iou_predictions
            logits_file = f"{name}/{prompt['name']}.low_res_logits.f32"
            out.low_res_logits.astype("<f4").tofile(ref_dir / logits_file)
            entry["prompts"].append({
                "name": prompt["name"],
                "point_coords": [list(p) for p in prompt["point_coords"]] if prompt["point_coords"] else None,
                "point_labels": prompt["point_labels"],
                "box": list(prompt["box"]) if prompt["box"] else None,
                "multimask_output": prompt["multimask_output"],
                "mask_input_from": source,
                "expected": {
                    "iou_predictions": f32_list(out.iou_predictions),
                    "low_res_logits": {"file": logits_file, "shape": list(out.low_res_logits.shape)},
                    "masks": [{**rle.encode(m), "area": int(m.sum())} for m in out.masks],
                    "stability_scores": f32_list(out.stability_scores),
                },
            })
        index["images"][name] = entry
    (ref_dir / "index.json").write_text(json.dumps(index, indent=1) + "\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=NATIVE_MODELS.parent / "tests" / "fixtures")
    args = parser.parse_args(argv)
    for layout in BUILDERS:
        model = write_model(layout, args.out / "models" / layout)
        write_reference(layout, model, args.out / "reference", args.out / "reference" / "fast" / layout)
        size = sum(f.stat().st_size for f in (args.out / "models" / layout).rglob("*") if f.is_file())
        print(f"{layout}: model folder {size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
