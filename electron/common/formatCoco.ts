/**
 * COCO instances JSON, one record at a time (the exporter streams them). Conventions, as pycocotools reads them:
 *
 * - `bbox` is pycocotools `toBbox` of the mask (`w = x_max − x_min + 1`), `area` its pixel count.
 * - Segmentation modes: `rle` = compressed RLE for every mask (lossless); `polygon` = polygons for every mask;
 *   `auto` = polygons for masks without holes, RLE for masks with holes (so nothing is lost silently).
 * - Polygons: one per island; an island's holes are joined to its outline by zero-width slits (`keyholeRing`),
 *   which pycocotools rasterises back exactly at tolerance 0 (holes stay holes). Vertices are pixel corners.
 * - `iscrowd`: as stored (0 for everything made in the app). Crowd regions are always written as RLE, as the
 *   COCO format defines them. RLE with `iscrowd: 0` is valid for pycocotools (it decides by type, not flag).
 */
import { type PolygonWithHoles, hasHoles, keyholeRing, rleToPolygons } from './polygons.ts';
import type { Bbox, Rle } from './rle.ts';

export type CocoMode = 'auto' | 'polygon' | 'rle';

export interface CocoImage {
  id: number;
  file_name: string;
  width: number;
  height: number;
}

export interface CocoCategory {
  id: number;
  name: string;
  supercategory: string;
}

export type CocoSegmentation = number[][] | { size: [number, number]; counts: string };

export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  segmentation: CocoSegmentation;
  area: number;
  bbox: Bbox;
  iscrowd: 0 | 1;
}

/** The segmentation of one mask in the chosen mode, and which encoding it got. */
export function cocoSegmentation(
  rle: Rle,
  iscrowd: boolean,
  mode: CocoMode,
  tolerance: number,
): { segmentation: CocoSegmentation; encoding: 'polygon' | 'rle' } {
  const asRle = {
    segmentation: { size: [rle.size[0], rle.size[1]] as [number, number], counts: rle.counts },
    encoding: 'rle' as const,
  };
  if (iscrowd || mode === 'rle') return asRle;
  const polygons: PolygonWithHoles[] = rleToPolygons(rle, { tolerance });
  if (polygons.length === 0 || (mode === 'auto' && hasHoles(polygons))) return asRle;
  return { segmentation: polygons.map(keyholeRing), encoding: 'polygon' };
}

/** The top of the file up to the opening of the `images` array: write images, then {@link COCO_BETWEEN}, then annotations, then {@link COCO_END}. */
export function cocoHead(info: Record<string, unknown>, categories: readonly CocoCategory[]): string {
  return `{"info":${JSON.stringify(info)},"licenses":[],"categories":${JSON.stringify(categories)},"images":[`;
}

export const COCO_BETWEEN = '],"annotations":[';
export const COCO_END = ']}\n';
