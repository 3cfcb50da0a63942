/**
 * Add a folder of images to a project (recursively), in one transaction: all new images are added, or none.
 * Duplicates (same sha256 as an image already in the project or earlier in the folder) are skipped and
 * reported; unreadable files are reported, not fatal.
 */
import { describeError } from '../common/errors.ts';
import { findImageByRelPath, findImageBySha, insertImage, updateImageFile } from '../store/images.ts';
import { storedPaths } from '../store/imagePaths.ts';
import type { Project } from '../store/projectDb.ts';
import { inTransaction } from '../store/types.ts';
import { type ImageFileInfo, inspectImage, mapLimit, scanFolder } from './imageFiles.ts';

export interface AddImagesReport {
  added: { id: number; file: string }[];
  /** Same content as an image already in the project (or earlier in this folder). */
  duplicates: { file: string; sameAs: string }[];
  /** Files with an image extension that could not be read as an image. */
  unreadable: { file: string; reason: string }[];
  /** A file at the path of a project image whose content differs: the project image is flagged "changed". */
  changed: { file: string }[];
  /** Files already in the project at the same path with the same content. */
  alreadyInProject: number;
  otherFiles: number;
  unreadableFolders: { path: string; reason: string }[];
}

export async function addImagesFromFolder(
  project: Project,
  dir: string,
  onProgress?: (done: number, total: number) => void,
): Promise<AddImagesReport> {
  const scan = await scanFolder(dir);
  const report: AddImagesReport = {
    added: [],
    duplicates: [],
    unreadable: [],
    changed: [],
    alreadyInProject: 0,
    otherFiles: scan.otherFiles,
    unreadableFolders: scan.unreadableFolders,
  };
  let done = 0;
  const inspected = await mapLimit(scan.images, 4, async (file) => {
    try {
      return await inspectImage(file);
    } catch (error) {
      report.unreadable.push({
        file,
        reason: describeError(error).replace(/^cannot read image [^:]*: /, ''),
      });
      return undefined;
    } finally {
      onProgress?.(++done, scan.images.length);
    }
  });
  report.unreadable.sort((a, b) => a.file.localeCompare(b.file));
  inTransaction(project.db, () => {
    const seen = new Map<string, string>();
    for (const info of inspected.filter((i): i is ImageFileInfo => i !== undefined)) {
      const relPath = storedPaths(project.dir, info.file).relPath;
      const existing = findImageBySha(project.db, info.sha256);
      const earlier = seen.get(info.sha256);
      if (existing?.relPath === relPath) {
        report.alreadyInProject++;
        continue;
      }
      if (existing || earlier) {
        report.duplicates.push({ file: info.file, sameAs: existing ? existing.absPath : earlier! });
        continue;
      }
      const atPath = findImageByRelPath(project.db, relPath);
      if (atPath) {
        updateImageFile(project.db, { id: atPath.id, fileState: 'changed' });
        report.changed.push({ file: info.file });
        continue;
      }
      seen.set(info.sha256, info.file);
      report.added.push({ id: insertImage(project.db, project.dir, info), file: info.file });
    }
  });
  return report;
}
