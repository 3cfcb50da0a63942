/**
 * Pillow's `Image.resize(size, Image.BILINEAR)` for 8-bit images, byte for byte.
 *
 * Meta's `ResizeLongestSide.apply_image` resizes with PIL, and the SAM encoder is sensitive enough that a ±1
 * difference in a few pixels moves mask borders, so this mirrors Pillow's `src/libImaging/Resample.c` exactly
 * rather than approximating "a bilinear resize": a separable convolution with a triangle filter whose support
 * grows with the downscale factor (antialiasing), weights normalised per output pixel in double precision and
 * applied in 22-bit fixed point.
 *
 * Pixels are interleaved (`channels` bytes per pixel, rows top to bottom, no padding). Every channel is filtered
 * independently, as Pillow does for L, RGB and RGBX; Pillow additionally premultiplies alpha for LA/RGBA, which
 * this function does not.
 */
import type { Size } from './frames.ts';

/** Resample.c `PRECISION_BITS = 32 - 8 - 2`: 8 bits of result, 2 bits of headroom. */
const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);
// Sums stay below 2^31 (255 × (2^22 + a few rounding units) + 2^21), as Pillow's `int` accumulators do, so
// int32 arithmetic (Math.imul, `| 0`) is exact and is what V8 runs fastest.

/** Per output pixel: the first source index, how many taps, and the fixed-point weights (`taps` per pixel). */
interface Coefficients {
  readonly first: Int32Array;
  readonly count: Int32Array;
  readonly weights: Int32Array;
  readonly taps: number;
}

/**
 * Resample.c `precompute_coeffs` (box = whole image) followed by `normalize_coeffs_8bpc`. The arithmetic order is
 * kept as in C: the support is the filter's (1.0 for bilinear) times the downscale factor, bounds are rounded by
 * truncating `x + 0.5`, and each weight is `filter((x + xmin - center + 0.5) * ss)` with `ss = 1 / filterscale`
 * (a multiplication, not a division, as in C).
 */
function precomputeCoefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale; // bilinear support 1.0 × filterscale
  const taps = Math.ceil(support) * 2 + 1;
  const invFilterScale = 1 / filterScale;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * taps);
  const w = new Float64Array(taps);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    // C casts with (int), which truncates toward zero; a negative result is clamped to 0 either way.
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      const t = Math.abs((x + xmin - center + 0.5) * invFilterScale);
      w[x] = t < 1 ? 1 - t : 0;
      total += w[x]!;
    }
    for (let x = 0; x < xmax; x++) {
      const k = total !== 0 ? w[x]! / total : w[x]!;
      // normalize_coeffs_8bpc: (int)(0.5 + k * (1 << PRECISION_BITS)); bilinear weights are never negative.
      weights[xx * taps + x] = Math.trunc(0.5 + k * ONE);
    }
    first[xx] = xmin;
    count[xx] = xmax;
  }
  return { first, count, weights, taps };
}

/** Resample.c `clip8`: drop the fractional bits, clamp to 0..255. */
function clip8(acc: number): number {
  const v = acc >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** One pass along x: every row of `src` (width `inWidth`) becomes a row of width `outWidth`. */
function resampleHorizontal(
  src: Uint8Array,
  inWidth: number,
  rows: number,
  channels: number,
  outWidth: number,
): Uint8Array {
  const { first, count, weights, taps } = precomputeCoefficients(inWidth, outWidth);
  const dst = new Uint8Array(outWidth * rows * channels);
  const inStride = inWidth * channels;
  for (let y = 0; y < rows; y++) {
    const rowStart = y * inStride;
    let o = y * outWidth * channels;
    for (let xx = 0; xx < outWidth; xx++) {
      const k0 = xx * taps;
      const n = count[xx]!;
      const s0 = rowStart + first[xx]! * channels;
      if (channels === 3) {
        // The common RGB case: the three channel sums in one sweep over the taps (same sums, faster).
        let r = HALF;
        let g = HALF;
        let b = HALF;
        for (let x = 0, s = s0; x < n; x++, s += 3) {
          const k = weights[k0 + x]!;
          r = (r + Math.imul(src[s]!, k)) | 0;
          g = (g + Math.imul(src[s + 1]!, k)) | 0;
          b = (b + Math.imul(src[s + 2]!, k)) | 0;
        }
        dst[o++] = clip8(r);
        dst[o++] = clip8(g);
        dst[o++] = clip8(b);
        continue;
      }
      for (let c = 0; c < channels; c++) {
        let acc = HALF;
        for (let x = 0, s = s0 + c; x < n; x++, s += channels)
          acc = (acc + Math.imul(src[s]!, weights[k0 + x]!)) | 0;
        dst[o++] = clip8(acc);
      }
    }
  }
  return dst;
}

/** One pass along y: `src` of `inHeight` rows of `rowBytes` bytes becomes `outHeight` rows. */
function resampleVertical(
  src: Uint8Array,
  rowBytes: number,
  inHeight: number,
  outHeight: number,
): Uint8Array {
  const { first, count, weights, taps } = precomputeCoefficients(inHeight, outHeight);
  const dst = new Uint8Array(rowBytes * outHeight);
  // Accumulate whole rows tap by tap (sequential memory access); integer sums do not depend on their order.
  const acc = new Int32Array(rowBytes);
  for (let yy = 0; yy < outHeight; yy++) {
    const k0 = yy * taps;
    const n = count[yy]!;
    acc.fill(HALF);
    for (let y = 0; y < n; y++) {
      const k = weights[k0 + y]!;
      const s0 = (first[yy]! + y) * rowBytes;
      for (let i = 0; i < rowBytes; i++) acc[i] = (acc[i]! + Math.imul(src[s0 + i]!, k)) | 0;
    }
    const o = yy * rowBytes;
    for (let i = 0; i < rowBytes; i++) dst[o + i] = clip8(acc[i]!);
  }
  return dst;
}

/**
 * Resize an interleaved 8-bit image like Pillow's `Image.resize(dstSize, Image.BILINEAR)`.
 *
 * @param src `srcSize.height` rows of `srcSize.width × channels` bytes.
 * @returns a new array of `dstSize.height × dstSize.width × channels` bytes, same layout.
 */
export function resizeBilinear(src: Uint8Array, srcSize: Size, channels: number, dstSize: Size): Uint8Array {
  for (const [what, v] of [
    ['source width', srcSize.width],
    ['source height', srcSize.height],
    ['target width', dstSize.width],
    ['target height', dstSize.height],
    ['channels', channels],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${what} must be a positive integer, got ${v}`);
  }
  const expected = srcSize.width * srcSize.height * channels;
  if (src.length !== expected)
    throw new Error(
      `source has ${src.length} bytes, expected ${expected} (${srcSize.width}×${srcSize.height}×${channels})`,
    );
  // Like ImagingResampleInner, each pass runs only when its dimension changes; Pillow also restricts the
  // horizontal pass to the source rows the vertical pass reads, which saves time but cannot change a byte.
  let out = src;
  if (dstSize.width !== srcSize.width)
    out = resampleHorizontal(out, srcSize.width, srcSize.height, channels, dstSize.width);
  if (dstSize.height !== srcSize.height)
    out = resampleVertical(out, dstSize.width * channels, srcSize.height, dstSize.height);
  return out === src ? src.slice() : out;
}
