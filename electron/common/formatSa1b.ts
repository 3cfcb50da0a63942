/**
 * SA-1B per-image annotation files (segment-anything README, "Dataset"):
 * `{"image": {image_id, width, height, file_name}, "annotations": [{id, segmentation, bbox, area, predicted_iou,
 * point_coords, crop_box, stability_score}]}`.
 *
 * - `segmentation`: COCO compressed RLE at the image's resolution; `area`: its pixel count.
 * - `bbox`: SAM's convention (amg.py `batched_mask_to_box` → XYWH), one pixel narrower than COCO's:
 *   `w = x_max − x_min` with inclusive maxima, so a one-pixel mask has w = h = 0. This is what Meta's mask
 *   generator writes; the COCO export uses pycocotools' `+1` convention instead.
 * - Values for masks a person made (no automatic-generator record):
 *   `point_coords` = the first positive click; else the centre of the box prompt; else a pixel inside the mask
 *   (centre of its longest vertical run), as `[[x, y]]` in image pixels.
 *   `crop_box` = the stored crop if the mask came from a crop, else the full image `[0, 0, W, H]`.
 *   `predicted_iou` / `stability_score` = the model's values if a model made the mask, else 1.0 (a person
 *   drew or accepted it as is).
 * - Reading (issue 18): sizes within `imageLimits.ts`; `crop_box` inside the image, `bbox` and `point_coords`
 *   inside it within 1 px (a point outside is refused, not clamped: it would no longer be the prompt the mask
 *   came from, and it means the file belongs to another image); scores: {@link PREDICTED_IOU_RANGE}.
 */
import { readImageSize } from './imageLimits.ts';
import { checkBoxInImage, checkPointInImage, readFileName } from './importChecks.ts';
import type { JsonReader, JsonValue } from './jsonReader.ts';
import type { MaskPrompts } from './prompts.ts';
import type { Bbox, Rle } from './rle.ts';
import { rleArea, rleBboxSam } from './rle.ts';
import { interiorPoint } from './rleOps.ts';

export interface Sa1bAnnotation {
  id: number;
  segmentation: { size: [number, number]; counts: string };
  bbox: Bbox;
  area: number;
  predicted_iou: number;
  point_coords: [number, number][];
  crop_box: Bbox;
  stability_score: number;
}

export interface Sa1bImage {
  image_id: number;
  width: number;
  height: number;
  file_name: string;
}

/** What the SA-1B writer needs of a stored annotation. */
export interface Sa1bSource {
  id: number;
  rle: Rle;
  prompts: MaskPrompts | null;
  predictedIou: number | null;
  stabilityScore: number | null;
  cropBox: Bbox | null;
}

export function sa1bAnnotation(a: Sa1bSource): Sa1bAnnotation {
  const [h, w] = a.rle.size;
  return {
    id: a.id,
    segmentation: { size: [h, w], counts: a.rle.counts },
    bbox: rleBboxSam(a.rle),
    area: rleArea(a.rle),
    predicted_iou: a.predictedIou ?? 1,
    point_coords: [pointOf(a)],
    crop_box: a.cropBox ?? [0, 0, w, h],
    stability_score: a.stabilityScore ?? 1,
  };
}

function pointOf(a: Sa1bSource): [number, number] {
  const click = a.prompts?.points.find((p) => p.label === 1);
  if (click) return [click.x, click.y];
  const box = a.prompts?.box;
  if (box) return [(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2];
  return interiorPoint(a.rle) ?? [0, 0];
}

export function sa1bDocument(image: Sa1bImage, annotations: readonly Sa1bAnnotation[]): string {
  return `${JSON.stringify({ image, annotations })}\n`;
}

/** A parsed SA-1B file: fields validated, JSON paths named in errors. Masks are not decoded here. */
export interface Sa1bFile {
  image: Sa1bImage;
  annotations: {
    id: number;
    segmentation: { size: [number, number]; counts: string | number[] };
    point: [number, number] | undefined;
    cropBox: Bbox | undefined;
    predictedIou: number | undefined;
    stabilityScore: number | undefined;
  }[];
}

/**
 * Plausible SA-1B scores (issue 18). `stability_score` is an IoU of two thresholded masks, so in [0, 1].
 * `predicted_iou` is the output of SAM's IoU head, an MLP with no sigmoid (mask_decoder.py): trained toward
 * [0, 1], it gives values a little above 1 on real weights and up to ~2 on the test fixtures' random weights,
 * and Meta's generator writes it as is. So only what no IoU head gives is refused (1e20, -5).
 */
export const PREDICTED_IOU_RANGE = [-10, 10] as const;
export const STABILITY_SCORE_RANGE = [0, 1] as const;

export function parseSa1b(reader: JsonReader, value: JsonValue): Sa1bFile {
  const root = reader.object(value, '$');
  const img = reader.object(root.image, '$.image');
  const image: Sa1bImage = {
    image_id: reader.integer(img.image_id, '$.image.image_id'),
    ...readImageSize(reader, img, '$.image'),
    file_name: readFileName(reader, img.file_name, '$.image.file_name'),
  };
  const annotations = reader.array(root.annotations, '$.annotations').map((entry, i) => {
    const at = `$.annotations[${i}]`;
    const a = reader.object(entry, at);
    const seg = reader.object(a.segmentation, `${at}.segmentation`);
    const size = reader.numbers(seg.size, `${at}.segmentation.size`, 2) as [number, number];
    if (size[0] !== image.height || size[1] !== image.width) {
      reader.fail(
        `${at}.segmentation.size`,
        `is [${size}] but the image is [${image.height}, ${image.width}] ([height, width])`,
      );
    }
    const counts =
      typeof seg.counts === 'string'
        ? seg.counts
        : reader
            .array(seg.counts, `${at}.segmentation.counts`)
            .map((c, j) => reader.integer(c, `${at}.segmentation.counts[${j}]`, 0));
    if (a.bbox !== undefined)
      checkBoxInImage(reader, reader.numbers(a.bbox, `${at}.bbox`, 4) as Bbox, `${at}.bbox`, image);
    const points = (reader.optional(a.point_coords, (v) => reader.array(v, `${at}.point_coords`)) ?? []).map(
      (p, j) => {
        const where = `${at}.point_coords[${j}]`;
        return checkPointInImage(reader, reader.numbers(p, where, 2) as [number, number], where, image);
      },
    );
    return {
      id: reader.integer(a.id, `${at}.id`),
      segmentation: { size, counts },
      point: points[0],
      cropBox: reader.optional(a.crop_box, (v) =>
        checkBoxInImage(reader, reader.numbers(v, `${at}.crop_box`, 4) as Bbox, `${at}.crop_box`, image, 0),
      ),
      predictedIou: reader.optional(a.predicted_iou, (v) =>
        reader.numberIn(v, `${at}.predicted_iou`, ...PREDICTED_IOU_RANGE),
      ),
      stabilityScore: reader.optional(a.stability_score, (v) =>
        reader.numberIn(v, `${at}.stability_score`, ...STABILITY_SCORE_RANGE),
      ),
    };
  });
  return { image, annotations };
}
