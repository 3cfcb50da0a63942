/** Annotation sessions: one annotator's sitting, from opening the project to closing it. */
import { UserError } from '../common/errors.ts';
import { sql } from './statements.ts';
import type { ReadableDB, WritableDB } from './types.ts';

export interface SessionRow {
  id: number;
  annotator: string;
  startedAt: number;
  endedAt: number | null;
  appVersion: string;
  modelId: string | null;
}

export function startSession(
  db: WritableDB,
  session: { annotator: string; appVersion: string; modelId?: string | null; at?: number },
): number {
  const result = sql(
    db,
    'INSERT INTO sessions (annotator, started_at, app_version, model_id) VALUES (?, ?, ?, ?)',
  ).run(session.annotator, session.at ?? Date.now(), session.appVersion, session.modelId ?? null);
  return Number(result.lastInsertRowid);
}

export function endSession(db: WritableDB, id: number, at = Date.now()): void {
  const result = sql(
    db,
    'UPDATE sessions SET ended_at = max(?, started_at) WHERE id = ? AND ended_at IS NULL',
  ).run(at, id);
  if (result.changes !== 1) throw new UserError(`no open session with id ${id}`);
}

export function listSessions(db: ReadableDB): SessionRow[] {
  return sql(
    db,
    `SELECT id, annotator, started_at AS startedAt, ended_at AS endedAt, app_version AS appVersion, model_id AS modelId
     FROM sessions ORDER BY id`,
  ).all() as SessionRow[];
}
