/**
 * Issue 15: the fast CPU variants in the layouts other tools publish, loaded from downloaded-style folders (no
 * manifest), against their PyTorch references (native-models/tools/make_fast_variant_fixtures.py): tiny random
 * MobileSAM (TinyViT) and EfficientViT-SAM models exported by our own exporter in each tool's exact layout.
 */
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { imagePoint, modelFrameFor } from '../../electron/common/frames.ts';
import { FileHashCache } from '../../electron/inference/fileHash.ts';
import type { Feeds, Outputs } from '../../electron/inference/layouts/layout.ts';
import { openModelFolder } from '../../electron/inference/modelFolder.ts';
import { fixturesDir } from '../helpers/paths.ts';
import { referenceSuite } from '../helpers/referenceSuite.ts';

const tolerances = {
  decoderMaskIou: 0.999,
  endToEndMaskIou: 0.999,
  iou: 1e-4,
  decoderLogits: 1e-4,
  endToEndLogits: 1e-3,
  stability: 1e-3,
};

const suite = (layout: string) => ({
  dir: path.join(fixturesDir, 'reference', 'fast', layout),
  model: () => path.join(fixturesDir, 'models', layout),
  tolerances,
});

describe('MobileSAM, samexporter --use-preprocess encoder (float32 [h,w,3]) + Meta decoder, vs PyTorch', () => {
  referenceSuite(suite('mobile-sam-preprocess'));
});

describe("EfficientViT-SAM, X-AnyLabeling's uint8 [H,W,3] encoder + Meta decoder, vs PyTorch", () => {
  referenceSuite(suite('efficientvit-xanylabeling'));
});

describe('EfficientViT-SAM, official export (Se = S/2 encoder, 3-in/2-out decoder), vs PyTorch', () => {
  // No mask input in this decoder: the fixture has no refinement prompt.
  referenceSuite(suite('efficientvit-official'));
});

describe('EfficientViT-SAM official decoder as the automatic-mask grid decoder', () => {
  it('decodes B one-point prompts in one run exactly as B single runs', async () => {
    const folder = await openModelFolder(
      path.join(fixturesDir, 'models', 'efficientvit-official'),
      new FileHashCache(),
    );
    const { layout } = folder;
    const grid = layout.grid!;
    expect(grid.file).toBe(layout.decoder.file);
    const session = await ort.InferenceSession.create(path.join(folder.dir, layout.decoder.file));
    const run = async (feeds: Feeds): Promise<Outputs> => {
      const tensors = Object.fromEntries(
        Object.entries(feeds).map(([k, f]) => [k, new ort.Tensor(f.type, f.data, [...f.dims])]),
      );
      const out = await session.run(tensors);
      return Object.fromEntries(
        Object.entries(out).map(([k, t]) => [k, { data: t.data as Float32Array, dims: t.dims }]),
      );
    };
    const frame = modelFrameFor({ width: 320, height: 183 }, layout.geometry.inputSize);
    const g = layout.geometry;
    const seed = Float32Array.from({ length: g.channels * g.grid * g.grid }, (_, i) => Math.sin(i));
    const embedding = { image_embeddings: { data: seed, dims: [1, g.channels, g.grid, g.grid] } };
    const points = Float64Array.of(90, 80, 235, 90, 10.5, 170);
    const batched = grid.candidates(await run(grid.feeds(embedding, frame, points)), 3);
    for (let i = 0; i < 3; i++) {
      const prompt = {
        points: [{ point: imagePoint(points[2 * i]!, points[2 * i + 1]!), label: 1 as const }],
      };
      const single = layout.selectCandidates(
        await run(layout.decoderFeeds(embedding, frame, prompt, true)),
        true,
      );
      expect(batched[i]!.map((c) => c.token)).toEqual(single.map((c) => c.token));
      batched[i]!.forEach((c, j) => {
        expect(Math.abs(c.predictedIou - single[j]!.predictedIou)).toBeLessThan(1e-5);
        const worst = c.lowRes.reduce((m, v, k) => Math.max(m, Math.abs(v - single[j]!.lowRes[k]!)), 0);
        expect(worst).toBeLessThan(1e-4);
      });
    }
  });
});
