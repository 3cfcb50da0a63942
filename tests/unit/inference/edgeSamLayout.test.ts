/**
 * EdgeSAM's own decoder layout (issue 15): detected from its three inputs, fed Meta's predictor points (the
 * padding point the graph does not add), no mask input, and candidates chosen and labelled by stability.
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../electron/common/errors.ts';
import { imageBox, imagePoint, modelFrameFor } from '../../../electron/common/frames.ts';
import { LABEL, type Prompt } from '../../../electron/common/prompts.ts';
import { detectLayout } from '../../../electron/inference/layouts/detect.ts';
import { lowResStability } from '../../../electron/inference/layouts/edgeSam.ts';
import type { Outputs } from '../../../electron/inference/layouts/layout.ts';
import { FIXTURES, f32 } from './layoutFixtures.ts';

const adapter = detectLayout('/models/edge', FIXTURES.edgesam);
const frame = modelFrameFor({ width: 2048, height: 1024 }, 1024);
const embedding = { image_embeddings: { data: new Float32Array(256 * 64 * 64), dims: [1, 256, 64, 64] } };

/** Outputs whose token t has `stableCells[t]` logits at 5 (stable) and `shakyCells[t]` at 0.5 (unstable). */
function outputs(stableCells: number[], shakyCells: number[]): Outputs {
  const plane = 256 * 256;
  const masks = new Float32Array(4 * plane).fill(-5);
  for (let t = 0; t < 4; t++) {
    masks.fill(5, t * plane, t * plane + stableCells[t]!);
    masks.fill(0.5, t * plane + stableCells[t]!, t * plane + stableCells[t]! + shakyCells[t]!);
  }
  return {
    scores: { data: Float32Array.of(0.9, 0.8, 0.7, 0.6), dims: [1, 4] },
    masks: { data: masks, dims: [1, 4, 256, 256] },
  };
}

describe('EdgeSAM layout', () => {
  it('is detected from its decoder (not taken for Meta’s) and says candidates rank by stability', () => {
    expect(adapter.kind).toBe('edgesam');
    expect(adapter.encoder).toEqual({ file: 'edge_sam_3x_encoder.onnx', outputNames: ['image_embeddings'] });
    expect(adapter.decoder).toEqual({ file: 'edge_sam_3x_decoder.onnx', outputNames: ['scores', 'masks'] });
    expect(adapter.capabilities).toEqual({
      maskInput: false,
      box: true,
      singleMaskToken: true,
      singleMask: 'most-stable',
      ranking: { by: 'stability', label: 'ranked by stability' },
    });
    expect(adapter.grid).toBeUndefined();
  });

  it('appends the padding point to a point prompt, as Meta’s predictor does and the graph does not', () => {
    const prompt: Prompt = { points: [{ point: imagePoint(200, 100), label: 1 }] };
    const feeds = adapter.decoderFeeds(embedding, frame, prompt, true);
    expect(Object.keys(feeds).sort()).toEqual(['image_embeddings', 'point_coords', 'point_labels']);
    expect(feeds.point_coords!.dims).toEqual([1, 2, 2]);
    expect(Array.from(feeds.point_coords!.data as Float32Array)).toEqual([100, 50, 0, 0]);
    expect(Array.from(feeds.point_labels!.data as Float32Array)).toEqual([1, LABEL.padding]);
  });

  it('feeds a box as its two corners (labels 2, 3) after the points, without padding', () => {
    const prompt: Prompt = {
      points: [{ point: imagePoint(400, 300), label: 0 }],
      box: imageBox(100, 100, 600, 500),
    };
    const feeds = adapter.decoderFeeds(embedding, frame, prompt, false);
    expect(Array.from(feeds.point_coords!.data as Float32Array)).toEqual([200, 150, 50, 50, 300, 250]);
    expect(Array.from(feeds.point_labels!.data as Float32Array)).toEqual([0, 2, 3]);
  });

  it('refuses a mask input with a UserError naming the layout', () => {
    const prompt: Prompt = { points: [], maskInput: new Float32Array(256 * 256) };
    expect(() => adapter.decoderFeeds(embedding, frame, prompt, false)).toThrow(UserError);
    expect(() => adapter.decoderFeeds(embedding, frame, prompt, false)).toThrow(
      /EdgeSAM layout.*no mask input/,
    );
  });

  it('returns tokens 1..3 in decoder order for multimask, with the IoU head as predicted IoU', () => {
    const candidates = adapter.selectCandidates(outputs([10, 10, 10, 10], [0, 0, 0, 0]), true);
    expect(candidates.map((c) => c.token)).toEqual([1, 2, 3]);
    expect(candidates.map((c) => c.predictedIou)).toEqual([0.8, 0.7, 0.6].map(Math.fround));
    expect(candidates[1]!.lowRes.length).toBe(256 * 256);
  });

  it('ranks multimask candidates for the UI by their stability, not by the IoU head (issue 15)', () => {
    const candidates = adapter.selectCandidates(outputs([50, 40, 30, 0], [50, 40, 0, 0]), true);
    expect(candidates.map((c) => c.rankScore)).toEqual(candidates.map((c) => lowResStability(c.lowRes)));
    // Token 2 is all stable although the IoU head rates token 1 higher: the UI shows token 2 first.
    expect(candidates[1]!.rankScore).toBeGreaterThan(candidates[0]!.rankScore!);
    expect(candidates[0]!.predictedIou).toBeGreaterThan(candidates[1]!.predictedIou);
  });

  it('keeps the most stable of the four tokens for a single mask, whatever the IoU head says', () => {
    // Token 0 has the best IoU score but is half unstable; token 2 is all stable; token 3 is empty.
    expect(adapter.selectCandidates(outputs([50, 40, 30, 0], [50, 40, 0, 0]), false)[0]!.token).toBe(2);
    // A tie goes to the first token.
    expect(adapter.selectCandidates(outputs([50, 40, 30, 0], [0, 0, 0, 0]), false)[0]!.token).toBe(0);
  });

  it('scores stability as Meta does, and an empty mask as 0 rather than 0/0', () => {
    expect(lowResStability(Float32Array.of(5, 5, 0.5, -5))).toBeCloseTo(2 / 3);
    expect(lowResStability(Float32Array.of(-5, -5))).toBe(0);
  });

  it('is not matched when the decoder has a mask input (Meta’s layout takes that)', () => {
    const meta = detectLayout('/models/meta', FIXTURES['sam-annotate']);
    expect(meta.kind).toBe('sam-annotate');
    const extra = FIXTURES.edgesam.map((g) =>
      g.file.includes('decoder')
        ? { ...g, graph: { ...g.graph, inputs: [...g.graph.inputs, f32('mask_input', [1, 1, 256, 256])] } }
        : g,
    );
    expect(() => detectLayout('/models/odd', extra)).toThrow(/unknown model layout/);
  });
});
