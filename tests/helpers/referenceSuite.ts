/**
 * One suite for every "what the reference implementation computed" data set: Meta's conformance data and our
 * PyTorch fixture references share the index.json format (see ../fixtures/reference/README.md).
 *  - decoder on the reference embeddings (isolates the decoder, the prompt encoding and the upsampling);
 *  - end to end from the image file through the service (workers, preprocessing, encoder, decoder, RLE).
 */
import { readFileSync } from 'node:fs';
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

export interface ReferencePrompt {
  name: string;
  point_coords: [number, number][] | null;
  point_labels: (0 | 1)[] | null;
  box: [number, number, number, number] | null;
  multimask_output: boolean;
  mask_input_from: { prompt: string; candidate: number } | null;
  expected: {
    masks: Array<Rle & { area: number }>;
    iou_predictions: number[];
    low_res_logits: { file: string; shape: [number, number, number] };
    stability_scores?: number[];
  };
}

export interface ReferenceImage {
  name: string;
  file: string;
  original_size_hw: [number, number];
  image_embeddings: { file: string; shape: number[] };
  prompts: ReferencePrompt[];
}

export interface Tolerances {
  decoderMaskIou: number;
  endToEndMaskIou: number;
  iou: number;
  decoderLogits: number;
  endToEndLogits: number;
  stability?: number;
}

export function readImages(dir: string): ReferenceImage[] {
  const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as {
    images: Record<string, Omit<ReferenceImage, 'name'>>;
  };
  return Object.entries(index.images).map(([name, image]) => ({ name, ...image }));
}

function readF32(file: string, offset = 0, count?: number): Float32Array {
  const bytes = readFileSync(file);
  const n = count ?? bytes.length / 4 - offset;
  const out = new Float32Array(n);
  new Uint8Array(out.buffer).set(bytes.subarray(offset * 4, (offset + n) * 4));
  return out;
}

function logitsOf(dir: string, p: ReferencePrompt, candidate: number): Float32Array {
  const [, h, w] = p.expected.low_res_logits.shape;
  return readF32(path.join(dir, p.expected.low_res_logits.file), candidate * h * w, h * w);
}

export function maskIou(a: Rle, b: Rle): number {
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
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

function promptOf(p: ReferencePrompt, maskInput?: Float32Array): Prompt {
  return {
    points: (p.point_coords ?? []).map(([x, y], i) => ({
      point: imagePoint(x, y),
      label: p.point_labels![i]!,
    })),
    box: p.box ? imageBox(...p.box) : undefined,
    maskInput,
  };
}

interface Candidate {
  rle?: string;
  predictedIou: number;
  lowRes: Float32Array;
  area: number;
  stabilityScore: number;
}

function compare(
  p: ReferencePrompt,
  candidates: readonly Candidate[],
  hw: [number, number],
  dir: string,
  maskIouMin: number,
  logits: number,
  tol: Tolerances,
) {
  expect(candidates.length, p.name).toBe(p.expected.masks.length);
  candidates.forEach((c, i) => {
    const expected = p.expected.masks[i]!;
    const at = `${p.name}[${i}]`;
    expect(maskIou({ size: hw, counts: c.rle! }, expected), `${at} mask IoU`).toBeGreaterThanOrEqual(
      maskIouMin,
    );
    expect(
      Math.abs(c.predictedIou - p.expected.iou_predictions[i]!),
      `${at} predicted IoU`,
    ).toBeLessThanOrEqual(tol.iou);
    expect(maxAbsDiff(c.lowRes, logitsOf(dir, p, i)), `${at} low-res logits`).toBeLessThanOrEqual(logits);
    if (tol.stability !== undefined && p.expected.stability_scores) {
      expect(
        Math.abs(c.stabilityScore - p.expected.stability_scores[i]!),
        `${at} stability`,
      ).toBeLessThanOrEqual(tol.stability);
    }
  });
}

export interface ReferenceSuite {
  /** Folder holding index.json and the files it names. */
  dir: string;
  /** Model folder to test (may be produced in beforeAll). */
  model: () => string;
  tolerances: Tolerances;
  /** Prompt sets this model can express (default all). */
  include?: (p: ReferencePrompt) => boolean;
  /**
   * Also run the decoder alone on the reference embeddings (default true). Off for layouts whose decoder needs
   * more than the image embedding (transformers.js also takes the encoder's positional embedding).
   */
  decoderOnEmbeddings?: boolean;
}

export function referenceSuite(suite: ReferenceSuite): void {
  const images = readImages(suite.dir);
  const include = suite.include ?? (() => true);
  let modelDir: string;
  beforeAll(() => {
    modelDir = suite.model();
  }, 300_000);

  describe.skipIf(suite.decoderOnEmbeddings === false)('decoder on the reference embeddings', () => {
    const engine = new Engine();
    let inputSize = 0;
    beforeAll(async () => {
      const folder = await openModelFolder(modelDir, new FileHashCache());
      inputSize = folder.layout.geometry.inputSize;
      await engine.init({
        role: 'decoder',
        dir: folder.dir,
        graphs: folder.graphs,
        manifest: folder.manifest,
        maskThreshold: folder.maskThreshold,
        session: { providers: ['cpu'], threads: 0 },
      });
    });

    for (const image of images) {
      it(image.name, async () => {
        const [h, w] = image.original_size_hw;
        const frame = modelFrameFor({ width: w, height: h }, inputSize);
        const data = readF32(path.join(suite.dir, image.image_embeddings.file));
        const tensors: Record<string, { data: Float32Array; dims: number[] }> = {
          image_embeddings: { data, dims: image.image_embeddings.shape },
        };
        engine.setEmbedding({ key: image.name, tensors, frame });
        for (const p of image.prompts.filter(include)) {
          const source =
            p.mask_input_from && image.prompts.find((q) => q.name === p.mask_input_from!.prompt)!;
          const maskInput = source ? logitsOf(suite.dir, source, p.mask_input_from!.candidate) : undefined;
          const result = await engine.decode({
            key: image.name,
            prompt: serializePrompt(promptOf(p, maskInput)),
            multimask: p.multimask_output,
            output: { rle: true, bitmap: false },
          });
          compare(
            p,
            result.candidates,
            [h, w],
            suite.dir,
            suite.tolerances.decoderMaskIou,
            suite.tolerances.decoderLogits,
            suite.tolerances,
          );
        }
      });
    }
  });

  describe('end to end from the image file', () => {
    let service: SamService;
    beforeAll(async () => {
      service = new SamService({ providers: ['cpu'] });
      await service.loadModel(modelDir);
    });
    afterAll(() => service.close());

    for (const image of images) {
      it(image.name, async () => {
        const file = path.join(suite.dir, image.file);
        const [h, w] = image.original_size_hw;
        const ours = new Map<string, Float32Array[]>();
        for (const p of image.prompts.filter(include)) {
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
          compare(
            p,
            prediction.candidates,
            [h, w],
            suite.dir,
            suite.tolerances.endToEndMaskIou,
            suite.tolerances.endToEndLogits,
            suite.tolerances,
          );
        }
      });
    }
  });
}
