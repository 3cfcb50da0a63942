/**
 * Import a COCO instances JSON made elsewhere, in one transaction: everything or nothing.
 *
 * - Polygons, compressed and uncompressed RLE become canonical RLE exactly as pycocotools decodes them;
 *   `iscrowd` is kept; annotations with a bbox but no segmentation are kept as boxes (for a later boxes → masks
 *   run). Area and bbox of masks are recomputed from the mask (pycocotools conventions).
 * - Categories are matched by name; unknown ones are created (with their supercategory).
 * - Images are `--images-root` (default: the JSON's folder) + `file_name`, matched to the project by content
 *   hash, else by path, else added (flagged "missing" if the file is not there).
 * - Malformed input: a UserError naming the file and the JSON path; nothing is written.
 * - A polygon too small to cover any pixel (pycocotools rasterises it to nothing) is skipped and reported.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError, describeError } from '../common/errors.ts';
import { cocoMaskOf, parseCoco } from '../common/formatCocoRead.ts';
import { JsonReader } from '../common/jsonReader.ts';
import { rleArea } from '../common/rle.ts';
import { type NewAnnotation, addAnnotations } from '../store/annotations.ts';
import { ensureCategory } from '../store/categories.ts';
import type { Project } from '../store/projectDb.ts';
import { type AnnotationStatus, inTransaction } from '../store/types.ts';
import { inspectImportImages, projectImageFor } from './importImages.ts';

export interface ImportOptions {
  author: string;
  /** Status of the imported annotations; default accepted (finished work from elsewhere). */
  status?: AnnotationStatus;
  onProgress?: (done: number, total: number, phase: string) => void;
}

export interface ImportReport {
  images: { added: number; matched: number; missing: { file: string; problem: string }[] };
  categoriesCreated: string[];
  annotations: { masks: number; boxes: number; crowd: number };
  skippedEmpty: string[];
}

export async function readJsonFile(file: string): Promise<{ reader: JsonReader; value: unknown }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: ${code === 'ENOENT' ? 'no such file' : describeError(error)}`, {
      cause: error,
    });
  }
  const reader = new JsonReader(file);
  const value = reader.parse(text);
  reader.requireWellFormedStrings(value); // every string of the file may end up in the project (issue 18)
  return { reader, value };
}

export async function importCoco(
  project: Project,
  jsonFile: string,
  options: ImportOptions & { imagesRoot?: string },
): Promise<ImportReport> {
  const { reader, value } = await readJsonFile(jsonFile);
  const coco = parseCoco(reader, value);
  const root = path.resolve(options.imagesRoot ?? path.dirname(jsonFile));
  const images = await inspectImportImages(
    coco.images.map((image) => ({
      reader,
      at: image.path,
      file: path.resolve(root, image.fileName),
      width: image.width,
      height: image.height,
    })),
    (done, total) => options.onProgress?.(done, total, 'reading images'),
  );
  const imageByCocoId = new Map(
    coco.images.map((image, i) => [image.id, { cocoImage: image, inspected: images[i]! }]),
  );
  const report: ImportReport = {
    images: { added: 0, matched: 0, missing: [] },
    categoriesCreated: [],
    annotations: { masks: 0, boxes: 0, crowd: 0 },
    skippedEmpty: [],
  };
  // Rasterise and validate every mask before writing anything.
  const masks = coco.annotations.map((annotation, i) => {
    const { cocoImage } = imageByCocoId.get(annotation.imageId)!;
    const mask = cocoMaskOf(reader, annotation, cocoImage);
    if (i % 1000 === 999) options.onProgress?.(i + 1, coco.annotations.length, 'decoding masks');
    return mask;
  });
  inTransaction(project.db, () => {
    const categoryIds = new Map<number, number>();
    for (const category of coco.categories) {
      const { row, created } = ensureCategory(project.db, {
        name: category.name,
        supercategory: category.supercategory,
      });
      categoryIds.set(category.id, row.id);
      if (created) report.categoriesCreated.push(row.name);
    }
    const imageIds = new Map<number, number>();
    const before = (project.db.prepare('SELECT count(*) AS n FROM images').get() as { n: number }).n;
    for (const { cocoImage, inspected } of imageByCocoId.values()) {
      imageIds.set(cocoImage.id, projectImageFor(project.db, project, inspected));
      if (inspected.problem) report.images.missing.push({ file: inspected.file, problem: inspected.problem });
    }
    const after = (project.db.prepare('SELECT count(*) AS n FROM images').get() as { n: number }).n;
    report.images.added = after - before;
    report.images.matched = imageByCocoId.size - report.images.added;
    const rows: NewAnnotation[] = [];
    coco.annotations.forEach((annotation, i) => {
      const mask = masks[i]!;
      if (mask && rleArea(mask) === 0) {
        report.skippedEmpty.push(annotation.path);
        return;
      }
      rows.push({
        imageId: imageIds.get(annotation.imageId)!,
        categoryId: categoryIds.get(annotation.categoryId)!,
        mask,
        box: annotation.bbox,
        boxArea: annotation.area,
        iscrowd: annotation.iscrowd,
        source: 'imported',
        status: options.status ?? 'accepted',
        author: options.author,
      });
      if (mask) report.annotations.masks++;
      else report.annotations.boxes++;
      if (annotation.iscrowd) report.annotations.crowd++;
    });
    options.onProgress?.(0, rows.length, 'writing');
    addAnnotations(project.db, rows);
  });
  return report;
}
