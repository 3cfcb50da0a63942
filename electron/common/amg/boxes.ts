/**
 * Box helpers of Meta's AMG (segment_anything/utils/amg.py). Mask boxes are XYXY with *inclusive* max indices
 * (`batched_mask_to_box`); crop boxes are XYXY with exclusive x1/y1. Both in pixels of the frame named.
 */

/** [x0, y0, x1, y1]. */
export type BoxXyxy = readonly [x0: number, y0: number, x1: number, y1: number];

/** Meta's `box_xyxy_to_xywh`: [x0, y0, x1 − x0, y1 − y0] (no +1: a one-pixel mask box has w = h = 0). */
export function boxXyxyToXywh(box: BoxXyxy): [number, number, number, number] {
  return [box[0], box[1], box[2] - box[0], box[3] - box[1]];
}

/** Meta's `uncrop_boxes_xyxy`: a box in a crop's frame → the image frame. */
export function uncropBox(box: BoxXyxy, crop: BoxXyxy): BoxXyxy {
  return [box[0] + crop[0], box[1] + crop[1], box[2] + crop[0], box[3] + crop[1]];
}

/** Meta's `uncrop_points`. */
export function uncropPoint(x: number, y: number, crop: BoxXyxy): [number, number] {
  return [x + crop[0], y + crop[1]];
}

/** torchvision `box_area`: (x1 − x0) · (y1 − y0). */
export function boxArea(box: BoxXyxy): number {
  return (box[2] - box[0]) * (box[3] - box[1]);
}

/**
 * Meta's `is_box_near_crop_edge` for one mask box in the crop's frame: true when, after uncropping, one of its
 * coordinates is within `atol` of the crop box's but not within `atol` of the image's ([0, 0, W, H]), i.e. the
 * mask runs into a crop edge that is inside the image, so another crop sees it whole. Exact on integer boxes
 * (torch.isclose with rtol = 0 on float32 values below 2^24).
 */
export function isBoxNearCropEdge(box: BoxXyxy, crop: BoxXyxy, image: BoxXyxy, atol = 20): boolean {
  const b = uncropBox(box, crop);
  for (let k = 0; k < 4; k++) {
    const nearCrop = Math.abs(b[k]! - crop[k]!) <= atol;
    const nearImage = Math.abs(b[k]! - image[k]!) <= atol;
    if (nearCrop && !nearImage) return true;
  }
  return false;
}
