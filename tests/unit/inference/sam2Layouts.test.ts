/**
 * The SAM 2 layouts without a model (graph signatures from layoutFixtures.ts): detection and its one-line errors
 * for broken SAM 2 folders, the stretch preprocessing, prompt feeds per layout (box corners first, padding point
 * in the graph or ours, mask input clamped to ±32, B's orig_im_size int64 and its full-resolution output never
 * fetched), encoder outputs matched by name, and Meta's single-mask token rule.
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../electron/common/errors.ts';
import { sam2ModelInput } from '../../../electron/common/floatResize.ts';
import { imageBox, imagePoint, stretchFrameFor } from '../../../electron/common/frames.ts';
import { detectLayout } from '../../../electron/inference/layouts/detect.ts';
import type { EmbeddingTensors } from '../../../electron/inference/layouts/layout.ts';
import { lowResStability, sam2Candidates } from '../../../electron/inference/layouts/sam2.ts';
import type { ModelGraph } from '../../../electron/inference/layouts/signature.ts';
import { FIXTURES, f32 } from './layoutFixtures.ts';

const width = 40;
const height = 30;
const rgb = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 37) % 256);
const frame = stretchFrameFor({ width, height }, 1024);

function embeddingFor(kind: keyof typeof FIXTURES): EmbeddingTensors {
  const adapter = detectLayout('/m', FIXTURES[kind]);
  return Object.fromEntries(
    adapter.imageTensors.map((s) => [s.name, { data: new Float32Array(1), dims: s.dims }]),
  );
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

const sam2Kinds = ['sam2', 'sam2-samexporter', 'sam2-rectlabel', 'sam2-transformers.js'] as const;

describe('SAM 2 layouts', () => {
  it.each(sam2Kinds)(
    '%s preprocesses as SAM2Transforms: stretch to S×S, float, ImageNet statistics',
    (kind) => {
      const adapter = detectLayout('/m', FIXTURES[kind]);
      const { feeds, frame: got } = adapter.preprocess(rgb, width, height);
      expect(got).toEqual(frame);
      const [name] = Object.keys(feeds);
      expect(feeds[name!]!.dims).toEqual([1, 3, 1024, 1024]);
      const expected = sam2ModelInput(rgb, width, height, 1024);
      expect(Buffer.from(feeds[name!]!.data.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
    },
  );

  it.each(sam2Kinds)('%s reports its capabilities', (kind) => {
    const { capabilities, family } = detectLayout('/m', FIXTURES[kind]);
    expect(family).toBe('sam2');
    const fourTokens = kind === 'sam2' || kind === 'sam2-rectlabel';
    expect(capabilities).toEqual({
      box: true,
      maskInput: kind !== 'sam2-transformers.js',
      singleMaskToken: fourTokens,
      singleMask: fourTokens ? 'token0-unless-unstable' : 'best-of-3',
    });
  });

  it("matches layout A's encoder outputs by name, whatever their order", () => {
    const adapter = detectLayout('/m', FIXTURES['sam2-samexporter']);
    const t = (v: number, dims: number[]) => ({ data: Float32Array.of(v), dims });
    const tensors = adapter.embeddingFrom({
      high_res_feats_0: t(0, [1]),
      high_res_feats_1: t(1, [1]),
      image_embed: t(2, [1]),
    });
    expect(tensors.image_embed!.data[0]).toBe(2);
    expect(tensors.high_res_feats_0!.data[0]).toBe(0);
    expect(adapter.encoder.outputNames).toEqual(['image_embed', 'high_res_feats_0', 'high_res_feats_1']);
  });

  it('feeds box corners (2, 3) before the clicks, no padding point, mask input clamped to ±32', () => {
    const adapter = detectLayout('/m', FIXTURES.sam2);
    const maskInput = new Float32Array(256 * 256).fill(-50);
    maskInput[1] = 7;
    const feeds = adapter.decoderFeeds(
      embeddingFor('sam2'),
      frame,
      { points: [{ point: imagePoint(10, 15), label: 0 }], box: imageBox(4, 3, 20, 27), maskInput },
      false,
    );
    expect([...feeds.point_labels!.data]).toEqual([2, 3, 0]);
    expect([...feeds.point_coords!.data]).toEqual([102.4, 102.4, 512, 921.6, 256, 512].map(Math.fround));
    expect(feeds.mask_input!.data[0]).toBe(-32);
    expect(feeds.mask_input!.data[1]).toBe(7);
    expect([...feeds.has_mask_input!.data]).toEqual([1]);
    expect(feeds.orig_im_size).toBeUndefined();
  });

  it('rectlabel: orig_im_size is int64, and the full-resolution masks output is never fetched', () => {
    const adapter = detectLayout('/m', FIXTURES['sam2-rectlabel']);
    const feeds = adapter.decoderFeeds(
      embeddingFor('sam2-rectlabel'),
      frame,
      { points: [{ point: imagePoint(10, 15), label: 1 }] },
      true,
    );
    expect(feeds.orig_im_size!.type).toBe('int64');
    expect(adapter.decoder.outputNames).toEqual(['iou_predictions', 'low_res_masks']);
  });

  it('transformers.js: Meta assembly as points with our padding point, no boxes, int64 labels', () => {
    const adapter = detectLayout('/m', FIXTURES['sam2-transformers.js']);
    const feeds = adapter.decoderFeeds(
      embeddingFor('sam2-transformers.js'),
      frame,
      { points: [{ point: imagePoint(10, 15), label: 1 }], box: imageBox(4, 3, 20, 27) },
      true,
    );
    expect(feeds.input_labels!.type).toBe('int64');
    expect([...feeds.input_labels!.data]).toEqual([2n, 3n, 1n, -1n]);
    expect(feeds.input_points!.dims).toEqual([1, 1, 4, 2]);
    expect([...feeds.input_points!.data].slice(6)).toEqual([0, 0]);
    expect(feeds.input_boxes!.dims).toEqual([1, 0, 4]);
    expect(() =>
      adapter.decoderFeeds(
        embeddingFor('sam2-transformers.js'),
        frame,
        { points: [{ point: imagePoint(1, 1), label: 1 }], maskInput: new Float32Array(256 * 256) },
        false,
      ),
    ).toThrow(UserError);
  });
});

describe("Meta's single-mask token rule", () => {
  const L = 4;
  // Token planes: 0 unstable (values straddle ±0.05) or stable, 1..3 anything.
  const masks = (token0: number[]) => ({
    data: Float32Array.from([...token0, ...new Array(3 * L * L).fill(1)]),
    dims: [1, 4, L, L],
  });
  const iou = { data: Float32Array.of(0.9, 0.2, 0.7, 0.5), dims: [1, 4] };
  const stable = new Array(L * L).fill(5);
  const unstable = [...new Array(L * L - 1).fill(5), 0.01]; // one of 16 pixels between −0.05 and 0.05

  it('stability is count(> 0.05) / count(> −0.05), 1 when nothing is above −0.05', () => {
    expect(lowResStability(Float32Array.from(unstable))).toBe(Math.fround(15 / 16));
    expect(lowResStability(new Float32Array(4).fill(-1))).toBe(1);
  });

  it('returns token 0 when stable, else the best of tokens 1..3 by predicted IoU; multimask 1..3', () => {
    expect(sam2Candidates(iou, masks(stable), 4, false).map((c) => c.token)).toEqual([0]);
    expect(sam2Candidates(iou, masks(unstable), 4, false).map((c) => c.token)).toEqual([2]);
    expect(sam2Candidates(iou, masks(stable), 4, true).map((c) => c.token)).toEqual([1, 2, 3]);
  });

  it('without token 0 in the graph: multimask all three, single the best of them', () => {
    const three = { data: Float32Array.of(0.2, 0.7, 0.5), dims: [1, 3] };
    const m = { data: new Float32Array(3 * L * L), dims: [1, 3, L, L] };
    expect(sam2Candidates(three, m, 3, true).map((c) => c.token)).toEqual([1, 2, 3]);
    expect(sam2Candidates(three, m, 3, false).map((c) => [c.token, c.predictedIou])).toEqual([
      [2, Math.fround(0.7)],
    ]);
  });
});

describe('broken SAM 2 folders', () => {
  const [encoder, decoder] = FIXTURES.sam2 as [ModelGraph, ModelGraph];

  it('names the file, what it lacks, what it has and what was expected, in one line', () => {
    const broken: ModelGraph = {
      ...decoder,
      graph: { ...decoder.graph, inputs: decoder.graph.inputs.filter((i) => i.name !== 'has_mask_input') },
    };
    const error = errorOf(() => detectLayout('/models/s2', [encoder, broken]));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).not.toContain('\n');
    expect(error.message).toContain(
      'model folder /models/s2: decoder.onnx looks like a SAM 2 graph but lacks has_mask_input. Found inputs (image_embed',
    );
    expect(error.message).toContain('expected a SAM 2 layout (sam2: encoder image → image_embed');
    expect(() => detectLayout('/m', FIXTURES['sam2-rectlabel'])).not.toThrow();
  });

  it('says when the second graph is missing', () => {
    const error = errorOf(() => detectLayout('/models/s2', [decoder]));
    expect(error.message).toMatch(/decoder\.onnx looks like a SAM 2 graph but has no matching second graph/);
  });

  it('asks for a manifest when the token count cannot be read from the graph', () => {
    const dynamic: ModelGraph = {
      ...decoder,
      graph: {
        ...decoder.graph,
        outputs: [f32('masks', [1, 't', 256, 256]), f32('iou_predictions', [1, 't'])],
      },
    };
    expect(errorOf(() => detectLayout('/models/s2', [encoder, dynamic])).message).toContain(
      'decoder.onnx has iou_predictions of shape [1,t]; expected [1, 4] (sam2) or [N, 3] (sam2-samexporter), or a manifest.json naming the layout',
    );
  });
});
