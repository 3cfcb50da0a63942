/**
 * Issue 16: Meta's LayerNorm2d channel means computed as 1×1 convolutions give the decoder's outputs up to the
 * order of float32 additions (every SAM decoder's channel counts are powers of two, so 1/C scales exactly), and a
 * mean whose channel count is not certain is left as exported.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { channelMeansAsConv } from '../../../electron/inference/graphEdit/channelMeans.ts';
import {
  concatBytes,
  lengthField,
  stringField,
  varintField,
} from '../../../electron/inference/graphEdit/protoFields.ts';
import { fixturesDir } from '../../helpers/paths.ts';

const models = path.join(fixturesDir, 'models');

/** Noise for every input; has_mask_input = 1 so the mask-input path (two LayerNorm2d) counts too. */
function feedsFor(session: ort.InferenceSession): Record<string, ort.Tensor> {
  let seed = 5;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
  const feeds: Record<string, ort.Tensor> = {};
  for (const meta of session.inputMetadata) {
    if (!meta.isTensor) throw new Error(`${meta.name} is not a tensor`);
    const dims = meta.shape.map((d) => (typeof d === 'number' ? d : d === 'num_points' ? 3 : 1));
    const count = dims.reduce((a, b) => a * b, 1);
    if (meta.name === 'orig_im_size')
      feeds[meta.name] =
        meta.type === 'int64'
          ? new ort.Tensor('int64', BigInt64Array.of(64n, 64n), dims)
          : new ort.Tensor('float32', Float32Array.of(64, 64), dims);
    else if (meta.name === 'has_mask_input')
      feeds[meta.name] = new ort.Tensor('float32', new Float32Array(count).fill(1), dims);
    else
      feeds[meta.name] = new ort.Tensor(
        'float32',
        Float32Array.from({ length: count }, () => random() * (meta.name === 'point_coords' ? 400 : 4)),
        dims,
      );
  }
  return feeds;
}

async function expectSameOutputs(original: Uint8Array, edited: Uint8Array): Promise<void> {
  const a = await ort.InferenceSession.create(original);
  const b = await ort.InferenceSession.create(edited);
  const feeds = feedsFor(a);
  const ra = await a.run(feeds);
  const rb = await b.run(feeds);
  expect(Object.keys(rb).sort()).toEqual(Object.keys(ra).sort());
  for (const name of a.outputNames) {
    const x = ra[name]!.data as Float32Array;
    const y = rb[name]!.data as Float32Array;
    expect(y.length).toBe(x.length);
    let worst = 0;
    let largest = 1;
    for (let i = 0; i < x.length; i++) {
      worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
      largest = Math.max(largest, Math.abs(x[i]!));
    }
    // float32 rounding of a sum in another order: a few ulps of the largest value
    expect(worst).toBeLessThanOrEqual(1e-5 * largest);
  }
}

/** ModelProto: ir 8, opset 17, one input x (dims, or no shape), y = ReduceMean(x, axes=[1]). */
function reduceMeanModel(dims: number[] | undefined): Uint8Array {
  const shape = dims
    ? lengthField(2, concatBytes(dims.map((d) => lengthField(1, varintField(1, d)))))
    : new Uint8Array();
  const tensorType = lengthField(1, concatBytes([varintField(1, 1), shape]));
  const input = lengthField(11, concatBytes([stringField(1, 'x'), lengthField(2, tensorType)]));
  const output = lengthField(
    12,
    concatBytes([stringField(1, 'y'), lengthField(2, lengthField(1, varintField(1, 1)))]),
  );
  const axes = lengthField(5, concatBytes([stringField(1, 'axes'), varintField(8, 1), varintField(20, 7)]));
  const node = lengthField(
    1,
    concatBytes([stringField(1, 'x'), stringField(2, 'y'), stringField(4, 'ReduceMean'), axes]),
  );
  const graph = lengthField(7, concatBytes([node, stringField(2, 'g'), input, output]));
  const opset = lengthField(8, concatBytes([stringField(1, ''), varintField(2, 17)]));
  return concatBytes([varintField(1, 8), opset, graph]);
}

describe('channel means as 1×1 convolutions (issue 16)', () => {
  it("SAM 1 (Meta's export): all six LayerNorm2d means, same outputs", async () => {
    const bytes = readFileSync(path.join(models, 'tiny-random', 'decoder.onnx'));
    const edited = channelMeansAsConv(bytes)!;
    expect(edited.replaced).toBe(6);
    await expectSameOutputs(bytes, edited.bytes);
  });

  it('SAM 2.1 (this project’s export): all six, the upscaling one through the stride-4 features input', async () => {
    const bytes = readFileSync(path.join(models, 'sam2-tiny-random', 'decoder.onnx'));
    const edited = channelMeansAsConv(bytes)!;
    expect(edited.replaced).toBe(6);
    await expectSameOutputs(bytes, edited.bytes);
  });

  it('a mean over an input of declared NCHW shape is replaced and agrees; one of unknown shape is left alone', async () => {
    const known = reduceMeanModel([2, 8, 3, 5]);
    const edited = channelMeansAsConv(known)!;
    expect(edited.replaced).toBe(1);
    await expectSameOutputs(known, edited.bytes);
    expect(channelMeansAsConv(reduceMeanModel(undefined))).toBeUndefined();
    expect(channelMeansAsConv(reduceMeanModel([2, 8, 3]))).toBeUndefined();
  });
});
