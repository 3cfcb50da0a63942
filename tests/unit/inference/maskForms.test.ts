/**
 * Issue 16: a click's candidates are upsampled once each. When the preview the UI asked for is as large as the
 * image (a photo smaller than the screen), the full-resolution mask serves as the preview too; the forms are the
 * same as computed apart.
 */
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { imagePoint, modelFrameFor } from '../../../electron/common/frames.ts';
import { compressRle } from '../../../electron/common/rle.ts';
import { SAM1_POSTPROCESS } from '../../../electron/inference/layouts/sam1.ts';
import type { Engine } from '../../../electron/inference/worker/engine.ts';
import { previewFrameOf } from '../../../electron/inference/worker/maskForms.ts';
import { serializePrompt } from '../../../electron/inference/worker/serializedPrompt.ts';
import { decoderEngine } from '../../helpers/decoderEngine.ts';
import { fixturesDir } from '../../helpers/paths.ts';

const dir = path.join(fixturesDir, 'models', 'tiny-random');

async function engineWithImage(): Promise<{ engine: Engine; frame: ReturnType<typeof modelFrameFor> }> {
  const { engine, folder } = await decoderEngine(dir);
  const spec = folder.layout.imageTensors[0]!;
  let seed = 9;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
  const count = spec.dims.reduce((a, b) => a * b, 1);
  const frame = modelFrameFor({ width: 300, height: 200 }, folder.layout.geometry.inputSize);
  engine.setEmbedding({
    key: 'img',
    tensors: { [spec.name]: { data: Float32Array.from({ length: count }, random), dims: spec.dims } },
    frame,
  });
  return { engine, frame };
}

const prompt = serializePrompt({ points: [{ point: imagePoint(120, 80), label: 1 }] });

afterEach(() => vi.restoreAllMocks());

describe('mask forms of a click (issue 16)', () => {
  it('upsamples each candidate once when the preview is the image size', async () => {
    const { engine } = await engineWithImage();
    const toMask = vi.spyOn(SAM1_POSTPROCESS, 'toMask');
    const toRle = vi.spyOn(SAM1_POSTPROCESS, 'toRle');
    const result = await engine.decode({
      key: 'img',
      prompt,
      multimask: true,
      output: { rle: true, bitmap: false, previewMaxSide: 1024 },
    });
    expect(result.candidates).toHaveLength(3);
    expect(toMask.mock.calls.length + toRle.mock.calls.length).toBe(3);
  });

  it('gives the same RLE, bbox, area and preview as upsampling apart', async () => {
    const { engine, frame } = await engineWithImage();
    const output = { rle: true, bitmap: false, previewMaxSide: 1024 };
    const result = await engine.decode({ key: 'img', prompt, multimask: true, output });
    for (const c of result.candidates) {
      const full = SAM1_POSTPROCESS.toRle(c.lowRes, frame, { threshold: 0 });
      const preview = SAM1_POSTPROCESS.toMask(c.lowRes, previewFrameOf(frame, 1024), { threshold: 0 });
      expect(c.rle).toBe(compressRle(full.rle).counts);
      expect(c.area).toBe(full.area);
      expect(c.stabilityScore).toBe(full.stabilityScore);
      expect(c.preview).toEqual({ width: 300, height: 200, data: preview.mask.data });
    }
  });

  it('a smaller preview is still upsampled at its own size', async () => {
    const { engine, frame } = await engineWithImage();
    const result = await engine.decode({
      key: 'img',
      prompt,
      multimask: false,
      output: { rle: true, bitmap: true, previewMaxSide: 150 },
    });
    const c = result.candidates[0]!;
    const preview = SAM1_POSTPROCESS.toMask(c.lowRes, previewFrameOf(frame, 150), { threshold: 0 });
    expect(c.preview).toEqual({ width: 150, height: 100, data: preview.mask.data });
    expect(c.bitmap).toHaveLength(300 * 200);
  });
});
