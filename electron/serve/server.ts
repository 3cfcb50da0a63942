/**
 * Serve mode: the renderer and the backend over a loopback HTTP bridge implementing the same contract as
 * Electron IPC (electron/ipc/contract.ts; routes in electron/common/bridge.ts). A random token is required on
 * every request (query parameter once, then an HttpOnly SameSite cookie, or the header); the Host header must
 * name this server, which stops DNS-rebinding pages from reaching it. Binds 127.0.0.1 unless told otherwise.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  API_PATH,
  EVENTS_PATH,
  IMAGE_PATH,
  THUMB_PATH,
  TOKEN_COOKIE,
  TOKEN_HEADER,
  TOKEN_PARAM,
} from '../common/bridge.ts';
import { describeError, isUserError } from '../common/errors.ts';
import { decodeWire, encodeWire, type WireError } from '../common/wire.ts';
import { APP_METHODS, type AppMethod } from '../ipc/contract.ts';
import type { AppBackend } from '../services/appBackend.ts';
import { ThumbnailCache, displayImage } from './images.ts';

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
const MAX_BODY = 256 * 1024 * 1024;
const METHODS = new Set<string>(APP_METHODS);

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookie(request: http.IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

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

function sendError(response: http.ServerResponse, status: number, error: WireError): void {
  send(response, status, 'application/json', JSON.stringify(error));
}

async function readBody(request: http.IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('request too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const thumbs = new ThumbnailCache();
  const listeners = new Set<http.ServerResponse>();
  const unsubscribe = options.backend.onEvent((event) => {
    const data = `data: ${JSON.stringify(event)}\n\n`;
    for (const response of listeners) response.write(data);
  });
  let allowedHosts = new Set<string>();
  // Bound to another interface on purpose (a GPU box for a team): its Host names vary; the token still guards it.
  const loopbackOnly = ['127.0.0.1', 'localhost', '::1'].includes(options.host);

  async function callMethod(method: AppMethod, request: http.IncomingMessage, response: http.ServerResponse) {
    try {
      const args = decodeWire(await readBody(request));
      if (!Array.isArray(args)) throw new Error('arguments must be an array');
      const fn = options.backend[method] as (...a: unknown[]) => unknown;
      const result = await fn.apply(options.backend, args);
      send(response, 200, 'application/octet-stream', encodeWire(result));
    } catch (error) {
      if (isUserError(error))
        return sendError(response, 400, { message: (error as Error).message, userError: true });
      console.error(`sam-annotate serve: ${method} failed:`, error);
      sendError(response, 500, { message: `${method} failed: ${describeError(error)}`, userError: false });
    }
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

  async function serveStatic(pathname: string, response: http.ServerResponse) {
    const relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname.slice(1));
    const file = path.resolve(options.rendererDir, relative);
    if (!file.startsWith(path.resolve(options.rendererDir) + path.sep))
      return send(response, 403, 'text/plain', 'forbidden');
    try {
      const body = await readFile(file);
      send(response, 200, STATIC_TYPES[path.extname(file)] ?? 'application/octet-stream', body, {
        'cache-control': relative === 'index.html' ? 'no-store' : 'private, max-age=3600',
      });
    } catch {
      send(response, 404, 'text/plain; charset=utf-8', `not found: ${pathname}`);
    }
  }

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (loopbackOnly && !allowedHosts.has(request.headers.host ?? '')) {
      return send(response, 421, 'text/plain; charset=utf-8', 'unexpected Host header');
    }
    const queryToken = url.searchParams.get(TOKEN_PARAM) ?? undefined;
    const given =
      (request.headers[TOKEN_HEADER] as string | undefined) ?? queryToken ?? cookie(request, TOKEN_COOKIE);
    if (!sameToken(given, token)) {
      return send(
        response,
        403,
        'text/plain; charset=utf-8',
        'missing or wrong token: open the URL that sam-annotate serve printed',
      );
    }
    const setCookie = sameToken(queryToken, token)
      ? { 'set-cookie': `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/` }
      : {};
    const { pathname } = url;
    if (pathname.startsWith(`${API_PATH}/`)) {
      const method = pathname.slice(API_PATH.length + 1);
      if (request.method !== 'POST' || !METHODS.has(method))
        return sendError(response, 404, { message: `no method ${method}`, userError: false });
      void callMethod(method as AppMethod, request, response);
      return;
    }
    if (pathname === EVENTS_PATH) {
      response.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      response.write(': connected\n\n');
      listeners.add(response);
      request.on('close', () => listeners.delete(response));
      return;
    }
    for (const [prefix, kind] of [
      [IMAGE_PATH, 'image'],
      [THUMB_PATH, 'thumb'],
    ] as const) {
      if (pathname.startsWith(`${prefix}/`)) {
        void serveFile(kind, Number(pathname.slice(prefix.length + 1)), response);
        return;
      }
    }
    if (request.method !== 'GET') return send(response, 405, 'text/plain', 'method not allowed');
    if (Object.keys(setCookie).length) response.setHeader('set-cookie', setCookie['set-cookie']!);
    void serveStatic(pathname, response);
  });
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
