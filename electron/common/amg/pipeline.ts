/**
 * The steps of Meta's `SamAutomaticMaskGenerator.generate` after the decoder, on plain data: within-crop NMS and
 * uncropping (`_process_crop`), NMS across crops (`_generate_masks`), small-region clean-up
 * (`postprocess_small_regions`), the SA paper's large-mask filter (ours, optional), and the output records
 * (`generate`'s `curr_anns`, SA-1B annotation form). The decoder side — filters by predicted IoU and stability,
 * thresholding, the crop-edge test, RLE — runs where the logits are (the decoder worker), one candidate at a time.
 */
import type { Size } from '../frames.ts';
import type { Sa1bAnnotation } from '../formatSa1b.ts';
import { type Rle, type UncompressedRle, compressRle, decompressRle, rleArea } from '../rle.ts';
import { type BoxXyxy, boxArea, boxXyxyToXywh, uncropBox, uncropPoint } from './boxes.ts';
import type { CropBox } from './crops.ts';
import { maskBoxXyxy } from './masks.ts';
import { nms } from './nms.ts';
import type { AmgParams } from './params.ts';
import { removeSmallRegions } from './regions.ts';

/** A mask the decoder kept for one grid point of one crop (all of Meta's per-batch filters passed). */
export interface CropCandidate {
  /** Index of the prompt in the crop's point list. */
  readonly pointIndex: number;
  /** Meta's multimask token (1..3) that produced it. */
  readonly token: number;
  /** float32 values. */
  readonly predictedIou: number;
  readonly stabilityScore: number;
  /** Mask box in the crop's frame, XYXY inclusive (Meta's `batched_mask_to_box`). */
  readonly box: BoxXyxy;
  /** The mask uncropped to the whole image: COCO compressed RLE. */
  readonly rle: Rle;
  readonly area: number;
}

/** One generated mask in the image frame: Meta's MaskData row. */
export interface AmgMask {
  readonly rle: Rle;
  readonly area: number;
  /** XYXY inclusive, image pixels. */
  readonly box: BoxXyxy;
  readonly predictedIou: number;
  readonly stabilityScore: number;
  /** The grid point that produced it, image pixels (float64 as Meta computes it). */
  readonly point: readonly [number, number];
  /** XYXY (exclusive x1/y1) of the crop it came from. */
  readonly cropBox: BoxXyxy;
}

/**
 * `_process_crop` after the batches: NMS by predicted IoU at `box_nms_thresh` over the crop's candidates (in the
 * order the batches produced them: point by point, tokens 1..3), then boxes and points back to the image frame.
 * @param points the crop's prompts, interleaved [x, y, …] in the crop's frame.
 */
export function finishCrop(
  candidates: readonly CropCandidate[],
  points: Float64Array,
  crop: CropBox,
  params: Pick<AmgParams, 'box_nms_thresh'>,
): AmgMask[] {
  const keep = nms(
    candidates.map((c) => c.box),
    candidates.map((c) => c.predictedIou),
    params.box_nms_thresh,
  );
  return keep.map((i) => {
    const c = candidates[i]!;
    return {
      rle: c.rle,
      area: c.area,
      box: uncropBox(c.box, crop.box),
      predictedIou: c.predictedIou,
      stabilityScore: c.stabilityScore,
      point: uncropPoint(points[2 * c.pointIndex]!, points[2 * c.pointIndex + 1]!, crop.box),
      cropBox: crop.box,
    };
  });
}

/**
 * `_generate_masks` after the crops: with more than one crop, NMS at `crop_nms_thresh` scored by 1 / crop area
 * (float32, so smaller crops win and masks of one crop keep their order).
 */
export function mergeCrops(
  perCrop: readonly (readonly AmgMask[])[],
  params: Pick<AmgParams, 'crop_nms_thresh'>,
): AmgMask[] {
  const all = perCrop.flat();
  if (perCrop.length <= 1) return all;
  const keep = nms(
    all.map((m) => m.box),
    all.map((m) => Math.fround(1 / Math.fround(boxArea(m.cropBox)))),
    params.crop_nms_thresh,
  );
  return keep.map((i) => all[i]!);
}

/**
 * Meta's `postprocess_small_regions`: per mask fill holes, then remove islands, smaller than `minArea`; re-run NMS
 * on the new boxes at `nmsThresh` scored 1 for untouched masks and 0 for changed ones (untouched ones win); the
 * survivors that changed take their new mask and box.
 */
export function postprocessSmallRegions(
  masks: readonly AmgMask[],
  image: Size,
  minArea: number,
  nmsThresh: number,
): AmgMask[] {
  if (masks.length === 0) return [];
  const updated: { rle: UncompressedRle | Rle; unchanged: boolean; box: BoxXyxy }[] = masks.map((m) => {
    const holes = removeSmallRegions(m.rle, image, minArea, 'holes');
    const islands = removeSmallRegions(holes.rle, image, minArea, 'islands');
    const unchanged = !holes.changed && !islands.changed;
    const counts =
      typeof islands.rle.counts === 'string'
        ? decompressRle(islands.rle as Rle)
        : (islands.rle as UncompressedRle);
    return { rle: islands.rle, unchanged, box: maskBoxXyxy(counts) };
  });
  const keep = nms(
    updated.map((u) => u.box),
    updated.map((u) => (u.unchanged ? 1 : 0)),
    nmsThresh,
  );
  return keep.map((i) => {
    const m = masks[i]!;
    const u = updated[i]!;
    if (u.unchanged) return m;
    const rle = compressRle(u.rle as UncompressedRle);
    return { ...m, rle, area: rleArea(rle), box: u.box };
  });
}

/** The SA paper's filter (not in Meta's code): drop masks covering at least `fraction` of the image; 0 = off. */
export function dropLargeMasks(masks: readonly AmgMask[], image: Size, fraction: number): AmgMask[] {
  if (!(fraction > 0)) return [...masks];
  return masks.filter((m) => !(m.area >= fraction * image.width * image.height));
}

/**
 * The records of Meta's `generate` in SA-1B annotation form, in Meta's order: `id` is the index (as amg.py's
 * metadata.csv numbers masks), bbox and crop_box XYWH by `box_xyxy_to_xywh`, point_coords `[[x, y]]`.
 */
export function toSa1bAnnotations(masks: readonly AmgMask[]): Sa1bAnnotation[] {
  return masks.map((m, id) => ({
    id,
    segmentation: { size: [m.rle.size[0], m.rle.size[1]], counts: m.rle.counts },
    bbox: boxXyxyToXywh(m.box),
    area: m.area,
    predicted_iou: m.predictedIou,
    point_coords: [[m.point[0], m.point[1]]],
    crop_box: boxXyxyToXywh(m.cropBox),
    stability_score: m.stabilityScore,
  }));
}
