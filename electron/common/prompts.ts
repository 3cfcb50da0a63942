/**
 * Prompts as the user gives them (image frame) and their encoding into the decoder inputs of Meta's ONNX export.
 *
 * Label codes of Meta's decoder (`scripts/export_onnx_model.py`, `notebooks/onnx_model_example.ipynb`):
 * 1 positive point, 0 negative point, 2 box top-left, 3 box bottom-right, −1 padding ("not a point").
 * Points come first, then the two box corners. Without a box, one padding point (0, 0, −1) is appended, because
 * Meta's PyTorch prompt encoder pads in that case and the exported graph does not.
 */
import {
  type ImageBox,
  type ImagePoint,
  type ModelFrame,
  imageBox,
  imagePoint,
  imageToModel,
} from './frames.ts';

/** 1 = positive (part of the object), 0 = negative (not part of it). */
export type PointLabel = 0 | 1;

/**
 * A prompt point as the user clicks it, the contract carries it and the store keeps it (issue 17: the one
 * declaration from the click to the store): image pixels, plain numbers. The worker gets the branded `Prompt`.
 */
export interface PromptPoint {
  readonly x: number;
  readonly y: number;
  readonly label: PointLabel;
}

/** A box prompt, image pixels, x0 ≤ x1 and y0 ≤ y1. */
export interface PromptBox {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** The prompts that made a mask (an annotation's `prompts`; the decode request carries the same fields). */
export interface MaskPrompts {
  readonly points: readonly PromptPoint[];
  readonly box?: PromptBox;
}

export interface PointPrompt {
  readonly point: ImagePoint;
  /** 1 = positive (part of the object), 0 = negative (not part of it). */
  readonly label: PointLabel;
}

export interface Prompt {
  readonly points: readonly PointPrompt[];
  readonly box?: ImageBox;
  /**
   * Low-res logits of an earlier decode of the same image (one candidate, row-major L×L, L = 4 × embedding
   * grid), fed back as `mask_input` to refine it.
   */
  readonly maskInput?: Float32Array;
}

export const LABEL = { padding: -1, negative: 0, positive: 1, boxTopLeft: 2, boxBottomRight: 3 } as const;

/** Decoder point inputs in the model frame: `point_coords` [1, N, 2] and `point_labels` [1, N] (float32). */
export interface DecoderPoints {
  readonly coords: Float32Array;
  readonly labels: Float32Array;
  readonly count: number;
}

/** The decoder's prompt for `prompts` as they came from the click (the image frame's brands added). */
export function promptOf(prompts: MaskPrompts, maskInput?: Float32Array): Prompt {
  const { box } = prompts;
  return {
    points: prompts.points.map((p) => ({ point: imagePoint(p.x, p.y), label: p.label })),
    box: box ? imageBox(box.x0, box.y0, box.x1, box.y1) : undefined,
    maskInput,
  };
}

export function isEmptyPrompt(prompt: Prompt): boolean {
  return prompt.points.length === 0 && !prompt.box;
}

/** Encode a prompt as Meta's predictor feeds its decoder (see the module comment). */
export function encodeDecoderPoints(frame: ModelFrame, prompt: Prompt): DecoderPoints {
  const xy: number[] = [];
  const labels: number[] = [];
  for (const { point, label } of prompt.points) {
    const p = imageToModel(frame, point);
    xy.push(p.x, p.y);
    labels.push(label);
  }
  if (prompt.box) {
    const { x0, y0, x1, y1 } = prompt.box;
    const a = imageToModel(frame, imagePoint(x0, y0));
    const b = imageToModel(frame, imagePoint(x1, y1));
    xy.push(a.x, a.y, b.x, b.y);
    labels.push(LABEL.boxTopLeft, LABEL.boxBottomRight);
  } else {
    xy.push(0, 0);
    labels.push(LABEL.padding);
  }
  return { coords: Float32Array.from(xy), labels: Float32Array.from(labels), count: labels.length };
}

/**
 * A prompt as Meta's SAM 2 predictor hands it to its prompt encoder (`SAM2ImagePredictor._prep_prompts` +
 * `_predict`): the box as two points labelled 2, 3 **before** the clicks, model frame ('stretch': x·S/W, y·S/H),
 * and **no** padding point (SAM 2's prompt encoder always appends one; the sam-annotate, samexporter and
 * rectlabel graphs do it inside, native-models/LAYOUTS.md §3).
 */
export function encodeSam2Points(frame: ModelFrame, prompt: Prompt): DecoderPoints {
  const xy: number[] = [];
  const labels: number[] = [];
  if (prompt.box) {
    const { x0, y0, x1, y1 } = prompt.box;
    const a = imageToModel(frame, imagePoint(x0, y0));
    const b = imageToModel(frame, imagePoint(x1, y1));
    xy.push(a.x, a.y, b.x, b.y);
    labels.push(LABEL.boxTopLeft, LABEL.boxBottomRight);
  }
  for (const { point, label } of prompt.points) {
    const p = imageToModel(frame, point);
    xy.push(p.x, p.y);
    labels.push(label);
  }
  return { coords: Float32Array.from(xy), labels: Float32Array.from(labels), count: labels.length };
}

/** Which of the decoder's four mask tokens Meta's predictor returns: 1..3 for multimask, 0 otherwise. */
export function outputTokens(multimask: boolean): number[] {
  return multimask ? [1, 2, 3] : [0];
}
