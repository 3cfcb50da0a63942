/**
 * The decoder worker keeps embeddings under a byte budget (issue 14), and tells the service which it kept, so
 * the service's view cannot drift from the worker's (it used to mirror a count of 4 by hand).
 */
import { describe, expect, it } from 'vitest';
import { modelFrameFor } from '../../../electron/common/frames.ts';
import { DECODER_EMBEDDING_BYTES, Engine } from '../../../electron/inference/worker/engine.ts';

const frame = modelFrameFor({ width: 800, height: 534 }, 1024);
const MiB = 1024 ** 2;
/** A tensor set of `mib` MiB split over `count` tensors (SAM 1 ViT: 4 MiB in one; SAM 2: 16 MiB in three). */
function tensors(mib: number, count: number) {
  const out: Record<string, { data: Float32Array; dims: number[] }> = {};
  for (let i = 0; i < count; i++) {
    const floats = (mib * MiB) / 4 / count;
    out[`t${i}`] = { data: new Float32Array(floats), dims: [1, floats] };
  }
  return out;
}

describe('decoder worker embeddings', () => {
  it('keeps 8 SAM 1 ViT embeddings (4 MiB) and reports the kept keys, oldest first', () => {
    expect(DECODER_EMBEDDING_BYTES).toBe(32 * MiB);
    const engine = new Engine();
    let kept: readonly string[] = [];
    for (let i = 0; i < 10; i++)
      kept = engine.setEmbedding({ key: `k${i}`, tensors: tensors(4, 1), frame }).kept;
    expect(kept).toEqual(['k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9']);
    expect(engine.hasEmbedding('k1')).toBe(false);
  });

  it('counts every tensor of a set: 2 SAM 2-sized sets of three tensors (16 MiB)', () => {
    const engine = new Engine();
    let kept: readonly string[] = [];
    for (const key of ['a', 'b', 'c'])
      kept = engine.setEmbedding({ key, tensors: tensors(16, 3), frame }).kept;
    expect(kept).toEqual(['b', 'c']);
  });

  it('sending a kept key again makes it the most recent', () => {
    const engine = new Engine();
    engine.setEmbedding({ key: 'a', tensors: tensors(16, 3), frame });
    engine.setEmbedding({ key: 'b', tensors: tensors(16, 3), frame });
    const { kept } = engine.setEmbedding({ key: 'a', tensors: tensors(16, 3), frame });
    expect(kept).toEqual(['b', 'a']);
  });
});
