#!/usr/bin/python3
"""Deterministic evaluation of a demo model on held-out synthetic scenes (seeds 2·10⁹ + i, never trained on).

  /usr/bin/python3 native-models/train/evaluate.py --checkpoint runs/demo/checkpoint.pth [--scenes 200]
  /usr/bin/python3 native-models/train/evaluate.py --onnx native-models/builtin/sam-annotate-demo

Objects are the generator's instances (every visible object of ≥ 64 px, see synthetic/scenes.py). Protocol,
per object, through the exported decoder's contract (Meta's ONNX inputs; masks upsampled to the image):
  1 click    one positive click at the object's interior — the pixel farthest from its boundary (exact
             Euclidean distance transform) — with the padding point; of the 3 multimask candidates the one
             with the highest predicted IoU is taken, as the app does.
  +k clicks  SAM's corrective protocol: of the missed (false negative) and spilled (false positive) regions
             of the current mask, take the one that reaches deeper and click at its interior, positive if
             missed, negative if spilled; feed the current mask's low-res logits as mask_input; the
             single-mask token 0 is taken (Meta's choice for several prompts).
  box        the object's tight box (corners of the visible mask), single-mask token 0.
  IoU head   Pearson correlation of predicted vs true IoU over the 3 candidates of every 1-click prompt.
  ceiling    the truth itself through the model's L×L low-res logits (resolution_ceiling): no model with
             that decoder output size does much better, whatever the prompts.
With --onnx the ONNX pair runs in onnxruntime-node (tools/smoke.mjs), otherwise the PyTorch weights.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sam_tools import SamConfig, load_checkpoint  # noqa: E402
from sam_tools.onnx_models import MetaDecoderGraph  # noqa: E402
from sam_tools.sam import Sam  # noqa: E402
from sam_tools.smoke import OnnxRuns  # noqa: E402
from synthetic import Scene, distance_to_boundary, make_scene  # noqa: E402

from data import EVAL_SEED_BASE, normalize  # noqa: E402

SIZE_BUCKETS = ((0, 400, "small (< 400 px)"), (400, 4000, "medium"), (4000, 10**9, "large (≥ 4000 px)"))


@dataclass
class Request:
    """One decoder call: prompt in model-frame pixels (= image pixels here: scenes are drawn at S)."""

    scene: int
    coords: np.ndarray  # float32 [T, 2]
    labels: np.ndarray  # float32 [T]
    mask_input: Optional[np.ndarray] = None  # float32 [L, L]


@dataclass
class Result:
    masks: np.ndarray  # float32 [4, H, W] logits at image size
    iou: np.ndarray  # float32 [4]
    low_res: np.ndarray  # float32 [4, L, L]


class TorchBackend:
    """The PyTorch model through `MetaDecoderGraph`, the module the decoder ONNX is traced from."""

    def __init__(self, model: Sam) -> None:
        self.model = model.eval()
        self.graph = MetaDecoderGraph(model).eval()
        self.embeddings: List[torch.Tensor] = []
        self.sizes: List[Tuple[int, int]] = []

    @property
    def config(self) -> SamConfig:
        return self.model.config

    @torch.no_grad()
    def set_scenes(self, scenes: List[Scene]) -> None:
        cfg = self.config
        self.sizes = [s.image.shape[:2] for s in scenes]
        self.embeddings = []
        for scene in scenes:
            x = normalize(scene.image, cfg.img_size, cfg.pixel_mean, cfg.pixel_std)[None]
            self.embeddings.append(self.model.image_encoder(x))

    @torch.no_grad()
    def decode(self, requests: List[Request]) -> List[Result]:
        """Requests of one scene with the same number of tokens run as one batch (same numbers as one by one)."""
        low = self.config.low_res_size
        out: List[Optional[Result]] = [None] * len(requests)
        groups: Dict[Tuple[int, int, bool], List[int]] = {}
        for k, r in enumerate(requests):
            groups.setdefault((r.scene, len(r.labels), r.mask_input is not None), []).append(k)
        for (scene, _, has), members in groups.items():
            rows = [requests[k] for k in members]
            mask = (torch.from_numpy(np.stack([r.mask_input for r in rows]))[:, None] if has
                    else torch.zeros(len(rows), 1, low, low))
            masks, iou, low_res = self.graph(
                self.embeddings[scene],
                torch.from_numpy(np.stack([r.coords for r in rows])),
                torch.from_numpy(np.stack([r.labels for r in rows])),
                mask,
                torch.tensor([1.0 if has else 0.0]),
                torch.tensor(self.sizes[scene], dtype=torch.float32),
            )
            for i, k in enumerate(members):
                out[k] = Result(masks[i].numpy(), iou[i].numpy(), low_res[i].numpy())
        return out  # type: ignore[return-value]


class OnnxBackend:
    """The exported folder run by onnxruntime-node: every round of requests is one `node` process."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder).resolve()
        manifest = json.loads((self.folder / "manifest.json").read_text())
        self.cfg = SamConfig.from_json_dict(manifest["source"]["config"], source=str(self.folder))
        self.embeddings: List[np.ndarray] = []
        self.sizes: List[Tuple[int, int]] = []

    @property
    def config(self) -> SamConfig:
        return self.cfg

    def _run(self, queue) -> Dict[str, Dict[str, np.ndarray]]:
        with tempfile.TemporaryDirectory(prefix="sam-eval-") as tmp:
            runs = OnnxRuns(Path(tmp), self.folder)
            for run_id, file, inputs, outputs in queue:
                runs.add(run_id, file, inputs, {name: None for name in outputs})
            return runs.run()

    def set_scenes(self, scenes: List[Scene]) -> None:
        cfg = self.cfg
        self.sizes = [s.image.shape[:2] for s in scenes]
        queue = [
            (f"e{i}", "encoder.onnx", {"image": normalize(s.image, cfg.img_size, cfg.pixel_mean, cfg.pixel_std)[None]},
             ["image_embeddings"])
            for i, s in enumerate(scenes)
        ]
        got = self._run(queue)
        self.embeddings = [got[f"e{i}"]["image_embeddings"] for i in range(len(scenes))]

    def decode(self, requests: List[Request]) -> List[Result]:
        low = self.cfg.low_res_size
        queue = []
        for k, r in enumerate(requests):
            has = r.mask_input is not None
            inputs = {
                "image_embeddings": torch.from_numpy(self.embeddings[r.scene]),
                "point_coords": torch.from_numpy(r.coords)[None],
                "point_labels": torch.from_numpy(r.labels)[None],
                "mask_input": torch.from_numpy(r.mask_input)[None, None] if has else torch.zeros(1, 1, low, low),
                "has_mask_input": torch.tensor([1.0 if has else 0.0]),
                "orig_im_size": torch.tensor(self.sizes[r.scene], dtype=torch.float32),
            }
            queue.append((f"d{k}", "decoder.onnx", inputs, ["masks", "iou_predictions", "low_res_masks"]))
        got = self._run(queue)
        return [
            Result(got[f"d{k}"]["masks"][0], got[f"d{k}"]["iou_predictions"][0], got[f"d{k}"]["low_res_masks"][0])
            for k in range(len(requests))
        ]


# --- protocol ---------------------------------------------------------------------------------------------


def iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.logical_or(a, b).sum()
    return 1.0 if union == 0 else float(np.logical_and(a, b).sum() / union)


def deepest_point(region: np.ndarray) -> Tuple[Tuple[int, int], float]:
    """((x, y), depth) of the pixel of `region` farthest from its boundary; depth 0 if the region is empty."""
    if not region.any():
        return (0, 0), 0.0
    ys, xs = np.nonzero(region)
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    distance = distance_to_boundary(region[y0:y1, x0:x1])  # the crop's edge is outside the region anyway
    y, x = np.unravel_index(int(np.argmax(distance)), distance.shape)
    return (int(x + x0), int(y + y0)), float(distance[y, x])


def corrective_click(predicted: np.ndarray, truth: np.ndarray) -> Tuple[Tuple[int, int], float]:
    """SAM's evaluation click: at the interior of the deeper of the missed / spilled regions → ((x, y), label)."""
    p_missed, d_missed = deepest_point(truth & ~predicted)
    p_spilled, d_spilled = deepest_point(predicted & ~truth)
    return (p_missed, 1.0) if d_missed >= d_spilled else (p_spilled, 0.0)


@dataclass
class Episode:
    scene: int
    truth: np.ndarray
    area: int
    points: List[Tuple[int, int]] = field(default_factory=list)
    labels: List[float] = field(default_factory=list)
    ious: List[float] = field(default_factory=list)  # after 1, 2, … clicks
    candidates: List[Tuple[float, float]] = field(default_factory=list)  # (predicted, true) IoU, 1-click
    oracle: float = 0.0
    box: float = 0.0
    ceiling: float = 0.0


def resolution_ceiling(truth: np.ndarray, low_res: int, size: int) -> float:
    """IoU of the truth after a trip through L×L low-res logits: area-averaged to L×L, bilinear back to S×S (as
    the decoder's output is upsampled), thresholded at ½. What a decoder of that low-res size can at best reach
    with such logits; thin parts narrower than a logit cell are lost (sharper logits do a little better)."""
    h, w = truth.shape
    padded = torch.zeros(1, 1, size, size)
    padded[0, 0, :h, :w] = torch.from_numpy(truth.astype(np.float32))
    low = torch.nn.functional.adaptive_avg_pool2d(padded, low_res)
    back = torch.nn.functional.interpolate(low, (size, size), mode="bilinear", align_corners=False)[0, 0, :h, :w]
    return iou(back.numpy() > 0.5, truth)


def evaluate(backend, num_scenes: int, clicks: int = 3, max_objects: Optional[int] = None, box: bool = True,
             seed_base: int = EVAL_SEED_BASE, log=print) -> List[Episode]:
    """Run the protocol (module doc) on scenes seed_base + 0..num_scenes−1 → one Episode per object."""
    started = time.time()
    scenes = [make_scene(seed_base + i, long_side=backend.config.img_size) for i in range(num_scenes)]
    episodes = [Episode(scene=i, truth=inst.mask, area=inst.area) for i, s in enumerate(scenes) for inst in s.instances]
    if max_objects is not None:
        episodes = episodes[:max_objects]
        scenes = scenes[: episodes[-1].scene + 1]
    backend.set_scenes(scenes)
    log(f"eval: {len(episodes)} objects in {len(scenes)} scenes, encoder {time.time() - started:.1f} s")

    current: List[Result] = []
    chosen: List[int] = []
    for round_ in range(clicks + 1):
        requests = []
        for e, ep in enumerate(episodes):
            if round_ == 0:
                (x, y), _ = deepest_point(ep.truth)
                ep.points.append((x, y))
                ep.labels.append(1.0)
                mask_input = None
            else:
                predicted = current[e].masks[chosen[e]] > 0
                (x, y), label = corrective_click(predicted, ep.truth)
                ep.points.append((x, y))
                ep.labels.append(label)
                mask_input = current[e].low_res[chosen[e]]
            coords = np.array(ep.points + [(0, 0)], dtype=np.float32)
            labels = np.array(ep.labels + [-1.0], dtype=np.float32)
            requests.append(Request(ep.scene, coords, labels, mask_input))
        current = backend.decode(requests)
        chosen = []
        for ep, result in zip(episodes, current):
            if round_ == 0:
                k = 1 + int(np.argmax(result.iou[1:]))
                truths = [iou(result.masks[t] > 0, ep.truth) for t in (1, 2, 3)]
                ep.candidates = [(float(result.iou[t]), truths[t - 1]) for t in (1, 2, 3)]
                ep.oracle = max(truths)
            else:
                k = 0
            chosen.append(k)
            ep.ious.append(iou(result.masks[k] > 0, ep.truth))
    if box:
        requests = []
        for ep in episodes:
            ys, xs = np.nonzero(ep.truth)
            corners = np.array([[xs.min(), ys.min()], [xs.max(), ys.max()]], dtype=np.float32)
            requests.append(Request(ep.scene, corners, np.array([2.0, 3.0], dtype=np.float32)))
        for ep, result in zip(episodes, backend.decode(requests)):
            ep.box = iou(result.masks[0] > 0, ep.truth)
    for ep in episodes:
        ep.ceiling = resolution_ceiling(ep.truth, backend.config.low_res_size, backend.config.img_size)
    log(f"eval: done in {time.time() - started:.1f} s")
    return episodes


def summarize(episodes: List[Episode], clicks: int = 3, box: bool = True) -> Dict[str, object]:
    def mean(values):
        return float(np.mean(values)) if len(values) else float("nan")

    rows = {}
    largest = {}
    for e in episodes:  # the object a user is most likely to click first
        if e.scene not in largest or e.area > largest[e.scene].area:
            largest[e.scene] = e
    groups = [("all objects", episodes)] + [
        (name, [e for e in episodes if lo <= e.area < hi]) for lo, hi, name in SIZE_BUCKETS
    ] + [("largest object of each scene", list(largest.values()))]
    for name, group in groups:
        row = {"objects": len(group), "1 click": mean([e.ious[0] for e in group])}
        if clicks:
            row[f"1 + {clicks} corrective"] = mean([e.ious[clicks] for e in group])
        if box:
            row["box"] = mean([e.box for e in group])
        row["1 click, best of 3 (oracle)"] = mean([e.oracle for e in group])
        row["1 click ≥ 0.85 (share)"] = mean([float(e.ious[0] >= 0.85) for e in group])
        row["low-res ceiling"] = mean([e.ceiling for e in group])
        rows[name] = row
    pairs = np.array([c for e in episodes for c in e.candidates])
    corr = float(np.corrcoef(pairs[:, 0], pairs[:, 1])[0, 1]) if len(pairs) > 2 else float("nan")
    per_click = [mean([e.ious[k] for e in episodes]) for k in range(clicks + 1)]
    return {"rows": rows, "iou_correlation": corr, "per_click": per_click}


def format_table(summary: Dict[str, object]) -> str:
    rows = summary["rows"]
    columns = list(next(iter(rows.values())).keys())
    lines = ["| | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for name, row in rows.items():
        cells = [str(row[c]) if c == "objects" else f"{row[c]:.3f}" for c in columns]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("mean IoU after k clicks (k = 1 … ): " + ", ".join(f"{v:.3f}" for v in summary["per_click"]))
    lines.append(f"predicted vs true IoU, Pearson r over the 3 candidates of every 1-click prompt: "
                 f"{summary['iou_correlation']:.3f}")
    return "\n".join(lines)


def load_checkpoint(path: Path) -> Sam:
    from model import load_demo  # noqa: E402

    return load_demo(load_checkpoint(path), str(path))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Evaluate a demo model on held-out synthetic scenes.")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--checkpoint", type=Path, help="training checkpoint (train.py's checkpoint.pth)")
    source.add_argument("--onnx", type=Path, help="exported model folder (run in onnxruntime-node)")
    p.add_argument("--scenes", type=int, default=200, help="held-out scenes (seeds 2e9 + 0..N-1)")
    p.add_argument("--clicks", type=int, default=3, help="corrective clicks after the first")
    p.add_argument("--json", type=Path, help="also write the summary as JSON")
    p.add_argument("--threads", type=int, default=1, help="1: on a shared machine more threads were slower")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    backend = OnnxBackend(args.onnx) if args.onnx else TorchBackend(load_checkpoint(args.checkpoint))
    episodes = evaluate(backend, args.scenes, clicks=args.clicks, log=lambda m: print(m, file=sys.stderr))
    summary = summarize(episodes, args.clicks)
    print(f"held-out scenes: seeds {EVAL_SEED_BASE} … {EVAL_SEED_BASE + args.scenes - 1}, "
          f"{'ONNX ' + str(args.onnx) if args.onnx else 'checkpoint ' + str(args.checkpoint)}")
    print(format_table(summary))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
