/**
 * The layout registry is the single list (issue 14): detection finds each registered layout from its graphs'
 * names and shapes, and an unknown folder gets one line naming the files, what was found and what every
 * registered layout expects. Graph signatures are written out here (no ONNX needed).
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../electron/common/errors.ts';
import { detectLayout } from '../../../electron/inference/layouts/detect.ts';
import { tensorSetBytes } from '../../../electron/inference/layouts/layout.ts';
import { LAYOUTS } from '../../../electron/inference/layouts/registry.ts';
import type { ModelGraph } from '../../../electron/inference/layouts/signature.ts';
import { FIXTURES, f32, i64 } from './layoutFixtures.ts';

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
        if (entry.family === 'sam1') {
          // SAM-HQ also keeps one ViT block's features (samHqLayout.test.ts checks them).
          const embeddings = adapter.imageTensors.filter((s) => s.name !== 'interm_embeddings');
          for (const spec of embeddings) expect(spec.dims).toEqual([1, 256, 64, 64]);
          expect(tensorSetBytes(embeddings)).toBe(embeddings.length * 4 * 1024 ** 2);
        } else {
          // SAM 2: the embedding and the stride-4 and stride-8 features, 16 MiB per image
          expect(adapter.imageTensors.map((s) => s.dims)).toEqual([
            [1, 256, 64, 64],
            [1, 32, 256, 256],
            [1, 64, 128, 128],
          ]);
          expect(tensorSetBytes(adapter.imageTensors)).toBe(16 * 1024 ** 2);
        }
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
