/**
 * A project is one SQLite file (`.samproj`). Opening one:
 *
 * - takes an exclusive lock for as long as it is open (`locking_mode = EXCLUSIVE` + WAL): a second app or CLI
 *   opening the same file gets a clear "open elsewhere" UserError instead of interleaving writes. The lock is
 *   the operating system's file lock, so a killed process leaves no stale lock behind; the `FILE.owner` note
 *   only says who holds it, for the message, and is ignored (overwritten) when the lock is free;
 * - WAL with `synchronous = FULL`: a transaction acknowledged by `COMMIT` survives a killed process and a power
 *   cut; `foreign_keys = ON`;
 * - migrates the schema (backup first; a database from a newer app is refused, see migrate.ts).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { UserError, describeError } from '../common/errors.ts';
import { migrate } from './migrate.ts';
import type { ReadableDB, WritableDB } from './types.ts';

/** `PRAGMA application_id` of project files: "SAMA". */
export const APPLICATION_ID = 0x53414d41;
export const PROJECT_EXTENSION = '.samproj';

export interface Project {
  /** Absolute path of the project file. */
  readonly file: string;
  /** Folder of the project file: image paths are stored relative to it. */
  readonly dir: string;
  readonly db: WritableDB;
  readonly reader: ReadableDB;
  close(): void;
}

export interface OpenOptions {
  /** Migration and backup messages. */
  log?: (line: string) => void;
  /** How long to wait for another process to let go of the file before reporting it open elsewhere. */
  busyTimeoutMs?: number;
  /** Refuse writes on this connection (`PRAGMA query_only`); the file is still locked. */
  readOnly?: boolean;
}

interface Owner {
  pid: number;
  host: string;
  user: string;
  since: string;
}

export function appVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

/** Create a new, empty project file (refuses to overwrite anything). */
export function createProject(file: string, options: OpenOptions = {}): Project {
  const absolute = path.resolve(file);
  if (existsSync(absolute))
    throw new UserError(`${file}: already exists (open it instead, or choose a new name)`);
  if (!existsSync(path.dirname(absolute))) throw new UserError(`${file}: its folder does not exist`);
  return openAt(absolute, file, true, options);
}

/** Open an existing project file. */
export function openProject(file: string, options: OpenOptions = {}): Project {
  const absolute = path.resolve(file);
  if (!existsSync(absolute)) {
    throw new UserError(`${file}: no such project (create one with: sam-annotate project create ${file})`);
  }
  return openAt(absolute, file, false, options);
}

function openAt(absolute: string, shown: string, create: boolean, options: OpenOptions): Project {
  let db: Database.Database;
  try {
    db = new Database(absolute, { fileMustExist: !create, timeout: options.busyTimeoutMs ?? 1000 });
  } catch (error) {
    throw new UserError(`${shown}: cannot open (${describeError(error)})`, { cause: error });
  }
  try {
    lock(db, absolute, shown);
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    checkApplication(db, shown, create);
    migrate(db, { file: absolute, log: create ? undefined : options.log });
    if (create) initMeta(db as WritableDB);
    if (options.readOnly) db.pragma('query_only = ON');
  } catch (error) {
    db.close();
    if (create) for (const f of [absolute, `${absolute}-wal`, `${absolute}-shm`]) rmSync(f, { force: true });
    throw error;
  }
  writeOwner(absolute);
  return {
    file: absolute,
    dir: path.dirname(absolute),
    db: db as WritableDB,
    reader: db as ReadableDB,
    close() {
      if (!db.open) return;
      db.close();
      removeOwner(absolute);
    },
  };
}

function lock(db: Database.Database, absolute: string, shown: string): void {
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal')
      throw new UserError(`${shown}: cannot use write-ahead logging (journal mode ${String(mode)})`);
    // A write transaction takes the exclusive lock now rather than at the first real write.
    db.exec('BEGIN IMMEDIATE; COMMIT');
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      const owner = readOwner(absolute);
      const who = owner
        ? ` by process ${owner.pid} on ${owner.host} (${owner.user}) since ${owner.since}`
        : '';
      throw new UserError(`${shown}: open elsewhere${who}; close it there first`, { cause: error });
    }
    if (code === 'SQLITE_NOTADB')
      throw new UserError(`${shown}: not a SAM Annotate project (not an SQLite database)`);
    throw error instanceof UserError
      ? error
      : new UserError(`${shown}: cannot open (${describeError(error)})`, { cause: error });
  }
}

function checkApplication(db: Database.Database, shown: string, create: boolean): void {
  const id = db.pragma('application_id', { simple: true }) as number;
  if (id === APPLICATION_ID) return;
  const tables = (
    db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number }
  ).n;
  if (!create && (id !== 0 || tables > 0)) {
    throw new UserError(`${shown}: not a SAM Annotate project (an SQLite database of another application)`);
  }
  db.pragma(`application_id = ${APPLICATION_ID}`);
}

function initMeta(db: WritableDB): void {
  const put = db.prepare('INSERT OR REPLACE INTO project_meta (key, value) VALUES (?, ?)');
  db.transaction(() => {
    put.run('project_id', randomUUID());
    put.run('created_at', new Date().toISOString());
    put.run('created_with', `sam-annotate ${appVersion()}`);
  })();
}

const ownerFile = (absolute: string) => `${absolute}.owner`;

function writeOwner(absolute: string): void {
  const owner: Owner = {
    pid: process.pid,
    host: os.hostname(),
    user: userName(),
    since: new Date().toISOString(),
  };
  try {
    writeFileSync(ownerFile(absolute), `${JSON.stringify(owner)}\n`);
  } catch {
    // Only informative: a read-only folder just makes the "open elsewhere" message less specific.
  }
}

function readOwner(absolute: string): Owner | undefined {
  try {
    const owner = JSON.parse(readFileSync(ownerFile(absolute), 'utf8')) as Owner;
    return typeof owner.pid === 'number' ? owner : undefined;
  } catch {
    return undefined;
  }
}

function removeOwner(absolute: string): void {
  if (readOwner(absolute)?.pid === process.pid) rmSync(ownerFile(absolute), { force: true });
}

export function userName(): string {
  try {
    return os.userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

/** A project_meta value. */
export function projectMeta(db: ReadableDB, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM project_meta WHERE key = ?').get(key) as
    { value: string } | undefined;
  return row?.value;
}
