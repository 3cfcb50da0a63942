/**
 * The one way image files are read (issue 18): only regular files (symlinks followed), at most
 * MAX_IMAGE_FILE_BYTES, and never more bytes than the file had when opened. A `.png` that is a symlink to
 * /dev/zero used to be read until memory ran out, and a FIFO hung the reader forever; both are now refused by
 * name. Callers hand the bytes (not the path) to sharp, so libvips never opens the path itself.
 */
import { type Stats, constants } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { UserError, describeError } from '../common/errors.ts';
import { MAX_IMAGE_FILE_BYTES } from '../common/imageLimits.ts';

export interface ImageFileBytes {
  readonly bytes: Buffer;
  /** The opened file's stat (size and mtime as read). */
  readonly stats: Stats;
}

export interface ReadImageOptions {
  /** Largest file accepted (default MAX_IMAGE_FILE_BYTES). */
  readonly maxBytes?: number;
}

/**
 * The stat of an image file, following symlinks, refused unless it is a regular file within the size cap.
 * Stat never blocks on a FIFO, so this is safe to call on any path.
 */
export async function statImageFile(file: string, options: ReadImageOptions = {}): Promise<Stats> {
  let stats: Stats;
  try {
    stats = await stat(file);
  } catch (error) {
    throw refusal(file, reasonOf(error), error);
  }
  checkImageStats(file, stats, options);
  return stats;
}

/** The bytes of an image file and its stat; a UserError names the file and the reason it cannot be read. */
export async function readImageFile(file: string, options: ReadImageOptions = {}): Promise<ImageFileBytes> {
  await statImageFile(file, options);
  let handle: FileHandle;
  try {
    // O_NONBLOCK: a FIFO swapped in after the stat opens at once (and is refused below) instead of waiting
    // for a writer. It changes nothing for regular files. Windows has no FIFOs and no such flag.
    handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw refusal(file, reasonOf(error), error);
  }
  try {
    const stats = await handle.stat();
    checkImageStats(file, stats, options);
    const bytes = Buffer.allocUnsafeSlow(stats.size);
    let length = 0;
    while (length < stats.size) {
      const { bytesRead } = await handle.read(bytes, length, stats.size - length, length);
      if (bytesRead === 0) break; // shrank while read: what is there (the decoder will judge it)
      length += bytesRead;
    }
    if (length === stats.size) {
      const { bytesRead } = await handle.read(Buffer.alloc(1), 0, 1, length);
      if (bytesRead > 0)
        throw refusal(file, `it grew while being read (more than the ${stats.size} bytes it had)`);
    }
    return { bytes: length === stats.size ? bytes : bytes.subarray(0, length), stats };
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw refusal(file, reasonOf(error), error);
  } finally {
    await handle.close();
  }
}

function checkImageStats(file: string, stats: Stats, options: ReadImageOptions): void {
  if (!stats.isFile()) throw refusal(file, `not a regular file (${kindOf(stats)})`);
  const maxBytes = options.maxBytes ?? MAX_IMAGE_FILE_BYTES;
  if (stats.size > maxBytes) {
    throw refusal(
      file,
      `it is ${stats.size} bytes, more than the ${maxBytes} bytes allowed for an image file`,
    );
  }
}

function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSocket()) return 'a socket';
  return 'not a file';
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ELOOP') return 'too many levels of symbolic links';
  return describeError(error);
}

function refusal(file: string, why: string, cause?: unknown): UserError {
  return new UserError(`cannot read image ${file}: ${why}`, cause === undefined ? undefined : { cause });
}
