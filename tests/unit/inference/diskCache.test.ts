import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { modelFrameFor } from '../../../electron/common/frames.ts';
import { DiskEmbeddingCache } from '../../../electron/inference/diskCache.ts';

const model = 'm'.repeat(64);
const frame = modelFrameFor({ width: 30, height: 20 }, 64);
const tensors = {
  image_embeddings: { data: Float32Array.from({ length: 48 }, (_, i) => i / 7), dims: [1, 3, 4, 4] },
  image_positional_embeddings: { data: Float32Array.from({ length: 48 }, (_, i) => -i), dims: [1, 3, 4, 4] },
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'samemb-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function files(): Promise<string[]> {
  const subs = await readdir(dir);
  return (
    await Promise.all(
      subs.map(async (s) => (await readdir(path.join(dir, s))).map((f) => path.join(dir, s, f))),
    )
  ).flat();
}

describe('DiskEmbeddingCache', () => {
  it('round-trips every tensor and the frame', async () => {
    const cache = new DiskEmbeddingCache(dir);
    await cache.put(model, 'img1', { key: 'k', tensors, frame });
    const back = await cache.get('k', model, 'img1');
    expect(back?.frame).toEqual(frame);
    expect(back?.tensors.image_embeddings?.dims).toEqual([1, 3, 4, 4]);
    expect([...back!.tensors.image_embeddings!.data]).toEqual([...tensors.image_embeddings.data]);
    expect([...back!.tensors.image_positional_embeddings!.data]).toEqual([
      ...tensors.image_positional_embeddings.data,
    ]);
    expect(await cache.get('k', model, 'other')).toBeUndefined();
  });

  it('treats a torn or foreign file as a miss and removes it', async () => {
    const cache = new DiskEmbeddingCache(dir);
    await cache.put(model, 'img1', { key: 'k', tensors, frame });
    const [file] = await files();
    await writeFile(file!, Buffer.from('SAMEMB1\n\x10\x00\x00\x00{"frame"'));
    expect(await cache.get('k', model, 'img1')).toBeUndefined();
    expect(await files()).toEqual([]);
  });

  it('trims least recently used entries to its budget', async () => {
    const cache = new DiskEmbeddingCache(dir, 1000);
    for (const name of ['a', 'b', 'c']) await cache.put(model, name, { key: name, tensors, frame });
    const all = await files();
    const size = (await stat(all[0]!)).size;
    expect(size * 3).toBeGreaterThan(1000);
    // Make "a" the oldest, "b" recent.
    await utimes(
      all.find((f) => f.endsWith('a.samemb'))!,
      new Date(1000),
      new Date(1000),
    );
    await cache.trim();
    const left = (await files()).map((f) => path.basename(f));
    expect(left.length).toBe(Math.floor(1000 / size));
    expect(left).not.toContain('a.samemb');
  });
});
