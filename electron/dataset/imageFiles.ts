/**
 * Image files on disk: finding them in a folder, identifying them (sha256 of the bytes, size as displayed after
 * EXIF orientation) and checking that the files a project references are still there and unchanged.
 *
 * Identification reads the header only (sharp `metadata`), not the pixels: a file whose header is readable but
 * whose data is corrupt is found later, when it is opened for annotation.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError, describeError } from '../common/errors.ts';
import { hashBytes, probeImageSize } from '../inference/imageLoader.ts';
import { readImageFile } from '../node/readImageFile.ts';
import { type ImageRow, listImagesPage, updateImageFile } from '../store/images.ts';
import { locateImage } from '../store/imagePaths.ts';
import type { Project } from '../store/projectDb.ts';
import { inTransaction } from '../store/types.ts';

/** Extensions sharp reads (prebuilt libvips): JPEG, PNG, WebP, TIFF, GIF, AVIF. */
export const IMAGE_EXTENSIONS = new Set([
  '.jpg',
  '.jpeg',
  '.jpe',
  '.png',
  '.webp',
  '.tif',
  '.tiff',
  '.gif',
  '.avif',
]);

export interface ImageFileInfo {
  file: string;
  sha256: string;
  byteSize: number;
  mtimeMs: number;
  width: number;
  height: number;
}

/** Hash and measure one image; a UserError names the file and why it cannot be read. */
export async function inspectImage(file: string): Promise<ImageFileInfo> {
  const { bytes, stats } = await readImageFile(file);
  const size = await probeImageSize(file, bytes);
  return { file, sha256: hashBytes(bytes), byteSize: stats.size, mtimeMs: stats.mtimeMs, ...size };
}

export interface FolderScan {
  /** Image files (by extension), sorted, absolute. */
  images: string[];
  /** Files without an image extension, skipped. */
  otherFiles: number;
  /** Folders that could not be listed. */
  unreadableFolders: { path: string; reason: string }[];
}

/** All image files under `dir`, recursively; hidden files and folders (".name") are skipped, symlinked folders not followed. */
export async function scanFolder(dir: string): Promise<FolderScan> {
  const root = path.resolve(dir);
  let rootStat;
  try {
    rootStat = await stat(root);
  } catch {
    throw new UserError(`${dir}: no such folder`);
  }
  if (!rootStat.isDirectory()) throw new UserError(`${dir}: not a folder`);
  const scan: FolderScan = { images: [], otherFiles: 0, unreadableFolders: [] };
  const walk = async (folder: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      scan.unreadableFolders.push({ path: folder, reason: describeError(error) });
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) await walk(full);
      // Anything else named like an image is listed, a FIFO or device too, so that reading it reports it as
      // unreadable by name (issue 18) rather than it vanishing from the scan.
      else if (IMAGE_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) scan.images.push(full);
      else if (entry.isFile() || entry.isSymbolicLink()) scan.otherFiles++;
    }
  };
  await walk(root);
  scan.images.sort();
  return scan;
}

/** `fn` over `items` with at most `limit` calls in flight; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface FileCheck {
  ok: number;
  missing: ImageRow[];
  changed: ImageRow[];
}

/**
 * Check every image file of the project: found (beside the project, else at its old absolute path) and
 * unchanged (same size and mtime, else same sha256). Flags are stored; nothing else changes. A file found under
 * the project folder after a move gets its absolute fallback path refreshed.
 */
export async function checkImageFiles(
  project: Project,
  onProgress?: (done: number, total: number) => void,
): Promise<FileCheck> {
  const check: FileCheck = { ok: 0, missing: [], changed: [] };
  const total = (project.reader.prepare('SELECT count(*) AS n FROM images').get() as { n: number }).n;
  let done = 0;
  for (let afterId = 0; ;) {
    const page = listImagesPage(project.reader, afterId, 500);
    if (page.length === 0) break;
    afterId = page[page.length - 1]!.id;
    const updates = await mapLimit(page, 4, async (image) => {
      const found = locateImage(project.dir, image);
      if (!found) return { image, update: { id: image.id, fileState: 'missing' as const } };
      const info = await stat(found);
      if (image.sha256 && info.size === image.byteSize && Math.round(info.mtimeMs) === image.mtimeMs) {
        return { image, update: { id: image.id, fileState: 'ok' as const, absPath: found } };
      }
      const current = await inspectImage(found).catch(() => undefined);
      const same =
        current &&
        (image.sha256
          ? current.sha256 === image.sha256
          : current.width === image.width && current.height === image.height);
      return {
        image,
        update: same
          ? { id: image.id, fileState: 'ok' as const, absPath: found, ...pick(current) }
          : { id: image.id, fileState: 'changed' as const },
      };
    });
    inTransaction(project.db, () => {
      for (const { image, update } of updates) {
        updateImageFile(project.db, update);
        if (update.fileState === 'ok') check.ok++;
        else check[update.fileState].push({ ...image, fileState: update.fileState });
      }
    });
    done += page.length;
    onProgress?.(done, total);
  }
  return check;
}

const pick = (info: ImageFileInfo) => ({
  sha256: info.sha256,
  byteSize: info.byteSize,
  mtimeMs: info.mtimeMs,
});
