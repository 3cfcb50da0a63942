/**
 * E2E harness: `sam-annotate serve` in a child process (the real CLI, backend and built renderer) against a
 * temporary folder of images and the fixture model, and Debian's Chromium driven by playwright-core. Screenshots
 * go to test-results/e2e/ (gitignored) to be looked at.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { API_PATH, TOKEN_HEADER, TOKEN_PARAM } from '../../electron/common/bridge.ts';
import { decodeWire, encodeWire } from '../../electron/common/wire.ts';
import { sampleImage } from '../../electron/services/sampleImages.ts';
import { fixturesDir, repoRoot } from '../helpers/paths.ts';

export const SHOTS = path.join(repoRoot, 'test-results', 'e2e');
export const FIXTURE_MODEL = path.join(fixturesDir, 'models', 'tiny-random');
export const CHROMIUM = process.env.SAM_E2E_CHROMIUM ?? '/usr/bin/chromium';

export interface Served {
  readonly url: string;
  readonly dir: string;
  readonly stderr: () => string;
  close(): Promise<void>;
}

/** A folder of `count` generated photos (the sample scenes) in a fresh temporary directory. */
export async function photoFolder(count = 2, width = 640, height = 480): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sam-e2e-'));
  const photos = path.join(dir, 'photos');
  await mkdir(photos);
  for (let i = 0; i < count; i++)
    await writeFile(path.join(photos, `scene-${i + 1}.png`), await sampleImage(i, width, height));
  return photos;
}

/**
 * Start `sam-annotate serve [target]`; resolves with the URL it prints. `model` null = no --model: the default
 * model of `dataDir` (on a fresh one, the built-in demo model).
 */
export async function serve(
  target: string | undefined,
  options: { model?: string | null; dataDir: string; flags?: readonly string[] },
): Promise<Served> {
  const args = ['electron/cli/bin.js', 'serve', ...(target ? [target] : []), '--port', '0'];
  args.push(...(options.flags ?? []));
  if (options.model !== null) args.push('--model', options.model ?? FIXTURE_MODEL);
  args.push('--providers', 'cpu');
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: {
      ...process.env,
      SAM_ANNOTATE_DATA: options.dataDir,
      SAM_ANNOTATE_CACHE: path.join(options.dataDir, 'cache'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`serve printed no URL in 120 s:\n${stderr}`)), 120_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${stderr}`));
    });
  });
  return {
    url,
    dir: options.dataDir,
    stderr: () => stderr,
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

export async function tempDir(prefix = 'sam-e2e-data-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A page that fails the test on uncaught page errors (collected in `errors`). */
export async function newPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text()))
      errors.push(message.text());
  });
  return { page, errors };
}

export async function shot(page: Page, name: string): Promise<void> {
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

/** Screen position of a point given as fractions of the canvas. */
export async function canvasAt(page: Page, fx: number, fy: number): Promise<[number, number]> {
  const box = (await page.getByTestId('canvas').boundingBox())!;
  return [box.x + box.width * fx, box.y + box.height * fy];
}

/** Call the serve bridge as the page does (to read or prepare the store while the project is open there). */
export async function callBridge<T>(served: Served, method: string, ...args: unknown[]): Promise<T> {
  const url = new URL(served.url);
  const response = await fetch(`${url.origin}${API_PATH}/${method}`, {
    method: 'POST',
    headers: { [TOKEN_HEADER]: url.searchParams.get(TOKEN_PARAM)! },
    body: encodeWire(args) as Uint8Array<ArrayBuffer>,
  });
  if (!response.ok) throw new Error(`${method}: HTTP ${response.status} ${await response.text()}`);
  return decodeWire(new Uint8Array(await response.arrayBuffer())) as T;
}

/** What a spec opens in beforeAll and `closeSession` releases in afterAll. */
export interface Session {
  /** The data dir `serve` runs with (SAM_ANNOTATE_DATA): fresh, so no model is installed and no default set. */
  readonly data: string;
  /** A temporary folder of sample images (`photoFolder`), unless `photos: 0`. */
  readonly photos: string | undefined;
  readonly served: Served;
  readonly browser: Browser;
}

export interface SessionOptions {
  /** How many sample images to put in the photo folder (default 2; 0: none). */
  readonly photos?: number;
  /** `serve`'s --model (see `serve`): default the fixture model, null the data dir's default (the demo model). */
  readonly model?: string | null;
  /**
   * Runs before `serve` starts (write input files); returns what `serve` opens. Without it, `serve` opens the
   * photo folder; returning undefined starts at the start screen.
   */
  readonly prepare?: (dirs: { data: string; photos: string | undefined }) => Promise<string | undefined>;
  /** More `serve` flags, e.g. --allow-model-install, or --allow-write for the photos (issue 18). */
  readonly serveFlags?: (dirs: { data: string; photos: string | undefined }) => readonly string[];
}

/** The usual e2e set-up: a fresh data dir, sample photos, `serve`, Chromium. Cleans up itself if a step fails. */
export async function openSession(options: SessionOptions = {}): Promise<Session> {
  const opened: Partial<{ -readonly [K in keyof Session]: Session[K] }> = {};
  try {
    opened.data = await tempDir();
    const count = options.photos ?? 2;
    opened.photos = count > 0 ? await photoFolder(count) : undefined;
    const dirs = { data: opened.data, photos: opened.photos };
    const target = options.prepare ? await options.prepare(dirs) : opened.photos;
    opened.served = await serve(target, {
      dataDir: opened.data,
      flags: options.serveFlags?.(dirs),
      ...(options.model !== undefined ? { model: options.model } : {}),
    });
    opened.browser = await launch();
    return opened as Session;
  } catch (error) {
    await closeSession(opened);
    throw error;
  }
}

export async function closeSession(session: Partial<Session> | undefined): Promise<void> {
  await session?.browser?.close();
  await session?.served?.close();
  if (session?.photos) await removeDir(path.dirname(session.photos));
  if (session?.data) await removeDir(session.data);
}
