/**
 * SAM 2's one-stage mask postprocessing (maskUpsample.ts `upsampleMaskDirect*`): the reference low-res logits of
 * the chosen tokens, resized straight to the image and thresholded, give the reference masks bit for bit — the
 * PyTorch fixtures (S = 256) and, when present, Meta's conformance data (S = 1024, dog.png 800×534).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  upsampleLogitRowsDirect,
  upsampleMaskDirect,
  upsampleMaskDirectToRle,
} from '../../../electron/common/maskUpsample.ts';
import { compressRle } from '../../../electron/common/rle.ts';
import { findConformanceDir, fixturesDir } from '../../helpers/paths.ts';
import { type Sam2RefImage, conformanceImages, fixtureImages, planeOf } from '../../helpers/sam2Reference.ts';

function expectReferenceMasks(images: Sam2RefImage[]) {
  for (const image of images) {
    const [height, width] = image.hw;
    for (const p of image.prompts) {
      p.expected.tokens.forEach((token, i) => {
        const up = upsampleMaskDirectToRle(planeOf(p.allLogits, token), { width, height });
        expect(compressRle(up.rle).counts, `${image.name} ${p.name}[${i}]`).toBe(p.expected.masks[i]!.counts);
      });
    }
  }
}

describe('one-stage upsampling (SAM 2)', () => {
  it("reproduces the PyTorch fixtures' masks exactly", () => {
    expectReferenceMasks(fixtureImages(path.join(fixturesDir, 'reference', 'sam2')));
  });

  const root = findConformanceDir();
  const sam2 = root && path.join(root, 'sam2');
  it.skipIf(!sam2 || !existsSync(path.join(sam2, 'index.json')))("reproduces Meta's masks exactly", () => {
    expectReferenceMasks(conformanceImages(sam2!));
  });

  it('mask, RLE and logit rows agree; area and stability as SAM 1 computes them', () => {
    const lowRes = Float32Array.from({ length: 16 * 16 }, (_, i) => Math.sin(i * 0.37) * 3);
    const size = { width: 37, height: 23 };
    const mask = upsampleMaskDirect(lowRes, size, { stabilityOffset: 1 });
    const rle = upsampleMaskDirectToRle(lowRes, size, { stabilityOffset: 1 });
    let area = 0;
    let hi = 0;
    let lo = 0;
    upsampleLogitRowsDirect(lowRes, size, (y, row) => {
      for (let x = 0; x < size.width; x++) {
        expect(mask.mask.data[y * size.width + x]).toBe(row[x]! > 0 ? 1 : 0);
        area += row[x]! > 0 ? 1 : 0;
        hi += row[x]! > 1 ? 1 : 0;
        lo += row[x]! > -1 ? 1 : 0;
      }
    });
    expect(mask.area).toBe(area);
    expect(rle.area).toBe(area);
    expect(mask.stabilityScore).toBe(Math.fround(hi / lo));
    expect(rle.stabilityScore).toBe(mask.stabilityScore);
  });
});
