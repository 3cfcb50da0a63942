/**
 * The forms of one candidate's mask that a decode asked for (full-resolution RLE, bitmap, screen-size preview),
 * from its low-res logits. Full resolution costs a pass over every image pixel; a preview costs its own pixels,
 * so hover decodes on a 20 MP photo stay cheap. Without a full-resolution form, area, bbox and stability come from
 * the preview, scaled to the image.
 */
import type { ModelFrame } from '../../common/frames.ts';
import { compressRle, encodeCounts, rleBboxCoco } from '../../common/rle.ts';
import type { MaskPostprocess } from '../layouts/layout.ts';
import type { DecodeArgs, MaskForms } from './protocol.ts';

/**
 * The same model frame with a smaller "image": upsampling the low-res logits straight to it gives the mask as
 * seen at that size (what a 20 MP image needs on screen) for the cost of the preview's pixels.
 */
export function previewFrameOf(frame: ModelFrame, maxSide: number): ModelFrame {
  const scale = Math.min(1, maxSide / Math.max(frame.image.width, frame.image.height));
  const image = {
    width: Math.max(1, Math.round(frame.image.width * scale)),
    height: Math.max(1, Math.round(frame.image.height * scale)),
  };
  return { ...frame, image };
}

/**
 * @param lowRes one candidate's L×L logits (model frame); `frame` the image's frame.
 */
export function maskForms(
  post: MaskPostprocess,
  lowRes: Float32Array,
  frame: ModelFrame,
  output: DecodeArgs['output'],
  threshold: number,
): MaskForms {
  const options = { threshold };
  const previewFrame = output.previewMaxSide ? previewFrameOf(frame, output.previewMaxSide) : undefined;
  // A preview as large as the image is the full-resolution mask: one upsampling serves both (issue 16: an
  // 800×534 photo's click upsampled every candidate twice).
  const fullSizePreview =
    !!previewFrame &&
    previewFrame.image.width === frame.image.width &&
    previewFrame.image.height === frame.image.height;
  if (output.bitmap || (output.rle && fullSizePreview)) {
    const up = post.toMask(lowRes, frame, options);
    // The bbox comes from the run lengths before compression: decoding the compressed string again cost more
    // than the compression itself (issue 16).
    const runs = encodeCounts(up.mask);
    const preview = !previewFrame
      ? undefined
      : fullSizePreview
        ? { ...frame.image, data: output.bitmap ? up.mask.data.slice() : up.mask.data }
        : { ...previewFrame.image, data: post.toMask(lowRes, previewFrame, options).mask.data };
    return {
      stabilityScore: up.stabilityScore,
      area: up.area,
      bbox: rleBboxCoco(runs),
      rle: output.rle ? compressRle(runs).counts : undefined,
      bitmap: output.bitmap ? up.mask.data : undefined,
      preview,
    };
  }
  const previewUp = previewFrame && post.toMask(lowRes, previewFrame, options);
  const preview = previewUp && { ...previewFrame.image, data: previewUp.mask.data };
  if (output.rle || !previewUp) {
    // RLE only (CLI, export, accept): never hold the full-resolution mask.
    const up = post.toRle(lowRes, frame, options);
    return {
      stabilityScore: up.stabilityScore,
      area: up.area,
      bbox: rleBboxCoco(up.rle),
      rle: compressRle(up.rle).counts,
      preview,
    };
  }
  const sx = frame.image.width / previewFrame!.image.width;
  const sy = frame.image.height / previewFrame!.image.height;
  const [x, y, w, h] = rleBboxCoco(encodeCounts(previewUp.mask));
  return {
    stabilityScore: previewUp.stabilityScore,
    area: Math.round(previewUp.area * sx * sy),
    bbox: [Math.floor(x * sx), Math.floor(y * sy), Math.ceil(w * sx), Math.ceil(h * sy)],
    preview,
  };
}

/** Longer side at which a candidate that is not drawn is counted (its approximate area and bbox). */
export const UNDRAWN_COUNT_SIDE = 256;

/**
 * The approximate area and bbox of a candidate nobody draws yet (issue 16: a preview-only decode previews the
 * best-ranked candidate only): counted on a small preview, which is not sent.
 */
export function undrawnForms(
  post: MaskPostprocess,
  lowRes: Float32Array,
  frame: ModelFrame,
  threshold: number,
): MaskForms {
  const output = { rle: false, bitmap: false, previewMaxSide: UNDRAWN_COUNT_SIDE };
  const { stabilityScore, area, bbox } = maskForms(post, lowRes, frame, output, threshold);
  return { stabilityScore, area, bbox };
}
