/** Model folders whose weights live in ONNX external-data files (how ViT-H is exported). */
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileHashCache } from '../../electron/inference/fileHash.ts';
import { openModelFolder } from '../../electron/inference/modelFolder.ts';
import { exportedModel } from '../helpers/models.ts';

describe('model folders with external data', () => {
  const exported = exportedModel(
    'tiny-external',
    ['--random-seed', '2', '--type', 'tiny_test', '--external-data'],
    [],
  );

  function copy(): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sam-ext-'));
    cpSync(exported, dir, { recursive: true });
    return dir;
  }

  it('checks the data files against the manifest and counts them in the weights identity', async () => {
    const dir = copy();
    const folder = await openModelFolder(dir, new FileHashCache());
    const graphOnly = await new FileHashCache().sha256(path.join(dir, 'encoder.onnx'));
    expect(folder.graphs.find((g) => g.file === 'encoder.onnx')!.externalFiles).toEqual([
      'encoder.onnx.data',
    ]);
    expect(folder.encoderSha256).not.toBe(graphOnly);

    const data = path.join(dir, 'encoder.onnx.data');
    const bytes = readFileSync(data);
    bytes[100]! ^= 1;
    writeFileSync(data, bytes);
    await expect(openModelFolder(dir, new FileHashCache())).rejects.toThrow(
      'encoder.onnx.data does not match the sha256 in manifest.json',
    );
    rmSync(dir, { recursive: true });
  });

  it('without a manifest, changed weights change the identity and missing weights are named', async () => {
    const dir = copy();
    rmSync(path.join(dir, 'manifest.json'));
    const before = (await openModelFolder(dir, new FileHashCache())).encoderSha256;
    const data = path.join(dir, 'encoder.onnx.data');
    const bytes = readFileSync(data);
    bytes[100]! ^= 1;
    writeFileSync(data, bytes);
    expect((await openModelFolder(dir, new FileHashCache())).encoderSha256).not.toBe(before);
    renameSync(data, `${data}.moved`);
    await expect(openModelFolder(dir, new FileHashCache())).rejects.toThrow(
      'encoder.onnx keeps its weights in encoder.onnx.data, which does not exist',
    );
    rmSync(dir, { recursive: true });
  });

  it('the detected adapter declares the family and the image tensors the decoder graph takes (issue 14)', async () => {
    const folder = await openModelFolder(exported, new FileHashCache());
    expect(folder.layout.kind).toBe('sam-annotate');
    expect(folder.layout.family).toBe('sam1');
    const decoder = folder.graphs.find((g) => g.file === folder.layout.decoder.file)!;
    const embedding = decoder.graph.inputs.find((i) => i.name === 'image_embeddings')!;
    expect(folder.layout.imageTensors).toEqual([
      { name: 'image_embeddings', dims: embedding.shape, dtype: 'float32' },
    ]);
  });
});
