/**
 * Automatic mask generation ("segment everything"): Meta's `SamAutomaticMaskGenerator.generate` on the inference
 * service. Per crop (the whole image, then the crop layers): the crop's embedding (the image's own for the whole
 * image, cached like any embedding; otherwise the crop's pixels are encoded as an image of their own), then the
 * crop's grid points in batches of `points_per_batch` through the decoder worker, which filters, thresholds and
 * run-length encodes the candidates; then NMS within the crop, NMS across crops, small-region clean-up and the
 * optional large-mask filter (electron/common/amg/pipeline.ts).
 *
 * Frames: masks, boxes and points of the result are in image pixels (after EXIF orientation); a crop's prompts
 * are in the crop's own frame until `finishCrop` uncrops them.
 */
import type { BoxXyxy } from '../common/amg/boxes.ts';
import { type CropBox, generateCropBoxes } from '../common/amg/crops.ts';
import { buildAllLayerPointGrids, pointsForCrop } from '../common/amg/grid.ts';
import type { AmgParams } from '../common/amg/params.ts';
import {
  type AmgMask,
  type CropCandidate,
  dropLargeMasks,
  finishCrop,
  mergeCrops,
  postprocessSmallRegions,
} from '../common/amg/pipeline.ts';
import { UserError } from '../common/errors.ts';
import type { Size } from '../common/frames.ts';
import { type DecodedImage, decodeImage } from './imageLoader.ts';
import type { SamService } from './samService.ts';
import type { EncodePixelsArgs } from './worker/protocol.ts';

export interface AmgProgress {
  /** Prompts decoded so far and in all (every crop's grid). */
  readonly done: number;
  readonly total: number;
  /** 0-based index of the crop being decoded, of `crops`. */
  readonly crop: number;
  readonly crops: number;
}

export interface AmgOptions {
  readonly onProgress?: (progress: AmgProgress) => void;
  /** Use the model's batch decoder when it has one (default true); false decodes prompt by prompt. */
  readonly batched?: boolean;
  /**
   * Lane workers sharing the prompts when there is no batch graph (DecodeGridArgs.lanes; default: the decoder
   * worker's choice, 2 on a CPU with 2 or more threads). The masks are the same for every value.
   */
  readonly lanes?: number;
  /** Checked between batches: an aborted run rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * 'background' for automatic passes running while someone annotates: their encodes queue after (and are
   * preempted by) interactive ones. Decodes always let an interactive decode go first (SamService.decodeGrid).
   */
  readonly priority?: 'interactive' | 'background';
}

export interface AmgResult {
  readonly image: { readonly file: string } & Size;
  /** Meta's records, in Meta's order. */
  readonly masks: readonly AmgMask[];
  readonly stats: {
    readonly crops: number;
    readonly prompts: number;
    /** Candidates decoded (3 per prompt), upsampled (passed the predicted-IoU filter), kept by the worker. */
    readonly decoded: number;
    readonly upsampled: number;
    readonly candidates: number;
    readonly batched: boolean;
    readonly encodeMs: number;
    readonly decodeMs: number;
    readonly postprocessMs: number;
    readonly totalMs: number;
  };
}

/** Interleaved RGB of `box` (XYXY, exclusive) cut out of a decoded image. */
export function cropPixels(image: DecodedImage, box: BoxXyxy): EncodePixelsArgs {
  const [x0, y0, x1, y1] = box;
  const width = x1 - x0;
  const height = y1 - y0;
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const from = ((y + y0) * image.width + x0) * 3;
    rgb.set(image.rgb.subarray(from, from + width * 3), y * width * 3);
  }
  return { rgb, width, height };
}

export async function generateMasks(
  service: SamService,
  file: string,
  params: AmgParams,
  options: AmgOptions = {},
): Promise<AmgResult> {
  const started = performance.now();
  const priority = options.priority ?? 'interactive';
  const whole = await service.embed(file, priority);
  let encodeMs = whole.encodeMs ?? 0;
  const size = whole.embedding.frame.image;
  const crops = generateCropBoxes(size, params.crop_n_layers, params.crop_overlap_ratio);
  const grids =
    params.point_grids ??
    buildAllLayerPointGrids(
      params.points_per_side!,
      params.crop_n_layers,
      params.crop_n_points_downscale_factor,
    );
  // Meta's crop formula leaves empty crops when the image is smaller than a few pixels per crop (Meta then fails).
  if (crops.some(({ box: [x0, y0, x1, y1] }) => x1 <= x0 || y1 <= y0)) {
    throw new UserError(
      `image ${size.width}×${size.height} is too small for ${params.crop_n_layers} crop layers (a crop would be empty)`,
    );
  }
  const total = crops.reduce((n, c) => n + grids[c.layer]!.length, 0);
  // Decoded once, only if there are crops to cut; dropped when the run ends.
  let decoded: Promise<DecodedImage> | undefined;
  const pixelsOf = (crop: CropBox) => async () => cropPixels(await (decoded ??= decodeImage(file)), crop.box);

  let done = 0;
  let decodedCount = 0;
  let upsampled = 0;
  let kept = 0;
  let decodeMs = 0;
  let postprocessMs = 0;
  let batched = false;
  const perCrop: AmgMask[][] = [];
  for (const [index, crop] of crops.entries()) {
    options.signal?.throwIfAborted();
    const info = index === 0 ? whole : await service.embedCrop(file, crop.box, pixelsOf(crop), priority);
    encodeMs += index === 0 ? 0 : (info.encodeMs ?? 0);
    const [x0, y0, x1, y1] = crop.box;
    const points = pointsForCrop(grids[crop.layer]!, x1 - x0, y1 - y0);
    const count = points.length / 2;
    const candidates: CropCandidate[] = [];
    for (let start = 0; start < count; start += params.points_per_batch) {
      options.signal?.throwIfAborted();
      const end = Math.min(count, start + params.points_per_batch);
      const result = await service.decodeGrid(info.embedding, {
        points: points.slice(2 * start, 2 * end),
        predIouThresh: params.pred_iou_thresh,
        stabilityScoreThresh: params.stability_score_thresh,
        stabilityScoreOffset: params.stability_score_offset,
        cropBox: crop.box,
        imageSize: size,
        batched: options.batched ?? true,
        lanes: options.lanes,
      });
      for (const c of result.candidates) {
        candidates.push({
          pointIndex: start + c.pointIndex,
          token: c.token,
          predictedIou: c.predictedIou,
          stabilityScore: c.stabilityScore,
          box: c.box,
          rle: { size: [size.height, size.width], counts: c.rle },
          area: c.area,
        });
      }
      decodedCount += result.decoded;
      upsampled += result.upsampled;
      kept += result.candidates.length;
      decodeMs += result.timings.decodeMs;
      postprocessMs += result.timings.postprocessMs;
      batched ||= result.batched;
      done += end - start;
      options.onProgress?.({ done, total, crop: index, crops: crops.length });
    }
    perCrop.push(finishCrop(candidates, points, crop, params));
  }
  decoded = undefined;
  let masks = mergeCrops(perCrop, params);
  if (params.min_mask_region_area > 0) {
    const nmsThresh = Math.max(params.box_nms_thresh, params.crop_nms_thresh);
    masks = postprocessSmallRegions(masks, size, params.min_mask_region_area, nmsThresh);
  }
  masks = dropLargeMasks(masks, size, params.drop_masks_covering);
  return {
    image: { file, width: size.width, height: size.height },
    masks,
    stats: {
      crops: crops.length,
      prompts: total,
      decoded: decodedCount,
      upsampled,
      candidates: kept,
      batched,
      encodeMs,
      decodeMs,
      postprocessMs,
      totalMs: performance.now() - started,
    },
  };
}
