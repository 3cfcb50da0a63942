/**
 * Geometry read from a dataset file must fit its image (issue 18): a box or point far outside it, or a number
 * like 1e308, is a broken file, and storing it would break statistics, exports and the canvas later. Checks name
 * the JSON path and echo the value (numbers only, so the message stays short).
 */
import type { JsonReader } from './jsonReader.ts';
import type { Bbox } from './rle.ts';

/**
 * How far (px) a box or point may reach past the image's edges: COCO tools round polygon vertices and boxes
 * (x + w = 640.01 on a 640-wide image happens), so a sub-pixel overshoot is not an error.
 */
export const EDGE_TOLERANCE_PX = 1;

interface ImageSize {
  width: number;
  height: number;
}

/**
 * An `[x, y, w, h]` box (already finite numbers) with w, h ≥ 0 inside the image, within `tolerance` px (0 for
 * SA-1B's crop boxes: whole pixels that Meta's generator cuts from the image).
 */
export function checkBoxInImage(
  reader: JsonReader,
  box: Bbox,
  at: string,
  image: ImageSize,
  tolerance = EDGE_TOLERANCE_PX,
): Bbox {
  const [x, y, w, h] = box;
  if (w < 0 || h < 0) reader.fail(at, 'must have width and height ≥ 0');
  const t = tolerance;
  if (x < -t || y < -t || x + w > image.width + t || y + h > image.height + t)
    reader.fail(at, `[${box.join(',')}] reaches outside the ${image.width}×${image.height} image`);
  return box;
}

/** An `[x, y]` point in image pixels (already finite numbers) inside the image, within the tolerance. */
export function checkPointInImage(
  reader: JsonReader,
  point: [number, number],
  at: string,
  image: ImageSize,
): [number, number] {
  const [x, y] = point;
  const t = EDGE_TOLERANCE_PX;
  if (x < -t || y < -t || x > image.width + t || y > image.height + t)
    reader.fail(at, `[${point.join(',')}] is outside the ${image.width}×${image.height} image`);
  return point;
}

/** A pixel area (already a finite number) between 0 and the image's pixel count. */
export function checkAreaInImage(reader: JsonReader, area: number, at: string, image: ImageSize): number {
  const pixels = image.width * image.height;
  if (area < 0 || area > pixels) reader.fail(at, `is ${area}, outside [0, ${pixels}]`);
  return area;
}

/** An image's `file_name`: a non-empty string without NUL (no file system takes one; it would be stored as is). */
export function readFileName(reader: JsonReader, value: unknown, at: string): string {
  const name = reader.string(value, at);
  if (name.includes('\0')) reader.fail(at, 'contains a NUL character');
  return name;
}
