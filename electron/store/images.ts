/** Images of a project (repository over the `images` table). */
import { UserError } from '../common/errors.ts';
import { storedPaths } from './imagePaths.ts';
import { sql } from './statements.ts';
import type { FileState, ImageStatus, ReadableDB, WritableDB } from './types.ts';

export interface ImageRow {
  id: number;
  /** Relative to the project folder, POSIX separators. */
  relPath: string;
  absPath: string;
  /** sha256 of the file's bytes; null while the file has never been seen. */
  sha256: string | null;
  byteSize: number | null;
  mtimeMs: number | null;
  /** Size as displayed (EXIF orientation applied): the frame of every mask of this image. */
  width: number;
  height: number;
  status: ImageStatus;
  fileState: FileState;
  addedAt: number;
}

export interface NewImage {
  /** Path of the image file (absolute, or relative to the working directory). */
  file: string;
  sha256: string | null;
  byteSize: number | null;
  mtimeMs: number | null;
  width: number;
  height: number;
  fileState?: FileState;
  status?: ImageStatus;
}

const COLUMNS = `id, rel_path AS relPath, abs_path AS absPath, sha256, byte_size AS byteSize, mtime_ms AS mtimeMs,
  width, height, status, file_state AS fileState, added_at AS addedAt`;

export function insertImage(db: WritableDB, projectDir: string, image: NewImage, now = Date.now()): number {
  const { relPath, absPath } = storedPaths(projectDir, image.file);
  if (!(
    Number.isInteger(image.width) &&
    image.width > 0 &&
    Number.isInteger(image.height) &&
    image.height > 0
  )) {
    throw new UserError(`${image.file}: image size ${image.width}×${image.height} is not valid`);
  }
  const result = sql(
    db,
    `INSERT INTO images (rel_path, abs_path, sha256, byte_size, mtime_ms, width, height, status, file_state, added_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    relPath,
    absPath,
    image.sha256,
    image.byteSize,
    image.mtimeMs === null ? null : Math.round(image.mtimeMs),
    image.width,
    image.height,
    image.status ?? 'todo',
    image.fileState ?? 'ok',
    now,
  );
  return Number(result.lastInsertRowid);
}

export function getImage(db: ReadableDB, id: number): ImageRow | undefined {
  return sql(db, `SELECT ${COLUMNS} FROM images WHERE id = ?`).get(id) as ImageRow | undefined;
}

export function findImageBySha(db: ReadableDB, sha256: string): ImageRow | undefined {
  return sql(db, `SELECT ${COLUMNS} FROM images WHERE sha256 = ?`).get(sha256) as ImageRow | undefined;
}

export function findImageByRelPath(db: ReadableDB, relPath: string): ImageRow | undefined {
  return sql(db, `SELECT ${COLUMNS} FROM images WHERE rel_path = ?`).get(relPath) as ImageRow | undefined;
}

/** Images in id order, `limit` at a time after `afterId` (keyset paging: constant memory over any project). */
export function listImagesPage(db: ReadableDB, afterId: number, limit: number): ImageRow[] {
  return sql(db, `SELECT ${COLUMNS} FROM images WHERE id > ? ORDER BY id LIMIT ?`).all(
    afterId,
    limit,
  ) as ImageRow[];
}

export function countImages(db: ReadableDB): number {
  return (sql(db, 'SELECT count(*) AS n FROM images').get() as { n: number }).n;
}

export function setImageStatus(db: WritableDB, id: number, status: ImageStatus): void {
  const result = sql(db, 'UPDATE images SET status = ? WHERE id = ?').run(status, id);
  if (result.changes !== 1) throw new UserError(`no image with id ${id}`);
}

/** What a file check found: where the file is now, and its state. */
export interface FileUpdate {
  id: number;
  fileState: FileState;
  absPath?: string;
  sha256?: string;
  byteSize?: number;
  mtimeMs?: number;
}

export function updateImageFile(db: WritableDB, update: FileUpdate): void {
  sql(
    db,
    `UPDATE images SET file_state = ?, abs_path = coalesce(?, abs_path), sha256 = coalesce(?, sha256),
       byte_size = coalesce(?, byte_size), mtime_ms = coalesce(?, mtime_ms) WHERE id = ?`,
  ).run(
    update.fileState,
    update.absPath ?? null,
    update.sha256 ?? null,
    update.byteSize ?? null,
    update.mtimeMs === undefined ? null : Math.round(update.mtimeMs),
    update.id,
  );
}

/**
 * The image's file is now `file` (relinked to a moved folder, issue 17): its stored paths, identity and state
 * 'ok'. A UserError when another image of the project already has that path.
 */
export function relocateImage(
  db: WritableDB,
  projectDir: string,
  id: number,
  file: string,
  identity: { sha256: string; byteSize: number; mtimeMs: number },
): void {
  const { relPath, absPath } = storedPaths(projectDir, file);
  const other = findImageByRelPath(db, relPath);
  if (other && other.id !== id) throw new UserError(`${file} is already image ${other.id} of the project`);
  sql(
    db,
    `UPDATE images SET rel_path = ?, abs_path = ?, sha256 = ?, byte_size = ?, mtime_ms = ?, file_state = 'ok'
     WHERE id = ?`,
  ).run(relPath, absPath, identity.sha256, identity.byteSize, Math.round(identity.mtimeMs), id);
}

export interface ImageQuery {
  status?: ImageStatus;
  /** Case-insensitive substring of the relative path. */
  search?: string;
  offset: number;
  limit: number;
}

export interface ImageListRow extends ImageRow {
  annotationCount: number;
}

/** One page of images in path order, with their annotation counts, and how many match in all. */
export function queryImages(db: ReadableDB, query: ImageQuery): { rows: ImageListRow[]; total: number } {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (query.status) {
    where.push('status = ?');
    params.push(query.status);
  }
  if (query.search) {
    // instr on lower(): a plain substring match, with no LIKE wildcards to escape.
    where.push('instr(lower(rel_path), lower(?)) > 0');
    params.push(query.search);
  }
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = (sql(db, `SELECT count(*) AS n FROM images ${clause}`).get(...params) as { n: number }).n;
  const rows = sql(
    db,
    `SELECT ${COLUMNS}, (SELECT count(*) FROM annotations a WHERE a.image_id = images.id) AS annotationCount
     FROM images ${clause} ORDER BY rel_path, id LIMIT ? OFFSET ?`,
  ).all(...params, Math.max(0, query.limit), Math.max(0, query.offset)) as ImageListRow[];
  return { rows, total };
}
