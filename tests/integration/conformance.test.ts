/**
 * Conformance with Meta's segment-anything code (../shared/conformance/README.md): our export of Meta's
 * checkpoint, our TypeScript pipeline, and Meta's outputs for the same image and prompts.
 *  - Decoder on Meta's embeddings: masks IoU ≥ 0.999, predicted IoU within 1e-3, low-res logits within 1e-3.
 *  - End to end from the PNG (our encoder export, preprocessing, decoder, upsampling, RLE): masks IoU ≥ 0.99,
 *    predicted IoU within 1e-3, low-res logits within 1e-2.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageBox, imagePoint, modelFrameFor } from '../../electron/common/frames.ts';
import type { Prompt } from '../../electron/common/prompts.ts';
import { type Rle, decodeRle } from '../../electron/common/rle.ts';
import { FileHashCache } from '../../electron/inference/fileHash.ts';
import { openModelFolder } from '../../electron/inference/modelFolder.ts';
import { SamService } from '../../electron/inference/samService.ts';
import { Engine } from '../../electron/inference/worker/engine.ts';
import { serializePrompt } from '../../electron/inference/worker/serializedPrompt.ts';
import {
  type ConformanceImage,
  type FullConformancePrompt,
  conformanceDir,
  conformanceImages,
  readEmbedding,
  readLowResLogits,
} from '../helpers/conformance.ts';
import { conformanceModel } from '../helpers/models.ts';

function maskIou(a: Rle, b: Rle): number {
  const x = decodeRle(a).data;
  const y = decodeRle(b).data;
  let inter = 0;
  let union = 0;
  for (let i = 0; i < x.length; i++) {
    inter += x[i]! & y[i]!;
    union += x[i]! | y[i]!;
  }
  return union === 0 ? 1 : inter / union;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

function promptOf(p: FullConformancePrompt, maskInput?: Float32Array): Prompt {
  return {
    points: (p.point_coords ?? []).map(([x, y], i) => ({
      point: imagePoint(x, y),
      label: p.point_labels![i]!,
    })),
    box: p.box ? imageBox(...p.box) : undefined,
    maskInput,
  };
}

const images = conformanceImages() as Array<ConformanceImage & { prompts: FullConformancePrompt[] }>;

describe.skipIf(!conformanceDir)('conformance with Meta segment-anything', () => {
  let modelDir: string;
  beforeAll(() => {
    modelDir = conformanceModel(conformanceDir!);
  }, 300_000);

  describe("decoder on Meta's embeddings", () => {
    const engine = new Engine();
    beforeAll(async () => {
      const folder = await openModelFolder(modelDir, new FileHashCache());
      await engine.init({
        role: 'decoder',
        dir: folder.dir,
        graphs: folder.graphs,
        manifest: folder.manifest,
        pixelMean: folder.pixelMean,
        pixelStd: folder.pixelStd,
        maskThreshold: 0,
        session: { providers: ['cpu'], threads: 0 },
      });
    });

    for (const image of images) {
      it(image.name, async () => {
        const [h, w] = image.original_size_hw;
        const frame = modelFrameFor({ width: w, height: h }, 1024);
        const tensors = { image_embeddings: { data: readEmbedding(image), dims: [1, 256, 64, 64] } };
        engine.setEmbedding({ key: image.name, tensors, frame });
        for (const p of image.prompts) {
          const source =
            p.mask_input_from && image.prompts.find((q) => q.name === p.mask_input_from!.prompt)!;
          const maskInput = source ? readLowResLogits(source, p.mask_input_from!.candidate) : undefined;
          const result = await engine.decode({
            key: image.name,
            prompt: serializePrompt(promptOf(p, maskInput)),
            multimask: p.multimask_output,
            output: { rle: true, bitmap: false },
          });
          expect(result.candidates.length, p.name).toBe(p.expected.masks.length);
          result.candidates.forEach((c, i) => {
            const expected = p.expected.masks[i]!;
            expect(
              maskIou({ size: [h, w], counts: c.rle! }, expected),
              `${p.name}[${i}] mask IoU`,
            ).toBeGreaterThanOrEqual(0.999);
            expect(
              Math.abs(c.predictedIou - p.expected.iou_predictions[i]!),
              `${p.name}[${i}] iou`,
            ).toBeLessThanOrEqual(1e-3);
            expect(
              maxAbsDiff(c.lowRes, readLowResLogits(p, i)),
              `${p.name}[${i}] logits`,
            ).toBeLessThanOrEqual(1e-3);
          });
        }
      });
    }
  });

  describe('end to end from the PNG file', () => {
    let service: SamService;
    beforeAll(async () => {
      service = new SamService({ providers: ['cpu'] });
      await service.loadModel(modelDir);
    });
    afterAll(() => service.close());

    for (const image of images) {
      it(image.name, async () => {
        const file = path.join(conformanceDir!, image.file);
        const [h, w] = image.original_size_hw;
        const ours = new Map<string, Float32Array[]>();
        for (const p of image.prompts) {
          const maskInput = p.mask_input_from
            ? ours.get(p.mask_input_from.prompt)![p.mask_input_from.candidate]
            : undefined;
          const prediction = await service.predict(file, promptOf(p, maskInput), {
            multimask: p.multimask_output,
          });
          expect(prediction.image).toMatchObject({ width: w, height: h });
          ours.set(
            p.name,
            prediction.candidates.map((c) => c.lowRes),
          );
          prediction.candidates.forEach((c, i) => {
            const expected = p.expected.masks[i]!;
            expect(c.area, `${p.name}[${i}] area`).toBeGreaterThan(0);
            expect(
              maskIou({ size: [h, w], counts: c.rle! }, expected),
              `${p.name}[${i}] mask IoU`,
            ).toBeGreaterThanOrEqual(0.99);
            expect(
              Math.abs(c.predictedIou - p.expected.iou_predictions[i]!),
              `${p.name}[${i}] iou`,
            ).toBeLessThanOrEqual(1e-3);
            expect(
              maxAbsDiff(c.lowRes, readLowResLogits(p, i)),
              `${p.name}[${i}] logits`,
            ).toBeLessThanOrEqual(1e-2);
          });
        }
      });
    }
  });
});
