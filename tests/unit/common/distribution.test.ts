import { describe, expect, it } from 'vitest';
import { distributionOf, medianOf, niceStep } from '../../../electron/common/distribution.ts';
import { csvField, statsCsvLine } from '../../../electron/common/formatStatsCsv.ts';

describe('distribution', () => {
  it('nice steps are 1, 2, 5 × 10^k', () => {
    expect([0.03, 0.1, 0.11, 1.5, 2, 2.01, 7, 40].map(niceStep)).toEqual([0.05, 0.1, 0.2, 2, 2, 5, 10, 50]);
    expect(niceStep(0)).toBe(1);
  });

  it('median, mean, p90 and max; empty is all null', () => {
    expect(medianOf([1, 2, 3, 10])).toBe(2.5);
    expect(distributionOf([])).toEqual({
      count: 0,
      mean: null,
      median: null,
      p90: null,
      max: null,
      bins: [],
    });
    expect(distributionOf([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toMatchObject({
      mean: 5.5,
      median: 5.5,
      p90: 9,
      max: 10,
    });
  });

  it('bins reach the 95th percentile; an outlier lands in one open last bin', () => {
    const values = [...Array.from({ length: 99 }, (_, i) => i / 10), 600]; // 0…9.8 s and a 10-minute break
    const d = distributionOf(values);
    expect(d.bins[0]).toEqual({ from: 0, to: 0.5, count: 5 });
    expect(d.bins.at(-1)).toEqual({ from: 9.5, to: null, count: 5 }); // 9.5…9.8 s and the break
    expect(d.bins.reduce((n, b) => n + b.count, 0)).toBe(100);
    // Integer data: bins one wide, the exact boundaries kept (0.6 / 0.2 is 2.9999… in floating point).
    expect(distributionOf([0, 0, 1, 3], { integer: true }).bins.map((b) => b.count)).toEqual([2, 1, 0, 1]);
    expect(distributionOf([0.2, 0.4, 0.6, 0.6, 4], { targetBins: 20 }).bins.slice(0, 4)).toEqual([
      { from: 0, to: 0.2, count: 0 },
      { from: 0.2, to: 0.4, count: 1 },
      { from: 0.4, to: 0.6, count: 1 },
      { from: 0.6, to: 0.8, count: 2 },
    ]);
  });
});

describe('statistics CSV', () => {
  it('quotes only what needs it (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField(null)).toBe('');
    expect(csvField(0.5)).toBe('0.5');
  });

  it('writes seconds and ISO dates', () => {
    expect(
      statsCsvLine({
        annotationId: 1,
        imageId: 2,
        image: 'dir/a, b.png',
        category: null,
        kind: 'box',
        source: 'imported',
        status: 'accepted',
        createdBy: 'ann',
        createdAt: Date.UTC(2024, 0, 2, 3, 4, 5),
        activeMs: 12_345,
        clicks: 0,
        prompts: 0,
        brushStrokes: 0,
        modelWaitMs: 250,
        predictedIou: null,
        stabilityScore: null,
        area: 100,
        reviews: 2,
        lastReviewer: 'rev',
        lastReviewedAt: Date.UTC(2024, 0, 3),
      }),
    ).toBe(
      '1,2,"dir/a, b.png",,box,imported,accepted,ann,2024-01-02T03:04:05.000Z,12.345,0,0,0,0.25,,,100,2,rev,2024-01-03T00:00:00.000Z',
    );
  });
});
