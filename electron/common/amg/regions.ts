/**
 * Meta's `remove_small_regions` (segment_anything/utils/amg.py): fill the holes, or remove the islands, of a mask
 * that are smaller than `areaThresh` pixels, with OpenCV's `connectedComponentsWithStats(·, 8)` semantics.
 *
 * Only the mask's bounding box is decoded and labelled. Outside it the mask is empty: for holes that outside is
 * background in one piece — two when the box spans the image's whole width or height — joined to the holes that
 * reach a box edge facing it. OpenCV numbers components by their first 2×2 block in block-raster order
 * (Spaghetti/BBDT labelling; checked against cv2 4.6), which decides which island survives when all are small
 * and the largest ones tie.
 */
import type { Size } from '../frames.ts';
import { type Rle, type UncompressedRle, encodeCounts } from '../rle.ts';
import { decodeCropped } from '../rleOps.ts';
import { uncropCounts } from './masks.ts';

export type RegionMode = 'holes' | 'islands';

export interface RegionResult {
  /** The new mask (canonical counts), or the input when unchanged. */
  readonly rle: UncompressedRle | Rle;
  /** Meta's `changed`: some region was below the threshold. */
  readonly changed: boolean;
}

/** Union-find with path halving; the root is the smaller index. */
class Labels {
  readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = new Int32Array(n).map((_, i) => i);
  }
  find(a: number): number {
    const p = this.parent;
    while (p[a] !== a) {
      p[a] = p[p[a]!]!;
      a = p[a]!;
    }
    return a;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra < rb) this.parent[rb] = ra;
    else if (rb < ra) this.parent[ra] = rb;
  }
}

export function removeSmallRegions(
  rle: UncompressedRle | Rle,
  image: Size,
  areaThresh: number,
  mode: RegionMode,
): RegionResult {
  const { width: W, height: H } = image;
  const holes = mode === 'holes';
  const { mask, x0: bx, y0: by } = decodeCropped(rle);
  const { width: w, height: h, data } = mask;
  if (w === 0) {
    // An empty mask: no islands; one hole, the whole image.
    if (!holes || !(W * H < areaThresh)) return { rle, changed: false };
    return { rle: { size: [H, W], counts: [0, W * H] }, changed: true };
  }
  // Working pixels: the mask's (islands) or its complement's (holes), in the box; plus up to two outside nodes.
  const work = (i: number) => (holes ? data[i] === 0 : data[i] !== 0);
  const top = by > 0;
  const bottom = by + h < H;
  const left = bx > 0;
  const right = bx + w < W;
  const n = w * h;
  // Outside nodes (holes only): A = n, B = n + 1 when the outside falls apart into two pieces.
  let outsideA = 0;
  let outsideB = 0;
  let sideOf: (x: number, y: number) => number = () => -1;
  if (holes && (top || bottom || left || right)) {
    if (top && bottom && !left && !right) {
      // The box spans the whole width: the rows above and the rows below are two pieces.
      outsideA = by * W;
      outsideB = (H - by - h) * W;
      sideOf = (_x, y) => (y === 0 ? n : y === h - 1 ? n + 1 : -1);
    } else if (left && right && !top && !bottom) {
      outsideA = bx * H;
      outsideB = (W - bx - w) * H;
      sideOf = (x) => (x === 0 ? n : x === w - 1 ? n + 1 : -1);
    } else {
      outsideA = W * H - n;
      sideOf = (x, y) =>
        (top && y === 0) || (bottom && y === h - 1) || (left && x === 0) || (right && x === w - 1) ? n : -1;
    }
  }
  const uf = new Labels(n + 2);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!work(i)) continue;
      if (x > 0 && work(i - 1)) uf.union(i, i - 1);
      if (y > 0) {
        if (work(i - w)) uf.union(i, i - w);
        if (x > 0 && work(i - w - 1)) uf.union(i, i - w - 1);
        if (x < w - 1 && work(i - w + 1)) uf.union(i, i - w + 1);
      }
      const side = sideOf(x, y);
      if (side >= 0) uf.union(i, side);
    }
  }
  // Component sizes and OpenCV's order key (first 2×2 block, image coordinates).
  const size = new Float64Array(n + 2);
  const key = new Float64Array(n + 2).fill(Infinity);
  const blocksPerRow = Math.ceil(W / 2);
  // The outside pieces count at their roots (a box pixel's index when a hole reaches them).
  size[uf.find(n)]! += outsideA;
  size[uf.find(n + 1)]! += outsideB;
  // The outside pieces exist for holes only, where the order of labels does not matter.
  key[n] = -2;
  key[n + 1] = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!work(i)) continue;
      const r = uf.find(i);
      size[r]!++;
      const k = Math.floor((y + by) / 2) * blocksPerRow + Math.floor((x + bx) / 2);
      if (k < key[r]!) key[r] = k;
    }
  }
  const roots: number[] = [];
  for (let i = 0; i < n; i++) if (work(i) && uf.find(i) === i) roots.push(i);
  if (outsideA > 0 && uf.find(n) === n) roots.push(n);
  if (outsideB > 0 && uf.find(n + 1) === n + 1) roots.push(n + 1);
  // Label order matters only for the islands tie-break below; holes never reach it.
  roots.sort((a, b) => key[a]! - key[b]!);
  const small = roots.filter((r) => size[r]! < areaThresh);
  if (small.length === 0) return { rle, changed: false };
  // Pixels of the result inside the box: holes → mask ∪ small holes; islands → islands not small (or the largest
  // one when all are small, the first in label order on ties, as numpy's argmax).
  let keepRoot: (r: number) => boolean;
  if (holes) {
    const fill = new Set(small);
    keepRoot = (r) => fill.has(r);
  } else {
    const smallSet = new Set(small);
    let kept = roots.filter((r) => !smallSet.has(r));
    if (kept.length === 0) {
      let best = roots[0]!;
      for (const r of roots) if (size[r]! > size[best]!) best = r;
      kept = [best];
    }
    const keepSet = new Set(kept);
    keepRoot = (r) => keepSet.has(r);
  }
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (holes) out[i] = data[i] !== 0 || (work(i) && keepRoot(uf.find(i))) ? 1 : 0;
    else out[i] = work(i) && keepRoot(uf.find(i)) ? 1 : 0;
  }
  // Holes filled outside the box: the outside piece(s) when small (tiny images only).
  const fillA = holes && outsideA > 0 && keepRoot(uf.find(n));
  const fillB = holes && outsideB > 0 && keepRoot(uf.find(n + 1));
  const box = [bx, by, bx + w, by + h] as const;
  const counts = uncropCounts(encodeCounts({ width: w, height: h, data: out }), box, image);
  if (!fillA && !fillB) return { rle: counts, changed: true };
  const pieces = outsideB === 0 ? 'one' : top && bottom ? 'top-bottom' : 'left-right';
  return { rle: fillOutside(counts, image, box, pieces, fillA, fillB), changed: true };
}

/** Set the outside of the box (piece A: all of it, or top/left; piece B: bottom/right) to foreground. Rare. */
function fillOutside(
  rle: UncompressedRle,
  image: Size,
  box: readonly [number, number, number, number],
  pieces: 'one' | 'top-bottom' | 'left-right',
  fillA: boolean,
  fillB: boolean,
): UncompressedRle {
  const { width: W, height: H } = image;
  const data = new Uint8Array(W * H);
  let p = 0;
  rle.counts.forEach((c, j) => {
    if (j % 2 === 1) for (let q = p; q < p + c; q++) data[(q % H) * W + Math.floor(q / H)] = 1;
    p += c;
  });
  const [x0, y0, x1, y1] = box;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (x >= x0 && x < x1 && y >= y0 && y < y1) continue;
      const inB = pieces === 'top-bottom' ? y >= y1 : pieces === 'left-right' ? x >= x1 : false;
      if (inB ? fillB : fillA) data[y * W + x] = 1;
    }
  }
  return encodeCounts({ width: W, height: H, data });
}
