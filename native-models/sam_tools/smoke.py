"""Export smoke test: run the exported graphs with onnxruntime-node and compare with PyTorch.

Python has no onnxruntime here, so inputs are written as raw little-endian files, `tools/smoke.mjs` runs the
graphs and writes the outputs back. One synthetic image goes through the encoder; a few prompts (points, box,
box + point, points + mask input) through the decoder. The transformers.js graphs are also checked against
Meta's decoder semantics: their three masks must be Meta's tokens 1..3 for the equivalent prompt.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np
import torch

from .errors import SamToolsError
from .onnx_models import BatchDecoderGraph, HfPromptDecoderGraph, MetaDecoderGraph
from .predictor import Predictor, preprocess_shape
from .sam import Sam

TOLERANCE = 1e-3
SMOKE_SCRIPT = Path(__file__).resolve().parent.parent / "tools" / "smoke.mjs"


def synthetic_image(h: int, w: int, seed: int = 0) -> np.ndarray:
    """uint8 RGB [h, w, 3]: a smooth gradient, noise, and two flat shapes (something for attention to see)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    image = np.stack([xx * 255 // max(w - 1, 1), yy * 255 // max(h - 1, 1), (xx + yy) * 127 // max(h + w, 1)], -1)
    image = image + rng.integers(-20, 21, size=image.shape)
    image[(yy - h * 0.4) ** 2 + (xx - w * 0.3) ** 2 < (min(h, w) * 0.2) ** 2] = (230, 40, 40)
    image[int(h * 0.55) : int(h * 0.85), int(w * 0.55) : int(w * 0.9)] = (30, 60, 200)
    return np.clip(image, 0, 255).astype(np.uint8)


class OnnxRuns:
    """A batch of onnxruntime-node runs: inputs go to disk, `tools/smoke.mjs` runs them, outputs come back."""

    def __init__(self, case_dir: Path, model_dir: Path) -> None:
        self.case_dir, self.model_dir = case_dir, model_dir
        self.runs: List[dict] = []
        self.expected: Dict[str, Dict[str, np.ndarray]] = {}

    def add(self, run_id: str, file: str, inputs: Dict[str, torch.Tensor], expected: Dict[str, torch.Tensor]):
        """Queue a run of `file`; `expected` names the outputs to fetch and what they must equal (None: fetch only)."""
        specs = {}
        for name, tensor in inputs.items():
            array = tensor.detach().numpy()
            dtype = {np.dtype(np.int64): "int64", np.dtype(np.uint8): "uint8"}.get(array.dtype, "float32")
            path = f"{run_id}.in.{name}.bin"
            array.astype({"int64": "<i8", "uint8": "u1"}.get(dtype, "<f4")).tofile(self.case_dir / path)
            specs[name] = {"dtype": dtype, "shape": list(array.shape), "path": path}
        self.runs.append({"id": run_id, "file": file, "inputs": specs, "outputs": list(expected)})
        self.expected[run_id] = {k: None if v is None else v.detach().numpy() for k, v in expected.items()}

    def run(self) -> Dict[str, Dict[str, np.ndarray]]:
        """Execute every queued run → {run id: {output name: array}}."""
        (self.case_dir / "cases.json").write_text(json.dumps({"model_dir": str(self.model_dir), "runs": self.runs}))
        node = shutil.which("node")
        if node is None:
            raise SamToolsError("smoke run needs Node.js (node) with onnxruntime-node installed; or pass --no-smoke")
        done = subprocess.run([node, str(SMOKE_SCRIPT), str(self.case_dir)], capture_output=True, text=True)
        if done.returncode != 0:
            raise SamToolsError(f"smoke run: onnxruntime-node failed: {done.stderr.strip() or done.stdout.strip()}")
        results = json.loads((self.case_dir / "results.json").read_text())
        return {
            run_id: {
                name: np.fromfile(self.case_dir / spec["path"], dtype="<f4").reshape(spec["dims"])
                for name, spec in outputs.items()
            }
            for run_id, outputs in results.items()
        }

    def max_abs_diffs(self) -> Dict[str, Dict[str, float]]:
        """Run, then compare every output with its expected value → {run id: {output: max |diff|}}."""
        got = self.run()
        diffs: Dict[str, Dict[str, float]] = {}
        for run_id, outputs in self.expected.items():
            diffs[run_id] = {}
            for name, want in outputs.items():
                if want is None:
                    continue
                have = got[run_id][name]
                if have.shape != want.shape:
                    raise SamToolsError(f"smoke run: {run_id}.{name} has shape {have.shape}, PyTorch {want.shape}")
                diffs[run_id][name] = float(np.abs(have - want).max()) if have.size else 0.0
        return diffs


def run_smoke(model: Sam, model_dir: Path, layout: str, hf_boxes: bool = False) -> Dict[str, object]:
    """→ {"max_abs_diff": {run: {output: diff}}, "seconds": t}; raises SamToolsError above TOLERANCE."""
    started = time.time()
    cfg = model.config
    s = cfg.img_size
    original = (s * 5 // 8 + 3, s + 29)  # non-square, downscaled; not the export example's size
    predictor = Predictor(model)
    predictor.set_image(synthetic_image(*original))
    h, w = preprocess_shape(*original, s)
    p_pos, p_neg = [0.3 * w, 0.4 * h], [0.7 * w, 0.65 * h]
    box = [0.2 * w, 0.25 * h, 0.6 * w, 0.8 * h]
    checks: List[Tuple[str, float]] = []

    with tempfile.TemporaryDirectory(prefix="sam-smoke-") as tmp:
        runs = OnnxRuns(Path(tmp), Path(model_dir).resolve())
        meta = MetaDecoderGraph(model).eval()
        embeddings = predictor.features
        if layout == "sam-annotate":
            runs.add("encoder", "encoder.onnx", {"image": predictor.model_input}, {"image_embeddings": embeddings})
            prompts = {
                "points": ([p_pos, p_neg, [0, 0]], [1, 0, -1]),
                "box": ([box[:2], box[2:]], [2, 3]),
                "box_point": ([p_neg, box[:2], box[2:]], [0, 2, 3]),
            }
            no_mask = torch.zeros(1, 1, cfg.low_res_size, cfg.low_res_size)
            for name, (coords, labels) in prompts.items():
                feeds = _meta_feeds(embeddings, coords, labels, no_mask, 0.0, original)
                masks, iou, low = meta(*feeds.values())
                runs.add(name, "decoder.onnx", feeds, {"masks": masks, "iou_predictions": iou, "low_res_masks": low})
                if name == "points":
                    previous = low[:, int(iou[0].argmax())][:, None]
            feeds = _meta_feeds(embeddings, *prompts["points"], previous, 1.0, original)
            masks, iou, low = meta(*feeds.values())
            runs.add("points_mask_input", "decoder.onnx", feeds,
                     {"masks": masks, "iou_predictions": iou, "low_res_masks": low})
            if (Path(model_dir) / "decoder_batch.onnx").is_file():
                # Three one-point prompts at once, each with its padding point (what AMG decodes).
                batch = {
                    "image_embeddings": embeddings,
                    "point_coords": torch.tensor([[p_pos, [0, 0]], [p_neg, [0, 0]], [box[:2], [0, 0]]]),
                    "point_labels": torch.tensor([[1.0, -1.0]] * 3),
                }
                iou, low = BatchDecoderGraph(model).eval()(*batch.values())
                runs.add("batch", "decoder_batch.onnx", batch, {"iou_predictions": iou, "low_res_masks": low})
                _, single_iou, single_low = meta(*_meta_feeds(embeddings, [p_neg, [0, 0]], [1, -1], no_mask, 0.0,
                                                              original).values())
                gap = max((iou[1] - single_iou[0]).abs().max(), (low[1] - single_low[0]).abs().max())
                checks.append(("batch decoder prompt 2 vs decoder.onnx graph", float(gap)))
        else:
            positional = model.prompt_encoder.get_dense_pe()
            runs.add("encoder", "vision_encoder.onnx", {"pixel_values": predictor.model_input},
                     {"image_embeddings": embeddings, "image_positional_embeddings": positional})
            hf = HfPromptDecoderGraph(model, with_boxes=hf_boxes).eval()
            # (hf points, hf labels, box or None, equivalent Meta coords, Meta labels)
            cases = {"points": ([p_pos, p_neg], [1, 0], None, [p_pos, p_neg, [0, 0]], [1, 0, -1])}
            if hf_boxes:
                cases = {
                    "points": ([p_pos, p_neg, [0, 0]], [1, 0, -1], None, [p_pos, p_neg, [0, 0]], [1, 0, -1]),
                    "box": ([], [], box, [box[:2], box[2:]], [2, 3]),
                    "box_point": ([p_neg], [0], box, [p_neg, box[:2], box[2:]], [0, 2, 3]),
                }
            no_mask = torch.zeros(1, 1, cfg.low_res_size, cfg.low_res_size)
            for name, (pts, labels, bx, meta_coords, meta_labels) in cases.items():
                feeds = {
                    "image_embeddings": embeddings,
                    "image_positional_embeddings": positional,
                    "input_points": torch.tensor(pts, dtype=torch.float32).reshape(1, 1, len(labels), 2),
                    "input_labels": torch.tensor(labels, dtype=torch.int64).reshape(1, 1, len(labels)),
                }
                if hf_boxes:
                    feeds["input_boxes"] = torch.tensor([bx] if bx else [], dtype=torch.float32).reshape(1, -1, 4)
                iou, low = hf(*feeds.values())
                runs.add(name, "prompt_encoder_mask_decoder.onnx", feeds, {"iou_scores": iou, "pred_masks": low})
                meta_feeds = _meta_feeds(embeddings, meta_coords, meta_labels, no_mask, 0.0, original)
                _, meta_iou, meta_low = meta(*meta_feeds.values())
                gap = max((iou[0, 0] - meta_iou[0, 1:]).abs().max(), (low[0, 0] - meta_low[0, 1:]).abs().max())
                checks.append((f"{name}: HF layout vs Meta tokens 1..3", float(gap)))
        diffs = runs.max_abs_diffs()

    failures = [f"{run}.{out} {d:.2e}" for run, outs in diffs.items() for out, d in outs.items() if not d <= TOLERANCE]
    failures += [f"{what} {d:.2e}" for what, d in checks if not d <= TOLERANCE]
    report = {"max_abs_diff": diffs, "semantic_checks": dict(checks), "seconds": round(time.time() - started, 1)}
    if failures:
        raise SamToolsError(f"smoke run: ONNX differs from PyTorch by more than {TOLERANCE}: " + ", ".join(failures))
    return report


def _meta_feeds(embeddings, coords, labels, mask_input, has_mask, original) -> Dict[str, torch.Tensor]:
    n = len(labels)
    return {
        "image_embeddings": embeddings,
        "point_coords": torch.tensor(coords, dtype=torch.float32).reshape(1, n, 2),
        "point_labels": torch.tensor(labels, dtype=torch.float32).reshape(1, n),
        "mask_input": mask_input,
        "has_mask_input": torch.tensor([has_mask], dtype=torch.float32),
        "orig_im_size": torch.tensor(original, dtype=torch.float32),
    }
