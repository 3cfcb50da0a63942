import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { READ_ONLY_HINT, fileAccessError } from '../../../electron/store/fileAccess.ts';
import { tempDir } from '../../helpers/projects.ts';

const readOnly = `p.samproj: permission denied (read-only); ${READ_ONLY_HINT}`;
const sqliteError = (code: string) => new Database.SqliteError('disk I/O error', code);

/** Issue 18, item 12a: which SQLite errors mean "the project is read-only". */
describe('fileAccessError', () => {
  it('maps a real SQLITE_READONLY (a write on a read-only connection), writable or not', () => {
    const file = path.join(tempDir(), 'ro.db');
    new Database(file).close();
    const db = new Database(file, { readonly: true });
    let error: unknown;
    try {
      db.exec('CREATE TABLE t (x)');
    } catch (e) {
      error = e;
    }
    db.close();
    expect((error as { code: string }).code).toMatch(/^SQLITE_READONLY/);
    expect(fileAccessError(error, 'p.samproj', true)?.message).toBe(readOnly);
    expect(fileAccessError(sqliteError('SQLITE_READONLY_DIRECTORY'), 'p.samproj', true)?.message).toBe(
      readOnly,
    );
  });

  it('maps I/O and open errors only when the file or its folder cannot be written', () => {
    for (const code of [
      'SQLITE_IOERR_LOCK',
      'SQLITE_IOERR_WRITE',
      'SQLITE_IOERR',
      'SQLITE_CANTOPEN',
      'SQLITE_PERM',
    ]) {
      expect(fileAccessError(sqliteError(code), 'p.samproj', false)?.message, code).toBe(readOnly);
      expect(fileAccessError(sqliteError(code), 'p.samproj', true), code).toBeUndefined();
    }
  });

  it('leaves other errors alone', () => {
    for (const code of ['SQLITE_BUSY', 'SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_FULL'])
      expect(fileAccessError(sqliteError(code), 'p.samproj', false), code).toBeUndefined();
    expect(fileAccessError(new Error('plain'), 'p.samproj', false)).toBeUndefined();
  });
});
