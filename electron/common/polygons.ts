/**
 * Mask → polygons with holes and islands, and the flattenings COCO and YOLO need.
 *
 * Coordinates are image pixels with pixel (c, r) covering [c, c + 1) × [r, r + 1): a vertex is a pixel corner.
 * At tolerance 0 the rings follow the pixel edges exactly, and pycocotools rasterises them back to the same
 * pixels (see `polygonRaster.ts`: it samples column c at x = c and toggles at ceil(y), so an edge on corner
 * line X toggles exactly at X). Rings are flat `[x0, y0, x1, y1, …]`, not closed (first point not repeated).
 *
 * Topology: foreground is 4-connected (two pixels touching only at a corner are two islands), so background is
 * 8-connected. Outer rings run clockwise on screen (positive shoelace area with y down), holes counter-clockwise.
 */
import type { BinaryMask, Rle, UncompressedRle } from './rle.ts';
import { decodeCropped } from './rleOps.ts';

export type Ring = number[];

/** One 4-connected island: its outer boundary and the boundaries of its holes. */
export interface PolygonWithHoles {
  outer: Ring;
  holes: Ring[];
}

export interface PolygonOptions {
  /** Douglas–Peucker tolerance in pixels; 0 (default) keeps every corner: pixel-exact. */
  tolerance?: number;
}

const E = 0;
const S = 1;
const W = 2;

/** Polygons of a row-major mask; `dx`, `dy` are added to every coordinate (where the mask sits in the image). */
export function maskToPolygons(
  mask: BinaryMask,
  options: PolygonOptions = {},
  dx = 0,
  dy = 0,
): PolygonWithHoles[] {
  const { width: Wd, height: H, data } = mask;
  const tolerance = options.tolerance ?? 0;
  if (!(tolerance >= 0)) throw new Error(`polygon tolerance must be ≥ 0, got ${tolerance}`);
  const labels = labelRuns(mask);
  // The mask with a one-pixel border of background, so the tracer reads neighbours without bounds checks: the
  // four pixels around vertex (X, Y) are at base, base + 1 (top) and base + PW, base + PW + 1 (bottom).
  const PW = Wd + 2;
  const padded = new Uint8Array(PW * (H + 2));
  for (let y = 0; y < H; y++) padded.set(data.subarray(y * Wd, (y + 1) * Wd), (y + 1) * PW + 1);
  const visited = new Uint8Array((H + 1) * Wd); // horizontal pixel edges already traced
  const byComponent = new Map<number, PolygonWithHoles>();
  const holesWaiting = new Map<number, Ring[]>();

  const trace = (sx: number, sy: number, sd: number): Ring => {
    const ring: Ring = [];
    let X = sx;
    let Y = sy;
    let d = sd;
    for (;;) {
      if (d === E) visited[Y * Wd + X++] = 1;
      else if (d === W) visited[Y * Wd + --X] = 1;
      else if (d === S) Y++;
      else Y--;
      // Pixels ahead of the vertex, left and right of the direction of travel (foreground is on the right).
      const base = Y * PW + X;
      let left: number;
      let right: number;
      if (d === E) {
        left = padded[base + 1]!;
        right = padded[base + PW + 1]!;
      } else if (d === S) {
        left = padded[base + PW + 1]!;
        right = padded[base + PW]!;
      } else if (d === W) {
        left = padded[base + PW]!;
        right = padded[base]!;
      } else {
        left = padded[base]!;
        right = padded[base + 1]!;
      }
      const next = right === 0 ? (d + 1) & 3 : left === 0 ? d : (d + 3) & 3;
      if (X === sx && Y === sy && next === sd) {
        // Back at the start: it is a corner if we turn here; list it first.
        return d !== sd ? [X + dx, Y + dy, ...ring] : ring;
      }
      if (next !== d) ring.push(X + dx, Y + dy);
      d = next;
    }
  };

  for (let Y = 0; Y <= H; Y++) {
    const above = Y * PW + 1; // padded row of pixel row Y − 1
    const below = above + PW;
    for (let x = 0; x < Wd; x++) {
      const a = padded[above + x] !== 0;
      if (a === (padded[below + x] !== 0) || visited[Y * Wd + x]) continue;
      const ring = a ? trace(x + 1, Y, W) : trace(x, Y, E);
      const component = labels.componentAt(x, a ? Y - 1 : Y);
      const simplified = simplifyRing(ring, tolerance);
      if (signedArea2(ring) > 0) {
        byComponent.set(component, { outer: simplified, holes: holesWaiting.get(component) ?? [] });
        holesWaiting.delete(component);
      } else {
        const owner = byComponent.get(component);
        if (owner) owner.holes.push(simplified);
        else holesWaiting.set(component, [...(holesWaiting.get(component) ?? []), simplified]);
      }
    }
  }
  return [...byComponent.values()];
}

/** Polygons of a COCO RLE (decodes only the foreground's bounding box). */
export function rleToPolygons(rle: Rle | UncompressedRle, options: PolygonOptions = {}): PolygonWithHoles[] {
  const crop = decodeCropped(rle);
  return maskToPolygons(crop.mask, options, crop.x0, crop.y0);
}

export function hasHoles(polygons: readonly PolygonWithHoles[]): boolean {
  return polygons.some((p) => p.holes.length > 0);
}

/** Twice the signed area (shoelace), y down: > 0 for outer rings as traced here. */
export function signedArea2(ring: readonly number[]): number {
  let sum = 0;
  const n = ring.length;
  for (let i = 0; i < n; i += 2) {
    const j = (i + 2) % n;
    sum += ring[i]! * ring[j + 1]! - ring[j]! * ring[i + 1]!;
  }
  return sum;
}

/**
 * Douglas–Peucker on a closed ring: keeps the vertices farther than `tolerance` pixels from the simplified
 * outline. A ring that would fall below 3 points is kept as it was, so no island or hole is ever dropped.
 */
export function simplifyRing(ring: Ring, tolerance: number): Ring {
  const n = ring.length / 2;
  if (tolerance <= 0 || n <= 3) return ring;
  let far = 0;
  let farDistance = -1;
  for (let i = 1; i < n; i++) {
    const d = (ring[2 * i]! - ring[0]!) ** 2 + (ring[2 * i + 1]! - ring[1]!) ** 2;
    if (d > farDistance) [far, farDistance] = [i, d];
  }
  const keep = new Uint8Array(n + 1);
  keep[0] = keep[far] = keep[n] = 1;
  const stack = [0, far, far, n];
  const px = (i: number) => ring[2 * (i % n)]!;
  const py = (i: number) => ring[2 * (i % n) + 1]!;
  while (stack.length > 0) {
    const b = stack.pop()!;
    const a = stack.pop()!;
    let worst = -1;
    let worstDistance = tolerance;
    for (let i = a + 1; i < b; i++) {
      const d = segmentDistance(px(i), py(i), px(a), py(a), px(b), py(b));
      if (d > worstDistance) [worst, worstDistance] = [i, d];
    }
    if (worst >= 0) {
      keep[worst] = 1;
      stack.push(a, worst, worst, b);
    }
  }
  const out: Ring = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push(ring[2 * i]!, ring[2 * i + 1]!);
  return out.length >= 6 ? out : ring;
}

function segmentDistance(x: number, y: number, ax: number, ay: number, bx: number, by: number): number {
  const vx = bx - ax;
  const vy = by - ay;
  const length2 = vx * vx + vy * vy;
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - ax) * vx + (y - ay) * vy) / length2));
  return Math.hypot(x - (ax + t * vx), y - (ay + t * vy));
}

/**
 * One ring for an island with holes: each hole is joined to the outer ring by a zero-width slit (a bridge walked
 * there and back). pycocotools' even–odd rule counts both walks of a bridge, so they cancel and the holes stay
 * holes: at tolerance 0 the result rasterises to exactly the island. Other rasterisers may draw the slit as a
 * one-pixel seam.
 */
export function keyholeRing(polygon: PolygonWithHoles): Ring {
  return polygon.holes.length === 0 ? polygon.outer.slice() : spliceRings(polygon.outer, polygon.holes);
}

/**
 * All islands and holes of a mask as one ring (YOLO segmentation allows one polygon per object), by the same
 * zero-width bridges: pixel-exact under the even–odd rule at tolerance 0.
 */
export function joinPolygons(polygons: readonly PolygonWithHoles[]): Ring {
  const rings = polygons.map(keyholeRing);
  if (rings.length === 0) return [];
  return rings.length === 1 ? rings[0]! : spliceRings(rings[0]!, rings.slice(1));
}

/** Bridge cost limit: beyond (base vertices × rings) this many, rings are chained instead of bridged nearest. */
const NEAREST_SEARCH_LIMIT = 20_000_000;

function spliceRings(base: Ring, others: readonly Ring[]): Ring {
  const n = base.length / 2;
  const attached = new Map<number, Ring[]>();
  const nearestBase = (x: number, y: number): number => {
    let best = 0;
    let bestDistance = Infinity;
    for (let i = 0; i < n; i++) {
      const d = (base[2 * i]! - x) ** 2 + (base[2 * i + 1]! - y) ** 2;
      if (d < bestDistance) [best, bestDistance] = [i, d];
    }
    return best;
  };
  if (n * others.length <= NEAREST_SEARCH_LIMIT) {
    for (const ring of others) {
      const i = nearestBase(ring[0]!, ring[1]!);
      attached.set(i, [...(attached.get(i) ?? []), ring]);
    }
  } else {
    // Many rings on a long outline: chain them (base → r1 → r2 → … and back), bridges between ring starts.
    attached.set(nearestBase(others[0]![0]!, others[0]![1]!), [chain(others)]);
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const bx = base[2 * i]!;
    const by = base[2 * i + 1]!;
    out.push(bx, by);
    for (const ring of attached.get(i) ?? []) out.push(...ring, ring[0]!, ring[1]!, bx, by);
  }
  return dropRepeats(out);
}

/** r1, r2, …, rk joined start to start: r1 … r1[0] r2 … r2[0] … rk … rk[0] r(k−1)[0] … r2[0] (then back to r1[0]). */
function chain(rings: readonly Ring[]): Ring {
  const out: number[] = [];
  rings.forEach((ring, i) => {
    if (i > 0) out.push(ring[0]!, ring[1]!);
    out.push(...ring.slice(2), ring[0]!, ring[1]!);
  });
  for (let i = rings.length - 2; i >= 1; i--) out.push(rings[i]![0]!, rings[i]![1]!);
  return [rings[0]![0]!, rings[0]![1]!, ...out];
}

function dropRepeats(ring: number[]): Ring {
  const out: number[] = [];
  for (let i = 0; i < ring.length; i += 2) {
    const x = ring[i]!;
    const y = ring[i + 1]!;
    if (out.length > 0 && out[out.length - 2] === x && out[out.length - 1] === y) continue;
    out.push(x, y);
  }
  while (out.length > 2 && out[0] === out[out.length - 2] && out[1] === out[out.length - 1]) out.length -= 2;
  return out;
}

/** 4-connected components of the foreground, by row runs and union–find. */
function labelRuns(mask: BinaryMask) {
  const { width: Wd, height: H, data } = mask;
  const rowStart = new Int32Array(H + 1);
  const x0: number[] = [];
  const x1: number[] = [];
  for (let y = 0; y < H; y++) {
    rowStart[y] = x0.length;
    const row = y * Wd;
    for (let x = 0; x < Wd;) {
      if (data[row + x] === 0) {
        x++;
        continue;
      }
      const start = x;
      while (x < Wd && data[row + x] !== 0) x++;
      x0.push(start);
      x1.push(x);
    }
  }
  rowStart[H] = x0.length;
  const parent = new Int32Array(x0.length);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  for (let y = 1; y < H; y++) {
    let a = rowStart[y - 1]!;
    let b = rowStart[y]!;
    const aEnd = rowStart[y]!;
    const bEnd = rowStart[y + 1]!;
    while (a < aEnd && b < bEnd) {
      if (x0[a]! < x1[b]! && x0[b]! < x1[a]!) {
        const ra = find(a);
        const rb = find(b);
        if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
      }
      if (x1[a]! < x1[b]!) a++;
      else b++;
    }
  }
  return {
    /** Component id of foreground pixel (x, y). */
    componentAt(x: number, y: number): number {
      let lo = rowStart[y]!;
      let hi = rowStart[y + 1]! - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (x0[mid]! <= x) lo = mid;
        else hi = mid - 1;
      }
      return find(lo);
    },
  };
}
