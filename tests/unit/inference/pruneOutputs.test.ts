/**
 * Issue 16: the decoder graph pruned to the outputs the app fetches computes the same numbers as the file as
 * exported, and a graph the edit does not understand is loaded unedited, with the reason, never a crash.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decoderSource } from '../../../electron/inference/graphEdit/decoderSource.ts';
import { GraphEditError, lengthField } from '../../../electron/inference/graphEdit/protoFields.ts';
import { pruneToOutputs } from '../../../electron/inference/graphEdit/pruneOutputs.ts';
import { FileHashCache } from '../../../electron/inference/fileHash.ts';
import { openModelFolder } from '../../../electron/inference/modelFolder.ts';
import type { ModelGraph } from '../../../electron/inference/layouts/signature.ts';
import { decoderEngine } from '../../helpers/decoderEngine.ts';
import { fixturesDir } from '../../helpers/paths.ts';

const models = path.join(fixturesDir, 'models');
const FETCHED = ['iou_predictions', 'low_res_masks'];

/** Deterministic feeds for every input of `session` (float32 noise; int64 orig_im_size = the low-res size). */
function feedsFor(session: ort.InferenceSession): Record<string, ort.Tensor> {
  let seed = 3;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
  const feeds: Record<string, ort.Tensor> = {};
  for (const meta of session.inputMetadata) {
    if (!meta.isTensor) throw new Error(`${meta.name} is not a tensor`);
    const dims = meta.shape.map((d) => (typeof d === 'number' ? d : d === 'num_points' ? 3 : 1));
    const count = dims.reduce((a, b) => a * b, 1);
    if (meta.name === 'orig_im_size') {
      feeds[meta.name] =
        meta.type === 'int64'
          ? new ort.Tensor('int64', BigInt64Array.of(64n, 64n), [2])
          : new ort.Tensor('float32', Float32Array.of(64, 64), [2]);
    } else if (meta.name === 'point_labels') {
      feeds[meta.name] = new ort.Tensor(
        'float32',
        Float32Array.from({ length: count }, (_, i) => i % 2),
        dims,
      );
    } else if (meta.name === 'has_mask_input') {
      feeds[meta.name] = new ort.Tensor('float32', new Float32Array(count).fill(1), dims);
    } else {
      const scale = meta.name === 'point_coords' ? 200 : 2;
      feeds[meta.name] = new ort.Tensor(
        'float32',
        Float32Array.from({ length: count }, () => Math.abs(random()) * scale),
        dims,
      );
    }
  }
  return feeds;
}

async function compare(file: string): Promise<void> {
  const bytes = readFileSync(file);
  const pruned = pruneToOutputs(bytes, FETCHED)!;
  expect(pruned.removedOutputs).toEqual(['masks']);
  expect(pruned.removedNodes).toBeGreaterThan(0);
  const original = await ort.InferenceSession.create(file);
  const edited = await ort.InferenceSession.create(pruned.bytes);
  expect([...edited.outputNames].sort()).toEqual(FETCHED);
  expect(edited.inputNames).toEqual(original.inputNames);
  const feeds = feedsFor(original);
  const a = await original.run(feeds, FETCHED);
  const b = await edited.run(feeds, FETCHED);
  for (const name of FETCHED) {
    expect(b[name]!.dims).toEqual(a[name]!.dims);
    expect(b[name]!.data).toEqual(a[name]!.data);
  }
}

/** A model whose one node carries a subgraph attribute (an If): ModelProto{graph{node{attribute{g{}}}}}. */
function modelWithSubgraph(): Uint8Array {
  const text = (n: number, s: string) => lengthField(n, new TextEncoder().encode(s));
  const attribute = lengthField(
    5,
    Uint8Array.from([...text(1, 'then_branch'), ...lengthField(6, new Uint8Array())]),
  );
  const node = lengthField(
    1,
    Uint8Array.from([...text(1, 'cond'), ...text(2, 'y'), ...text(4, 'If'), ...attribute]),
  );
  const output = (name: string) => lengthField(12, text(1, name));
  return lengthField(7, Uint8Array.from([...node, ...output('y'), ...output('z')]));
}

function graphOf(file: string, outputs: readonly string[]): ModelGraph {
  return {
    file,
    graph: { inputs: [], outputs: outputs.map((name) => ({ name, type: 'float32', shape: [] })) },
  };
}

describe('decoder graph pruned to the fetched outputs (issue 16)', () => {
  it("Meta's SAM 1 decoder without `masks` gives the same iou_predictions and low_res_masks", async () => {
    await compare(path.join(models, 'tiny-random', 'decoder.onnx'));
  });

  it("RectLabel's SAM 2 decoder without `masks` gives the same outputs", async () => {
    await compare(path.join(models, 'sam2-tiny-random-rectlabel', 'sam2-tiny-random-rectlabel.onnx'));
  });

  it('leaves a graph alone when every output is fetched', () => {
    const file = path.join(models, 'sam2-tiny-random', 'decoder.onnx');
    expect(pruneToOutputs(readFileSync(file), ['masks', 'iou_predictions'])).toBeUndefined();
  });

  it('refuses truncated bytes, control-flow subgraphs and unknown outputs with a GraphEditError', () => {
    const bytes = readFileSync(path.join(models, 'tiny-random', 'decoder.onnx'));
    expect(() => pruneToOutputs(bytes.subarray(0, bytes.length - 100), FETCHED)).toThrow(GraphEditError);
    expect(() => pruneToOutputs(modelWithSubgraph(), ['y'])).toThrow(/control-flow subgraphs/);
    expect(() => pruneToOutputs(bytes, ['nope'])).toThrow(/no graph output nope/);
  });

  it('a malformed decoder file is used unedited, with the reason', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'prune-'));
    const file = path.join(dir, 'decoder.onnx');
    writeFileSync(file, Uint8Array.of(0x3a, 0xff, 0xff, 0xff));
    const source = await decoderSource(file, graphOf(file, ['masks', ...FETCHED]), FETCHED);
    expect(source.model).toBe(file);
    expect(source.note).toMatch(/decoder\.onnx: decoder graph used unedited \(.+\)/);
  });

  it('the decoder worker loads the pruned graph and says so', async () => {
    const { init: result } = await decoderEngine(path.join(models, 'tiny-random'));
    expect(result.outputs.map((o) => o.name).sort()).toEqual(FETCHED);
    expect(result.graphNote).toMatch(/without the unused output\(s\) masks/);
    expect(result.graphNote).toMatch(/6 channel means as 1×1 convolutions/);
  });

  it('a decoder whose outputs are all fetched still gets its channel means edited', async () => {
    const dir = path.join(models, 'sam2-tiny-random');
    const folder = await openModelFolder(dir, new FileHashCache());
    const graph = folder.graphs.find((g) => g.file === 'decoder.onnx')!;
    const source = await decoderSource(path.join(dir, 'decoder.onnx'), graph, ['masks', 'iou_predictions']);
    expect(source.model).toBeInstanceOf(Uint8Array);
    expect(source.outputs).toEqual(['masks', 'iou_predictions']);
    expect(source.note).toMatch(/decoder graph 6 channel means as 1×1 convolutions$/);
  });
});
