/**
 * Masks → display rasters, without a full-resolution array.
 *
 * A mask is stored as COCO RLE at full image resolution (20 MP images included). For display it is rasterised
 * over its bounding box only, at a scale chosen so the raster has at most `maxPixels` pixels; each raster pixel
 * holds the fraction of its image pixels that are foreground (0–255), i.e. an exact box filter, so a downscaled
 * mask has soft, honest edges instead of a dilated or eroded outline. The work is proportional to the runs and to
 * the raster, never to the image.
 *
 * Frames: the raster covers image pixels [x, x + imageWidth) × [y, y + imageHeight); raster pixel (i, j) covers
 * the image pixels whose floor((x' − x) · scaleX) = i (same for rows). Rasters are row-major.
 */
import type { Size } from '../../electron/common/frames.ts';
import type { BinaryMask, Rle, UncompressedRle } from '../../electron/common/rle.ts';
import { decompressRle, rleBboxCoco } from '../../electron/common/rle.ts';
import type { MaskPreview } from '../../electron/common/candidate.ts';

export interface MaskRaster {
  /** Image-frame box the raster covers (pixels). */
  readonly x: number;
  readonly y: number;
  readonly imageWidth: number;
  readonly imageHeight: number;
  /** Raster size. */
  readonly width: number;
  readonly height: number;
  /** Coverage 0–255, row-major, `width × height`. */
  readonly alpha: Uint8Array;
}

/** About 2 MP: a few MB per visible mask at most, full resolution for anything smaller than ~1400 × 1400. */
export const DEFAULT_MAX_RASTER_PIXELS = 1 << 21;

const EMPTY: MaskRaster = {
  x: 0,
  y: 0,
  imageWidth: 0,
  imageHeight: 0,
  width: 0,
  height: 0,
  alpha: new Uint8Array(0),
};

/** Raster size for a box of `w × h` image pixels under the pixel budget (≤ 1:1). */
export function rasterScale(w: number, h: number, maxPixels: number): number {
  return Math.min(1, Math.sqrt(maxPixels / Math.max(1, w * h)));
}

export interface Binning {
  /** Number of raster cells. */
  readonly size: number;
  /** Image offset → cell. */
  readonly index: Int32Array;
  /** Image offsets per cell. */
  readonly count: Int32Array;
  /** First image offset of each cell (size + 1 entries). */
  readonly first: Int32Array;
}

/** For each image offset 0..n−1, its raster index under scale `s` (floor), and how many offsets each raster index gets. */
export function binning(n: number, s: number): Binning {
  const size = Math.max(1, Math.ceil(n * s - 1e-9));
  const index = new Int32Array(n);
  const count = new Int32Array(size);
  for (let i = 0; i < n; i++) {
    const r = Math.min(size - 1, Math.floor(i * s));
    index[i] = r;
    count[r]!++;
  }
  // First offset of each raster index (rows are walked by segment).
  const first = new Int32Array(size + 1);
  for (let r = 0, acc = 0; r <= size; r++) {
    first[r] = acc;
    acc += count[r] ?? 0;
  }
  return { size, index, count, first };
}

/**
 * Rasterise a COCO RLE (compressed or not) over its bounding box. Cost O(runs + raster columns × rows touched).
 */
export function rasterizeRle(rle: Rle | UncompressedRle, maxPixels = DEFAULT_MAX_RASTER_PIXELS): MaskRaster {
  const un: UncompressedRle =
    typeof rle.counts === 'string' ? decompressRle(rle as Rle) : (rle as UncompressedRle);
  const [bx, by, bw, bh] = rleBboxCoco(un);
  if (bw === 0 || bh === 0) return EMPTY;
  const s = rasterScale(bw, bh, maxPixels);
  const cols = binning(bw, s);
  const rows = binning(bh, s);
  const alpha = coverage(un.counts, un.size[0], bx, by, bw, bh, cols, rows);
  return { x: bx, y: by, imageWidth: bw, imageHeight: bh, width: cols.size, height: rows.size, alpha };
}

/**
 * Coverage (0–255) of the window [bx, bx + bw) × [by, by + bh) under the given binnings, from COCO runs (column-
 * major, column height H). The window must contain all the foreground.
 */
function coverage(
  counts: readonly number[],
  H: number,
  bx: number,
  by: number,
  bw: number,
  bh: number,
  cols: Binning,
  rows: Binning,
): Uint8Array {
  const dw = cols.size;
  const dh = rows.size;
  const acc = new Uint32Array(dw * dh);
  let p = 0;
  for (let j = 0; j < counts.length; j++) {
    const n = counts[j]!;
    if (j % 2 === 1 && n > 0) {
      let start = p;
      const end = p + n;
      while (start < end) {
        const x = Math.floor(start / H);
        const columnEnd = Math.min(end, (x + 1) * H);
        const ya = start - x * H - by;
        const yb = columnEnd - 1 - x * H - by; // inclusive, window-relative
        const dx = cols.index[x - bx]!;
        const ra = rows.index[ya]!;
        const rb = rows.index[yb]!;
        if (ra === rb) acc[ra * dw + dx]! += yb - ya + 1;
        else {
          // Partial first and last cells; whole cells between (the common case for big masks).
          acc[ra * dw + dx]! += rows.first[ra + 1]! - ya;
          acc[rb * dw + dx]! += yb - rows.first[rb]! + 1;
          for (let r = ra + 1, i = (ra + 1) * dw + dx; r < rb; r++, i += dw) acc[i]! += rows.count[r]!;
        }
        start = columnEnd;
      }
    }
    p += n;
  }
  const alpha = new Uint8Array(dw * dh);
  for (let r = 0; r < dh; r++) {
    const rowCount = rows.count[r]!;
    for (let c = 0; c < dw; c++) {
      const v = acc[r * dw + c]!;
      if (v) alpha[r * dw + c] = Math.round((255 * v) / (rowCount * cols.count[c]!));
    }
  }
  return alpha;
}

/** A decode preview (the whole image scaled to preview size, 0/1) as a raster. */
export function rasterFromPreview(preview: MaskPreview, image: Size): MaskRaster {
  const alpha = new Uint8Array(preview.data.length);
  for (let i = 0; i < alpha.length; i++) alpha[i] = preview.data[i] ? 255 : 0;
  return {
    x: 0,
    y: 0,
    imageWidth: image.width,
    imageHeight: image.height,
    width: preview.width,
    height: preview.height,
    alpha,
  };
}

/**
 * Rasterise the window `[x0, x0 + w) × [y0, y0 + h)` of a full-resolution row-major mask (the brush's working
 * mask), under the same pixel budget and box filter as {@link rasterizeRle}.
 */
export function rasterizeRegion(
  mask: BinaryMask,
  region: { x: number; y: number; width: number; height: number },
  maxPixels = DEFAULT_MAX_RASTER_PIXELS,
): MaskRaster {
  const { x: x0, y: y0, width: w, height: h } = region;
  if (w <= 0 || h <= 0) return EMPTY;
  const s = rasterScale(w, h, maxPixels);
  const cols = binning(w, s);
  const rows = binning(h, s);
  const dw = cols.size;
  const dh = rows.size;
  const acc = new Uint32Array(dw * dh);
  const W = mask.width;
  for (let y = 0; y < h; y++) {
    const base = (y + y0) * W + x0;
    const r = rows.index[y]! * dw;
    for (let x = 0; x < w; x++) if (mask.data[base + x]) acc[r + cols.index[x]!]!++;
  }
  const alpha = new Uint8Array(dw * dh);
  for (let r = 0; r < dh; r++)
    for (let c = 0; c < dw; c++) {
      const v = acc[r * dw + c]!;
      if (v) alpha[r * dw + c] = Math.round((255 * v) / (rows.count[r]! * cols.count[c]!));
    }
  return { x: x0, y: y0, imageWidth: w, imageHeight: h, width: dw, height: dh, alpha };
}

/** Is image pixel (x, y) foreground? O(runs); for picking a mask under the pointer. */
export function rleContains(rle: Rle | UncompressedRle, x: number, y: number): boolean {
  const [H, W] = rle.size;
  const xi = Math.floor(x);
  const yi = Math.floor(y);
  if (xi < 0 || yi < 0 || xi >= W || yi >= H) return false;
  const counts = typeof rle.counts === 'string' ? decompressRle(rle as Rle).counts : rle.counts;
  const target = xi * H + yi;
  let p = 0;
  for (let j = 0; j < counts.length; j++) {
    p += counts[j]!;
    if (target < p) return j % 2 === 1;
  }
  return false;
}
