/**
 * SAM 2's preprocessing (floatResize.ts) against the tensors PyTorch computed: the fixture references (wide.png
 * shrinks in x and enlarges in y; tall.png the other way round) and, when present, Meta's conformance data
 * (dog.png, 800×534 → 1024×1024, enlarging both axes). Bound: 1e-4 (the conformance README's).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  antialiasTaps,
  resizePlanarAntialiased,
  sam2ModelInput,
} from '../../../electron/common/floatResize.ts';
import { findConformanceDir, fixturesDir } from '../../helpers/paths.ts';

function readF32(file: string): Float32Array {
  const bytes = readFileSync(file);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

async function rgbOf(file: string) {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { rgb: new Uint8Array(data.buffer, data.byteOffset, data.length), ...info };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('antialiased bilinear taps', () => {
  it('enlarging is half-pixel bilinear, clamped at the borders', () => {
    const t = antialiasTaps(2, 4); // centres 0.25, 0.75, 1.25, 1.75 in input pixels
    expect([...t.start]).toEqual([0, 0, 0, 1]);
    expect(t.weights[0]).toBe(1); // output 0 reads input 0 only
    expect(t.weights[t.width]).toBeCloseTo(0.75, 6);
    expect(t.weights[t.width + 1]).toBeCloseTo(0.25, 6);
  });

  it('shrinking by 2 averages with a triangle twice as wide', () => {
    const t = antialiasTaps(8, 4); // output 1: centre 3, support 2 → inputs 1..4, weights 1,3,3,1 / 8
    expect(t.start[1]).toBe(1);
    expect(t.count[1]).toBe(4);
    const w = [...t.weights.subarray(t.width, t.width + 4)];
    w.forEach((v, j) => expect(v).toBeCloseTo([1, 3, 3, 1][j]! / 8, 6));
  });

  it('a constant image stays constant whatever the sizes', () => {
    const out = resizePlanarAntialiased(new Float32Array(3 * 7 * 5).fill(0.3), 3, 7, 5, 16, 3);
    for (const v of out) expect(v).toBeCloseTo(0.3, 6);
  });
});

describe('SAM 2 encoder input vs PyTorch', () => {
  const dir = path.join(fixturesDir, 'reference');
  for (const name of ['wide', 'tall']) {
    it(`${name}.png → input_tensor within 2e-6 (measured 6e-7)`, async () => {
      const { rgb, width, height } = await rgbOf(path.join(dir, `${name}.png`));
      const ours = sam2ModelInput(rgb, width, height, 256);
      const expected = readF32(path.join(dir, 'sam2', name, 'input_tensor.f32'));
      expect(maxAbsDiff(ours, expected)).toBeLessThanOrEqual(2e-6);
    });
  }

  const conformance = findConformanceDir();
  const sam2 = conformance && path.join(conformance, 'sam2');
  it.skipIf(!sam2 || !existsSync(path.join(sam2, 'dog', 'input_tensor.f32')))(
    "Meta's dog.png → input_tensor within 1e-5 (README bound 1e-4; measured 7e-7)",
    async () => {
      const { rgb, width, height } = await rgbOf(path.join(conformance!, 'dog.png'));
      const ours = sam2ModelInput(rgb, width, height, 1024);
      expect(maxAbsDiff(ours, readF32(path.join(sam2!, 'dog', 'input_tensor.f32')))).toBeLessThanOrEqual(
        1e-5,
      );
    },
  );
});
