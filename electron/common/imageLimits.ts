/**
 * Bounds on the images the app reads (issue 18), so a hostile or mistaken file is refused by name instead of
 * exhausting memory: the bytes read from disk and the pixels decoded from them.
 */

/** Longest side accepted, in pixels. */
export const MAX_IMAGE_SIDE = 65536;

/** Most pixels decoded from one image (sharp's `limitInputPixels`): 500 MP. */
export const MAX_IMAGE_PIXELS = 500_000_000;

/** Largest image file read: 1 GiB (camera and scanner files are far smaller). */
export const MAX_IMAGE_FILE_BYTES = 2 ** 30;
