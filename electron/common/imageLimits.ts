/**
 * Bounds on the images the app reads (issue 18), one definition for every reader of declared sizes (dataset
 * imports), for code that allocates per pixel (exports, mask decoding) and for the bounded file reader, so a
 * hostile or mistaken file is refused by name instead of exhausting memory.
 *
 * - 65536 px a side: the most PNG encoders, sharp/libvips defaults and WebP (16383) come near; beyond it a size
 *   is a typo or a hostile file.
 * - 500 megapixels: a one-byte-per-pixel mask of that size (500 MB) still fits a typed array and memory; a
 *   declared 10⁷ × 10⁷ image (10¹⁴ pixels) made every later export die with "Invalid typed array length".
 */
import type { JsonReader, JsonValue } from './jsonReader.ts';

/** Longest side accepted, in pixels. */
export const MAX_IMAGE_SIDE = 65536;

/** Most pixels in one image (also sharp's `limitInputPixels`): 500 MP. */
export const MAX_IMAGE_PIXELS = 500_000_000;

/** Largest image file read: 1 GiB (camera and scanner files are far smaller). */
export const MAX_IMAGE_FILE_BYTES = 2 ** 30;

/** Why `width`×`height` (positive integers) is too large, or undefined if it is not. */
export function imageSizeProblem(width: number, height: number): string | undefined {
  if (width * height <= MAX_IMAGE_PIXELS) return undefined;
  const megapixels = Math.round((width * height) / 1e6);
  return `is ${width}×${height} (${megapixels} MP), larger than the largest supported image (${MAX_IMAGE_PIXELS / 1e6} MP)`;
}

/** `width` and `height` of a JSON image record at `at`, as integers within the bounds; errors name the field. */
export function readImageSize(
  reader: JsonReader,
  record: Record<string, JsonValue>,
  at: string,
): { width: number; height: number } {
  const side = (key: 'width' | 'height') => {
    const value = reader.integer(record[key], `${at}.${key}`, 1);
    if (value > MAX_IMAGE_SIDE)
      reader.fail(`${at}.${key}`, `is ${value}, larger than the largest supported side (${MAX_IMAGE_SIDE})`);
    return value;
  };
  const width = side('width');
  const height = side('height');
  const problem = imageSizeProblem(width, height);
  if (problem) reader.fail(at, problem);
  return { width, height };
}
