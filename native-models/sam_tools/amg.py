"""Reference automatic mask generation: Meta's `SamAutomaticMaskGenerator` step by step, on this package's model.

It follows `segment_anything/automatic_mask_generator.py` and `segment_anything/utils/amg.py` (Meta, commit
dca509f) operation for operation, in torch, so the TypeScript generator (electron/common/amg, electron/inference
/amg.ts) can be checked against it on the same weights and image. What Meta imports is replaced by equivalents:

- torchvision's `batched_nms` / `nms` / `box_area`: the CPU kernel's arithmetic (float32 areas, intersections and
  IoU, `iou > threshold` compared in double precision, scores sorted with a stable sort). With one category the
  coordinate trick adds 0. (torchvision's other path, taken above 1000 boxes on the CPU, returns the same set but
  orders equal scores with an unstable sort; this module always uses the stable order.)
- pycocotools' `frPyObjects` on an uncompressed RLE: `rle.counts_to_string`.
- `SamPredictor.predict_torch`: prompts as Meta's PyTorch prompt encoder embeds them (float64 coordinates shifted by
  0.5 and normalized in float64, then float32), decoder, `postprocess_masks`.
- OpenCV's `connectedComponentsWithStats(mask, 8)` is OpenCV itself (`python3-opencv`), imported only when
  `min_mask_region_area > 0`, as Meta does.

Frames: the image is uint8 RGB [H, W, 3]; a crop is its own image (Meta's `set_image(cropped_im)`); points, boxes
and masks of a crop are uncropped to the image frame. Boxes are XYXY; mask boxes have inclusive max indices.
"""

from __future__ import annotations

import math
from copy import deepcopy
from itertools import product
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from . import rle as rle_codec
from .predictor import Predictor, preprocess_shape
from .sam import Sam


class MaskData:
    """Columns of per-mask values (tensors, arrays or lists) filtered and concatenated together (Meta's)."""

    def __init__(self, **columns: Any) -> None:
        self._stats: Dict[str, Any] = dict(columns)

    def __setitem__(self, key: str, value: Any) -> None:
        self._stats[key] = value

    def __getitem__(self, key: str) -> Any:
        return self._stats[key]

    def __delitem__(self, key: str) -> None:
        del self._stats[key]

    def __contains__(self, key: str) -> bool:
        return key in self._stats

    def items(self):
        return self._stats.items()

    def filter(self, keep: torch.Tensor) -> None:
        for key, value in self._stats.items():
            if isinstance(value, torch.Tensor):
                self._stats[key] = value[torch.as_tensor(keep)]
            elif isinstance(value, np.ndarray):
                self._stats[key] = value[keep.detach().cpu().numpy()]
            elif isinstance(value, list) and keep.dtype == torch.bool:
                self._stats[key] = [item for item, k in zip(value, keep) if k]
            elif isinstance(value, list):
                self._stats[key] = [value[i] for i in keep]
            else:
                raise TypeError(f"MaskData column {key} has unsupported type {type(value)}")

    def cat(self, other: "MaskData") -> None:
        for key, value in other.items():
            if key not in self._stats:
                self._stats[key] = deepcopy(value)
            elif isinstance(value, torch.Tensor):
                self._stats[key] = torch.cat([self._stats[key], value], dim=0)
            elif isinstance(value, np.ndarray):
                self._stats[key] = np.concatenate([self._stats[key], value], axis=0)
            elif isinstance(value, list):
                self._stats[key] = self._stats[key] + deepcopy(value)
            else:
                raise TypeError(f"MaskData column {key} has unsupported type {type(value)}")

    def to_numpy(self) -> None:
        for key, value in self._stats.items():
            if isinstance(value, torch.Tensor):
                self._stats[key] = value.detach().cpu().numpy()


# --- torchvision equivalents ---------------------------------------------------------------------------------


def box_area(boxes: torch.Tensor) -> torch.Tensor:
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def nms(boxes: torch.Tensor, scores: torch.Tensor, iou_threshold: float) -> torch.Tensor:
    """torchvision's CPU `nms` on float32 XYXY boxes → kept indices, highest score first (int64)."""
    boxes = boxes.to(torch.float32)
    scores = scores.to(torch.float32)
    if boxes.numel() == 0:
        return torch.empty((0,), dtype=torch.int64)
    x1, y1, x2, y2 = boxes.unbind(1)
    areas = (x2 - x1) * (y2 - y1)
    order = torch.sort(scores, stable=True, descending=True)[1]
    suppressed = torch.zeros(len(boxes), dtype=torch.bool)
    keep: List[int] = []
    for position in range(len(order)):
        i = int(order[position])
        if suppressed[i]:
            continue
        keep.append(i)
        rest = order[position + 1:]
        rest = rest[~suppressed[rest]]
        if len(rest) == 0:
            continue
        w = (torch.minimum(x2[i], x2[rest]) - torch.maximum(x1[i], x1[rest])).clamp(min=0)
        h = (torch.minimum(y2[i], y2[rest]) - torch.maximum(y1[i], y1[rest])).clamp(min=0)
        inter = w * h
        iou = inter / (areas[i] + areas[rest] - inter)
        # The C++ kernel compares the float IoU with the double threshold.
        suppressed[rest[iou.double() > iou_threshold]] = True
    return torch.tensor(keep, dtype=torch.int64)


def batched_nms(boxes: torch.Tensor, scores: torch.Tensor, idxs: torch.Tensor, iou_threshold: float) -> torch.Tensor:
    """torchvision's `batched_nms` (coordinate trick): boxes of different categories never suppress each other."""
    if boxes.numel() == 0:
        return torch.empty((0,), dtype=torch.int64)
    max_coordinate = boxes.max()
    offsets = idxs.to(boxes) * (max_coordinate + torch.tensor(1).to(boxes))
    return nms(boxes + offsets[:, None], scores, iou_threshold)


# --- segment_anything/utils/amg.py ---------------------------------------------------------------------------


def is_box_near_crop_edge(boxes: torch.Tensor, crop_box: List[int], orig_box: List[int], atol: float = 20.0):
    crop_box_t = torch.as_tensor(crop_box, dtype=torch.float)
    orig_box_t = torch.as_tensor(orig_box, dtype=torch.float)
    boxes = uncrop_boxes_xyxy(boxes, crop_box).float()
    near_crop_edge = torch.isclose(boxes, crop_box_t[None, :], atol=atol, rtol=0)
    near_image_edge = torch.isclose(boxes, orig_box_t[None, :], atol=atol, rtol=0)
    return torch.any(torch.logical_and(near_crop_edge, ~near_image_edge), dim=1)


def box_xyxy_to_xywh(box_xyxy):
    box = deepcopy(box_xyxy)
    box[2] = box[2] - box[0]
    box[3] = box[3] - box[1]
    return box


def batch_iterator(batch_size: int, *args) -> Iterator[List[Any]]:
    n_batches = len(args[0]) // batch_size + int(len(args[0]) % batch_size != 0)
    for b in range(n_batches):
        yield [arg[b * batch_size:(b + 1) * batch_size] for arg in args]


def mask_to_rle_pytorch(tensor: torch.Tensor) -> List[Dict[str, Any]]:
    """Masks [B, H, W] → uncompressed COCO RLEs (column-major runs, first run background)."""
    b, h, w = tensor.shape
    tensor = tensor.permute(0, 2, 1).flatten(1)
    diff = tensor[:, 1:] ^ tensor[:, :-1]
    change_indices = diff.nonzero()
    out = []
    for i in range(b):
        cur = change_indices[change_indices[:, 0] == i, 1]
        cur = torch.cat([torch.tensor([0], dtype=cur.dtype), cur + 1, torch.tensor([h * w], dtype=cur.dtype)])
        runs = cur[1:] - cur[:-1]
        counts = [] if tensor[i, 0] == 0 else [0]
        counts.extend(runs.tolist())
        out.append({"size": [h, w], "counts": counts})
    return out


def rle_to_mask(rle: Dict[str, Any]) -> np.ndarray:
    h, w = rle["size"]
    mask = np.empty(h * w, dtype=bool)
    idx, parity = 0, False
    for count in rle["counts"]:
        mask[idx:idx + count] = parity
        idx += count
        parity ^= True
    return mask.reshape(w, h).transpose()


def area_from_rle(rle: Dict[str, Any]) -> int:
    return sum(rle["counts"][1::2])


def calculate_stability_score(masks: torch.Tensor, mask_threshold: float, threshold_offset: float) -> torch.Tensor:
    intersections = (masks > (mask_threshold + threshold_offset)).sum(-1, dtype=torch.int16).sum(-1, dtype=torch.int32)
    unions = (masks > (mask_threshold - threshold_offset)).sum(-1, dtype=torch.int16).sum(-1, dtype=torch.int32)
    return intersections / unions


def build_point_grid(n_per_side: int) -> np.ndarray:
    offset = 1 / (2 * n_per_side)
    points_one_side = np.linspace(offset, 1 - offset, n_per_side)
    points_x = np.tile(points_one_side[None, :], (n_per_side, 1))
    points_y = np.tile(points_one_side[:, None], (1, n_per_side))
    return np.stack([points_x, points_y], axis=-1).reshape(-1, 2)


def build_all_layer_point_grids(n_per_side: int, n_layers: int, scale_per_layer: int) -> List[np.ndarray]:
    return [build_point_grid(int(n_per_side / (scale_per_layer ** i))) for i in range(n_layers + 1)]


def generate_crop_boxes(im_size: Tuple[int, ...], n_layers: int, overlap_ratio: float):
    crop_boxes, layer_idxs = [], []
    im_h, im_w = im_size
    short_side = min(im_h, im_w)
    crop_boxes.append([0, 0, im_w, im_h])
    layer_idxs.append(0)

    def crop_len(orig_len, n_crops, overlap):
        return int(math.ceil((overlap * (n_crops - 1) + orig_len) / n_crops))

    for i_layer in range(n_layers):
        n_crops_per_side = 2 ** (i_layer + 1)
        overlap = int(overlap_ratio * short_side * (2 / n_crops_per_side))
        crop_w = crop_len(im_w, n_crops_per_side, overlap)
        crop_h = crop_len(im_h, n_crops_per_side, overlap)
        crop_box_x0 = [int((crop_w - overlap) * i) for i in range(n_crops_per_side)]
        crop_box_y0 = [int((crop_h - overlap) * i) for i in range(n_crops_per_side)]
        for x0, y0 in product(crop_box_x0, crop_box_y0):
            crop_boxes.append([x0, y0, min(x0 + crop_w, im_w), min(y0 + crop_h, im_h)])
            layer_idxs.append(i_layer + 1)
    return crop_boxes, layer_idxs


def uncrop_boxes_xyxy(boxes: torch.Tensor, crop_box: List[int]) -> torch.Tensor:
    x0, y0, _, _ = crop_box
    offset = torch.tensor([[x0, y0, x0, y0]])
    if len(boxes.shape) == 3:
        offset = offset.unsqueeze(1)
    return boxes + offset


def uncrop_points(points: torch.Tensor, crop_box: List[int]) -> torch.Tensor:
    x0, y0, _, _ = crop_box
    offset = torch.tensor([[x0, y0]])
    if len(points.shape) == 3:
        offset = offset.unsqueeze(1)
    return points + offset


def uncrop_masks(masks: torch.Tensor, crop_box: List[int], orig_h: int, orig_w: int) -> torch.Tensor:
    x0, y0, x1, y1 = crop_box
    if x0 == 0 and y0 == 0 and x1 == orig_w and y1 == orig_h:
        return masks
    pad_x, pad_y = orig_w - (x1 - x0), orig_h - (y1 - y0)
    return F.pad(masks, (x0, pad_x - x0, y0, pad_y - y0), value=0)


def remove_small_regions(mask: np.ndarray, area_thresh: float, mode: str) -> Tuple[np.ndarray, bool]:
    import cv2  # noqa: PLC0415 (optional dependency, as in Meta's code)

    correct_holes = mode == "holes"
    working_mask = (correct_holes ^ mask).astype(np.uint8)
    n_labels, regions, stats, _ = cv2.connectedComponentsWithStats(working_mask, 8)
    sizes = stats[:, -1][1:]  # row 0 is the background label
    small_regions = [i + 1 for i, s in enumerate(sizes) if s < area_thresh]
    if len(small_regions) == 0:
        return mask, False
    fill_labels = [0] + small_regions
    if not correct_holes:
        fill_labels = [i for i in range(n_labels) if i not in fill_labels]
        if len(fill_labels) == 0:  # every region is small: keep the largest
            fill_labels = [int(np.argmax(sizes)) + 1]
    return np.isin(regions, fill_labels), True


def coco_encode_rle(uncompressed_rle: Dict[str, Any]) -> Dict[str, Any]:
    h, w = uncompressed_rle["size"]
    return {"size": [h, w], "counts": rle_codec.counts_to_string(uncompressed_rle["counts"])}


def batched_mask_to_box(masks: torch.Tensor) -> torch.Tensor:
    """Masks [..., H, W] → XYXY [..., 4] with inclusive max indices; [0, 0, 0, 0] for an empty mask."""
    if torch.numel(masks) == 0:
        return torch.zeros(*masks.shape[:-2], 4)
    shape = masks.shape
    h, w = shape[-2:]
    masks = masks.flatten(0, -3) if len(shape) > 2 else masks.unsqueeze(0)
    in_height, _ = torch.max(masks, dim=-1)
    in_height_coords = in_height * torch.arange(h)[None, :]
    bottom_edges, _ = torch.max(in_height_coords, dim=-1)
    in_height_coords = in_height_coords + h * (~in_height)
    top_edges, _ = torch.min(in_height_coords, dim=-1)
    in_width, _ = torch.max(masks, dim=-2)
    in_width_coords = in_width * torch.arange(w)[None, :]
    right_edges, _ = torch.max(in_width_coords, dim=-1)
    in_width_coords = in_width_coords + w * (~in_width)
    left_edges, _ = torch.min(in_width_coords, dim=-1)
    empty_filter = (right_edges < left_edges) | (bottom_edges < top_edges)
    out = torch.stack([left_edges, top_edges, right_edges, bottom_edges], dim=-1)
    out = out * (~empty_filter).unsqueeze(-1)
    return out.reshape(*shape[:-2], 4) if len(shape) > 2 else out[0]


# --- segment_anything/automatic_mask_generator.py ------------------------------------------------------------


class AutomaticMaskGenerator:
    """Meta's `SamAutomaticMaskGenerator` (output_mode "coco_rle"), plus `drop_masks_covering` (the SA paper's
    filter of masks covering ≥ that fraction of the image, applied last; 0 = off, Meta's behaviour)."""

    def __init__(
        self,
        model: Sam,
        points_per_side: Optional[int] = 32,
        points_per_batch: int = 64,
        pred_iou_thresh: float = 0.88,
        stability_score_thresh: float = 0.95,
        stability_score_offset: float = 1.0,
        box_nms_thresh: float = 0.7,
        crop_n_layers: int = 0,
        crop_nms_thresh: float = 0.7,
        crop_overlap_ratio: float = 512 / 1500,
        crop_n_points_downscale_factor: int = 1,
        point_grids: Optional[List[np.ndarray]] = None,
        min_mask_region_area: int = 0,
        drop_masks_covering: float = 0.0,
    ) -> None:
        assert (points_per_side is None) != (point_grids is None), "give exactly one of points_per_side, point_grids"
        if points_per_side is not None:
            self.point_grids = build_all_layer_point_grids(points_per_side, crop_n_layers,
                                                           crop_n_points_downscale_factor)
        else:
            self.point_grids = [np.asarray(g, dtype=np.float64) for g in point_grids]
        if min_mask_region_area > 0:
            import cv2  # noqa: F401, PLC0415
        self.predictor = Predictor(model)
        self.model = model
        self.points_per_batch = points_per_batch
        self.pred_iou_thresh = pred_iou_thresh
        self.stability_score_thresh = stability_score_thresh
        self.stability_score_offset = stability_score_offset
        self.box_nms_thresh = box_nms_thresh
        self.crop_n_layers = crop_n_layers
        self.crop_nms_thresh = crop_nms_thresh
        self.crop_overlap_ratio = crop_overlap_ratio
        self.min_mask_region_area = min_mask_region_area
        self.drop_masks_covering = drop_masks_covering

    @torch.no_grad()
    def generate(self, image: np.ndarray) -> List[Dict[str, Any]]:
        """image: uint8 RGB [H, W, 3] → Meta's records (segmentation = COCO compressed RLE, string counts)."""
        mask_data = self._generate_masks(image)
        if self.min_mask_region_area > 0:
            mask_data = self.postprocess_small_regions(
                mask_data, self.min_mask_region_area, max(self.box_nms_thresh, self.crop_nms_thresh))
        records = []
        for idx in range(len(mask_data["rles"])):
            records.append({
                "segmentation": coco_encode_rle(mask_data["rles"][idx]),
                "area": area_from_rle(mask_data["rles"][idx]),
                "bbox": box_xyxy_to_xywh(mask_data["boxes"][idx]).tolist(),
                "predicted_iou": mask_data["iou_preds"][idx].item(),
                "point_coords": [mask_data["points"][idx].tolist()],
                "stability_score": mask_data["stability_score"][idx].item(),
                "crop_box": box_xyxy_to_xywh(mask_data["crop_boxes"][idx]).tolist(),
            })
        if self.drop_masks_covering > 0:
            h, w = image.shape[:2]
            records = [r for r in records if not r["area"] >= self.drop_masks_covering * w * h]
        return records

    def _generate_masks(self, image: np.ndarray) -> MaskData:
        orig_size = image.shape[:2]
        crop_boxes, layer_idxs = generate_crop_boxes(orig_size, self.crop_n_layers, self.crop_overlap_ratio)
        data = MaskData()
        for crop_box, layer_idx in zip(crop_boxes, layer_idxs):
            data.cat(self._process_crop(image, crop_box, layer_idx, orig_size))
        if len(crop_boxes) > 1 and "boxes" in data:
            scores = 1 / box_area(data["crop_boxes"])  # smaller crops win
            keep_by_nms = batched_nms(data["boxes"].float(), scores, torch.zeros_like(data["boxes"][:, 0]),
                                      iou_threshold=self.crop_nms_thresh)
            data.filter(keep_by_nms)
        data.to_numpy()
        return data

    def _process_crop(self, image, crop_box, crop_layer_idx, orig_size) -> MaskData:
        x0, y0, x1, y1 = crop_box
        cropped_im = image[y0:y1, x0:x1, :]
        cropped_im_size = cropped_im.shape[:2]
        self.predictor.set_image(np.ascontiguousarray(cropped_im))
        points_scale = np.array(cropped_im_size)[None, ::-1]
        points_for_image = self.point_grids[crop_layer_idx] * points_scale
        data = MaskData()
        for (points,) in batch_iterator(self.points_per_batch, points_for_image):
            data.cat(self._process_batch(points, cropped_im_size, crop_box, orig_size))
        keep_by_nms = batched_nms(data["boxes"].float(), data["iou_preds"], torch.zeros_like(data["boxes"][:, 0]),
                                  iou_threshold=self.box_nms_thresh)
        data.filter(keep_by_nms)
        data["boxes"] = uncrop_boxes_xyxy(data["boxes"], crop_box)
        data["points"] = uncrop_points(data["points"], crop_box)
        data["crop_boxes"] = torch.tensor([crop_box for _ in range(len(data["rles"]))]).reshape(-1, 4)
        return data

    def _predict_torch(self, points: np.ndarray, im_size) -> Tuple[torch.Tensor, torch.Tensor]:
        """Meta's `predict_torch(points[:, None], ones, multimask_output=True, return_logits=True)`.

        → upsampled logits [B, 3, h, w] at the crop's size, IoU predictions [B, 3].
        """
        model, s = self.model, self.predictor.long_side
        coords = torch.as_tensor(apply_coords_f64(points, im_size, s))[:, None, :]  # float64 [B, 1, 2]
        labels = torch.ones(coords.shape[0], 1, dtype=torch.int)
        # PromptEncoder._embed_points(pad=True) as Meta runs it: +0.5 and the division in float64.
        coords = coords + 0.5
        coords = torch.cat([coords, torch.zeros((coords.shape[0], 1, 2), dtype=coords.dtype)], dim=1)
        labels = torch.cat([labels, -torch.ones((labels.shape[0], 1), dtype=labels.dtype)], dim=1)
        normalized = coords.clone()
        normalized[:, :, 0] = normalized[:, :, 0] / s
        normalized[:, :, 1] = normalized[:, :, 1] / s
        prompt_encoder = model.prompt_encoder
        sparse = prompt_encoder.pe_layer._pe_encoding(normalized.to(torch.float))
        sparse[labels == -1] = 0.0
        sparse[labels == -1] += prompt_encoder.not_a_point_embed.weight
        sparse[labels == 0] += prompt_encoder.point_embeddings[0].weight
        sparse[labels == 1] += prompt_encoder.point_embeddings[1].weight
        dense = prompt_encoder.no_mask_dense(coords.shape[0])
        low_res, iou = model.mask_decoder(self.predictor.features, prompt_encoder.get_dense_pe(), sparse, dense,
                                          multimask_output=True)
        masks = model.postprocess_masks(low_res, self.predictor.input_size, self.predictor.original_size)
        return masks, iou

    def _process_batch(self, points: np.ndarray, im_size, crop_box, orig_size) -> MaskData:
        orig_h, orig_w = orig_size
        masks, iou_preds = self._predict_torch(points, im_size)
        data = MaskData(masks=masks.flatten(0, 1), iou_preds=iou_preds.flatten(0, 1),
                        points=torch.as_tensor(points.repeat(masks.shape[1], axis=0)))
        del masks
        if self.pred_iou_thresh > 0.0:
            data.filter(data["iou_preds"] > self.pred_iou_thresh)
        data["stability_score"] = calculate_stability_score(data["masks"], self.model.mask_threshold,
                                                            self.stability_score_offset)
        if self.stability_score_thresh > 0.0:
            data.filter(data["stability_score"] >= self.stability_score_thresh)
        data["masks"] = data["masks"] > self.model.mask_threshold
        data["boxes"] = batched_mask_to_box(data["masks"])
        keep_mask = ~is_box_near_crop_edge(data["boxes"], crop_box, [0, 0, orig_w, orig_h])
        if not torch.all(keep_mask):
            data.filter(keep_mask)
        data["masks"] = uncrop_masks(data["masks"], crop_box, orig_h, orig_w)
        data["rles"] = mask_to_rle_pytorch(data["masks"])
        del data["masks"]
        return data

    @staticmethod
    def postprocess_small_regions(mask_data: MaskData, min_area: int, nms_thresh: float) -> MaskData:
        if len(mask_data["rles"]) == 0:
            return mask_data
        new_masks, scores = [], []
        for rle in mask_data["rles"]:
            mask = rle_to_mask(rle)
            mask, changed = remove_small_regions(mask, min_area, mode="holes")
            unchanged = not changed
            mask, changed = remove_small_regions(mask, min_area, mode="islands")
            unchanged = unchanged and not changed
            new_masks.append(torch.as_tensor(mask).unsqueeze(0))
            scores.append(float(unchanged))  # NMS prefers masks that needed no clean-up
        masks = torch.cat(new_masks, dim=0)
        boxes = batched_mask_to_box(masks)
        keep_by_nms = batched_nms(boxes.float(), torch.as_tensor(scores), torch.zeros(len(boxes)),
                                  iou_threshold=nms_thresh)
        for i_mask in keep_by_nms:
            if scores[i_mask] == 0.0:
                mask_data["rles"][i_mask] = mask_to_rle_pytorch(masks[i_mask].unsqueeze(0))[0]
                mask_data["boxes"][i_mask] = boxes[i_mask]
        mask_data.filter(keep_by_nms)
        return mask_data


def apply_coords_f64(coords: np.ndarray, original_size, long_side: int) -> np.ndarray:
    """Meta's `ResizeLongestSide.apply_coords` keeping float64 (what `_process_batch` feeds `predict_torch`)."""
    old_h, old_w = original_size
    new_h, new_w = preprocess_shape(old_h, old_w, long_side)
    coords = np.array(coords, dtype=np.float64, copy=True)
    coords[..., 0] = coords[..., 0] * (new_w / old_w)
    coords[..., 1] = coords[..., 1] * (new_h / old_h)
    return coords


def sa1b_document(records: Sequence[Dict[str, Any]], image_id: int, width: int, height: int,
                  file_name: str) -> Dict[str, Any]:
    """Meta's records as one SA-1B per-image file: `{"image": …, "annotations": […]}`, ids 0, 1, … in order."""
    return {
        "image": {"image_id": image_id, "width": width, "height": height, "file_name": file_name},
        "annotations": [
            {"id": i, "segmentation": r["segmentation"], "bbox": r["bbox"], "area": r["area"],
             "predicted_iou": r["predicted_iou"], "point_coords": r["point_coords"], "crop_box": r["crop_box"],
             "stability_score": r["stability_score"]}
            for i, r in enumerate(records)
        ],
    }


__all__ = ["AutomaticMaskGenerator", "batched_nms", "nms", "sa1b_document"]
