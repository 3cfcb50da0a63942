/**
 * One suite for SAM 2 reference data (sam2Reference.ts: our PyTorch fixtures, Meta's conformance data), run
 * through the app's own code:
 *  - the decoder worker (Engine) on the recorded image tensors: prompt assembly, token rule, upsampling;
 *  - end to end from the PNG through SamService: preprocessing, encoder, workers, caches, RLE.
 * Per candidate: the token, the predicted IoU, the low-res logits (both clamped to ±32, as layouts A and B
 * return them) and the mask. A mask passes at IoU ≥ `maskIou`, or when every pixel that differs is one where the
 * reference logit lies within our logit's difference of 0 (a float-rounding flip at the threshold, never a
 * different mask: the rule the Python conformance test uses for SAM 2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageBox, imagePoint, stretchFrameFor } from '../../electron/common/frames.ts';
import { upsampleLogitRowsDirect } from '../../electron/common/maskUpsample.ts';
import type { Prompt } from '../../electron/common/prompts.ts';
import { decodeRle } from '../../electron/common/rle.ts';
import { FileHashCache } from '../../electron/inference/fileHash.ts';
import { openModelFolder } from '../../electron/inference/modelFolder.ts';
import { SamService } from '../../electron/inference/samService.ts';
import { Engine } from '../../electron/inference/worker/engine.ts';
import { serializePrompt } from '../../electron/inference/worker/serializedPrompt.ts';
import { maskIou } from './referenceSuite.ts';
import { type Sam2RefImage, type Sam2RefPrompt, planeOf } from './sam2Reference.ts';

export interface Sam2Tolerances {
  readonly maskIou: number;
  readonly iou: number;
  /**
   * Low-res logits (clamped to ±32 on both sides): max abs difference ≤ this × the largest |reference logit| of
   * the prompt's 4 unclamped tokens (at least 1), as the conformance README's "0.2 % of the largest logit".
   */
  readonly logits: number;
}

export interface Sam2Suite {
  readonly images: () => Sam2RefImage[];
  readonly model: () => string;
  readonly decoder: Sam2Tolerances;
  readonly endToEnd: Sam2Tolerances;
  /** Prompts this layout can express with the reference's tokens (default all). */
  readonly include?: (p: Sam2RefPrompt) => boolean;
}

interface Got {
  readonly token: number;
  readonly predictedIou: number;
  readonly lowRes: Float32Array;
  readonly rle?: string;
}

const clamp = (a: Float32Array) => a.map((v) => Math.min(32, Math.max(-32, v)));

/**
 * Pixels where our mask and the reference mask differ although the reference logit there is farther from 0 than
 * our logit is from it (so the difference is not a rounding flip at the threshold). Logits at full resolution are
 * the one-stage upsampling of the low-res logits, which reproduces the reference masks exactly from theirs.
 */
function unexplainedFlips(
  mask: Uint8Array,
  expected: Uint8Array,
  ours: Float32Array,
  ref: Float32Array,
  hw: readonly [number, number],
): number {
  const [h, w] = hw;
  const a = new Float32Array(h * w);
  const b = new Float32Array(h * w);
  upsampleLogitRowsDirect(ours, { width: w, height: h }, (y, row) => a.set(row, y * w));
  upsampleLogitRowsDirect(ref, { width: w, height: h }, (y, row) => b.set(row, y * w));
  let count = 0;
  for (let i = 0; i < h * w; i++)
    if (mask[i] !== expected[i] && Math.abs(b[i]!) > Math.abs(a[i]! - b[i]!)) count++;
  return count;
}

function compare(p: Sam2RefPrompt, got: readonly Got[], hw: readonly [number, number], tol: Sam2Tolerances) {
  expect(
    got.map((c) => c.token),
    `${p.name} tokens`,
  ).toEqual(p.expected.tokens);
  got.forEach((c, i) => {
    const at = `${p.name}[${i}] token ${c.token}`;
    expect(Math.abs(c.predictedIou - p.expected.iou[i]!), `${at} predicted IoU`).toBeLessThanOrEqual(tol.iou);
    const ref = planeOf(p.allLogits, c.token);
    const refClamped = clamp(ref);
    const ours = clamp(c.lowRes);
    let worst = 0;
    for (let k = 0; k < ours.length; k++) worst = Math.max(worst, Math.abs(ours[k]! - refClamped[k]!));
    const largest = p.allLogits.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
    expect(worst, `${at} low-res logits (largest ${largest})`).toBeLessThanOrEqual(tol.logits * largest);
    const expected = p.expected.masks[i]!;
    const iou = maskIou({ size: [hw[0], hw[1]], counts: c.rle! }, expected);
    if (iou < tol.maskIou) {
      const mask = decodeRle({ size: [hw[0], hw[1]], counts: c.rle! }).data;
      const flips = unexplainedFlips(mask, decodeRle(expected).data, c.lowRes, ref, hw);
      expect(flips, `${at} mask IoU ${iou}: pixels not explained by rounding`).toBe(0);
    }
  });
}

function promptOf(p: Sam2RefPrompt, maskInput?: Float32Array): Prompt {
  return {
    points: p.points.map(([x, y], i) => ({ point: imagePoint(x, y), label: p.labels[i]! })),
    box: p.box ? imageBox(...p.box) : undefined,
    maskInput,
  };
}

export function sam2Suite(suite: Sam2Suite): void {
  const include = suite.include ?? (() => true);
  let images: Sam2RefImage[] = [];
  let modelDir = '';
  beforeAll(() => {
    images = suite.images();
    modelDir = suite.model();
  }, 600_000);

  it('decoder on the recorded image tensors', async () => {
    const engine = new Engine();
    const folder = await openModelFolder(modelDir, new FileHashCache());
    await engine.init({
      role: 'decoder',
      dir: folder.dir,
      graphs: folder.graphs,
      manifest: folder.manifest,
      maskThreshold: folder.maskThreshold,
      session: { providers: ['cpu'], threads: 0 },
    });
    const names = folder.layout.imageTensors.map((s) => s.name);
    for (const image of images) {
      const [h, w] = image.hw;
      const tensors = Object.fromEntries(names.map((n, i) => [n, image.features[i]!]));
      engine.setEmbedding({
        key: image.name,
        tensors,
        frame: stretchFrameFor({ width: w, height: h }, image.inputSize),
      });
      for (const p of image.prompts.filter(include)) {
        const source = p.maskFrom && image.prompts.find((q) => q.name === p.maskFrom!.prompt)!;
        const maskInput = source ? planeOf(source.allLogits, p.maskFrom!.token) : undefined;
        const result = await engine.decode({
          key: image.name,
          prompt: serializePrompt(promptOf(p, maskInput)),
          multimask: p.multimask,
          output: { rle: true, bitmap: false },
        });
        compare(p, result.candidates, image.hw, suite.decoder);
      }
    }
  }, 300_000);

  describe('end to end from the image file', () => {
    let service: SamService;
    beforeAll(async () => {
      service = new SamService({ providers: ['cpu'] });
      await service.loadModel(modelDir);
    }, 300_000);
    afterAll(() => service?.close());

    it('every prompt of every image', async () => {
      for (const image of images) {
        const ours = new Map<string, readonly Got[]>();
        for (const p of image.prompts.filter(include)) {
          // Refinement feeds our own earlier candidate, or, where the reference recorded what it fed (Meta's
          // data), that: the bounds are per step, not for two encoder round-offs compounded.
          const maskInput = p.maskFrom
            ? (p.recordedMaskInput ??
              ours.get(p.maskFrom.prompt)!.find((c) => c.token === p.maskFrom!.token)!.lowRes)
            : undefined;
          const prediction = await service.predict(image.png, promptOf(p, maskInput), {
            multimask: p.multimask,
          });
          expect(prediction.image).toMatchObject({ width: image.hw[1], height: image.hw[0] });
          ours.set(p.name, prediction.candidates);
          compare(p, prediction.candidates, image.hw, suite.endToEnd);
        }
      }
    }, 600_000);
  });
}
