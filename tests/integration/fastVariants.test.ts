/**
 * Issue 15: the fast CPU variants in the layouts other tools publish, loaded from downloaded-style folders (no
 * manifest), against their PyTorch references (native-models/tools/make_fast_variant_fixtures.py): tiny random
 * MobileSAM (TinyViT) and EfficientViT-SAM models exported by our own exporter in each tool's exact layout.
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

const suite = (layout: string) => ({
  dir: path.join(fixturesDir, 'reference', 'fast', layout),
  model: () => path.join(fixturesDir, 'models', layout),
  tolerances,
});

describe('MobileSAM, samexporter --use-preprocess encoder (float32 [h,w,3]) + Meta decoder, vs PyTorch', () => {
  referenceSuite(suite('mobile-sam-preprocess'));
});

describe("EfficientViT-SAM, X-AnyLabeling's uint8 [H,W,3] encoder + Meta decoder, vs PyTorch", () => {
  referenceSuite(suite('efficientvit-xanylabeling'));
});

describe('EfficientViT-SAM, official export (Se = S/2 encoder, 3-in/2-out decoder), vs PyTorch', () => {
  // No mask input in this decoder: the fixture has no refinement prompt.
  referenceSuite(suite('efficientvit-official'));
});
