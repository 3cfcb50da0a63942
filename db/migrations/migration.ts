import type { Database } from 'better-sqlite3';

/**
 * One schema step. A migration is frozen once released: its SQL is written out literally (no shared constants
 * that could change under it) and it is never edited or removed; a mistake is fixed by a new migration.
 */
export interface Migration {
  /** Becomes `PRAGMA user_version` once `up` has run. */
  readonly version: number;
  readonly name: string;
  /**
   * The runner turns foreign keys off around this step (and runs `PRAGMA foreign_key_check` before committing):
   * needed to rebuild a table other tables reference, since dropping it would otherwise fire their ON DELETE
   * actions (SQLite's "making other kinds of table schema changes" procedure).
   */
  readonly foreignKeysOff?: boolean;
  /** Runs inside a transaction opened by the runner; throws to roll the whole step back. */
  up(db: Database): void;
}
