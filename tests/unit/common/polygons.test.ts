import { describe, expect, it } from 'vitest';
import { polygonsToRle } from '../../../electron/common/polygonRaster.ts';
import {
  hasHoles,
  joinPolygons,
  keyholeRing,
  maskToPolygons,
  rleToPolygons,
  signedArea2,
  simplifyRing,
} from '../../../electron/common/polygons.ts';
import { type BinaryMask, decodeRle, encodeMask } from '../../../electron/common/rle.ts';
import { conformanceImages } from '../../helpers/conformance.ts';

/** A mask from rows of '#' (foreground) and '.' (background). */
function mask(rows: string[]): BinaryMask {
  const height = rows.length;
  const width = rows[0]!.length;
  const data = new Uint8Array(width * height);
  rows.forEach((row, y) => [...row].forEach((c, x) => (data[y * width + x] = c === '#' ? 1 : 0)));
  return { width, height, data };
}

/** What pycocotools rasterises the polygons back to (each island's ring with its holes keyholed, unioned). */
function rasterise(m: BinaryMask, tolerance = 0): string {
  return polygonsToRle(maskToPolygons(m, { tolerance }).map(keyholeRing), m.height, m.width).counts;
}

function iou(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] && b[i]) inter++;
    if (a[i] || b[i]) union++;
  }
  return union ? inter / union : 1;
}

let seed = 12345;
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;

describe('maskToPolygons', () => {
  it('traces a rectangle as its four pixel corners, clockwise on screen', () => {
    const polygons = maskToPolygons(mask(['....', '.##.', '.##.', '....']));
    expect(polygons).toEqual([{ outer: [1, 1, 3, 1, 3, 3, 1, 3], holes: [] }]);
    expect(signedArea2(polygons[0]!.outer)).toBe(8);
  });

  it('keeps holes (opposite orientation) and islands, including an island inside a hole', () => {
    const m = mask(['#######.', '#.....#.', '#.###.#.', '#.###.#.', '#.....#.', '#######.', '.......#']);
    const polygons = maskToPolygons(m);
    expect(polygons).toHaveLength(3); // the frame, the block in its hole, the corner pixel
    expect(polygons[0]!.holes).toHaveLength(1);
    expect(signedArea2(polygons[0]!.holes[0]!)).toBeLessThan(0);
    expect(hasHoles(polygons)).toBe(true);
    expect(polygons[2]).toEqual({ outer: [7, 6, 8, 6, 8, 7, 7, 7], holes: [] });
    expect(rasterise(m)).toBe(encodeMask(m).counts);
  });

  it('treats pixels touching only at a corner as separate islands (4-connected foreground)', () => {
    const m = mask(['#.', '.#']);
    expect(maskToPolygons(m)).toHaveLength(2);
    expect(rasterise(m)).toBe(encodeMask(m).counts);
    // …and a hole touching the outline at a corner stays a hole
    const h = mask(['####', '#.##', '##.#', '####']);
    const hp = maskToPolygons(h);
    expect(hp).toHaveLength(1);
    expect(hp[0]!.holes).toHaveLength(1); // background is 8-connected: one hole
    expect(rasterise(h)).toBe(encodeMask(h).counts);
  });

  it('covers the whole image and empty masks', () => {
    const full = mask(['###', '###']);
    expect(maskToPolygons(full)).toEqual([{ outer: [0, 0, 3, 0, 3, 2, 0, 2], holes: [] }]);
    expect(maskToPolygons(mask(['...', '...']))).toEqual([]);
  });

  it('round-trips 1000 random masks pixel-exactly through pycocotools rasterisation', () => {
    for (let i = 0; i < 1000; i++) {
      const width = 1 + Math.floor(random() * 24);
      const height = 1 + Math.floor(random() * 24);
      const density = random();
      const m = {
        width,
        height,
        data: new Uint8Array(width * height).map(() => (random() < density ? 1 : 0)),
      };
      const expected = encodeMask(m).counts;
      expect(rasterise(m)).toBe(expected);
      const joined = joinPolygons(maskToPolygons(m));
      expect(polygonsToRle(joined.length ? [joined] : [], height, width).counts).toBe(expected);
    }
  });

  it('offsets coordinates by where a crop sits (rleToPolygons decodes only the bounding box)', () => {
    const m = mask(['......', '......', '...##.', '...#..']);
    expect(rleToPolygons(encodeMask(m))).toEqual(maskToPolygons(m));
    expect(rleToPolygons(encodeMask(m))[0]!.outer).toEqual([3, 2, 5, 2, 5, 3, 4, 3, 4, 4, 3, 4]);
  });

  const images = conformanceImages();
  it.skipIf(images.length === 0)(
    "round-trips Meta's conformance masks (noisy: thousands of holes and islands)",
    () => {
      for (const image of images) {
        for (const prompt of image.prompts) {
          for (const expected of prompt.expected.masks) {
            const polygons = rleToPolygons(expected);
            const [h, w] = expected.size;
            expect(polygonsToRle(polygons.map(keyholeRing), h, w).counts).toBe(expected.counts);
            expect(polygonsToRle([joinPolygons(polygons)], h, w).counts).toBe(expected.counts);
          }
        }
      }
    },
  );
});

describe('simplification tolerance', () => {
  /** A disk of radius 100 with a hole of radius 40, and a small island. */
  const W = 300;
  const H = 260;
  const data = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const r = Math.hypot(x + 0.5 - 130, y + 0.5 - 130);
      data[y * W + x] = (r < 100 && r >= 40) || Math.hypot(x - 270, y - 30) < 12 ? 1 : 0;
    }
  }
  const disk = { width: W, height: H, data };

  it('keeps IoU ≥ 0.98 with holes and islands at 1 px, with far fewer vertices', () => {
    const exact = maskToPolygons(disk);
    const simple = maskToPolygons(disk, { tolerance: 1 });
    expect(simple).toHaveLength(2);
    expect(simple.map((p) => p.holes.length)).toEqual([0, 1]); // the island's top row comes first
    const vertices = (p: typeof exact) =>
      p.reduce((n, q) => n + q.outer.length + q.holes.reduce((m, r) => m + r.length, 0), 0);
    expect(vertices(simple)).toBeLessThan(vertices(exact) / 4);
    const back = decodeRle(polygonsToRle(simple.map(keyholeRing), H, W)).data;
    expect(iou(back, data)).toBeGreaterThanOrEqual(0.98);
  });

  it('never drops a ring, however coarse the tolerance', () => {
    const simple = maskToPolygons(disk, { tolerance: 500 });
    expect(simple).toHaveLength(2);
    expect(simple[1]!.holes).toHaveLength(1);
    for (const p of simple) expect(p.outer.length).toBeGreaterThanOrEqual(6);
  });

  it('simplifyRing drops collinear-enough vertices only', () => {
    expect(simplifyRing([0, 0, 5, 0.2, 10, 0, 10, 10, 0, 10], 0.5)).toEqual([0, 0, 10, 0, 10, 10, 0, 10]);
    expect(simplifyRing([0, 0, 5, 2, 10, 0, 10, 10, 0, 10], 0.5)).toEqual([0, 0, 5, 2, 10, 0, 10, 10, 0, 10]);
    expect(() => maskToPolygons(disk, { tolerance: -1 })).toThrow('tolerance');
  });
});

describe('keyholeRing', () => {
  it('joins each hole by a slit walked there and back', () => {
    const ring = keyholeRing({ outer: [0, 0, 10, 0, 10, 10, 0, 10], holes: [[4, 4, 4, 6, 6, 6, 6, 4]] });
    // the hole is spliced in at the outline vertex nearest to it, and the walk returns to that vertex
    expect(ring).toEqual([0, 0, 4, 4, 4, 6, 6, 6, 6, 4, 4, 4, 0, 0, 10, 0, 10, 10, 0, 10]);
  });
});
