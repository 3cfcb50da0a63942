/** Issue 17: the annotator numbered masks 1, 2, 3 in list order while Review named them by id. */
import { describe, expect, it } from 'vitest';
import { maskLabel } from '../../../renderer/components/labels.ts';

describe('mask labels', () => {
  it('are the annotation id in every view; a mask still being stored has none yet', () => {
    expect(maskLabel({ id: 42 })).toBe('#42');
    expect(maskLabel({ id: -3 })).toBe('#…');
  });
});
