/**
 * What every SAM 2 / 2.1 layout shares (issue 14, native-models/LAYOUTS.md §3): the stretch preprocessing
 * (floatResize.ts), the three image tensors, Meta's token rule and the one-stage mask postprocessing. The four
 * layouts (sam2Layouts.ts) differ only in tensor names, token count, mask input and prompt encoding.
 *
 * Tensors per image (g = S/16, C channels): the image embedding [1, C, g, g] (with `no_mem_embed`), the stride-4
 * features [1, C/8, 4g, 4g] and the stride-8 features [1, C/4, 2g, 2g], cached under the decoder's input names.
 */
import { IMAGENET_MEAN, IMAGENET_STD, sam2ModelInput } from '../../common/floatResize.ts';
import { type ModelFrame, stretchFrameFor } from '../../common/frames.ts';
import {
  upsampleMaskDirect,
  upsampleMaskDirectCounts,
  upsampleMaskDirectToRle,
} from '../../common/maskUpsample.ts';
import type { Rgb } from '../../common/modelInput.ts';
import type { ModelManifest } from '../manifest.ts';
import type { Candidate, MaskPostprocess, ModelGeometry, TensorData, TensorSpec } from './layout.ts';
import { sliceMask } from './layout.ts';

export interface Sam2Normalization {
  /** On the 0..1 scale (the manifest gives them ×255, as SAM 1's). */
  readonly mean: Rgb;
  readonly std: Rgb;
}

export function sam2Normalization(manifest: ModelManifest | undefined): Sam2Normalization {
  const scaled = (v: readonly number[] | undefined, fallback: Rgb): Rgb =>
    v ? [v[0]! / 255, v[1]! / 255, v[2]! / 255] : fallback;
  return {
    mean: scaled(manifest?.pixel_mean, IMAGENET_MEAN),
    std: scaled(manifest?.pixel_std, IMAGENET_STD),
  };
}

/** The encoder input [1, 3, S, S] (model frame) and the 'stretch' frame of an RGB image (image frame). */
export function sam2Preprocess(
  rgb: Uint8Array,
  width: number,
  height: number,
  inputSize: number,
  norm: Sam2Normalization,
): { input: Float32Array; frame: ModelFrame } {
  return {
    input: sam2ModelInput(rgb, width, height, inputSize, norm.mean, norm.std),
    frame: stretchFrameFor({ width, height }, inputSize),
  };
}

/** The three cached tensors under the decoder's names for (embedding, stride 4, stride 8). */
export function sam2TensorSpecs(names: readonly [string, string, string], g: ModelGeometry): TensorSpec[] {
  const { channels: c, grid } = g;
  return [
    { name: names[0], dims: [1, c, grid, grid], dtype: 'float32' },
    { name: names[1], dims: [1, c / 8, 4 * grid, 4 * grid], dtype: 'float32' },
    { name: names[2], dims: [1, c / 4, 2 * grid, 2 * grid], dtype: 'float32' },
  ];
}

/** Meta's `mask_input` is the previous low-res logits clamped to ±32 (SAM2ImagePredictor returns them so). */
export const MASK_INPUT_CLAMP = 32;

export function clampLogits(logits: Float32Array): Float32Array {
  return logits.map((v) => Math.min(MASK_INPUT_CLAMP, Math.max(-MASK_INPUT_CLAMP, v)));
}

const f = Math.fround;
const STABILITY_DELTA = f(0.05);
const STABILITY_THRESH = f(0.98);

/**
 * Meta's `MaskDecoder._get_stability_scores` on low-res logits: count(> 0.05) / count(> −0.05) in float32, 1 when
 * nothing is above −0.05.
 */
export function lowResStability(logits: Float32Array): number {
  let inter = 0;
  let union = 0;
  for (const v of logits) {
    if (v > STABILITY_DELTA) inter++;
    if (v > -STABILITY_DELTA) union++;
  }
  return union > 0 ? f(inter / union) : 1;
}

/**
 * Meta's token rule on the decoder's outputs for one prompt. With all 4 tokens: multimask → 1, 2, 3; single → 0
 * unless its stability is below 0.98 (`dynamic_multimask_via_stability`), then the first best of 1..3 by
 * predicted IoU. With tokens 1..3 only (no token 0 in the graph): multimask → all three, single → the best.
 * @param iou predicted IoU per token of the graph, `masks` the matching [..., T, L, L] logits, `offset` the index
 *   of this prompt's first token in both.
 */
export function sam2Candidates(
  iou: TensorData,
  masks: TensorData,
  tokensInGraph: 3 | 4,
  multimask: boolean,
  offset = 0,
): Candidate[] {
  const first = tokensInGraph === 4 ? 1 : 0; // index of token 1 in the graph's outputs
  const candidate = (index: number): Candidate => ({
    token: index + (tokensInGraph === 4 ? 0 : 1),
    predictedIou: iou.data[offset + index]!,
    lowRes: sliceMask(masks, offset + index),
  });
  const multi = [first, first + 1, first + 2];
  if (multimask) return multi.map(candidate);
  if (tokensInGraph === 4) {
    const token0 = candidate(0);
    if (lowResStability(token0.lowRes) >= STABILITY_THRESH) return [token0];
  }
  const best = multi.reduce((b, i) => (iou.data[offset + i]! > iou.data[offset + b]! ? i : b));
  return [candidate(best)];
}

function requireStretch(frame: ModelFrame): void {
  if (frame.kind !== 'stretch')
    throw new Error(`SAM 2 postprocessing needs a 'stretch' frame, got '${frame.kind}'`);
}

/** `SAM2Transforms.postprocess_masks` + threshold: one bilinear resize L×L → H×W (maskUpsample.ts). */
export const SAM2_POSTPROCESS: MaskPostprocess = {
  toMask(lowRes, frame, options) {
    requireStretch(frame);
    return upsampleMaskDirect(lowRes, frame.image, options);
  },
  toRle(lowRes, frame, options) {
    requireStretch(frame);
    return upsampleMaskDirectToRle(lowRes, frame.image, options);
  },
  toCounts(lowRes, frame, options) {
    requireStretch(frame);
    return upsampleMaskDirectCounts(lowRes, frame.image, options);
  },
};
