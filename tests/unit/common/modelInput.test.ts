import { describe, expect, it } from 'vitest';
import { modelFrameFor } from '../../../electron/common/frames.ts';
import {
  SAM_PIXEL_MEAN,
  SAM_PIXEL_STD,
  resizeLongestSide,
  toModelInput,
} from '../../../electron/common/modelInput.ts';
import { conformanceDir, conformanceImages, readPng } from '../../helpers/conformance.ts';

/** PyTorch: (uint8 tensor − float32 mean) / float32 std, each operation rounded to float32. */
const torchNormalize = (v: number, mean: number, std: number) =>
  Math.fround(Math.fround(v - Math.fround(mean)) / Math.fround(std));

describe('resizeLongestSide', () => {
  it.skipIf(!conformanceDir).each(conformanceImages().map((image) => [image.name, image] as const))(
    "gives Meta's frame and resized pixels: %s",
    async (_name, image) => {
      const original = await readPng(image.file);
      const expected = await readPng(image.input_resized);
      const { frame, resized } = resizeLongestSide(original.data, original, 1024);
      expect(frame).toEqual(modelFrameFor({ width: original.width, height: original.height }, 1024));
      expect(Object.keys(frame.image).sort()).toEqual(['height', 'width']); // no pixels riding along
      expect([frame.resized.height, frame.resized.width]).toEqual(image.input_size_hw);
      expect(Buffer.compare(resized, expected.data)).toBe(0);
    },
  );
});

describe('toModelInput', () => {
  // A 3×2 image in a 4×4 input: resized to 4×3, padded by one row.
  const frame = modelFrameFor({ width: 3, height: 2 }, 4);
  const resized = Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => (i * 37) % 256);
  const S = 4;

  it('is planar [1, 3, S, S] with (x − mean) / std per channel', () => {
    expect(frame.resized).toEqual({ width: 4, height: 3 });
    const input = toModelInput(resized, frame);
    expect(input.length).toBe(3 * S * S);
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 3; y++)
        for (let x = 0; x < 4; x++) {
          const v = resized[(y * 4 + x) * 3 + c]!;
          expect(input[(c * S + y) * S + x]).toBe(torchNormalize(v, SAM_PIXEL_MEAN[c]!, SAM_PIXEL_STD[c]!));
        }
    // Meta's ImageNet statistics: black red is −0.485 / 0.229.
    const black = toModelInput(new Uint8Array(4 * 3 * 3), frame);
    expect(black[0]).toBeCloseTo(-0.485 / 0.229, 5);
    expect(black[S * S]).toBeCloseTo(-0.456 / 0.224, 5);
    expect(black[2 * S * S]).toBeCloseTo(-0.406 / 0.225, 5);
  });

  it('pads bottom and right with exact zeros', () => {
    const input = toModelInput(resized, frame);
    for (let c = 0; c < 3; c++) for (let x = 0; x < S; x++) expect(input[(c * S + 3) * S + x]).toBe(0);
    const wide = modelFrameFor({ width: 1, height: 2 }, 4); // resized 2×4: padding on the right
    const padded = toModelInput(new Uint8Array(2 * 4 * 3).fill(255), wide);
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < S; y++) for (let x = 2; x < S; x++) expect(padded[(c * S + y) * S + x]).toBe(0);
  });

  it('rounds mean and std to float32 first, as PyTorch buffers hold them', () => {
    const all = Uint8Array.from({ length: 256 * 3 }, (_, i) => Math.floor(i / 3));
    const line = modelFrameFor({ width: 256, height: 1 }, 256);
    const input = toModelInput(all, line);
    let differsFromDouble = 0;
    for (let c = 0; c < 3; c++)
      for (let v = 0; v < 256; v++) {
        const mean = SAM_PIXEL_MEAN[c]!;
        const std = SAM_PIXEL_STD[c]!;
        expect(input[c * 256 * 256 + v]).toBe(torchNormalize(v, mean, std));
        if (input[c * 256 * 256 + v] !== Math.fround((v - mean) / std)) differsFromDouble++;
      }
    // About half the values differ in the last bit from a double-precision normalisation.
    expect(differsFromDouble).toBeGreaterThan(100);
  });

  it('uses the given statistics', () => {
    const input = toModelInput(resized, frame, [0, 0, 0], [1, 2, 4]);
    expect(input[0]).toBe(resized[0]);
    expect(input[S * S]).toBe(Math.fround(resized[1]! / 2));
    expect(input[2 * S * S]).toBe(Math.fround(resized[2]! / 4));
  });

  it('rejects pixels that do not match the frame', () => {
    expect(() => toModelInput(new Uint8Array(5), frame)).toThrow(/expected 4×3×3/);
  });
});
