import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageBox, imagePoint, modelFrameFor } from '../../electron/common/frames.ts';
import { encodeDecoderPoints, outputTokens, type Prompt } from '../../electron/common/prompts.ts';
import { findConformanceDir } from '../helpers/paths.ts';

const conformance = findConformanceDir();

interface ConformancePrompt {
  name: string;
  point_coords: [number, number][] | null;
  point_labels: (0 | 1)[] | null;
  box: [number, number, number, number] | null;
  multimask_output: boolean;
  decoder_inputs: { point_coords: [number, number][]; point_labels: number[]; output_index: number[] };
}

function promptOf(p: ConformancePrompt): Prompt {
  return {
    points: (p.point_coords ?? []).map(([x, y], i) => ({
      point: imagePoint(x, y),
      label: p.point_labels![i]!,
    })),
    box: p.box ? imageBox(...p.box) : undefined,
  };
}

describe('encodeDecoderPoints', () => {
  it('appends the padding point (0, 0, −1) when there is no box', () => {
    const frame = modelFrameFor({ width: 100, height: 50 }, 1024);
    const enc = encodeDecoderPoints(frame, { points: [{ point: imagePoint(10, 20), label: 0 }] });
    expect([...enc.labels]).toEqual([0, -1]);
    expect([...enc.coords]).toEqual([102.4, 204.8, 0, 0].map(Math.fround));
  });

  it('puts the box corners after the points, labelled 2 and 3, without padding', () => {
    const frame = modelFrameFor({ width: 1024, height: 512 }, 1024);
    const enc = encodeDecoderPoints(frame, {
      points: [{ point: imagePoint(5, 6), label: 1 }],
      box: imageBox(1, 2, 3, 4),
    });
    expect([...enc.labels]).toEqual([1, 2, 3]);
    expect([...enc.coords]).toEqual([5, 6, 1, 2, 3, 4]);
  });

  it('single mask uses token 0, multimask tokens 1..3', () => {
    expect(outputTokens(false)).toEqual([0]);
    expect(outputTokens(true)).toEqual([1, 2, 3]);
  });

  describe.skipIf(!conformance)("matches the inputs Meta's predictor fed its decoder (conformance)", () => {
    const index = conformance
      ? JSON.parse(readFileSync(path.join(conformance, 'index.json'), 'utf8'))
      : { images: {} };
    for (const [name, image] of Object.entries<{
      original_size_hw: [number, number];
      prompts: ConformancePrompt[];
    }>(index.images)) {
      it(name, () => {
        const [h, w] = image.original_size_hw;
        const frame = modelFrameFor({ width: w, height: h }, 1024);
        for (const p of image.prompts) {
          const enc = encodeDecoderPoints(frame, promptOf(p));
          expect([...enc.coords], p.name).toEqual(p.decoder_inputs.point_coords.flat().map(Math.fround));
          expect([...enc.labels], p.name).toEqual(p.decoder_inputs.point_labels);
          expect(outputTokens(p.multimask_output), p.name).toEqual(p.decoder_inputs.output_index);
        }
      });
    }
  });
});
