/** How a model's family and abilities are named everywhere (models list, the Models panel; issue 14). */
import { describe, expect, it } from 'vitest';
import { abilitiesLabel, familyLabel } from '../../../electron/common/modelFamily.ts';

describe('familyLabel', () => {
  it('names the manifest families', () => {
    expect(familyLabel('sam', 'transformers.js')).toBe('SAM 1');
    expect(familyLabel('sam2', 'sam-annotate')).toBe('SAM 2');
    expect(familyLabel('sam2.1', 'sam2-samexporter')).toBe('SAM 2.1');
    expect(familyLabel('efficientsam', 'sam-annotate')).toBe('efficientsam');
  });

  it('without a manifest, says what the layout implies', () => {
    expect(familyLabel(null, 'sam2-samexporter')).toBe('SAM 2.x');
    expect(familyLabel(null, 'sam2-rectlabel')).toBe('SAM 2.x');
    expect(familyLabel(null, 'sam-annotate')).toBe('SAM 1');
    expect(familyLabel(null, 'edgesam')).toBe('EdgeSAM');
    expect(familyLabel(null, 'transformers.js')).toBe('SAM');
    expect(familyLabel(null, null)).toBe('?');
  });
});

describe('abilitiesLabel', () => {
  it('lists what the decoder takes, or says points only', () => {
    expect(abilitiesLabel({ box: true, maskInput: true, singleMaskToken: true })).toBe(
      'box, refinement, single-mask',
    );
    expect(abilitiesLabel({ box: true, maskInput: true, singleMaskToken: false })).toBe('box, refinement');
    expect(abilitiesLabel({ box: false, maskInput: false, singleMaskToken: false })).toBe('points only');
    expect(abilitiesLabel(null)).toBe('-');
    // EdgeSAM (issue 15): candidates ranked by stability, which the listings say.
    expect(
      abilitiesLabel({
        box: true,
        maskInput: false,
        singleMaskToken: true,
        ranking: { by: 'stability', label: 'ranked by stability' },
      }),
    ).toBe('box, single-mask, ranked by stability');
  });
});
