import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { modelFrameFor, stretchFrameFor } from '../../../electron/common/frames.ts';
import { DiskEmbeddingCache } from '../../../electron/inference/diskCache.ts';
import type { TensorSpec } from '../../../electron/inference/layouts/layout.ts';

const model = 'm'.repeat(64);
const frame = modelFrameFor({ width: 30, height: 20 }, 64);
const tensors = {
  image_embeddings: { data: Float32Array.from({ length: 48 }, (_, i) => i / 7), dims: [1, 3, 4, 4] },
  image_positional_embeddings: { data: Float32Array.from({ length: 48 }, (_, i) => -i), dims: [1, 3, 4, 4] },
};
const spec = (name: string, dims: number[]): TensorSpec => ({ name, dims, dtype: 'float32' });
const specs = [spec('image_embeddings', [1, 3, 4, 4]), spec('image_positional_embeddings', [1, 3, 4, 4])];

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
    const back = await cache.get('k', model, 'img1', specs);
    expect(back?.frame).toEqual(frame);
    expect(back?.tensors.image_embeddings?.dims).toEqual([1, 3, 4, 4]);
    expect([...back!.tensors.image_embeddings!.data]).toEqual([...tensors.image_embeddings.data]);
    expect([...back!.tensors.image_positional_embeddings!.data]).toEqual([
      ...tensors.image_positional_embeddings.data,
    ]);
    expect(await cache.get('k', model, 'other', specs)).toBeUndefined();
  });

  it('treats a torn or foreign file as a miss and removes it', async () => {
    const cache = new DiskEmbeddingCache(dir);
    await cache.put(model, 'img1', { key: 'k', tensors, frame });
    const [file] = await files();
    await writeFile(file!, Buffer.from('SAMEMB1\n\x10\x00\x00\x00{"frame"'));
    expect(await cache.get('k', model, 'img1', specs)).toBeUndefined();
    expect(await files()).toEqual([]);
  });

  it('round-trips a three-tensor set (SAM 2-shaped) with a stretch frame', async () => {
    const cache = new DiskEmbeddingCache(dir);
    const sam2 = {
      image_embed: { data: Float32Array.from({ length: 16 }, (_, i) => i), dims: [1, 1, 4, 4] },
      high_res_feats_0: { data: Float32Array.from({ length: 64 }, (_, i) => i / 3), dims: [1, 1, 8, 8] },
      high_res_feats_1: { data: Float32Array.from({ length: 32 }, (_, i) => -i), dims: [1, 2, 4, 4] },
    };
    const sam2Specs = Object.entries(sam2).map(([name, t]) => spec(name, t.dims));
    const stretch = stretchFrameFor({ width: 30, height: 20 }, 64);
    await cache.put(model, 'img2', { key: 'k2', tensors: sam2, frame: stretch });
    const back = await cache.get('k2', model, 'img2', sam2Specs);
    expect(back?.frame).toEqual(stretch);
    for (const [name, t] of Object.entries(sam2)) expect([...back!.tensors[name]!.data]).toEqual([...t.data]);
    const [file] = await files();
    expect((await stat(file!)).size).toBeGreaterThan((16 + 64 + 32) * 4);
  });

  it('ignores and removes a version 1 file (frame without a kind), so the encoder rebuilds it', async () => {
    // Exactly what the previous format wrote: "SAMEMB1\n", header length, {frame, tensors[{name, dims}]}, data.
    const oldFrame = { image: { width: 30, height: 20 }, inputSize: 64, resized: { width: 64, height: 43 } };
    const header = Buffer.from(
      JSON.stringify({ frame: oldFrame, tensors: specs.map((s) => ({ name: s.name, dims: s.dims })) }),
    );
    const length = Buffer.alloc(4);
    length.writeUInt32LE(header.length);
    const data = Object.values(tensors).map((t) => Buffer.from(t.data.buffer));
    const file = path.join(dir, model.slice(0, 16), 'img1.samemb');
    const cache = new DiskEmbeddingCache(dir);
    await cache.put(model, 'img1', { key: 'k', tensors, frame }); // creates the folder
    await writeFile(file, Buffer.concat([Buffer.from('SAMEMB1\n'), length, header, ...data]));
    expect(await cache.get('k', model, 'img1', specs)).toBeUndefined();
    expect(await files()).toEqual([]);
    await cache.put(model, 'img1', { key: 'k', tensors, frame });
    expect((await cache.get('k', model, 'img1', specs))?.frame).toEqual(frame);
  });

  it('treats an entry holding another tensor set than the model declares as a miss', async () => {
    const cache = new DiskEmbeddingCache(dir);
    await cache.put(model, 'img1', { key: 'k', tensors, frame });
    expect(await cache.get('k', model, 'img1', [specs[0]!])).toBeUndefined();
    await cache.put(model, 'img1', { key: 'k', tensors, frame });
    expect(
      await cache.get('k', model, 'img1', [specs[0]!, spec('image_positional_embeddings', [1, 3, 2, 8])]),
    ).toBeUndefined();
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
