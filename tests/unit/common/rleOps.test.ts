import { describe, expect, it } from 'vitest';
import { decodeRle, decompressRle, encodeMask } from '../../../electron/common/rle.ts';
import {
  canonicalCounts,
  canonicalRle,
  decodeCropped,
  interiorPoint,
  rleIou,
  unionCounts,
} from '../../../electron/common/rleOps.ts';

let seed = 99;
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const randomMask = (width: number, height: number, density: number) => ({
  width,
  height,
  data: new Uint8Array(width * height).map(() => (random() < density ? 1 : 0)),
});

describe('canonicalCounts', () => {
  it('merges zero-length runs, keeping a leading 0', () => {
    expect(canonicalCounts([3, 0, 2, 4, 0, 0, 1])).toEqual([5, 4, 1]);
    expect(canonicalCounts([0, 2, 3])).toEqual([0, 2, 3]);
    expect(canonicalCounts([0, 0, 5])).toEqual([5]);
    expect(canonicalCounts([2, 3, 0])).toEqual([2, 3]);
  });

  it('gives the string pycocotools encode gives for the same pixels', () => {
    const m = randomMask(7, 5, 0.5);
    const { counts } = decompressRle(encodeMask(m));
    const padded = counts.flatMap((c, i) => (i === 1 ? [c, 0, 0] : [c]));
    expect(canonicalRle({ size: [5, 7], counts: padded }).counts).toBe(encodeMask(m).counts);
  });

  it('rejects runs that do not cover the size', () => {
    expect(() => canonicalRle({ size: [2, 2], counts: [1, 2] })).toThrow('sum to 3');
  });
});

describe('unionCounts', () => {
  it('equals the pixelwise OR (pycocotools merge)', () => {
    for (let i = 0; i < 200; i++) {
      const w = 1 + Math.floor(random() * 12);
      const h = 1 + Math.floor(random() * 12);
      const masks = Array.from({ length: 1 + Math.floor(random() * 4) }, () =>
        randomMask(w, h, random() * 0.6),
      );
      const or = new Uint8Array(w * h);
      for (const m of masks) m.data.forEach((v, p) => (or[p] ||= v));
      const union = unionCounts(
        masks.map((m) => decompressRle(encodeMask(m)).counts),
        w * h,
      );
      expect(union).toEqual(decompressRle(encodeMask({ width: w, height: h, data: or })).counts);
    }
  });
});

describe('decodeCropped', () => {
  it('decodes the bounding box of the foreground and says where it sits', () => {
    for (let i = 0; i < 100; i++) {
      const m = randomMask(9, 6, random() * 0.2);
      const full = decodeRle(encodeMask(m));
      const crop = decodeCropped(encodeMask(m));
      for (let y = 0; y < 6; y++) {
        for (let x = 0; x < 9; x++) {
          const inside =
            x >= crop.x0 && x < crop.x0 + crop.mask.width && y >= crop.y0 && y < crop.y0 + crop.mask.height;
          const value = inside ? crop.mask.data[(y - crop.y0) * crop.mask.width + (x - crop.x0)] : 0;
          expect(value).toBe(full.data[y * 9 + x]);
        }
      }
    }
  });

  it('gives a 0×0 crop for an empty mask', () => {
    expect(decodeCropped({ size: [3, 4], counts: [12] }).mask.width).toBe(0);
  });
});

describe('interiorPoint', () => {
  it('is the centre of the longest vertical run, inside the mask', () => {
    const data = new Uint8Array(5 * 4);
    data[1 * 5 + 1] = 1; // a 1-pixel run in column 1
    for (let y = 0; y < 3; y++) data[y * 5 + 3] = 1; // a 3-pixel run in column 3, rows 0..2
    expect(interiorPoint(encodeMask({ width: 5, height: 4, data }))).toEqual([3.5, 1.5]);
    expect(interiorPoint({ size: [2, 2], counts: [4] })).toBeUndefined();
  });
});

// Issue 17: Find objects leaves out masks that overlap an accepted one (IoU above the project's threshold).
describe('rleIou', () => {
  const mask = (w: number, h: number, inside: (x: number, y: number) => boolean) => {
    const data = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = inside(x, y) ? 1 : 0;
    return encodeMask({ width: w, height: h, data });
  };
  it('is |A ∩ B| / |A ∪ B| counted pixel by pixel', () => {
    const a = mask(7, 5, (x) => x < 4); // 20 pixels
    const b = mask(7, 5, (x) => x >= 2 && x < 6); // 20 pixels, 10 shared
    expect(rleIou(a, b)).toBeCloseTo(10 / 30, 12);
    expect(rleIou(a, a)).toBe(1);
    expect(
      rleIou(
        a,
        mask(7, 5, (x) => x === 6),
      ),
    ).toBe(0);
    expect(
      rleIou(
        mask(7, 5, () => false),
        mask(7, 5, () => false),
      ),
    ).toBe(0);
    // Against a brute-force count on a ragged pair.
    const c = mask(9, 8, (x, y) => (x * 3 + y * 5) % 7 < 3);
    const d = mask(9, 8, (x, y) => (x + y) % 4 !== 0 && y > 1);
    const [pc, pd] = [decodeRle(c).data, decodeRle(d).data];
    let inter = 0;
    let union = 0;
    for (let i = 0; i < pc.length; i++) {
      inter += pc[i]! & pd[i]!;
      union += pc[i]! | pd[i]!;
    }
    expect(rleIou(c, d)).toBeCloseTo(inter / union, 12);
  });
  it('refuses masks of different sizes', () => {
    expect(() =>
      rleIou(
        mask(2, 2, () => true),
        mask(3, 2, () => true),
      ),
    ).toThrow(/sizes differ/);
  });
});
