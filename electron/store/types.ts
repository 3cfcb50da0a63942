/**
 * The data layer's types (Signal's `ReadableDB` / `WritableDB` split): repository functions that only read take
 * a `ReadableDB`, those that write take a `WritableDB`, so a read-only handle cannot be passed to a writer.
 * Both are the same better-sqlite3 connection underneath; the brands exist only for the compiler.
 */
import type { Database } from 'better-sqlite3';
import type { Bbox } from '../common/rle.ts';

declare const readable: unique symbol;
declare const writable: unique symbol;

export type ReadableDB = Database & { readonly [readable]: true };
export type WritableDB = ReadableDB & { readonly [writable]: true };

/** Values the schema's CHECK constraints allow (db/migrations; a test keeps the two in step). */
export const IMAGE_STATUSES = ['todo', 'in-progress', 'done', 'skipped'] as const;
export const FILE_STATES = ['ok', 'missing', 'changed'] as const;
export const ANNOTATION_SOURCES = ['manual', 'semi-auto', 'auto', 'imported'] as const;
export const ANNOTATION_STATUSES = ['draft', 'accepted', 'rejected', 'needs-fix'] as const;
/** Which stage made a mask (migration 0070): prompts, Find objects / boxes → masks on one image, a pass, an import. */
export const ANNOTATION_STAGES = ['manual', 'semi-auto', 'auto', 'imported'] as const;
/** Where a status change was decided (migration 0070). */
export const REVIEW_PLACES = ['review', 'annotator'] as const;

export type ImageStatus = (typeof IMAGE_STATUSES)[number];
export type FileState = (typeof FILE_STATES)[number];
export type AnnotationSource = (typeof ANNOTATION_SOURCES)[number];
export type AnnotationStatus = (typeof ANNOTATION_STATUSES)[number];
export type AnnotationStage = (typeof ANNOTATION_STAGES)[number];
export type ReviewPlace = (typeof REVIEW_PLACES)[number];

/** Effort spent on one annotation (issue 3: per-mask timing). */
export interface AnnotationTiming {
  /** Time the annotator was active on this mask, from first prompt to accept. */
  activeMs: number;
  clicks: number;
  promptCount: number;
  brushStrokes: number;
  /** Time spent waiting for the model (encoder + decoder). */
  modelWaitMs: number;
}

export type { Bbox };

/** Run `fn` in one transaction (nested calls become savepoints): all of it is stored, or none. */
export function inTransaction<T>(db: WritableDB, fn: () => T): T {
  return db.transaction(fn)();
}
