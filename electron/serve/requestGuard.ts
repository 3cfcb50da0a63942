/**
 * Serve mode's request checks (issue 18), decided from the request line and headers before any body is read:
 * the request target, the origin it comes from, the credentials it carries, and how big a body it may send.
 */
import { timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import type { AppMethod } from '../ipc/contract.ts';

export interface RequestTarget {
  /** Still percent-encoded. */
  readonly pathname: string;
  readonly query: URLSearchParams;
}

/**
 * The request target as a path and query, or undefined when it is not a plain path: absolute URLs
 * (`http://a:99999/`), scheme-relative ones (`//host`), anything `URL` refuses. Never throws.
 */
export function parseTarget(raw: string | undefined): RequestTarget | undefined {
  if (!raw?.startsWith('/') || raw.startsWith('//')) return undefined;
  try {
    const url = new URL(`http://serve.invalid${raw}`);
    return { pathname: url.pathname, query: url.searchParams };
  } catch {
    return undefined;
  }
}

/**
 * Whether a browser sent this request on behalf of another origin. Another port of 127.0.0.1 is "same-site", so
 * SameSite=Strict cookies reach us from it: only `Sec-Fetch-Site` and `Origin` tell. Requests without them (curl,
 * Node's fetch, old browsers) pass here; the token still guards them.
 */
export function isForeignRequest(request: http.IncomingMessage): boolean {
  const site = request.headers['sec-fetch-site'];
  // 'none': typed in the address bar or opened from outside a page (the printed URL).
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = request.headers.origin;
  return origin !== undefined && origin !== `http://${request.headers.host ?? ''}`;
}

/** Constant-time comparison of a presented secret. */
export function sameSecret(given: string | undefined, secret: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A cookie's value as sent (not decoded: our values are base64url); undefined if absent. */
export function cookieValue(request: http.IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

const MiB = 1024 * 1024;
/** Arguments of most methods are a few small objects. */
export const SMALL_BODY_LIMIT = 1 * MiB;
/**
 * Masks as RLE at full image resolution, annotation and id lists of a whole image or project, or a label file
 * for "Import labels…" (a COCO file carries all its annotations, though only its categories are read).
 */
export const LARGE_BODY_LIMIT = 64 * MiB;
const LARGE_BODY_METHODS: ReadonlySet<AppMethod> = new Set<AppMethod>([
  'addAnnotation',
  'updateAnnotation',
  'restoreAnnotation',
  'swapAnnotations',
  'setAnnotationStatuses',
  'startAutoBatch',
  'importCategories',
]);

export function bodyLimitOf(method: AppMethod): number {
  return LARGE_BODY_METHODS.has(method) ? LARGE_BODY_LIMIT : SMALL_BODY_LIMIT;
}

/** The declared body length: a number, undefined when absent (chunked or no body), NaN when malformed. */
export function declaredLength(request: http.IncomingMessage): number | undefined {
  const header = request.headers['content-length'];
  if (header === undefined) return undefined;
  return /^\d+$/.test(header) ? Number(header) : NaN;
}

/**
 * Admits at most `size` large bodies at once: each holds up to LARGE_BODY_LIMIT in memory until its call answers
 * (issue 18: three concurrent 256 MB bodies doubled the server's memory).
 */
export class BodySlots {
  private used = 0;
  constructor(private readonly size: number) {}

  /** A release function (idempotent), or undefined when all slots are taken. */
  take(): (() => void) | undefined {
    if (this.used >= this.size) return undefined;
    this.used++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used--;
    };
  }
}

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`request body larger than ${limit} bytes`);
  }
}

/**
 * The whole body, or a rejection as soon as it passes `limit` (the rest is not read; answer, then close the
 * connection). Not `for await`: leaving that loop destroys the socket before a 413 can be sent.
 */
export function readBody(request: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stop();
        request.pause();
        reject(new BodyTooLarge(limit));
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    const onClose = () => onError(new Error('connection closed before the request body ended'));
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('close', onClose);
  });
}
