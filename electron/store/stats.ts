/** Summary numbers of a project (the `project stats` command and the app's overview). */
import { schemaVersion } from './migrate.ts';
import { projectMeta } from './projectDb.ts';
import {
  ANNOTATION_SOURCES,
  ANNOTATION_STAGES,
  ANNOTATION_STATUSES,
  FILE_STATES,
  IMAGE_STATUSES,
  type AnnotationSource,
  type AnnotationStage,
  type AnnotationStatus,
  type FileState,
  type ImageStatus,
  type ReadableDB,
} from './types.ts';

export interface ProjectStats {
  schemaVersion: number;
  projectId: string | null;
  createdAt: string | null;
  images: { total: number; byStatus: Record<ImageStatus, number>; byFileState: Record<FileState, number> };
  categories: { id: number; name: string; annotations: number }[];
  annotations: {
    total: number;
    masks: number;
    boxes: number;
    uncategorized: number;
    byStatus: Record<AnnotationStatus, number>;
    /** What kind of mask (`source`). */
    bySource: Record<AnnotationSource, number>;
    /** Which stage made it (migration 0070; issue 17: Find objects is semi-automatic, a pass automatic). */
    byStage: Record<AnnotationStage, number>;
  };
  /** Effort per accepted mask (issue 3: per-mask timing). */
  accepted: {
    masks: number;
    meanActiveMs: number | null;
    medianActiveMs: number | null;
    meanClicks: number | null;
    meanPrompts: number | null;
    totalActiveMs: number;
    totalModelWaitMs: number;
    brushStrokes: number;
  };
  sessions: number;
  annotators: string[];
  reviewEvents: number;
}

function counted<K extends string>(keys: readonly K[], rows: { key: K; n: number }[]): Record<K, number> {
  const out = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  for (const row of rows) out[row.key] = row.n;
  return out;
}

export function projectStats(db: ReadableDB): ProjectStats {
  const one = <T>(text: string) => db.prepare(text).get() as T;
  const all = <T>(text: string) => db.prepare(text).all() as T[];
  const images = one<{ n: number }>('SELECT count(*) AS n FROM images').n;
  const annotations = one<{ total: number; masks: number; uncategorized: number }>(
    `SELECT count(*) AS total, count(rle_counts) AS masks, count(*) - count(category_id) AS uncategorized FROM annotations`,
  );
  const accepted = one<{
    masks: number;
    meanActive: number | null;
    meanClicks: number | null;
    meanPrompts: number | null;
    totalActive: number | null;
    totalWait: number | null;
    strokes: number | null;
  }>(
    `SELECT count(*) AS masks, avg(active_ms) AS meanActive, avg(clicks) AS meanClicks, avg(prompt_count) AS meanPrompts,
       sum(active_ms) AS totalActive, sum(model_wait_ms) AS totalWait, sum(brush_strokes) AS strokes
     FROM annotations WHERE status = 'accepted' AND rle_counts IS NOT NULL`,
  );
  const median =
    accepted.masks === 0
      ? null
      : (
          db
            .prepare(
              `SELECT active_ms AS v FROM annotations WHERE status = 'accepted' AND rle_counts IS NOT NULL
               ORDER BY active_ms LIMIT 1 OFFSET ?`,
            )
            .get(Math.floor((accepted.masks - 1) / 2)) as { v: number }
        ).v;
  return {
    schemaVersion: schemaVersion(db),
    projectId: projectMeta(db, 'project_id') ?? null,
    createdAt: projectMeta(db, 'created_at') ?? null,
    images: {
      total: images,
      byStatus: counted(
        IMAGE_STATUSES,
        all('SELECT status AS key, count(*) AS n FROM images GROUP BY status'),
      ),
      byFileState: counted(
        FILE_STATES,
        all('SELECT file_state AS key, count(*) AS n FROM images GROUP BY file_state'),
      ),
    },
    categories: all(
      `SELECT c.id, c.name, (SELECT count(*) FROM annotations a WHERE a.category_id = c.id) AS annotations
       FROM categories c ORDER BY c.position, c.id`,
    ),
    annotations: {
      total: annotations.total,
      masks: annotations.masks,
      boxes: annotations.total - annotations.masks,
      uncategorized: annotations.uncategorized,
      byStatus: counted(
        ANNOTATION_STATUSES,
        all('SELECT status AS key, count(*) AS n FROM annotations GROUP BY status'),
      ),
      bySource: counted(
        ANNOTATION_SOURCES,
        all('SELECT source AS key, count(*) AS n FROM annotations GROUP BY source'),
      ),
      byStage: counted(
        ANNOTATION_STAGES,
        all('SELECT stage AS key, count(*) AS n FROM annotations GROUP BY stage'),
      ),
    },
    accepted: {
      masks: accepted.masks,
      meanActiveMs: accepted.meanActive,
      medianActiveMs: median,
      meanClicks: accepted.meanClicks,
      meanPrompts: accepted.meanPrompts,
      totalActiveMs: accepted.totalActive ?? 0,
      totalModelWaitMs: accepted.totalWait ?? 0,
      brushStrokes: accepted.strokes ?? 0,
    },
    sessions: one<{ n: number }>('SELECT count(*) AS n FROM sessions').n,
    annotators: all<{ a: string }>('SELECT DISTINCT annotator AS a FROM sessions ORDER BY a').map((r) => r.a),
    reviewEvents: one<{ n: number }>('SELECT count(*) AS n FROM review_events').n,
  };
}
