/** Prompts cross thread and process boundaries as plain data; brands are restored on arrival. */
import { imageBox, imagePoint } from '../../common/frames.ts';
import type { PointLabel, Prompt } from '../../common/prompts.ts';

export interface SerializedPrompt {
  readonly points: ReadonlyArray<{ readonly x: number; readonly y: number; readonly label: PointLabel }>;
  readonly box?: { readonly x0: number; readonly y0: number; readonly x1: number; readonly y1: number };
  readonly maskInput?: Float32Array;
}

export function serializePrompt(prompt: Prompt): SerializedPrompt {
  return {
    points: prompt.points.map((p) => ({ x: p.point.x, y: p.point.y, label: p.label })),
    box: prompt.box
      ? { x0: prompt.box.x0, y0: prompt.box.y0, x1: prompt.box.x1, y1: prompt.box.y1 }
      : undefined,
    maskInput: prompt.maskInput,
  };
}

export function deserializePrompt(p: SerializedPrompt): Prompt {
  return {
    points: p.points.map(({ x, y, label }) => ({ point: imagePoint(x, y), label })),
    box: p.box ? imageBox(p.box.x0, p.box.y0, p.box.x1, p.box.y1) : undefined,
    maskInput: p.maskInput,
  };
}
