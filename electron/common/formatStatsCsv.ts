/**
 * The statistics CSV (issue 5): one row per annotation with its effort (active time, clicks, prompts, brush
 * strokes, model wait), provenance, scores and review, for a spreadsheet or pandas. RFC 4180: comma-separated,
 * fields quoted when they hold a comma, quote or line break; times in seconds; dates ISO 8601 UTC; an empty
 * field is "none" (no score, never reviewed).
 */

/** One annotation as the statistics CSV lists it. */
export interface StatsCsvRow {
  readonly annotationId: number;
  readonly imageId: number;
  /** The image's path relative to the project folder. */
  readonly image: string;
  readonly category: string | null;
  readonly kind: 'mask' | 'box';
  readonly source: string;
  readonly status: string;
  readonly createdBy: string;
  /** Unix ms. */
  readonly createdAt: number;
  readonly activeMs: number;
  readonly clicks: number;
  readonly prompts: number;
  readonly brushStrokes: number;
  readonly modelWaitMs: number;
  readonly predictedIou: number | null;
  readonly stabilityScore: number | null;
  /** Pixels. */
  readonly area: number;
  /** Review events recorded for it. */
  readonly reviews: number;
  readonly lastReviewer: string | null;
  /** Unix ms. */
  readonly lastReviewedAt: number | null;
}

export const STATS_CSV_HEADER =
  'annotation_id,image_id,image,category,kind,source,status,created_by,created_at,active_seconds,clicks,prompts,' +
  'brush_strokes,model_wait_seconds,predicted_iou,stability_score,area_px,reviews,last_reviewer,last_reviewed_at';

/** A CSV field: quoted (quotes doubled) when it holds a comma, a quote, a line break or edge spaces. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const seconds = (ms: number) => String(Math.round(ms) / 1000);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** One data line (no line break). */
export function statsCsvLine(r: StatsCsvRow): string {
  return [
    r.annotationId,
    r.imageId,
    r.image,
    r.category,
    r.kind,
    r.source,
    r.status,
    r.createdBy,
    iso(r.createdAt),
    seconds(r.activeMs),
    r.clicks,
    r.prompts,
    r.brushStrokes,
    seconds(r.modelWaitMs),
    r.predictedIou,
    r.stabilityScore,
    r.area,
    r.reviews,
    r.lastReviewer,
    iso(r.lastReviewedAt),
  ]
    .map(csvField)
    .join(',');
}

/** The header and every row, each line ending in "\n". */
export function statsCsv(rows: Iterable<StatsCsvRow>): string {
  const lines = [STATS_CSV_HEADER];
  for (const row of rows) lines.push(statsCsvLine(row));
  return `${lines.join('\n')}\n`;
}
