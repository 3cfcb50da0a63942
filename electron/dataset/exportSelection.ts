/**
 * What an export contains, shared by every format.
 *
 * - Annotations: status `accepted` only (default) or every status (`all`); optionally only some categories.
 *   Box-only annotations are left out of mask formats (they await a boxes → masks run).
 * - Images: those with at least one selected annotation, plus images marked `done` (finished, possibly with no
 *   objects: true negatives). With `all`, every image. Images not yet annotated are not passed off as empty.
 * - Masks without a category (e.g. automatic ones nobody labelled) in formats that need one (COCO, YOLO, PNG):
 *   left out, and counted for the summary (issue 17: they used to go silently under an invented "unlabeled").
 *   With `includeUncategorized` they go to an explicit category "uncategorized" (the existing one of that name,
 *   else a new id after the largest). Formats without categories (SA-1B, AMG PNG) keep them either way.
 * - File names are relative to the images' common folder (`imagesRoot`), POSIX separators.
 */
import path from 'node:path';
import { UserError } from '../common/errors.ts';
import {
  type AnnotationFilter,
  type AnnotationRow,
  annotationsOfImage,
  filterSql,
} from '../store/annotations.ts';
import { type CategoryRow, listCategories } from '../store/categories.ts';
import type { ImageRow } from '../store/images.ts';
import type { Project } from '../store/projectDb.ts';
import { sql } from '../store/statements.ts';
import type { AnnotationStatus, ReadableDB } from '../store/types.ts';
import type { SinkOpener } from './outputs.ts';

export interface ExportOptions {
  /** Every annotation status instead of accepted only. */
  all?: boolean;
  /** Only these category names. */
  categories?: readonly string[];
  /** Export masks without a category under a category "uncategorized" instead of leaving them out. */
  includeUncategorized?: boolean;
  /** Polygon simplification tolerance in pixels (0 = pixel-exact). */
  tolerance?: number;
  onProgress?: (done: number, total: number) => void;
  /** Tests inject a failing sink. */
  openSink?: SinkOpener;
}

export interface ExportCategory {
  id: number;
  name: string;
  supercategory: string;
  color: string;
}

export interface Selection {
  filter: AnnotationFilter;
  /** In id order; includes "uncategorized" when asked for and needed. */
  categories: ExportCategory[];
  /** Category id for annotations without one (`includeUncategorized`). */
  unlabeledId: number | undefined;
  /** Masks left out for having no category. */
  skippedUncategorized: number;
  imageCount: number;
  imagesRoot: string;
  all: boolean;
}

export const UNCATEGORIZED = 'uncategorized';

/** `needsCategory`: the format writes a category per mask (COCO, YOLO, PNG). */
export function selectExport(project: Project, options: ExportOptions, needsCategory = false): Selection {
  const db = project.reader;
  const known = listCategories(db);
  let chosen: CategoryRow[] = known;
  if (options.categories?.length) {
    chosen = options.categories.map(
      (name) =>
        known.find((c) => c.name === name) ??
        (() => {
          throw new UserError(
            `no category "${name}" in ${project.file} (categories: ${known.map((c) => c.name).join(', ') || 'none'})`,
          );
        })(),
    );
  }
  const statuses: AnnotationStatus[] | undefined = options.all ? undefined : ['accepted'];
  const filter: AnnotationFilter = {
    statuses,
    categoryIds: options.categories?.length ? chosen.map((c) => c.id) : undefined,
    masksOnly: true,
  };
  const categories: ExportCategory[] = chosen.map(({ id, name, supercategory, color }) => ({
    id,
    name,
    supercategory,
    color,
  }));
  let unlabeledId: number | undefined;
  let skippedUncategorized = 0;
  if (needsCategory && !filter.categoryIds) {
    const uncategorized = countUncategorized(db, filter);
    if (uncategorized && options.includeUncategorized) {
      const existing = known.find((c) => c.name === UNCATEGORIZED);
      unlabeledId = existing?.id ?? Math.max(0, ...known.map((c) => c.id)) + 1;
      if (!existing)
        categories.push({ id: unlabeledId, name: UNCATEGORIZED, supercategory: '', color: '#808080' });
    } else if (uncategorized) {
      skippedUncategorized = uncategorized;
      filter.categorizedOnly = true;
    }
  }
  // `known` is in the project's order (issue 17): YOLO classes and PNG values follow it; COCO ids stay the ids.
  const selection: Selection = {
    filter,
    categories,
    unlabeledId,
    skippedUncategorized,
    imageCount: 0,
    imagesRoot: project.dir,
    all: !!options.all,
  };
  let root: string | undefined;
  let count = 0;
  for (const page of imagePages(project, selection)) {
    for (const image of page) {
      count++;
      const dir = path.dirname(imagePath(project, image));
      root = root === undefined ? dir : commonDir(root, dir);
    }
  }
  return { ...selection, imageCount: count, imagesRoot: root ?? project.dir };
}

function countUncategorized(db: ReadableDB, filter: AnnotationFilter): number {
  const { where, params } = filterSql(filter);
  return (
    sql(db, `SELECT count(*) AS n FROM annotations a WHERE a.category_id IS NULL ${where}`).get(
      ...params,
    ) as {
      n: number;
    }
  ).n;
}

/** The summary's note on masks left out for having no category; '' when none were. */
export function uncategorizedNote(skipped: number): string {
  if (!skipped) return '';
  const one = skipped === 1;
  return `; left out ${skipped} mask${one ? '' : 's'} without a category (label ${one ? 'it' : 'them'}, or export with --include-uncategorized)`;
}

/** Selected images in id order, a page at a time. */
export function* imagePages(
  project: Project,
  selection: Pick<Selection, 'filter' | 'all'>,
  pageSize = 1000,
): Generator<ImageRow[]> {
  const { where, params } = filterSql(selection.filter);
  const include = selection.all
    ? ''
    : `AND (i.status = 'done' OR EXISTS (SELECT 1 FROM annotations a WHERE a.image_id = i.id ${where}))`;
  const statement = sql(
    project.reader,
    `SELECT i.id, i.rel_path AS relPath, i.abs_path AS absPath, i.sha256, i.byte_size AS byteSize,
       i.mtime_ms AS mtimeMs, i.width, i.height, i.status, i.file_state AS fileState, i.added_at AS addedAt
     FROM images i WHERE i.id > ? ${include} ORDER BY i.id LIMIT ?`,
  );
  for (let afterId = 0; ;) {
    const page = statement.all(afterId, ...(selection.all ? [] : params), pageSize) as ImageRow[];
    if (page.length === 0) return;
    yield page;
    afterId = page[page.length - 1]!.id;
  }
}

/** Where the image is expected, by its stored relative path. */
export function imagePath(project: Project, image: ImageRow): string {
  return path.resolve(project.dir, ...image.relPath.split('/'));
}

/** The image's path relative to the export's images root, POSIX separators. */
export function exportName(project: Project, selection: Selection, image: ImageRow): string {
  return path.relative(selection.imagesRoot, imagePath(project, image)).split(path.sep).join('/');
}

function commonDir(a: string, b: string): string {
  const pa = a.split(path.sep);
  const pb = b.split(path.sep);
  let i = 0;
  while (i < pa.length && i < pb.length && pa[i] === pb[i]) i++;
  return pa.slice(0, i).join(path.sep) || path.sep;
}

/** Output names for per-image files: `dir/stem.ext`, or `dir/name.ext.ext` when two images share a stem. */
export class OutputNames {
  private readonly used = new Set<string>();

  constructor(private readonly extension: string) {}

  for(name: string): string {
    const stem = name.replace(/\.[^./]*$/, '');
    let candidate = `${stem}${this.extension}`;
    if (this.used.has(candidate)) candidate = `${name}${this.extension}`;
    for (let i = 2; this.used.has(candidate); i++) candidate = `${stem}-${i}${this.extension}`;
    this.used.add(candidate);
    return candidate;
  }
}

/** Calls `fn` for each selected image with its selected mask annotations, reporting progress per image. */
export async function forEachImage(
  project: Project,
  selection: Selection,
  options: ExportOptions,
  fn: (image: ImageRow, annotations: AnnotationRow[]) => Promise<void>,
): Promise<void> {
  let done = 0;
  for (const page of imagePages(project, selection, 200)) {
    for (const image of page) {
      await fn(image, annotationsOfImage(project.reader, image.id, selection.filter));
      options.onProgress?.(++done, selection.imageCount);
    }
  }
}
