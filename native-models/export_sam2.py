#!/usr/bin/python3
"""Export SAM 2 / 2.1 (image mode, PyTorch) to an ONNX model folder. See LAYOUTS.md §3 and README.md.

  /usr/bin/python3 native-models/export_sam2.py --checkpoint sam2.1_hiera_tiny.pt --type sam2.1_hiera_t --out DIR
  /usr/bin/python3 native-models/export_sam2.py --checkpoint x.pt --config sam2.1_test.json --layout samexporter \
      --out DIR
  /usr/bin/python3 native-models/export_sam2.py --random-seed 0 --type sam2.1_hiera_t --out /tmp/t-random
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

from sam_tools import SamToolsError  # noqa: E402
from sam_tools.exporter import MAX_OPSET, ExportSource, remove_export  # noqa: E402
from sam_tools.sam2 import PRESETS, build_sam2, load_sam2_weights, randomize_sam2_, read_checkpoint  # noqa: E402
from sam_tools.sam2 import resolve_config  # noqa: E402
from sam_tools.sam2.export import LAYOUTS, export_sam2  # noqa: E402
from sam_tools.sam2.smoke import run_sam2_smoke  # noqa: E402


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Export SAM 2 / 2.1 (image mode) to an ONNX model folder (encoder + decoder + manifest.json).",
        epilog="Weights come from --checkpoint (Meta's sam2*.pt, {'model': state_dict}; video-only tensors are "
        "skipped and listed) or --random-seed. The architecture comes from --type or --config.",
    )
    weights = parser.add_mutually_exclusive_group(required=True)
    weights.add_argument("--checkpoint", type=Path, help="Meta checkpoint (sam2.1_hiera_*.pt)")
    weights.add_argument("--random-seed", type=int, metavar="N", help="seeded random weights instead of a checkpoint")
    arch = parser.add_mutually_exclusive_group(required=True)
    arch.add_argument("--type", choices=sorted(PRESETS), help="Meta's architecture, named as Meta's config files")
    arch.add_argument("--config", type=Path, help="JSON config shaped like sam2.1_test.json (resolved Meta config)")
    parser.add_argument("--out", type=Path, required=True, help="model folder to write")
    parser.add_argument("--layout", choices=LAYOUTS, default="sam-annotate", help="ONNX file layout (LAYOUTS.md §3)")
    parser.add_argument("--opset", type=int, default=MAX_OPSET, help=f"ONNX opset (max {MAX_OPSET})")
    parser.add_argument("--name", help="model name for the manifest (default: from the checkpoint or config)")
    parser.add_argument("--no-smoke", action="store_true", help="skip the onnxruntime-node vs PyTorch check")
    parser.add_argument("--meta-order-decoder", action="store_true",
                        help="sam-annotate layout: the decoder multiplies in Meta's order (default: around the "
                        "prompt's few tokens, faster per click; the same values up to float rounding)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    torch.set_num_threads(len(os.sched_getaffinity(0)))
    started = time.time()
    try:
        cfg, variant = resolve_config(args.type, args.config)
        model = build_sam2(cfg)
        if args.checkpoint is not None:
            skipped = load_sam2_weights(model, read_checkpoint(args.checkpoint), str(args.checkpoint))
            prefixes = sorted({k.split(".")[0] for k in skipped})
            print(f"loaded {len(model.state_dict())} image-mode tensors; skipped {len(skipped)} video-only tensors "
                  f"({', '.join(prefixes)})")
        else:
            randomize_sam2_(model, args.random_seed)
        source = ExportSource(checkpoint=args.checkpoint, seed=args.random_seed, config_file=args.config)
        command = " ".join(shlex.quote(a) for a in ["native-models/export_sam2.py", *(argv or sys.argv[1:])])
        manifest = export_sam2(model, args.out, source, args.layout, variant, args.name, command, opset=args.opset,
                               few_token_decoder=not args.meta_order_decoder)
        for role, entry in manifest["files"].items():
            print(f"{role}: {args.out / entry['path']} ({entry['bytes'] / 1e6:.1f} MB)")
        print(f"exported in {time.time() - started:.1f} s")
        if not args.no_smoke:
            try:
                report = run_sam2_smoke(model, args.out, args.layout, manifest["name"])
            except SamToolsError:
                remove_export(args.out)  # a folder that failed its check must not look usable
                raise
            worst = max(d for outs in report["max_abs_diff"].values() for d in outs.values())
            print(f"smoke run passed in {report['seconds']} s: max |onnx - torch| = {worst:.2e}")
            for what, d in report["semantic_checks"].items():
                print(f"  {what}: {d:.2e}")
    except SamToolsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
