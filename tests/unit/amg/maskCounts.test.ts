/**
 * The counts automatic mask generation filters on (issue 16: stability decided without building the mask) are
 * those of the full mask: area and stability score equal `upsampleMaskToRle`'s, for SAM 1 and SAM 2 frames, on
 * smooth and on noisy logits (the shortcut and the plain path).
 */
import { describe, expect, it } from 'vitest';
import { modelFrameFor } from '../../../electron/common/frames.ts';
import {
  upsampleMaskCounts,
  upsampleMaskDirectCounts,
  upsampleMaskDirectToRle,
  upsampleMaskToRle,
} from '../../../electron/common/maskUpsample.ts';
import { rleArea, compressRle } from '../../../electron/common/rle.ts';

function random(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function logits(L: number, kind: 'smooth' | 'noisy', seed: number): Float32Array {
  const r = random(seed);
  const cx = r() * L;
  const cy = r() * L;
  return Float32Array.from({ length: L * L }, (_, i) => {
    const d = Math.hypot((i % L) - cx, Math.floor(i / L) - cy);
    return kind === 'smooth' ? 6 - d : (r() - 0.4) * 8;
  });
}

describe('upsampleMaskCounts', () => {
  const L = 32;
  const options = { threshold: 0, stabilityOffset: 1 };
  for (const kind of ['smooth', 'noisy'] as const) {
    it(`equals the RLE path's area and stability (${kind} logits, SAM 1 frame)`, () => {
      const frame = modelFrameFor({ width: 150, height: 97 }, 128);
      for (let seed = 1; seed <= 4; seed++) {
        const low = logits(L, kind, seed);
        const full = upsampleMaskToRle(low, frame, options);
        const counts = upsampleMaskCounts(low, frame, options);
        expect(counts).toEqual({ area: full.area, stabilityScore: full.stabilityScore });
        expect(counts.area).toBe(rleArea(compressRle(full.rle)));
      }
    });

    it(`equals the RLE path's area and stability (${kind} logits, SAM 2 direct resize)`, () => {
      const image = { width: 71, height: 120 };
      for (let seed = 1; seed <= 4; seed++) {
        const low = logits(L, kind, seed);
        const full = upsampleMaskDirectToRle(low, image, options);
        expect(upsampleMaskDirectCounts(low, image, options)).toEqual({
          area: full.area,
          stabilityScore: full.stabilityScore,
        });
      }
    });
  }
});
