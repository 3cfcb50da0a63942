import { describe, expect, it } from 'vitest';
import { modelFrameFor, type Size } from '../../../electron/common/frames.ts';
import { resizeBilinear } from '../../../electron/common/pilResize.ts';
import { conformanceDir, conformanceImages, readPng } from '../../helpers/conformance.ts';

/** A deterministic pseudo-random image. */
function noise(size: Size, channels: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size.width * size.height * channels);
  let s = seed;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

/** Triangle filter of support max(1, in/out) centred at (o + 0.5)·in/out, weights normalised, rounded to 8 bits. */
function referenceLine(line: number[], outLength: number): number[] {
  const scale = line.length / outLength;
  const support = Math.max(scale, 1);
  return Array.from({ length: outLength }, (_, o) => {
    const centre = (o + 0.5) * scale;
    let sum = 0;
    let total = 0;
    const first = Math.max(0, Math.floor(centre - support));
    const last = Math.min(line.length - 1, Math.ceil(centre + support));
    for (let i = first; i <= last; i++) {
      const w = Math.max(0, 1 - Math.abs(i + 0.5 - centre) / support);
      sum += w * line[i]!;
      total += w;
    }
    return Math.round(sum / total);
  });
}

/**
 * An independent floating-point version of the same separable filter (horizontal pass, 8-bit intermediate,
 * vertical pass); Pillow's fixed-point weights may move a value by one.
 */
function referenceResize(src: Uint8Array, from: Size, channels: number, to: Size): Uint8Array {
  const mid = new Uint8Array(to.width * from.height * channels);
  for (let y = 0; y < from.height; y++)
    for (let c = 0; c < channels; c++) {
      const line = Array.from({ length: from.width }, (_, x) => src[(y * from.width + x) * channels + c]!);
      const out = to.width === from.width ? line : referenceLine(line, to.width);
      out.forEach((v, x) => (mid[(y * to.width + x) * channels + c] = v));
    }
  const dst = new Uint8Array(to.width * to.height * channels);
  for (let x = 0; x < to.width; x++)
    for (let c = 0; c < channels; c++) {
      const line = Array.from({ length: from.height }, (_, y) => mid[(y * to.width + x) * channels + c]!);
      const out = to.height === from.height ? line : referenceLine(line, to.height);
      out.forEach((v, y) => (dst[(y * to.width + x) * channels + c] = v));
    }
  return dst;
}

describe('resizeBilinear (Pillow Image.resize BILINEAR)', () => {
  it.skipIf(!conformanceDir).each(conformanceImages().map((image) => [image.name, image] as const))(
    "reproduces Meta's ResizeLongestSide(1024).apply_image byte for byte: %s",
    async (_name, image) => {
      const original = await readPng(image.file);
      const expected = await readPng(image.input_resized);
      const frame = modelFrameFor(original, 1024);
      expect([frame.resized.height, frame.resized.width]).toEqual(image.input_size_hw);
      const resized = resizeBilinear(original.data, original, original.channels, frame.resized);
      let differing = 0;
      for (let i = 0; i < resized.length; i++) if (resized[i] !== expected.data[i]) differing++;
      expect(resized.length).toBe(expected.data.length);
      expect(differing).toBe(0);
    },
  );

  it('returns a copy when the size does not change', () => {
    const src = noise({ width: 5, height: 3 }, 3);
    const out = resizeBilinear(src, { width: 5, height: 3 }, 3, { width: 5, height: 3 });
    expect(out).toEqual(src);
    out[0] = out[0]! ^ 0xff;
    expect(out[0]).not.toBe(src[0]);
  });

  it('upscales one axis and downscales the other like Pillow (hand-computed)', () => {
    // 2×4 grey → 4×2. Horizontal 2 → 4 (scale 0.5, support 1): outputs 0 and 3 copy, 1 = ¾a + ¼b, 2 = ¼a + ¾b,
    // weights exactly 3·2^20 and 2^20, rounded half up. Vertical 4 → 2 (scale 2, support 2): output 0 takes rows
    // 0..2 with weights ¾, ¾, ¼ normalised to 3/7, 3/7, 1/7 → 1797559, 1797559, 599186 in 22-bit fixed point;
    // output 1 takes rows 1..3 with 1/7, 3/7, 3/7.
    const src = Uint8Array.from([0, 100, 40, 200, 255, 10, 7, 93]);
    // After the horizontal pass: [0 25 75 100] [40 80 160 200] [255 194 71 10] [7 29 72 93]
    // (29 and 72 are the half-up roundings of 28.5 and 71.5.)
    const out = resizeBilinear(src, { width: 2, height: 4 }, 1, { width: 4, height: 2 });
    expect([...out]).toEqual([54, 73, 111, 130, 118, 107, 84, 73]);
  });

  it('handles 1-pixel-wide and 1-pixel-high images', () => {
    // 1×5 → 1×2: only the vertical pass runs; weights .7 .9 .5 .1 (/2.2) and .1 .5 .9 .7 (/2.2).
    const column = Uint8Array.from([10, 20, 30, 40, 50]);
    expect([...resizeBilinear(column, { width: 1, height: 5 }, 1, { width: 1, height: 2 })]).toEqual([
      20, 40,
    ]);
    // 5×1 → 1×1: weights .6 .8 1 .8 .6 (/3.8); 190·.6/3.8 = 30.
    const row = Uint8Array.from([0, 0, 0, 0, 190]);
    expect([...resizeBilinear(row, { width: 5, height: 1 }, 1, { width: 1, height: 1 })]).toEqual([30]);
    // 1×1 → 3×2 RGB: every output pixel is the source pixel.
    const pixel = Uint8Array.from([9, 128, 250]);
    expect([...resizeBilinear(pixel, { width: 1, height: 1 }, 3, { width: 3, height: 2 })]).toEqual(
      Array.from({ length: 6 }, () => [9, 128, 250]).flat(),
    );
  });

  it.each([
    // source, channels, target other than the 1024 frame (up one axis, down the other where possible)
    [{ width: 3000, height: 2 }, 3, { width: 700, height: 3 }],
    [{ width: 2, height: 3000 }, 3, { width: 5, height: 111 }],
    [{ width: 1500, height: 7 }, 1, { width: 64, height: 1 }],
    [{ width: 97, height: 61 }, 4, { width: 250, height: 20 }],
    [{ width: 13, height: 300 }, 2, { width: 1, height: 299 }],
  ])(
    'follows the antialiasing filter within ±1 at extreme aspect ratios: %o × %i',
    (size, channels, other) => {
      const src = noise(size, channels, size.width * 7 + size.height);
      for (const to of [modelFrameFor(size, 1024).resized, other]) {
        const out = resizeBilinear(src, size, channels, to);
        const ref = referenceResize(src, size, channels, to);
        expect(out.length).toBe(to.width * to.height * channels);
        let worst = 0;
        for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i]! - ref[i]!));
        expect(worst).toBeLessThanOrEqual(1);
      }
    },
  );

  it('keeps a constant image constant', () => {
    const src = new Uint8Array(3000 * 2 * 3).fill(201);
    const out = resizeBilinear(src, { width: 3000, height: 2 }, 3, { width: 1024, height: 1 });
    expect(out.every((v) => v === 201)).toBe(true);
  });

  it('rejects inconsistent arguments', () => {
    expect(() =>
      resizeBilinear(new Uint8Array(5), { width: 2, height: 1 }, 3, { width: 1, height: 1 }),
    ).toThrow(/expected 6/);
    expect(() =>
      resizeBilinear(new Uint8Array(6), { width: 2, height: 1 }, 3, { width: 0, height: 1 }),
    ).toThrow(/target width/);
  });
});
