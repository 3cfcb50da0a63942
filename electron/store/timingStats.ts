/**
 * Annotation effort statistics (issue 5): time and clicks per mask, masks per image, the per-annotator trend of
 * time per mask over days (the SA paper's 34 s → 14 s), how many automatic masks reviewers accepted, and the rows
 * of the statistics CSV.
 *
 * "Timed" masks are those with active time recorded in the app (`active_ms > 0`); imported and automatic masks
 * have none and would only pile up at zero. Times are reported in seconds.
 */
import { type Distribution, distributionOf } from '../common/distribution.ts';
import type { StatsCsvRow } from '../common/formatStatsCsv.ts';
import { sql } from './statements.ts';
import type { AnnotationSource, AnnotationStatus, ReadableDB } from './types.ts';

export interface StatsFilter {
  /** `created_by` values. */
  annotators?: readonly string[];
  sources?: readonly AnnotationSource[];
}

export interface TrendPoint {
  /** YYYY-MM-DD in the caller's time zone. */
  day: string;
  masks: number;
  medianSeconds: number;
  meanSeconds: number;
}

export interface AnnotatorTrend {
  annotator: string;
  masks: number;
  points: TrendPoint[];
}

export interface AutoReviewShare {
  source: 'auto' | 'semi-auto' | 'all';
  accepted: number;
  rejected: number;
  needsFix: number;
  unreviewed: number;
  acceptedInAnnotator: number;
  acceptedShare: number | null;
}

export interface TimingStatsResult {
  timedMasks: number;
  secondsPerMask: Distribution;
  clicksPerMask: Distribution;
  masksPerImage: Distribution & { imagesWithoutMasks: number };
  trend: AnnotatorTrend[];
  auto: AutoReviewShare[];
  reviewEvents: number;
}

const list = (values: readonly unknown[]) => values.map(() => '?').join(', ') || 'NULL';

function filterSql(filter: StatsFilter): { where: string; params: string[] } {
  let where = '';
  const params: string[] = [];
  if (filter.annotators) {
    where += ` AND a.created_by IN (${list(filter.annotators)})`;
    params.push(...filter.annotators);
  }
  if (filter.sources) {
    // The stage that made the mask (issue 17: Find objects is semi-automatic though its masks are source 'auto').
    where += ` AND a.stage IN (${list(filter.sources)})`;
    params.push(...filter.sources);
  }
  return { where, params };
}

const TIMED = 'a.rle_counts IS NOT NULL AND a.active_ms > 0';

/** One numeric column, ascending, as a typed array (no row objects for a million masks). */
function sortedValues(db: ReadableDB, text: string, params: readonly (string | number)[]): Float64Array {
  const values: number[] = [];
  // The statement is only ever used plucked (sql() caches statements by text).
  for (const v of sql(db, text)
    .pluck(true)
    .iterate(...params) as IterableIterator<number>)
    values.push(v);
  return Float64Array.from(values);
}

/**
 * @param utcOffsetMinutes where the trend's days begin: the viewer's offset from UTC (east positive), so a
 *   mask made at 23:30 local time counts for that local day.
 */
export function timingStats(
  db: ReadableDB,
  filter: StatsFilter = {},
  utcOffsetMinutes = 0,
): TimingStatsResult {
  const { where, params } = filterSql(filter);
  const seconds = sortedValues(
    db,
    `SELECT a.active_ms / 1000.0 FROM annotations a WHERE ${TIMED} ${where} ORDER BY a.active_ms`,
    params,
  );
  const clicks = sortedValues(
    db,
    `SELECT a.clicks FROM annotations a WHERE ${TIMED} ${where} ORDER BY a.clicks`,
    params,
  );
  const perImage = sortedValues(
    db,
    `SELECT count(*) AS n FROM annotations a WHERE a.rle_counts IS NOT NULL AND a.status != 'rejected' ${where}
     GROUP BY a.image_id ORDER BY n`,
    params,
  );
  const images = (sql(db, 'SELECT count(*) AS n FROM images').get() as { n: number }).n;
  return {
    timedMasks: seconds.length,
    secondsPerMask: distributionOf(seconds),
    clicksPerMask: distributionOf(clicks, { integer: true }),
    masksPerImage: {
      ...distributionOf(perImage, { integer: true }),
      imagesWithoutMasks: Math.max(0, images - perImage.length),
    },
    trend: trend(db, where, params, utcOffsetMinutes),
    auto: autoShares(db, where, params),
    reviewEvents: (
      sql(
        db,
        `SELECT count(*) AS n FROM review_events e JOIN annotations a ON a.id = e.annotation_id WHERE 1 ${where}`,
      ).get(...params) as { n: number }
    ).n,
  };
}

/** Median and mean active time per annotator and day (window functions: no per-mask rows leave SQLite). */
function trend(db: ReadableDB, where: string, params: string[], utcOffsetMinutes: number): AnnotatorTrend[] {
  const offsetMs = Number.isFinite(utcOffsetMinutes) ? Math.round(utcOffsetMinutes) * 60_000 : 0;
  const rows = sql(
    db,
    `WITH t AS (
       SELECT a.created_by AS who, date((a.created_at + ?) / 1000, 'unixepoch') AS day, a.active_ms AS v
       FROM annotations a WHERE ${TIMED} ${where}
     ), r AS (
       SELECT who, day, v, row_number() OVER w AS k, count(*) OVER w AS n, avg(v) OVER w AS mean
       FROM t WINDOW w AS (PARTITION BY who, day ORDER BY v ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
     )
     SELECT who, day, max(n) AS masks, max(mean) / 1000.0 AS mean, avg(v) / 1000.0 AS median
     FROM r WHERE k IN ((n + 1) / 2, (n + 2) / 2) GROUP BY who, day ORDER BY who, day`,
  ).all(offsetMs, ...params) as { who: string; day: string; masks: number; mean: number; median: number }[];
  const byAnnotator = new Map<string, AnnotatorTrend>();
  for (const row of rows) {
    let entry = byAnnotator.get(row.who);
    if (!entry) byAnnotator.set(row.who, (entry = { annotator: row.who, masks: 0, points: [] }));
    entry.masks += row.masks;
    entry.points.push({ day: row.day, masks: row.masks, medianSeconds: row.median, meanSeconds: row.mean });
  }
  return [...byAnnotator.values()];
}

/**
 * Automatic and semi-automatic masks (by the stage that made them: a pass, or Find objects / boxes → masks on one
 * image) by review outcome: a mask decided in Review mode counts under its current status (accepted, rejected,
 * needs fix); one accepted in the annotator (Enter, Shift+A) counts as such, not as accepted in review (issue
 * 17); the rest (never decided, or back to draft) are unreviewed. The accepted share is accepted / (accepted +
 * rejected) of Review's decisions.
 */
function autoShares(db: ReadableDB, where: string, params: string[]): AutoReviewShare[] {
  const rows = sql(
    db,
    `SELECT a.stage AS stage, a.status AS status,
       EXISTS (SELECT 1 FROM review_events e WHERE e.annotation_id = a.id AND e.place = 'review') AS reviewed,
       EXISTS (SELECT 1 FROM review_events e WHERE e.annotation_id = a.id AND e.place = 'annotator') AS edited,
       count(*) AS n
     FROM annotations a WHERE a.stage IN ('auto', 'semi-auto') ${where}
     GROUP BY a.stage, a.status, reviewed, edited`,
  ).all(...params) as {
    stage: 'auto' | 'semi-auto';
    status: AnnotationStatus;
    reviewed: 0 | 1;
    edited: 0 | 1;
    n: number;
  }[];
  const share = (source: AutoReviewShare['source']): AutoReviewShare => {
    const s = { source, accepted: 0, rejected: 0, needsFix: 0, unreviewed: 0, acceptedInAnnotator: 0 };
    for (const row of rows) {
      if (source !== 'all' && row.stage !== source) continue;
      if (row.status === 'draft') s.unreviewed += row.n;
      else if (!row.reviewed) {
        // A pass's results start accepted with no decision of anyone's: unreviewed.
        if (row.status === 'accepted' && row.edited) s.acceptedInAnnotator += row.n;
        else s.unreviewed += row.n;
      } else if (row.status === 'accepted') s.accepted += row.n;
      else if (row.status === 'rejected') s.rejected += row.n;
      else s.needsFix += row.n;
    }
    const decided = s.accepted + s.rejected;
    return { ...s, acceptedShare: decided ? s.accepted / decided : null };
  };
  return [share('auto'), share('semi-auto'), share('all')];
}

/** Every annotation that passes the filter, in id order, streamed. */
export function* statsCsvRows(db: ReadableDB, filter: StatsFilter = {}): Generator<StatsCsvRow> {
  const { where, params } = filterSql(filter);
  yield* sql(
    db,
    `SELECT a.id AS annotationId, a.image_id AS imageId, i.rel_path AS image, c.name AS category,
       CASE WHEN a.rle_counts IS NULL THEN 'box' ELSE 'mask' END AS kind, a.source, a.status,
       a.created_by AS createdBy, a.created_at AS createdAt, a.active_ms AS activeMs, a.clicks,
       a.prompt_count AS prompts, a.brush_strokes AS brushStrokes, a.model_wait_ms AS modelWaitMs,
       a.predicted_iou AS predictedIou, a.stability_score AS stabilityScore, a.area,
       (SELECT count(*) FROM review_events e WHERE e.annotation_id = a.id) AS reviews,
       r.reviewer AS lastReviewer, r.at AS lastReviewedAt
     FROM annotations a
     JOIN images i ON i.id = a.image_id
     LEFT JOIN categories c ON c.id = a.category_id
     LEFT JOIN review_events r ON r.id = (SELECT max(e.id) FROM review_events e WHERE e.annotation_id = a.id)
     WHERE 1 ${where} ORDER BY a.id`,
  ).iterate(...params) as IterableIterator<StatsCsvRow>;
}
