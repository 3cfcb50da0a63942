/**
 * Import a COCO instances JSON made elsewhere, in one transaction: everything or nothing.
 *
 * - Polygons, compressed and uncompressed RLE become canonical RLE exactly as pycocotools decodes them;
 *   `iscrowd` is kept; annotations with a bbox but no segmentation are kept as boxes (for a later boxes → masks
 *   run). Area and bbox of masks are recomputed from the mask (pycocotools conventions).
 * - Categories are matched by name; unknown ones are created (with their supercategory).
 * - Images are `--images-root` (default: the JSON's folder) + `file_name`, matched to the project by content
 *   hash, else by path, else added (flagged "missing" if the file is not there). Without `--images-root`, a file
 *   not beside the JSON is looked for under the export's `info.sam_annotate.images_root` (absolute, as our own
 *   export writes it): our COCO files re-import with the defaults (issue 17); the report says so.
 * - Malformed input: a UserError naming the file and the JSON path; nothing is written.
 * - A polygon too small to cover any pixel (pycocotools rasterises it to nothing) is skipped and reported.
 */
import { existsSync } from 'node:fs';
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
  images: {
    added: number;
    matched: number;
    missing: { file: string; problem: string }[];
    /** Images not beside the JSON found under the export's recorded images folder (`root`). */
    fromExportRoot?: { root: string; count: number };
  };
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

/** `info.sam_annotate.images_root` of a COCO file our export wrote (an absolute folder), if any. */
function exportImagesRoot(coco: unknown): string | undefined {
  const info = (coco as { info?: { sam_annotate?: { images_root?: unknown } } } | null)?.info;
  const root = info?.sam_annotate?.images_root;
  return typeof root === 'string' && path.isAbsolute(root) ? root : undefined;
}

/** One line for the report: where images that were not beside the JSON were found. */
export function exportRootNote(report: ImportReport): string | undefined {
  const found = report.images.fromExportRoot;
  if (!found) return undefined;
  const n = found.count;
  return `${n} image${n === 1 ? '' : 's'} not beside the JSON ${n === 1 ? 'was' : 'were'} found under ${found.root} (the export's images_root; --images-root overrides it)`;
}

export async function importCoco(
  project: Project,
  jsonFile: string,
  options: ImportOptions & { imagesRoot?: string },
): Promise<ImportReport> {
  const { reader, value } = await readJsonFile(jsonFile);
  const coco = parseCoco(reader, value);
  const root = path.resolve(options.imagesRoot ?? path.dirname(jsonFile));
  const exportRoot = options.imagesRoot === undefined ? exportImagesRoot(value) : undefined;
  let fromExportRoot = 0;
  const images = await inspectImportImages(
    coco.images.map((image) => {
      let file = path.resolve(root, image.fileName);
      if (exportRoot && !existsSync(file)) {
        const recorded = path.resolve(exportRoot, image.fileName);
        if (existsSync(recorded)) {
          file = recorded;
          fromExportRoot++;
        }
      }
      return { reader, at: image.path, file, width: image.width, height: image.height };
    }),
    (done, total) => options.onProgress?.(done, total, 'reading images'),
  );
  const imageByCocoId = new Map(
    coco.images.map((image, i) => [image.id, { cocoImage: image, inspected: images[i]! }]),
  );
  const report: ImportReport = {
    images: {
      added: 0,
      matched: 0,
      missing: [],
      ...(fromExportRoot ? { fromExportRoot: { root: exportRoot!, count: fromExportRoot } } : {}),
    },
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
