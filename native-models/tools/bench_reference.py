#!/usr/bin/python3
"""Time the PyTorch reference on the weights of a bench model (issue 16: `npm run bench -- meta`).

Meta's `segment_anything` package cannot be installed on this machine (no network for pip); the reference is
native-models/sam_tools, the project's port of it, checked against the conformance data made with Meta's own
code (tests/**/conformance*). The steps timed are Meta's: `SamPredictor.set_image` (resize, normalise, encode),
one `SamPredictor.predict` (one positive point, multimask, masks upsampled to the image and thresholded), and
`SamAutomaticMaskGenerator.generate` with default parameters (encode included). Prints one JSON object.

  /usr/bin/python3 native-models/tools/bench_reference.py --model-dir .cache/bench/vit_b-random \\
      --encode-image big.jpg --click-image small.jpg --amg-image photo.jpg

The weights are those of the model folder: its manifest.json says the architecture (source.config) and where
the weights came from (source.checkpoint, or source.seed for export.py's seeded random weights).
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sam_tools import Sam, SamConfig, SamToolsError, build_sam, load_weights, randomize_, read_state_dict  # noqa: E402
from sam_tools.amg import AutomaticMaskGenerator  # noqa: E402
from sam_tools.predictor import Predictor  # noqa: E402

REFERENCE_NOTE = (
    "Meta's segment_anything package cannot be installed here; timing native-models/sam_tools, the project's "
    "port of it (checked against conformance data from Meta's code), on the same weights"
)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model-dir", type=Path, required=True, help="a model folder written by export.py")
    p.add_argument("--encode-image", type=Path, help="time set_image on this image")
    p.add_argument("--click-image", type=Path, help="time one predict (multimask) on this image")
    p.add_argument("--amg-image", type=Path, help="time AutomaticMaskGenerator.generate on this image")
    p.add_argument("--encode-reps", type=int, default=2)
    p.add_argument("--clicks", type=int, default=10)
    return p.parse_args(argv)


def model_of_folder(folder: Path) -> Sam:
    """The PyTorch model with the weights export.py wrote into `folder` (from its manifest's `source`)."""
    file = folder / "manifest.json"
    try:
        source = json.loads(file.read_text())["source"]
        cfg = SamConfig.from_json_dict(source["config"], source=str(file))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SamToolsError(f"{file}: no export source to rebuild the weights from ({error!r})") from None
    model = build_sam(cfg)
    if source.get("checkpoint"):
        load_weights(model, read_state_dict(Path(source["checkpoint"])), source["checkpoint"])
    elif isinstance(source.get("seed"), int):
        randomize_(model, source["seed"])
    else:
        raise SamToolsError(f"{file}: source names neither a checkpoint nor a random seed")
    return model.eval()


def load_rgb(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


@torch.no_grad()
def meta_predict(predictor: Predictor, xy, label: int):
    """Exactly the work of Meta's `SamPredictor.predict` for one point, multimask (no extra scores)."""
    model = predictor.model
    from sam_tools.predictor import apply_coords  # noqa: PLC0415

    coords = torch.as_tensor(apply_coords(np.asarray([xy]), predictor.original_size, predictor.long_side))[None]
    labels = torch.as_tensor([[label]], dtype=torch.int64)
    sparse, dense = model.prompt_encoder(points=(coords, labels), boxes=None, masks=None)
    low_res, iou = model.mask_decoder(predictor.features, model.prompt_encoder.get_dense_pe(), sparse, dense, True)
    masks = model.postprocess_masks(low_res, predictor.input_size, predictor.original_size) > model.mask_threshold
    return masks[0].numpy(), iou[0].numpy(), low_res[0].numpy()


def main(argv=None) -> int:
    args = parse_args(argv)
    # Debian's torch starts with one intra-op thread; Meta's scripts run with torch's default (every core).
    torch.set_num_threads(len(os.sched_getaffinity(0)))
    try:
        model = model_of_folder(args.model_dir)
    except SamToolsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    out = {"reference": REFERENCE_NOTE, "torch": torch.__version__, "threads": torch.get_num_threads()}
    predictor = Predictor(model)
    if args.encode_image:
        image = load_rgb(args.encode_image)
        times = []
        for _ in range(args.encode_reps):
            t = time.perf_counter()
            predictor.set_image(image)
            times.append(time.perf_counter() - t)
        out["set_image_s"] = times
    if args.click_image:
        image = load_rgb(args.click_image)
        predictor.set_image(image)
        h, w = image.shape[:2]
        rng = np.random.default_rng(1)
        times = []
        for i in range(args.clicks + 1):
            xy = [float(rng.uniform(0, w)), float(rng.uniform(0, h))]
            t = time.perf_counter()
            meta_predict(predictor, xy, 1)
            if i:  # the first click warms up
                times.append((time.perf_counter() - t) * 1000)
        out["click_ms"] = times
    if args.amg_image:
        image = load_rgb(args.amg_image)
        t = time.perf_counter()
        records = AutomaticMaskGenerator(model).generate(image)
        out["amg_s"] = time.perf_counter() - t
        out["amg_masks"] = len(records)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
