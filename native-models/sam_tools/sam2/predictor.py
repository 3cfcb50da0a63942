"""Meta's `SAM2ImagePredictor` semantics on `Sam2Image`: preprocessing, prompt assembly, token selection and
postprocessing (what the conformance data records, and what the app must reproduce around the ONNX graphs).

Frames: **image frame** = the original H×W picture, pixels (x, y). **Model frame** = the S×S stretch of it
(no letterbox): x' = x·S/W, y' = y·S/H, each axis on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from .config import IMAGENET_MEAN, IMAGENET_STD
from .model import Sam2Image


def preprocess(image: np.ndarray, size: int) -> torch.Tensor:
    """RGB uint8 [H, W, 3] → normalized float32 [1, 3, S, S]: /255, bilinear stretch to S×S (antialiased when
    shrinking, half-pixel centres, computed in float: torchvision's tensor `Resize`), ImageNet mean/std."""
    x = torch.from_numpy(np.array(image, dtype=np.uint8)).permute(2, 0, 1)[None].float() / 255.0
    x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False, antialias=True)
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    return (x - mean) / std


def to_model_frame(points: np.ndarray, hw: Tuple[int, int], size: int) -> np.ndarray:
    """Image-frame (x, y) [..., 2] → model frame, float32 as Meta computes it (x/W·S, y/H·S)."""
    points = np.asarray(points, dtype=np.float32)
    scale = np.array([1.0 / hw[1], 1.0 / hw[0]], dtype=np.float32)
    return (points * scale * np.float32(size)).astype(np.float32)


def assemble_prompt(point_coords, point_labels, box, hw: Tuple[int, int], size: int):
    """→ (coords [1, P, 2] model frame, labels [1, P]) as the predictor passes them to the prompt encoder: box
    corners (labels 2, 3) first, then the clicks; without the padding point (the prompt encoder appends it)."""
    coords, labels = [], []
    if box is not None:
        coords.append(to_model_frame(np.asarray(box, dtype=np.float32).reshape(2, 2), hw, size))
        labels.append(np.array([2, 3], dtype=np.float32))
    if point_coords is not None:
        coords.append(to_model_frame(np.asarray(point_coords, dtype=np.float32).reshape(-1, 2), hw, size))
        labels.append(np.asarray(point_labels, dtype=np.float32))
    return np.concatenate(coords)[None], np.concatenate(labels)[None]


def upscale_logits(low_res: torch.Tensor, hw: Tuple[int, int]) -> torch.Tensor:
    """Low-res logits [N, T, L, L] → [N, T, H, W]: one bilinear resize (align_corners false), no crop."""
    return F.interpolate(low_res, size=hw, mode="bilinear", align_corners=False)


@dataclass
class Prediction:
    masks: np.ndarray  # bool [T, H, W]
    iou_predictions: np.ndarray  # [T]
    low_res_logits: np.ndarray  # [T, L, L], clamped to ±32 (what goes back as mask_input)
    tokens: Sequence[int]  # decoder tokens returned (1, 2, 3 or one of 0..3)
    all_iou: np.ndarray  # [4]
    all_low_res_logits: np.ndarray  # [4, L, L], unclamped
    point_coords: np.ndarray  # [P, 2] model frame, without the padding point
    point_labels: np.ndarray  # [P]


class Sam2Predictor:
    """set_image once per image, predict per prompt (Meta's SAM2ImagePredictor.set_image / predict)."""

    def __init__(self, model: Sam2Image) -> None:
        self.model = model.eval()
        self.features = None
        self.hw: Tuple[int, int] = (0, 0)
        self.input_tensor: Optional[torch.Tensor] = None

    @torch.no_grad()
    def set_image(self, image: np.ndarray) -> None:
        self.hw = tuple(image.shape[:2])
        self.input_tensor = preprocess(image, self.model.config.image_size)
        self.features = self.model.encode(self.input_tensor)

    @torch.no_grad()
    def predict(self, point_coords=None, point_labels=None, box=None, mask_input=None, multimask_output=True,
                features=None) -> Prediction:
        size = self.model.config.image_size
        coords, labels = assemble_prompt(point_coords, point_labels, box, self.hw, size)
        mask = None if mask_input is None else torch.as_tensor(np.asarray(mask_input, np.float32))[None, None]
        masks, iou, _ = self.model.decode_all(features or self.features, torch.from_numpy(coords),
                                              torch.from_numpy(labels), mask)
        chosen, chosen_iou, tokens = self.model.select(masks, iou, multimask_output)
        binary = upscale_logits(chosen, self.hw) > self.model.mask_threshold
        return Prediction(
            masks=binary[0].numpy(), iou_predictions=chosen_iou[0].numpy(),
            low_res_logits=chosen.clamp(-32.0, 32.0)[0].numpy(), tokens=[int(t) for t in tokens[0]],
            all_iou=iou[0].numpy(), all_low_res_logits=masks[0].numpy(), point_coords=coords[0],
            point_labels=labels[0],
        )
