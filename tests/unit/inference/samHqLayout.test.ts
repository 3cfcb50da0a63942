/**
 * SAM-HQ's layout (issue 15): detected before Meta's (its decoder has Meta's inputs too), caches the embedding
 * and the first global block's features only, feeds them back as the graph's fixed [K,1,g,g,D] input with zeros
 * for the blocks the graph does not read, and returns the graph's one mask.
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../electron/common/errors.ts';
import { imagePoint, modelFrameFor } from '../../../electron/common/frames.ts';
import { detectLayout } from '../../../electron/inference/layouts/detect.ts';
import { tensorSetBytes } from '../../../electron/inference/layouts/layout.ts';
import type { ModelGraph } from '../../../electron/inference/layouts/signature.ts';
import { FIXTURES, f32 } from './layoutFixtures.ts';

const adapter = detectLayout('/models/hq', FIXTURES['sam-hq']);
const block = 64 * 64 * 768;

describe('SAM-HQ layout', () => {
  it('is detected, not taken for Meta’s layout, and caches the embedding plus one block of ViT features', () => {
    expect(adapter.kind).toBe('sam-hq');
    expect(adapter.capabilities).toEqual({
      maskInput: true,
      box: true,
      singleMaskToken: false,
      singleMask: 'in-graph',
    });
    expect(adapter.encoder.outputNames).toEqual(['image_embeddings', 'interm_embeddings']);
    expect(adapter.decoder.outputNames).toEqual(['iou_predictions', 'low_res_masks']);
    expect(adapter.imageTensors.map((s) => s.dims)).toEqual([
      [1, 256, 64, 64],
      [1, 1, 64, 64, 768],
    ]);
    expect(tensorSetBytes(adapter.imageTensors)).toBe(4 * 1024 ** 2 + 4 * block);
  });

  it('keeps block 0 of the stacked encoder output and feeds it back with zeros for blocks 1..3', () => {
    const stacked = new Float32Array(4 * block).map((_, i) => Math.floor(i / block) + 1); // block k holds k + 1
    const embedding = adapter.embeddingFrom({
      image_embeddings: { data: new Float32Array(256 * 64 * 64), dims: [1, 256, 64, 64] },
      interm_embeddings: { data: stacked, dims: [4, 1, 64, 64, 768] },
    });
    expect(embedding.interm_embeddings!.dims).toEqual([1, 1, 64, 64, 768]);
    expect(embedding.interm_embeddings!.data.every((v) => v === 1)).toBe(true);

    const frame = modelFrameFor({ width: 1024, height: 512 }, 1024);
    const prompt = { points: [{ point: imagePoint(10, 20), label: 1 as const }] };
    const feeds = adapter.decoderFeeds(embedding, frame, prompt, true);
    expect(Object.keys(feeds).sort()).toEqual([
      'has_mask_input',
      'image_embeddings',
      'interm_embeddings',
      'mask_input',
      'orig_im_size',
      'point_coords',
      'point_labels',
    ]);
    const interm = feeds.interm_embeddings!;
    expect(interm.dims).toEqual([4, 1, 64, 64, 768]);
    const data = interm.data as Float32Array;
    expect(data.subarray(0, block).every((v) => v === 1)).toBe(true);
    expect(data.subarray(block).every((v) => v === 0)).toBe(true);
    expect(Array.from(feeds.point_labels!.data as Float32Array)).toEqual([1, -1]); // Meta's padding point
  });

  it('returns the graph’s one mask whether or not multimask is asked', () => {
    const outputs = {
      iou_predictions: { data: Float32Array.of(0.75), dims: [1, 1] },
      low_res_masks: { data: new Float32Array(256 * 256).fill(2), dims: [1, 1, 256, 256] },
    };
    for (const multimask of [true, false]) {
      const candidates = adapter.selectCandidates(outputs, multimask);
      expect(candidates).toHaveLength(1);
      expect(candidates[0]).toMatchObject({ token: -1, predictedIou: 0.75 });
      expect(candidates[0]!.lowRes.length).toBe(256 * 256);
    }
  });

  it('says which file lacks the block features when the encoder returns only the embedding', () => {
    const graphs: ModelGraph[] = FIXTURES['sam-hq'].map((g) =>
      g.file.includes('encoder')
        ? { ...g, graph: { ...g.graph, outputs: [f32('image_embeddings', [1, 256, 64, 64])] } }
        : g,
    );
    expect(() => detectLayout('/models/hq', graphs)).toThrow(UserError);
    expect(() => detectLayout('/models/hq', graphs)).toThrow(
      /sam_hq_vit_b\.encoder\.onnx returns only image_embeddings; a SAM-HQ encoder must also return/,
    );
  });
});

describe('SAM-HQ with its preprocessing in the encoder graph (X-AnyLabeling sam_hq exports)', () => {
  it('is refused by name instead of loading as a Meta pair that fails at the first click', () => {
    const [encoder, decoder] = FIXTURES['sam-hq'];
    const folder: ModelGraph[] = [
      {
        file: 'sam_hq_vit_b.encoder.onnx',
        graph: {
          inputs: [f32('input_image', ['image_height', 'image_width', 3])],
          outputs: encoder!.graph.outputs,
        },
      },
      decoder!,
    ];
    expect(() => detectLayout('/models/hq-xany', folder)).toThrow(UserError);
    expect(() => detectLayout('/models/hq-xany', folder)).toThrow(/interm_embeddings/);
  });
});
