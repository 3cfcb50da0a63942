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
 *
 * The whole-line loops (interpolation along a line, thresholds and counts of a row) run as float32 SIMD in
 * WebAssembly (wasm/rowKernels.ts, issue 16): the same IEEE float32 operations, ~5× faster where every pixel is
 * computed. The lines live in the kernels' scratch memory for the duration of one call.
 */
import type { ModelFrame, Size } from './frames.ts';
import { RleRowEncoder, type BinaryMask, type UncompressedRle } from './rle.ts';
import {
  type RowScratch,
  type Taps,
  gatherLine,
  lerpLines,
  scratchBytes,
  thresholdLine,
  withRowScratch,
} from './wasm/rowKernels.ts';

export interface UpsampleOptions {
  /** Meta's `mask_threshold`: a pixel is foreground when its logit is `> threshold`. Default 0. */
  threshold?: number;
  /** Meta's `stability_score_offset` (AMG default 1.0). */
  stabilityOffset?: number;
}

export interface MaskCounts {
  /** Pixels with logit > threshold (the mask's area). */
  area: number;
  /**
   * Meta's `calculate_stability_score`: IoU of the masks at threshold + offset and threshold − offset, i.e.
   * count(> thr + offset) / count(> thr − offset), in float32. When no pixel exceeds thr − offset Meta's 0/0 gives
   * NaN, which AMG's `stability_score >= thresh` rejects; here it is 0, which every positive threshold rejects too.
   */
  stabilityScore: number;
}

export interface UpsampledMask extends MaskCounts {
  /** The binary mask in the image frame, `frame.image.width × frame.image.height`, row-major. */
  mask: BinaryMask;
}

export interface UpsampledRle extends MaskCounts {
  /** The same mask as COCO uncompressed RLE (column-major runs, see rle.ts). */
  rle: UncompressedRle;
}

const f = Math.fround;

/**
 * PyTorch's `HelperInterpLinear::compute_indices_weights` for the first `count` outputs of `inSize → outSize`
 * (`area_pixel_compute_scale`, `area_pixel_compute_source_index`, `guard_index_and_lambda`).
 */
function linearTaps(inSize: number, outSize: number, count: number, scratch: RowScratch): Taps {
  const taps = {
    i0: scratch.ints(count),
    i1: scratch.ints(count),
    w0: scratch.floats(count),
    w1: scratch.floats(count),
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
function lineCache(length: number, scratch: RowScratch, compute: (key: number, into: Float32Array) => void) {
  const keys = [-1, -1];
  const lines = [scratch.floats(length), scratch.floats(length)];
  return (key: number): Float32Array => {
    if (keys[0] === key) return lines[0]!;
    if (keys[1] === key) return lines[1]!;
    const slot = keys[0]! < keys[1]! ? 0 : 1;
    keys[slot] = key;
    compute(key, lines[slot]!);
    return lines[slot]!;
  };
}

/** What one upsampling holds in the kernels' scratch: the logits, both stages' taps, and its lines (≤ 5 of w'
 * floats, 4 of W floats, W bytes, 3 counts; see streamRows). */
function scratchFor(L: number, w: number, h: number, W: number, H: number): number {
  const taps = (n: number) => [4 * n, 4 * n, 4 * n, 4 * n];
  const lines = [...Array<number>(5).fill(4 * w), ...Array<number>(4).fill(4 * W), W, 12];
  return scratchBytes(4 * L * L, ...taps(w), ...taps(h), ...taps(W), ...taps(H), ...lines);
}

/**
 * Checks the input, reserves the kernels' scratch and builds the taps of both stages there (L → S cropped to
 * h'×w', then h'×w' → H×W), with the logits copied in, for `compute`.
 */
function withPlan<T>(lowRes: Float32Array, frame: ModelFrame, compute: (p: Plan) => T): T {
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
  return withRowScratch(scratchFor(L, w, h, W, H), (scratch) => {
    const logits = scratch.floats(L * L);
    logits.set(lowRes);
    return compute({
      L,
      w,
      W,
      H,
      logits,
      scratch,
      col1: linearTaps(L, S, w, scratch), // model-input column X ← low-res columns
      row1: linearTaps(L, S, h, scratch), // model-input row Y ← low-res rows
      col2: linearTaps(w, W, W, scratch), // image column x ← model-input columns
      row2: linearTaps(h, H, H, scratch), // image row y ← model-input rows
    });
  });
}

interface Plan {
  readonly L: number;
  readonly w: number;
  readonly W: number;
  readonly H: number;
  /** The low-res logits, in the scratch. */
  readonly logits: Float32Array;
  readonly scratch: RowScratch;
  readonly col1: Taps;
  readonly row1: Taps;
  readonly col2: Taps;
  readonly row2: Taps;
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
 * The upsampled logits themselves (Meta's `postprocess_masks` before the threshold), row by row into `onRow`
 * (a reused buffer of W floats). Same arithmetic as the masks; for consumers of mask probabilities (edges).
 */
export function upsampleLogitRows(
  lowRes: Float32Array,
  frame: ModelFrame,
  onRow: (y: number, logits: Float32Array) => void,
): void {
  withPlan(lowRes, frame, (plan) => {
    const { W, H, scratch, row2 } = plan;
    const imageRow = modelRowsAlongX(plan);
    const row = scratch.floats(W);
    for (let y = 0; y < H; y++) {
      lerpLines(imageRow(row2.i0[y]!), row2.w0[y]!, imageRow(row2.i1[y]!), row2.w1[y]!, row, W);
      onRow(y, row);
    }
  });
}

/**
 * Model row Y interpolated to the image's W columns, the last two kept (consecutive image rows share them).
 * Stage 1: a low-res row interpolated along x to w' columns; two of them combined along y give model row Y.
 * Stage 2 along x: model row Y (only ever needed as this) interpolated to W columns.
 */
function modelRowsAlongX({ L, w, W, logits, scratch, col1, row1, col2 }: Plan): (Y: number) => Float32Array {
  const lowResRow = lineCache(w, scratch, (ly, out) => gatherLine(logits, ly * L, col1, out, w));
  const modelRow = scratch.floats(w);
  return lineCache(W, scratch, (Y, out) => {
    lerpLines(lowResRow(row1.i0[Y]!), row1.w0[Y]!, lowResRow(row1.i1[Y]!), row1.w1[Y]!, modelRow, w);
    gatherLine(modelRow, 0, col2, out, W);
  });
}

/**
 * Streams the thresholded image rows top to bottom into `onRow` (a reused buffer of W bytes, 1 = foreground) and
 * returns the counts. Each model-input row is interpolated along x once and kept while consecutive image rows
 * need it, so memory is a few rows (W or w' floats) whatever the image size.
 *
 * Shortcut, exact: every output value is a convex combination (weights ≥ 0 summing to 1 within float32
 * rounding) of at most 4×4 low-res logits, so where all of them lie clearly above or clearly below each
 * threshold (by a margin far beyond the rounding of three interpolations) the output pixels are decided without
 * computing them. Runs of image columns that share their low-res columns are classified at once; only runs
 * straddling a threshold (mask borders) are computed, with the same arithmetic (only the model columns they
 * need), or the whole row when an eighth of it is undecided (noisy logits). Typical masks skip most of the work; results are identical.
 */
function streamRows(
  lowRes: Float32Array,
  frame: ModelFrame,
  options: UpsampleOptions,
  onRow: (y: number, foreground: Uint8Array) => void,
): MaskCounts {
  const { thr, hi, lo } = thresholds(options);
  return withPlan(lowRes, frame, (p) => streamPlannedRows(p, thr, hi, lo, onRow));
}

function streamPlannedRows(
  plan: Plan,
  thr: number,
  hi: number,
  lo: number,
  onRow: (y: number, foreground: Uint8Array) => void,
): MaskCounts {
  const { L, w, W, H, logits: lowRes, scratch, col1, row1, col2, row2 } = plan;
  const imageRow = modelRowsAlongX(plan);
  // Pixels [xa, xb) of output row y by the same three stages, computing only the model columns they need.
  const m0 = scratch.floats(w);
  const m1 = scratch.floats(w);
  const modelSegment = (Y: number, Xa: number, Xb: number, out: Float32Array) => {
    const ra = row1.i0[Y]! * L;
    const rb = row1.i1[Y]! * L;
    const wa = row1.w0[Y]!;
    const wb = row1.w1[Y]!;
    for (let X = Xa; X <= Xb; X++) {
      const c0 = col1.i0[X]!;
      const c1 = col1.i1[X]!;
      const u0 = col1.w0[X]!;
      const u1 = col1.w1[X]!;
      out[X] = lerp(
        lerp(lowRes[ra + c0]!, u0, lowRes[ra + c1]!, u1),
        wa,
        lerp(lowRes[rb + c0]!, u0, lowRes[rb + c1]!, u1),
        wb,
      );
    }
  };
  // Counts of the computed segments (kept apart so the main loop's counters stay out of closures: faster).
  const exact = new Float64Array(3);
  const exactSegment = (y: number, xa: number, xb: number) => {
    const Y0 = row2.i0[y]!;
    const Y1 = row2.i1[y]!;
    const Xa = col2.i0[xa]!;
    const Xb = col2.i1[xb - 1]!;
    modelSegment(Y0, Xa, Xb, m0);
    const second = Y1 === Y0 ? m0 : m1;
    if (Y1 !== Y0) modelSegment(Y1, Xa, Xb, m1);
    const wa = row2.w0[y]!;
    const wb = row2.w1[y]!;
    for (let x = xa; x < xb; x++) {
      const i0 = col2.i0[x]!;
      const i1 = col2.i1[x]!;
      const a = lerp(m0[i0]!, col2.w0[x]!, m0[i1]!, col2.w1[x]!);
      const b = lerp(second[i0]!, col2.w0[x]!, second[i1]!, col2.w1[x]!);
      const v = lerp(a, wa, b, wb);
      const fg = v > thr ? 1 : 0;
      foreground[x] = fg;
      exact[0]! += fg;
      exact[1]! += v > hi ? 1 : 0;
      exact[2]! += v > lo ? 1 : 0;
    }
  };

  // Column runs: image columns whose values come from the same low-res columns [cLo, cHi].
  const runStart: number[] = [];
  const runLo: number[] = [];
  const runHi: number[] = [];
  for (let x = 0; x < W; x++) {
    const cLo = col1.i0[col2.i0[x]!]!;
    const cHi = col1.i1[col2.i1[x]!]!;
    const last = runLo.length - 1;
    if (last < 0 || runLo[last] !== cLo || runHi[last] !== cHi) {
      runStart.push(x);
      runLo.push(cLo);
      runHi.push(cHi);
    }
  }
  runStart.push(W);
  let maxAbs = 0;
  for (let i = 0; i < lowRes.length; i++) maxAbs = Math.max(maxAbs, Math.abs(lowRes[i]!));
  // Three interpolations move a value by a few float32 ulps of the largest input; this margin is ~100× that.
  const margin = 1e-4 * Math.max(1, maxAbs);
  const colMin = new Float32Array(L);
  const colMax = new Float32Array(L);
  // The classification of the runs depends only on the low-res rows [rowsLo, rowsHi] an output row reads, so it
  // is redone only when those change (every few rows when enlarging): decided spans (merged runs of one class)
  // and undecided runs; `plain` when an eighth of the row is undecided (noisy logits), where computing every
  // pixel is cheapest.
  let rowsLo = -1;
  let rowsHi = -1;
  let plain = false;
  let plainStreak = 0;
  let skipped = 0;
  let spans = 0;
  const spanStart = new Int32Array(runLo.length);
  const spanEnd = new Int32Array(runLo.length);
  const spanClass = new Uint8Array(runLo.length); // bit 0: foreground, 1: above hi, 2: above lo
  const segments: number[] = []; // undecided [start, end) pairs, adjacent runs merged
  const classify = (rLo: number, rHi: number) => {
    for (let c = 0; c < L; c++) {
      let mn = Infinity;
      let mx = -Infinity;
      for (let r = rLo; r <= rHi; r++) {
        const v = lowRes[r * L + c]!;
        if (v < mn) mn = v;
        if (v > mx) mx = v;
      }
      colMin[c] = mn;
      colMax[c] = mx;
    }
    spans = 0;
    segments.length = 0;
    let undecided = 0;
    for (let k = 0; k < runLo.length; k++) {
      let mn = Infinity;
      let mx = -Infinity;
      for (let c = runLo[k]!; c <= runHi[k]!; c++) {
        if (colMin[c]! < mn) mn = colMin[c]!;
        if (colMax[c]! > mx) mx = colMax[c]!;
      }
      const x0 = runStart[k]!;
      const x1 = runStart[k + 1]!;
      // Per threshold: all above (> t), all not above (≤ t), or undecided. NaN leaves every test false.
      const fgAll = mn > thr + margin;
      const hiAll = mn > hi + margin;
      const loAll = mn > lo + margin;
      if ((fgAll || mx < thr - margin) && (hiAll || mx < hi - margin) && (loAll || mx < lo - margin)) {
        const cls = (fgAll ? 1 : 0) | (hiAll ? 2 : 0) | (loAll ? 4 : 0);
        if (spans > 0 && spanClass[spans - 1] === cls && spanEnd[spans - 1] === x0) spanEnd[spans - 1] = x1;
        else {
          spanStart[spans] = x0;
          spanEnd[spans] = x1;
          spanClass[spans++] = cls;
        }
      } else {
        undecided += x1 - x0;
        const last = segments.length - 1;
        if (last > 0 && segments[last] === x0) segments[last] = x1;
        else segments.push(x0, x1);
      }
    }
    plain = undecided * 8 > W;
  };

  const foreground = scratch.bytes(W);
  const values = scratch.floats(W);
  const lineCounts = scratch.ints(3);
  let area = 0;
  let above = 0;
  let aboveLow = 0;
  for (let y = 0; y < H; y++) {
    const Y0 = row2.i0[y]!;
    const Y1 = row2.i1[y]!;
    const rLo = row1.i0[Y0]!;
    const rHi = row1.i1[Y1]!;
    if (rLo !== rowsLo || rHi !== rowsHi) {
      rowsLo = rLo;
      rowsHi = rHi;
      // Noisy logits stay noisy: after 4 plain row sets in a row, classify only every 8th.
      if (plainStreak < 4 || ++skipped % 8 === 0) {
        classify(rLo, rHi);
        plainStreak = plain ? plainStreak + 1 : 0;
      }
    }
    if (plain) {
      lerpLines(imageRow(Y0), row2.w0[y]!, imageRow(Y1), row2.w1[y]!, values, W);
      thresholdLine(values, W, thr, hi, lo, foreground, lineCounts);
      area += lineCounts[0]!;
      above += lineCounts[1]!;
      aboveLow += lineCounts[2]!;
    } else {
      for (let i = 0; i < spans; i++) {
        const cls = spanClass[i]!;
        const n = spanEnd[i]! - spanStart[i]!;
        foreground.fill(cls & 1, spanStart[i]!, spanEnd[i]!);
        if (cls & 1) area += n;
        if (cls & 2) above += n;
        if (cls & 4) aboveLow += n;
      }
      for (let i = 0; i < segments.length; i += 2) exactSegment(y, segments[i]!, segments[i + 1]!);
    }
    onRow(y, foreground);
  }
  area += exact[0]!;
  above += exact[1]!;
  aboveLow += exact[2]!;
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

/**
 * SAM 2's postprocessing (`SAM2Transforms.postprocess_masks`): the L×L low-res logits resized **straight** to the
 * image H×W by one `F.interpolate(mode='bilinear', align_corners=False)`, no S×S step and no crop. Expressed as
 * the two-stage pipeline above with an identity first stage (L → L copies exactly), so it streams the same way
 * and shares the exact arithmetic and the shortcut.
 */
export function directFrame(lowRes: Float32Array, image: Size): ModelFrame {
  const L = Math.round(Math.sqrt(lowRes.length));
  return {
    kind: 'stretch',
    image: { width: image.width, height: image.height },
    inputSize: L,
    resized: { width: L, height: L },
  };
}

/** {@link upsampleMask} with one bilinear resize L×L → H×W (SAM 2; see {@link directFrame}). */
export function upsampleMaskDirect(
  lowRes: Float32Array,
  image: Size,
  options: UpsampleOptions = {},
): UpsampledMask {
  return upsampleMask(lowRes, directFrame(lowRes, image), options);
}

/** {@link upsampleMaskToRle} with one bilinear resize L×L → H×W (SAM 2). */
export function upsampleMaskDirectToRle(
  lowRes: Float32Array,
  image: Size,
  options: UpsampleOptions = {},
): UpsampledRle {
  return upsampleMaskToRle(lowRes, directFrame(lowRes, image), options);
}

/** {@link upsampleLogitRows} with one bilinear resize L×L → H×W (SAM 2). */
export function upsampleLogitRowsDirect(
  lowRes: Float32Array,
  image: Size,
  onRow: (y: number, logits: Float32Array) => void,
): void {
  upsampleLogitRows(lowRes, directFrame(lowRes, image), onRow);
}

/**
 * Area and stability score of the mask {@link upsampleMask} would give, without building it (automatic mask
 * generation decides its stability filter on these; only survivors are run-length encoded).
 */
export function upsampleMaskCounts(
  lowRes: Float32Array,
  frame: ModelFrame,
  options: UpsampleOptions = {},
): MaskCounts {
  return streamRows(lowRes, frame, options, () => {});
}

/** {@link upsampleMaskCounts} with one bilinear resize L×L → H×W (SAM 2). */
export function upsampleMaskDirectCounts(
  lowRes: Float32Array,
  image: Size,
  options: UpsampleOptions = {},
): MaskCounts {
  return upsampleMaskCounts(lowRes, directFrame(lowRes, image), options);
}
