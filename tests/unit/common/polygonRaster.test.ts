import { describe, expect, it } from 'vitest';
import { bboxToRle, polygonToCounts, polygonsToRle } from '../../../electron/common/polygonRaster.ts';
import { decodeRle, decompressRle, encodeMask, rleArea } from '../../../electron/common/rle.ts';

/**
 * Expected counts were computed by compiling cocoapi's `common/maskApi.c` `rleFrPoly` (commit 8c9bcc3) and
 * running it on these polygons; TypeScript must give the same runs, including maskApi.c's quirks (C `(int)`
 * truncation toward zero for negative coordinates, clamping at the image border, zero-length edges).
 */
const VECTORS: { name: string; h: number; w: number; xy: number[]; counts: number[] }[] = [
  {
    name: 'axis-aligned square: corners at pixel corners cover columns/rows 0..9',
    h: 20,
    w: 20,
    xy: [0, 0, 10, 0, 10, 10, 0, 10],
    counts: [0, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 210],
  },
  {
    name: 'triangle',
    h: 60,
    w: 60,
    xy: [10, 10, 50, 10, 50, 50],
    counts: [
      670, 1, 59, 2, 58, 3, 57, 4, 56, 5, 55, 6, 54, 7, 53, 8, 52, 9, 51, 10, 50, 11, 49, 12, 48, 13, 47, 14,
      46, 15, 45, 16, 44, 17, 43, 18, 42, 19, 41, 20, 40, 21, 39, 22, 38, 23, 37, 24, 36, 25, 35, 26, 34, 27,
      33, 28, 32, 29, 31, 30, 30, 31, 29, 32, 28, 33, 27, 34, 26, 35, 25, 36, 24, 37, 23, 38, 22, 39, 611,
    ],
  },
  {
    name: 'partly outside the image, negative coordinates',
    h: 10,
    w: 10,
    xy: [-5, -5, 8, -3, 12, 15, -2, 9],
    counts: [0, 90, 4, 6],
  },
  {
    name: 'half-pixel vertices',
    h: 8,
    w: 8,
    xy: [0.5, 0.5, 4.5, 0.5, 4.5, 3.5],
    counts: [17, 1, 7, 2, 6, 2, 29],
  },
  {
    name: 'self-intersecting bow tie (even–odd)',
    h: 12,
    w: 12,
    xy: [0, 0, 10, 10, 10, 0, 0, 10],
    counts: [0, 9, 4, 7, 6, 5, 8, 3, 10, 1, 11, 1, 10, 3, 8, 5, 6, 7, 4, 9, 27],
  },
  {
    name: 'repeated vertices (zero-length edges)',
    h: 9,
    w: 7,
    xy: [1, 1, 1, 1, 6, 2, 6, 2, 3, 8],
    counts: [10, 2, 7, 5, 4, 6, 4, 3, 6, 1, 15],
  },
  {
    name: 'square with a hole joined by a zero-width slit: the hole stays a hole',
    h: 12,
    w: 12,
    xy: [1, 1, 11, 1, 11, 11, 1, 11, 1, 1, 4, 4, 4, 8, 8, 8, 8, 4, 4, 4],
    counts: [13, 10, 2, 10, 2, 10, 2, 3, 4, 3, 2, 3, 4, 3, 2, 3, 4, 3, 2, 3, 4, 3, 2, 10, 2, 10, 2, 10, 13],
  },
  {
    name: 'arbitrary fractional vertices',
    h: 6,
    w: 9,
    xy: [0.2, 5.7, 3.3, 0.1, 8.9, 2.2, 7.49, 5.51, 4.5, 3.2, 1.25, 4.75],
    counts: [9, 2, 3, 2, 2, 4, 3, 2, 4, 3, 3, 4, 3, 3, 3, 1, 3],
  },
];

describe('polygonToCounts (pycocotools rleFrPoly)', () => {
  for (const v of VECTORS) {
    it(v.name, () => {
      expect(polygonToCounts(v.xy, v.h, v.w)).toEqual(v.counts);
    });
  }

  it('ignores an odd trailing number, as int(len(p) / 2) does', () => {
    expect(polygonToCounts([0, 0, 10, 0, 10, 10, 0, 10, 99], 20, 20)).toEqual(VECTORS[0]!.counts);
  });
});

describe('polygonsToRle (COCO.annToRLE: parts unioned)', () => {
  it('unions overlapping and separate parts', () => {
    const a = [0, 0, 4, 0, 4, 4, 0, 4];
    const b = [2, 2, 6, 2, 6, 6, 2, 6];
    const c = [8, 8, 10, 8, 10, 10, 8, 10];
    const union = decodeRle(polygonsToRle([a, b, c], 10, 10));
    const expected = new Uint8Array(100);
    const fill = (x0: number, y0: number, x1: number, y1: number) => {
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) expected[y * 10 + x] = 1;
    };
    fill(0, 0, 4, 4);
    fill(2, 2, 6, 6);
    fill(8, 8, 10, 10);
    expect(union.data).toEqual(expected);
    expect(polygonsToRle([a, b, c], 10, 10).counts).toBe(
      encodeMask({ width: 10, height: 10, data: expected }).counts,
    );
  });

  it('of a single part equals that part', () => {
    const v = VECTORS[1]!;
    expect(decompressRle(polygonsToRle([v.xy], v.h, v.w)).counts).toEqual(v.counts);
  });
});

describe('bboxToRle (pycocotools frBbox)', () => {
  it('covers w × h pixels from (x, y)', () => {
    const rle = bboxToRle([2, 3, 4, 5], 10, 10);
    expect(rleArea(rle)).toBe(20);
    expect(decompressRle(rle).counts).toEqual([23, 5, 5, 5, 5, 5, 5, 5, 42]);
  });
});
