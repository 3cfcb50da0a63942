/**
 * SAM 2's encoder input (`SAM2Transforms`: `ToTensor`, `Resize((S, S))`, `Normalize`), computed in float as
 * PyTorch does it: RGB bytes → float32 /255 → bilinear **stretch** to S×S, antialiased when shrinking → per channel
 * `(v − mean) / std` with ImageNet statistics on the 0..1 scale. No letterbox, no padding, no rounding to 8 bits.
 *
 * The resize is PyTorch's `F.interpolate(mode='bilinear', align_corners=False, antialias=True)` CPU kernel
 * (`aten/src/ATen/native/cpu/UpSampleKernel.cpp`, `_compute_weights_aa`), separable: the width first, then the
 * height, each axis skipped when its size does not change. Per output index i of an axis in → out:
 * `scale = in/out` (float32), `support = scale ≥ 1 ? scale : 1`, `center = scale·(i + 0.5)`,
 * taps `j ∈ [trunc(center − support + 0.5) ∨ 0, trunc(center + support + 0.5) ∧ in)` with the triangle filter
 * `max(0, 1 − |(j − center + 0.5) / max(scale, 1)|)`, normalised to sum 1. Enlarging (scale < 1) this is plain
 * half-pixel bilinear; shrinking, the triangle widens with the scale (the antialiasing). Sums are float32.
 */
import type { Rgb } from './modelInput.ts';

const f = Math.fround;

/** ImageNet statistics on the 0..1 scale (`SAM2Transforms`' mean and std). */
export const IMAGENET_MEAN: Rgb = [0.485, 0.456, 0.406];
export const IMAGENET_STD: Rgb = [0.229, 0.224, 0.225];

/** One axis' taps: output i reads `count[i]` inputs from `start[i]`, weights at `weights[i · width …]`. */
export interface AxisTaps {
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly width: number;
  readonly weights: Float32Array;
}

/** PyTorch's antialiased bilinear taps for one axis in → out (see the module comment). */
export function antialiasTaps(inSize: number, outSize: number): AxisTaps {
  const scale = f(inSize / outSize);
  const support = scale >= 1 ? scale : 1;
  const invScale = scale >= 1 ? f(1 / scale) : 1;
  const width = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * width);
  for (let i = 0; i < outSize; i++) {
    const center = f(scale * (i + 0.5));
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const n = Math.min(Math.trunc(center + support + 0.5), inSize) - lo;
    let total = 0;
    for (let j = 0; j < n; j++) {
      const x = Math.abs(f(f(j + lo - center + 0.5) * invScale));
      const w = x < 1 ? f(1 - x) : 0;
      weights[i * width + j] = w;
      total = f(total + w);
    }
    if (total !== 0) for (let j = 0; j < n; j++) weights[i * width + j] = f(weights[i * width + j]! / total);
    start[i] = lo;
    count[i] = n;
  }
  return { start, count, width, weights };
}

/** Σ w·v over one output's taps, reading `src[base + k·stride]`, in float32. */
function tap(taps: AxisTaps, i: number, src: Float32Array, base: number, stride: number): number {
  const n = taps.count[i]!;
  const w0 = i * taps.width;
  let at = base + taps.start[i]! * stride;
  let t = f(src[at]! * taps.weights[w0]!);
  for (let j = 1; j < n; j++) {
    at += stride;
    t = f(t + f(src[at]! * taps.weights[w0 + j]!));
  }
  return t;
}

/**
 * Planar float image [C, h, w] → planar [C, outH, outW], PyTorch's antialiased bilinear (module comment).
 * @param src planar float32, channel-major, rows of `w`.
 */
export function resizePlanarAntialiased(
  src: Float32Array,
  channels: number,
  w: number,
  h: number,
  outW: number,
  outH: number,
): Float32Array {
  if (src.length !== channels * w * h)
    throw new Error(`resize: ${src.length} values for ${channels}×${h}×${w}`);
  let cur = src;
  if (outW !== w) {
    const taps = antialiasTaps(w, outW);
    const next = new Float32Array(channels * h * outW);
    for (let row = 0; row < channels * h; row++)
      for (let x = 0; x < outW; x++) next[row * outW + x] = tap(taps, x, cur, row * w, 1);
    cur = next;
  }
  if (outH !== h) {
    const taps = antialiasTaps(h, outH);
    const next = new Float32Array(channels * outH * outW);
    for (let c = 0; c < channels; c++)
      for (let y = 0; y < outH; y++)
        for (let x = 0; x < outW; x++)
          next[(c * outH + y) * outW + x] = tap(taps, y, cur, c * h * outW + x, outW);
    cur = next;
  }
  return cur === src ? src.slice() : cur;
}

/**
 * SAM 2's encoder input for an image: planar float32 [3, S, S] (model frame, the image stretched to S×S).
 * @param rgb interleaved RGB, `height` rows of `width × 3` bytes, image frame.
 * @param mean per-channel mean on the 0..1 scale (default ImageNet's), rounded to float32 as torch's buffers.
 */
export function sam2ModelInput(
  rgb: Uint8Array,
  width: number,
  height: number,
  inputSize: number,
  mean: Rgb = IMAGENET_MEAN,
  std: Rgb = IMAGENET_STD,
): Float32Array {
  if (rgb.length !== width * height * 3) throw new Error(`${rgb.length} bytes for ${width}×${height} RGB`);
  const plane = width * height;
  const planar = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++)
    for (let c = 0; c < 3; c++) planar[c * plane + i] = f(rgb[3 * i + c]! / 255);
  const out = resizePlanarAntialiased(planar, 3, width, height, inputSize, inputSize);
  const side = inputSize * inputSize;
  for (let c = 0; c < 3; c++) {
    const m = f(mean[c]!);
    const s = f(std[c]!);
    for (let i = c * side; i < (c + 1) * side; i++) out[i] = f(f(out[i]! - m) / s);
  }
  return out;
}
