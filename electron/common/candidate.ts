/**
 * A mask candidate: one of the masks a decode offers (issue 17: one declaration from the decode reply to the
 * canvas). The backend sends it in two forms derived from `MaskCandidate` — full (`DecodedMask`: a click's
 * decode, `decodedMask`) and preview-only (`PreviewMask`: `previewDecode`, cheap at any image size) — and the
 * renderer holds either as a `MaskCandidate`, whose `rle` is null until the full mask is fetched.
 *
 * The worker's own candidate (low-res logits, electron/inference/worker/protocol.ts `DecodedCandidate`) and the
 * layout adapters' `Candidate` stay in electron/inference: they carry tensors that never leave the backend.
 *
 * Frames: `rle` and `area` at image resolution (COCO compressed RLE, size [height, width]); `preview` scaled.
 */
import type { Rle } from './rle.ts';

/** The mask scaled to width × height: row-major, 1 = foreground. */
export interface MaskPreview {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export interface MaskCandidate {
  /** Index of the decoder's mask token (0 = single-mask token, 1..3 = multimask tokens). */
  readonly token: number;
  readonly predictedIou: number;
  /**
   * What the first candidate shown is chosen by: the predicted IoU, or for a model whose IoU head is not trained
   * (EdgeSAM, `ModelAbilities.ranking`) the stability of its low-res logits.
   */
  readonly rankScore: number;
  /** Null while only the preview is known. */
  readonly stabilityScore: number | null;
  /** Pixels; approximate (from the preview) while `rle` is null. */
  readonly area: number;
  /** Full resolution; null while only the preview is known. */
  readonly rle: Rle | null;
  readonly preview?: MaskPreview;
}

/** A candidate at full resolution (wire form). */
export type DecodedMask = Omit<MaskCandidate, 'stabilityScore' | 'rle'> & {
  readonly stabilityScore: number;
  readonly rle: Rle;
  /** COCO [x, y, w, h]. */
  readonly bbox: readonly [x: number, y: number, width: number, height: number];
};

/**
 * A candidate of a preview-only decode (wire form): no RLE, `area` approximate. `preview` is null for the
 * candidates not shown first (issue 16: only what is drawn is upsampled; `decodedPreview` makes the others').
 */
export type PreviewMask = Pick<MaskCandidate, 'token' | 'predictedIou' | 'rankScore' | 'area'> & {
  readonly preview: MaskPreview | null;
};

/** A preview-only candidate as the renderer holds it (its full mask comes with `decodedMask`). */
export function candidateFromPreview(mask: PreviewMask): MaskCandidate {
  return {
    token: mask.token,
    predictedIou: mask.predictedIou,
    rankScore: mask.rankScore,
    stabilityScore: null,
    area: mask.area,
    rle: null,
    ...(mask.preview ? { preview: mask.preview } : {}),
  };
}

/**
 * The candidate a new decode shows first, so the only one a preview-only decode previews (issue 16): the best by
 * the model's ranking (`rankScore`: the predicted IoU, or the stability for EdgeSAM, whose IoU head is not
 * trained) among those with pixels. An empty candidate is
 * never what a click meant (a weak model can still rate one highest); all empty → the best.
 */
export function bestCandidate(candidates: readonly { rankScore: number; area: number }[]): number {
  let best = 0;
  candidates.forEach((c, i) => {
    const b = candidates[best]!;
    const hasPixels = c.area > 0;
    if (hasPixels !== b.area > 0 ? hasPixels : c.rankScore > b.rankScore) best = i;
  });
  return best;
}
