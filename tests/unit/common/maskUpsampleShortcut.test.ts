/**
 * maskUpsample's shortcut (deciding runs of pixels from the low-res logits they interpolate) must give exactly the
 * pixels and counts of interpolating every pixel. The oracle below is the plain three-stage interpolation.
 */
import { describe, expect, it } from 'vitest';
import { type ModelFrame, modelFrameFor } from '../../../electron/common/frames.ts';
import { upsampleMask, upsampleMaskToRle } from '../../../electron/common/maskUpsample.ts';
import { encodeCounts } from '../../../electron/common/rle.ts';

const f = Math.fround;

/** PyTorch's bilinear taps (align_corners=False), as maskUpsample documents them. */
function taps(inSize: number, outSize: number, count: number) {
  const scale = outSize > 1 ? f(inSize / outSize) : 0;
  return Array.from({ length: count }, (_, d) => {
    if (inSize === outSize) return { i0: d, i1: d, w0: 1, w1: 0 };
    const src = Math.max(scale * (d + 0.5) - 0.5, 0);
    const i0 = Math.min(Math.floor(src), inSize - 1);
    const lambda = Math.min(Math.max(f(src - i0), 0), 1);
    return { i0, i1: i0 < inSize - 1 ? i0 + 1 : i0, w0: f(1 - lambda), w1: lambda };
  });
}

function oracle(low: Float32Array, frame: ModelFrame, thr: number, offset: number) {
  const L = Math.sqrt(low.length);
  const { width: w, height: h } = frame.resized;
  const { width: W, height: H } = frame.image;
  const S = frame.inputSize;
  const [c1, r1, c2, r2] = [taps(L, S, w), taps(L, S, h), taps(w, W, W), taps(h, H, H)];
  const lerp = (a: number, wa: number, b: number, wb: number) => f(f(a * wa) + f(b * wb));
  const R = (r: number, X: number) =>
    lerp(low[r * L + c1[X]!.i0]!, c1[X]!.w0, low[r * L + c1[X]!.i1]!, c1[X]!.w1);
  const M = (Y: number, X: number) => lerp(R(r1[Y]!.i0, X), r1[Y]!.w0, R(r1[Y]!.i1, X), r1[Y]!.w1);
  const A = (Y: number, x: number) => lerp(M(Y, c2[x]!.i0), c2[x]!.w0, M(Y, c2[x]!.i1), c2[x]!.w1);
  const data = new Uint8Array(W * H);
  let above = 0;
  let aboveLow = 0;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const v = lerp(A(r2[y]!.i0, x), r2[y]!.w0, A(r2[y]!.i1, x), r2[y]!.w1);
      data[y * W + x] = v > f(thr) ? 1 : 0;
      if (v > f(thr + offset)) above++;
      if (v > f(thr - offset)) aboveLow++;
    }
  return { data, stability: aboveLow ? f(above / aboveLow) : 0, area: data.reduce((a, b) => a + b, 0) };
}

function random(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('maskUpsample shortcut', () => {
  const r = random(5);
  const L = 16;
  const kinds = {
    // smooth blobs: most runs decided, borders computed
    blob: () => {
      const cx = r() * L;
      const cy = r() * L;
      const k = 0.5 + r() * 4;
      return Float32Array.from({ length: L * L }, (_, i) =>
        f(3 - Math.hypot((i % L) - cx, Math.floor(i / L) - cy) * k),
      );
    },
    // noise: mostly undecided, the whole-row path
    noise: () => Float32Array.from({ length: L * L }, () => f((r() - 0.5) * 6)),
    // values exactly on thresholds and plateaus
    steps: () =>
      Float32Array.from({ length: L * L }, (_, i) => [-1, 0, 1, 2, -2][(i * 7 + Math.floor(i / L)) % 5]!),
  };
  const frames = [
    modelFrameFor({ width: 90, height: 55 }, 64), // shrink
    modelFrameFor({ width: 40, height: 70 }, 64), // enlarge
    modelFrameFor({ width: 64, height: 64 }, 64), // identity in stage 2
    modelFrameFor({ width: 200, height: 31 }, 64),
  ];
  for (const [kind, make] of Object.entries(kinds)) {
    it(`gives the plain interpolation's pixels and counts (${kind} logits)`, () => {
      for (let t = 0; t < 12; t++) {
        const low = make();
        const frame = frames[t % frames.length]!;
        const [thr, offset] = [
          [0, 1],
          [0.5, 0.25],
          [-1, 0],
          [0, 2],
        ][t % 4]!;
        const want = oracle(low, frame, thr!, offset!);
        const got = upsampleMask(low, frame, { threshold: thr, stabilityOffset: offset });
        expect(got.mask.data).toEqual(want.data);
        expect([got.area, got.stabilityScore]).toEqual([want.area, want.stability]);
        const rle = upsampleMaskToRle(low, frame, { threshold: thr, stabilityOffset: offset });
        expect(rle.rle).toEqual(
          encodeCounts({ width: frame.image.width, height: frame.image.height, data: want.data }),
        );
      }
    });
  }
});
