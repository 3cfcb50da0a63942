/**
 * Serve mode's limits on what a client can make the server do (issue 18): it writes only inside the allowed
 * folders (the open project's, the data folder, the folder serve was started on, --allow-write DIRs), and it
 * installs models from URLs or server folders only when started with --allow-model-install. Refusals are
 * UserErrors naming the path and the flag, and nothing is written. The desktop app (no limits) is unaffected.
 */
import { copyFile, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PATH, TOKEN_HEADER } from '../../electron/common/bridge.ts';
import { decodeWire, encodeWire } from '../../electron/common/wire.ts';
import { type RunningServer, startServer } from '../../electron/serve/server.ts';
import { AppBackend } from '../../electron/services/appBackend.ts';
import { fixturesDir } from '../helpers/paths.ts';

const tiny = path.join(fixturesDir, 'models', 'tiny-random');
let tmp: string;
let images: string;
let outside: string;
let extra: string;
let confined: AppBackend;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'sam-limits-'));
  images = path.join(tmp, 'photos');
  outside = path.join(tmp, 'elsewhere');
  extra = path.join(tmp, 'exports');
  await Promise.all([mkdir(images), mkdir(outside), mkdir(extra)]);
  await copyFile(path.join(fixturesDir, 'reference', 'wide.png'), path.join(images, 'wide.png'));
  // A symlink inside the project's folder that leads out of it.
  await symlink(outside, path.join(images, 'link-out'));
  confined = new AppBackend({
    mode: 'serve',
    dataDir: path.join(tmp, 'data'),
    limits: { allowModelInstall: false, writeRoots: [images, extra] },
  });
  await confined.createProject(path.join(images, 'p.samproj'), images);
}, 60_000);

afterAll(async () => {
  await confined?.close();
  await rm(tmp, { recursive: true, force: true });
});

const refusal = (target: string) =>
  new RegExp(
    `^${target.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: this server may not write there.*--allow-write DIR`,
  );

describe('serve mode: writes only inside the allowed folders', () => {
  it('refuses exports, the statistics CSV and new projects outside, writing nothing', async () => {
    const targets = {
      coco: path.join(outside, 'deep', 'coco.json'),
      png: path.join(outside, 'png'),
      csv: path.join(outside, 'stats.csv'),
      viaLink: path.join(images, 'link-out', 'coco.json'),
      climb: path.join(images, '..', 'elsewhere', 'x.csv'),
      project: path.join(outside, 'new.samproj'),
    };
    await expect(confined.exportProject({ format: 'coco', out: targets.coco })).rejects.toThrow(
      refusal(targets.coco),
    );
    await expect(confined.exportProject({ format: 'png', out: targets.png })).rejects.toThrow(
      refusal(targets.png),
    );
    await expect(confined.exportProject({ format: 'coco', out: targets.viaLink })).rejects.toThrow(
      refusal(targets.viaLink),
    );
    await expect(confined.exportStatsCsv(targets.csv)).rejects.toThrow(refusal(targets.csv));
    await expect(confined.exportStatsCsv(targets.climb)).rejects.toThrow(refusal(targets.climb));
    await expect(confined.createProject(targets.project, images)).rejects.toThrow(refusal(targets.project));
    expect(await readdir(outside)).toEqual([]);
    // The project stays open.
    expect(confined.currentProject()?.file).toBe(path.join(images, 'p.samproj'));
  });

  it('refuses opening a project outside (opening writes its lock note and journal)', async () => {
    const file = path.join(outside, 'q.samproj');
    await expect(confined.openProject(file)).rejects.toThrow(refusal(file));
    expect(await readdir(outside)).toEqual([]);
  });

  it('the normal flows still work: export beside the project, into --allow-write DIRs, the sample project', async () => {
    const besides = path.join(images, 'p-coco.json');
    expect((await confined.exportProject({ format: 'coco', out: besides })).message).toMatch(/^wrote/);
    expect(existsSync(besides)).toBe(true);
    const yolo = path.join(extra, 'yolo');
    await confined.exportProject({ format: 'yolo', out: yolo });
    expect(existsSync(yolo)).toBe(true);
    const csv = path.join(extra, 'stats', 'p.csv');
    await confined.exportStatsCsv(csv);
    expect(existsSync(csv)).toBe(true);
    const sample = await confined.createSampleProject();
    expect(sample.file.startsWith(path.join(tmp, 'data'))).toBe(true);
    // …whose folder is now the open project's, so writing beside it is allowed.
    await confined.exportStatsCsv(path.join(path.dirname(sample.file), 'sample.csv'));
    await confined.openProject(path.join(images, 'p.samproj'));
  });
});

describe('serve mode: model installs from URLs or server folders need --allow-model-install', () => {
  it('refuses URL installs and adding a server folder, saying how to enable them', async () => {
    await expect(
      confined.installModel({
        urls: ['http://127.0.0.1:9/encoder.onnx', 'http://127.0.0.1:9/decoder.onnx'],
        name: 'x',
      }),
    ).rejects.toThrow(/installing models from URLs is turned off on this server.*--allow-model-install/);
    await expect(confined.addModelFolder({ dir: tiny })).rejects.toThrow(
      /adding a model folder of the server is turned off on this server.*--allow-model-install/,
    );
    expect((await confined.listModels()).installed.map((m) => m.name)).not.toContain('tiny-random');
    expect(confined.appInfo().allowModelInstall).toBe(false);
  });

  it("a catalog model by its id is still allowed (its URLs are the app's own)", async () => {
    const catalog = (await confined.listModels()).catalog[0]!;
    const status = await confined.installModel({ catalogName: catalog.name, name: 'from-catalog' });
    expect(status.state).toBe('running');
    confined.cancelModelInstall();
    await confined.modelInstallSettled();
  });

  it('with the flag (or in the desktop app) they work', async () => {
    const open = new AppBackend({
      mode: 'serve',
      dataDir: path.join(tmp, 'data-open'),
      limits: { allowModelInstall: true, writeRoots: [] },
    });
    const desktop = new AppBackend({ mode: 'electron', dataDir: path.join(tmp, 'data-desktop') });
    try {
      expect(open.appInfo().allowModelInstall).toBe(true);
      expect(desktop.appInfo().allowModelInstall).toBe(true);
      expect((await open.addModelFolder({ dir: tiny })).name).toBe('tiny-random');
      expect((await desktop.addModelFolder({ dir: tiny })).name).toBe('tiny-random');
    } finally {
      await open.close();
      await desktop.close();
    }
  });
});

describe('the desktop app is not confined', () => {
  it('writes where its user picked', async () => {
    const desktop = new AppBackend({ mode: 'electron', dataDir: path.join(tmp, 'data-desktop2') });
    try {
      await desktop.createProject(path.join(outside, 'desk.samproj'), images);
      await desktop.exportStatsCsv(path.join(outside, 'desk.csv'));
      expect(existsSync(path.join(outside, 'desk.csv'))).toBe(true);
    } finally {
      await desktop.close();
      await rm(outside, { recursive: true, force: true });
      await mkdir(outside);
    }
  });
});

describe('through the HTTP bridge', () => {
  let server: RunningServer;
  let rendererDir: string;
  beforeAll(async () => {
    rendererDir = path.join(tmp, 'renderer');
    await mkdir(rendererDir);
    await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>SAM Annotate</title>');
    server = await startServer({ backend: confined, rendererDir, host: '127.0.0.1', port: 0 });
  });
  afterAll(() => server?.close());

  async function call(method: string, args: unknown[]) {
    const response = await fetch(`${new URL(server.url).origin}${API_PATH}/${method}`, {
      method: 'POST',
      headers: { [TOKEN_HEADER]: server.token },
      body: encodeWire(args) as Uint8Array<ArrayBuffer>,
    });
    return {
      ok: response.ok,
      body: response.ok
        ? decodeWire(new Uint8Array(await response.arrayBuffer()))
        : ((await response.json()) as { message: string }),
    };
  }

  it('a client asking to write outside gets the one-line refusal, and nothing is written', async () => {
    const target = path.join(outside, 'evil.csv');
    const reply = await call('exportStatsCsv', [target]);
    expect(reply.ok).toBe(false);
    expect((reply.body as { message: string }).message).toMatch(refusal(target));
    expect(existsSync(target)).toBe(false);
    const allowed = path.join(extra, 'ok.csv');
    expect((await call('exportStatsCsv', [allowed])).ok).toBe(true);
    expect(existsSync(allowed)).toBe(true);
  });
});
