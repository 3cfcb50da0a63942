/**
 * The layout registry is the single list (issue 14): detection finds each registered layout from its graphs'
 * names and shapes, and an unknown folder gets one line naming the files, what was found and what every
 * registered layout expects. Graph signatures are written out here (no ONNX needed).
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../electron/common/errors.ts';
import { detectLayout } from '../../../electron/inference/layouts/detect.ts';
import { tensorSetBytes } from '../../../electron/inference/layouts/layout.ts';
import { LAYOUTS, type LayoutKind } from '../../../electron/inference/layouts/registry.ts';
import type { ModelGraph, TensorSignature } from '../../../electron/inference/layouts/signature.ts';

const f32 = (name: string, shape: Array<number | string>): TensorSignature => ({
  name,
  type: 'float32',
  shape,
});
const i64 = (name: string, shape: Array<number | string>): TensorSignature => ({
  name,
  type: 'int64',
  shape,
});

/** One folder's graphs per registered layout: a `Record` so a layout added without a fixture does not compile. */
const FIXTURES: Record<LayoutKind, ModelGraph[]> = {
  'sam-annotate': [
    {
      file: 'encoder.onnx',
      graph: {
        inputs: [f32('input_image', [1, 3, 1024, 1024])],
        outputs: [f32('image_embeddings', [1, 256, 64, 64])],
      },
    },
    {
      file: 'decoder.onnx',
      graph: {
        inputs: [
          f32('image_embeddings', [1, 256, 64, 64]),
          f32('point_coords', [1, 'n', 2]),
          f32('point_labels', [1, 'n']),
          f32('mask_input', [1, 1, 256, 256]),
          f32('has_mask_input', [1]),
          f32('orig_im_size', [2]),
        ],
        outputs: [
          f32('masks', [1, 4, 'h', 'w']),
          f32('iou_predictions', [1, 4]),
          f32('low_res_masks', [1, 4, 256, 256]),
        ],
      },
    },
  ],
  'transformers.js': [
    {
      file: 'vision_encoder.onnx',
      graph: {
        inputs: [f32('pixel_values', ['b', 3, 1024, 1024])],
        outputs: [
          f32('image_embeddings', ['b', 256, 64, 64]),
          f32('image_positional_embeddings', ['b', 256, 64, 64]),
        ],
      },
    },
    {
      file: 'prompt_encoder_mask_decoder.onnx',
      graph: {
        inputs: [
          f32('image_embeddings', ['b', 256, 64, 64]),
          f32('image_positional_embeddings', ['b', 256, 64, 64]),
          f32('input_points', ['b', 'p', 'n', 2]),
          i64('input_labels', ['b', 'p', 'n']),
        ],
        outputs: [f32('iou_scores', ['b', 'p', 3]), f32('pred_masks', ['b', 'p', 3, 256, 256])],
      },
    },
  ],
};

describe('layout registry', () => {
  it('has a fixture for every registered layout, and kinds are unique', () => {
    const kinds = LAYOUTS.map((l) => l.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(Object.keys(FIXTURES).sort()).toEqual([...kinds].sort());
  });

  for (const entry of LAYOUTS) {
    it(`detects ${entry.kind} from its graphs, in any file order, with the declared tensor set`, () => {
      const graphs = FIXTURES[entry.kind];
      for (const order of [graphs, [...graphs].reverse()]) {
        const adapter = detectLayout('/models/x', order);
        expect(adapter.kind).toBe(entry.kind);
        expect(adapter.family).toBe(entry.family);
        expect(adapter.geometry).toEqual({ inputSize: 1024, channels: 256, grid: 64, lowResSize: 256 });
        for (const spec of adapter.imageTensors) expect(spec.dims).toEqual([1, 256, 64, 64]);
        expect(tensorSetBytes(adapter.imageTensors)).toBe(adapter.imageTensors.length * 4 * 1024 ** 2);
      }
    });
  }

  it('names the files, what it found and what every registered layout expects, in one line', () => {
    const graphs: ModelGraph[] = [
      { file: 'sub/a.onnx', graph: { inputs: [f32('x', [1, 3])], outputs: [f32('y', [1])] } },
      { file: 'b.onnx', graph: { inputs: [f32('image', [1, 3, 512, 512])], outputs: [i64('z', [2])] } },
    ];
    let error: unknown;
    try {
      detectLayout('/models/odd', graphs);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toContain(
      'model folder /models/odd: unknown model layout. Found a.onnx: inputs (x: float32[1,3]) → outputs (y: float32[1]) | b.onnx: inputs (image: float32[1,3,512,512]) → outputs (z: int64[2]); expected either ',
    );
    for (const entry of LAYOUTS) expect(message).toContain(entry.expected);
  });

  it('says so when there are no ONNX files', () => {
    expect(() => detectLayout('/models/empty', [])).toThrow(/Found no ONNX files; expected either/);
  });
});
