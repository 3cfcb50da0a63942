/**
 * Ultralytics YOLO segmentation labels: one `.txt` per image, one line per object, `class x1 y1 x2 y2 …` with
 * coordinates normalised by the image width and height (0..1, origin at the top-left image corner; a vertex is a
 * pixel corner, so x = 1 is the right edge of the image).
 *
 * The format allows one polygon per object, so an object's islands and holes are joined into one ring by
 * zero-width slits (as Ultralytics' own COCO converter joins multi-part objects): an even–odd rasteriser gets
 * the exact mask back at tolerance 0.
 */
import { joinPolygons, rleToPolygons } from './polygons.ts';
import type { Rle } from './rle.ts';

export function yoloLine(classIndex: number, rle: Rle, tolerance: number, decimals = 6): string | undefined {
  const ring = joinPolygons(rleToPolygons(rle, { tolerance }));
  if (ring.length < 6) return undefined;
  const [h, w] = rle.size;
  const parts = [String(classIndex)];
  for (let i = 0; i < ring.length; i += 2)
    parts.push(fixed(ring[i]! / w, decimals), fixed(ring[i + 1]! / h, decimals));
  return parts.join(' ');
}

/** Fixed decimals without trailing zeros ("0.5", "1", "0.123457"). */
function fixed(value: number, decimals: number): string {
  return value
    .toFixed(decimals)
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '');
}

/** Ultralytics dataset YAML (`names` by class index); `path` is the export folder, images are expected in `images/`. */
export function yoloDataYaml(names: readonly string[]): string {
  const lines = [
    '# Written by SAM Annotate. Put the images under images/ with the same relative paths as labels/.',
    'path: .',
    'train: images',
    'val: images',
    'names:',
    ...names.map((name, i) => `  ${i}: ${JSON.stringify(name)}`),
  ];
  return `${lines.join('\n')}\n`;
}
