"""Export a `Sam2Image` to a model folder: the two ONNX graphs of a layout plus `manifest.json`.

Layouts (native-models/LAYOUTS.md §3): `sam-annotate` (this project's), and the published `samexporter` (A),
`rectlabel` (B, RectLabel / osam) and `transformers.js` (D, onnx-community `Sam2Model`) contracts.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Dict, List, Optional

import onnx
import torch

from ..errors import SamToolsError
from ..exporter import MAX_OPSET, ExportSource, GraphSpec, export_graph
from ..sam import sha256_file
from .graphs import (
    EncoderGraph,
    HfSam2DecoderGraph,
    ProjectDecoderGraph,
    RectLabelDecoderGraph,
    SamexporterDecoderGraph,
)
from .model import Sam2Image

LAYOUTS = ("sam-annotate", "samexporter", "rectlabel", "transformers.js")

META_LABELS = {"positive": 1, "negative": 0, "box_top_left": 2, "box_bottom_right": 3, "padding": -1}
LABEL_CODES = {
    "sam-annotate": META_LABELS,
    "samexporter": META_LABELS,
    "rectlabel": META_LABELS,
    "transformers.js": {**META_LABELS, "filler": -10},
}
IN_GRAPH_PADDING = (
    "point_coords/point_labels: box corners first (labels 2, 3), then the clicks (1/0), in model-frame pixels "
    "(x*S/W, y*S/H); NO padding point: the graph appends (0, 0) label -1 itself, box or not (Meta's SAM 2 "
    "prompt encoder always does)."
)
PADDING_RULES = {
    "sam-annotate": IN_GRAPH_PADDING,
    "samexporter": IN_GRAPH_PADDING,
    "rectlabel": IN_GRAPH_PADDING,
    "transformers.js": (
        "input_points/input_labels [1, 1, n]: box corners as points (labels 2, 3) first, then the clicks, then "
        "(0, 0) label -1 appended by the caller (the graph appends none because it has input_boxes); "
        "input_boxes [1, 0, 4]. Native boxes (input_boxes [1, 1, 4]) go after the points and get no padding "
        "point, which is not Meta's SAM 2 prompt. No mask input; tokens 1..3 only."
    ),
}
TOKEN_RULES = {
    "sam-annotate": "all 4 tokens; multimask: 1..3; single: 0 unless its stability < thresh, then argmax IoU of 1..3",
    "samexporter": "tokens 1..3 only",
    "rectlabel": "all 4 tokens (masks at H×W, low_res_masks clamped ±32)",
    "transformers.js": "tokens 1..3 only",
}


def _files(layout: str, name: str) -> Dict[str, str]:
    if layout == "rectlabel":  # RectLabel / osam file names: <name>_preprocess.onnx is the encoder
        return {"encoder": f"{name}_preprocess.onnx", "decoder": f"{name}.onnx"}
    if layout == "transformers.js":
        return {"encoder": "vision_encoder.onnx", "decoder": "prompt_encoder_mask_decoder.onnx"}
    return {"encoder": "encoder.onnx", "decoder": "decoder.onnx"}


def graph_specs(model: Sam2Image, layout: str, name: str, few_token_decoder: bool = False) -> List[GraphSpec]:
    """The encoder and decoder of `layout`, with example inputs and dynamic axes. `few_token_decoder`: the
    sam-annotate decoder multiplies around the prompt's tokens (the other layouts stand for others' exporters)."""
    cfg = model.config
    s, c, g, low = cfg.image_size, cfg.d_model, cfg.grid, cfg.low_res_size
    gen = torch.Generator().manual_seed(0)
    image = torch.randn(1, 3, s, s, generator=gen)
    embed = torch.randn(1, c, g, g, generator=gen)
    feats_0 = torch.randn(1, c // 8, 4 * g, 4 * g, generator=gen)
    feats_1 = torch.randn(1, c // 4, 2 * g, 2 * g, generator=gen)
    coords = torch.randint(0, s, (1, 5, 2), generator=gen).float()
    labels = torch.tensor([[2.0, 3.0, 1.0, 0.0, 1.0]])
    mask = torch.randn(1, 1, low, low, generator=gen)
    has_mask = torch.tensor([1.0])
    files = _files(layout, name)
    batch_axes = {0: "num_labels", 1: "num_points"}
    if layout == "sam-annotate":
        names = ["image_embed", "high_res_feats_0", "high_res_feats_1"]
        return [
            GraphSpec("encoder", files["encoder"], EncoderGraph(model, "embed_first"), (image,), ["image"], names, {}),
            GraphSpec("decoder", files["decoder"], ProjectDecoderGraph(model, few_token_decoder),
                      (embed, feats_0, feats_1, coords, labels, mask, has_mask),
                      names + ["point_coords", "point_labels", "mask_input", "has_mask_input"],
                      ["masks", "iou_predictions"],
                      {"point_coords": {1: "num_points"}, "point_labels": {1: "num_points"}}),
        ]
    if layout == "samexporter":
        names = ["image_embed", "high_res_feats_0", "high_res_feats_1"]
        return [
            GraphSpec("encoder", files["encoder"], EncoderGraph(model, "high_res_first"), (image,), ["image"],
                      ["high_res_feats_0", "high_res_feats_1", "image_embed"], {}),
            GraphSpec("decoder", files["decoder"], SamexporterDecoderGraph(model),
                      (embed, feats_0, feats_1, coords, labels, mask, has_mask),
                      names + ["point_coords", "point_labels", "mask_input", "has_mask_input"],
                      ["masks", "iou_predictions"],
                      {"point_coords": batch_axes, "point_labels": batch_axes, "mask_input": {0: "num_labels"},
                       "has_mask_input": {0: "num_labels"}, "masks": {0: "num_labels"},
                       "iou_predictions": {0: "num_labels"}}),
        ]
    if layout == "rectlabel":
        names = ["image_embeddings", "high_res_features1", "high_res_features2"]
        return [
            GraphSpec("encoder", files["encoder"], EncoderGraph(model, "embed_first"), (image,), ["input"], names, {}),
            GraphSpec("decoder", files["decoder"], RectLabelDecoderGraph(model),
                      (embed, feats_0, feats_1, coords, labels, mask, has_mask, torch.tensor([s, s + 40])),
                      names + ["point_coords", "point_labels", "mask_input", "has_mask_input", "orig_im_size"],
                      ["masks", "iou_predictions", "low_res_masks"],
                      {"point_coords": batch_axes, "point_labels": batch_axes, "mask_input": {0: "num_labels"},
                       "has_mask_input": {0: "num_labels"},
                       "masks": {0: "num_labels", 2: "orig_im_height", 3: "orig_im_width"},
                       "iou_predictions": {0: "num_labels"}, "low_res_masks": {0: "num_labels"}}),
        ]
    if layout == "transformers.js":
        names = ["image_embeddings.0", "image_embeddings.1", "image_embeddings.2"]
        points_axes = {0: "batch_size", 1: "point_batch_size", 2: "num_points"}
        out_axes = {0: "batch_size", 1: "point_batch_size"}
        return [
            GraphSpec("encoder", files["encoder"], EncoderGraph(model, "high_res_first"), (image,),
                      ["pixel_values"], names, {n: {0: "batch_size"} for n in ["pixel_values", *names]}),
            GraphSpec("decoder", files["decoder"], HfSam2DecoderGraph(model),
                      (feats_0, feats_1, embed, coords[:, None, :3], torch.tensor([[[2, 3, 1]]]),
                       torch.tensor([[[10.0, 20.0, s / 2, s / 3]]])),
                      names + ["input_points", "input_labels", "input_boxes"],
                      ["iou_scores", "pred_masks", "object_score_logits"],
                      {**{n: {0: "batch_size"} for n in names}, "input_points": points_axes,
                       "input_labels": points_axes, "input_boxes": {0: "batch_size", 1: "num_boxes"},
                       "iou_scores": out_axes, "pred_masks": out_axes, "object_score_logits": out_axes}),
        ]
    raise SamToolsError(f"unknown SAM 2 layout {layout!r}; expected one of {', '.join(LAYOUTS)}")


def export_sam2(model: Sam2Image, out_dir: Path, source: ExportSource, layout: str, variant: str,
                name: Optional[str] = None, command: str = "", date: Optional[str] = None,
                opset: int = MAX_OPSET, few_token_decoder: bool = True) -> Dict[str, object]:
    """Write the layout's graphs and `manifest.json` into `out_dir`; → the manifest. `few_token_decoder`: see
    `graph_specs` (False: Meta's order of products, as the committed fixtures)."""
    if not 7 <= opset <= MAX_OPSET:
        raise SamToolsError(f"--opset {opset}: torch {torch.__version__} exports opsets up to {MAX_OPSET}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.eval()
    name = name or default_name(variant, source)
    specs = graph_specs(model, layout, name, few_token_decoder)
    files = {spec.role: export_graph(spec, out_dir, opset, None) for spec in specs}
    manifest = build_manifest(model, files, source, layout, variant, name, command, date, opset)
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def default_name(variant: str, source: ExportSource) -> str:
    if source.checkpoint is not None:
        return Path(source.checkpoint).stem
    base = variant if source.config_file is None else Path(source.config_file).stem
    return f"{base}-random-seed{source.seed}"


def build_manifest(model, files, source, layout, variant, name, command, date, opset) -> Dict[str, object]:
    cfg = model.config
    checkpoint = source.checkpoint
    return {
        "format": "sam-annotate-model",
        "format_version": 1,
        "name": name,
        # SAM 2 and 2.1 share every image-mode contract; the family only says which weights these are.
        "family": "sam2" if variant.startswith("sam2_") else "sam2.1",
        "variant": variant,
        "layout": layout,
        "input_size": cfg.image_size,
        "resize": "stretch",  # S×S regardless of aspect ratio, no padding; x' = x*S/W, y' = y*S/H
        "pixel_mean": [round(v * 255, 6) for v in (0.485, 0.456, 0.406)],
        "pixel_std": [round(v * 255, 6) for v in (0.229, 0.224, 0.225)],
        "mask_threshold": 0.0,
        "embedding": {"channels": cfg.d_model, "grid": cfg.grid},
        "high_res_features": [[cfg.d_model // 8, 4 * cfg.grid], [cfg.d_model // 4, 2 * cfg.grid]],
        "low_res_mask_size": cfg.low_res_size,
        "mask_input_clamp": 32.0,
        "label_codes": LABEL_CODES[layout],
        "padding_rule": PADDING_RULES[layout],
        "tokens": TOKEN_RULES[layout],
        "dynamic_multimask": {"stability_delta": cfg.dynamic_multimask_stability_delta,
                              "stability_thresh": cfg.dynamic_multimask_stability_thresh},
        "opset": opset,
        "files": files,
        "source": {
            "checkpoint": Path(checkpoint).name if checkpoint else None,
            "checkpoint_sha256": sha256_file(checkpoint) if checkpoint else None,
            "config": cfg.to_json_dict(),
            "config_file": Path(source.config_file).name if source.config_file else None,
            "seed": source.seed,
        },
        "export": {
            "command": command,
            "torch": torch.__version__,
            "onnx": onnx.__version__,
            "date": date or datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        "demo": False,
    }
