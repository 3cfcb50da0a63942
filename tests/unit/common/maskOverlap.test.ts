import { describe, expect, it } from 'vitest';
import { subtractMasks } from '../../../electron/common/maskOverlap.ts';
import { decodeRle, encodeMask } from '../../../electron/common/rle.ts';

/** Seeded random masks of blobs, as brute-force reference material. */
function randomMask(width: number, height: number, seed: number) {
  let s = seed;
  const rand = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const data = new Uint8Array(width * height);
  for (let b = 0; b < 4; b++) {
    const [cx, cy, r] = [rand() * width, rand() * height, 2 + rand() * 8];
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) if ((x - cx) ** 2 + (y - cy) ** 2 < r * r) data[y * width + x] = 1;
  }
  return { width, height, data };
}

describe('subtractMasks (issue 17: new masks do not cover accepted ones)', () => {
  it('equals the pixelwise difference, for random masks', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const [w, h] = [23 + (seed % 7), 17 + (seed % 5)];
      const mask = randomMask(w, h, seed);
      const others = [randomMask(w, h, seed * 31 + 1), randomMask(w, h, seed * 57 + 2)].slice(
        0,
        1 + (seed % 2),
      );
      const got = decodeRle(subtractMasks(encodeMask(mask), others.map(encodeMask)));
      const want = mask.data.map((v, i) => (v && !others.some((o) => o.data[i]) ? 1 : 0));
      expect(Array.from(got.data), `seed ${seed}`).toEqual(Array.from(want));
      expect(subtractMasks(encodeMask(mask), others.map(encodeMask)).counts).toBe(
        encodeMask({ ...mask, data: want }).counts,
      );
    }
  });

  it('keeps a mask with nothing to subtract; refuses masks of another size', () => {
    const mask = encodeMask(randomMask(10, 8, 3));
    expect(subtractMasks(mask, [])).toEqual(mask);
    expect(() => subtractMasks(mask, [encodeMask(randomMask(8, 10, 3))])).toThrow(/sizes differ/);
  });
});
