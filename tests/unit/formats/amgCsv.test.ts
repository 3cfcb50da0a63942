import { describe, expect, it } from 'vitest';
import { AMG_CSV_HEADER, amgCsv, pythonFloat } from '../../../electron/common/formatAmgCsv.ts';

describe('pythonFloat (Python str(float))', () => {
  it('matches CPython on the awkward cases', () => {
    // Each pair checked against CPython 3.11 `str(float(x))`.
    const cases: [number, string][] = [
      [300, '300.0'],
      [12.5, '12.5'],
      [0.1, '0.1'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [1.5e-5, '1.5e-05'],
      [1e15, '1000000000000000.0'],
      [1e16, '1e+16'],
      [1.2345e17, '1.2345e+17'],
      [-0.5, '-0.5'],
      [0.9123456789012345, '0.9123456789012345'],
      [0, '0.0'],
      [5e-324, '5e-324'],
    ];
    for (const [value, python] of cases) expect(pythonFloat(value)).toBe(python);
  });
});

describe('amgCsv', () => {
  it("writes amg.py's header and rows, joined by newlines with no final newline", () => {
    const csv = amgCsv([
      {
        id: 7,
        segmentation: { size: [10, 20], counts: '' },
        bbox: [1, 2, 3, 4],
        area: 17,
        predicted_iou: 0.95,
        point_coords: [[5, 6.25]],
        crop_box: [0, 0, 20, 10],
        stability_score: 1,
      },
    ]);
    expect(csv).toBe(`${AMG_CSV_HEADER}\n0,17,1,2,3,4,5.0,6.25,0.95,1.0,0,0,20,10`);
    expect(AMG_CSV_HEADER.split(',')).toHaveLength(14);
  });
});
