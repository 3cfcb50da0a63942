/**
 * Turning SQLite's file errors into messages a user can act on (issue 18): a project on a read-only file, in a
 * read-only folder or on a read-only disk otherwise surfaces as "disk I/O error" or "unable to open database
 * file". better-sqlite3 reports SQLite's extended code (`SQLITE_READONLY_DIRECTORY`, `SQLITE_IOERR_LOCK`, …) but
 * not the OS errno, so an I/O or open error counts as "read-only" when the file or its folder cannot be written.
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { UserError, describeError } from '../common/errors.ts';

export const READ_ONLY_HINT =
  'make the file and its folder writable, or copy the project to a writable folder (project stats and project export can read it as it is)';

/** Whether `file` (if it exists) and its folder can be written by this process. */
export function isWritable(file: string): boolean {
  for (const target of [file, path.dirname(file)]) {
    try {
      accessSync(target, constants.W_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && target === file) continue;
      return false;
    }
  }
  return true;
}

/**
 * The UserError for an SQLite error met while opening or creating `shown`, or undefined if it is not about file
 * access. `writable` is whether the file and its folder can be written (`isWritable`).
 */
export function fileAccessError(error: unknown, shown: string, writable: boolean): UserError | undefined {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return undefined;
  const readOnly = code.startsWith('SQLITE_READONLY') || (!writable && isIoOrOpen(code));
  if (!readOnly) return undefined;
  return new UserError(`${shown}: permission denied (read-only); ${READ_ONLY_HINT}`, { cause: error });
}

function isIoOrOpen(code: string): boolean {
  return code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM';
}

/** `fileAccessError`, else a generic "cannot open" UserError keeping SQLite's own words. */
export function openError(error: unknown, shown: string, absolute: string): UserError {
  if (error instanceof UserError) return error;
  return (
    fileAccessError(error, shown, isWritable(absolute)) ??
    new UserError(`${shown}: cannot open (${describeError(error)})`, { cause: error })
  );
}
