/**
 * Issue 15 fixture models against their PyTorch references, through the app pipeline (referenceSuite):
 *  - EdgeSAM's own layout (tests/fixtures/reference/edgesam: single masks are the most stable token);
 *  - the transformers.js SAM layout with `input_boxes` (same weights as tiny-random: tests/fixtures/reference).
 */
import path from 'node:path';
import { describe } from 'vitest';
import { fixturesDir } from '../helpers/paths.ts';
import { referenceSuite } from '../helpers/referenceSuite.ts';

const tolerances = {
  decoderMaskIou: 0.999,
  endToEndMaskIou: 0.999,
  iou: 1e-4,
  decoderLogits: 1e-4,
  endToEndLogits: 1e-3,
  stability: 1e-3,
};

describe('edgesam-tiny-random (EdgeSAM layout) vs PyTorch', () => {
  referenceSuite({
    dir: path.join(fixturesDir, 'reference', 'edgesam'),
    model: () => path.join(fixturesDir, 'models', 'edgesam-tiny-random'),
    tolerances,
  });
});

describe('tiny-random-hf-boxes (transformers.js layout with input_boxes) vs PyTorch', () => {
  referenceSuite({
    dir: path.join(fixturesDir, 'reference'),
    model: () => path.join(fixturesDir, 'models', 'tiny-random-hf-boxes'),
    tolerances,
    decoderOnEmbeddings: false,
    // No mask input and no single-mask token: multimask prompts, now with boxes (box_neg_multi).
    include: (p) => p.multimask_output && !p.mask_input_from,
  });
});
