import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assembleRowKernels } from '../../../electron/node/assembleWasm.ts';
import {
  gatherLine,
  lerpLines,
  thresholdLine,
  withRowScratch,
  scratchBytes,
} from '../../../electron/common/wasm/rowKernels.ts';

const f = Math.fround;

/** Values a float32 kernel must treat as JavaScript does: specials, subnormals, exact thresholds, noise. */
function awkwardValues(n: number, seed: number): Float32Array {
  const specials = [
    0,
    -0,
    1,
    -1,
    NaN,
    Infinity,
    -Infinity,
    1e-45,
    -1e-45,
    3.4e38,
    f(1 + 2 ** -23),
    f(-1 - 2 ** -23),
  ];
  let s = seed;
  const next = () => ((s = (s * 16807) % 2147483647) / 2147483647 - 0.5) * 8;
  return Float32Array.from({ length: n }, (_, i) => (i % 7 === 3 ? specials[i % specials.length]! : next()));
}

describe('row kernels (rowKernels.wat)', () => {
  it('are what `npm run wasm` assembles from the committed .wat', async () => {
    const committed = readFileSync(
      new URL('../../../electron/common/wasm/rowKernelsBinary.ts', import.meta.url),
      'utf8',
    );
    expect(committed).toBe(await assembleRowKernels());
  });

  it('interpolate, gather and threshold exactly as float32 arithmetic in JavaScript, vector body and tail', () => {
    for (const n of [0, 1, 3, 4, 15, 16, 17, 33, 1601]) {
      const a = awkwardValues(n, 1 + n);
      const b = awkwardValues(n, 7 + n);
      const [wa, wb] = [f(0.3125), f(0.6875)];
      withRowScratch(scratchBytes(...Array<number>(9).fill(4 * n), n, 12), (scratch) => {
        const [sa, sb, out] = [scratch.floats(n), scratch.floats(n), scratch.floats(n)];
        sa.set(a);
        sb.set(b);
        lerpLines(sa, wa, sb, wb, out, n);
        const lerped = Array.from(a, (v, i) => f(f(v * wa) + f(b[i]! * wb)));
        expect(Array.from(out)).toEqual(lerped);

        const taps = {
          i0: scratch.ints(n),
          i1: scratch.ints(n),
          w0: scratch.floats(n),
          w1: scratch.floats(n),
        };
        for (let d = 0; d < n; d++) {
          taps.i0[d] = (d * 5) % n;
          taps.i1[d] = (d * 3 + 1) % n;
          taps.w0[d] = f(d / (n + 1));
          taps.w1[d] = f(1 - taps.w0[d]!);
        }
        const gathered = scratch.floats(n);
        gatherLine(sa, 0, taps, gathered, n);
        const expected = Array.from({ length: n }, (_, d) =>
          f(f(a[taps.i0[d]!]! * taps.w0[d]!) + f(a[taps.i1[d]!]! * taps.w1[d]!)),
        );
        expect(Array.from(gathered)).toEqual(expected);

        const foreground = scratch.bytes(n);
        const counts = scratch.ints(3);
        thresholdLine(sa, n, 1, f(1 + 2 ** -23), -1, foreground, counts);
        expect(Array.from(foreground)).toEqual(Array.from(a, (v) => (v > 1 ? 1 : 0)));
        expect(Array.from(counts)).toEqual([
          a.filter((v) => v > 1).length,
          a.filter((v) => v > f(1 + 2 ** -23)).length,
          a.filter((v) => v > -1).length,
        ]);
      });
    }
  });

  it('gather reads from `base` on in the source line', () => {
    withRowScratch(scratchBytes(40, 8, 8, 8, 8, 8), (scratch) => {
      const src = scratch.floats(10);
      src.set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const taps = { i0: scratch.ints(2), i1: scratch.ints(2), w0: scratch.floats(2), w1: scratch.floats(2) };
      taps.i0.set([0, 1]);
      taps.i1.set([1, 2]);
      taps.w0.set([1, 0.5]);
      taps.w1.set([0, 0.5]);
      const out = scratch.floats(2);
      gatherLine(src, 5, taps, out, 2);
      expect(Array.from(out)).toEqual([5, 6.5]);
    });
  });

  it('grow their memory for a long line and refuse arrays outside it, overflow and re-entry', () => {
    const n = 1 << 20; // 4 MiB per line: the memory grows past its first page
    withRowScratch(scratchBytes(4 * n, 4 * n), (scratch) => {
      const line = scratch.floats(n).fill(2);
      const out = scratch.floats(n);
      lerpLines(line, 0.5, line, 0.25, out, n);
      expect(out[n - 1]).toBe(1.5);
      expect(() => lerpLines(new Float32Array(4), 1, line, 1, out, 4)).toThrow(/views from withRowScratch/);
      expect(() => scratch.floats(1)).toThrow(/overflow/);
      expect(() => withRowScratch(16, () => 0)).toThrow(/busy/);
    });
    expect(withRowScratch(16, (scratch) => scratch.floats(4).length)).toBe(4);
  });
});
