/**
 * A mask's outline as editable polygons (issue 17, outline editing and the polygon tool), and back to a mask.
 *
 * Extraction is pixel-exact: `rleToPolygons` at tolerance 0 traces pixel-corner contours (every staircase step is
 * a vertex), and pycocotools' rasteriser (`polygonRaster.ts`) fills such a ring to exactly its pixels. So an
 * untouched outline gives back the original mask bit for bit, and what is stored after an edit is exactly the
 * rasterisation of the edited polygons: each island's outer ring filled, its holes subtracted, islands united.
 * No Douglas–Peucker for editing: a simplified ring would change the mask on the first edit anywhere.
 */
import { polygonToCounts } from '../../../electron/common/polygonRaster.ts';
import { type PolygonWithHoles, type Ring, rleToPolygons } from '../../../electron/common/polygons.ts';
import { type Rle, compressRle } from '../../../electron/common/rle.ts';
import { canonicalCounts, unionCounts } from '../../../electron/common/rleOps.ts';

export type { PolygonWithHoles, Ring } from '../../../electron/common/polygons.ts';

/** A ring of an outline: island `island`'s outer ring (`hole` -1) or its hole `hole`. */
export interface RingRef {
  readonly island: number;
  readonly hole: number;
}

export interface VertexRef extends RingRef {
  readonly index: number;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** A ring keeps at least this many vertices. */
export const MIN_RING_VERTICES = 3;

/** The outline of a mask, pixel-exact. */
export const outlineOf = (rle: Rle): PolygonWithHoles[] => rleToPolygons(rle);

/** Every ring of an outline with its ref (outer rings and holes). */
export function ringsOf(outline: readonly PolygonWithHoles[]): { ref: RingRef; ring: Ring }[] {
  const rings: { ref: RingRef; ring: Ring }[] = [];
  outline.forEach((p, island) => {
    rings.push({ ref: { island, hole: -1 }, ring: p.outer });
    p.holes.forEach((ring, hole) => rings.push({ ref: { island, hole }, ring }));
  });
  return rings;
}

export const ringAt = (outline: readonly PolygonWithHoles[], ref: RingRef): Ring => {
  const p = outline[ref.island]!;
  return ref.hole < 0 ? p.outer : p.holes[ref.hole]!;
};

function withRing(outline: readonly PolygonWithHoles[], ref: RingRef, ring: Ring): PolygonWithHoles[] {
  return outline.map((p, island) =>
    island !== ref.island
      ? p
      : ref.hole < 0
        ? { outer: ring, holes: p.holes }
        : { outer: p.outer, holes: p.holes.map((h, i) => (i === ref.hole ? ring : h)) },
  );
}

export function moveVertex(
  outline: readonly PolygonWithHoles[],
  v: VertexRef,
  to: Point,
): PolygonWithHoles[] {
  const ring = ringAt(outline, v).slice();
  ring[2 * v.index] = to.x;
  ring[2 * v.index + 1] = to.y;
  return withRing(outline, v, ring);
}

/** A vertex at `at` on the edge from vertex `after` to the next one; it becomes vertex `after + 1`. */
export function insertVertex(
  outline: readonly PolygonWithHoles[],
  edge: VertexRef,
  at: Point,
): PolygonWithHoles[] {
  const ring = ringAt(outline, edge).slice();
  ring.splice(2 * (edge.index + 1), 0, at.x, at.y);
  return withRing(outline, edge, ring);
}

/** Remove a vertex; null when its ring would fall below 3 vertices. */
export function deleteVertex(outline: readonly PolygonWithHoles[], v: VertexRef): PolygonWithHoles[] | null {
  const ring = ringAt(outline, v);
  if (ring.length / 2 <= MIN_RING_VERTICES) return null;
  const next = ring.slice();
  next.splice(2 * v.index, 2);
  return withRing(outline, v, next);
}

/** The vertex nearest `p` within `radius` (image pixels), or null. */
export function vertexNear(outline: readonly PolygonWithHoles[], p: Point, radius: number): VertexRef | null {
  let found: VertexRef | null = null;
  let best = radius * radius;
  for (const { ref, ring } of ringsOf(outline))
    for (let i = 0; i < ring.length; i += 2) {
      const d = (ring[i]! - p.x) ** 2 + (ring[i + 1]! - p.y) ** 2;
      if (d <= best) [found, best] = [{ ...ref, index: i / 2 }, d];
    }
  return found;
}

/** The edge nearest `p` within `radius`: its first vertex and the nearest point on it, or null. */
export function edgeNear(
  outline: readonly PolygonWithHoles[],
  p: Point,
  radius: number,
): { edge: VertexRef; at: Point } | null {
  let found: { edge: VertexRef; at: Point } | null = null;
  let best = radius * radius;
  for (const { ref, ring } of ringsOf(outline)) {
    const n = ring.length / 2;
    for (let i = 0; i < n; i++) {
      const ax = ring[2 * i]!;
      const ay = ring[2 * i + 1]!;
      const bx = ring[(2 * i + 2) % ring.length]!;
      const by = ring[(2 * i + 3) % ring.length]!;
      const len2 = (bx - ax) ** 2 + (by - ay) ** 2;
      const t =
        len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - ax) * (bx - ax) + (p.y - ay) * (by - ay)) / len2));
      const at = { x: ax + t * (bx - ax), y: ay + t * (by - ay) };
      const d = (at.x - p.x) ** 2 + (at.y - p.y) ** 2;
      if (d <= best) [found, best] = [{ edge: { ...ref, index: i }, at }, d];
    }
  }
  return found;
}

/** Foreground of `a` not in `b` (uncompressed column-major counts of one size). */
function subtractCounts(a: readonly number[], b: readonly number[], pixels: number): number[] {
  const runs = (counts: readonly number[]) => {
    const out: [number, number][] = [];
    let p = 0;
    counts.forEach((c, j) => {
      if (j % 2 === 1 && c > 0) out.push([p, p + c]);
      p += c;
    });
    return out;
  };
  const out: number[] = [];
  let position = 0;
  const emit = (start: number, end: number) => {
    if (end <= start) return;
    out.push(start - position, end - start);
    position = end;
  };
  const holes = runs(b);
  let j = 0;
  for (const [s, e] of runs(a)) {
    let start = s;
    while (j < holes.length && holes[j]![1] <= start) j++;
    for (let k = j; k < holes.length && holes[k]![0] < e; k++) {
      emit(start, Math.min(e, holes[k]![0]));
      start = Math.max(start, holes[k]![1]);
    }
    emit(start, e);
  }
  out.push(pixels - position);
  return canonicalCounts(out);
}

/** The mask of an outline: every island's outer ring filled minus its holes, islands united (pycocotools). */
export function rasterizeOutline(outline: readonly PolygonWithHoles[], height: number, width: number): Rle {
  const pixels = height * width;
  const islands = outline.map((p) => {
    const outer = polygonToCounts(p.outer, height, width);
    if (p.holes.length === 0) return outer;
    const holes = unionCounts(
      p.holes.map((h) => polygonToCounts(h, height, width)),
      pixels,
    );
    return subtractCounts(outer, holes, pixels);
  });
  return compressRle({ size: [height, width], counts: unionCounts(islands, pixels) });
}

/** One closed ring (the polygon tool's vertices) → its mask. */
export const rasterizeRing = (ring: readonly number[], height: number, width: number): Rle =>
  rasterizeOutline([{ outer: ring.slice(), holes: [] }], height, width);
