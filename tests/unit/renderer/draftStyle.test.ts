/** Issue 17: the SAM draft was drawn in the current category's colour and looked already accepted. */
import { describe, expect, it } from 'vitest';
import { draftStyle } from '../../../renderer/core/view/draftStyle.ts';

describe('the draft style', () => {
  it('is the same whatever the category, lighter than a stored mask, with a dashed edge', () => {
    expect(draftStyle()).toEqual(draftStyle());
    expect(draftStyle().fill).toBeLessThan(0.5);
    expect(draftStyle().dash).toBeGreaterThan(0);
    expect(draftStyle().color).toEqual({ r: 0xe5, g: 0xe7, b: 0xeb });
  });
});
