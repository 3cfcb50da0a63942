#!/usr/bin/python3
"""Regenerate the issue 15 (part 2) fixtures: more SAM variants' ONNX layouts, tiny and seeded.

  /usr/bin/python3 native-models/tools/make_edge_hq_fixtures.py [--out tests/fixtures]

Writes, under the fixtures folder:
  models/tiny-random-hf-boxes/  the tiny_test SAM of make_fixtures.py (seed 4) in the transformers.js layout
                                with `input_boxes`; its reference outputs are reference/ (same weights)
  models/edgesam-tiny-random/   a tiny EdgeSAM (RepViT encoder, seed 19) in EdgeSAM's own ONNX layout
  reference/edgesam/            PyTorch reference outputs of that model (index.json as reference/README.md)
  models/samhq-tiny-random/     a tiny SAM-HQ (ViT with four global blocks + HQ decoder, seed 15), sam-hq's
                                ONNX decoder contract and an encoder that also outputs interm_embeddings
  reference/samhq/              PyTorch reference outputs of that model
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Dict, List

import numpy as np
import torch
from PIL import Image

NATIVE_MODELS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(NATIVE_MODELS))
sys.path.insert(0, str(NATIVE_MODELS / "tools"))

from make_fixtures import FIXED_DATE, IMAGES, MODEL_SEED, MODEL_TYPE, draw_image, f32_list, prompt_sets  # noqa: E402
from make_fixtures import tiny_model  # noqa: E402
from sam_tools import Sam, randomize_  # noqa: E402
from sam_tools import rle  # noqa: E402
from sam_tools.edgesam import (  # noqa: E402
    TINY_EDGESAM_DEPTHS,
    TINY_EDGESAM_WIDTHS,
    EdgeSamDecoderGraph,
    EdgeSamPredictor,
    build_edgesam,
)
from sam_tools.exporter import ExportOptions, ExportSource, GraphSpec, build_manifest, export_graph  # noqa: E402
from sam_tools.exporter import export_model  # noqa: E402
from sam_tools.onnx_models import ImageEncoderGraph  # noqa: E402
from sam_tools.predictor import Predictor  # noqa: E402
from sam_tools.samhq import SamHqDecoderGraph, SamHqEncoderGraph, SamHqPredictor, build_samhq  # noqa: E402
from sam_tools.smoke import run_smoke  # noqa: E402

COMMAND = "/usr/bin/python3 native-models/tools/make_edge_hq_fixtures.py"
EDGESAM_SEED = 19  # chosen so the stability rule keeps tokens 0, 1 and 2 across the single-mask prompts
EDGESAM_OPSET = 11  # EdgeSAM's own export uses opset 11
EDGESAM_PADDING_RULE = (
    "point_coords/point_labels [1, N]: the points, then the box corners (labels 2, 3) if there is a box; without "
    "a box the caller appends one (0, 0) point labelled -1 (Meta's SamPredictor pads; the graph does not). "
    "Outputs all four tokens: scores [1, 4], masks [1, 4, 4g, 4g] low-res logits; no mask input, no image size."
)


def tiny_edgesam() -> Sam:
    return randomize_(build_edgesam(), EDGESAM_SEED)


def edgesam_specs(model: Sam):
    cfg = model.config
    s, c, g = cfg.img_size, cfg.prompt_embed_dim, cfg.grid
    gen = torch.Generator().manual_seed(0)
    return [
        GraphSpec("encoder", "encoder.onnx", ImageEncoderGraph(model), (torch.randn(1, 3, s, s, generator=gen),),
                  ["image"], ["image_embeddings"], {}),
        GraphSpec("decoder", "decoder.onnx", EdgeSamDecoderGraph(model),
                  (torch.randn(1, c, g, g, generator=gen), torch.randint(0, s, (1, 5, 2), generator=gen).float(),
                   torch.randint(-1, 4, (1, 5), generator=gen).float()),
                  ["image_embeddings", "point_coords", "point_labels"], ["scores", "masks"],
                  {"point_coords": {1: "num_points"}, "point_labels": {1: "num_points"}}),
    ]


def write_edgesam(model: Sam, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    files = {spec.role: export_graph(spec, folder, EDGESAM_OPSET, False) for spec in edgesam_specs(model)}
    options = ExportOptions(layout="sam-annotate", name=folder.name, variant="edgesam_tiny_test", command=COMMAND,
                            date=FIXED_DATE, opset=EDGESAM_OPSET,
                            extra={"encoder": {"type": "repvit", "widths": list(TINY_EDGESAM_WIDTHS),
                                               "depths": list(TINY_EDGESAM_DEPTHS)}})
    manifest = build_manifest(model.config, files, ExportSource(seed=EDGESAM_SEED), options)
    manifest.update(family="edgesam", layout="edgesam", padding_rule=EDGESAM_PADDING_RULE)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


SAMHQ_SEED = 15
SAMHQ_PADDING_RULE = (
    "Meta's decoder feed (point_coords/point_labels: the points, then the box corners (labels 2, 3) if there is a "
    "box, else one (0, 0) point labelled -1; mask_input, has_mask_input, orig_im_size) plus interm_embeddings "
    "[K, 1, g, g, D], the encoder's global-block outputs (the graph reads the first). One mask out: token 0 + "
    "the HQ token (sam-hq export defaults: no --multimask-output, no --hq-token-only)."
)


def tiny_samhq() -> Sam:
    return randomize_(build_samhq(), SAMHQ_SEED)


def write_samhq(model: Sam, folder: Path) -> None:
    cfg = model.config
    s, c, g, low, d = cfg.img_size, cfg.prompt_embed_dim, cfg.grid, cfg.low_res_size, cfg.encoder_embed_dim
    k = len(cfg.encoder_global_attn_indexes)
    gen = torch.Generator().manual_seed(0)
    specs = [
        GraphSpec("encoder", "encoder.onnx", SamHqEncoderGraph(model), (torch.randn(1, 3, s, s, generator=gen),),
                  ["image"], ["image_embeddings", "interm_embeddings"], {}),
        GraphSpec("decoder", "decoder.onnx", SamHqDecoderGraph(model),
                  (torch.randn(1, c, g, g, generator=gen), torch.randn(k, 1, g, g, d, generator=gen),
                   torch.randint(0, s, (1, 5, 2), generator=gen).float(),
                   torch.randint(-1, 4, (1, 5), generator=gen).float(), torch.randn(1, 1, low, low, generator=gen),
                   torch.tensor([1.0]), torch.tensor([1500.0, 2250.0])),
                  ["image_embeddings", "interm_embeddings", "point_coords", "point_labels", "mask_input",
                   "has_mask_input", "orig_im_size"], ["masks", "iou_predictions", "low_res_masks"],
                  {"point_coords": {1: "num_points"}, "point_labels": {1: "num_points"},
                   "masks": {2: "orig_im_height", 3: "orig_im_width"}}),
    ]
    folder.mkdir(parents=True, exist_ok=True)
    files = {spec.role: export_graph(spec, folder, 17, False) for spec in specs}
    options = ExportOptions(layout="sam-annotate", name=folder.name, variant="samhq_tiny_test", command=COMMAND,
                            date=FIXED_DATE, extra={"multimask_output": False, "hq_token_only": False})
    manifest = build_manifest(cfg, files, ExportSource(seed=SAMHQ_SEED), options)
    manifest.update(family="sam-hq", layout="sam-hq", padding_rule=SAMHQ_PADDING_RULE)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


def write_hf_boxes(folder: Path) -> None:
    model = tiny_model()
    options = ExportOptions(layout="transformers.js", hf_boxes=True, name=folder.name, variant=MODEL_TYPE,
                            command=COMMAND, date=FIXED_DATE)
    export_model(model, folder, ExportSource(seed=MODEL_SEED), options)
    run_smoke(model, folder, "transformers.js", hf_boxes=True)


def edgesam_prompts(named: dict) -> List[dict]:
    """make_fixtures' prompt sets but refinement: EdgeSAM's export has no mask input."""
    return [p for p in prompt_sets(named) if not p.get("mask_input_from")]


def samhq_prompts(named: dict) -> List[dict]:
    """make_fixtures' prompt sets as single-mask prompts (what the default SAM-HQ export computes: token 0 +
    the HQ token), refinement included."""
    prompts = []
    for p in prompt_sets(named):
        name = p["name"].replace("_multi", "_single")
        source = p.get("mask_input_from")
        if source:
            source = {"prompt": source["prompt"].replace("_multi", "_single"), "candidate": 0}
        prompts.append({**p, "name": name, "multimask_output": False,
                        **({"mask_input_from": source} if source else {})})
    return prompts


def write_reference(predictor: Predictor, ref_dir: Path, about: dict, prompts_of) -> dict:
    """reference/README.md's format for the predictor's model, on make_fixtures' images and `prompts_of(named
    points)`; a prompt's `mask_input_from` names an earlier prompt and candidate."""
    ref_dir.mkdir(parents=True, exist_ok=True)
    index = {**about, "generator": COMMAND, "config": predictor.model.config.to_json_dict(), "images": {}}
    for name, spec in IMAGES.items():
        image = draw_image(*spec["size"], spec["shapes"], seed=len(name))
        (ref_dir / name).mkdir(exist_ok=True)
        predictor.set_image(image)
        embeddings = predictor.features.numpy()
        embeddings.astype("<f4").tofile(ref_dir / name / "image_embeddings.f32")
        Image.fromarray(predictor.input_resized).save(ref_dir / name / "input_resized.png")
        entry = {
            "file": f"../{name}.png",  # the images of make_fixtures.py, drawn the same way
            "original_size_hw": list(image.shape[:2]),
            "input_size_hw": list(predictor.input_size),
            "input_resized": f"{name}/input_resized.png",
            "image_embeddings": {"file": f"{name}/image_embeddings.f32", "shape": list(embeddings.shape)},
            "prompts": [],
        }
        low_res: Dict[str, np.ndarray] = {}
        for prompt in prompts_of(spec["prompts"]):
            source = prompt.get("mask_input_from")
            mask_input = low_res[source["prompt"]][source["candidate"]] if source else None
            out = predictor.predict(prompt["point_coords"], prompt["point_labels"], prompt["box"], mask_input,
                                    prompt["multimask_output"])
            low_res[prompt["name"]] = out.low_res_logits
            logits_file = f"{name}/{prompt['name']}.low_res_logits.f32"
            out.low_res_logits.astype("<f4").tofile(ref_dir / logits_file)
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
                    "has_mask_input": 1.0 if source else 0.0,
                    "orig_im_size": [float(v) for v in image.shape[:2]],
                    "output_index": out.output_index,
                },
                "expected": {
                    "iou_predictions": f32_list(out.iou_predictions),
                    "low_res_logits": {"file": logits_file, "shape": list(out.low_res_logits.shape)},
                    "masks": [{**rle.encode(m), "area": int(m.sum())} for m in out.masks],
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
    models = args.out / "models"
    written: Dict[str, Path] = {"tiny-random-hf-boxes": models / "tiny-random-hf-boxes",
                                "edgesam-tiny-random": models / "edgesam-tiny-random",
                                "reference/edgesam": args.out / "reference" / "edgesam",
                                "samhq-tiny-random": models / "samhq-tiny-random",
                                "reference/samhq": args.out / "reference" / "samhq"}
    write_hf_boxes(written["tiny-random-hf-boxes"])
    edgesam = tiny_edgesam()
    write_edgesam(edgesam, written["edgesam-tiny-random"])
    write_reference(EdgeSamPredictor(edgesam), written["reference/edgesam"], {
        "about": "PyTorch reference outputs of the tiny random EdgeSAM (Meta's SamPredictor semantics; single "
        "mask = the token of the four with the highest low-res stability score). See ../README.md.",
        "models": {"edgesam": "../../models/edgesam-tiny-random"}, "seed": EDGESAM_SEED}, edgesam_prompts)
    samhq = tiny_samhq()
    write_samhq(samhq, written["samhq-tiny-random"])
    write_reference(SamHqPredictor(samhq), written["reference/samhq"], {
        "about": "PyTorch reference outputs of the tiny random SAM-HQ (sam-hq's predictor, one mask per prompt: "
        "token 0 + the HQ token, as its default ONNX export). See ../README.md.",
        "models": {"samhq": "../../models/samhq-tiny-random"}, "seed": SAMHQ_SEED}, samhq_prompts)
    for label, folder in written.items():
        size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
        print(f"{label}: {size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
