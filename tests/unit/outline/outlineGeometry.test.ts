import { describe, expect, it } from 'vitest';
import { polygonsToRle } from '../../../electron/common/polygonRaster.ts';
import { decodeRle, encodeMask, rleArea } from '../../../electron/common/rle.ts';
import {
  deleteVertex,
  edgeNear,
  insertVertex,
  moveVertex,
  outlineOf,
  rasterizeOutline,
  rasterizeRing,
  ringAt,
  vertexNear,
} from '../../../renderer/core/outline/outlineGeometry.ts';

const W = 12;
const H = 10;

/** A ring with a hole and a staircase edge, plus a separate island (row-major ASCII, '#' = foreground). */
const ART = [
  '............',
  '.#######....',
  '.#######....',
  '.##...##....',
  '.##...##..#.',
  '.#######.##.',
  '..######.##.',
  '...#####....',
  '............',
  '............',
];

function maskOf(rows: readonly string[]) {
  const data = new Uint8Array(W * H);
  rows.forEach((row, y) => [...row].forEach((c, x) => (data[y * W + x] = c === '#' ? 1 : 0)));
  return encodeMask({ width: W, height: H, data });
}

const pixels = (rle: ReturnType<typeof maskOf>) => [...decodeRle(rle).data].join('');

describe('outline geometry', () => {
  const rle = maskOf(ART);
  const outline = outlineOf(rle);

  it('keeps the holes and islands of a mask', () => {
    expect(outline).toHaveLength(2);
    expect(outline.map((p) => p.holes.length).sort()).toEqual([0, 1]);
  });

  it('gives back an untouched mask bit for bit, staircases included', () => {
    expect(rasterizeOutline(outline, H, W).counts).toBe(rle.counts);
  });

  it('rasterises an edited outline as pycocotools rasterises its rings (outer minus holes)', () => {
    const big = outline.findIndex((p) => p.holes.length === 1);
    const moved = moveVertex(outline, { island: big, hole: 0, index: 0 }, { x: 5.5, y: 2 });
    const edited = rasterizeOutline(moved, H, W);
    const p = moved[big]!;
    const outer = decodeRle(polygonsToRle([p.outer], H, W)).data;
    const hole = decodeRle(polygonsToRle([p.holes[0]!], H, W)).data;
    const other = decodeRle(polygonsToRle([moved[1 - big]!.outer], H, W)).data;
    const expected = outer.map((v, i) => ((v && !hole[i]) || other[i] ? 1 : 0)).join('');
    expect(pixels(edited)).toBe(expected);
    expect(pixels(edited)).not.toBe(pixels(rle));
  });

  it('inserts a vertex on an edge and deletes it again to the same mask', () => {
    const hit = edgeNear(outline, { x: 4, y: 1.2 }, 1)!;
    expect(hit.at).toEqual({ x: 4, y: 1 });
    const inserted = insertVertex(outline, hit.edge, hit.at);
    const ring = ringAt(inserted, hit.edge);
    expect(ring.length).toBe(ringAt(outline, hit.edge).length + 2);
    const added = { ...hit.edge, index: hit.edge.index + 1 };
    expect(vertexNear(inserted, { x: 4.1, y: 1 }, 0.5)).toEqual(added);
    const pulled = moveVertex(inserted, added, { x: 4, y: 0 });
    expect(rleArea(rasterizeOutline(pulled, H, W))).toBeGreaterThan(rleArea(rle));
    expect(rasterizeOutline(deleteVertex(inserted, added)!, H, W).counts).toBe(rle.counts);
  });

  it('never lets a ring fall below three vertices', () => {
    const triangle = [{ outer: [0, 0, 4, 0, 0, 4], holes: [] }];
    expect(deleteVertex(triangle, { island: 0, hole: -1, index: 1 })).toBeNull();
  });

  it('rasterises a drawn ring as pycocotools does', () => {
    const ring = [1.5, 1, 9, 2.5, 6, 8];
    expect(rasterizeRing(ring, H, W).counts).toBe(polygonsToRle([ring], H, W).counts);
  });
});
