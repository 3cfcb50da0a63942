/**
 * Meta's `_process_batch` after the decoder, for the candidates of one grid prompt (decoder worker): the
 * predicted-IoU filter, then the stability filter on the streamed upsampled logits (area and counts only, no
 * mask), then — only for survivors — the mask as RLE, its box, the crop-edge test and the uncropped RLE. On
 * random or noisy weights most upsampled candidates fail the stability filter, so encoding only survivors saves
 * a fifth of the postprocessing (issue 16).
 */
import { isBoxNearCropEdge } from '../../common/amg/boxes.ts';
import { maskBoxXyxy, uncropCounts } from '../../common/amg/masks.ts';
import type { ModelFrame } from '../../common/frames.ts';
import { compressRle } from '../../common/rle.ts';
import type { Candidate, MaskPostprocess } from '../layouts/layout.ts';
import type { DecodeGridArgs, GridCandidate } from './protocol.ts';

/** What one prompt's candidates gave: the survivors in token order, and how many were decoded / upsampled. */
export interface PromptSurvivors {
  readonly candidates: GridCandidate[];
  readonly decoded: number;
  readonly upsampled: number;
}

/**
 * The filter of one `decodeGrid` request, applied prompt by prompt.
 * @param frame the crop's frame (its image is the crop).
 */
export function gridFilter(
  post: MaskPostprocess,
  frame: ModelFrame,
  a: DecodeGridArgs,
  maskThreshold: number,
): (pointIndex: number, candidates: readonly Candidate[]) => PromptSurvivors {
  const f = Math.fround;
  // float32 comparisons, as torch compares a float32 tensor with a Python number
  const iouThresh = f(a.predIouThresh);
  const stabilityThresh = f(a.stabilityScoreThresh);
  const image = [0, 0, a.imageSize.width, a.imageSize.height] as const;
  const options = { threshold: maskThreshold, stabilityOffset: a.stabilityScoreOffset };
  return (pointIndex, candidates) => {
    const out: GridCandidate[] = [];
    let upsampled = 0;
    for (const c of candidates) {
      if (a.predIouThresh > 0 && !(c.predictedIou > iouThresh)) continue;
      upsampled++;
      if (a.stabilityScoreThresh > 0) {
        const counts = post.toCounts(c.lowRes, frame, options);
        if (!(counts.stabilityScore >= stabilityThresh)) continue;
      }
      const up = post.toRle(c.lowRes, frame, options);
      const box = maskBoxXyxy(up.rle);
      if (isBoxNearCropEdge(box, a.cropBox, image)) continue;
      out.push({
        pointIndex,
        token: c.token,
        predictedIou: c.predictedIou,
        stabilityScore: up.stabilityScore,
        box,
        rle: compressRle(uncropCounts(up.rle, a.cropBox, a.imageSize)).counts,
        area: up.area,
      });
    }
    return { candidates: out, decoded: candidates.length, upsampled };
  };
}
