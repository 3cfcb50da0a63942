/**
 * Write a file so that readers see either the old content or the new, never half of it: write a temporary file
 * beside the target, flush it, rename it over the target. A failure (full disk, read-only folder) removes the
 * temporary file, leaves the old target untouched and says which file could not be written and why.
 */
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../common/errors.ts';

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOENT: 'its folder does not exist',
  EISDIR: 'it is a directory',
};

export function describeWriteError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return (code && REASONS[code]) ?? (error as Error).message;
}

export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array | readonly Uint8Array[],
): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    const handle = await open(temp, 'w');
    try {
      const chunks = typeof data === 'string' || data instanceof Uint8Array ? [data] : data;
      for (const chunk of chunks) await handle.write(chunk as Uint8Array);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw new UserError(`cannot write ${file}: ${describeWriteError(error)}`, { cause: error });
  }
}
