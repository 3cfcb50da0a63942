import { describe, expect, it } from 'vitest';
import { isUserError } from '../../../electron/common/errors.ts';
import {
  MAX_POLYGON_COORDINATE,
  polygonToCounts,
  polygonsToRle,
} from '../../../electron/common/polygonRaster.ts';
import { referencePolygonToCounts } from '../../helpers/polygonRasterReference.ts';

/** Small deterministic PRNG (mulberry32), so a failure names a reproducible polygon. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A coordinate in [-reach, size + reach] on a grid of 0.1, 0.5 or 1 px, so 5× rounding ties and pixel corners occur. */
function coordinate(next: () => number, size: number, reach: number): number {
  const step = [0.1, 0.5, 1, 0.01][Math.floor(next() * 4)]!;
  return Math.round((-reach + next() * (size + 2 * reach)) / step) * step;
}

describe('polygonToCounts clipped to the image (issue 18)', () => {
  it('gives exactly the unclipped walk for polygons partly and far outside the image', () => {
    const next = random(18);
    for (let i = 0; i < 4000; i++) {
      const w = 1 + Math.floor(next() * 24);
      const h = 1 + Math.floor(next() * 24);
      const reach = [0, 3, 30, 400][Math.floor(next() * 4)]!;
      const k = 3 + Math.floor(next() * 9);
      const xy: number[] = [];
      for (let j = 0; j < k; j++) {
        // Repeat a vertex or an axis now and then: zero-length, vertical and horizontal edges.
        if (j > 0 && next() < 0.1) xy.push(xy[xy.length - 2]!, xy[xy.length - 1]!);
        else if (j > 0 && next() < 0.1) xy.push(xy[xy.length - 2]!, coordinate(next, h, reach));
        else xy.push(coordinate(next, w, reach), coordinate(next, h, reach));
      }
      const expected = referencePolygonToCounts(xy, h, w);
      const actual = polygonToCounts(xy, h, w);
      if (actual.join() !== expected.join()) {
        expect({ h, w, xy, counts: actual }).toEqual({ h, w, xy, counts: expected });
      }
    }
  });

  it('rasterises a 1 KB 40-vertex polygon with ~1e7 coordinates with work bounded by the image size', () => {
    const [h, w] = [61, 97];
    const xy: number[] = [];
    for (let j = 0; j < 40; j++) {
      const angle = (2 * Math.PI * j) / 40;
      xy.push(48.5 + 12345678.9 * Math.cos(angle), 30.5 + 12345678.9 * Math.sin(angle));
    }
    expect(JSON.stringify(xy).length).toBeGreaterThan(900);
    const work = { gridPoints: 0 };
    // The unclipped walk generated ~2e9 grid points here (3.5 GB); the clipped one visits a few per column and edge.
    expect(polygonToCounts(xy, h, w, work)).toEqual([0, h * w]);
    expect(work.gridPoints).toBeGreaterThan(0);
    expect(work.gridPoints).toBeLessThan(40 * w * 64);
  });

  it('gives the same mask for far vertices on the same lines as for near ones', () => {
    const [h, w] = [61, 97];
    const triangle = (r: number) => [-r, -r, r, r, -r, r];
    const near = referencePolygonToCounts(triangle(1000), h, w);
    for (const far of [1e7, MAX_POLYGON_COORDINATE]) {
      const work = { gridPoints: 0 };
      expect(polygonToCounts(triangle(far), h, w, work)).toEqual(near);
      expect(work.gridPoints).toBeGreaterThan(0);
      expect(work.gridPoints).toBeLessThan(3 * w * 64);
    }
  });

  it('refuses a non-finite or out-of-range coordinate, naming the polygon and point', () => {
    const square = [0, 0, 10, 0, 10, 10, 0, 10];
    for (const bad of [Number.NaN, Infinity, -Infinity, 3e8]) {
      let caught: unknown;
      try {
        polygonsToRle([square, [0, 0, 5, 0, bad, 5]], 20, 20);
      } catch (error) {
        caught = error;
      }
      expect(isUserError(caught)).toBe(true);
      expect((caught as Error).message).toMatch(/^polygon 1, point 2: x is .*(NaN|Infinity|300000000)/);
    }
  });
});
