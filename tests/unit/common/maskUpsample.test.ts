import { describe, expect, it } from 'vitest';
import { modelFrameFor } from '../../../electron/common/frames.ts';
import { upsampleMask, upsampleMaskToRle } from '../../../electron/common/maskUpsample.ts';
import { compressRle, decodeRle, encodeCounts } from '../../../electron/common/rle.ts';
import { conformanceDir, conformanceImages, readLowResLogits } from '../../helpers/conformance.ts';

// 2×2 low-res logits. Along each axis PyTorch maps 2 → 4 (align_corners=False, scale ½) as
// [a, ¾a + ¼b, ¼a + ¾b, b]: source index (d + ½)·½ − ½ = −¼ (clamped to 0), ¼, ¾, 1¼ (upper neighbour clamped).
// Rows become [−3 −2 0 1] and [1 2 4 5]; the 4×4 model-input logits are therefore
//   −3 −2  0  1
//   −2 −1  1  2
//    0  1  3  4
//    1  2  4  5
const lowRes = Float32Array.from([-3, 1, 1, 5]);

describe('upsampleMask (Meta postprocess_masks + threshold)', () => {
  it('interpolates like F.interpolate(bilinear, align_corners=False) and thresholds strictly', () => {
    const { mask, area, stabilityScore } = upsampleMask(lowRes, modelFrameFor({ width: 4, height: 4 }, 4));
    expect([...mask.data]).toEqual([0, 0, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1]); // 0 is not > 0
    expect(area).toBe(10);
    // > +1: 2, 3, 4, 2, 4, 5 → 6 pixels; > −1: 0, 1, 1, 2, 0…5 → 12 pixels
    expect(stabilityScore).toBe(0.5);
  });

  it('crops the resized image before the second interpolation', () => {
    // A 4×2 image fills only the top two rows of the 4×4 input; those rows are kept as they are.
    const { mask, area } = upsampleMask(lowRes, modelFrameFor({ width: 4, height: 2 }, 4));
    expect([mask.width, mask.height]).toEqual([4, 2]);
    expect([...mask.data]).toEqual([0, 0, 0, 1, 0, 0, 1, 1]);
    expect(area).toBe(3);
  });

  it('interpolates the crop down to the image size', () => {
    // A 2×2 image is resized to the whole 4×4 input; 4 → 2 samples at 0.5 and 2.5, i.e. pair averages:
    // [−2 1; 1 4].
    const { mask, area } = upsampleMask(lowRes, modelFrameFor({ width: 2, height: 2 }, 4));
    expect([...mask.data]).toEqual([0, 1, 1, 1]);
    expect(area).toBe(3);
  });

  it('applies threshold and stability offset as given', () => {
    const frame = modelFrameFor({ width: 4, height: 4 }, 4);
    const high = upsampleMask(lowRes, frame, { threshold: 2 });
    expect(high.area).toBe(4); // 3, 4, 4, 5
    // > 3: 4, 4, 5 → 3; > 1: 6 → 0.5
    expect(high.stabilityScore).toBe(0.5);
    expect(upsampleMask(lowRes, frame, { stabilityOffset: 0 }).stabilityScore).toBe(1);
  });

  it('defines the stability of a mask with nothing above threshold − offset as 0', () => {
    const frame = modelFrameFor({ width: 5, height: 3 }, 8);
    expect(upsampleMask(new Float32Array(4).fill(-5), frame)).toMatchObject({ area: 0, stabilityScore: 0 });
    expect(upsampleMask(new Float32Array(4).fill(0.5), frame)).toMatchObject({ area: 15, stabilityScore: 0 });
    expect(upsampleMask(new Float32Array(4).fill(7), frame)).toMatchObject({ area: 15, stabilityScore: 1 });
  });

  it('gives the same mask as COCO counts directly', () => {
    let seed = 7;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32 - 0.5;
    };
    for (const [width, height, S, L] of [
      [37, 91, 64, 16],
      [91, 37, 64, 16],
      [200, 3, 64, 16],
      [64, 64, 64, 16],
      [5, 5, 64, 16],
      [1, 1, 16, 4],
    ] as const) {
      const logits = Float32Array.from({ length: L * L }, random);
      const frame = modelFrameFor({ width, height }, S);
      const direct = upsampleMaskToRle(logits, frame);
      const viaMask = upsampleMask(logits, frame);
      expect(direct.rle).toEqual(encodeCounts(viaMask.mask));
      expect(direct.area).toBe(viaMask.area);
      expect(direct.stabilityScore).toBe(viaMask.stabilityScore);
    }
  });

  it('rejects logits that are not square and frames that do not fit', () => {
    const frame = modelFrameFor({ width: 4, height: 4 }, 4);
    expect(() => upsampleMask(new Float32Array(6), frame)).toThrow(/square/);
    expect(() =>
      upsampleMask(lowRes, {
        kind: 'longest-side',
        image: { width: 4, height: 4 },
        inputSize: 4,
        resized: { width: 5, height: 4 },
      }),
    ).toThrow(/within the 4×4/);
    expect(() => upsampleMask(lowRes, frame, { stabilityOffset: -1 })).toThrow(/offset/);
  });

  describe.skipIf(!conformanceDir)("reproduces Meta's masks from the conformance low-res logits", () => {
    const cases = conformanceImages().flatMap((image) =>
      image.prompts.flatMap((prompt) =>
        prompt.expected.masks.map(
          (expected, i) => [`${image.name}/${prompt.name}/${i}`, image, prompt, i] as const,
        ),
      ),
    );
    it.each(cases)('%s: every pixel and the area', (_name, image, prompt, candidate) => {
      const expected = prompt.expected.masks[candidate]!;
      const [height, width] = image.original_size_hw;
      const frame = modelFrameFor({ width, height }, 1024);
      const logits = readLowResLogits(prompt, candidate);
      const { mask, area } = upsampleMask(logits, frame);
      const reference = decodeRle(expected).data;
      let intersection = 0;
      let union = 0;
      for (let i = 0; i < reference.length; i++) {
        intersection += mask.data[i]! & reference[i]!;
        union += mask.data[i]! | reference[i]!;
      }
      expect(union - intersection).toBe(0); // differing pixels
      expect(union === 0 ? 1 : intersection / union).toBe(1); // IoU
      expect(area).toBe(expected.area);
      expect(compressRle(upsampleMaskToRle(logits, frame).rle).counts).toBe(expected.counts);
    });
  });
});
