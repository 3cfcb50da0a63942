/** Review events: each status change of an annotation (accept, reject, send back for a fix), who and when. */
import { UserError } from '../common/errors.ts';
import { sql } from './statements.ts';
import {
  ANNOTATION_STATUSES,
  type AnnotationStatus,
  type ReadableDB,
  type ReviewPlace,
  type WritableDB,
  inTransaction,
} from './types.ts';

export interface ReviewInput {
  annotationId: number;
  reviewer: string;
  toStatus: AnnotationStatus;
  comment?: string;
  sessionId?: number | null;
  /** Review mode or the annotator (issue 17: statistics count only Review's as "accepted in review"). Default 'review'. */
  place?: ReviewPlace;
  /** Unix ms; default now. */
  at?: number;
}

export interface ReviewEventRow {
  id: number;
  annotationId: number;
  sessionId: number | null;
  reviewer: string;
  at: number;
  fromStatus: AnnotationStatus;
  toStatus: AnnotationStatus;
  comment: string;
}

/** Set an annotation's status and record the event, in one transaction. Returns the event id. */
export function reviewAnnotation(db: WritableDB, review: ReviewInput): number {
  if (!ANNOTATION_STATUSES.includes(review.toStatus))
    throw new UserError(`unknown annotation status "${review.toStatus}"`);
  return inTransaction(db, () => {
    const current = sql(db, 'SELECT status FROM annotations WHERE id = ?').get(review.annotationId) as
      { status: AnnotationStatus } | undefined;
    if (!current) throw new UserError(`no annotation with id ${review.annotationId}`);
    const at = review.at ?? Date.now();
    sql(db, 'UPDATE annotations SET status = ?, updated_by = ?, updated_at = ? WHERE id = ?').run(
      review.toStatus,
      review.reviewer,
      at,
      review.annotationId,
    );
    const result = sql(
      db,
      `INSERT INTO review_events (annotation_id, session_id, reviewer, at, from_status, to_status, comment, place)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      review.annotationId,
      review.sessionId ?? null,
      review.reviewer,
      at,
      current.status,
      review.toStatus,
      review.comment ?? '',
      review.place ?? 'review',
    );
    return Number(result.lastInsertRowid);
  });
}

export function reviewEventsOf(db: ReadableDB, annotationId: number): ReviewEventRow[] {
  return sql(
    db,
    `SELECT id, annotation_id AS annotationId, session_id AS sessionId, reviewer, at, from_status AS fromStatus,
       to_status AS toStatus, comment FROM review_events WHERE annotation_id = ? ORDER BY id`,
  ).all(annotationId) as ReviewEventRow[];
}
