/**
 * The "unlabeled" overlay (issue 5): which parts of the image no mask covers yet, at display resolution, so the
 * annotator sees what is left to click after the automatic masks.
 *
 * The union of the masks is built column by column from their COCO runs (column-major): each column's
 * foreground intervals of every mask are merged, and the covered lengths are summed into the raster cells with
 * the same exact box filter as `rasterizeRle`. The cost is O(runs · log runs + columns + raster), never the
 * image's pixel count, so a 20 MP photo with hundreds of masks stays cheap; no full-resolution array is made.
 *
 * Frames: the raster covers the whole image ([0, W) × [0, H) image pixels); cell (i, j) covers the image pixels
 * whose floor(x · scale) = i, floor(y · scale) = j. `alpha` is the uncovered fraction of the cell, 0–255.
 */
import type { Size } from '../../electron/common/frames.ts';
import { type Rle, type UncompressedRle, decompressRle } from '../../electron/common/rle.ts';
import { type MaskRaster, binning, rasterScale } from './maskRaster.ts';

export interface UnlabeledRaster extends MaskRaster {
  /** Exact share of the image's pixels that no mask covers, 0–1. */
  readonly uncovered: number;
}

/** About 1 MP: the overlay is a soft hint, drawn scaled; exact below ~1000 × 1000. */
export const UNLABELED_MAX_PIXELS = 1 << 20;

/**
 * The uncovered part of the image given its masks (full-resolution COCO RLE, `size` = [H, W] of the image).
 */
export function unlabeledRaster(
  image: Size,
  masks: readonly (Rle | UncompressedRle)[],
  maxPixels = UNLABELED_MAX_PIXELS,
): UnlabeledRaster {
  const W = image.width;
  const H = image.height;
  // Foreground intervals per column, as flat [start, end) pairs (row offsets).
  const columns: (number[] | undefined)[] = new Array<number[] | undefined>(W);
  for (const mask of masks) {
    if (mask.size[0] !== H || mask.size[1] !== W) continue; // not of this image
    const counts = typeof mask.counts === 'string' ? decompressRle(mask as Rle).counts : mask.counts;
    let p = 0;
    for (let j = 0; j < counts.length; j++) {
      const n = counts[j]!;
      if (j % 2 === 1 && n > 0) {
        let start = p;
        const end = p + n;
        while (start < end) {
          const x = Math.floor(start / H);
          const columnEnd = Math.min(end, (x + 1) * H);
          (columns[x] ??= []).push(start - x * H, columnEnd - x * H);
          start = columnEnd;
        }
      }
      p += n;
    }
  }
  const s = rasterScale(W, H, maxPixels);
  const cols = binning(W, s);
  const rows = binning(H, s);
  const dw = cols.size;
  const dh = rows.size;
  const covered = new Uint32Array(dw * dh);
  let coveredPixels = 0;
  const add = (dx: number, ya: number, yb: number) => {
    // Rows [ya, yb) of one column into the cells of raster column dx.
    const ra = rows.index[ya]!;
    const rb = rows.index[yb - 1]!;
    if (ra === rb) covered[ra * dw + dx]! += yb - ya;
    else {
      covered[ra * dw + dx]! += rows.first[ra + 1]! - ya;
      covered[rb * dw + dx]! += yb - rows.first[rb]!;
      for (let r = ra + 1, i = (ra + 1) * dw + dx; r < rb; r++, i += dw) covered[i]! += rows.count[r]!;
    }
  };
  for (let x = 0; x < W; x++) {
    const intervals = columns[x];
    if (!intervals) continue;
    const order = Array.from({ length: intervals.length / 2 }, (_, k) => k).sort(
      (a, b) => intervals[2 * a]! - intervals[2 * b]!,
    );
    const dx = cols.index[x]!;
    let a = -1;
    let b = -1;
    for (const k of order) {
      const ya = intervals[2 * k]!;
      const yb = intervals[2 * k + 1]!;
      if (ya > b) {
        if (b > a) {
          add(dx, a, b);
          coveredPixels += b - a;
        }
        a = ya;
        b = yb;
      } else if (yb > b) b = yb;
    }
    if (b > a) {
      add(dx, a, b);
      coveredPixels += b - a;
    }
  }
  const alpha = new Uint8Array(dw * dh);
  for (let r = 0; r < dh; r++) {
    const rowCount = rows.count[r]!;
    for (let c = 0; c < dw; c++) {
      const cell = rowCount * cols.count[c]!;
      // A cell can get no pixel at all (the binning rounds the raster size up): nothing to shade there.
      if (cell) alpha[r * dw + c] = Math.round((255 * (cell - covered[r * dw + c]!)) / cell);
    }
  }
  return {
    x: 0,
    y: 0,
    imageWidth: W,
    imageHeight: H,
    width: dw,
    height: dh,
    alpha,
    uncovered: W * H ? 1 - coveredPixels / (W * H) : 0,
  };
}
