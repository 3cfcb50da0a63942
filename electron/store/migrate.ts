/**
 * Schema migration runner (Signal-style): `PRAGMA user_version` is the schema version; pending migrations run in
 * order, each in its own transaction together with the version bump, so a crash leaves the database at the last
 * completed step. Before touching an existing database it is copied (`VACUUM INTO`) beside the project file. A
 * database written by a newer app is refused, never "downgraded".
 */
import { existsSync } from 'node:fs';
import type { Database } from 'better-sqlite3';
import { MIGRATIONS, type Migration } from '../../db/migrations/index.ts';
import { UserError } from '../common/errors.ts';

export interface MigrateOptions {
  /** The database file, for messages and the backup; omit for in-memory databases (no backup). */
  file?: string;
  migrations?: readonly Migration[];
  /** Stop at this version (tests build databases at N − 1). Default: the last migration. */
  to?: number;
  log?: (line: string) => void;
}

export interface MigrateResult {
  from: number;
  to: number;
  /** Copy of the database as it was before migrating, if one was made. */
  backup?: string;
}

/** Throws unless versions are positive integers in strictly increasing order (a programming error, not a user's). */
export function checkMigrationList(migrations: readonly Migration[]): void {
  let previous = 0;
  for (const m of migrations) {
    if (!Number.isSafeInteger(m.version) || m.version <= previous) {
      throw new Error(`migration list is not monotonic: ${m.version} (${m.name}) follows ${previous}`);
    }
    previous = m.version;
  }
}

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Database, options: MigrateOptions = {}): MigrateResult {
  const migrations = options.migrations ?? MIGRATIONS;
  checkMigrationList(migrations);
  const latest = migrations.length ? migrations[migrations.length - 1]!.version : 0;
  const target = options.to ?? latest;
  const from = schemaVersion(db);
  const name = options.file ?? 'database';
  if (from > latest) {
    throw new UserError(
      `${name}: written by a newer version of SAM Annotate (schema version ${from}; this version knows up to ${latest}); update SAM Annotate to open it`,
    );
  }
  const pending = migrations.filter((m) => m.version > from && m.version <= target);
  if (pending.length === 0) return { from, to: from };

  let backup: string | undefined;
  if (from > 0 && options.file) {
    backup = backupName(options.file, from);
    db.prepare('VACUUM INTO ?').run(backup);
    options.log?.(`backed up ${options.file} (schema ${from}) to ${backup}`);
  }
  for (const m of pending) runStep(db, m);
  const to = schemaVersion(db);
  options.log?.(`migrated ${name} from schema ${from} to ${to}`);
  return { from, to, backup };
}

/** One migration and its version bump in one transaction, with foreign keys off around it if it asks. */
function runStep(db: Database, m: Migration): void {
  const enforced = db.pragma('foreign_keys', { simple: true }) === 1;
  const switchOff = m.foreignKeysOff === true && enforced;
  // Inside a transaction the pragma is a no-op, and dropping a table would cascade: refuse (a programming error).
  if (switchOff && db.inTransaction)
    throw new Error(`migration ${m.version} cannot run inside a transaction`);
  if (switchOff) db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      m.up(db);
      if (m.foreignKeysOff && (db.pragma('foreign_key_check') as unknown[]).length > 0)
        throw new Error(`migration ${m.version} (${m.name}) left rows whose foreign keys point nowhere`);
      db.pragma(`user_version = ${m.version}`);
    })();
  } finally {
    if (switchOff) db.pragma('foreign_keys = ON');
  }
}

function backupName(file: string, version: number): string {
  const base = `${file}.schema-${version}.bak`;
  if (!existsSync(base)) return base;
  for (let i = 2; ; i++) if (!existsSync(`${base}.${i}`)) return `${base}.${i}`;
}
