/**
 * Download one file over HTTP(S), resumably and verified:
 * - bytes go to `<file>.part`; a later call asks the server for the rest (`Range: bytes=N-`) and appends, or
 *   starts over when the server ignores ranges (200 instead of 206);
 * - a body shorter than its Content-Length is an error that keeps the `.part` (run again to resume);
 * - with an expected sha256 the whole file is hashed at the end; a mismatch deletes the `.part` (resuming
 *   corrupt bytes cannot help) and names the expected and actual digests;
 * - only a complete, verified file is renamed to its final name.
 * Every failure is a one-line UserError naming the URL or file.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { UserError, describeError } from '../common/errors.ts';
import { describeWriteError } from '../node/atomicWrite.ts';

export interface DownloadOptions {
  /** Expected sha256 (hex); omitted = not checked (the caller says so). */
  readonly sha256?: string;
  /** Expected MD5 (hex), for publishers that give only that (Meta's SAM checkpoints). */
  readonly md5?: string;
  /** Called as bytes arrive; `total` is undefined when the server does not say. */
  readonly onProgress?: (done: number, total: number | undefined) => void;
  readonly signal?: AbortSignal;
}

export interface DownloadResult {
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly md5: string;
  /** Bytes that were already in `<file>.part` and were not fetched again. */
  readonly resumedFrom: number;
}

/** Errors of a machine that cannot reach the network at all (DNS or routing), as Node names them. */
const OFFLINE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN']);

/** The URL without credentials or query (tokens), for messages. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return url;
  }
}

async function sizeOf(file: string): Promise<number> {
  return stat(file).then(
    (s) => s.size,
    () => 0,
  );
}

function contentRangeTotal(header: string | null): number | undefined {
  const match = header ? /\/(\d+)\s*$/.exec(header) : null;
  return match ? Number(match[1]) : undefined;
}

export async function downloadFile(
  url: string,
  file: string,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  const shown = displayUrl(url);
  const part = `${file}.part`;
  let offset = await sizeOf(part);
  let response: Response;
  try {
    response = await fetch(url, {
      headers: offset > 0 ? { Range: `bytes=${offset}-` } : {},
      redirect: 'follow',
      signal: options.signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw new UserError(`download ${shown}: cancelled`, { cause: error });
    const cause = (error as { cause?: unknown }).cause;
    const code = (cause as { code?: unknown } | undefined)?.code;
    const hint = typeof code === 'string' && OFFLINE_CODES.has(code) ? ' (no network connection?)' : '';
    throw new UserError(`download ${shown}: ${describeError(cause ?? error)}${hint}`, { cause: error });
  }

  let total: number | undefined;
  if (response.status === 416 && offset > 0) {
    // Nothing left to fetch: the .part may already be the whole file.
    await response.body?.cancel();
    total = contentRangeTotal(response.headers.get('content-range'));
    if (total !== offset) {
      await rm(part, { force: true });
      return downloadFile(url, file, options);
    }
  } else if (!response.ok) {
    await response.body?.cancel();
    throw new UserError(
      `download ${shown}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
    );
  } else {
    if (response.status !== 206) offset = 0; // the server sent the whole file: start over
    const length = Number(response.headers.get('content-length') ?? NaN);
    total =
      response.status === 206
        ? (contentRangeTotal(response.headers.get('content-range')) ?? offset + length)
        : Number.isFinite(length)
          ? length
          : undefined;
    await receive(response, part, offset, total, shown, options);
  }

  const received = await sizeOf(part);
  if (total !== undefined && received !== total) {
    throw new UserError(
      `download ${shown}: the transfer stopped after ${received} of ${total} bytes; run the same command again to resume`,
    );
  }
  const { sha256, md5 } = await digests(part);
  for (const [kind, expected, actual] of [
    ['sha256', options.sha256, sha256],
    ['md5', options.md5, md5],
  ] as const) {
    if (expected && actual !== expected.toLowerCase()) {
      await rm(part, { force: true });
      throw new UserError(
        `download ${shown}: checksum mismatch: expected ${kind} ${expected.toLowerCase()}, got ${actual} ` +
          `(${received} bytes; the corrupt download was deleted)`,
      );
    }
  }
  try {
    await rename(part, file);
  } catch (error) {
    throw new UserError(`cannot write ${file}: ${describeWriteError(error)}`, { cause: error });
  }
  return { file, bytes: received, sha256, md5, resumedFrom: response.status === 206 ? offset : 0 };
}

/**
 * A file already downloaded to `file` (not `.part`: complete) by an earlier run, as a result, when it matches the
 * expected checksums; a mismatching one is deleted (undefined: download it again), as is nothing else.
 */
export async function completedDownload(
  file: string,
  expected: Pick<DownloadOptions, 'sha256' | 'md5'>,
): Promise<DownloadResult | undefined> {
  const bytes = await stat(file).then(
    (s) => (s.isFile() ? s.size : undefined),
    () => undefined,
  );
  if (bytes === undefined) return undefined;
  const { sha256, md5 } = await digests(file);
  if (
    (expected.sha256 && expected.sha256.toLowerCase() !== sha256) ||
    (expected.md5 && expected.md5.toLowerCase() !== md5)
  ) {
    await rm(file, { force: true });
    return undefined;
  }
  return { file, bytes, sha256, md5, resumedFrom: bytes };
}

/** sha256 and MD5 of a file in one read. */
async function digests(file: string): Promise<{ sha256: string; md5: string }> {
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  for await (const chunk of createReadStream(file, { highWaterMark: 4 * 1024 * 1024 })) {
    sha256.update(chunk as Buffer);
    md5.update(chunk as Buffer);
  }
  return { sha256: sha256.digest('hex'), md5: md5.digest('hex') };
}

async function receive(
  response: Response,
  part: string,
  offset: number,
  total: number | undefined,
  shown: string,
  options: DownloadOptions,
): Promise<void> {
  let handle;
  try {
    handle = await open(part, offset > 0 ? 'a' : 'w');
  } catch (error) {
    await response.body?.cancel();
    throw new UserError(`cannot write ${part}: ${describeWriteError(error)}`, { cause: error });
  }
  let done = offset;
  options.onProgress?.(done, total);
  try {
    if (!response.body) return;
    const reader = response.body.getReader();
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (error) {
        // The connection closed early (undici: "terminated"); what arrived stays in .part for a resume.
        const got = done;
        throw new UserError(
          `download ${shown}: the transfer stopped after ${got}${total !== undefined ? ` of ${total}` : ''} bytes ` +
            `(${describeError((error as { cause?: unknown }).cause ?? error)}); run the same command again to resume`,
          { cause: error },
        );
      }
      if (chunk.done) break;
      try {
        await handle.write(chunk.value);
      } catch (error) {
        await reader.cancel().catch(() => undefined);
        throw new UserError(`cannot write ${part}: ${describeWriteError(error)}`, { cause: error });
      }
      done += chunk.value.byteLength;
      options.onProgress?.(done, total);
    }
  } finally {
    await handle.close();
  }
}
