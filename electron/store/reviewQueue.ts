/**
 * The review queue (issue 5): annotations filtered by status, source, annotator, category, predicted IoU and
 * stability,
 * sorted by a model score, creation time or area, a page at a time, each with its image and latest review event.
 * Works on any project, model or not (an imported dataset reviewed offline).
 *
 * Sorting: annotations without the sort's value (an imported mask has no predicted IoU) come last in either
 * order; ties are broken by id (in the same direction), so pages never overlap or skip. One status sorted by IoU
 * or stability reads the (status, score) index of migration 0040 in order.
 */
import { type AnnotationRow, type RawAnnotationRow, toRow } from './annotations.ts';
import { sql } from './statements.ts';
import {
  ANNOTATION_STATUSES,
  type AnnotationSource,
  type AnnotationStatus,
  type FileState,
  type ImageStatus,
  type ReadableDB,
} from './types.ts';

export type ReviewSort = 'predicted_iou' | 'stability' | 'created_at' | 'area';

export interface ReviewFilter {
  statuses?: readonly AnnotationStatus[];
  sources?: readonly AnnotationSource[];
  /** `created_by` values. */
  annotators?: readonly string[];
  categoryIds?: readonly number[];
  /** Inclusive; either bound leaves out annotations without a predicted IoU. */
  minIou?: number;
  maxIou?: number;
  /** Inclusive; either bound leaves out annotations without a stability score. */
  minStability?: number;
  maxStability?: number;
}

export interface ReviewQueueQuery extends ReviewFilter {
  sort: ReviewSort;
  order: 'asc' | 'desc';
  offset: number;
  limit: number;
}

export interface ReviewImage {
  id: number;
  relPath: string;
  width: number;
  height: number;
  status: ImageStatus;
  fileState: FileState;
  annotationCount: number;
}

export interface LastReview {
  reviewer: string;
  at: number;
  fromStatus: AnnotationStatus;
  toStatus: AnnotationStatus;
  comment: string;
}

export interface ReviewRow {
  annotation: AnnotationRow;
  image: ReviewImage;
  lastReview: LastReview | null;
}

export interface ReviewQueuePage {
  rows: ReviewRow[];
  total: number;
  /** Matches per status with every filter except `statuses`. */
  byStatus: Record<AnnotationStatus, number>;
}

const SORT_COLUMNS: Record<ReviewSort, string> = {
  predicted_iou: 'a.predicted_iou',
  stability: 'a.stability_score',
  created_at: 'a.created_at',
  area: 'a.area',
};

const list = (values: readonly unknown[]) => values.map(() => '?').join(', ') || 'NULL';

/** SQL condition on alias `a` (AND-prefixed parts) for the filter, without or with the status part. */
function filterSql(filter: ReviewFilter, withStatus = true): { where: string; params: (string | number)[] } {
  let where = '';
  const params: (string | number)[] = [];
  if (withStatus && filter.statuses) {
    where += ` AND a.status IN (${list(filter.statuses)})`;
    params.push(...filter.statuses);
  }
  if (filter.sources) {
    where += ` AND a.source IN (${list(filter.sources)})`;
    params.push(...filter.sources);
  }
  if (filter.annotators) {
    where += ` AND a.created_by IN (${list(filter.annotators)})`;
    params.push(...filter.annotators);
  }
  if (filter.categoryIds) {
    where += ` AND a.category_id IN (${list(filter.categoryIds)})`;
    params.push(...filter.categoryIds);
  }
  if (filter.minIou !== undefined && Number.isFinite(filter.minIou)) {
    where += ' AND a.predicted_iou >= ?';
    params.push(filter.minIou);
  }
  if (filter.maxIou !== undefined && Number.isFinite(filter.maxIou)) {
    where += ' AND a.predicted_iou <= ?';
    params.push(filter.maxIou);
  }
  if (filter.minStability !== undefined && Number.isFinite(filter.minStability)) {
    where += ' AND a.stability_score >= ?';
    params.push(filter.minStability);
  }
  if (filter.maxStability !== undefined && Number.isFinite(filter.maxStability)) {
    where += ' AND a.stability_score <= ?';
    params.push(filter.maxStability);
  }
  return { where, params };
}

const SELECT = `SELECT a.*, i.width AS image_width, i.height AS image_height, i.rel_path AS image_rel_path,
    i.status AS image_status, i.file_state AS image_file_state,
    (SELECT count(*) FROM annotations c WHERE c.image_id = a.image_id) AS image_annotation_count,
    r.reviewer AS review_reviewer, r.at AS review_at, r.from_status AS review_from, r.to_status AS review_to,
    r.comment AS review_comment
  FROM annotations a
  JOIN images i ON i.id = a.image_id
  LEFT JOIN review_events r ON r.id = (SELECT max(e.id) FROM review_events e WHERE e.annotation_id = a.id)`;

interface RawReviewRow extends RawAnnotationRow {
  image_rel_path: string;
  image_status: ImageStatus;
  image_file_state: FileState;
  image_annotation_count: number;
  review_reviewer: string | null;
  review_at: number | null;
  review_from: AnnotationStatus | null;
  review_to: AnnotationStatus | null;
  review_comment: string | null;
}

function toReviewRow(r: RawReviewRow): ReviewRow {
  return {
    annotation: toRow(r),
    image: {
      id: r.image_id,
      relPath: r.image_rel_path,
      width: r.image_width,
      height: r.image_height,
      status: r.image_status,
      fileState: r.image_file_state,
      annotationCount: r.image_annotation_count,
    },
    lastReview:
      r.review_reviewer === null
        ? null
        : {
            reviewer: r.review_reviewer,
            at: r.review_at!,
            fromStatus: r.review_from!,
            toStatus: r.review_to!,
            comment: r.review_comment ?? '',
          },
  };
}

export function reviewQueue(db: ReadableDB, query: ReviewQueueQuery): ReviewQueuePage {
  const column = SORT_COLUMNS[query.sort];
  if (!column) throw new Error(`unknown review sort "${String(query.sort)}"`);
  const direction = query.order === 'desc' ? 'DESC' : 'ASC';
  const { where, params } = filterSql(query);
  const rows = (
    sql(
      db,
      `${SELECT} WHERE 1 ${where} ORDER BY ${column} ${direction} NULLS LAST, a.id ${direction} LIMIT ? OFFSET ?`,
    ).all(
      ...params,
      Math.max(0, Math.floor(query.limit)),
      Math.max(0, Math.floor(query.offset)),
    ) as RawReviewRow[]
  ).map(toReviewRow);
  const total = (
    sql(db, `SELECT count(*) AS n FROM annotations a WHERE 1 ${where}`).get(...params) as { n: number }
  ).n;
  const other = filterSql(query, false);
  const byStatus = Object.fromEntries(ANNOTATION_STATUSES.map((s) => [s, 0])) as Record<
    AnnotationStatus,
    number
  >;
  for (const row of sql(
    db,
    `SELECT a.status AS status, count(*) AS n FROM annotations a WHERE 1 ${other.where} GROUP BY a.status`,
  ).all(...other.params) as { status: AnnotationStatus; n: number }[])
    byStatus[row.status] = row.n;
  return { rows, total, byStatus };
}

/** One annotation as a review row (after a decision), or undefined. */
export function reviewRow(db: ReadableDB, id: number): ReviewRow | undefined {
  const row = sql(db, `${SELECT} WHERE a.id = ?`).get(id) as RawReviewRow | undefined;
  return row && toReviewRow(row);
}

/** Everyone who made an annotation, sorted. */
export function annotators(db: ReadableDB): string[] {
  return (
    sql(db, 'SELECT DISTINCT created_by AS name FROM annotations ORDER BY created_by').all() as {
      name: string;
    }[]
  ).map((r) => r.name);
}
