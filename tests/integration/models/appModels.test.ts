/**
 * The model manager in the app's backend (AppBackend + services/modelManager.ts), as the Models panel calls it:
 * list, add a folder (in place or copied), use (the loaded model switches and becomes the default), remove (not
 * the model in use, not the built-in), and installs from a local HTTP server on 127.0.0.1 serving the fixture
 * ONNX pair — progress events by phase, a checksum mismatch, a refused server, one install at a time, cancel.
 * Everything lives in a temporary data folder; a copy of the fixture model stands in for the built-in one.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileHashCache } from '../../../electron/inference/fileHash.ts';
import type { AppEvent, ModelInstallStatus } from '../../../electron/ipc/contract.ts';
import { CATALOG } from '../../../electron/models/catalog.ts';
import { ModelRegistry } from '../../../electron/models/registry.ts';
import { AppBackend } from '../../../electron/services/appBackend.ts';
import { fixturesDir } from '../../helpers/paths.ts';

const tiny = path.join(fixturesDir, 'models', 'tiny-random');
const encoder = readFileSync(path.join(tiny, 'encoder.onnx'));
const decoder = readFileSync(path.join(tiny, 'decoder.onnx'));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let tmp: string;
let data: string;
let builtin: string;
let backend: AppBackend;
let server: Server;
let base = '';
const events: AppEvent[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'sam-app-models-'));
  data = path.join(tmp, 'data');
  builtin = path.join(tmp, 'builtin');
  cpSync(tiny, builtin, { recursive: true });
  backend = new AppBackend({
    mode: 'serve',
    dataDir: data,
    modelDir: builtin,
    inference: { providers: ['cpu'] },
    registry: new ModelRegistry(data, new FileHashCache(), builtin),
  });
  backend.onEvent((event) => events.push(event));

  server = createServer((req, res) => {
    const body =
      req.url === '/m/encoder.onnx' ? encoder : req.url === '/m/decoder.onnx' ? decoder : undefined;
    if (req.url === '/stall/encoder.onnx') {
      // Half the file, then nothing: a download that only a cancel ends.
      res.writeHead(200, { 'Content-Length': encoder.length });
      res.write(encoder.subarray(0, encoder.length >> 1));
      return;
    }
    if (!body) res.writeHead(404).end();
    else res.writeHead(200, { 'Content-Length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await backend?.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  rmSync(tmp, { recursive: true, force: true });
});

const names = async () => (await backend.listModels()).installed.map((m) => m.name);

/** Install and wait for the end; returns the statuses its events carried. */
async function install(
  request: Parameters<AppBackend['installModel']>[0],
): Promise<{ first: ModelInstallStatus; seen: ModelInstallStatus[]; last: ModelInstallStatus }> {
  const from = events.length;
  const first = await backend.installModel(request);
  await backend.modelInstallSettled();
  const seen = events
    .slice(from)
    .flatMap((e) => (e.type === 'model-install' && e.status.id === first.id ? [e.status] : []));
  return { first, seen, last: seen.at(-1)! };
}

describe('the model manager in the app', () => {
  it('lists the built-in model (in use, default) and the catalog with sizes and what it needs', async () => {
    const list = await backend.listModels();
    expect(list.installed).toEqual([
      expect.objectContaining({
        name: 'sam-annotate-demo',
        source: 'builtin',
        layout: 'sam-annotate',
        inputSize: 256,
        inUse: true,
        isDefault: true,
        problem: null,
      }),
    ]);
    expect(list.installed[0]!.bytes).toBeGreaterThan(0);
    expect(list.installed[0]!.capabilities).toEqual({
      maskInput: true,
      box: true,
      singleMaskToken: true,
      singleMask: 'token0',
    });
    // SAM 2.1 (issue 14): Meta's checkpoint (needs Python) and a published ONNX pair (does not).
    expect(list.catalog.find((c) => c.name === 'sam2.1-hiera-tiny')).toMatchObject({
      family: 'sam2.1',
      kind: 'checkpoint',
      needsPython: true,
      license: 'Apache-2.0',
    });
    expect(list.catalog.find((c) => c.name === 'sam2.1-hiera-tiny-onnx')).toMatchObject({
      family: 'sam2.1',
      kind: 'onnx',
      layout: 'sam2-samexporter',
      needsPython: false,
      checksum: 'unverified',
    });
    expect(list.catalog.map((c) => c.name)).toEqual(CATALOG.map((c) => c.name));
    expect(list.catalog.find((c) => c.name === 'sam-vit-b')).toMatchObject({
      kind: 'checkpoint',
      needsPython: true,
      checksum: 'md5',
      license: 'Apache-2.0',
    });
    expect(list.catalog.find((c) => c.name === 'slimsam-77')).toMatchObject({
      kind: 'onnx',
      needsPython: false,
      checksum: 'unverified',
    });
    expect(list.catalog.every((c) => c.approxBytes > 1e6)).toBe(true);
    expect(list.install).toBeNull();
  });

  it('adds a folder, switches to it (loaded, default, reported with its provider) and back', async () => {
    const added = await backend.addModelFolder({ dir: tiny });
    expect(added).toMatchObject({ name: 'tiny-random', source: 'added', dir: tiny, inUse: false });
    // The first real model becomes the default; the app keeps running what it runs until told.
    expect((await backend.modelStatus())?.dir).toBe(builtin);

    const from = events.length;
    const status = await backend.useModel('tiny-random');
    expect(status).toMatchObject({ name: 'tiny-random', dir: tiny, encoderProvider: 'cpu', demo: false });
    expect(await backend.modelStatus()).toEqual(status);
    expect(events.slice(from)).toContainEqual({ type: 'model-changed' });
    const row = (await backend.listModels()).installed.find((m) => m.name === 'tiny-random');
    expect(row).toMatchObject({ inUse: true, isDefault: true });
    expect(JSON.parse(readFileSync(path.join(data, 'models.json'), 'utf8')).default).toBe('tiny-random');

    await expect(backend.removeModel('tiny-random')).rejects.toThrow(
      'tiny-random is the model in use; use another model first, then remove it',
    );
    await expect(backend.removeModel('sam-annotate-demo')).rejects.toThrow(
      'sam-annotate-demo is the built-in demo model; it cannot be removed',
    );
    await expect(backend.useModel('nope')).rejects.toThrow('no model named nope');
    await expect(backend.addModelFolder({ dir: path.join(tmp, 'nowhere') })).rejects.toThrow(/nowhere/);

    expect(await backend.useModel('sam-annotate-demo')).toMatchObject({ dir: builtin });
    expect(await backend.removeModel('tiny-random')).toEqual({
      message: 'removed tiny-random (its folder was left in place)',
    });
    expect(existsSync(path.join(tiny, 'encoder.onnx'))).toBe(true);
    expect(await names()).toEqual(['sam-annotate-demo']);
  });

  it('copies a folder into the data folder, and deletes the copy on remove', async () => {
    const copy = await backend.addModelFolder({ dir: tiny, copy: true, name: 'tiny-copy' });
    expect(copy).toMatchObject({ source: 'installed', dir: path.join(data, 'models', 'tiny-copy') });
    const { message } = await backend.removeModel('tiny-copy');
    expect(message).toBe(`removed tiny-copy (deleted ${copy.dir})`);
    expect(existsSync(copy.dir)).toBe(false);
  });

  it('installs an ONNX pair from URLs with progress: download each file, then check', async () => {
    const urls = [`${base}/m/encoder.onnx`, `${base}/m/decoder.onnx`];
    const { first, seen, last } = await install({ urls, sha256: [sha(encoder), sha(decoder)], name: 'web' });
    expect(first).toMatchObject({ name: 'web', state: 'running', phase: 'download', fileCount: 2 });
    expect(seen.map((s) => s.phase).filter((p, i, all) => p !== all[i - 1])).toEqual(['download', 'check']);
    expect(seen).toContainEqual(
      expect.objectContaining({
        file: 'decoder.onnx',
        fileIndex: 2,
        done: decoder.length,
        total: decoder.length,
      }),
    );
    expect(last).toMatchObject({ state: 'finished', message: 'installed web (sam-annotate layout)' });
    const web = (await backend.listModels()).installed.find((m) => m.name === 'web');
    expect(web).toMatchObject({ source: 'installed', layout: 'sam-annotate', problem: null, inUse: false });
    expect((await backend.listModels()).install).toEqual(last);
    expect(await backend.useModel('web')).toMatchObject({ dir: web!.dir, encoderProvider: 'cpu' });
    expect(await backend.useModel('sam-annotate-demo')).toMatchObject({ dir: builtin });
    await expect(backend.installModel({ urls, name: 'web' })).rejects.toThrow(
      'a model named web already exists (remove it first)',
    );
  });

  it('fails in one line naming the URL: checksum mismatch, server refused; nothing is installed', async () => {
    const wrong = '0'.repeat(64);
    const mismatch = await install({
      urls: [`${base}/m/encoder.onnx`, `${base}/m/decoder.onnx`],
      sha256: [wrong],
      name: 'bad',
    });
    expect(mismatch.last.state).toBe('failed');
    expect(mismatch.last.message).toBe(
      `download ${base}/m/encoder.onnx: checksum mismatch: expected sha256 ${wrong}, got ${sha(encoder)} ` +
        `(${encoder.length} bytes; the corrupt download was deleted)`,
    );
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await install({
      urls: [`http://127.0.0.1:${port}/e.onnx`, `http://127.0.0.1:${port}/d.onnx`],
      name: 'offline',
    });
    expect(refused.last.state).toBe('failed');
    expect(refused.last.message).toMatch(
      new RegExp(`^download http://127\\.0\\.0\\.1:${port}/e\\.onnx: .*ECONNREFUSED`),
    );
    expect(refused.last.message).not.toContain('\n');
    expect(await names()).not.toContain('bad');
    expect(await names()).not.toContain('offline');
    await expect(backend.installModel({ catalogName: 'sam-vit-x' })).rejects.toThrow(
      /no catalog model named sam-vit-x/,
    );
    await expect(
      backend.installModel({ urls: [`${base}/m/encoder.onnx`], name: 'bad name' }),
    ).rejects.toThrow(/model name "bad name"/);
  });

  it('runs one install at a time, and cancels a stalled download', async () => {
    const from = events.length;
    const started = await backend.installModel({
      urls: [`${base}/stall/encoder.onnx`, `${base}/m/decoder.onnx`],
      name: 'stalled',
    });
    await expect
      .poll(() => events.slice(from).some((e) => e.type === 'model-install' && e.status.done > 0))
      .toBe(true);
    await expect(backend.installModel({ catalogName: 'slimsam-77' })).rejects.toThrow(
      'stalled is being installed; wait for it or cancel it',
    );
    expect(backend.cancelModelInstall()).toMatchObject({ id: started.id, state: 'cancelling' });
    await backend.modelInstallSettled();
    expect((await backend.listModels()).install).toMatchObject({
      id: started.id,
      state: 'cancelled',
      message: 'cancelled the install of stalled (installing it again resumes the download)',
    });
    expect(await names()).not.toContain('stalled');
  });
});
