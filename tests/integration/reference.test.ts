/**
 * The committed fixture models (seeded random weights, S = 256, 32 channels) against their PyTorch reference
 * outputs (tests/fixtures/reference/README.md): proves the pipeline for an input size other than 1024 and an
 * embedding width other than 256, in both layouts.
 */
import path from 'node:path';
import { describe } from 'vitest';
import { fixturesDir } from '../helpers/paths.ts';
import { referenceSuite } from '../helpers/referenceSuite.ts';

const dir = path.join(fixturesDir, 'reference');
const tolerances = {
  decoderMaskIou: 0.999,
  endToEndMaskIou: 0.999,
  iou: 1e-4,
  decoderLogits: 1e-4,
  endToEndLogits: 1e-3,
  stability: 1e-3,
};

describe('tiny-random (sam-annotate layout) vs PyTorch', () => {
  referenceSuite({ dir, model: () => path.join(fixturesDir, 'models', 'tiny-random'), tolerances });
});

describe('tiny-random-hf (transformers.js layout) vs PyTorch', () => {
  referenceSuite({
    dir,
    model: () => path.join(fixturesDir, 'models', 'tiny-random-hf'),
    tolerances,
    decoderOnEmbeddings: false,
    // The published graph has no mask input, no box input and no single-mask token: point prompts, multimask.
    include: (p) => p.multimask_output && !p.box && !p.mask_input_from,
  });
});
