/**
 * Annotations: the canonical mask is COCO compressed RLE at the image's full resolution (holes and islands
 * kept); area and bbox are derived from it with pycocotools' conventions. Each write function is one
 * transaction: an accepted mask is either fully stored (with its timing and provenance) or not at all.
 */
import { UserError } from '../common/errors.ts';
import type { MaskPrompts } from '../common/prompts.ts';
import type { Bbox, Rle, UncompressedRle } from '../common/rle.ts';
import { rleArea, rleBboxCoco } from '../common/rle.ts';
import { canonicalRle } from '../common/rleOps.ts';
import { sql } from './statements.ts';
import type {
  AnnotationSource,
  AnnotationStage,
  AnnotationStatus,
  AnnotationTiming,
  ReadableDB,
  WritableDB,
} from './types.ts';
import { inTransaction } from './types.ts';

export interface NewAnnotation {
  imageId: number;
  categoryId?: number | null;
  /** Mask at the image's full resolution (`size` = [image height, image width]); null for a box only. */
  mask: Rle | UncompressedRle | null;
  /** The box of a box-only annotation, COCO `[x, y, w, h]`; ignored when there is a mask (derived from it). */
  box?: Bbox;
  /** Area of a box-only annotation when the source states one (COCO files do); default w × h. */
  boxArea?: number;
  iscrowd?: boolean;
  source: AnnotationSource;
  /** The stage that made it (issue 17); default: 'auto' for source 'auto', else the source. */
  stage?: AnnotationStage;
  modelId?: string | null;
  prompts?: MaskPrompts | null;
  predictedIou?: number | null;
  stabilityScore?: number | null;
  /** Crop an automatic mask was made on, `[x, y, w, h]` in image pixels. */
  cropBox?: Bbox | null;
  status?: AnnotationStatus;
  author: string;
  sessionId?: number | null;
  timing?: Partial<AnnotationTiming>;
  /** Unix ms; default now. */
  at?: number;
}

export interface AnnotationRow {
  id: number;
  imageId: number;
  categoryId: number | null;
  /** Null for a box-only annotation. */
  rle: Rle | null;
  area: number;
  /** COCO `[x, y, w, h]` (pycocotools `toBbox` of the mask, or the stored box). */
  bbox: Bbox;
  iscrowd: boolean;
  source: AnnotationSource;
  stage: AnnotationStage;
  modelId: string | null;
  prompts: MaskPrompts | null;
  predictedIou: number | null;
  stabilityScore: number | null;
  cropBox: Bbox | null;
  status: AnnotationStatus;
  createdBy: string;
  createdAt: number;
  updatedBy: string;
  updatedAt: number;
  sessionId: number | null;
  timing: AnnotationTiming;
}

/** Which annotations an export or a listing wants. */
export interface AnnotationFilter {
  /** Default: every status. */
  statuses?: readonly AnnotationStatus[];
  /** Default: every category (and uncategorized). */
  categoryIds?: readonly number[];
  /** Leave out box-only annotations. */
  masksOnly?: boolean;
  /** Leave out annotations without a category. */
  categorizedOnly?: boolean;
}

export function addAnnotation(db: WritableDB, annotation: NewAnnotation): number {
  return inTransaction(db, () => insert(db, annotation));
}

/** Many annotations in one transaction (imports): all are stored, or none. */
export function addAnnotations(db: WritableDB, annotations: readonly NewAnnotation[]): number[] {
  return inTransaction(db, () => annotations.map((a) => insert(db, a)));
}

function insert(db: WritableDB, a: NewAnnotation): number {
  const geometry = derive(db, a.imageId, a.mask, a.box, a.boxArea);
  if (a.iscrowd && !geometry.counts)
    throw new UserError('a crowd annotation needs a mask (COCO crowd regions are RLE)');
  const timing = timingOf(a.timing);
  const at = a.at ?? Date.now();
  const result = sql(
    db,
    `INSERT INTO annotations (image_id, category_id, rle_counts, area, bbox_x, bbox_y, bbox_w, bbox_h, iscrowd, source,
       model_id, prompts, predicted_iou, stability_score, crop_box, status, created_by, created_at, updated_by,
       updated_at, active_ms, clicks, prompt_count, brush_strokes, model_wait_ms, session_id, stage, z)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
       (SELECT coalesce(max(z), 0) + 1 FROM annotations WHERE image_id = ?))`,
  ).run(
    a.imageId,
    a.categoryId ?? null,
    geometry.counts,
    geometry.area,
    ...geometry.bbox,
    a.iscrowd ? 1 : 0,
    a.source,
    a.modelId ?? null,
    a.prompts ? JSON.stringify(a.prompts) : null,
    finiteOrNull(a.predictedIou, 'predicted IoU'),
    finiteOrNull(a.stabilityScore, 'stability score'),
    a.cropBox ? JSON.stringify(a.cropBox) : null,
    a.status ?? 'draft',
    a.author,
    at,
    a.author,
    at,
    timing.activeMs,
    timing.clicks,
    timing.promptCount,
    timing.brushStrokes,
    timing.modelWaitMs,
    a.sessionId ?? null,
    a.stage ?? a.source,
    a.imageId,
  );
  return Number(result.lastInsertRowid);
}

export interface MaskEdit {
  mask: Rle | UncompressedRle;
  author: string;
  source?: AnnotationSource;
  /** The stage that remade it (boxes → masks); default: unchanged. */
  stage?: AnnotationStage;
  modelId?: string | null;
  prompts?: MaskPrompts | null;
  predictedIou?: number | null;
  stabilityScore?: number | null;
  /** A new status, set without a review event (an automatic pass decides what its results start as). */
  status?: AnnotationStatus;
  /** Totals so far (they replace the stored values). */
  timing?: Partial<AnnotationTiming>;
  at?: number;
}

/** Replace an annotation's mask (a refinement or a brush edit), with its provenance and timing, in one transaction. */
export function updateAnnotationMask(db: WritableDB, id: number, edit: MaskEdit): void {
  inTransaction(db, () => {
    const current = getAnnotation(db, id);
    if (!current) throw new UserError(`no annotation with id ${id}`);
    const geometry = derive(db, current.imageId, edit.mask);
    const timing = { ...current.timing, ...timingOf(edit.timing, current.timing) };
    sql(
      db,
      `UPDATE annotations SET rle_counts = ?, area = ?, bbox_x = ?, bbox_y = ?, bbox_w = ?, bbox_h = ?, source = ?,
         stage = ?, model_id = ?, prompts = ?, predicted_iou = ?, stability_score = ?, status = ?, updated_by = ?,
         updated_at = ?, active_ms = ?, clicks = ?, prompt_count = ?, brush_strokes = ?, model_wait_ms = ?
       WHERE id = ?`,
    ).run(
      geometry.counts,
      geometry.area,
      ...geometry.bbox,
      edit.source ?? current.source,
      edit.stage ?? current.stage,
      edit.modelId === undefined ? current.modelId : edit.modelId,
      edit.prompts === undefined ? jsonOrNull(current.prompts) : jsonOrNull(edit.prompts),
      edit.predictedIou === undefined
        ? current.predictedIou
        : finiteOrNull(edit.predictedIou, 'predicted IoU'),
      edit.stabilityScore === undefined
        ? current.stabilityScore
        : finiteOrNull(edit.stabilityScore, 'stability score'),
      edit.status ?? current.status,
      edit.author,
      edit.at ?? Date.now(),
      timing.activeMs,
      timing.clicks,
      timing.promptCount,
      timing.brushStrokes,
      timing.modelWaitMs,
      id,
    );
  });
}

export function setAnnotationCategory(
  db: WritableDB,
  id: number,
  categoryId: number | null,
  author: string,
): void {
  const result = sql(
    db,
    'UPDATE annotations SET category_id = ?, updated_by = ?, updated_at = ? WHERE id = ?',
  ).run(categoryId, author, Date.now(), id);
  if (result.changes !== 1) throw new UserError(`no annotation with id ${id}`);
}

/** The automatic masks of an image nobody decided on yet (source 'auto', status 'draft'), in id order. */
export function undecidedAutoMasks(db: ReadableDB, imageId: number): AnnotationRow[] {
  return (
    sql(db, `${SELECT} WHERE a.image_id = ? AND a.source = 'auto' AND a.status = 'draft' ORDER BY a.id`).all(
      imageId,
    ) as RawAnnotationRow[]
  ).map(toRow);
}

/**
 * Move a mask one step up (drawn over its neighbour; later in PNG exports) or down in its image's stack, by
 * swapping z with that neighbour, in one transaction (issue 17). The opposite move undoes it. False when it is
 * already at the top / bottom.
 */
export function moveAnnotation(db: WritableDB, id: number, direction: 'up' | 'down'): boolean {
  return inTransaction(db, () => {
    const self = sql(db, 'SELECT image_id, z FROM annotations WHERE id = ?').get(id) as
      { image_id: number; z: number } | undefined;
    if (!self) throw new UserError(`no annotation with id ${id}`);
    const neighbour = sql(
      db,
      direction === 'up'
        ? 'SELECT id, z FROM annotations WHERE image_id = ? AND (z, id) > (?, ?) ORDER BY z, id LIMIT 1'
        : 'SELECT id, z FROM annotations WHERE image_id = ? AND (z, id) < (?, ?) ORDER BY z DESC, id DESC LIMIT 1',
    ).get(self.image_id, self.z, id) as { id: number; z: number } | undefined;
    if (!neighbour) return false;
    const setZ = sql(db, 'UPDATE annotations SET z = ? WHERE id = ?');
    // Equal z (never written by this app, but possible in a hand-edited file): step past the neighbour.
    const z = neighbour.z === self.z ? neighbour.z + (direction === 'up' ? 1 : -1) : neighbour.z;
    setZ.run(self.z, neighbour.id);
    setZ.run(z, id);
    return true;
  });
}

export function deleteAnnotation(db: WritableDB, id: number): void {
  if (sql(db, 'DELETE FROM annotations WHERE id = ?').run(id).changes !== 1)
    throw new UserError(`no annotation with id ${id}`);
}

const SELECT = `SELECT a.*, i.width AS image_width, i.height AS image_height FROM annotations a
  JOIN images i ON i.id = a.image_id`;

export function getAnnotation(db: ReadableDB, id: number): AnnotationRow | undefined {
  const row = sql(db, `${SELECT} WHERE a.id = ?`).get(id) as RawAnnotationRow | undefined;
  return row && toRow(row);
}

/** The annotations of one image that pass the filter, bottom to top (z order; issue 17). */
export function annotationsOfImage(
  db: ReadableDB,
  imageId: number,
  filter: AnnotationFilter = {},
): AnnotationRow[] {
  const { where, params } = filterSql(filter);
  return (
    sql(db, `${SELECT} WHERE a.image_id = ? ${where} ORDER BY a.z, a.id`).all(
      imageId,
      ...params,
    ) as RawAnnotationRow[]
  ).map(toRow);
}

/** Annotations that pass the filter in id order, `limit` at a time after `afterId` (keyset paging). */
export function annotationsPage(
  db: ReadableDB,
  filter: AnnotationFilter,
  afterId: number,
  limit: number,
): AnnotationRow[] {
  const { where, params } = filterSql(filter);
  // NOT INDEXED: walk the primary key (each page is a range scan); with the status index SQLite would sort every
  // matching row for every page, quadratic over a large project.
  const text = `${SELECT.replace('FROM annotations a', 'FROM annotations a NOT INDEXED')} WHERE a.id > ? ${where} ORDER BY a.id LIMIT ?`;
  return (sql(db, text).all(afterId, ...params, limit) as RawAnnotationRow[]).map(toRow);
}

export function countAnnotations(db: ReadableDB, filter: AnnotationFilter = {}): number {
  const { where, params } = filterSql(filter);
  return (sql(db, `SELECT count(*) AS n FROM annotations a WHERE 1 ${where}`).get(...params) as { n: number })
    .n;
}

/** SQL condition (on alias `a`) for a filter; shared with the export's image selection. */
export function filterSql(filter: AnnotationFilter): { where: string; params: (string | number)[] } {
  let where = '';
  const params: (string | number)[] = [];
  if (filter.statuses) {
    where += ` AND a.status IN (${filter.statuses.map(() => '?').join(', ') || 'NULL'})`;
    params.push(...filter.statuses);
  }
  if (filter.categoryIds) {
    where += ` AND a.category_id IN (${filter.categoryIds.map(() => '?').join(', ') || 'NULL'})`;
    params.push(...filter.categoryIds);
  }
  if (filter.masksOnly) where += ' AND a.rle_counts IS NOT NULL';
  if (filter.categorizedOnly) where += ' AND a.category_id IS NOT NULL';
  return { where, params };
}

interface Geometry {
  counts: string | null;
  area: number;
  bbox: Bbox;
}

function derive(
  db: ReadableDB,
  imageId: number,
  mask: Rle | UncompressedRle | null,
  box?: Bbox,
  boxArea?: number,
): Geometry {
  const image = sql(db, 'SELECT width, height FROM images WHERE id = ?').get(imageId) as
    { width: number; height: number } | undefined;
  if (!image) throw new UserError(`no image with id ${imageId}`);
  if (!mask) {
    if (!box || box.some((v) => !Number.isFinite(v)) || box[2] < 0 || box[3] < 0) {
      throw new UserError(
        `image ${imageId}: an annotation without a mask needs a box [x, y, w, h] with w, h ≥ 0`,
      );
    }
    const area = boxArea ?? box[2] * box[3];
    if (!(area >= 0)) throw new UserError(`image ${imageId}: box area ${area} is not valid`);
    return { counts: null, area, bbox: [...box] as Bbox };
  }
  const [h, w] = mask.size;
  if (h !== image.height || w !== image.width) {
    throw new UserError(
      `image ${imageId}: mask size ${w}×${h} differs from the image's ${image.width}×${image.height} (masks are stored at full resolution)`,
    );
  }
  let rle: Rle;
  try {
    rle = canonicalRle(mask);
  } catch (error) {
    throw new UserError(`image ${imageId}: invalid mask RLE (${(error as Error).message})`, { cause: error });
  }
  const area = rleArea(rle);
  if (area === 0) throw new UserError(`image ${imageId}: the mask is empty (no foreground pixels)`);
  return { counts: rle.counts, area, bbox: rleBboxCoco(rle) };
}

function timingOf(timing: Partial<AnnotationTiming> = {}, base?: AnnotationTiming): AnnotationTiming {
  const value = (key: keyof AnnotationTiming): number => {
    const v = timing[key] ?? base?.[key] ?? 0;
    if (!Number.isFinite(v) || v < 0)
      throw new UserError(`annotation timing ${key} must be a number ≥ 0, got ${v}`);
    return Math.round(v);
  };
  return {
    activeMs: value('activeMs'),
    clicks: value('clicks'),
    promptCount: value('promptCount'),
    brushStrokes: value('brushStrokes'),
    modelWaitMs: value('modelWaitMs'),
  };
}

function finiteOrNull(value: number | null | undefined, what: string): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isFinite(value)) throw new UserError(`${what} must be a finite number, got ${value}`);
  return value;
}

const jsonOrNull = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

/** A row of `annotations` joined with its image's size (the SELECT above), as SQLite returns it. */
export interface RawAnnotationRow {
  id: number;
  image_id: number;
  category_id: number | null;
  rle_counts: string | null;
  area: number;
  bbox_x: number;
  bbox_y: number;
  bbox_w: number;
  bbox_h: number;
  iscrowd: number;
  source: AnnotationSource;
  stage: AnnotationStage;
  model_id: string | null;
  prompts: string | null;
  predicted_iou: number | null;
  stability_score: number | null;
  crop_box: string | null;
  status: AnnotationStatus;
  created_by: string;
  created_at: number;
  updated_by: string;
  updated_at: number;
  active_ms: number;
  clicks: number;
  prompt_count: number;
  brush_strokes: number;
  model_wait_ms: number;
  session_id: number | null;
  image_width: number;
  image_height: number;
}

export function toRow(r: RawAnnotationRow): AnnotationRow {
  return {
    id: r.id,
    imageId: r.image_id,
    categoryId: r.category_id,
    rle: r.rle_counts === null ? null : { size: [r.image_height, r.image_width], counts: r.rle_counts },
    area: r.area,
    bbox: [r.bbox_x, r.bbox_y, r.bbox_w, r.bbox_h],
    iscrowd: r.iscrowd === 1,
    source: r.source,
    stage: r.stage,
    modelId: r.model_id,
    prompts: r.prompts === null ? null : (JSON.parse(r.prompts) as MaskPrompts),
    predictedIou: r.predicted_iou,
    stabilityScore: r.stability_score,
    cropBox: r.crop_box === null ? null : (JSON.parse(r.crop_box) as Bbox),
    status: r.status,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedBy: r.updated_by,
    updatedAt: r.updated_at,
    sessionId: r.session_id,
    timing: {
      activeMs: r.active_ms,
      clicks: r.clicks,
      promptCount: r.prompt_count,
      brushStrokes: r.brush_strokes,
      modelWaitMs: r.model_wait_ms,
    },
  };
}
