/**
 * How closely a quantized model's masks follow the float32 model's (issue 15/16, `convert --quantize`): the same
 * prompts on the same images through both models, the IoU of the mask each one chooses (single-mask request,
 * the layout's own single-mask rule), summarised as mean and worst.
 *
 * Prompts are fixed and relative to the image size, so the report is reproducible: a 4 × 4 grid of positive
 * points (cell centres) and three boxes (the centre half, the upper-left quarter, nearly the whole image).
 */
import path from 'node:path';
import { imageBox, imagePoint } from '../common/frames.ts';
import type { Prompt } from '../common/prompts.ts';
import { type Rle, decodeRle } from '../common/rle.ts';
import { SamService, type SamServiceOptions } from '../inference/samService.ts';

export interface AgreementPrompt {
  readonly name: string;
  readonly prompt: Prompt;
}

export interface AgreementReport {
  /** Image file names (base names), in the order they were measured. */
  readonly images: readonly string[];
  readonly prompts_per_image: number;
  readonly masks: number;
  readonly mean_iou: number;
  readonly worst_iou: number;
  readonly worst: { readonly image: string; readonly prompt: string };
}

const GRID = 4;

/** The fixed prompts for an image of `width` × `height` pixels (module doc), in image pixels. */
export function agreementPrompts(width: number, height: number): AgreementPrompt[] {
  const prompts: AgreementPrompt[] = [];
  for (let row = 0; row < GRID; row++) {
    for (let col = 0; col < GRID; col++) {
      const x = ((col + 0.5) * width) / GRID;
      const y = ((row + 0.5) * height) / GRID;
      prompts.push({
        name: `point-${row}-${col}`,
        prompt: { points: [{ point: imagePoint(x, y), label: 1 }] },
      });
    }
  }
  const box = (name: string, x0: number, y0: number, x1: number, y1: number): AgreementPrompt => ({
    name,
    prompt: { points: [], box: imageBox(x0 * width, y0 * height, x1 * width - 1, y1 * height - 1) },
  });
  prompts.push(box('box-centre', 0.25, 0.25, 0.75, 0.75));
  prompts.push(box('box-upper-left', 0, 0, 0.5, 0.5));
  prompts.push(box('box-whole', 0.02, 0.02, 0.98, 0.98));
  return prompts;
}

/** IoU of two masks of the same size; two empty masks agree fully. */
export function maskIou(a: Rle, b: Rle): number {
  const ma = decodeRle(a).data;
  const mb = decodeRle(b).data;
  let inter = 0;
  let union = 0;
  for (let i = 0; i < ma.length; i++) {
    inter += ma[i]! & mb[i]!;
    union += ma[i]! | mb[i]!;
  }
  return union === 0 ? 1 : inter / union;
}

/** The chosen mask of every (image, prompt), as RLE, in `images` × `agreementPrompts` order. */
async function chosenMasks(
  dir: string,
  images: readonly string[],
  options: SamServiceOptions,
): Promise<Rle[]> {
  const service = new SamService(options);
  const masks: Rle[] = [];
  try {
    await service.loadModel(dir);
    for (const image of images) {
      const { embedding } = await service.embed(image);
      const { width, height } = embedding.frame.image;
      for (const { prompt } of agreementPrompts(width, height)) {
        const prediction = await service.predict(image, prompt, {
          multimask: false,
          output: { rle: true, bitmap: false },
        });
        const chosen = prediction.candidates[0]!;
        masks.push({ size: [height, width], counts: chosen.rle! });
      }
    }
  } finally {
    await service.close();
  }
  return masks;
}

/**
 * Masks of `candidateDir` against `referenceDir` on `images` (module doc). The two models run one after the
 * other, so only one is in memory at a time.
 */
export async function measureAgreement(
  referenceDir: string,
  candidateDir: string,
  images: readonly string[],
  options: SamServiceOptions = {},
): Promise<AgreementReport> {
  if (!images.length) throw new Error('measureAgreement: no images');
  const reference = await chosenMasks(referenceDir, images, options);
  const candidate = await chosenMasks(candidateDir, images, options);
  const perImage = reference.length / images.length;
  let sum = 0;
  let worst = { iou: Infinity, index: 0 };
  for (let i = 0; i < reference.length; i++) {
    const iou = maskIou(reference[i]!, candidate[i]!);
    sum += iou;
    if (iou < worst.iou) worst = { iou, index: i };
  }
  const worstImage = images[Math.floor(worst.index / perImage)]!;
  const { height, width } = {
    height: reference[worst.index]!.size[0],
    width: reference[worst.index]!.size[1],
  };
  return {
    images: images.map((f) => path.basename(f)),
    prompts_per_image: perImage,
    masks: reference.length,
    mean_iou: sum / reference.length,
    worst_iou: worst.iou,
    worst: {
      image: path.basename(worstImage),
      prompt: agreementPrompts(width, height)[worst.index % perImage]!.name,
    },
  };
}
