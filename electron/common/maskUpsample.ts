/**
 * Meta's `Sam.postprocess_masks` followed by `> mask_threshold`, streamed so that no full-resolution float mask
 * is ever held.
 *
 * Meta upsamples the decoder's L×L low-res logits (model frame, L = 256 for S = 1024) to S×S, crops the resized
 * image [0, h')×[0, w') (`frame.resized`), and upsamples that crop to the image H×W, both times with
 * `F.interpolate(mode='bilinear', align_corners=False)`. This module reproduces PyTorch's CPU float32 kernel
 * (`aten/src/ATen/native/cpu/UpSampleKernel.cpp`, generic N-d path): per axis, source index
 * `(dst + 0.5) · in/out − 0.5` clamped at 0, neighbours `i0 = floor` and `i1 = min(i0 + 1, in − 1)`, weights
 * `λ1 = src − i0` and `λ0 = 1 − λ1` stored as float32; per pixel the width is interpolated first and the height
 * second, `t0·w0 + t1·w1` with every product and sum rounded to float32 (`Math.fround` here).
 *
 * Index precision matters only for pixels whose logit ends up within ~1e-6 of the threshold, which interpolating
 * between logits of opposite sign does produce: the conformance data has four such pixels in 30 M. All four, and
 * every other pixel, match Meta's masks only when the scale `in/out` is a float32 (PyTorch's
 * `compute_scales_value<float>`) but the source index `scale · (dst + 0.5) − 0.5` is kept in double precision
 * until λ is taken and rounded to float32. Rounding the index itself to float32, as UpSample.h reads, flips those
 * four pixels, so the reference build evidently did not.
 *
 * Memory: the mask (or, with {@link upsampleMaskToRle}, not even that) plus a few rows of W or w' floats.
 */
import type { ModelFrame } from './frames.ts';
import { RleRowEncoder, type BinaryMask, type UncompressedRle } from './rle.ts';

export interface UpsampleOptions {
  /** Meta's `mask_threshold`: a pixel is foreground when its logit is `> threshold`. Default 0. */
  threshold?: number;
  /** Meta's `stability_score_offset` (AMG default 1.0). */
  stabilityOffset?: number;
}

interface Counts {
  /** Pixels with logit > threshold (the mask's area). */
  area: number;
  /**
   * Meta's `calculate_stability_score`: IoU of the masks at threshold + offset and threshold − offset, i.e.
   * count(> thr + offset) / count(> thr − offset), in float32. When no pixel exceeds thr − offset Meta's 0/0 gives
   * NaN, which AMG's `stability_score >= thresh` rejects; here it is 0, which every positive threshold rejects too.
   */
  stabilityScore: number;
}

export interface UpsampledMask extends Counts {
  /** The binary mask in the image frame, `frame.image.width × frame.image.height`, row-major. */
  mask: BinaryMask;
}

export interface UpsampledRle extends Counts {
  /** The same mask as COCO uncompressed RLE (column-major runs, see rle.ts). */
  rle: UncompressedRle;
}

/** Per output index along one axis: the two source indices and their float32 weights. */
interface Taps {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly w0: Float32Array;
  readonly w1: Float32Array;
}

const f = Math.fround;

/**
 * PyTorch's `HelperInterpLinear::compute_indices_weights` for the first `count` outputs of `inSize → outSize`
 * (`area_pixel_compute_scale`, `area_pixel_compute_source_index`, `guard_index_and_lambda`).
 */
function linearTaps(inSize: number, outSize: number, count: number): Taps {
  const taps = {
    i0: new Int32Array(count),
    i1: new Int32Array(count),
    w0: new Float32Array(count),
    w1: new Float32Array(count),
  };
  const scale = outSize > 1 ? f(inSize / outSize) : 0;
  for (let d = 0; d < count; d++) {
    if (inSize === outSize) {
      // compute_source_index_and_lambda copies when the sizes match
      taps.i0[d] = taps.i1[d] = d;
      taps.w0[d] = 1;
      taps.w1[d] = 0;
      continue;
    }
    // Not rounded to float32: see the module comment for why (Meta's reference masks).
    const src = Math.max(scale * (d + 0.5) - 0.5, 0);
    const i0 = Math.min(Math.floor(src), inSize - 1);
    const lambda = Math.min(Math.max(f(src - i0), 0), 1);
    taps.i0[d] = i0;
    taps.i1[d] = i0 < inSize - 1 ? i0 + 1 : i0;
    taps.w0[d] = f(1 - lambda);
    taps.w1[d] = lambda;
  }
  return taps;
}

/**
 * The last two results of `compute(key, into)`, for keys requested in non-decreasing pairs (k, k or k + 1): each
 * interpolated line is computed once although two consecutive outputs usually share it.
 */
function lineCache(length: number, compute: (key: number, into: Float32Array) => void) {
  const keys = [-1, -1];
  const lines = [new Float32Array(length), new Float32Array(length)];
  return (key: number): Float32Array => {
    if (keys[0] === key) return lines[0]!;
    if (keys[1] === key) return lines[1]!;
    const slot = keys[0]! < keys[1]! ? 0 : 1;
    keys[slot] = key;
    compute(key, lines[slot]!);
    return lines[slot]!;
  };
}

/** Checks the input and builds the taps of both stages: L → S (cropped to h'×w'), then h'×w' → H×W. */
function plan(lowRes: Float32Array, frame: ModelFrame) {
  const L = Math.round(Math.sqrt(lowRes.length));
  if (L * L !== lowRes.length || L === 0)
    throw new Error(`low-res logits must be a square L×L array, got ${lowRes.length} values`);
  const S = frame.inputSize;
  const { width: w, height: h } = frame.resized;
  const { width: W, height: H } = frame.image;
  if (!(w >= 1 && h >= 1 && w <= S && h <= S))
    throw new Error(`resized size ${w}×${h} must lie within the ${S}×${S} model input`);
  if (!(Number.isInteger(W) && Number.isInteger(H) && W >= 1 && H >= 1))
    throw new Error(`image size must be positive integers, got ${W}×${H}`);
  return {
    L,
    w,
    W,
    H,
    col1: linearTaps(L, S, w), // model-input column X ← low-res columns
    row1: linearTaps(L, S, h), // model-input row Y ← low-res rows
    col2: linearTaps(w, W, W), // image column x ← model-input columns
    row2: linearTaps(h, H, H), // image row y ← model-input rows
  };
}

/** `t0·w0 + t1·w1` as PyTorch's `Interpolate` evaluates it in float32. */
function lerp(t0: number, w0: number, t1: number, w1: number): number {
  return f(f(t0 * w0) + f(t1 * w1));
}

/** Threshold values of the mask and of the stability score, rounded to float32 as PyTorch compares them. */
function thresholds(options: UpsampleOptions) {
  const threshold = options.threshold ?? 0;
  const offset = options.stabilityOffset ?? 1;
  if (!(offset >= 0)) throw new Error(`stability offset must be ≥ 0, got ${offset}`);
  return { thr: f(threshold), hi: f(threshold + offset), lo: f(threshold - offset) };
}

function stability(above: number, aboveLow: number): number {
  return aboveLow === 0 ? 0 : f(above / aboveLow);
}

/**
 * Streams the thresholded image rows top to bottom into `onRow` (a reused buffer of W bytes, 1 = foreground) and
 * returns the counts. Each model-input row is interpolated along x once and kept while consecutive image rows
 * need it, so memory is a few rows (W or w' floats) whatever the image size.
 */
function streamRows(
  lowRes: Float32Array,
  frame: ModelFrame,
  options: UpsampleOptions,
  onRow: (y: number, foreground: Uint8Array) => void,
): Counts {
  const { L, w, W, H, col1, row1, col2, row2 } = plan(lowRes, frame);
  const { thr, hi, lo } = thresholds(options);
  // Stage 1: a low-res row interpolated along x to w' columns; two of them combined along y give model row Y.
  const lowResRow = lineCache(w, (ly, out) => {
    const base = ly * L;
    for (let X = 0; X < w; X++)
      out[X] = lerp(lowRes[base + col1.i0[X]!]!, col1.w0[X]!, lowRes[base + col1.i1[X]!]!, col1.w1[X]!);
  });
  const modelRow = new Float32Array(w);
  // Stage 2 along x: model row Y (only ever needed as this) interpolated to the image's W columns.
  const imageRow = lineCache(W, (Y, out) => {
    const a = lowResRow(row1.i0[Y]!);
    const b = lowResRow(row1.i1[Y]!);
    const wa = row1.w0[Y]!;
    const wb = row1.w1[Y]!;
    for (let X = 0; X < w; X++) modelRow[X] = lerp(a[X]!, wa, b[X]!, wb);
    for (let x = 0; x < W; x++)
      out[x] = lerp(modelRow[col2.i0[x]!]!, col2.w0[x]!, modelRow[col2.i1[x]!]!, col2.w1[x]!);
  });
  const foreground = new Uint8Array(W);
  let area = 0;
  let above = 0;
  let aboveLow = 0;
  for (let y = 0; y < H; y++) {
    const a = imageRow(row2.i0[y]!);
    const b = imageRow(row2.i1[y]!);
    const wa = row2.w0[y]!;
    const wb = row2.w1[y]!;
    for (let x = 0; x < W; x++) {
      const v = lerp(a[x]!, wa, b[x]!, wb);
      // Branch-free counting: mask borders make `v > thr` unpredictable, and this loop runs W·H times.
      const fg = v > thr ? 1 : 0;
      foreground[x] = fg;
      area += fg;
      above += v > hi ? 1 : 0;
      aboveLow += v > lo ? 1 : 0;
    }
    onRow(y, foreground);
  }
  return { area, stabilityScore: stability(above, aboveLow) };
}

/**
 * Upsample one candidate's low-res logits to a binary mask of the original image.
 *
 * @param lowRes float32 L×L logits, row-major, model frame scaled by L/S (the decoder's `low_res_masks` for one
 *   candidate, e.g. one [256, 256] slice of [1, C, 256, 256]).
 * @param frame how the image sits in the model input.
 * @returns the row-major mask in the image frame, its area and its stability score.
 */
export function upsampleMask(
  lowRes: Float32Array,
  frame: ModelFrame,
  options: UpsampleOptions = {},
): UpsampledMask {
  const { width: W, height: H } = frame.image;
  const data = new Uint8Array(W * H);
  const counts = streamRows(lowRes, frame, options, (y, fg) => data.set(fg, y * W));
  return { mask: { width: W, height: H, data }, ...counts };
}

/**
 * The same mask as {@link upsampleMask}, bit for bit, as COCO run lengths, without ever holding the mask: rows go
 * straight into an {@link RleRowEncoder}. About as fast as `upsampleMask` + `encodeCounts`, in a few rows of memory.
 */
export function upsampleMaskToRle(
  lowRes: Float32Array,
  frame: ModelFrame,
  options: UpsampleOptions = {},
): UpsampledRle {
  const encoder = new RleRowEncoder(frame.image.width, frame.image.height);
  const counts = streamRows(lowRes, frame, options, (_y, fg) => encoder.pushRow(fg));
  return { rle: encoder.finish(), ...counts };
}
