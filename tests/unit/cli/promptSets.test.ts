import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePromptSets } from '../../../electron/cli/promptSets.ts';
import { findConformanceDir } from '../../helpers/paths.ts';

const parse = (value: unknown) => parsePromptSets('p.json', JSON.stringify(value));

describe('parsePromptSets', () => {
  it('reads points, boxes, multimask and mask_input_from', () => {
    const sets = parse([
      { name: 'a', point_coords: [[1, 2]], point_labels: [1], box: null, multimask_output: true },
      {
        name: 'b',
        point_coords: null,
        point_labels: null,
        box: [0, 1, 5, 6],
        multimask_output: false,
        mask_input_from: { prompt: 'a', candidate: 2 },
      },
    ]);
    expect(sets[0]!.points[0]).toEqual({ point: { x: 1, y: 2 }, label: 1 });
    expect(sets[1]!.box).toEqual({ x0: 0, y0: 1, x1: 5, y1: 6 });
    expect(sets[1]!.multimask).toBe(false);
    expect(sets[1]!.maskInputFrom).toEqual({ prompt: 'a', candidate: 2 });
  });

  it('names the JSON path of what is wrong', () => {
    expect(() => parse([{ name: 'a', point_coords: [[1, 2]], point_labels: [2] }])).toThrow(
      'p.json: $[0].point_labels[0] must be 1 (positive) or 0 (negative)',
    );
    expect(() => parse({ prompts: [{ name: 'a', point_coords: [[1]], point_labels: [1] }] })).toThrow(
      'p.json: $.prompts[0].point_coords[0] must hold 2 numbers',
    );
    expect(() => parse([{ name: 'a' }])).toThrow('$[0] needs point_coords or a box');
    expect(() =>
      parse([{ name: 'a', box: [0, 0, 1, 1], mask_input_from: { prompt: 'later', candidate: 0 } }]),
    ).toThrow('"later" is not an earlier prompt set');
    expect(() => parsePromptSets('p.json', '[{')).toThrow(/^p.json: not valid JSON/);
  });

  const conformance = findConformanceDir();
  it.skipIf(!conformance)('accepts the conformance index.json prompts as they are', () => {
    const index = JSON.parse(readFileSync(path.join(conformance!, 'index.json'), 'utf8'));
    const sets = parsePromptSets('index.json', JSON.stringify(index.images.dog));
    expect(sets.map((s) => s.name)).toContain('refine_multi');
    expect(sets.find((s) => s.name === 'refine_multi')!.maskInputFrom).toEqual({
      prompt: 'points3_multi',
      candidate: 1,
    });
  });
});
