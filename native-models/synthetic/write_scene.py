#!/usr/bin/python3
"""Write one synthetic scene for tests and demos: the image and its exact instance masks.

  /usr/bin/python3 native-models/synthetic/write_scene.py --seed 2000000007 --out DIR [--size 240x320]

DIR/scene.png (RGB) and DIR/instances.json: `{"seed", "width", "height", "instances": [{"id", "kind", "area",
"bbox": [x0, y0, x1, y1] (inclusive), "interior_point": [x, y] (the pixel farthest from the boundary),
"segmentation": COCO compressed RLE}]}`. The same seed always gives the same files.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sam_tools import rle  # noqa: E402
from synthetic import interior_point, make_scene  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--size", help="HxW (default: the generator's, long side 256)")
    p.add_argument("--long-side", type=int, default=256)
    args = p.parse_args(argv)
    size = tuple(int(v) for v in args.size.lower().split("x")) if args.size else None
    scene = make_scene(args.seed, size=size, long_side=args.long_side)
    args.out.mkdir(parents=True, exist_ok=True)
    Image.fromarray(scene.image).save(args.out / "scene.png")
    h, w = scene.image.shape[:2]
    instances = [
        {
            "id": i,
            "kind": inst.kind,
            "area": inst.area,
            "bbox": list(inst.bbox),
            "interior_point": list(interior_point(inst.mask)),
            "segmentation": rle.encode(inst.mask),
        }
        for i, inst in enumerate(scene.instances)
    ]
    (args.out / "instances.json").write_text(
        json.dumps({"seed": args.seed, "width": w, "height": h, "instances": instances}, indent=1) + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
