/**
 * Issue 15: the fast variants' adapters. An encoder that preprocesses in its graph gets what its exporter's caller
 * feeds (samexporter --use-preprocess: the image resized to the long side, float 0–255 HWC; X-AnyLabeling's
 * EfficientViT-SAM: the raw uint8 HWC image), and the official EfficientViT-SAM export gets a Se-side encoder input
 * while prompts and masks stay in the decoder's 1024 frame. Graph signatures are written out (no ONNX needed).
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../electron/common/errors.ts';
import { imagePoint, stretchFrameFor } from '../../../electron/common/frames.ts';
import { resizeLongestSide, toModelInput } from '../../../electron/common/modelInput.ts';
import { detectLayout } from '../../../electron/inference/layouts/detect.ts';
import type { ModelGraph } from '../../../electron/inference/layouts/signature.ts';
import { FIXTURES, f32, i64, u8 } from './layoutFixtures.ts';

const width = 40;
const height = 30;
const rgb = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 37) % 256);
const frame1024 = {
  kind: 'longest-side',
  image: { width, height },
  inputSize: 1024,
  resized: { width: 1024, height: 768 },
};

/** X-AnyLabeling's EfficientViT-SAM pair: a raw-uint8 encoder with Meta's decoder. */
const xAnyLabelingEfficientVit: ModelGraph[] = [
  {
    file: 'efficientvit_sam_l0_vit_h.encoder.onnx',
    graph: {
      inputs: [u8('input_image', ['h', 'w', 3])],
      outputs: [f32('image_embeddings', [1, 256, 64, 64])],
    },
  },
  { ...FIXTURES['preprocess-in-graph'][1]!, file: 'efficientvit_sam_l0_vit_h.decoder.onnx' },
];

describe('preprocess-in-graph layout', () => {
  it('feeds a float32 [h,w,3] encoder the image resized to the long side, RGB 0–255 (samexporter)', () => {
    const adapter = detectLayout('/models/mobile', FIXTURES['preprocess-in-graph']);
    const { feeds, frame } = adapter.preprocess(rgb, width, height);
    expect(frame).toEqual(frame1024);
    const { resized } = resizeLongestSide(rgb, { width, height }, 1024);
    expect(Object.keys(feeds)).toEqual(['input_image']);
    expect(feeds.input_image!.type).toBe('float32');
    expect(feeds.input_image!.dims).toEqual([768, 1024, 3]);
    const expected = Float32Array.from(resized);
    expect(Buffer.from(feeds.input_image!.data.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
  });

  it("feeds a uint8 [H,W,3] encoder the raw image, in the decoder's 1024 frame (X-AnyLabeling EfficientViT-SAM)", () => {
    const adapter = detectLayout('/models/evit', xAnyLabelingEfficientVit);
    expect(adapter.kind).toBe('preprocess-in-graph');
    const { feeds, frame } = adapter.preprocess(rgb, width, height);
    expect(frame).toEqual(frame1024);
    expect(feeds.input_image).toMatchObject({ type: 'uint8', dims: [height, width, 3] });
    expect(feeds.input_image!.data).toEqual(rgb);
    expect(feeds.input_image!.data).not.toBe(rgb);
  });

  it("keeps Meta's decoder contract: mask input, box, all four tokens", () => {
    const adapter = detectLayout('/models/mobile', FIXTURES['preprocess-in-graph']);
    expect(adapter.capabilities).toEqual({
      maskInput: true,
      box: true,
      singleMaskToken: true,
      singleMask: 'token0',
    });
    const stretch = stretchFrameFor({ width, height }, 1024);
    expect(() => adapter.postprocess.toMask(new Float32Array(256 * 256), stretch, {})).toThrow(
      /'longest-side'/,
    );
    expect(
      Object.keys(
        adapter.decoderFeeds(
          { image_embeddings: { data: new Float32Array(256 * 64 * 64), dims: [1, 256, 64, 64] } },
          adapter.preprocess(rgb, width, height).frame,
          { points: [{ point: imagePoint(10, 10), label: 1 }] },
          true,
        ),
      ).sort(),
    ).toEqual([
      'has_mask_input',
      'image_embeddings',
      'mask_input',
      'orig_im_size',
      'point_coords',
      'point_labels',
    ]);
  });

  it('feeds a uint8 [1,3,h,w] encoder the resized image, planar bytes (X-AnyLabeling EdgeSAM-style)', () => {
    const nchw: ModelGraph[] = [
      {
        file: 'e.onnx',
        graph: { inputs: [u8('input_image', [1, 3, 'h', 'w'])], outputs: [f32('x', [1, 256, 64, 64])] },
      },
      FIXTURES['preprocess-in-graph'][1]!,
    ];
    const { feeds, frame } = detectLayout('/models/nchw', nchw).preprocess(rgb, width, height);
    expect(frame).toEqual(frame1024);
    const { resized } = resizeLongestSide(rgb, { width, height }, 1024);
    const feed = feeds.input_image!;
    expect(feed).toMatchObject({ type: 'uint8', dims: [1, 3, 768, 1024] });
    const plane = 768 * 1024;
    for (const i of [0, 1, 5000, plane - 1])
      for (const c of [0, 1, 2]) expect(feed.data[c * plane + i]).toBe(resized[3 * i + c]);
  });

  it('leaves a pre-padded uint8 [1,3,S,S] or an int64 image input alone', () => {
    for (const input of [u8('input_image', [1, 3, 1024, 1024]), i64('input_image', ['h', 'w', 3])]) {
      const graphs: ModelGraph[] = [
        { file: 'e.onnx', graph: { inputs: [input], outputs: [f32('x', [1, 256, 64, 64])] } },
        FIXTURES['preprocess-in-graph'][1]!,
      ];
      expect(() => detectLayout('/models/odd', graphs)).toThrow(UserError);
    }
  });
});

describe('efficientvit-sam layout (official export)', () => {
  const adapter = detectLayout('/models/evit', FIXTURES['efficientvit-sam']);
  const embedding = { image_embeddings: { data: new Float32Array(256 * 64 * 64), dims: [1, 256, 64, 64] } };

  it('feeds the encoder at its own side (512) but returns the decoder frame (1024)', () => {
    const { feeds, frame } = adapter.preprocess(rgb, width, height);
    expect(frame).toEqual(frame1024);
    const small = resizeLongestSide(rgb, { width, height }, 512);
    const expected = toModelInput(small.resized, small.frame);
    expect(feeds.input_image!.dims).toEqual([1, 3, 512, 512]);
    expect(Buffer.from(feeds.input_image!.data.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
  });

  it('sends only the three official inputs, points in the 1024 frame with the padding point, no mask input', () => {
    const { frame } = adapter.preprocess(rgb, width, height);
    const feeds = adapter.decoderFeeds(
      embedding,
      frame,
      { points: [{ point: imagePoint(20, 15), label: 1 }] },
      true,
    );
    expect(Object.keys(feeds).sort()).toEqual(['image_embeddings', 'point_coords', 'point_labels']);
    expect(Array.from(feeds.point_coords!.data as Float32Array)).toEqual([512, 384, 0, 0]);
    expect(Array.from(feeds.point_labels!.data as Float32Array)).toEqual([1, -1]);
    expect(adapter.capabilities).toEqual({
      maskInput: false,
      box: true,
      singleMaskToken: true,
      singleMask: 'token0',
    });
    const refine = {
      points: [{ point: imagePoint(20, 15), label: 1 as const }],
      maskInput: new Float32Array(256 * 256),
    };
    expect(() => adapter.decoderFeeds(embedding, frame, refine, false)).toThrow(/no mask input/);
  });

  it('reads the low-res `masks` output by token: 1..3 multimask, 0 single', () => {
    const plane = 256 * 256;
    const masks = new Float32Array(4 * plane).map((_, i) => Math.floor(i / plane));
    const outputs = {
      masks: { data: masks, dims: [1, 4, 256, 256] },
      iou_predictions: { data: Float32Array.of(0.1, 0.2, 0.3, 0.4), dims: [1, 4] },
    };
    const multi = adapter.selectCandidates(outputs, true);
    expect(multi.map((c) => [c.token, c.predictedIou, c.lowRes[0]])).toEqual([
      [1, Math.fround(0.2), 1],
      [2, Math.fround(0.3), 2],
      [3, Math.fround(0.4), 3],
    ]);
    expect(adapter.selectCandidates(outputs, false).map((c) => c.token)).toEqual([0]);
  });

  it('refuses a SAM 2 (stretch) frame, and an encoder larger than the decoder frame', () => {
    const frame = stretchFrameFor({ width, height }, 1024);
    expect(() => adapter.postprocess.toMask(new Float32Array(256 * 256), frame, {})).toThrow(
      /'longest-side'/,
    );
    const big = structuredClone(FIXTURES['efficientvit-sam']);
    (big[0]!.graph.inputs as unknown[])[0] = f32('input_image', [1, 3, 2048, 2048]);
    expect(() => detectLayout('/models/big', big)).toThrow(
      /encoder takes 2048×2048, larger than the decoder's 1024 frame/,
    );
  });

  it('takes an XL export (1024 encoder) as is, and a --return-single-mask decoder as one unknown token', () => {
    const xl = structuredClone(FIXTURES['efficientvit-sam']);
    (xl[0]!.graph.inputs as unknown[])[0] = f32('input_image', [1, 3, 1024, 1024]);
    const single = xl[1]!.graph.outputs as unknown[];
    single[0] = f32('masks', ['batch_size', 1, 256, 256]);
    single[1] = f32('iou_predictions', ['batch_size', 1]);
    const adapter = detectLayout('/models/xl', xl);
    expect(adapter.preprocess(rgb, width, height).feeds.input_image!.dims).toEqual([1, 3, 1024, 1024]);
    expect(adapter.capabilities.singleMaskToken).toBe(false);
    expect(adapter.grid).toBeUndefined();
    const outputs = {
      masks: { data: new Float32Array(256 * 256).fill(2), dims: [1, 1, 256, 256] },
      iou_predictions: { data: Float32Array.of(0.5), dims: [1, 1] },
    };
    expect(
      adapter.selectCandidates(outputs, true).map((c) => [c.token, c.predictedIou, c.lowRes[7]]),
    ).toEqual([[-1, 0.5, 2]]);
  });

  it('counts the tokens from the outputs when the graph leaves that axis symbolic', () => {
    const symbolic = structuredClone(FIXTURES['efficientvit-sam']);
    const outs = symbolic[1]!.graph.outputs as unknown[];
    outs[0] = f32('masks', ['b', 'Unsqueezemasks_dim_1', 256, 256]);
    outs[1] = f32('iou_predictions', ['b', 'Unsqueezeiou_predictions_dim_1']);
    const adapter = detectLayout('/models/sym', symbolic);
    const outputs = {
      masks: { data: new Float32Array(256 * 256).fill(3), dims: [1, 1, 256, 256] },
      iou_predictions: { data: Float32Array.of(0.25), dims: [1, 1] },
    };
    expect(
      adapter.selectCandidates(outputs, true).map((c) => [c.token, c.predictedIou, c.lowRes.length]),
    ).toEqual([[-1, 0.25, 256 * 256]]);
  });
});
