#!/usr/bin/python3
"""Regenerate tests/fixtures/amg/: reference automatic mask generation (sam_tools/amg.py, Meta's
SamAutomaticMaskGenerator step by step) of the tiny random fixture model on tests/fixtures/reference/wide.png.

  /usr/bin/python3 native-models/tools/make_amg_fixtures.py [--out tests/fixtures/amg]

Deterministic (same bytes on every run of the same toolchain). Needs python3-opencv for the small-region run.
The random weights make noisy, image-sized masks: no two boxes differ, so the runs keep NMS from suppressing
(box_nms_thresh = 1.0) and pick thresholds that leave 10–30 masks; NMS itself is unit-tested on hand cases.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

NATIVE_MODELS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(NATIVE_MODELS))
sys.path.insert(0, str(NATIVE_MODELS / "tools"))

from make_fixtures import tiny_model  # noqa: E402
from sam_tools.amg import AutomaticMaskGenerator, sa1b_document  # noqa: E402

COMMAND = "/usr/bin/python3 native-models/tools/make_amg_fixtures.py"
REPO = NATIVE_MODELS.parent
IMAGE = REPO / "tests" / "fixtures" / "reference" / "wide.png"

# name → AutomaticMaskGenerator parameters (Meta's names; unspecified = Meta's defaults)
RUNS = {
    "grid": dict(points_per_side=12, points_per_batch=64, pred_iou_thresh=1.6, stability_score_thresh=0.45,
                 box_nms_thresh=1.0),
    "crops": dict(points_per_side=6, points_per_batch=50, pred_iou_thresh=1.2, stability_score_thresh=0.4,
                  box_nms_thresh=1.0, crop_n_layers=1, crop_nms_thresh=1.0),
    "regions": dict(points_per_side=8, points_per_batch=16, pred_iou_thresh=1.5, stability_score_thresh=0.4,
                    box_nms_thresh=1.0, min_mask_region_area=10, drop_masks_covering=0.95),
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "tests" / "fixtures" / "amg")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    model = tiny_model()
    image = np.asarray(Image.open(IMAGE).convert("RGB"))
    h, w = image.shape[:2]
    for name, params in RUNS.items():
        records = AutomaticMaskGenerator(model, **params).generate(image)
        document = sa1b_document(records, 1, w, h, IMAGE.name)
        document["reference"] = {"model": "../models/tiny-random", "image": "../reference/wide.png",
                                 "params": params, "generator": COMMAND}
        (args.out / f"wide.{name}.json").write_text(json.dumps(document) + "\n")
        print(f"{name}: {len(records)} masks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
