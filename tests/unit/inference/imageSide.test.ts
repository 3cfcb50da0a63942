/**
 * Issue 16: a decoder split into its image part (run once per image) and its prompt part (run per click)
 * computes what the whole graph computes, on Meta's SAM 1 and SAM 2.1 decoder layouts; what the split cannot
 * handle is refused with a GraphEditError.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { type FrontierTensor, splitImageSide } from '../../../electron/inference/graphEdit/imageSide.ts';
import { GraphEditError } from '../../../electron/inference/graphEdit/protoFields.ts';
import { META_DECODER_INPUTS } from '../../../electron/inference/layouts/samAnnotate.ts';
import { fixturesDir } from '../../helpers/paths.ts';

const models = path.join(fixturesDir, 'models');
const SAM1_FETCHED = ['iou_predictions', 'low_res_masks'];
const SAM2_FETCHED = ['masks', 'iou_predictions'];

/** Float32 noise of `dims` (deterministic). */
function noise(dims: readonly number[], seed: number, scale = 1): ort.Tensor {
  let s = seed;
  const count = dims.reduce((a, b) => a * b, 1);
  const data = Float32Array.from(
    { length: count },
    () => ((s = (s * 16807) % 2147483647) / 2147483647 - 0.5) * scale,
  );
  return new ort.Tensor('float32', data, [...dims]);
}

async function splitRuns(
  file: string,
  fetched: readonly string[],
  statics: Record<string, ort.Tensor>,
  prompts: Record<string, ort.Tensor>,
) {
  const bytes = readFileSync(file);
  const whole = await ort.InferenceSession.create(bytes);
  const split = splitImageSide(bytes, Object.keys(statics), fetched)!;
  const image = await ort.InferenceSession.create(split.imageModel);
  const imageFeeds = Object.fromEntries(split.imageInputs.map((n) => [n, statics[n]!]));
  const frontier = await image.run(imageFeeds);
  const types = new Map<string, FrontierTensor>(
    split.computed.map((n) => [n, { type: frontier[n]!.type, dims: [...frontier[n]!.dims] }]),
  );
  const prompt = await ort.InferenceSession.create(split.promptModel(types));
  const promptFeeds: Record<string, ort.Tensor> = {};
  for (const n of [...split.promptInputs, ...split.passThrough]) promptFeeds[n] = prompts[n] ?? statics[n]!;
  for (const n of split.computed) promptFeeds[n] = frontier[n] as ort.Tensor;
  return {
    split,
    whole: await whole.run({ ...statics, ...prompts }, [...fetched]),
    parts: await prompt.run(promptFeeds, [...fetched]),
    promptInputNames: prompt.inputNames,
  };
}

function expectEqualOutputs(
  a: ort.InferenceSession.OnnxValueMapType,
  b: ort.InferenceSession.OnnxValueMapType,
) {
  for (const name of Object.keys(a)) {
    expect(b[name]!.dims).toEqual(a[name]!.dims);
    const x = a[name]!.data as Float32Array;
    const y = b[name]!.data as Float32Array;
    let worst = 0;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
    expect(worst).toBeLessThan(1e-5);
  }
}

const points = {
  point_coords: new ort.Tensor('float32', Float32Array.of(10, 20, 40, 8, 0, 0), [1, 3, 2]),
  point_labels: new ort.Tensor('float32', Float32Array.of(1, 0, -1), [1, 3]),
};

/** A decoder's feeds without a mask input, as declared: noise image tensors, zero mask_input, has_mask_input 0. */
async function staticFeeds(file: string): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(file);
  const feeds: Record<string, ort.Tensor> = {};
  session.inputMetadata.forEach((meta, i) => {
    if (!meta.isTensor || meta.name.startsWith('point_')) return;
    const dims = meta.shape as number[];
    if (meta.name === 'mask_input' || meta.name === 'has_mask_input')
      feeds[meta.name] = new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);
    else if (meta.name === 'orig_im_size')
      feeds[meta.name] = new ort.Tensor('float32', Float32Array.of(100, 128), [2]);
    else feeds[meta.name] = noise(dims, 11 + i, 2);
  });
  return feeds;
}

describe('decoder split into image and prompt parts (issue 16)', () => {
  it("Meta's SAM 1 decoder: the image part holds the first layer's image-side products", async () => {
    const file = path.join(models, 'tiny-random', 'decoder.onnx');
    const statics = await staticFeeds(file);
    const { split, whole, parts, promptInputNames } = await splitRuns(file, SAM1_FETCHED, statics, points);
    expect(split.imageInputs).toEqual(['image_embeddings', 'mask_input', 'has_mask_input']);
    expect(split.computed.some((n) => n.includes('layers.0/cross_attn_token_to_image'))).toBe(true);
    expect(split.computed.some((n) => n.includes('layers.0/cross_attn_image_to_token'))).toBe(true);
    expect(promptInputNames).not.toContain('image_embeddings');
    expect(promptInputNames).not.toContain('mask_input');
    expectEqualOutputs(whole, parts);
  });

  it("Meta's SAM 2.1 decoder (three image tensors) gives the same outputs", async () => {
    const file = path.join(models, 'sam2-tiny-random', 'decoder.onnx');
    const statics = await staticFeeds(file);
    const { whole, parts, split } = await splitRuns(file, SAM2_FETCHED, statics, points);
    expect(split.imageNodes).toBeGreaterThan(0);
    expectEqualOutputs(whole, parts);
  });

  it('refuses a fetched output that no prompt input reaches, and splits nothing when no node is image-only', () => {
    const bytes = readFileSync(path.join(models, 'tiny-random', 'decoder.onnx'));
    const all = [...META_DECODER_INPUTS];
    expect(() => splitImageSide(bytes, all, SAM1_FETCHED)).toThrow(GraphEditError);
    expect(() => splitImageSide(bytes, all, SAM1_FETCHED)).toThrow(/does not depend on the prompt/);
    expect(splitImageSide(bytes, [], SAM1_FETCHED)).toBeUndefined();
  });
});
