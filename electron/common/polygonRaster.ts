/**
 * Polygon → mask exactly as pycocotools rasterises it (`maskApi.c` `rleFrPoly`, `rleFrBbox`; `COCO.annToRLE`
 * unions the parts). This is what decides which pixels a COCO polygon covers, so the importer uses it and the
 * exporter's polygons are checked against it.
 *
 * How pycocotools does it: vertices are scaled by 5 and rounded (`(int)(5x + 0.5)`, C truncation), each edge is
 * walked as a digital line on that fine grid, and every step of the line across the column line x = c (pixel
 * column c, sampled at its integer coordinate) toggles the column at row `ceil(y)`. A pixel is inside when an
 * odd number of toggles lie above it in its column (even–odd rule per polygon); parts are then unioned.
 *
 * Coordinates: image pixels, pixel (c, r) covering [c, c + 1) × [r, r + 1); flat `[x0, y0, x1, y1, …]`.
 */
import type { Rle } from './rle.ts';
import { compressRle } from './rle.ts';
import { unionCounts } from './rleOps.ts';

/** C's `(int)` conversion of a double: truncation toward zero. */
const cInt = (value: number): number => Math.trunc(value);

/**
 * Run lengths (COCO order) of one polygon, exactly the counts pycocotools' `frPyObjects([poly], h, w)` gives.
 * `xy` holds `k` points as `[x0, y0, …]`; an odd trailing number is ignored, as `int(len(p) / 2)` does.
 */
export function polygonToCounts(xy: ArrayLike<number>, h: number, w: number): number[] {
  const scale = 5;
  const k = Math.floor(xy.length / 2);
  const x = new Int32Array(k + 1);
  const y = new Int32Array(k + 1);
  for (let j = 0; j < k; j++) {
    x[j] = cInt(scale * xy[j * 2]! + 0.5);
    y[j] = cInt(scale * xy[j * 2 + 1]! + 0.5);
  }
  x[k] = x[0]!;
  y[k] = y[0]!;
  let m = 0;
  for (let j = 0; j < k; j++) m += Math.max(Math.abs(x[j]! - x[j + 1]!), Math.abs(y[j]! - y[j + 1]!)) + 1;
  // Dense boundary points on the 5× grid.
  const u = new Int32Array(m);
  const v = new Int32Array(m);
  m = 0;
  for (let j = 0; j < k; j++) {
    let xs = x[j]!;
    let xe = x[j + 1]!;
    let ys = y[j]!;
    let ye = y[j + 1]!;
    const dx = Math.abs(xe - xs);
    const dy = Math.abs(ys - ye);
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) {
      [xs, xe] = [xe, xs];
      [ys, ye] = [ye, ys];
    }
    // 0/0 = NaN for a zero-length edge, as in C; its single point never borders a column step, so it is unused.
    const s = dx >= dy ? (ye - ys) / dx : (xe - xs) / dy;
    if (dx >= dy) {
      for (let d = 0; d <= dx; d++) {
        const t = flip ? dx - d : d;
        u[m] = t + xs;
        v[m] = cInt(ys + s * t + 0.5);
        m++;
      }
    } else {
      for (let d = 0; d <= dy; d++) {
        const t = flip ? dy - d : d;
        v[m] = t + ys;
        u[m] = cInt(xs + s * t + 0.5);
        m++;
      }
    }
  }
  // Steps across a pixel column line become toggles at (column, ceil(row)).
  const a = new Float64Array(m + 1);
  let n = 0;
  for (let j = 1; j < m; j++) {
    if (u[j] === u[j - 1]) continue;
    let xd = u[j]! < u[j - 1]! ? u[j]! : u[j]! - 1;
    xd = (xd + 0.5) / scale - 0.5;
    if (Math.floor(xd) !== xd || xd < 0 || xd > w - 1) continue;
    let yd = v[j]! < v[j - 1]! ? v[j]! : v[j - 1]!;
    yd = (yd + 0.5) / scale - 0.5;
    if (yd < 0) yd = 0;
    else if (yd > h) yd = h;
    yd = Math.ceil(yd);
    a[n++] = xd * h + yd;
  }
  a[n++] = h * w;
  const sorted = a.subarray(0, n).sort();
  // Differences of the sorted toggles; a zero difference (two toggles at one pixel) cancels, as maskApi.c does.
  let previous = 0;
  for (let j = 0; j < n; j++) {
    const t = sorted[j]!;
    sorted[j] = t - previous;
    previous = t;
  }
  const counts = [sorted[0]!];
  for (let j = 1; j < n;) {
    if (sorted[j]! > 0) counts.push(sorted[j++]!);
    else {
      j++;
      if (j < n) counts[counts.length - 1]! += sorted[j++]!;
    }
  }
  return counts;
}

/** Several polygons (the parts of one COCO `segmentation` list) → their union, as `COCO.annToRLE` does. */
export function polygonsToRle(polygons: readonly ArrayLike<number>[], h: number, w: number): Rle {
  const parts = polygons.map((p) => polygonToCounts(p, h, w));
  return compressRle({ size: [h, w], counts: unionCounts(parts, h * w) });
}

/** pycocotools `frBbox`: the box `[x, y, w, h]` rasterised as the polygon of its four corners. */
export function bboxToRle(bbox: readonly [number, number, number, number], h: number, w: number): Rle {
  const [x, y, bw, bh] = bbox;
  return polygonsToRle([[x, y, x, y + bh, x + bw, y + bh, x + bw, y]], h, w);
}
