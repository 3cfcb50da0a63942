/**
 * Reading COCO instances JSON made elsewhere: every field checked, errors name the file and the JSON path
 * (`train.json: $.annotations[12].segmentation[0] must hold at least 6 numbers`). Segmentations become canonical
 * compressed RLE exactly as pycocotools' `COCO.annToRLE` would decode them (polygons: `polygonRaster.ts`).
 * Values that would be stored must be plausible (issue 18): image sizes within `imageLimits.ts`, bbox and area
 * within the image (`importChecks.ts`), category names not blank.
 */
import { readImageSize } from './imageLimits.ts';
import { checkAreaInImage, checkBoxInImage, readFileName } from './importChecks.ts';
import type { JsonReader, JsonValue } from './jsonReader.ts';
import { polygonsToRle } from './polygonRaster.ts';
import type { Bbox, Rle } from './rle.ts';
import { canonicalRle } from './rleOps.ts';

export type CocoSegmentationIn =
  | { kind: 'polygons'; polygons: number[][] }
  | { kind: 'rle'; size: [number, number]; counts: string | number[] }
  | { kind: 'none' };

export interface CocoImageIn {
  path: string;
  id: number;
  fileName: string;
  width: number;
  height: number;
}

export interface CocoCategoryIn {
  id: number;
  name: string;
  supercategory: string;
}

export interface CocoAnnotationIn {
  path: string;
  imageId: number;
  categoryId: number;
  iscrowd: boolean;
  segmentation: CocoSegmentationIn;
  bbox: Bbox | undefined;
  area: number | undefined;
}

export interface CocoFileIn {
  images: CocoImageIn[];
  categories: CocoCategoryIn[];
  annotations: CocoAnnotationIn[];
}

/** Coordinates beyond this are certainly wrong (and beyond what maskApi.c's `int` arithmetic handles). */
const MAX_COORDINATE = 1e7;

export function parseCoco(reader: JsonReader, value: JsonValue): CocoFileIn {
  const root = reader.object(value, '$');
  const imageIds = new Map<number, CocoImageIn>();
  const images = reader.array(root.images, '$.images').map((entry, i) => {
    const at = `$.images[${i}]`;
    const o = reader.object(entry, at);
    const image: CocoImageIn = {
      path: at,
      id: reader.integer(o.id, `${at}.id`),
      fileName: readFileName(reader, o.file_name, `${at}.file_name`),
      ...readImageSize(reader, o, at),
    };
    const earlier = imageIds.get(image.id);
    if (earlier) reader.fail(`${at}.id`, `${image.id} is already the id of ${earlier.path}`);
    imageIds.set(image.id, image);
    return image;
  });
  const categoryIds = new Map<number, string>();
  const categories = (reader.optional(root.categories, (v) => reader.array(v, '$.categories')) ?? []).map(
    (entry, i) => {
      const at = `$.categories[${i}]`;
      const o = reader.object(entry, at);
      const supercategory = o.supercategory ?? '';
      if (typeof supercategory !== 'string') reader.fail(`${at}.supercategory`, 'must be a string');
      const category = {
        id: reader.integer(o.id, `${at}.id`),
        name: reader.string(o.name, `${at}.name`).trim(),
        supercategory,
      };
      if (!category.name) reader.fail(`${at}.name`, 'must not be blank');
      if (categoryIds.has(category.id))
        reader.fail(`${at}.id`, `${category.id} is already the id of ${categoryIds.get(category.id)}`);
      categoryIds.set(category.id, at);
      return category;
    },
  );
  const annotations = (reader.optional(root.annotations, (v) => reader.array(v, '$.annotations')) ?? []).map(
    (entry, i) => {
      const at = `$.annotations[${i}]`;
      const o = reader.object(entry, at);
      const imageId = reader.integer(o.image_id, `${at}.image_id`);
      const image =
        imageIds.get(imageId) ??
        reader.fail(`${at}.image_id`, `${imageId} is not the id of an image in $.images`);
      const categoryId = reader.integer(o.category_id, `${at}.category_id`);
      if (!categoryIds.has(categoryId))
        reader.fail(`${at}.category_id`, `${categoryId} is not the id of a category in $.categories`);
      const iscrowd = o.iscrowd ?? 0;
      if (iscrowd !== 0 && iscrowd !== 1) reader.fail(`${at}.iscrowd`, 'must be 0 or 1');
      const bbox = reader.optional(o.bbox, (v) =>
        checkBoxInImage(reader, reader.numbers(v, `${at}.bbox`, 4) as Bbox, `${at}.bbox`, image),
      );
      const area = reader.optional(o.area, (v) =>
        checkAreaInImage(reader, reader.number(v, `${at}.area`), `${at}.area`, image),
      );
      const segmentation = readSegmentation(reader, o.segmentation, `${at}.segmentation`, image);
      if (segmentation.kind === 'none' && !bbox) reader.fail(at, 'has neither a segmentation nor a bbox');
      if (segmentation.kind === 'none' && iscrowd === 1)
        reader.fail(`${at}.segmentation`, 'is needed for a crowd annotation (iscrowd 1)');
      return { path: at, imageId, categoryId, iscrowd: iscrowd === 1, segmentation, bbox, area };
    },
  );
  return { images, categories, annotations };
}

function readSegmentation(
  reader: JsonReader,
  value: JsonValue,
  at: string,
  image: CocoImageIn,
): CocoSegmentationIn {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0))
    return { kind: 'none' };
  if (Array.isArray(value)) {
    const polygons = value.map((p, j) => {
      const list = reader.array(p, `${at}[${j}]`);
      if (list.length < 6 || list.length % 2 !== 0) {
        reader.fail(
          `${at}[${j}]`,
          `must hold an even number of at least 6 numbers (3 points), has ${list.length}`,
        );
      }
      return list.map((n, k) => {
        const x = reader.number(n, `${at}[${j}][${k}]`);
        if (Math.abs(x) > MAX_COORDINATE) reader.fail(`${at}[${j}][${k}]`, `is out of range (${x})`);
        return x;
      });
    });
    return { kind: 'polygons', polygons };
  }
  const o = reader.object(value, at);
  const size = reader.numbers(o.size, `${at}.size`, 2) as [number, number];
  if (size[0] !== image.height || size[1] !== image.width) {
    reader.fail(
      `${at}.size`,
      `is [${size}] but ${image.path} is [${image.height}, ${image.width}] ([height, width])`,
    );
  }
  const counts =
    typeof o.counts === 'string'
      ? o.counts
      : reader.array(o.counts, `${at}.counts`).map((c, k) => reader.integer(c, `${at}.counts[${k}]`, 0));
  return { kind: 'rle', size, counts };
}

/** The canonical mask of a parsed annotation (null for box-only), with errors naming the JSON path. */
export function cocoMaskOf(reader: JsonReader, annotation: CocoAnnotationIn, image: CocoImageIn): Rle | null {
  const s = annotation.segmentation;
  if (s.kind === 'none') return null;
  if (s.kind === 'polygons') return polygonsToRle(s.polygons, image.height, image.width);
  try {
    return canonicalRle(
      typeof s.counts === 'string' ? { size: s.size, counts: s.counts } : { size: s.size, counts: s.counts },
    );
  } catch (error) {
    return reader.fail(
      `${annotation.path}.segmentation.counts`,
      `is not a valid COCO RLE (${(error as Error).message})`,
    );
  }
}
