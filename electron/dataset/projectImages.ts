/**
 * Images of an open project from the app (issue 17): add a folder, and rescan — flag missing or changed files
 * and add the new files of the project's image folder. Both only read image files; the project database is the
 * only thing written.
 */
import path from 'node:path';
import type { Project } from '../store/projectDb.ts';
import { type AddImagesReport, addImagesFromFolder } from './addImages.ts';
import { checkImageFiles } from './imageFiles.ts';

/**
 * The folder the project's images share: the deepest folder holding every stored image path (as stored beside
 * the project); the project's folder when it has no images yet.
 */
export function imagesFolderOf(project: Project): string {
  const rows = project.reader.prepare('SELECT rel_path AS relPath FROM images').all() as {
    relPath: string;
  }[];
  let common: string[] | undefined;
  for (const { relPath } of rows) {
    const parts = path.dirname(path.resolve(project.dir, relPath)).split(path.sep);
    if (!common) common = parts;
    else {
      let i = 0;
      while (i < common.length && i < parts.length && common[i] === parts[i]) i++;
      common = common.slice(0, i);
    }
  }
  return common ? common.join(path.sep) || path.sep : project.dir;
}

/** One line for the user about an added folder. */
export function addImagesMessage(dir: string, report: AddImagesReport): string {
  const parts = [`added ${report.added.length} image${report.added.length === 1 ? '' : 's'} from ${dir}`];
  if (report.alreadyInProject) parts.push(`${report.alreadyInProject} already in the project`);
  if (report.duplicates.length) parts.push(`${report.duplicates.length} duplicates skipped`);
  if (report.changed.length) parts.push(`${report.changed.length} changed on disk (flagged)`);
  if (report.unreadable.length)
    parts.push(
      `${report.unreadable.length} unreadable (${report.unreadable
        .slice(0, 3)
        .map((u) => `${path.basename(u.file)}: ${u.reason}`)
        .join('; ')}${report.unreadable.length > 3 ? '; …' : ''})`,
    );
  if (report.unreadableFolders.length)
    parts.push(`${report.unreadableFolders.length} folders could not be read`);
  return parts.join('; ');
}

export interface RescanReport {
  readonly folder: string;
  readonly missing: number;
  readonly changed: number;
  readonly added: AddImagesReport;
}

/** Check every stored image file, then add the new images of the images folder. */
export async function rescanImages(
  project: Project,
  onProgress?: (done: number, total: number) => void,
): Promise<RescanReport> {
  const folder = imagesFolderOf(project);
  const check = await checkImageFiles(project, onProgress);
  const added = await addImagesFromFolder(project, folder, onProgress);
  return { folder, missing: check.missing.length, changed: check.changed.length, added };
}

export function rescanMessage(report: RescanReport): string {
  const { added, missing, changed, folder } = report;
  return [
    `rescanned ${folder}: ${added.added.length} new image${added.added.length === 1 ? '' : 's'} added`,
    ...(missing ? [`${missing} missing (Relink images… finds moved ones)`] : []),
    ...(changed ? [`${changed} changed on disk`] : []),
    ...(added.duplicates.length ? [`${added.duplicates.length} duplicates skipped`] : []),
    ...(added.unreadable.length ? [`${added.unreadable.length} unreadable`] : []),
  ].join('; ');
}
