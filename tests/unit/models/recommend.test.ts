/** The recommendation's rules (issue 15, electron/models/recommend.ts). */
import { describe, expect, it } from 'vitest';
import { type RecommendCandidate, recommend } from '../../../electron/models/recommend.ts';

const c = (
  name: string,
  quality: number,
  encodeSeconds: number | null,
  kind = 'onnx',
  approxBytes = 1e8,
): RecommendCandidate => ({
  name,
  kind,
  quality,
  approxBytes,
  encoderGmacs: (encodeSeconds ?? 1) * 30,
  speed: encodeSeconds === null ? null : { encodeSeconds, clickMs: 50 },
});
const picks = (entries: RecommendCandidate[], hasTorch = false) =>
  recommend(entries, { hasTorch }).map((r) => [r.role, r.entry.name]);

describe('recommend', () => {
  it('suggests the fastest model of quality ≥ 3 and the best one within 10 s per image', () => {
    const entries = [
      c('rough-fast', 2, 0.2),
      c('good-fast', 3, 0.8),
      c('good-slower', 4, 2),
      c('best-usable', 5, 9.5),
      c('best-too-slow', 5, 30),
    ];
    expect(picks(entries)).toEqual([
      ['fastest', 'good-fast'],
      ['accurate', 'best-usable'],
    ]);
  });

  it('breaks ties by the smaller download, then suggests one entry as both when it is both', () => {
    expect(picks([c('big', 4, 1, 'onnx', 3e8), c('small', 4, 1, 'onnx', 1e8)])).toEqual([['both', 'small']]);
  });

  it('never suggests a checkpoint without torch, and prefers ONNX entries even with it', () => {
    const entries = [
      c('ckpt-best', 5, 3, 'checkpoint'),
      c('onnx-good', 4, 2),
      c('ckpt-fast', 4, 0.5, 'checkpoint'),
    ];
    expect(picks(entries, false)).toEqual([['both', 'onnx-good']]);
    expect(picks(entries, true)).toEqual([['both', 'onnx-good']]);
    // Only when no ONNX entry fits does a checkpoint come in (and only with torch); a rough model never does.
    const rough = [c('ckpt', 4, 2, 'checkpoint'), c('onnx-rough', 2, 0.1)];
    expect(picks(rough, true)).toEqual([['both', 'ckpt']]);
    expect(picks(rough, false)).toEqual([]);
  });

  it('before the benchmark: the fastest by MACs, and no "most accurate" (its speed is not known)', () => {
    expect(picks([c('a', 4, null), c('b', 5, null)])).toEqual([['fastest', 'a']]);
  });

  it('suggests nothing when nothing fits', () => {
    expect(picks([c('slow-rough', 2, 20)])).toEqual([]);
    expect(picks([c('ckpt', 5, 1, 'checkpoint')])).toEqual([]);
  });
});
