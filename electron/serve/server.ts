/**
 * Serve mode: the renderer and the backend over a loopback HTTP bridge implementing the same contract as
 * Electron IPC (electron/ipc/contract.ts; routes in electron/common/bridge.ts). Binds 127.0.0.1 unless told
 * otherwise. Who may ask what (issue 18; the checks are in requestGuard.ts):
 * - nothing from another origin: `Sec-Fetch-Site` other than same-origin/none, or a foreign `Origin`, gets 403;
 * - the Host header must name this server (stops DNS-rebinding pages);
 * - API calls need the random token in the x-sam-token header; images and events take it as a query parameter;
 *   the page's static files also open with a per-port cookie holding another secret, set by the printed URL;
 * - bodies are capped per method and checked before reading; no request can end the process.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  API_PATH,
  DOWNLOAD_PATH,
  EVENTS_PATH,
  IMAGE_PATH,
  THUMB_PATH,
  TOKEN_HEADER,
  TOKEN_PARAM,
  tokenCookie,
} from '../common/bridge.ts';
import { describeError, isUserError } from '../common/errors.ts';
import { decodeWire, encodeWire, type WireError } from '../common/wire.ts';
import { APP_METHODS, type AppMethod, type ExportRequest } from '../ipc/contract.ts';
import type { AppBackend } from '../services/appBackend.ts';
import { ExportDownloads } from './downloads.ts';
import { ThumbnailCache, displayImage } from './images.ts';
import {
  BodySlots,
  BodyTooLarge,
  SMALL_BODY_LIMIT,
  bodyLimitOf,
  cookieValue,
  declaredLength,
  isForeignRequest,
  parseTarget,
  readBody,
  sameSecret,
} from './requestGuard.ts';

export interface ServeOptions {
  readonly backend: AppBackend;
  /** Built renderer (vite output). */
  readonly rendererDir: string;
  readonly host: string;
  /** 0 = any free port. */
  readonly port: number;
  readonly token?: string;
}

export interface RunningServer {
  readonly url: string;
  readonly token: string;
  close(): Promise<void>;
}

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};
const METHODS = new Set<string>(APP_METHODS);
/** Large bodies read at once (each up to LARGE_BODY_LIMIT); more get 503 (issue 18). */
const LARGE_BODIES_AT_ONCE = 2;
const TOKEN_MISSING = 'missing or wrong token: open the URL that sam-annotate serve printed';
/** The same for every refused request from another origin: it tells that page nothing. */
export const FOREIGN_REFUSED =
  'cross-origin request refused: type or paste the URL that sam-annotate serve printed into the address bar';

function send(
  response: http.ServerResponse,
  status: number,
  type: string,
  body: string | Uint8Array,
  headers: http.OutgoingHttpHeaders = {},
): void {
  response.writeHead(status, {
    'content-type': type,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(body);
}

/**
 * Refuse before reading the body, and close the connection afterwards: otherwise Node would read (and discard)
 * whatever body the client still sends, however big, to keep the connection alive.
 */
function refuse(response: http.ServerResponse, status: number, message: string): void {
  send(response, status, 'text/plain; charset=utf-8', message, { connection: 'close' });
}

/** API errors are WireErrors (JSON), which the renderer's client shows. */
function sendError(response: http.ServerResponse, status: number, error: WireError, close = false): void {
  send(response, status, 'application/json', JSON.stringify(error), close ? { connection: 'close' } : {});
}

/** A handler failed unexpectedly: answer 500 if still possible; never let the error reach the process. */
function answerFailure(response: http.ServerResponse, error: unknown): void {
  console.error('sam-annotate serve: request failed:', error);
  if (response.headersSent) response.destroy();
  else refuse(response, 500, 'internal error');
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  // The cookie gets its own secret, good for the renderer's static files only: cookies are not per port, so
  // every other server on this host receives it (issue 18).
  const pageKey = randomBytes(24).toString('base64url');
  const thumbs = new ThumbnailCache();
  const downloads = new ExportDownloads();
  const largeBodies = new BodySlots(LARGE_BODIES_AT_ONCE);
  const listeners = new Set<http.ServerResponse>();
  const unsubscribe = options.backend.onEvent((event) => {
    const data = `data: ${JSON.stringify(event)}\n\n`;
    for (const response of listeners) response.write(data);
  });
  let allowedHosts = new Set<string>();
  let cookieName = '';
  // Bound to another interface on purpose (a GPU box for a team): its Host names vary; the token still guards it.
  const loopbackOnly = ['127.0.0.1', 'localhost', '::1'].includes(options.host);

  /** POST API_PATH/<method>: the token in the header only, body size checked before reading (issue 18). */
  async function handleCall(
    name: string,
    authorized: boolean,
    expectsContinue: boolean,
    request: http.IncomingMessage,
    response: http.ServerResponse,
  ) {
    if (!authorized)
      return sendError(
        response,
        403,
        { message: `API calls need the ${TOKEN_HEADER} header`, userError: false },
        true,
      );
    if (request.method !== 'POST' || !METHODS.has(name))
      return sendError(response, 404, { message: `no method ${name}`, userError: false }, true);
    const method = name as AppMethod;
    const limit = bodyLimitOf(method);
    const length = declaredLength(request);
    if (length !== undefined && !(length <= limit)) {
      const message = `${method}: request body of ${length} bytes is over its limit of ${limit} bytes`;
      return sendError(response, 413, { message, userError: false }, true);
    }
    let release: (() => void) | undefined;
    if (limit > SMALL_BODY_LIMIT && (length === undefined || length > SMALL_BODY_LIMIT)) {
      release = largeBodies.take();
      if (!release) {
        const message = `${method}: too many large requests at once, try again`;
        return sendError(response, 503, { message, userError: false }, true);
      }
    }
    // The slot is held until the answer is sent: the body and its decoded arguments live that long.
    try {
      if (expectsContinue) response.writeContinue();
      await runCall(method, limit, request, response);
    } finally {
      release?.();
    }
  }

  async function runCall(
    method: AppMethod,
    limit: number,
    request: http.IncomingMessage,
    response: http.ServerResponse,
  ) {
    let body: Buffer;
    try {
      body = await readBody(request, limit);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) return response.destroy(); // the client went away mid-body
      const message = `${method}: request body is over its limit of ${limit} bytes`;
      return sendError(response, 413, { message, userError: false }, true);
    }
    let args: unknown;
    try {
      args = decodeWire(body);
      if (!Array.isArray(args)) throw new Error('arguments must be an array');
    } catch (error) {
      const message = `${method}: the request body is not a wire-encoded argument list (${describeError(error)})`;
      return sendError(response, 400, { message, userError: false });
    }
    try {
      const fn = options.backend[method] as (...a: unknown[]) => unknown;
      let result = await fn.apply(options.backend, args);
      // The browser cannot read the server's disk: offer what this export wrote, by a random id (issue 17).
      if (method === 'exportProject')
        result = { ...(result as object), downloadId: downloads.register((args[0] as ExportRequest).out) };
      send(response, 200, 'application/octet-stream', encodeWire(result));
    } catch (error) {
      if (isUserError(error))
        return sendError(response, 400, { message: (error as Error).message, userError: true });
      console.error(`sam-annotate serve: ${method} failed:`, error);
      sendError(response, 500, { message: `${method} failed: ${describeError(error)}`, userError: false });
    }
  }

  function openEvents(request: http.IncomingMessage, response: http.ServerResponse) {
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    response.write(': connected\n\n');
    listeners.add(response);
    request.on('close', () => listeners.delete(response));
  }

  async function serveFile(kind: 'image' | 'thumb', id: number, response: http.ServerResponse) {
    try {
      const file = options.backend.imageFile(id);
      const { type, body } = kind === 'image' ? await displayImage(file) : await thumbs.get(file);
      send(response, 200, type, body, { 'cache-control': 'private, max-age=60' });
    } catch (error) {
      send(response, 404, 'text/plain; charset=utf-8', describeError(error));
    }
  }

  async function serveDownload(id: string, response: http.ServerResponse) {
    try {
      const headers = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };
      if (!(await downloads.send(id, response, headers)))
        send(response, 404, 'text/plain; charset=utf-8', 'no such export (export again to download it)');
    } catch (error) {
      if (response.headersSent) return response.destroy();
      send(response, 404, 'text/plain; charset=utf-8', describeError(error));
    }
  }

  async function serveStatic(
    pathname: string,
    response: http.ServerResponse,
    headers: http.OutgoingHttpHeaders,
  ) {
    let relative: string;
    try {
      relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname.slice(1));
    } catch {
      return refuse(response, 400, 'bad escape in the path');
    }
    const file = path.resolve(options.rendererDir, relative);
    if (!file.startsWith(path.resolve(options.rendererDir) + path.sep))
      return send(response, 403, 'text/plain', 'forbidden');
    try {
      const body = await readFile(file);
      send(response, 200, STATIC_TYPES[path.extname(file)] ?? 'application/octet-stream', body, {
        'cache-control': relative === 'index.html' ? 'no-store' : 'private, max-age=3600',
        ...headers,
      });
    } catch {
      send(response, 404, 'text/plain; charset=utf-8', `not found: ${pathname}`);
    }
  }

  /** Every check runs on the request line and headers, before any body is read (issue 18). */
  async function handle(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    expectsContinue: boolean,
  ) {
    const target = parseTarget(request.url);
    if (!target) return refuse(response, 400, 'bad request target');
    if (loopbackOnly && !allowedHosts.has(request.headers.host ?? ''))
      return refuse(response, 421, 'unexpected Host header');
    if (isForeignRequest(request)) return refuse(response, 403, FOREIGN_REFUSED);
    const header = request.headers[TOKEN_HEADER];
    const byHeader = sameSecret(typeof header === 'string' ? header : undefined, token);
    const { pathname, query } = target;
    if (pathname.startsWith(`${API_PATH}/`))
      return handleCall(pathname.slice(API_PATH.length + 1), byHeader, expectsContinue, request, response);
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return refuse(response, 405, 'method not allowed');
    // <img> and EventSource cannot send headers: the renderer puts the token in their URLs.
    const byQuery = sameSecret(query.get(TOKEN_PARAM) ?? undefined, token);
    const byCookie = sameSecret(cookieValue(request, cookieName), pageKey);
    if (pathname === EVENTS_PATH) {
      if (!byHeader && !byQuery) return refuse(response, 403, TOKEN_MISSING);
      return openEvents(request, response);
    }
    for (const [prefix, kind] of [
      [IMAGE_PATH, 'image'],
      [THUMB_PATH, 'thumb'],
    ] as const) {
      if (pathname.startsWith(`${prefix}/`)) {
        if (!byHeader && !byQuery) return refuse(response, 403, TOKEN_MISSING);
        return serveFile(kind, Number(pathname.slice(prefix.length + 1)), response);
      }
    }
    if (pathname.startsWith(`${DOWNLOAD_PATH}/`)) {
      if (!byHeader && !byQuery) return refuse(response, 403, TOKEN_MISSING);
      return serveDownload(pathname.slice(DOWNLOAD_PATH.length + 1), response);
    }
    if (!byHeader && !byQuery && !byCookie) return refuse(response, 403, TOKEN_MISSING);
    const setCookie = byQuery
      ? { 'set-cookie': `${cookieName}=${pageKey}; HttpOnly; SameSite=Strict; Path=/` }
      : {};
    return serveStatic(pathname, response, setCookie);
  }

  // No request may end the process (issue 18): every failure becomes an answer.
  const onRequest = (
    request: http.IncomingMessage,
    response: http.ServerResponse,
    expectsContinue = false,
  ) => {
    handle(request, response, expectsContinue).catch((error: unknown) => answerFailure(response, error));
  };
  const server = http.createServer((request, response) => onRequest(request, response));
  // Checked like any request before the client is told to send its body.
  server.on('checkContinue', (request: http.IncomingMessage, response: http.ServerResponse) =>
    onRequest(request, response, true),
  );
  // Keep idle SSE connections alive through proxies and detect dead peers.
  const keepAlive = setInterval(() => {
    for (const response of listeners) response.write(': keep-alive\n\n');
  }, 25_000);
  keepAlive.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const hostName = options.host.includes(':') ? `[${options.host}]` : options.host;
  allowedHosts = new Set([`${hostName}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`]);
  cookieName = tokenCookie(port);
  return {
    url: `http://${hostName}:${port}/?${TOKEN_PARAM}=${token}`,
    token,
    close: async () => {
      clearInterval(keepAlive);
      unsubscribe();
      for (const response of listeners) response.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
