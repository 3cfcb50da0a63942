/**
 * Serve mode against the attacks of issue 18, over real sockets: API calls need the token in the header (a
 * cookie or query token alone is refused) and are refused from any other origin; the cookie is per port; no
 * request line kills the server; bodies are capped by method and by concurrency, and checked before reading.
 */
import net from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PATH, THUMB_PATH, TOKEN_HEADER } from '../../electron/common/bridge.ts';
import { decodeWire, encodeWire } from '../../electron/common/wire.ts';
import type { CategoryItem } from '../../electron/ipc/contract.ts';
import { FOREIGN_REFUSED, type RunningServer, startServer } from '../../electron/serve/server.ts';
import { AppBackend } from '../../electron/services/appBackend.ts';

let tmp: string;
let backend: AppBackend;
let server: RunningServer;
let base: string;
let port: number;
/** `name=value` of the cookie the printed URL sets. */
let pageCookie: string;

const MiB = 1024 * 1024;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'sam-serve-security-'));
  const rendererDir = path.join(tmp, 'renderer');
  await mkdir(rendererDir);
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>SAM Annotate</title>');
  // No modelDir: nothing here needs the model.
  backend = new AppBackend({ mode: 'serve', dataDir: path.join(tmp, 'data') });
  await backend.createProject(path.join(tmp, 'p.samproj'));
  server = await startServer({ backend, rendererDir, host: '127.0.0.1', port: 0 });
  base = new URL(server.url).origin;
  port = Number(new URL(server.url).port);
  const page = await fetch(server.url, { headers: { 'sec-fetch-site': 'none' } });
  expect(page.status).toBe(200);
  pageCookie = page.headers.get('set-cookie')!.split(';')[0]!;
}, 60_000);

afterAll(async () => {
  await server?.close();
  await backend?.close();
  await rm(tmp, { recursive: true, force: true });
});

function call(method: string, args: unknown[], headers: Record<string, string>): Promise<Response> {
  return fetch(`${base}${API_PATH}/${method}`, {
    method: 'POST',
    headers,
    body: encodeWire(args) as Uint8Array<ArrayBuffer>,
  });
}

async function categoryNames(): Promise<string[]> {
  const response = await call('listCategories', [], { [TOKEN_HEADER]: server.token });
  expect(response.status).toBe(200);
  const categories = decodeWire(new Uint8Array(await response.arrayBuffer())) as CategoryItem[];
  return categories.map((c) => c.name);
}

/** The server still answers an ordinary API call (it did not die, and is not stuck). */
async function expectAlive(): Promise<void> {
  const response = await call('appInfo', [], { [TOKEN_HEADER]: server.token });
  expect(response.status).toBe(200);
}

interface RawExchange {
  readonly socket: net.Socket;
  /** Resolves once the first status line other than 100 Continue has arrived. */
  readonly answered: Promise<number>;
  /** Resolves once the server sent 100 Continue. */
  readonly continued: Promise<void>;
  /** Everything received, once the connection closed (or failed): status undefined = closed without a reply. */
  readonly closed: Promise<{ status: number | undefined; text: string }>;
}

/** A request written byte for byte (fetch would normalise the request line). */
function raw(head: string): RawExchange {
  const socket = net.connect(port, '127.0.0.1');
  let text = '';
  let onAnswer!: (status: number) => void;
  let onContinue!: () => void;
  const answered = new Promise<number>((resolve) => (onAnswer = resolve));
  const continued = new Promise<void>((resolve) => (onContinue = resolve));
  const finalStatus = () => {
    const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
    return statuses.find((s) => s !== 100);
  };
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
    if (/HTTP\/1\.1 100/.test(text)) onContinue();
    const status = finalStatus();
    if (status !== undefined) onAnswer(status);
  });
  const closed = new Promise<{ status: number | undefined; text: string }>((resolve) => {
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ status: finalStatus(), text }));
  });
  socket.write(head, 'latin1');
  return { socket, answered, continued, closed };
}

const hostLine = () => `Host: 127.0.0.1:${port}\r\n`;

describe('serve mode refuses other origins (issue 18)', () => {
  it('refuses an API call carrying the cookie or the query token but not the header', async () => {
    expect((await call('addCategory', [{ name: 'by-cookie' }], { cookie: pageCookie })).status).toBe(403);
    const query = await fetch(`${base}${API_PATH}/addCategory?token=${server.token}`, {
      method: 'POST',
      body: encodeWire([{ name: 'by-query' }]) as Uint8Array<ArrayBuffer>,
    });
    expect(query.status).toBe(403);
    expect(await categoryNames()).toEqual([]);
  });

  it('refuses an API call from another origin even with the header', async () => {
    const token = { [TOKEN_HEADER]: server.token };
    const refused = [
      { ...token, origin: `http://127.0.0.1:${port + 1}` },
      { ...token, origin: 'null' },
      { ...token, 'sec-fetch-site': 'same-site' },
      { ...token, 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of refused) {
      const response = await call('addCategory', [{ name: 'foreign' }], headers);
      expect(response.status).toBe(403);
      expect(await response.text()).not.toContain('foreign');
    }
    expect(await categoryNames()).toEqual([]);
    const own = await call('addCategory', [{ name: 'own' }], {
      ...token,
      origin: base,
      'sec-fetch-site': 'same-origin',
    });
    expect(own.status).toBe(200);
    expect(await categoryNames()).toEqual(['own']);
  });

  it('answers nothing but the printed URL to another site: pages, images, events', async () => {
    for (const site of ['same-site', 'cross-site']) {
      for (const target of ['/', `${THUMB_PATH}/1`, '/api/events']) {
        const response = await fetch(`${base}${target}?token=${server.token}`, {
          headers: { 'sec-fetch-site': site, cookie: pageCookie },
        });
        expect(response.status).toBe(403);
        expect(await response.text()).toBe(FOREIGN_REFUSED);
      }
    }
    const foreign = await fetch(`${base}/?token=${server.token}`, {
      headers: { origin: 'http://evil.example' },
    });
    expect(foreign.status).toBe(403);
    // Typed in the address bar, and the page's own later requests.
    expect((await fetch(server.url, { headers: { 'sec-fetch-site': 'none' } })).status).toBe(200);
    const again = await fetch(`${base}/`, {
      headers: { 'sec-fetch-site': 'same-origin', cookie: pageCookie },
    });
    expect(again.status).toBe(200);
  });

  it('names the cookie after the port, and the cookie opens the page only', async () => {
    const page = await fetch(server.url);
    const setCookie = page.headers.get('set-cookie')!;
    expect(setCookie).toMatch(new RegExp(`^sam_token_${port}=[^;]+; HttpOnly; SameSite=Strict; Path=/`));
    // Another local server gets the cookie too (cookies are not per port): it must not be the API token.
    expect(setCookie).not.toContain(server.token);
    expect((await fetch(`${base}${THUMB_PATH}/1`, { headers: { cookie: pageCookie } })).status).toBe(403);
  });
});

describe('serve mode survives any request (issue 18)', () => {
  const lines = [
    ['GET ///', ''],
    ['GET //%zz', ''],
    ['GET http://a:99999/', ''],
    ['GET /%E0%A4%A', 'cookie'],
    ['GET /?token=%zz', ''],
    ['GET /', 'bad cookie'],
    ['GET \\\\', ''],
  ] as const;
  for (const [line, extra] of lines) {
    it(`answers "${line}"${extra ? ` with ${extra}` : ''} with an error, then still serves`, async () => {
      const cookie =
        extra === 'cookie'
          ? `Cookie: ${pageCookie}\r\n`
          : extra === 'bad cookie'
            ? `Cookie: sam_token=%zz; sam_token_${port}=%zz\r\n`
            : '';
      const { status } = await raw(`${line} HTTP/1.1\r\n${hostLine()}${cookie}Connection: close\r\n\r\n`)
        .closed;
      if (status !== undefined) expect(status).toBeGreaterThanOrEqual(400);
      await expectAlive();
    });
  }

  it('answers a garbage request line with 400, then still serves', async () => {
    const { status } = await raw('\u0001\u0002 nonsense\r\n\r\n').closed;
    if (status !== undefined) expect(status).toBe(400);
    await expectAlive();
  });
});

describe('serve mode caps request bodies (issue 18)', () => {
  const apiHead = (method: string, headers: string) =>
    `POST ${API_PATH}/${method} HTTP/1.1\r\n${hostLine()}${headers}Connection: close\r\n\r\n`;
  const token = () => `${TOKEN_HEADER}: ${server.token}\r\n`;

  it('refuses a body larger than the method allows by its content-length, without waiting for it', async () => {
    for (const [method, length] of [
      ['addCategory', 2 * MiB],
      ['addAnnotation', 65 * MiB],
      ['addCategory', 2 ** 31],
    ] as const) {
      const exchange = raw(apiHead(method, `${token()}Content-Length: ${length}\r\n`));
      expect(await exchange.answered).toBe(413);
      exchange.socket.destroy();
    }
    await expectAlive();
  });

  it('stops reading a chunked body once it passes the limit', async () => {
    const exchange = raw(apiHead('addCategory', `${token()}Transfer-Encoding: chunked\r\n`));
    let status: number | undefined;
    void exchange.answered.then((s) => (status = s));
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const frame = Buffer.concat([
      Buffer.from(`${chunk.length.toString(16)}\r\n`),
      chunk,
      Buffer.from('\r\n'),
    ]);
    let sent = 0;
    while (status === undefined && sent < 64 * MiB && exchange.socket.writable) {
      if (!exchange.socket.write(frame))
        await Promise.race([new Promise((r) => exchange.socket.once('drain', r)), exchange.closed]);
      sent += chunk.length;
    }
    exchange.socket.destroy();
    expect(await exchange.answered).toBe(413);
    // Socket buffers hold a few MB at most; the server read no more than its 1 MiB cap plus those.
    expect(sent).toBeLessThan(16 * MiB);
    await expectAlive();
  });

  it('takes a COCO file of several MiB for "Import labels…" (only its categories are used)', async () => {
    const annotations = Array.from({ length: 40_000 }, (_, i) => ({
      id: i + 1,
      image_id: 1,
      category_id: 7,
      bbox: [i % 500, 10, 20, 30],
      area: 600,
      iscrowd: 0,
    }));
    const coco = JSON.stringify({ images: [], annotations, categories: [{ id: 7, name: 'big-coco-cat' }] });
    expect(coco.length).toBeGreaterThan(2 * MiB);
    const response = await call('importCategories', [coco, 'instances.json'], {
      [TOKEN_HEADER]: server.token,
    });
    expect(response.status).toBe(200);
    expect(await categoryNames()).toContain('big-coco-cat');
  });

  it('answers an unauthenticated POST before its body arrives', async () => {
    for (const credentials of ['', `Cookie: ${pageCookie}\r\n`]) {
      const exchange = raw(apiHead('addCategory', `${credentials}Content-Length: ${100 * MiB}\r\n`));
      expect(await exchange.answered).toBe(403);
      exchange.socket.destroy();
    }
    const query = raw(
      `POST ${API_PATH}/addCategory?token=${server.token} HTTP/1.1\r\n${hostLine()}Content-Length: ${100 * MiB}\r\nConnection: close\r\n\r\n`,
    );
    expect(await query.answered).toBe(403);
    query.socket.destroy();
    await expectAlive();
  });

  it('takes two large bodies at once and refuses a third with 503', async () => {
    const length = 8 * MiB;
    const large = () =>
      raw(apiHead('addAnnotation', `${token()}Content-Length: ${length}\r\nExpect: 100-continue\r\n`));
    const first = large();
    const second = large();
    // 100 Continue: the server has admitted the request (and taken a slot for its body).
    await first.continued;
    await second.continued;
    const third = large();
    expect(await third.answered).toBe(503);
    third.socket.destroy();
    for (const exchange of [first, second]) exchange.socket.write(Buffer.alloc(length));
    // Zeros are not a wire message: refused as a bad request once read, and the slots are free again.
    expect(await first.answered).toBe(400);
    expect(await second.answered).toBe(400);
    const fourth = raw(apiHead('addAnnotation', `${token()}Content-Length: ${length}\r\n`));
    fourth.socket.write(Buffer.alloc(length));
    expect(await fourth.answered).toBe(400);
    await expectAlive();
  });
});
