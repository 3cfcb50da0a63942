/**
 * Conformance with Meta's segment-anything code (../shared/conformance/README.md gives the bounds): Meta's
 * random-weight checkpoint exported by our tooling, run by our TypeScript pipeline, against what Meta's own code
 * computed. Skipped, with the reason, where the conformance data is absent.
 */
import { describe } from 'vitest';
import { findConformanceDir } from '../helpers/paths.ts';
import { conformanceModel } from '../helpers/models.ts';
import { referenceSuite } from '../helpers/referenceSuite.ts';

const dir = findConformanceDir();

describe.skipIf(!dir)('conformance with Meta segment-anything (../shared/conformance)', () => {
  referenceSuite({
    dir: dir!,
    model: () => conformanceModel(dir!),
    tolerances: {
      decoderMaskIou: 0.999,
      endToEndMaskIou: 0.99,
      iou: 1e-3,
      decoderLogits: 1e-3,
      endToEndLogits: 1e-2,
    },
  });
});
