/**
 * Operations on COCO run lengths that `rle.ts` (the codec) does not need: canonical form, union, cropping and an
 * interior point. All work on uncompressed counts (column-major runs, first run background, `size` [h, w]).
 */
import type { BinaryMask, Rle, UncompressedRle } from './rle.ts';
import { compressRle, decodeRle, decompressRle, rleBboxCoco } from './rle.ts';

/**
 * The counts pycocotools' `encode` would give for the same pixels: zero-length runs merged away (a leading 0,
 * meaning "first pixel is foreground", stays). Two RLEs of the same mask then have identical strings.
 */
export function canonicalCounts(counts: readonly number[]): number[] {
  if (counts.length === 0) return [];
  const out = [counts[0]!];
  for (let i = 1; i < counts.length; i++) {
    const n = counts[i]!;
    if (n !== 0) out.push(n);
    else if (i + 1 < counts.length) out[out.length - 1]! += counts[++i]!; // a 0 run joins its two neighbours
  }
  return out;
}

/** Canonical compressed RLE of a compressed or uncompressed RLE (validated: runs must cover `size` exactly). */
export function canonicalRle(rle: Rle | UncompressedRle): Rle {
  const counts = typeof rle.counts === 'string' ? decompressRle(rle as Rle).counts : rle.counts;
  return compressRle({ size: [rle.size[0], rle.size[1]], counts: canonicalCounts(counts) });
}

/**
 * Union of masks of one size, as pycocotools `merge(rles, intersect=False)` (maskApi.c `rleMerge`), in
 * O(R log R) for R runs in all: the foreground runs are intervals, merged by one sweep over their sorted starts
 * and ends. Returns canonical counts.
 */
export function unionCounts(list: readonly (readonly number[])[], pixels: number): number[] {
  let total = 0;
  for (const counts of list) total += counts.length >> 1;
  const starts = new Float64Array(total);
  const ends = new Float64Array(total);
  let n = 0;
  for (const counts of list) {
    let p = 0;
    for (let j = 0; j < counts.length; j++) {
      const c = counts[j]!;
      if (j % 2 === 1 && c > 0) {
        starts[n] = p;
        ends[n++] = p + c;
      }
      p += c;
    }
  }
  const s = starts.subarray(0, n).sort();
  const e = ends.subarray(0, n).sort();
  const out: number[] = [];
  let previousEnd = 0;
  let runStart = 0;
  let active = 0;
  for (let i = 0, j = 0; j < n;) {
    if (i < n && s[i]! <= e[j]!) {
      if (active++ === 0) runStart = s[i]!;
      i++;
    } else {
      if (--active === 0) {
        out.push(runStart - previousEnd, e[j]! - runStart);
        previousEnd = e[j]!;
      }
      j++;
    }
  }
  out.push(pixels - previousEnd);
  return canonicalCounts(out);
}

/** A mask cut to a window of the image, and where that window sits: image pixel (x, y) = crop (x − x0, y − y0). */
export interface CroppedMask {
  readonly mask: BinaryMask;
  readonly x0: number;
  readonly y0: number;
}

/**
 * Decode only the bounding box of the foreground (COCO bbox), so that work on small objects in large images
 * costs the object's size, not the image's. An empty mask gives a 0×0 crop.
 */
export function decodeCropped(rle: Rle | UncompressedRle): CroppedMask {
  const [x0, y0, width, height] = rleBboxCoco(rle);
  const data = new Uint8Array(width * height);
  if (data.length === 0) return { mask: { width: 0, height: 0, data }, x0: 0, y0: 0 };
  const [H, W] = rle.size;
  if (width * height * 4 > H * W) {
    // A large object: decode the whole mask (fast, in memory order) and copy the window's rows.
    const full = decodeRle(rle).data;
    for (let y = 0; y < height; y++)
      data.set(full.subarray((y + y0) * W + x0, (y + y0) * W + x0 + width), y * width);
  } else {
    const counts = typeof rle.counts === 'string' ? decompressRle(rle as Rle).counts : rle.counts;
    forEachColumnSegment(counts, H, (x, ya, yb) => {
      for (let i = (ya - y0) * width + (x - x0), end = (yb - y0) * width + (x - x0); i <= end; i += width)
        data[i] = 1;
    });
  }
  return { mask: { width, height, data }, x0, y0 };
}

/** Calls `visit(x, yFirst, yLast)` for each vertical segment of foreground (runs split at column ends). */
function forEachColumnSegment(
  counts: readonly number[],
  H: number,
  visit: (x: number, yFirst: number, yLast: number) => void,
): void {
  let p = 0;
  for (let j = 0; j < counts.length; j++) {
    const n = counts[j]!;
    if (j % 2 === 1 && n > 0) {
      let start = p;
      const end = p + n; // exclusive
      while (start < end) {
        const x = Math.floor(start / H);
        const columnEnd = Math.min(end, (x + 1) * H);
        visit(x, start - x * H, columnEnd - 1 - x * H);
        start = columnEnd;
      }
    }
    p += n;
  }
}

/**
 * A point inside the mask, for formats that want "the point that made it" when no click did: the centre of the
 * longest vertical run of foreground (ties: the first in COCO order), in image coordinates (pixel centres at
 * +0.5). Undefined for an empty mask.
 */
export function interiorPoint(rle: Rle | UncompressedRle): [x: number, y: number] | undefined {
  const counts = typeof rle.counts === 'string' ? decompressRle(rle as Rle).counts : rle.counts;
  let best: [number, number] | undefined;
  let bestLength = 0;
  forEachColumnSegment(counts, rle.size[0], (x, ya, yb) => {
    if (yb - ya + 1 > bestLength) {
      bestLength = yb - ya + 1;
      best = [x + 0.5, Math.floor((ya + yb) / 2) + 0.5];
    }
  });
  return best;
}

/**
 * Intersection over union of two masks of one size (pycocotools `iou` on masks), from their runs without
 * decoding pixels: a walk over both run lists. 0 when both are empty. (Issue 17: Find objects leaves out a mask
 * that overlaps an accepted one above the project's IoU threshold.)
 */
export function rleIou(a: Rle | UncompressedRle, b: Rle | UncompressedRle): number {
  if (a.size[0] !== b.size[0] || a.size[1] !== b.size[1])
    throw new Error(`mask sizes differ: [${a.size.join(', ')}] vs [${b.size.join(', ')}]`);
  const ca = countsOf(a);
  const cb = countsOf(b);
  let areaA = 0;
  let areaB = 0;
  for (let i = 1; i < ca.length; i += 2) areaA += ca[i]!;
  for (let i = 1; i < cb.length; i += 2) areaB += cb[i]!;
  // Walk both: position, index of the current run, its end, and whether it is foreground (odd index).
  let inter = 0;
  let ia = 0;
  let ib = 0;
  let endA = ca[0] ?? 0;
  let endB = cb[0] ?? 0;
  let pos = 0;
  const pixels = a.size[0] * a.size[1];
  while (pos < pixels && ia < ca.length && ib < cb.length) {
    const next = Math.min(endA, endB);
    if (ia % 2 === 1 && ib % 2 === 1) inter += next - pos;
    pos = next;
    if (endA === pos) endA += ca[++ia] ?? 0;
    if (endB === pos) endB += cb[++ib] ?? 0;
  }
  const union = areaA + areaB - inter;
  return union === 0 ? 0 : inter / union;
}

function countsOf(rle: Rle | UncompressedRle): readonly number[] {
  return typeof rle.counts === 'string' ? decompressRle(rle as Rle).counts : rle.counts;
}
