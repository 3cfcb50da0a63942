/**
 * Brightness and contrast of the image on screen (issue 17): display only — masks, exports and the model's input
 * never see it. Applied as a CSS filter on the image layer's own canvas, so the mask layers above are unchanged.
 * Remembered per project in this browser (localStorage).
 */
export interface ImageAdjust {
  /** Percent; 100 = as the file is. */
  readonly brightness: number;
  readonly contrast: number;
}

export const NO_ADJUST: ImageAdjust = { brightness: 100, contrast: 100 };
export const ADJUST_MIN = 20;
export const ADJUST_MAX = 300;

const clamp = (value: unknown): number =>
  typeof value === 'number' && Number.isFinite(value)
    ? Math.min(ADJUST_MAX, Math.max(ADJUST_MIN, Math.round(value)))
    : 100;

/** The CSS filter for the image canvas ('none' when unchanged). */
export function cssFilter(adjust: ImageAdjust): string {
  const { brightness, contrast } = { brightness: clamp(adjust.brightness), contrast: clamp(adjust.contrast) };
  if (brightness === 100 && contrast === 100) return 'none';
  return `brightness(${brightness / 100}) contrast(${contrast / 100})`;
}

/** The part of `localStorage` used (a plain object in tests). */
export interface AdjustStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const keyOf = (projectFile: string) => `sam-annotate.image-adjust:${projectFile}`;

/** What this browser remembers for the project (unchanged if nothing, or something unreadable). */
export function loadAdjust(
  storage: Pick<AdjustStorage, 'getItem'> | undefined,
  projectFile: string,
): ImageAdjust {
  try {
    const saved = JSON.parse(storage?.getItem(keyOf(projectFile)) ?? 'null') as Partial<ImageAdjust> | null;
    return saved ? { brightness: clamp(saved.brightness), contrast: clamp(saved.contrast) } : NO_ADJUST;
  } catch {
    return NO_ADJUST;
  }
}

export function saveAdjust(
  storage: Pick<AdjustStorage, 'setItem' | 'removeItem'> | undefined,
  projectFile: string,
  adjust: ImageAdjust,
): void {
  try {
    if (cssFilter(adjust) === 'none') storage?.removeItem(keyOf(projectFile));
    else storage?.setItem(keyOf(projectFile), JSON.stringify(adjust));
  } catch {
    // A full or disabled storage only means it is not remembered.
  }
}
