import { describe, expect, it } from 'vitest';
import { yoloDataYaml, yoloLine } from '../../../electron/common/formatYolo.ts';
import { polygonsToRle } from '../../../electron/common/polygonRaster.ts';
import { encodeMask } from '../../../electron/common/rle.ts';

describe('yoloLine', () => {
  it('writes class and corner coordinates normalised to 0..1', () => {
    const data = new Uint8Array(8 * 4);
    for (let y = 1; y < 3; y++) for (let x = 2; x < 6; x++) data[y * 8 + x] = 1;
    expect(yoloLine(3, encodeMask({ width: 8, height: 4, data }), 0)).toBe(
      '3 0.25 0.25 0.75 0.25 0.75 0.75 0.25 0.75',
    );
  });

  it('joins islands and holes into one ring that rasterises back exactly (even–odd)', () => {
    const W = 10;
    const H = 9;
    const data = new Uint8Array(W * H);
    for (let y = 0; y < 6; y++)
      for (let x = 0; x < 6; x++) data[y * W + x] = x > 1 && x < 4 && y > 1 && y < 4 ? 0 : 1;
    data[8 * W + 9] = 1;
    const rle = encodeMask({ width: W, height: H, data });
    const numbers = yoloLine(0, rle, 0)!.split(' ').slice(1).map(Number);
    const pixels = numbers.map((v, i) => Math.round(v * (i % 2 === 0 ? W : H)));
    expect(polygonsToRle([pixels], H, W).counts).toBe(rle.counts);
  });
});

describe('yoloDataYaml', () => {
  it('lists names by class index', () => {
    expect(yoloDataYaml(['cat', 'traffic "light"'])).toContain(
      'names:\n  0: "cat"\n  1: "traffic \\"light\\""\n',
    );
  });
});
