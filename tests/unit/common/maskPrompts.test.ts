/** The one prompt type from the click to the store (issue 17) and its conversion to the decoder's `Prompt`. */
import { describe, expect, it } from 'vitest';
import { imageBox, imagePoint, modelFrameFor } from '../../../electron/common/frames.ts';
import { type MaskPrompts, encodeDecoderPoints, promptOf } from '../../../electron/common/prompts.ts';

describe('promptOf', () => {
  const prompts: MaskPrompts = {
    points: [
      { x: 10.5, y: 20.5, label: 1 },
      { x: 3, y: 4, label: 0 },
    ],
    box: { x0: 1, y0: 2, x1: 30, y1: 40 },
  };

  it('keeps every point, label and box corner in the image frame, and the mask input', () => {
    const maskInput = new Float32Array(4);
    expect(promptOf(prompts, maskInput)).toEqual({
      points: [
        { point: imagePoint(10.5, 20.5), label: 1 },
        { point: imagePoint(3, 4), label: 0 },
      ],
      box: imageBox(1, 2, 30, 40),
      maskInput,
    });
  });

  it('has no box when the prompts have none, so the decoder gets the padding point', () => {
    const prompt = promptOf({ points: [{ x: 5, y: 6, label: 1 }] });
    expect(prompt.box).toBeUndefined();
    const encoded = encodeDecoderPoints(modelFrameFor({ width: 64, height: 48 }, 1024), prompt);
    expect([...encoded.labels]).toEqual([1, -1]);
  });
});
