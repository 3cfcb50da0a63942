/**
 * Issue 16: the decoder worker runs a click without a mask input through the prompt part of the split decoder,
 * computing the image part once per image, and its masks are those of the whole graph. A mask input, or an
 * embedding that changed under the same key, never reuses tensors computed for something else.
 */
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { imagePoint } from '../../../electron/common/frames.ts';
import type { Prompt } from '../../../electron/common/prompts.ts';
import { detectLayout } from '../../../electron/inference/layouts/detect.ts';
import type { EmbeddingTensors, LayoutAdapter } from '../../../electron/inference/layouts/layout.ts';
import { serializePrompt } from '../../../electron/inference/worker/serializedPrompt.ts';
import { decoderEngine } from '../../helpers/decoderEngine.ts';
import { fixturesDir } from '../../helpers/paths.ts';

const OUTPUT = { rle: false, bitmap: false } as const;

function embedding(layout: LayoutAdapter, seed: number): EmbeddingTensors {
  let s = seed;
  const out: EmbeddingTensors = {};
  for (const spec of layout.imageTensors) {
    const count = spec.dims.reduce((a, b) => a * b, 1);
    const data = Float32Array.from(
      { length: count },
      () => (s = (s * 16807) % 2147483647) / 2147483647 - 0.5,
    );
    out[spec.name] = { data, dims: spec.dims };
  }
  return out;
}

async function setUp(model: string, splitDecoder?: boolean) {
  const dir = path.join(fixturesDir, 'models', model);
  const { engine, init, folder } = await decoderEngine(
    dir,
    splitDecoder === undefined ? {} : { splitDecoder },
  );
  const layout = detectLayout(dir, folder.graphs, folder.manifest);
  const whole = await ort.InferenceSession.create(path.join(dir, layout.decoder.file));
  const { frame } = layout.preprocess(new Uint8Array(120 * 90 * 3), 120, 90);
  /** Low-res logits of the whole graph as exported, for the same feeds. */
  const expected = async (tensors: EmbeddingTensors, prompt: Prompt) => {
    const feeds = layout.decoderFeeds(tensors, frame, prompt, true);
    const runFeeds = Object.fromEntries(
      Object.entries(feeds).map(([n, f]) => [n, new ort.Tensor(f.type, f.data, [...f.dims])]),
    );
    const outputs = await whole.run(runFeeds);
    return layout
      .selectCandidates(
        Object.fromEntries(
          layout.decoder.outputNames.map((n) => [
            n,
            { data: outputs[n]!.data as Float32Array, dims: outputs[n]!.dims },
          ]),
        ),
        true,
      )
      .map((c) => c.lowRes);
  };
  return { engine, init, layout, frame, expected };
}

/** The input names of every onnxruntime run from here on. */
function recordRuns(): string[][] {
  const runs: string[][] = [];
  // The declared type is a factory; at run time it is the session class.
  const sessionClass = ort.InferenceSession as unknown as { prototype: ort.InferenceSession };
  const original = sessionClass.prototype.run;
  vi.spyOn(sessionClass.prototype, 'run').mockImplementation(function (
    this: ort.InferenceSession,
    ...args: Parameters<ort.InferenceSession['run']>
  ) {
    runs.push(Object.keys(args[0]));
    return original.apply(this, args);
  });
  return runs;
}

function expectClose(got: readonly Float32Array[], want: readonly Float32Array[]) {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    let worst = 0;
    for (let j = 0; j < g.length; j++) worst = Math.max(worst, Math.abs(g[j]! - want[i]![j]!));
    expect(worst).toBeLessThan(1e-4);
  });
}

afterEach(() => vi.restoreAllMocks());

describe('decoder worker: image part once per image (issue 16)', () => {
  for (const model of ['tiny-random', 'sam2-tiny-random']) {
    it(`${model}: clicks run the prompt part; masks equal the whole graph's`, async () => {
      const { engine, init, layout, frame, expected } = await setUp(model);
      expect(init.graphNote).toMatch(/\d+ of \d+ nodes run once per image/);
      const tensors = embedding(layout, 7);
      engine.setEmbedding({ key: 'a', tensors, frame });
      const runs = recordRuns();
      const click = (x: number, y: number, maskInput?: Float32Array): Prompt => ({
        points: [{ point: imagePoint(x, y), label: 1 }],
        ...(maskInput ? { maskInput } : {}),
      });
      const decode = async (prompt: Prompt) =>
        (
          await engine.decode({ key: 'a', prompt: serializePrompt(prompt), multimask: true, output: OUTPUT })
        ).candidates.map((c) => c.lowRes);

      const first = await decode(click(30, 40));
      const second = await decode(click(90, 20));
      const refined = await decode(click(90, 20, second[0]));
      vi.restoreAllMocks();
      // The image part once, then the prompt part per click (not fed the embedding); a mask input runs the
      // whole graph.
      const imageName = layout.imageTensors[0]!.name;
      expect(runs.map((r) => r.includes(imageName))).toEqual([true, false, false, true]);
      expect(runs.map((r) => r.includes('point_coords'))).toEqual([false, true, true, true]);
      expectClose(first, await expected(tensors, click(30, 40)));
      expectClose(second, await expected(tensors, click(90, 20)));
      expectClose(refined, await expected(tensors, click(90, 20, second[0])));
    });
  }

  it('a new embedding under the same key recomputes the image part', async () => {
    const { engine, layout, frame, expected } = await setUp('tiny-random');
    const prompt: Prompt = { points: [{ point: imagePoint(30, 40), label: 1 }] };
    const decode = async () =>
      (
        await engine.decode({ key: 'k', prompt: serializePrompt(prompt), multimask: true, output: OUTPUT })
      ).candidates.map((c) => c.lowRes);
    engine.setEmbedding({ key: 'k', tensors: embedding(layout, 7), frame });
    await decode();
    const other = embedding(layout, 99);
    engine.setEmbedding({ key: 'k', tensors: other, frame });
    expectClose(await decode(), await expected(other, prompt));
  });

  it('is not split when told so (grid lanes of a model with a batch graph)', async () => {
    const { init } = await setUp('tiny-random', false);
    expect(init.graphNote).toBeDefined();
    expect(init.graphNote).not.toMatch(/run once per image/);
  });

  it('a failing prompt part hands over to the whole graph, with a log line', async () => {
    const { engine, layout, frame, expected } = await setUp('tiny-random');
    const tensors = embedding(layout, 7);
    engine.setEmbedding({ key: 'k', tensors, frame });
    const imageName = layout.imageTensors[0]!.name;
    const sessionClass = ort.InferenceSession as unknown as { prototype: ort.InferenceSession };
    const original = sessionClass.prototype.run;
    const runs: string[][] = [];
    vi.spyOn(sessionClass.prototype, 'run').mockImplementation(function (
      this: ort.InferenceSession,
      ...args: Parameters<ort.InferenceSession['run']>
    ) {
      const names = Object.keys(args[0]);
      runs.push(names);
      if (!names.includes(imageName) && names.includes('point_coords'))
        return Promise.reject(new Error('shape mismatch'));
      return original.apply(this, args);
    });
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const prompt: Prompt = { points: [{ point: imagePoint(30, 40), label: 1 }] };
    const decode = async () =>
      (
        await engine.decode({ key: 'k', prompt: serializePrompt(prompt), multimask: true, output: OUTPUT })
      ).candidates.map((c) => c.lowRes);
    const first = await decode();
    const second = await decode();
    vi.restoreAllMocks();
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/split decoder failed \(shape mismatch\)/));
    // Image part, failing prompt part, whole graph; then the whole graph only.
    expect(runs.map((r) => r.includes(imageName))).toEqual([true, false, true, true]);
    const want = await expected(tensors, prompt);
    expectClose(first, want);
    expectClose(second, want);
  });
});
