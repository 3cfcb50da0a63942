"""Export a `Sam` to a model folder: the two ONNX graphs of a layout plus `manifest.json` (README.md schema)."""

from __future__ import annotations

import datetime
import json
import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import onnx
import torch

from .config import SamConfig
from .errors import SamToolsError
from .onnx_models import (
    BatchDecoderGraph,
    HfPromptDecoderGraph,
    HfVisionEncoderGraph,
    ImageEncoderGraph,
    MetaDecoderGraph,
)
from .sam import Sam, sha256_file

MAX_OPSET = 17  # the newest opset torch 1.13 can export
# Protobuf cannot serialize a message over 2 GiB; above this many weight bytes the weights go to a side file.
EXTERNAL_DATA_THRESHOLD = 1_800_000_000
LAYOUTS = ("sam-annotate", "transformers.js")

LABEL_CODES = {
    "sam-annotate": {"positive": 1, "negative": 0, "box_top_left": 2, "box_bottom_right": 3, "padding": -1},
    "transformers.js": {"positive": 1, "negative": 0, "not_a_point": -1, "padding": -10},
}
PADDING_RULES = {
    "sam-annotate": (
        "point_coords/point_labels: the points, then the box corners (labels 2, 3) if there is a box; without a "
        "box append one padding point (0, 0) with label -1. Coordinates are model-frame pixels (the graph adds "
        "0.5 and divides by input_size)."
    ),
    "transformers.js": (
        "input_points/input_labels [1, 1, n]: the points only, labels 1/0; the graph appends its own (0, 0) "
        "label -1 padding point. -10 marks filler points (zero token) when point batches differ in length. "
        "No box, no mask input, multimask tokens only."
    ),
    "transformers.js+boxes": (
        "input_points/input_labels [1, 1, n] then input_boxes [1, nb, 4] with nb = 0 or 1. The graph appends "
        "no padding point: for a point-only prompt append (0, 0) label -1 yourself and pass nb = 0; for a box "
        "pass the points (possibly n = 0) and the box. No mask input, multimask tokens only."
    ),
}


@dataclass
class ExportSource:
    """Where the weights came from, for the manifest."""

    checkpoint: Optional[Path] = None
    seed: Optional[int] = None
    config_file: Optional[Path] = None


@dataclass
class ExportOptions:
    layout: str = "sam-annotate"
    opset: int = MAX_OPSET
    name: Optional[str] = None
    variant: str = "custom"
    hf_boxes: bool = False
    external_data: Optional[bool] = None  # None: only when the weights need it
    command: str = ""
    date: Optional[str] = None  # fixed for reproducible fixtures; default now (UTC)
    extra: Dict[str, object] = field(default_factory=dict)
    demo: bool = False  # a demo model (e.g. the built-in one trained on synthetic scenes): the app says so
    description: Optional[str] = None  # one or two sentences for users, shown by `sam-annotate models`
    batch_decoder: bool = False  # sam-annotate layout: also decoder_batch.onnx (automatic mask generation)
    # sam-annotate layout: decoder.onnx multiplies around the prompt's tokens (few_token_attention.py, faster per
    # click); False keeps Meta's order of products, as the committed test fixtures do
    few_token_decoder: bool = True


@dataclass
class GraphSpec:
    role: str  # "encoder" | "decoder"
    file: str
    module: torch.nn.Module
    args: Tuple[torch.Tensor, ...]
    input_names: List[str]
    output_names: List[str]
    dynamic_axes: Dict[str, Dict[int, str]]


def graph_specs(
    model: Sam, layout: str, hf_boxes: bool = False, batch_decoder: bool = False, few_token_decoder: bool = False
) -> List[GraphSpec]:
    """The graphs of `layout` (two, or three with `batch_decoder`), with example inputs and the dynamic axes."""
    cfg: SamConfig = model.config
    s, c, g, low = cfg.img_size, cfg.prompt_embed_dim, cfg.grid, cfg.low_res_size
    gen = torch.Generator().manual_seed(0)
    embeddings = torch.randn(1, c, g, g, generator=gen)
    if layout == "sam-annotate":
        decoder_args = (
            embeddings,
            torch.randint(0, s, (1, 5, 2), generator=gen).float(),
            torch.randint(-1, 4, (1, 5), generator=gen).float(),
            torch.randn(1, 1, low, low, generator=gen),
            torch.tensor([1.0]),
            # Meta's example size; anything works because the graph reads orig_im_size at run time.
            torch.tensor([1500.0, 2250.0]),
        )
        batch = [
            GraphSpec(
                "decoder_batch", "decoder_batch.onnx", BatchDecoderGraph(model, few_tokens=True),
                (embeddings, torch.randint(0, s, (3, 2, 2), generator=gen).float(), torch.tensor([[1.0, -1.0]] * 3)),
                ["image_embeddings", "point_coords", "point_labels"], ["iou_predictions", "low_res_masks"],
                {
                    "point_coords": {0: "batch_size", 1: "num_points"},
                    "point_labels": {0: "batch_size", 1: "num_points"},
                    "iou_predictions": {0: "batch_size"},
                    "low_res_masks": {0: "batch_size"},
                },
            )
        ] if batch_decoder else []
        return [
            GraphSpec("encoder", "encoder.onnx", ImageEncoderGraph(model), (torch.randn(1, 3, s, s, generator=gen),),
                      ["image"], ["image_embeddings"], {}),
            GraphSpec(
                "decoder", "decoder.onnx", MetaDecoderGraph(model, few_token_decoder), decoder_args,
                ["image_embeddings", "point_coords", "point_labels", "mask_input", "has_mask_input", "orig_im_size"],
                ["masks", "iou_predictions", "low_res_masks"],
                {
                    "point_coords": {1: "num_points"},
                    "point_labels": {1: "num_points"},
                    "masks": {2: "orig_im_height", 3: "orig_im_width"},
                },
            ),
            *batch,
        ]
    if layout == "transformers.js":
        points_axes = {0: "batch_size", 1: "point_batch_size", 2: "nb_points_per_image"}
        decoder_args = [embeddings, torch.randn(1, c, g, g, generator=gen),
                        torch.randint(0, s, (1, 1, 3, 2), generator=gen).float(), torch.tensor([[[1, 0, 1]]])]
        names = ["image_embeddings", "image_positional_embeddings", "input_points", "input_labels"]
        axes = {"image_embeddings": {0: "batch_size"}, "image_positional_embeddings": {0: "batch_size"},
                "input_points": points_axes, "input_labels": points_axes,
                "iou_scores": {0: "batch_size", 1: "point_batch_size"},
                "pred_masks": {0: "batch_size", 1: "point_batch_size"}}
        if hf_boxes:
            decoder_args.append(torch.tensor([[[10.0, 20.0, s / 2, s / 3]]]))
            names.append("input_boxes")
            axes["input_boxes"] = {0: "batch_size", 1: "nb_boxes"}
        return [
            GraphSpec("encoder", "vision_encoder.onnx", HfVisionEncoderGraph(model),
                      (torch.randn(1, 3, s, s, generator=gen),), ["pixel_values"],
                      ["image_embeddings", "image_positional_embeddings"],
                      {"pixel_values": {0: "batch_size"}, "image_embeddings": {0: "batch_size"},
                       "image_positional_embeddings": {0: "batch_size"}}),
            GraphSpec("decoder", "prompt_encoder_mask_decoder.onnx", HfPromptDecoderGraph(model, hf_boxes),
                      tuple(decoder_args), names, ["iou_scores", "pred_masks"], axes),
        ]
    raise SamToolsError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")


def export_graph(spec: GraphSpec, out_dir: Path, opset: int, external_data: Optional[bool]) -> Dict[str, object]:
    """Trace one graph, normalize it (no doc strings, fixed producer), save; → manifest file entry."""
    # The traced forward's outputs give the true output shapes without a second forward (one ViT-H
    # forward costs minutes on a CPU); a hook keeps the module's own parameter and node names.
    # The wrapper graphs are fresh nn.Modules, so in training mode; torch.onnx.export restores that mode on the
    # whole tree afterwards, which would leave the caller's model training (batch norm on batch statistics).
    spec.module.eval()
    recorded = []
    hook = spec.module.register_forward_hook(lambda _module, _inputs, outputs: recorded.append(outputs))
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".export-") as tmp, warnings.catch_warnings():
        # Tracer warnings flag Python-side shape arithmetic; the smoke run checks the graph at other sizes.
        warnings.simplefilter("ignore")
        traced = Path(tmp) / spec.file
        with torch.no_grad():
            torch.onnx.export(
                spec.module, spec.args, str(traced), export_params=True, opset_version=opset,
                do_constant_folding=True, input_names=spec.input_names, output_names=spec.output_names,
                dynamic_axes=spec.dynamic_axes,
            )
        hook.remove()
        proto = onnx.load(str(traced))  # also pulls in any per-tensor files torch wrote for >2 GiB models
    for node in proto.graph.node:
        node.doc_string = ""  # torch puts source paths here; they would make the bytes machine-dependent
    proto.graph.doc_string = ""
    declare_output_shapes(proto, spec, recorded[-1])
    proto.producer_name, proto.producer_version = "sam-annotate native-models", torch.__version__
    weight_bytes = sum(len(t.raw_data) for t in proto.graph.initializer)
    use_external = external_data if external_data is not None else weight_bytes > EXTERNAL_DATA_THRESHOLD
    target = out_dir / spec.file
    data_name = spec.file + ".data"
    for stale in (target, out_dir / data_name):
        stale.unlink(missing_ok=True)
    if use_external:
        onnx.save_model(proto, str(target), save_as_external_data=True, all_tensors_to_one_file=True,
                        location=data_name, size_threshold=1024)
    else:
        onnx.save_model(proto, str(target))
    onnx.checker.check_model(str(target))  # by path, so external data and >2 GiB models are checked too
    entry: Dict[str, object] = file_entry(out_dir, spec.file)
    entry["inputs"] = [signature(v) for v in proto.graph.input]
    entry["outputs"] = [signature(v) for v in proto.graph.output]
    if use_external:
        entry["external_data"] = [file_entry(out_dir, data_name)]
    return entry


def declare_output_shapes(proto: onnx.ModelProto, spec: GraphSpec, outputs) -> None:
    """Write the real output shapes into the graph: fixed sizes as numbers, dynamic axes by their names.

    The exporter's shape inference gives up after the shape arithmetic of window partitioning and names
    fixed dimensions like `Addimage_embeddings_dim_0`; the traced example tells the true sizes.
    """
    outputs = (outputs,) if isinstance(outputs, torch.Tensor) else tuple(outputs)
    for value, tensor in zip(proto.graph.output, outputs):
        axes = spec.dynamic_axes.get(value.name, {})
        shape = value.type.tensor_type.shape
        while len(shape.dim) < tensor.dim():
            shape.dim.add()
        for i, size in enumerate(tensor.shape):
            if i in axes:
                shape.dim[i].dim_param = axes[i]
            else:
                shape.dim[i].dim_value = int(size)


def file_entry(folder: Path, name: str) -> Dict[str, object]:
    path = folder / name
    return {"path": name, "sha256": sha256_file(path), "bytes": path.stat().st_size}


_DTYPES = {onnx.TensorProto.FLOAT: "float32", onnx.TensorProto.INT64: "int64", onnx.TensorProto.INT32: "int32",
           onnx.TensorProto.BOOL: "bool", onnx.TensorProto.FLOAT16: "float16"}


def signature(value: onnx.ValueInfoProto) -> Dict[str, object]:
    """{name, dtype, shape}; symbolic dimensions are their names (strings)."""
    tensor = value.type.tensor_type
    dims = [d.dim_param if d.dim_param else d.dim_value for d in tensor.shape.dim]
    return {"name": value.name, "dtype": _DTYPES.get(tensor.elem_type, str(tensor.elem_type)), "shape": dims}


def export_model(model: Sam, out_dir: Path, source: ExportSource, options: ExportOptions) -> Dict[str, object]:
    """Write the layout's graphs and `manifest.json` into `out_dir`; → the manifest."""
    if not 7 <= options.opset <= MAX_OPSET:
        raise SamToolsError(f"--opset {options.opset}: torch {torch.__version__} exports opsets up to {MAX_OPSET}")
    if options.hf_boxes and options.layout != "transformers.js":
        raise SamToolsError("--hf-boxes applies to the transformers.js layout only")
    if options.batch_decoder and options.layout != "sam-annotate":
        raise SamToolsError("--batch-decoder applies to the sam-annotate layout only")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.eval()
    files = {spec.role: export_graph(spec, out_dir, options.opset, options.external_data)
             for spec in graph_specs(model, options.layout, options.hf_boxes, options.batch_decoder,
                                     options.few_token_decoder)}
    manifest = build_manifest(model.config, files, source, options)
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def build_manifest(cfg: SamConfig, files: Dict[str, object], source: ExportSource, options: ExportOptions):
    rule_key = options.layout + ("+boxes" if options.hf_boxes else "")
    checkpoint = source.checkpoint
    return {
        "format": "sam-annotate-model",
        "format_version": 1,
        "name": options.name or default_name(options.variant, source),
        "family": "sam",
        "variant": options.variant,
        "layout": options.layout,
        "input_size": cfg.img_size,
        "pixel_mean": list(cfg.pixel_mean),
        "pixel_std": list(cfg.pixel_std),
        "mask_threshold": 0.0,
        "embedding": {"channels": cfg.prompt_embed_dim, "grid": cfg.grid},
        "low_res_mask_size": cfg.low_res_size,
        "label_codes": LABEL_CODES[options.layout],
        "padding_rule": PADDING_RULES[rule_key],
        "opset": options.opset,
        "files": files,
        "source": {
            "checkpoint": checkpoint.name if checkpoint else None,
            "checkpoint_sha256": sha256_file(checkpoint) if checkpoint else None,
            "config": cfg.to_json_dict(),
            "config_file": source.config_file.name if source.config_file else None,
            "seed": source.seed,
        },
        "export": {
            "command": options.command,
            "torch": torch.__version__,
            "onnx": onnx.__version__,
            "date": options.date or datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            **options.extra,
        },
        "demo": options.demo,
        **({"description": options.description} if options.description else {}),
    }


def default_name(variant: str, source: ExportSource) -> str:
    if source.checkpoint is not None:
        return source.checkpoint.stem
    base = f"sam-{variant}" if source.config_file is None else source.config_file.stem
    return f"{base}-random-seed{source.seed}"


def remove_export(out_dir: Path) -> None:
    """Delete what `export_model` writes (used when a smoke run fails and the folder must not look valid)."""
    for name in os.listdir(out_dir):
        if name == "manifest.json" or name.endswith((".onnx", ".onnx.data")):
            os.unlink(out_dir / name)
        elif name.startswith(".export-"):
            shutil.rmtree(out_dir / name, ignore_errors=True)
