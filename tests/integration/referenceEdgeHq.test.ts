/**
 * Issue 15 fixture models against their PyTorch references, through the app pipeline (referenceSuite):
 *  - EdgeSAM's own layout (tests/fixtures/reference/edgesam: single masks are the most stable token);
 *  - SAM-HQ (tests/fixtures/reference/samhq: one mask per prompt, token 0 + the HQ token, refinement included);
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

describe('samhq-tiny-random (SAM-HQ layout) vs PyTorch', () => {
  referenceSuite({
    dir: path.join(fixturesDir, 'reference', 'samhq'),
    model: () => path.join(fixturesDir, 'models', 'samhq-tiny-random'),
    // An 8-block ViT (four global blocks) carries float differences further than tiny-random's 2 blocks, and
    // refinement feeds our own logits back: measured 2.1e-3 at most end to end (the graphs alone: ≤ 1e-4).
    tolerances: { ...tolerances, endToEndLogits: 3e-3 },
    // The decoder also needs the encoder's block features, which the reference does not record.
    decoderOnEmbeddings: false,
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
