/**
 * The speed estimate's arithmetic (issue 15): catalog MACs ÷ this machine's measured GMAC/s, the correction by
 * what real models measured here, measured times replacing the estimate, and the wording.
 */
import { describe, expect, it } from 'vitest';
import { describeSpeed } from '../../../electron/common/modelSpeed.ts';
import { type GraphNode, nodeMacs } from '../../../electron/models/macCount.ts';
import {
  type MachineSpeed,
  type ModelTimes,
  correctionFrom,
  estimate,
  lowerQuartile,
  median,
  speedFigures,
  speedView,
} from '../../../electron/models/speed.ts';

const machine: MachineSpeed = {
  appVersion: '0.1.0',
  measuredAt: '2026-12-07T00:00:00.000Z',
  encoderGmacPerSecond: 20,
  decoderGmacPerSecond: 4,
  builtin: { encoderSha256: 'x', encoderGmacs: 0.5, decoderGmacs: 0.02, encodeMs: 25, clickMs: 5 },
};
const times = (name: string, encodeMs: number[], clickMs: number[]): ModelTimes => ({
  name,
  encoderSha256: `sha-${name}`,
  encodeMs,
  clickMs,
});

describe('speed estimates', () => {
  it('divides an entry’s MACs by the measured rates, encoder and decoder separately', () => {
    expect(estimate({ encoder: 60, decoder: 2 }, machine)).toEqual({
      encodeSeconds: 3,
      clickMs: 500,
      encodeMeasured: false,
      clickMeasured: false,
    });
  });

  it('corrects by the geometric mean of measured ÷ estimated over the models measured here', () => {
    // A: estimated 3 s / 500 ms, measured 1.5 s / 100 ms (ratios 0.5, 0.2); B: 1 s / 250 ms → 2 s / 125 ms (2, 0.5).
    const c = correctionFrom(
      [
        { gmacs: { encoder: 60, decoder: 2 }, times: times('a', [1500], [100]) },
        { gmacs: { encoder: 20, decoder: 1 }, times: times('b', [2000], [125]) },
      ],
      machine,
    );
    expect(c.encode).toBeCloseTo(1, 12);
    expect(c.click).toBeCloseTo(Math.sqrt(0.2 * 0.5), 12);
    // A model with only clicks measured leaves the encode correction alone.
    expect(
      correctionFrom([{ gmacs: { encoder: 60, decoder: 2 }, times: times('a', [], [250]) }], machine),
    ).toEqual({ encode: 1, click: 0.5 });
  });

  it('shows measured times (medians) where kept, the corrected estimate for the rest', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
    expect(lowerQuartile([9, 1, 5, 3, 7])).toBe(3);
    expect(lowerQuartile([4])).toBe(4);
    const s = speedFigures({ encoder: 60, decoder: 2 }, times('a', [], [90, 110, 100]), machine, {
      encode: 0.5,
      click: 1,
    });
    expect(s).toEqual({ encodeSeconds: 1.5, clickMs: 100, encodeMeasured: false, clickMeasured: true });
    // A benchmark that measured no time gives no figure rather than Infinity (which JSON turns into null).
    expect(
      speedFigures({ encoder: 60, decoder: 2 }, undefined, { ...machine, encoderGmacPerSecond: 0 }),
    ).toBeNull();
    // A measured time of 0 ms does not make the correction infinite.
    expect(
      correctionFrom([{ gmacs: { encoder: 60, decoder: 2 }, times: times('a', [0], [0]) }], machine),
    ).toEqual({ encode: 1, click: 1 });
    // Without a benchmark and without times there is nothing to say.
    expect(speedFigures({ encoder: 60, decoder: 2 }, undefined, null)).toBeNull();
    // A model outside the catalog (no MACs) still shows what was measured.
    expect(speedFigures(undefined, times('x', [2000], [50]), null)).toEqual({
      encodeSeconds: 2,
      clickMs: 50,
      encodeMeasured: true,
      clickMeasured: true,
    });
  });

  it('applies what one catalog model measured to the other entries, and ignores times of another file', () => {
    const catalog = [
      { name: 'a', gmacs: { encoder: 60, decoder: 2 } },
      { name: 'b', gmacs: { encoder: 120, decoder: 2 } },
    ];
    const view = speedView(catalog, { machine, models: [times('a', [1500], [250])] }, machine);
    expect(view.figuresFor('a', 'sha-a')).toMatchObject({
      encodeSeconds: 1.5,
      clickMs: 250,
      encodeMeasured: true,
    });
    expect(view.estimateFor('b')).toMatchObject({ encodeSeconds: 3, clickMs: 250, encodeMeasured: false });
    // Same name, other encoder: the measured times are not this file's.
    expect(view.figuresFor('a', 'sha-other')).toMatchObject({ encodeSeconds: 1.5, encodeMeasured: false });
    expect(view.figuresFor('unknown')).toBeNull();
  });

  it('words it with the precision an estimate has, and says what was measured', () => {
    const s = { encodeSeconds: 2.2, clickMs: 41.3, encodeMeasured: false, clickMeasured: false };
    expect(describeSpeed(s)).toBe('about 2 s per image, 41 ms per click (estimated)');
    expect(describeSpeed({ ...s, encodeSeconds: 0.04, clickMs: 3.4 })).toBe(
      'about 0.1 s per image, 3 ms per click (estimated)',
    );
    expect(describeSpeed({ ...s, encodeSeconds: 0.46, clickMs: 456 })).toBe(
      'about 0.5 s per image, 460 ms per click (estimated)',
    );
    expect(describeSpeed({ ...s, encodeMeasured: true, clickMeasured: true })).toBe(
      'measured: 2 s per image, 41 ms per click',
    );
    expect(describeSpeed({ ...s, clickMeasured: true })).toBe(
      'about 2 s per image, 41 ms per click (click time measured)',
    );
  });
});

describe('multiply-accumulates of a node', () => {
  const node = (opType: string, inputs: string[], ints: Record<string, number> = {}): GraphNode => ({
    name: opType,
    opType,
    inputs,
    outputs: ['y'],
    ints: new Map(Object.entries(ints)),
  });
  const shapes = (map: Record<string, number[]>) => (name: string) => map[name];

  it('counts MatMul, Gemm (transA), Conv and ConvTranspose from their shapes', () => {
    // [2, 7, 96] × [96, 48]: 2·7·48 outputs of 96 MACs each.
    expect(nodeMacs(node('MatMul', ['a', 'w']), shapes({ a: [2, 7, 96], y: [2, 7, 48] }))).toBe(
      2 * 7 * 48 * 96,
    );
    // A known only through the weight: K is B's second-last dim.
    expect(nodeMacs(node('MatMul', ['a', 'w']), shapes({ w: [96, 48], y: [7, 48] }))).toBe(7 * 48 * 96);
    expect(nodeMacs(node('Gemm', ['a', 'w'], { transA: 1 }), shapes({ a: [64, 3], y: [3, 10] }))).toBe(
      3 * 10 * 64,
    );
    // Conv 3×3, 16 → 32 channels, groups 2 (weight [32, 8, 3, 3]) to a 10×10 output.
    expect(nodeMacs(node('Conv', ['x', 'w']), shapes({ w: [32, 8, 3, 3], y: [1, 32, 10, 10] }))).toBe(
      32 * 100 * 8 * 9,
    );
    // ConvTranspose 2×2 stride 2, 96 → 24 channels, from 16×16: every input element feeds 24·4 outputs.
    expect(
      nodeMacs(node('ConvTranspose', ['x', 'w']), shapes({ x: [1, 96, 16, 16], w: [96, 24, 2, 2] })),
    ).toBe(96 * 256 * 24 * 4);
    expect(nodeMacs(node('Relu', ['x']), shapes({}))).toBe(0);
    expect(() => nodeMacs(node('Conv', ['x', 'w']), shapes({ y: [1, 2, 3, 3] }))).toThrow(/Conv.*weight.*w/);
  });
});
