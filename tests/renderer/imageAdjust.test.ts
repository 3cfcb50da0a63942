import { describe, expect, it } from 'vitest';
import { NO_ADJUST, cssFilter, loadAdjust, saveAdjust } from '../../renderer/core/view/imageAdjust.ts';

function memoryStorage() {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => void items.set(k, v),
    removeItem: (k: string) => void items.delete(k),
  };
}

describe('image brightness / contrast (issue 17)', () => {
  it('is a CSS filter, none when unchanged, clamped to 20–300 %', () => {
    expect(cssFilter(NO_ADJUST)).toBe('none');
    expect(cssFilter({ brightness: 150, contrast: 80 })).toBe('brightness(1.5) contrast(0.8)');
    expect(cssFilter({ brightness: 1000, contrast: -5 })).toBe('brightness(3) contrast(0.2)');
  });

  it('is remembered per project; unreadable or missing values read as unchanged', () => {
    const storage = memoryStorage();
    saveAdjust(storage, '/p/a.samproj', { brightness: 140, contrast: 120 });
    expect(loadAdjust(storage, '/p/a.samproj')).toEqual({ brightness: 140, contrast: 120 });
    expect(loadAdjust(storage, '/p/b.samproj')).toEqual(NO_ADJUST);
    saveAdjust(storage, '/p/a.samproj', NO_ADJUST);
    expect(storage.items.size).toBe(0);
    storage.setItem('sam-annotate.image-adjust:/p/c.samproj', '{not json');
    expect(loadAdjust(storage, '/p/c.samproj')).toEqual(NO_ADJUST);
    expect(loadAdjust(undefined, '/p/a.samproj')).toEqual(NO_ADJUST);
  });
});
