/**
 * Export outputs that appear whole or not at all.
 *
 * - A file is written to a temporary file beside the target, flushed (`fsync`) and renamed over it.
 * - A folder (SA-1B, YOLO, PNG) is written as a temporary folder beside the target and renamed into place; an
 *   earlier export at the target is swapped out and deleted. A target folder that exists and is neither empty
 *   nor an earlier export (it has no marker file) is refused before any work: it may be the user's data.
 *   Files inside the folder are not fsynced one by one (100k files); the rename makes a finished export
 *   appear at once, and a failure or a kill leaves only a hidden temporary folder, never a half export.
 *
 * Any write error (full disk, read-only folder) removes the temporary output, leaves the old target as it was,
 * and becomes a one-line UserError naming the file.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../common/errors.ts';
import { describeWriteError } from '../node/atomicWrite.ts';

/** Where bytes go; tests substitute one that fails like a full disk. */
export interface FileSink {
  write(chunk: string | Uint8Array): Promise<void>;
  /** Flush; with `sync`, also fsync. */
  close(sync: boolean): Promise<void>;
}

export type SinkOpener = (file: string) => Promise<FileSink>;

const CHUNK = 1 << 20;

/** The real file system, with writes batched into 1 MiB chunks. */
export const openFileSink: SinkOpener = async (file) => {
  const handle = await open(file, 'w');
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const data = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await handle.write(data);
  };
  return {
    async write(chunk) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      pending.push(bytes);
      pendingBytes += bytes.length;
      if (pendingBytes >= CHUNK) await flush();
    },
    async close(sync) {
      try {
        await flush();
        if (sync) await handle.sync();
      } finally {
        await handle.close();
      }
    },
  };
};

const tempName = (target: string, kind: string) =>
  path.join(
    path.dirname(target),
    `.${path.basename(target)}.${kind}-${process.pid}-${randomBytes(4).toString('hex')}`,
  );

function writeError(file: string, error: unknown): UserError {
  if (error instanceof UserError) return error;
  return new UserError(`cannot write ${file}: ${describeWriteError(error)}`, { cause: error });
}

/** One output file, streamed. */
export class AtomicFile {
  private constructor(
    readonly target: string,
    private readonly temp: string,
    private readonly sink: FileSink,
  ) {}

  static async create(target: string, openSink: SinkOpener = openFileSink): Promise<AtomicFile> {
    const temp = tempName(target, 'tmp');
    try {
      return new AtomicFile(target, temp, await openSink(temp));
    } catch (error) {
      await rm(temp, { force: true });
      throw writeError(target, error);
    }
  }

  async write(chunk: string | Uint8Array): Promise<void> {
    try {
      await this.sink.write(chunk);
    } catch (error) {
      await this.abort();
      throw writeError(this.target, error);
    }
  }

  async commit(): Promise<void> {
    try {
      await this.sink.close(true);
      await rename(this.temp, this.target);
    } catch (error) {
      await rm(this.temp, { force: true });
      throw writeError(this.target, error);
    }
  }

  async abort(): Promise<void> {
    await this.sink.close(false).catch(() => undefined);
    await rm(this.temp, { force: true });
  }
}

export const EXPORT_MARKER = '.sam-annotate-export';

/** One output folder of many files. */
export class AtomicDir {
  private readonly made = new Set<string>();

  private constructor(
    readonly target: string,
    readonly temp: string,
    private readonly openSink: SinkOpener,
  ) {}

  static async create(
    target: string,
    format: string,
    openSink: SinkOpener = openFileSink,
  ): Promise<AtomicDir> {
    await checkReplaceable(target);
    const temp = tempName(target, 'tmp');
    const dir = new AtomicDir(target, temp, openSink);
    try {
      await mkdir(temp, { recursive: false });
    } catch (error) {
      throw writeError(target, error);
    }
    await dir.writeFile(EXPORT_MARKER, `${JSON.stringify({ format, written: new Date().toISOString() })}\n`);
    return dir;
  }

  /** Write `relative` (POSIX separators) inside the folder; a failure aborts the whole folder. */
  async writeFile(relative: string, data: string | Uint8Array): Promise<void> {
    const file = path.join(this.temp, ...relative.split('/'));
    try {
      const parent = path.dirname(file);
      if (!this.made.has(parent)) {
        await mkdir(parent, { recursive: true });
        this.made.add(parent);
      }
      const sink = await this.openSink(file);
      try {
        await sink.write(data);
      } finally {
        await sink.close(false);
      }
    } catch (error) {
      await this.abort();
      throw writeError(path.join(this.target, ...relative.split('/')), error);
    }
  }

  /** A file inside the folder to stream into (close it before `commit`); write errors abort the export. */
  async stream(relative: string): Promise<FileSink> {
    const file = path.join(this.temp, ...relative.split('/'));
    const shown = path.join(this.target, ...relative.split('/'));
    let sink: FileSink;
    try {
      await mkdir(path.dirname(file), { recursive: true });
      sink = await this.openSink(file);
    } catch (error) {
      await this.abort();
      throw writeError(shown, error);
    }
    const fail = async (error: unknown): Promise<never> => {
      await this.abort();
      throw writeError(shown, error);
    };
    return {
      write: (chunk) => sink.write(chunk).catch(fail),
      close: (sync) => sink.close(sync).catch(fail),
    };
  }

  async commit(): Promise<void> {
    const old = existsSync(this.target) ? tempName(this.target, 'old') : undefined;
    try {
      if (old) await rename(this.target, old);
      try {
        await rename(this.temp, this.target);
      } catch (error) {
        if (old) await rename(old, this.target); // put the earlier export back
        throw error;
      }
    } catch (error) {
      await this.abort();
      throw writeError(this.target, error);
    }
    if (old) await rm(old, { recursive: true, force: true });
  }

  async abort(): Promise<void> {
    await rm(this.temp, { recursive: true, force: true });
  }
}

async function checkReplaceable(target: string): Promise<void> {
  let info;
  try {
    info = await stat(target);
  } catch {
    if (!existsSync(path.dirname(path.resolve(target))))
      throw new UserError(`cannot write ${target}: its folder does not exist`);
    return;
  }
  if (!info.isDirectory())
    throw new UserError(`${target}: exists and is not a folder; choose a folder path for this format`);
  const entries = await readdir(target);
  if (entries.length > 0 && !entries.includes(EXPORT_MARKER)) {
    throw new UserError(
      `${target}: folder exists and is not an earlier SAM Annotate export; choose a new or empty folder`,
    );
  }
}
