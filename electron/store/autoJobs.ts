/**
 * Automatic passes (issue 5, migration 0050): a pass is one run of automatic mask generation (or boxes → masks)
 * over a list of images, persisted so it resumes after a crash. The caller writes an image's masks and
 * `markImageDone` in one transaction (`inTransaction`), so an image is either done with all its masks or still to
 * do; nothing is done twice or lost.
 */
import { UserError } from '../common/errors.ts';
import { sql } from './statements.ts';
import { type ReadableDB, type WritableDB, inTransaction } from './types.ts';

export type AutoJobKind = 'amg' | 'boxes';
/** 'running' = not finished: the process running it may have died (then the app offers to resume it). */
export type AutoJobState = 'running' | 'cancelled' | 'finished';
export type AutoJobImageState = 'todo' | 'done' | 'failed';

export interface NewAutoJob {
  kind: AutoJobKind;
  /** Resolved parameters (JSON-serialisable). */
  params: unknown;
  resultStatus: 'draft' | 'accepted';
  modelId: string | null;
  author: string;
  /** In the order they are to be processed; duplicates are dropped. */
  imageIds: readonly number[];
  at?: number;
}

export interface AutoJobRow {
  id: number;
  kind: AutoJobKind;
  params: unknown;
  resultStatus: 'draft' | 'accepted';
  modelId: string | null;
  state: AutoJobState;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

export interface AutoJobProgress {
  total: number;
  done: number;
  failed: number;
  /** Masks written by the images done. */
  masks: number;
  /** Time spent on the images done (ms), for the ETA. */
  doneMs: number;
}

export interface AutoJobError {
  imageId: number;
  relPath: string;
  message: string;
}

/** Create a pass and its image list in one transaction; returns its id. */
export function createAutoJob(db: WritableDB, job: NewAutoJob): number {
  const at = job.at ?? Date.now();
  return inTransaction(db, () => {
    const id = Number(
      sql(
        db,
        `INSERT INTO auto_jobs (kind, params, result_status, model_id, state, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'running', ?, ?, ?)`,
      ).run(job.kind, JSON.stringify(job.params), job.resultStatus, job.modelId, job.author, at, at)
        .lastInsertRowid,
    );
    const add = sql(db, 'INSERT INTO auto_job_images (job_id, image_id, position) VALUES (?, ?, ?)');
    const seen = new Set<number>();
    for (const imageId of job.imageIds) {
      if (seen.has(imageId)) continue;
      if (!sql(db, 'SELECT 1 FROM images WHERE id = ?').get(imageId))
        throw new UserError(`no image with id ${imageId}`);
      add.run(id, imageId, seen.size);
      seen.add(imageId);
    }
    return id;
  });
}

interface RawJob {
  id: number;
  kind: AutoJobKind;
  params: string;
  result_status: 'draft' | 'accepted';
  model_id: string | null;
  state: AutoJobState;
  created_by: string;
  created_at: number;
  updated_at: number;
}

const toJob = (r: RawJob): AutoJobRow => ({
  id: r.id,
  kind: r.kind,
  params: JSON.parse(r.params) as unknown,
  resultStatus: r.result_status,
  modelId: r.model_id,
  state: r.state,
  createdBy: r.created_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function getAutoJob(db: ReadableDB, id: number): AutoJobRow | undefined {
  const row = sql(db, 'SELECT * FROM auto_jobs WHERE id = ?').get(id) as RawJob | undefined;
  return row && toJob(row);
}

/** The newest pass of the project, if any. */
export function latestAutoJob(db: ReadableDB): AutoJobRow | undefined {
  const row = sql(db, 'SELECT * FROM auto_jobs ORDER BY id DESC LIMIT 1').get() as RawJob | undefined;
  return row && toJob(row);
}

/** The newest unfinished pass (state 'running'), if any. */
export function unfinishedAutoJob(db: ReadableDB): AutoJobRow | undefined {
  const row = sql(db, "SELECT * FROM auto_jobs WHERE state = 'running' ORDER BY id DESC LIMIT 1").get() as
    RawJob | undefined;
  return row && toJob(row);
}

export function setAutoJobState(db: WritableDB, id: number, state: AutoJobState, at = Date.now()): void {
  sql(db, 'UPDATE auto_jobs SET state = ?, updated_at = ? WHERE id = ?').run(state, at, id);
}

/** The next image still to do, in the pass's order. */
export function nextAutoJobImage(db: ReadableDB, jobId: number): number | undefined {
  const row = sql(
    db,
    "SELECT image_id FROM auto_job_images WHERE job_id = ? AND state = 'todo' ORDER BY position LIMIT 1",
  ).get(jobId) as { image_id: number } | undefined;
  return row?.image_id;
}

/**
 * Mark an image of a pass done with the number of masks it got and the time it took. Call it in the transaction
 * that writes those masks. Throws if the image was not to do (it would be done twice).
 */
export function markAutoJobImageDone(
  db: WritableDB,
  jobId: number,
  imageId: number,
  result: { masks: number; ms: number },
  at = Date.now(),
): void {
  const changed = sql(
    db,
    `UPDATE auto_job_images SET state = 'done', masks = ?, ms = ?, finished_at = ?, error = NULL
     WHERE job_id = ? AND image_id = ? AND state = 'todo'`,
  ).run(result.masks, Math.max(0, Math.round(result.ms)), at, jobId, imageId).changes;
  if (changed !== 1) throw new UserError(`image ${imageId} is not waiting in automatic pass ${jobId}`);
  sql(db, 'UPDATE auto_jobs SET updated_at = ? WHERE id = ?').run(at, jobId);
}

export function markAutoJobImageFailed(
  db: WritableDB,
  jobId: number,
  imageId: number,
  error: string,
  ms: number,
  at = Date.now(),
): void {
  sql(
    db,
    `UPDATE auto_job_images SET state = 'failed', error = ?, ms = ?, finished_at = ?
     WHERE job_id = ? AND image_id = ? AND state = 'todo'`,
  ).run(error, Math.max(0, Math.round(ms)), at, jobId, imageId);
  sql(db, 'UPDATE auto_jobs SET updated_at = ? WHERE id = ?').run(at, jobId);
}

export function autoJobProgress(db: ReadableDB, jobId: number): AutoJobProgress {
  const row = sql(
    db,
    `SELECT count(*) AS total,
       coalesce(sum(state = 'done'), 0) AS done,
       coalesce(sum(state = 'failed'), 0) AS failed,
       coalesce(sum(CASE WHEN state = 'done' THEN masks END), 0) AS masks,
       coalesce(sum(CASE WHEN state = 'done' THEN ms END), 0) AS doneMs
     FROM auto_job_images WHERE job_id = ?`,
  ).get(jobId) as AutoJobProgress;
  return row;
}

/** The pass's failed images with their messages, in the pass's order (at most `limit`). */
export function autoJobErrors(db: ReadableDB, jobId: number, limit = 50): AutoJobError[] {
  return sql(
    db,
    `SELECT j.image_id AS imageId, i.rel_path AS relPath, j.error AS message
     FROM auto_job_images j JOIN images i ON i.id = j.image_id
     WHERE j.job_id = ? AND j.state = 'failed' ORDER BY j.position LIMIT ?`,
  ).all(jobId, limit) as AutoJobError[];
}

/** Per image of a pass: state, masks and time, in order (tests, diagnostics). */
export function autoJobImages(
  db: ReadableDB,
  jobId: number,
): { imageId: number; state: AutoJobImageState; masks: number; ms: number }[] {
  return sql(
    db,
    `SELECT image_id AS imageId, state, masks, ms FROM auto_job_images WHERE job_id = ? ORDER BY position`,
  ).all(jobId) as { imageId: number; state: AutoJobImageState; masks: number; ms: number }[];
}
