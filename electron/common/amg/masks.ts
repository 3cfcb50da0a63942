/**
 * Mask pieces of Meta's AMG on COCO run lengths (column-major, first run background; see rle.ts): the stability
 * score, the mask box with Meta's inclusive convention, and `uncrop_masks` (a crop's mask padded into the image)
 * done on the runs, so a mask is never held at image resolution.
 */
import type { Size } from '../frames.ts';
import { type UncompressedRle, rleBboxSam } from '../rle.ts';
import type { BoxXyxy } from './boxes.ts';

const f = Math.fround;

/**
 * Meta's `calculate_stability_score` for one mask's logits (any layout): count(logit > thr + offset) /
 * count(logit > thr − offset), thresholds rounded to float32 as torch compares a float32 tensor with a Python
 * number, the quotient in float32. Meta's 0/0 is NaN; this returns 0 (every positive threshold rejects both).
 */
export function calculateStabilityScore(
  logits: ArrayLike<number>,
  maskThreshold: number,
  offset: number,
): number {
  const hi = f(maskThreshold + offset);
  const lo = f(maskThreshold - offset);
  let inter = 0;
  let union = 0;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i]!;
    if (v > hi) inter++;
    if (v > lo) union++;
  }
  return union === 0 ? 0 : f(inter / union);
}

/**
 * Meta's `batched_mask_to_box` for one mask: XYXY of the foreground with inclusive max indices; an empty mask
 * gives [0, 0, 0, 0].
 */
export function maskBoxXyxy(rle: UncompressedRle): BoxXyxy {
  const [x, y, w, h] = rleBboxSam(rle);
  return [x, y, x + w, y + h];
}

/**
 * Meta's `uncrop_masks` followed by `mask_to_rle_pytorch`: the runs of a mask of `crop` size placed at
 * (crop[0], crop[1]) in an image of `image` size, zero elsewhere. The counts are canonical (no empty runs except
 * a leading 0 when the first pixel is foreground), as Meta's encoder writes them.
 */
export function uncropCounts(rle: UncompressedRle, crop: BoxXyxy, image: Size): UncompressedRle {
  const [cropH, cropW] = rle.size;
  const { width: W, height: H } = image;
  const [x0, y0] = crop;
  if (crop[2] - x0 !== cropW || crop[3] - y0 !== cropH)
    throw new Error(`mask of ${cropW}×${cropH} does not fit crop [${crop.join(', ')}]`);
  if (x0 === 0 && y0 === 0 && cropW === W && cropH === H) return { size: [H, W], counts: [...rle.counts] };
  const out: number[] = [];
  let end = 0; // end (exclusive) of the last foreground run written, in image column-major order
  const push = (start: number, length: number) => {
    if (out.length && start === end) {
      out[out.length - 1]! += length; // touches the previous run (crop spans the whole height)
    } else {
      out.push(start - end, length);
    }
    end = start + length;
  };
  let p = 0;
  for (let j = 0; j < rle.counts.length; j++) {
    const n = rle.counts[j]!;
    if (j % 2 === 1 && n > 0) {
      // split the crop's run at its column ends
      let start = p;
      const stop = p + n;
      while (start < stop) {
        const c = Math.floor(start / cropH);
        const columnEnd = Math.min(stop, (c + 1) * cropH);
        push((c + x0) * H + y0 + (start - c * cropH), columnEnd - start);
        start = columnEnd;
      }
    }
    p += n;
  }
  if (out.length === 0) return { size: [H, W], counts: [H * W] };
  if (end < H * W) out.push(H * W - end);
  return { size: [H, W], counts: out };
}
