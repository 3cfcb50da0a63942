#!/usr/bin/python3
"""Export SAM (PyTorch) to an ONNX model folder for SAM Annotate. See README.md.

  /usr/bin/python3 native-models/export.py --checkpoint sam_vit_b_01ec64.pth --type vit_b --out models/vit_b
  /usr/bin/python3 native-models/export.py --random-seed 0 --type vit_b --out /tmp/vit_b-random
  /usr/bin/python3 native-models/export.py --random-seed 1 --config tiny.json --layout transformers.js --out DIR
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sam_tools import SamToolsError, build_sam, load_weights, randomize_, read_state_dict, resolve_config  # noqa: E402
from sam_tools.config import PRESETS  # noqa: E402
from sam_tools.exporter import LAYOUTS, MAX_OPSET, ExportOptions, ExportSource  # noqa: E402
from sam_tools.exporter import export_model, remove_export  # noqa: E402
from sam_tools.smoke import run_smoke  # noqa: E402


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Export SAM to an ONNX model folder (encoder + decoder + manifest.json).",
        epilog="Weights come from --checkpoint (Meta's sam_vit_*.pth) or --random-seed (seeded random weights, "
        "for tests and benchmarks). The architecture comes from --type or --config.",
    )
    weights = parser.add_mutually_exclusive_group(required=True)
    weights.add_argument("--checkpoint", type=Path, help="Meta checkpoint (.pth state_dict)")
    weights.add_argument("--random-seed", type=int, metavar="N", help="seeded random weights instead of a checkpoint")
    arch = parser.add_mutually_exclusive_group(required=True)
    arch.add_argument("--type", choices=sorted(PRESETS), help="Meta's architecture (tiny_test: a small test model)")
    arch.add_argument("--config", type=Path, help="JSON config shaped like sam_tiny_official.json")
    parser.add_argument("--out", type=Path, required=True, help="model folder to write")
    parser.add_argument("--layout", choices=LAYOUTS, default="sam-annotate", help="ONNX file layout (LAYOUTS.md)")
    parser.add_argument("--hf-boxes", action="store_true", help="transformers.js layout: add the input_boxes input")
    parser.add_argument("--opset", type=int, default=MAX_OPSET, help=f"ONNX opset (max {MAX_OPSET})")
    parser.add_argument("--name", help="model name for the manifest (default: from the checkpoint or config)")
    parser.add_argument("--external-data", action="store_true", help="always store weights in <file>.onnx.data")
    parser.add_argument("--no-smoke", action="store_true", help="skip the onnxruntime-node vs PyTorch check")
    parser.add_argument("--batch-decoder", action="store_true",
                        help="sam-annotate layout: also decoder_batch.onnx, many prompts per run (faster automatic "
                        "mask generation)")
    parser.add_argument("--meta-order-decoder", action="store_true",
                        help="sam-annotate layout: decoder.onnx multiplies in Meta's order (default: around the "
                        "prompt's few tokens, faster per click; the same values up to float rounding)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    # Debian's torch starts with one intra-op thread; use every core this process may run on.
    torch.set_num_threads(len(os.sched_getaffinity(0)))
    started = time.time()
    try:
        cfg, variant = resolve_config(args.type, args.config)
        model = build_sam(cfg)
        if args.checkpoint is not None:
            load_weights(model, read_state_dict(args.checkpoint), str(args.checkpoint))
        else:
            randomize_(model, args.random_seed)
        source = ExportSource(checkpoint=args.checkpoint, seed=args.random_seed, config_file=args.config)
        options = ExportOptions(
            layout=args.layout,
            opset=args.opset,
            name=args.name,
            variant=variant,
            hf_boxes=args.hf_boxes,
            batch_decoder=args.batch_decoder,
            few_token_decoder=not args.meta_order_decoder,
            external_data=True if args.external_data else None,
            command=" ".join(shlex.quote(a) for a in ["native-models/export.py", *(argv or sys.argv[1:])]),
        )
        manifest = export_model(model, args.out, source, options)
        exported = time.time()
        for role, entry in manifest["files"].items():
            extra = sum(e["bytes"] for e in entry.get("external_data", []))
            print(f"{role}: {args.out / entry['path']} ({(entry['bytes'] + extra) / 1e6:.1f} MB)")
        print(f"exported in {exported - started:.1f} s")
        if not args.no_smoke:
            try:
                report = run_smoke(model, args.out, args.layout, args.hf_boxes)
            except SamToolsError:
                remove_export(args.out)  # a folder that failed its check must not look usable
                raise
            worst = max(d for outs in report["max_abs_diff"].values() for d in outs.values())
            print(f"smoke run passed in {report['seconds']} s: max |onnx - torch| = {worst:.2e}")
            for run, outs in report["max_abs_diff"].items():
                print("  " + run + ": " + ", ".join(f"{k} {v:.2e}" for k, v in outs.items()))
            for what, d in report["semantic_checks"].items():
                print(f"  {what}: {d:.2e}")
    except SamToolsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
