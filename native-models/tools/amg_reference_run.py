#!/usr/bin/python3
"""Time Meta's `SamAutomaticMaskGenerator.generate` (sam_tools/amg.py, Meta's code step by step in torch) on a
model with seeded random weights, for the AMG benchmark (tests/bench/amg.ts, issue 16). Same weights as
`export.py --random-seed N --type T`, so the ONNX export and this model agree.

  /usr/bin/python3 native-models/tools/amg_reference_run.py --type vit_b --random-seed 0 --image IMAGE \\
      --out masks.json [--points-per-side 32 --stability-score-thresh 0.95 …]

Prints one JSON line: {"generate_s": …, "masks": …, "threads": …}; writes the SA-1B document of the masks to
--out.
The image is read with PIL as RGB (use a PNG: JPEG decoders differ by a few levels).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

NATIVE_MODELS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(NATIVE_MODELS))

from sam_tools import build_sam, randomize_, resolve_config  # noqa: E402
from sam_tools.amg import AutomaticMaskGenerator, sa1b_document  # noqa: E402

# flag → AutomaticMaskGenerator argument (Meta's defaults when not given)
PARAMS = {"points-per-side": int, "points-per-batch": int, "pred-iou-thresh": float,
          "stability-score-thresh": float, "crop-n-layers": int, "box-nms-thresh": float}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--type", required=True)
    parser.add_argument("--random-seed", type=int, required=True)
    parser.add_argument("--image", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    for flag, kind in PARAMS.items():
        parser.add_argument(f"--{flag}", type=kind)
    args = parser.parse_args(argv)
    # Debian's torch starts with one intra-op thread; Meta's code runs on every core.
    torch.set_num_threads(len(os.sched_getaffinity(0)))
    cfg, _ = resolve_config(args.type, None)
    model = build_sam(cfg)
    randomize_(model, args.random_seed)
    model.eval()
    params = {flag.replace("-", "_"): getattr(args, flag.replace("-", "_")) for flag in PARAMS}
    generator = AutomaticMaskGenerator(model, **{k: v for k, v in params.items() if v is not None})
    image = np.asarray(Image.open(args.image).convert("RGB"))
    started = time.perf_counter()
    records = generator.generate(image)
    seconds = time.perf_counter() - started
    h, w = image.shape[:2]
    args.out.write_text(json.dumps(sa1b_document(records, 1, w, h, args.image.name)) + "\n")
    print(json.dumps({"generate_s": seconds, "masks": len(records), "threads": torch.get_num_threads()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
