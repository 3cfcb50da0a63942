import { describe, expect, it } from 'vitest';
import { modelFrameFor } from '../../../electron/common/frames.ts';
import { type Embedding, EmbeddingCache } from '../../../electron/inference/embeddingCache.ts';

const frame = modelFrameFor({ width: 10, height: 10 }, 64);
const embedding = (key: string, floats: number): Embedding => ({
  key,
  frame,
  tensors: { image_embeddings: { data: new Float32Array(floats), dims: [1, floats] } },
});

describe('EmbeddingCache', () => {
  it('evicts the least recently used entries beyond its byte budget', () => {
    const cache = new EmbeddingCache(3 * 400);
    cache.set(embedding('a', 100));
    cache.set(embedding('b', 100));
    cache.set(embedding('c', 100));
    cache.get('a'); // a is now the most recent
    cache.set(embedding('d', 100));
    expect(cache.has('b')).toBe(false);
    expect(['a', 'c', 'd'].every((k) => cache.has(k))).toBe(true);
    expect(cache.usedBytes).toBe(1200);
  });

  it('keeps the newest entry even when it alone exceeds the budget', () => {
    const cache = new EmbeddingCache(100);
    cache.set(embedding('a', 10));
    cache.set(embedding('big', 1000));
    expect(cache.has('a')).toBe(false);
    expect(cache.has('big')).toBe(true);
    expect(cache.size).toBe(1);
  });

  it('replacing a key does not double-count it', () => {
    const cache = new EmbeddingCache(10_000);
    cache.set(embedding('a', 100));
    cache.set(embedding('a', 200));
    expect(cache.usedBytes).toBe(800);
  });
});

describe('EmbeddingCache byte budget over tensor sets (issue 14)', () => {
  it('counts every tensor of an entry: a three-tensor set weighs its total', () => {
    const cache = new EmbeddingCache(1000);
    const set = (key: string): Embedding => ({
      key,
      frame,
      tensors: {
        a: { data: new Float32Array(50), dims: [50] },
        b: { data: new Float32Array(50), dims: [50] },
        c: { data: new Float32Array(25), dims: [25] },
      },
    });
    cache.set(set('x'));
    expect(cache.usedBytes).toBe(500);
    cache.set(set('y'));
    expect(cache.keys()).toEqual(['x', 'y']);
    cache.set(set('z'));
    expect(cache.keys()).toEqual(['y', 'z']);
    expect(cache.usedBytes).toBe(1000);
  });
});
