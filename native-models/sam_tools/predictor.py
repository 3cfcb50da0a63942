"""Reference pipeline with Meta's `SamPredictor` semantics, used to produce test fixtures.

Frames: the *image* frame is the original H×W picture; the *model* frame is the image resized so its longest
side is S (ResizeLongestSide) — h'×w' — then zero-padded to S×S. Prompts are given in image pixels (x, y) and
mapped to the model frame by the per-axis ratios w'/W and h'/H, as Meta's `apply_coords` does.
"""

from __future__ import annotations

import dataclasses
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
from PIL import Image

from .sam import Sam


def preprocess_shape(h: int, w: int, long_side: int) -> Tuple[int, int]:
    """Meta's `ResizeLongestSide.get_preprocess_shape` (float64 arithmetic, round half up) → (h', w')."""
    scale = long_side * 1.0 / max(h, w)
    return int(h * scale + 0.5), int(w * scale + 0.5)


def resize_image(image: np.ndarray, long_side: int) -> np.ndarray:
    """uint8 RGB [H, W, 3] → uint8 [h', w', 3] with PIL's bilinear filter (antialiased when shrinking).

    Meta calls torchvision's `resize` on a PIL image, which is `PIL.Image.resize((w', h'), BILINEAR)`.
    """
    h, w = image.shape[:2]
    new_h, new_w = preprocess_shape(h, w, long_side)
    return np.asarray(Image.fromarray(image, mode="RGB").resize((new_w, new_h), Image.BILINEAR))


def apply_coords(coords: np.ndarray, original_size: Tuple[int, int], long_side: int) -> np.ndarray:
    """Image-frame (x, y) [..., 2] → model frame, float64 then float32 as Meta's predictor feeds them."""
    old_h, old_w = original_size
    new_h, new_w = preprocess_shape(old_h, old_w, long_side)
    coords = np.array(coords, dtype=np.float64, copy=True)
    coords[..., 0] = coords[..., 0] * (new_w / old_w)
    coords[..., 1] = coords[..., 1] * (new_h / old_h)
    return coords.astype(np.float32)


def stability_score(logits: torch.Tensor, threshold: float = 0.0, offset: float = 1.0) -> torch.Tensor:
    """Meta's `calculate_stability_score`: |logits > t+o| / |logits > t−o| over the last two axes.

    Counts are summed per row in int16 and then in int32, exactly as Meta does (so the same rounding applies).
    """
    inter = (logits > (threshold + offset)).sum(-1, dtype=torch.int16).sum(-1, dtype=torch.int32)
    union = (logits > (threshold - offset)).sum(-1, dtype=torch.int16).sum(-1, dtype=torch.int32)
    return inter / union


@dataclasses.dataclass
class Prediction:
    """What one `predict` call returns, plus the exact inputs an ONNX decoder would be fed."""

    masks: np.ndarray  # bool [T, H, W]
    logits: np.ndarray  # float32 [T, H, W], upsampled logits before thresholding
    iou_predictions: np.ndarray  # float32 [T]
    low_res_logits: np.ndarray  # float32 [T, 4g, 4g]
    stability_scores: np.ndarray  # float32 [T]
    point_coords: np.ndarray  # float32 [N, 2] model frame, as fed to Meta's ONNX decoder
    point_labels: np.ndarray  # float32 [N]
    output_index: List[int]  # decoder tokens returned: [1, 2, 3] (multimask) or [0]


class Predictor:
    """`set_image` once, then `predict` per prompt (Meta's `SamPredictor`)."""

    def __init__(self, model: Sam) -> None:
        self.model = model
        self.long_side = model.image_encoder.img_size

    @torch.no_grad()
    def set_image(self, image: np.ndarray) -> None:
        """image: uint8 RGB [H, W, 3]."""
        if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
            raise ValueError("set_image expects a uint8 RGB array [H, W, 3]")
        self.original_size = image.shape[:2]
        self.input_resized = resize_image(image, self.long_side)
        self.input_size = self.input_resized.shape[:2]
        pixels = torch.from_numpy(np.array(self.input_resized, dtype=np.float32)).permute(2, 0, 1)[None]
        self.model_input = self.model.preprocess(pixels)  # [1, 3, S, S]
        self.features = self.model.image_encoder(self.model_input)  # [1, C, g, g]

    @torch.no_grad()
    def predict(
        self,
        point_coords: Optional[Sequence[Sequence[float]]] = None,
        point_labels: Optional[Sequence[int]] = None,
        box: Optional[Sequence[float]] = None,
        mask_input: Optional[np.ndarray] = None,
        multimask_output: bool = True,
    ) -> Prediction:
        """Points (image pixels, labels 1/0), box XYXY (image pixels), mask_input [4g, 4g] low-res logits."""
        coords = labels = None
        if point_coords is not None and len(point_coords):
            coords = torch.as_tensor(apply_coords(np.asarray(point_coords), self.original_size, self.long_side))[None]
            labels = torch.as_tensor(np.asarray(point_labels), dtype=torch.int64)[None]
        box_t = None
        if box is not None:
            corners = apply_coords(np.asarray(box, dtype=np.float64).reshape(2, 2), self.original_size, self.long_side)
            box_t = torch.as_tensor(corners.reshape(1, 4))
        mask_t = None if mask_input is None else torch.as_tensor(mask_input, dtype=torch.float32)[None, None]

        points = (coords, labels) if coords is not None else None
        sparse, dense = self.model.prompt_encoder(points=points, boxes=box_t, masks=mask_t)
        low_res, iou = self.model.mask_decoder(
            self.features, self.model.prompt_encoder.get_dense_pe(), sparse, dense, multimask_output
        )
        logits = self.model.postprocess_masks(low_res, self.input_size, self.original_size)
        fed_coords, fed_labels = self._decoder_points(coords, labels, box_t)
        return Prediction(
            masks=(logits > self.model.mask_threshold)[0].numpy(),
            logits=logits[0].numpy(),
            iou_predictions=iou[0].numpy(),
            low_res_logits=low_res[0].numpy(),
            stability_scores=stability_score(logits, self.model.mask_threshold, 1.0)[0].numpy(),
            point_coords=fed_coords,
            point_labels=fed_labels,
            output_index=[1, 2, 3] if multimask_output else [0],
        )

    @staticmethod
    def _decoder_points(coords, labels, box) -> Tuple[np.ndarray, np.ndarray]:
        """Points, then box corners (labels 2, 3), else one padding point (0, 0, −1): Meta's ONNX feed.

        Meta's prompt encoder pads only a point prompt, so a prompt of neither points nor box has no tokens.
        """
        xy = [] if coords is None else coords[0].tolist()
        lab = [] if labels is None else [float(v) for v in labels[0].tolist()]
        if box is not None:
            xy += box[0].reshape(2, 2).tolist()
            lab += [2.0, 3.0]
        elif coords is not None:
            xy.append([0.0, 0.0])
            lab.append(-1.0)
        return np.asarray(xy, dtype=np.float32).reshape(-1, 2), np.asarray(lab, dtype=np.float32)
