#!/usr/bin/python3
"""Export the trained demo model to the built-in model folder (encoder.onnx, decoder.onnx, manifest.json).

  /usr/bin/python3 native-models/train/export_builtin.py --checkpoint .cache/train-demo/checkpoint.pth \\
      --out native-models/builtin/sam-annotate-demo

Goes through the same exporter and onnxruntime-node smoke run as `export.py`; the manifest says `"demo": true`
and carries a description. The plain weights (state_dict) are written beside the training checkpoint first, so
the manifest's `source.checkpoint_sha256` names exactly the weights that were exported.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sam_tools import SamToolsError, load_checkpoint  # noqa: E402
from sam_tools.exporter import ExportOptions, ExportSource, export_model, remove_export  # noqa: E402
from sam_tools.smoke import run_smoke  # noqa: E402

from model import load_demo  # noqa: E402

NAME = "sam-annotate-demo"
DESCRIPTION = (
    "Built-in demo model: a small SAM (2.2 M parameters, 256-pixel input) trained in this repository on "
    "synthetic scenes of shapes and textures. It segments simple objects on plain or textured backgrounds; "
    "it has never seen photos. For real annotation install Meta's SAM: sam-annotate models download sam-vit-b."
)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--checkpoint", type=Path, required=True, help="train.py's checkpoint.pth")
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args(argv)
    torch.set_num_threads(1)  # small model; more threads only spin on a shared machine
    try:
        state = load_checkpoint(args.checkpoint)
        weights = args.checkpoint.with_name(f"{NAME}.pth")
        torch.save(state["model"], weights)
        model = load_demo(state, str(args.checkpoint))
        options = ExportOptions(
            name=NAME,
            variant="demo",
            demo=True,
            description=DESCRIPTION,
            command=" ".join(shlex.quote(a) for a in ["native-models/train/export_builtin.py", *(argv or sys.argv[1:])]),
            extra={"training": {"steps": state["step"], "wall_minutes": round(state["elapsed"] / 60, 1),
                                "script": "native-models/train/train.py"}},
        )
        manifest = export_model(model, args.out, ExportSource(checkpoint=weights), options)
        try:
            report = run_smoke(model, args.out, "sam-annotate")
        except SamToolsError:
            remove_export(args.out)
            raise
        worst = max(d for outs in report["max_abs_diff"].values() for d in outs.values())
        total = sum(entry["bytes"] for entry in manifest["files"].values())
        print(f"exported {args.out} ({total / 1e6:.1f} MB); smoke run max |onnx - torch| = {worst:.2e}")
    except SamToolsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
