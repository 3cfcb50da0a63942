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
import { UserError } from './errors.ts';

/** Work done by one rasterisation, for tests that check it is bounded by the image, not the polygon. */
export interface RasterWork {
  /** 5×-grid boundary points evaluated (the unclipped walk evaluated every point of the perimeter). */
  gridPoints: number;
}

const SCALE = 5;

/**
 * Largest |coordinate| accepted (~2.1e8 px): the difference of two vertices on the 5× grid must fit maskApi.c's
 * `int`; beyond, its conversions and edge lengths overflow and pycocotools' result is undefined.
 */
export const MAX_POLYGON_COORDINATE = Math.floor((2 ** 30 - 1) / SCALE) - 1;

/** C's `(int)` of a double stored in an `int` array: truncation toward zero (ToInt32, as Int32Array stores). */
const cInt = (value: number): number => value | 0;

/**
 * Run lengths (COCO order) of one polygon, exactly the counts pycocotools' `frPyObjects([poly], h, w)` gives.
 * `xy` holds `k` points as `[x0, y0, …]`; an odd trailing number is ignored, as `int(len(p) / 2)` does.
 *
 * maskApi.c lists every 5×-grid point of every edge and then drops the steps outside the image, so its memory
 * grows with the perimeter (issue 18: a 40-vertex polygon at ~1e7 px took 3.5 GB). Here each edge is a function
 * of its step index and only the steps that can toggle a pixel are evaluated: a step across the column line of
 * pixel c lies between grid columns 5c + 2 and 5c + 3 (`(u + 0.5) / 5 - 0.5` is an integer only there), and
 * each edge crosses each such line at most once. Steps above or below the image still count (their row clamps
 * to 0 or h), so edges are never cut in y. Work per edge: O(w) for x-major edges, O(w log length) for y-major.
 *
 * @throws UserError for a non-finite coordinate or one beyond ±MAX_POLYGON_COORDINATE px.
 */
export function polygonToCounts(xy: ArrayLike<number>, h: number, w: number, work?: RasterWork): number[] {
  const k = Math.floor(xy.length / 2);
  const x = new Int32Array(k + 1);
  const y = new Int32Array(k + 1);
  for (let j = 0; j < k; j++) {
    x[j] = cInt(SCALE * checkedCoordinate(xy, j, 0) + 0.5);
    y[j] = cInt(SCALE * checkedCoordinate(xy, j, 1) + 0.5);
  }
  x[k] = x[0]!;
  y[k] = y[0]!;
  const toggles: number[] = [];
  let evaluated = 0;
  /** maskApi.c's toggle for consecutive boundary points (u0, v0) then (u1, v1), if it lands in the image. */
  const toggle = (u0: number, v0: number, u1: number, v1: number): void => {
    if (u1 === u0) return;
    let xd = u1 < u0 ? u1 : u1 - 1;
    xd = (xd + 0.5) / SCALE - 0.5;
    if (Math.floor(xd) !== xd || xd < 0 || xd > w - 1) return;
    let yd = v1 < v0 ? v1 : v0;
    yd = (yd + 0.5) / SCALE - 0.5;
    if (yd < 0) yd = 0;
    else if (yd > h) yd = h;
    yd = Math.ceil(yd);
    toggles.push(xd * h + yd);
  };
  let previous: [number, number] | undefined;
  for (let j = 0; j < k; j++) {
    const edge = new EdgeWalk(x[j]!, y[j]!, x[j + 1]!, y[j + 1]!);
    // The walk's first and last points; the step from the previous edge's last point is a step like any other.
    const first = edge.point(edge.flip ? edge.length : 0);
    if (previous) toggle(previous[0], previous[1], first[0], first[1]);
    previous = edge.point(edge.flip ? 0 : edge.length);
    evaluated += 2 + edge.columnSteps(w, toggle);
  }
  if (work) work.gridPoints += evaluated;
  toggles.push(h * w);
  const sorted = Float64Array.from(toggles).sort();
  const n = sorted.length;
  // Differences of the sorted toggles; a zero difference (two toggles at one pixel) cancels, as maskApi.c does.
  let last = 0;
  for (let j = 0; j < n; j++) {
    const t = sorted[j]!;
    sorted[j] = t - last;
    last = t;
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

function checkedCoordinate(xy: ArrayLike<number>, point: number, axis: 0 | 1): number {
  const value = xy[point * 2 + axis]!;
  if (!Number.isFinite(value) || Math.abs(value) > MAX_POLYGON_COORDINATE) {
    throw new UserError(
      `point ${point}: ${axis === 0 ? 'x' : 'y'} is ${value}; polygon coordinates must be finite and ` +
        `within ±${MAX_POLYGON_COORDINATE} px`,
    );
  }
  return value;
}

/**
 * One polygon edge as maskApi.c walks it on the 5× grid: after its flip, step t in [0, length] is the point
 * (xs + t, round(ys + s·t)) for an x-major edge or (round(xs + s·t), ys + t) for a y-major one, `round` being
 * C's `(int)(… + .5)`; the walk visits t in reverse when `flip` is set (which only reorders its steps).
 */
class EdgeWalk {
  readonly flip: boolean;
  readonly length: number;
  private readonly xMajor: boolean;
  private readonly xs: number;
  private readonly ys: number;
  private readonly s: number;

  constructor(xs: number, ys: number, xe: number, ye: number) {
    const dx = Math.abs(xe - xs);
    const dy = Math.abs(ys - ye);
    this.xMajor = dx >= dy;
    this.flip = (this.xMajor && xs > xe) || (!this.xMajor && ys > ye);
    if (this.flip) {
      [xs, xe] = [xe, xs];
      [ys, ye] = [ye, ys];
    }
    this.xs = xs;
    this.ys = ys;
    this.length = this.xMajor ? dx : dy;
    // 0/0 = NaN for a zero-length edge, as in C; its point's minor coordinate then stores as 0, as in C.
    this.s = this.xMajor ? (ye - ys) / dx : (xe - xs) / dy;
  }

  point(t: number): [number, number] {
    return this.xMajor ? [t + this.xs, this.minor(t)] : [this.minor(t), t + this.ys];
  }

  private minor(t: number): number {
    return cInt((this.xMajor ? this.ys : this.xs) + this.s * t + 0.5);
  }

  /**
   * Calls `toggle` for each of this edge's steps (t, t + 1) across the column line of a pixel column 0..w-1
   * (grid columns 5c + 2 → 5c + 3), in either order (such a step's toggle does not depend on it). Returns how
   * many points it evaluated.
   */
  columnSteps(w: number, toggle: (u0: number, v0: number, u1: number, v1: number) => void): number {
    let evaluated = 0;
    const step = (t: number): void => {
      const [u0, v0] = this.point(t);
      const [u1, v1] = this.point(t + 1);
      evaluated += 2;
      toggle(u0, v0, u1, v1);
    };
    if (this.length === 0) return 0;
    if (this.xMajor) {
      // u = xs + t steps by one: the step from grid column 5c + 2 is t = 5c + 2 - xs.
      const first = Math.max(0, Math.ceil((this.xs - 2) / SCALE));
      const last = Math.min(w - 1, Math.floor((this.xs + this.length - 3) / SCALE));
      for (let c = first; c <= last; c++) step(SCALE * c + 2 - this.xs);
      return evaluated;
    }
    // u = round(xs + s·t) is monotone in t with steps of at most one (|s| < 1); find each crossing by bisection.
    if (this.s === 0) return 0;
    const increasing = this.s > 0;
    const u = (t: number): number => {
      evaluated++;
      return this.minor(t);
    };
    const uStart = u(0);
    const uEnd = u(this.length);
    const low = Math.min(uStart, uEnd);
    const high = Math.max(uStart, uEnd);
    const first = Math.max(0, Math.ceil((low - 2) / SCALE));
    const last = Math.min(w - 1, Math.floor((high - 3) / SCALE));
    for (let c = first; c <= last; c++) {
      const column = SCALE * c + 2;
      // Last t still on the start side of the line between grid columns `column` and `column + 1`.
      let lo = 0;
      let hi = this.length - 1;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        const before = increasing ? u(mid) <= column : u(mid) > column;
        if (before) lo = mid;
        else hi = mid - 1;
      }
      step(lo);
    }
    return evaluated;
  }
}

/** Several polygons (the parts of one COCO `segmentation` list) → their union, as `COCO.annToRLE` does. */
export function polygonsToRle(polygons: readonly ArrayLike<number>[], h: number, w: number): Rle {
  const parts = polygons.map((p, i) => {
    try {
      return polygonToCounts(p, h, w);
    } catch (error) {
      if (error instanceof UserError) throw new UserError(`polygon ${i}, ${error.message}`);
      throw error;
    }
  });
  return compressRle({ size: [h, w], counts: unionCounts(parts, h * w) });
}

/** pycocotools `frBbox`: the box `[x, y, w, h]` rasterised as the polygon of its four corners. */
export function bboxToRle(bbox: readonly [number, number, number, number], h: number, w: number): Rle {
  const [x, y, bw, bh] = bbox;
  return polygonsToRle([[x, y, x, y + bh, x + bw, y + bh, x + bw, y]], h, w);
}
