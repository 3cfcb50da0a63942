/**
 * Import a folder of SA-1B per-image JSON files (searched recursively), in one transaction: every file or none.
 * Each file's image is `file_name` resolved from the JSON's folder (SA-1B: beside it; our export: a relative
 * path). With `imagesRoot`, the JSON tree is taken to mirror the image tree (as SA-1B's tars and our export do):
 * `<imagesRoot>/<the JSON's folder relative to dir>/<file_name's last part>`. Masks keep `predicted_iou`, `stability_score`, `crop_box` and
 * the point (as a positive click prompt), so exporting them again as SA-1B gives the same values; SA-1B is
 * class-agnostic, so annotations come in uncategorized. Malformed input: a UserError naming the file and path.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../common/errors.ts';
import { type Sa1bFile, parseSa1b } from '../common/formatSa1b.ts';
import type { JsonReader } from '../common/jsonReader.ts';
import type { Rle } from '../common/rle.ts';
import { rleArea } from '../common/rle.ts';
import { canonicalRle } from '../common/rleOps.ts';
import { type NewAnnotation, addAnnotations } from '../store/annotations.ts';
import type { Project } from '../store/projectDb.ts';
import { inTransaction } from '../store/types.ts';
import { inspectImportImages, projectImageFor } from './importImages.ts';
import { type ImportOptions, type ImportReport, readJsonFile } from './importCoco.ts';

async function jsonFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    throw new UserError(`${dir}: no such folder`);
  }
  return entries
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.json') && !e.name.startsWith('.'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

function imageFileOf(dir: string, jsonFile: string, fileName: string, imagesRoot?: string): string {
  if (imagesRoot === undefined) return path.resolve(path.dirname(jsonFile), fileName);
  const mirrored = path.relative(path.resolve(dir), path.dirname(path.resolve(jsonFile)));
  return path.resolve(imagesRoot, mirrored, path.posix.basename(fileName.replaceAll('\\', '/')));
}

export async function importSa1b(
  project: Project,
  dir: string,
  options: ImportOptions & { imagesRoot?: string },
): Promise<ImportReport> {
  const files = await jsonFiles(dir);
  if (files.length === 0)
    throw new UserError(`${dir}: no .json files (expected SA-1B per-image annotation files)`);
  const parsed: { file: string; reader: JsonReader; sa1b: Sa1bFile; masks: Rle[] }[] = [];
  for (const [i, file] of files.entries()) {
    const { reader, value } = await readJsonFile(file);
    const sa1b = parseSa1b(reader, value);
    const masks: Rle[] = sa1b.annotations.map((a, j) => {
      try {
        return canonicalRle({ size: a.segmentation.size, counts: a.segmentation.counts } as Rle);
      } catch (error) {
        return reader.fail(
          `$.annotations[${j}].segmentation.counts`,
          `is not a valid COCO RLE (${(error as Error).message})`,
        );
      }
    });
    parsed.push({ file, reader, sa1b, masks });
    options.onProgress?.(i + 1, files.length, 'reading JSON');
  }
  const images = await inspectImportImages(
    parsed.map(({ file, reader, sa1b }) => ({
      reader,
      at: '$.image',
      file: imageFileOf(dir, file, sa1b.image.file_name, options.imagesRoot),
      width: sa1b.image.width,
      height: sa1b.image.height,
    })),
    (done, total) => options.onProgress?.(done, total, 'reading images'),
  );
  const report: ImportReport = {
    images: { added: 0, matched: 0, missing: [] },
    categoriesCreated: [],
    annotations: { masks: 0, boxes: 0, crowd: 0 },
    skippedEmpty: [],
  };
  inTransaction(project.db, () => {
    const count = () => (project.db.prepare('SELECT count(*) AS n FROM images').get() as { n: number }).n;
    const before = count();
    const rows: NewAnnotation[] = [];
    parsed.forEach(({ sa1b, masks, file }, i) => {
      const inspected = images[i]!;
      const imageId = projectImageFor(project.db, project, inspected);
      if (inspected.problem) report.images.missing.push({ file: inspected.file, problem: inspected.problem });
      sa1b.annotations.forEach((a, j) => {
        const mask = masks[j]!;
        if (rleArea(mask) === 0) {
          report.skippedEmpty.push(`${file}: $.annotations[${j}]`);
          return;
        }
        rows.push({
          imageId,
          categoryId: null,
          mask,
          source: 'imported',
          prompts: a.point ? { points: [{ x: a.point[0], y: a.point[1], label: 1 }] } : null,
          predictedIou: a.predictedIou ?? null,
          stabilityScore: a.stabilityScore ?? null,
          cropBox: a.cropBox ?? null,
          status: options.status ?? 'accepted',
          author: options.author,
        });
        report.annotations.masks++;
      });
    });
    report.images.added = count() - before;
    report.images.matched = parsed.length - report.images.added;
    addAnnotations(project.db, rows);
  });
  return report;
}
