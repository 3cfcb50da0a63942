import { describe, expect, it } from 'vitest';
import {
  RleRowEncoder,
  compressRle,
  countsFromString,
  countsToString,
  decodeRle,
  decompressRle,
  encodeCounts,
  encodeMask,
  rleArea,
  rleBboxCoco,
  rleBboxSam,
  type BinaryMask,
} from '../../../electron/common/rle.ts';
import { conformanceDir, conformanceImages } from '../../helpers/conformance.ts';

/** Row-major mask from rows of 0/1. */
const maskOf = (rows: number[][]): BinaryMask => ({
  height: rows.length,
  width: rows[0]?.length ?? 0,
  data: Uint8Array.from(rows.flat()),
});

/** pycocotools' rleEncode, literally: one walk in column-major order. */
function naiveCounts({ width: W, height: H, data }: BinaryMask): number[] {
  const counts: number[] = [];
  let previous = 0;
  let run = 0;
  for (let x = 0; x < W; x++)
    for (let y = 0; y < H; y++) {
      const v = data[y * W + x] ? 1 : 0;
      if (v !== previous) {
        counts.push(run);
        run = 0;
        previous = v;
      }
      run++;
    }
  counts.push(run);
  return counts;
}

function naiveBbox({ width: W, height: H, data }: BinaryMask): [number, number, number, number] | undefined {
  let x0 = W;
  let y0 = H;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      if (data[y * W + x])
        [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  return x1 < 0 ? undefined : [x0, y0, x1, y1];
}

describe('COCO RLE', () => {
  describe.skipIf(!conformanceDir)("Meta's conformance masks (written by pycocotools)", () => {
    const masks = conformanceImages().flatMap((image) =>
      image.prompts.flatMap((prompt) =>
        prompt.expected.masks.map((mask, i) => [`${image.name}/${prompt.name}/${i}`, mask] as const),
      ),
    );
    it('has all 40 candidates', () => expect(masks).toHaveLength(40));
    it.each(masks)('%s decodes to `area` pixels and re-encodes to the same string', (_name, expected) => {
      const mask = decodeRle(expected);
      expect([mask.height, mask.width]).toEqual(expected.size);
      let pixels = 0;
      for (const v of mask.data) pixels += v;
      expect(pixels).toBe(expected.area);
      expect(rleArea(expected)).toBe(expected.area);
      expect(encodeMask(mask)).toEqual({ size: expected.size, counts: expected.counts });
      expect(encodeCounts(mask).counts).toEqual(naiveCounts(mask));
    });
  });

  it("matches pycocotools' documented examples (column vectors)", () => {
    expect(encodeCounts(maskOf([[0], [0], [1], [1], [1], [0], [1]])).counts).toEqual([2, 3, 1, 1]);
    expect(encodeCounts(maskOf([[1], [1], [1], [1], [1], [1], [0]])).counts).toEqual([0, 6, 1]);
  });

  it('runs down columns although the mask is row-major', () => {
    // columns: [1 1], [0 1], [0 0] → 1 1 0 1 0 0
    const rle = encodeCounts(
      maskOf([
        [1, 0, 0],
        [1, 1, 0],
      ]),
    );
    expect(rle).toEqual({ size: [2, 3], counts: [0, 2, 1, 1, 2] });
    // "0","2","1", then 1 − 2 = −1 → 0x1f with the sign bit → 'O', then 2 − 1 = 1 → "1"
    expect(compressRle(rle).counts).toBe('021O1');
  });

  it('writes large counts (> 2^16) and the sign-bit continuation like rleToString', () => {
    // 70000 = 2·32³ + 4·32² + 11·32 + 16: groups 16, 11, 4, 2 → '`' '[' 'T' '2'
    // 100000: groups 0, 21, 1, 3 → 'P' 'e' 'Q' '3'; 830000 (third count, no delta): 16, 17, 10, 25 and,
    // because 25 has bit 0x10 set, a final 0 → '`' 'a' 'Z' 'i' '0'
    const counts = [70000, 100000, 830000];
    expect(countsToString(counts)).toBe('`[T2PeQ3`aZi0');
    expect(countsFromString('`[T2PeQ3`aZi0')).toEqual(counts);
    expect(countsToString([16])).toBe('`0');
    const rle = { size: [1000, 1000] as [number, number], counts };
    const mask = decodeRle(rle);
    expect(rleArea(rle)).toBe(100000);
    expect(encodeCounts(mask).counts).toEqual(counts);
    expect(rleBboxCoco(rle)).toEqual([70, 0, 100, 1000]); // pixels 70000..169999: columns 70..169, all rows
  });

  it('encodes empty and full masks', () => {
    const empty = { width: 4, height: 3, data: new Uint8Array(12) };
    const full = { width: 4, height: 3, data: new Uint8Array(12).fill(1) };
    expect(encodeMask(empty)).toEqual({ size: [3, 4], counts: '<' });
    expect(encodeMask(full)).toEqual({ size: [3, 4], counts: '0<' });
    expect(rleArea(encodeMask(empty))).toBe(0);
    expect(rleArea(encodeMask(full))).toBe(12);
    expect(rleBboxCoco(encodeMask(empty))).toEqual([0, 0, 0, 0]);
    expect(rleBboxSam(encodeMask(empty))).toEqual([0, 0, 0, 0]);
    expect(rleBboxCoco(encodeMask(full))).toEqual([0, 0, 4, 3]);
    expect(rleBboxSam(encodeMask(full))).toEqual([0, 0, 3, 2]);
    expect(encodeCounts({ width: 0, height: 5, data: new Uint8Array(0) }).counts).toEqual([0]);
    expect(decodeRle({ size: [0, 7], counts: [0] }).data).toHaveLength(0);
  });

  it('treats any non-zero byte as foreground', () => {
    const mask = maskOf([
      [255, 1],
      [7, 0],
    ]);
    expect(encodeCounts(mask).counts).toEqual([0, 3, 1]);
  });

  it('gives COCO boxes (w = x_max − x_min + 1) and SAM boxes (w = x_max − x_min)', () => {
    const dot = maskOf([
      [0, 0, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 0],
    ]);
    expect(rleBboxCoco(encodeMask(dot))).toEqual([2, 1, 1, 1]);
    expect(rleBboxSam(encodeMask(dot))).toEqual([2, 1, 0, 0]);
    // One run wrapping from the bottom of column 0 to the top of column 1 spans every row.
    const wrap = maskOf([
      [0, 1, 0],
      [0, 0, 0],
      [1, 0, 0],
    ]);
    expect(encodeCounts(wrap).counts).toEqual([2, 2, 5]);
    expect(rleBboxCoco(encodeCounts(wrap))).toEqual([0, 0, 2, 3]);
  });

  it('round-trips random masks exactly', () => {
    let seed = 12345;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let trial = 0; trial < 300; trial++) {
      const W = 1 + Math.floor(random() * (trial % 10 === 0 ? 1 : 70));
      const H = 1 + Math.floor(random() * (trial % 10 === 5 ? 1 : 70));
      const density = random();
      // Blobs of random extent, so that runs cross rows and columns, mixed with salt noise.
      const data = new Uint8Array(W * H);
      const blobs = Math.floor(random() * 4);
      for (let b = 0; b < blobs; b++) {
        const [cx, cy, r] = [random() * W, random() * H, random() * Math.max(W, H)];
        for (let y = 0; y < H; y++)
          for (let x = 0; x < W; x++) if ((x - cx) ** 2 + (y - cy) ** 2 < r * r) data[y * W + x] = 1;
      }
      for (let i = 0; i < data.length; i++) if (random() < density * 0.1) data[i]! ^= 1;
      const mask = { width: W, height: H, data };
      const counts = encodeCounts(mask);
      expect(counts.counts).toEqual(naiveCounts(mask));
      const rle = compressRle(counts);
      expect(decompressRle(rle)).toEqual(counts);
      expect(decodeRle(rle)).toEqual(mask);
      expect(decodeRle(counts)).toEqual(mask);
      expect(rleArea(rle)).toBe(data.reduce((a, v) => a + v, 0));
      const box = naiveBbox(mask);
      expect(rleBboxCoco(rle)).toEqual(
        box ? [box[0], box[1], box[2] - box[0] + 1, box[3] - box[1] + 1] : [0, 0, 0, 0],
      );
      expect(rleBboxSam(rle)).toEqual(
        box ? [box[0], box[1], box[2] - box[0], box[3] - box[1]] : [0, 0, 0, 0],
      );
    }
  });

  it('decodes masks whose width is not a multiple of four the same way', () => {
    for (const W of [1, 3, 4, 5, 8, 13]) {
      const data = Uint8Array.from({ length: W * 9 }, (_, i) => ((i * 7) % 5 < 2 ? 1 : 0));
      const mask = { width: W, height: 9, data };
      expect(decodeRle(encodeMask(mask))).toEqual(mask);
    }
  });

  describe('RleRowEncoder', () => {
    it('gives the counts of the rows pushed so far, holding no mask', () => {
      const rows = [
        [0, 1, 1, 0, 1],
        [1, 1, 0, 0, 1],
        [0, 0, 0, 1, 1],
      ];
      const encoder = new RleRowEncoder(5, 3);
      for (const row of rows) encoder.pushRow(Uint8Array.from(row));
      expect(encoder.finish().counts).toEqual(naiveCounts(maskOf(rows)));
    });

    it('rejects wrong rows and an early finish', () => {
      const encoder = new RleRowEncoder(2, 1);
      expect(() => encoder.finish()).toThrow(/got 0 of 1 rows/);
      expect(() => encoder.pushRow(new Uint8Array(3))).toThrow(/expected 2/);
      encoder.pushRow(new Uint8Array(2));
      expect(() => encoder.pushRow(new Uint8Array(2))).toThrow(/already pushed/);
    });
  });

  describe('rejects malformed RLE with a message saying what is wrong', () => {
    it.each([
      ['a character outside 48..111', { size: [2, 2], counts: '0 4' }, /invalid character " " at position 1/],
      ['a character above 111', { size: [2, 2], counts: '0p' }, /invalid character "p"/],
      ['a value cut short', { size: [2, 2], counts: '1P' }, /ends inside a value/],
      ['counts that miss pixels', { size: [2, 2], counts: '3' }, /sum to 3 .* 4 pixels/],
      ['counts that overflow', { size: [2, 2], counts: '05' }, /sum to 5 .* 4 pixels/],
      [
        'a negative run',
        { size: [20, 1], counts: countsToString([5, 1, 1, -9]) },
        /run 3 has negative length -9/,
      ],
      ['a negative size', { size: [-1, 2], counts: '0' }, /non-negative integers/],
    ] as const)('%s', (_what, rle, message) => {
      const value = { size: [rle.size[0], rle.size[1]] as [number, number], counts: rle.counts };
      expect(() => decodeRle(value)).toThrow(message);
      expect(() => rleArea(value)).toThrow(message);
    });

    it('in uncompressed counts too', () => {
      expect(() => compressRle({ size: [2, 2], counts: [1, -1, 4] })).toThrow(
        /run 1 is not a non-negative integer/,
      );
      expect(() => decodeRle({ size: [2, 2], counts: [1.5, 2.5] })).toThrow(/run 0/);
      expect(() => rleBboxCoco({ size: [2, 2], counts: [1, 2] })).toThrow(/sum to 3/);
    });
  });
});
