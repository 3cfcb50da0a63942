/**
 * Settings a project remembers (issue 17), in `project_meta` (a key per setting, JSON values): the parameters of
 * the last Find objects / automatic pass, and the IoU above which an automatic mask counts as a duplicate of an
 * accepted one.
 */
import type { AmgParams } from '../common/amg/params.ts';
import { UserError } from '../common/errors.ts';
import { sql } from './statements.ts';
import type { ReadableDB, WritableDB } from './types.ts';

/** An automatic mask whose IoU with an accepted mask of its image is above this is not proposed. */
export const DEFAULT_DUPLICATE_IOU = 0.9;

export interface AutoSettings {
  /** The parameters last used (only those given; the rest are Meta's defaults). */
  readonly params: Partial<AmgParams>;
  readonly duplicateIou: number;
}

const PARAMS_KEY = 'auto.params';
const DUPLICATE_KEY = 'auto.duplicate_iou';

export function autoSettings(db: ReadableDB): AutoSettings {
  const get = (key: string) =>
    (sql(db, 'SELECT value FROM project_meta WHERE key = ?').get(key) as { value: string } | undefined)
      ?.value;
  const params = parseOr<Partial<AmgParams>>(get(PARAMS_KEY), {});
  const duplicateIou = parseOr<number>(get(DUPLICATE_KEY), DEFAULT_DUPLICATE_IOU);
  return {
    params: typeof params === 'object' && params !== null ? params : {},
    duplicateIou: typeof duplicateIou === 'number' ? duplicateIou : DEFAULT_DUPLICATE_IOU,
  };
}

/** Remember what was used (each part only when given). */
export function saveAutoSettings(db: WritableDB, settings: Partial<AutoSettings>): void {
  const put = sql(db, 'INSERT OR REPLACE INTO project_meta (key, value) VALUES (?, ?)');
  if (settings.params) put.run(PARAMS_KEY, JSON.stringify(settings.params));
  if (settings.duplicateIou !== undefined) put.run(DUPLICATE_KEY, JSON.stringify(settings.duplicateIou));
}

/** A duplicate threshold as given by a client: a number from 0 to 1 (above 1: nothing counts as a duplicate). */
export function checkDuplicateIou(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new UserError(
      `duplicate IoU threshold ${JSON.stringify(value)}: expected a number ≥ 0 (default 0.9)`,
    );
  return value;
}

function parseOr<T>(text: string | undefined, fallback: T): T {
  if (text === undefined) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

const SUBTRACT_KEY = 'masks.subtract_accepted';

/** Overlap control (issue 17): masks accepted in the annotator leave out the pixels of accepted masks. */
export function subtractAccepted(db: ReadableDB): boolean {
  const row = sql(db, 'SELECT value FROM project_meta WHERE key = ?').get(SUBTRACT_KEY) as
    { value: string } | undefined;
  return row?.value === 'true';
}

export function saveSubtractAccepted(db: WritableDB, on: boolean): void {
  sql(db, 'INSERT OR REPLACE INTO project_meta (key, value) VALUES (?, ?)').run(
    SUBTRACT_KEY,
    String(on === true),
  );
}
