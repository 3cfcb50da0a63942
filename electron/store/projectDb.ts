/**
 * A project is one SQLite file (`.samproj`). Opening one:
 *
 * - takes an exclusive lock for as long as it is open (`locking_mode = EXCLUSIVE` + WAL): a second app or CLI
 *   opening the same file gets a clear "open elsewhere" UserError instead of interleaving writes. The lock is
 *   the operating system's file lock, so a killed process leaves no stale lock behind; the `FILE.owner` note
 *   only says who holds it, for the message, and is ignored (overwritten) when the lock is free;
 * - WAL with `synchronous = FULL`: a transaction acknowledged by `COMMIT` survives a killed process and a power
 *   cut; `foreign_keys = ON`;
 * - migrates the schema (backup first; a database from a newer app is refused, see migrate.ts), except when
 *   opened read-only (CLI stats and export), which also works on a project this user cannot write.
 *
 * Creating one builds it in a temp file and links it into place, so two processes creating the same project
 * never destroy each other's file (issue 18).
 */
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  constants,
  copyFileSync,
  existsSync,
  fsyncSync,
  linkSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { UserError } from '../common/errors.ts';
import { SCHEMA_VERSION } from '../../db/migrations/index.ts';
import { fileAccessError, isWritable, openError } from './fileAccess.ts';
import { migrate, schemaVersion } from './migrate.ts';
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
  /**
   * Only read (issue 18, item 12a): never migrates (a project needing it is refused), refuses writes, and reads
   * one consistent snapshot while open. Locked like any open; but a file or folder this user cannot write (a
   * read-only project) is read from a temporary copy, needing no write access at all.
   */
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

/**
 * Create a new, empty project file (refuses to overwrite anything). The database is built in a temp file beside
 * the target and hard-linked into place, which fails if the name exists: of several processes creating the same
 * project at once exactly one wins, and the others only ever delete their own temp files (issue 18, item 7).
 */
export function createProject(file: string, options: OpenOptions = {}): Project {
  const absolute = path.resolve(file);
  if (existsSync(absolute))
    throw new UserError(`${file}: already exists (open it instead, or choose a new name)`);
  if (!existsSync(path.dirname(absolute))) throw new UserError(`${file}: its folder does not exist`);
  buildNewProject(absolute, file);
  return openAt(absolute, file, options);
}

/** Open an existing project file. */
export function openProject(file: string, options: OpenOptions = {}): Project {
  const absolute = path.resolve(file);
  if (!existsSync(absolute)) {
    throw new UserError(`${file}: no such project (create one with: sam-annotate project create ${file})`);
  }
  return options.readOnly ? openReadOnly(absolute, file, options) : openAt(absolute, file, options);
}

function buildNewProject(absolute: string, shown: string): void {
  const temp = path.join(
    path.dirname(absolute),
    `.${path.basename(absolute)}.${process.pid}-${randomUUID().slice(0, 8)}.creating`,
  );
  let db: Database.Database | undefined;
  try {
    // Rollback journal while building: closing leaves one self-contained file to link (WAL is set on open).
    db = new Database(temp);
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma(`application_id = ${APPLICATION_ID}`);
    migrate(db);
    initMeta(db as WritableDB);
    db.close();
    publish(temp, absolute, shown);
  } catch (error) {
    throw error instanceof UserError ? error : openError(error, shown, absolute);
  } finally {
    if (db?.open) db.close();
    for (const f of [temp, `${temp}-journal`]) rmSync(f, { force: true });
  }
}

/** Put the finished temp file at `absolute` unless something is already there. */
function publish(temp: string, absolute: string, shown: string): void {
  const taken = () => new UserError(`${shown}: already exists (created by another process?)`);
  try {
    linkSync(temp, absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw taken();
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
    // A file system without hard links (FAT, some network shares): an exclusive copy is still create-only.
    try {
      copyFileSync(temp, absolute, constants.COPYFILE_EXCL);
    } catch (copyError) {
      if ((copyError as NodeJS.ErrnoException).code === 'EEXIST') throw taken();
      throw copyError;
    }
  }
  syncFolder(path.dirname(absolute));
}

/** Make the new directory entry durable (not possible on Windows, where this is a no-op). */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function openAt(absolute: string, shown: string, options: OpenOptions): Project {
  let db: Database.Database;
  try {
    db = new Database(absolute, { fileMustExist: true, timeout: options.busyTimeoutMs ?? 1000 });
  } catch (error) {
    throw openError(error, shown, absolute);
  }
  try {
    lock(db, absolute, shown);
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    checkApplication(db, shown, true);
    migrate(db, { file: absolute, log: options.log });
  } catch (error) {
    db.close();
    throw error instanceof UserError ? error : (fileAccessError(error, shown, isWritable(absolute)) ?? error);
  }
  writeOwner(absolute);
  return handle(absolute, db, () => removeOwner(absolute));
}

function openReadOnly(absolute: string, shown: string, options: OpenOptions): Project {
  if (isWritable(absolute)) return holdForReading(absolute, shown, options);
  // SQLite cannot read a WAL database without creating its `-shm` index beside it (and then leaves it there,
  // owned by this user): read a copy instead, the WAL too in case it holds commits.
  const copyDir = mkdtempSync(path.join(os.tmpdir(), 'sam-annotate-readonly-'));
  const removeCopy = () => rmSync(copyDir, { recursive: true, force: true });
  try {
    const copy = path.join(copyDir, path.basename(absolute));
    copyFileSync(absolute, copy);
    if (existsSync(`${absolute}-wal`)) copyFileSync(`${absolute}-wal`, `${copy}-wal`);
    const db = new Database(copy, { readonly: true, fileMustExist: true });
    return readSnapshot(db, absolute, shown, removeCopy);
  } catch (error) {
    removeCopy();
    throw error instanceof UserError ? error : openError(error, shown, absolute);
  }
}

/**
 * A project this user could write, opened to read: locked like any open (one opener at a time, and the owner
 * note names this process), but never migrated and refusing writes (`query_only`).
 */
function holdForReading(absolute: string, shown: string, options: OpenOptions): Project {
  let db: Database.Database;
  try {
    db = new Database(absolute, { fileMustExist: true, timeout: options.busyTimeoutMs ?? 1000 });
    db.pragma('locking_mode = EXCLUSIVE');
  } catch (error) {
    throw openError(error, shown, absolute);
  }
  const project = readSnapshot(db, absolute, shown, () => removeOwner(absolute));
  db.pragma('query_only = ON');
  writeOwner(absolute);
  return project;
}

/**
 * Start the read transaction the project is read in for as long as it is open (one consistent snapshot) and
 * check it is a project of this schema version; closes `db` and calls `afterClose` if not.
 */
function readSnapshot(
  db: Database.Database,
  absolute: string,
  shown: string,
  afterClose: () => void,
): Project {
  try {
    try {
      db.exec('BEGIN');
      db.prepare('SELECT count(*) FROM sqlite_schema').get();
    } catch (error) {
      throw lockError(error, absolute, shown);
    }
    checkApplication(db, shown, false);
    checkVersionForReading(db, shown);
  } catch (error) {
    db.close();
    afterClose();
    throw error;
  }
  return handle(absolute, db, afterClose);
}

function checkVersionForReading(db: Database.Database, shown: string): void {
  const version = schemaVersion(db);
  if (version > SCHEMA_VERSION) migrate(db, { file: shown }); // throws "written by a newer version"
  if (version < SCHEMA_VERSION) {
    throw new UserError(
      `${shown}: made by an older version of SAM Annotate (schema version ${version}; this version uses ${SCHEMA_VERSION}); open it once for writing to upgrade`,
    );
  }
}

function handle(absolute: string, db: Database.Database, afterClose: () => void): Project {
  return {
    file: absolute,
    dir: path.dirname(absolute),
    db: db as WritableDB,
    reader: db as ReadableDB,
    close() {
      if (!db.open) return;
      db.close();
      afterClose();
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
    throw lockError(error, absolute, shown);
  }
}

/** "Open elsewhere" (naming the holder when known), "not a database", read-only, or SQLite's own words. */
function lockError(error: unknown, absolute: string, shown: string): UserError {
  const code = (error as { code?: string }).code ?? '';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    const owner = readOwner(absolute);
    const who = owner ? ` by process ${owner.pid} on ${owner.host} (${owner.user}) since ${owner.since}` : '';
    return new UserError(`${shown}: open elsewhere${who}; close it there first`, { cause: error });
  }
  if (code === 'SQLITE_NOTADB')
    return new UserError(`${shown}: not a SAM Annotate project (not an SQLite database)`);
  return openError(error, shown, absolute);
}

/** `adopt`: stamp an empty SQLite file (no tables) as a project rather than refusing it (not when only reading). */
function checkApplication(db: Database.Database, shown: string, adopt: boolean): void {
  const id = db.pragma('application_id', { simple: true }) as number;
  if (id === APPLICATION_ID) return;
  if (!adopt) throw new UserError(`${shown}: not a SAM Annotate project`);
  const tables = (
    db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number }
  ).n;
  if (id !== 0 || tables > 0) {
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
