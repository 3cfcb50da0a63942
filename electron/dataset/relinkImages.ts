/**
 * Relink a project's missing images to the folder they moved to (issue 17). For each image not found where the
 * project looks (beside the project as stored, then its old absolute path), the new folder is searched for the
 * trailing parts of its old path, longest first: `/old/photos/sub/a.png` is looked for as
 * `NEW/old/photos/sub/a.png`, `NEW/photos/sub/a.png`, `NEW/sub/a.png`, `NEW/a.png`. A candidate is taken only
 * when it is the same picture (sha256 when the project knows it, else the same size), so masks always fit.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError, describeError } from '../common/errors.ts';
import { locateImage } from '../store/imagePaths.ts';
import { type ImageRow, listImagesPage, relocateImage, updateImageFile } from '../store/images.ts';
import type { Project } from '../store/projectDb.ts';
import { inTransaction } from '../store/types.ts';
import { inspectImage } from './imageFiles.ts';

export interface RelinkReport {
  folder: string;
  /** Images that were missing. */
  missing: number;
  relinked: number;
  /** Still missing: nothing of that name under the folder, or only a different file (`differs`). */
  notFound: string[];
  differs: string[];
}

/** The paths under `folder` an image may have moved to, longest first. */
export function relinkCandidates(folder: string, image: Pick<ImageRow, 'relPath' | 'absPath'>): string[] {
  const tails = (parts: string[]) => parts.map((_, i) => parts.slice(i)).filter((t) => t.length > 0);
  const fromAbs = image.absPath.split(/[\\/]+/).filter((p) => p && !/^[A-Za-z]:$/.test(p));
  const fromRel = image.relPath.split('/').filter((p) => p && p !== '..' && p !== '.');
  const seen = new Set<string>();
  for (const tail of [...tails(fromAbs), ...tails(fromRel)].sort((a, b) => b.length - a.length))
    seen.add(path.join(folder, ...tail));
  return [...seen];
}

export async function relinkImages(
  project: Project,
  folder: string,
  onProgress?: (done: number, total: number) => void,
): Promise<RelinkReport> {
  const root = path.resolve(folder);
  const info = await stat(root).catch(() => undefined);
  if (!info) throw new UserError(`${folder}: no such folder`);
  if (!info.isDirectory()) throw new UserError(`${folder}: not a folder`);
  const report: RelinkReport = { folder: root, missing: 0, relinked: 0, notFound: [], differs: [] };
  const lost: ImageRow[] = [];
  for (let afterId = 0; ;) {
    const page = listImagesPage(project.reader, afterId, 500);
    if (page.length === 0) break;
    afterId = page[page.length - 1]!.id;
    lost.push(...page.filter((image) => !locateImage(project.dir, image)));
  }
  report.missing = lost.length;
  for (const [i, image] of lost.entries()) {
    let differs = false;
    let found = false;
    for (const candidate of relinkCandidates(root, image)) {
      if (!existsSync(candidate)) continue;
      const file = await inspectImage(candidate).catch((error: unknown) => describeError(error));
      const same =
        typeof file !== 'string' &&
        (image.sha256
          ? file.sha256 === image.sha256
          : file.width === image.width && file.height === image.height);
      if (!same || typeof file === 'string') {
        differs = true;
        continue;
      }
      inTransaction(project.db, () => relocateImage(project.db, project.dir, image.id, candidate, file));
      found = true;
      break;
    }
    if (found) report.relinked++;
    else {
      (differs ? report.differs : report.notFound).push(image.relPath);
      if (image.fileState !== 'missing') updateImageFile(project.db, { id: image.id, fileState: 'missing' });
    }
    onProgress?.(i + 1, lost.length);
  }
  return report;
}

/** One line for the user. */
export function relinkMessage(report: RelinkReport): string {
  const still = report.notFound.length + report.differs.length;
  const names = (list: string[]) => list.slice(0, 5).join(', ') + (list.length > 5 ? ', …' : '');
  const why = [
    ...(report.differs.length ? [`a file of that name differs: ${names(report.differs)}`] : []),
    ...(report.notFound.length ? [`not found: ${names(report.notFound)}`] : []),
  ];
  return (
    `relinked ${report.relinked} of ${report.missing} missing images to ${report.folder}` +
    (still ? `; ${still} still missing (${why.join('; ')})` : '')
  );
}
