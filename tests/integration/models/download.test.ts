/**
 * The model manager's downloads against a local HTTP server on 127.0.0.1: a complete transfer, a resume after an
 * interrupted one, a truncated body, corrupted bytes (checksum mismatch, nothing installed), HTTP errors, a
 * whole ONNX model installed from two URLs into the registry, and a SAM 2.1 catalog entry (issue 14) whose
 * "published" files are the committed layout-A fixture served under X-AnyLabeling's file names. Issue 15: an
 * archive entry (a .zip built from the MobileSAM fixture) installed, resumed, cancelled, refused when corrupt or
 * hostile.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileHashCache } from '../../../electron/inference/fileHash.ts';
import { downloadFile } from '../../../electron/models/download.ts';
import { CATALOG, type CatalogEntry, findCatalogEntry } from '../../../electron/models/catalog.ts';
import { installModel, planFromCatalog, planFromUrls } from '../../../electron/models/install.ts';
import { ModelRegistry } from '../../../electron/models/registry.ts';
import { fixturesDir, repoRoot } from '../../helpers/paths.ts';
import { buildZip } from './zipWriter.ts';

const tinyModel = path.join(fixturesDir, 'models', 'tiny-random');
const payload = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Route {
  body: Buffer;
  /** Send only this many bytes of a full-length response, then cut the connection (once, or always). */
  cutAt?: number;
  cutTimes?: number;
  ranges?: boolean;
  corrupt?: boolean;
  status?: number;
}

const routes = new Map<string, Route>();
const requests: Array<{ url: string; range?: string }> = [];
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push({ url: req.url!, range: req.headers.range });
    const route = routes.get(req.url!);
    if (!route || route.status) {
      res.writeHead(route?.status ?? 404).end();
      return;
    }
    let body = route.corrupt ? Buffer.from(route.body) : route.body;
    if (route.corrupt) body[1000] = body[1000]! ^ 0xff;
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range && route.ranges !== false) {
      start = Number(range[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, {
        'Content-Length': body.length - start,
        'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}`,
      });
    } else {
      res.writeHead(200, { 'Content-Length': body.length });
    }
    body = body.subarray(start);
    if (route.cutAt !== undefined && (route.cutTimes ?? Infinity) > 0) {
      route.cutTimes = (route.cutTimes ?? Infinity) - 1;
      // fetch drops what it received but was not read yet when the connection breaks: on a busy machine the
      // client may see fewer than cutAt bytes, so the tests below read the count from the error.
      res.write(body.subarray(0, route.cutAt - start), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'sam-dl-'));

describe('downloadFile', () => {
  it('downloads, verifies the sha256 and reports progress', async () => {
    routes.set('/ok.bin', { body: payload });
    const file = path.join(tmp(), 'ok.bin');
    const seen: number[] = [];
    const r = await downloadFile(`${base}/ok.bin`, file, {
      sha256: sha(payload),
      onProgress: (done, total) => {
        expect(total).toBe(payload.length);
        seen.push(done);
      },
    });
    expect(readFileSync(file).equals(payload)).toBe(true);
    expect(r).toMatchObject({ bytes: payload.length, sha256: sha(payload), resumedFrom: 0 });
    expect(seen.at(-1)).toBe(payload.length);
    expect(existsSync(`${file}.part`)).toBe(false);
  });

  it('resumes an interrupted transfer with a Range request', async () => {
    routes.set('/flaky.bin', { body: payload, cutAt: 120_000, cutTimes: 1 });
    const file = path.join(tmp(), 'flaky.bin');
    const error = await downloadFile(`${base}/flaky.bin`, file, { sha256: sha(payload) }).catch(
      (e: unknown) => e as Error,
    );
    const match = /transfer stopped after (\d+) of 300000 bytes.*run the same command again to resume/.exec(
      (error as Error).message,
    );
    expect(match, (error as Error).message).not.toBeNull();
    const kept = Number(match![1]);
    expect(kept).toBeLessThanOrEqual(120_000);
    expect(statSync(`${file}.part`).size).toBe(kept);
    expect(existsSync(file)).toBe(false);
    requests.length = 0;
    const r = await downloadFile(`${base}/flaky.bin`, file, { sha256: sha(payload) });
    expect(requests).toEqual([{ url: '/flaky.bin', range: kept ? `bytes=${kept}-` : undefined }]);
    expect(r.resumedFrom).toBe(kept);
    expect(readFileSync(file).equals(payload)).toBe(true);
  });

  it('starts over when the server ignores the Range header', async () => {
    routes.set('/norange.bin', { body: payload, ranges: false });
    const file = path.join(tmp(), 'norange.bin');
    writeFileSync(`${file}.part`, payload.subarray(0, 5000));
    const r = await downloadFile(`${base}/norange.bin`, file, { sha256: sha(payload) });
    expect(r.resumedFrom).toBe(0);
    expect(readFileSync(file).equals(payload)).toBe(true);
  });

  it('treats a truncated body as an error and never renames it into place', async () => {
    routes.set('/short.bin', { body: payload, cutAt: 299_000, ranges: false });
    const file = path.join(tmp(), 'short.bin');
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(downloadFile(`${base}/short.bin`, file)).rejects.toThrow(
        /short\.bin: the transfer stopped after \d+ of 300000 bytes/,
      );
      expect(existsSync(file)).toBe(false);
    }
  });

  it('rejects corrupted bytes naming expected and actual sha256, and deletes them', async () => {
    routes.set('/bad.bin', { body: payload, corrupt: true });
    const file = path.join(tmp(), 'bad.bin');
    const corrupted = Buffer.from(payload);
    corrupted[1000] = corrupted[1000]! ^ 0xff;
    await expect(downloadFile(`${base}/bad.bin`, file, { sha256: sha(payload) })).rejects.toThrow(
      `checksum mismatch: expected sha256 ${sha(payload)}, got ${sha(corrupted)}`,
    );
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.part`)).toBe(false);
    const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
    await expect(downloadFile(`${base}/bad.bin`, file, { md5: md5(payload) })).rejects.toThrow(
      `checksum mismatch: expected md5 ${md5(payload)}, got ${md5(corrupted)}`,
    );
  });

  it('reports HTTP errors and unreachable servers in one line', async () => {
    const file = path.join(tmp(), 'x.bin');
    await expect(downloadFile(`${base}/missing.bin`, file)).rejects.toThrow(
      `download ${base}/missing.bin: HTTP 404 Not Found`,
    );
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(downloadFile(`http://127.0.0.1:${port}/x.bin`, file)).rejects.toThrow(
      new RegExp(`^download http://127\\.0\\.0\\.1:${port}/x\\.bin: .*ECONNREFUSED`),
    );
  });
});

describe('installModel from URLs', () => {
  const encoder = readFileSync(path.join(tinyModel, 'encoder.onnx'));
  const decoder = readFileSync(path.join(tinyModel, 'decoder.onnx'));

  function registry() {
    const data = tmp();
    return new ModelRegistry(data, new FileHashCache(), path.join(data, 'no-builtin'));
  }

  it('installs an ONNX pair, which becomes the default model', async () => {
    routes.set('/m/encoder.onnx', { body: encoder, cutAt: 50_000, cutTimes: 1 });
    routes.set('/m/decoder.onnx', { body: decoder });
    const reg = registry();
    const plan = planFromUrls('tiny', [`${base}/m/encoder.onnx`, `${base}/m/decoder.onnx`], [sha(encoder)]);
    await expect(installModel(reg, plan)).rejects.toThrow(/transfer stopped after \d+ of/);
    expect(await reg.find('tiny')).toBeUndefined();
    const entry = await installModel(reg, plan);
    expect(entry).toMatchObject({ name: 'tiny', source: 'installed', layout: 'sam-annotate', problem: null });
    expect(readFileSync(path.join(entry.dir, 'encoder.onnx')).equals(encoder)).toBe(true);
    expect((await reg.defaultModel()).name).toBe('tiny');
    expect(existsSync(path.join(reg.modelsDir, '.download-tiny'))).toBe(false);
  });

  it('installs nothing when a file is corrupt', async () => {
    routes.set('/c/encoder.onnx', { body: encoder, corrupt: true });
    routes.set('/c/decoder.onnx', { body: decoder });
    const reg = registry();
    const plan = planFromUrls('broken', [`${base}/c/encoder.onnx`, `${base}/c/decoder.onnx`], [sha(encoder)]);
    await expect(installModel(reg, plan)).rejects.toThrow(
      /encoder\.onnx: checksum mismatch: expected sha256/,
    );
    expect(await reg.find('broken')).toBeUndefined();
    expect(existsSync(path.join(reg.modelsDir, 'broken'))).toBe(false);
  });

  it('refuses files that do not form a model folder, and keeps them for inspection', async () => {
    routes.set('/j/a.onnx', { body: payload });
    routes.set('/j/b.onnx', { body: payload });
    const reg = registry();
    const plan = planFromUrls('junk', [`${base}/j/a.onnx`, `${base}/j/b.onnx`], []);
    await expect(installModel(reg, plan)).rejects.toThrow(/do not form a usable model folder/);
    expect(await reg.find('junk')).toBeUndefined();
  });
});

describe('installModel from a SAM 2.1 catalog entry (a published samexporter pair)', () => {
  const fixture = path.join(path.dirname(tinyModel), 'sam2-tiny-random-samexporter');
  const encoder = readFileSync(path.join(fixture, 'encoder.onnx'));
  const decoder = readFileSync(path.join(fixture, 'decoder.onnx'));
  const published = findCatalogEntry('sam2.1-hiera-tiny-onnx')!;

  /** The catalog entry with its URLs moved to the local server, under the published file names. */
  function servedAt(prefix: string, bodies: { encoder: Buffer; decoder: Buffer }): CatalogEntry {
    return {
      ...published,
      files: published.files.map((f) => {
        const route = `/${prefix}/${path.posix.basename(new URL(f.url).pathname)}`;
        routes.set(route, { body: f.path === 'encoder.onnx' ? bodies.encoder : bodies.decoder });
        return { ...f, url: `${base}${route}` };
      }),
    };
  }

  function registry() {
    const data = tmp();
    return new ModelRegistry(data, new FileHashCache(), path.join(data, 'no-builtin'));
  }

  it("downloads X-AnyLabeling's names into encoder.onnx / decoder.onnx, verified, no manifest needed", async () => {
    const reg = registry();
    const entry = servedAt('xany', { encoder, decoder });
    expect(entry.files.map((f) => path.posix.basename(f.url))).toEqual([
      'sam2.1_hiera_tiny.encoder.onnx',
      'sam2.1_hiera_tiny.decoder.onnx',
    ]);
    // Needs the SAM 2 layout adapters (electron/inference/layouts, issue 14): the folder must open as layout A.
    const installed = await installModel(
      reg,
      planFromCatalog(entry, 'sam2-tiny', [sha(encoder), sha(decoder)]),
    );
    expect(installed).toMatchObject({
      name: 'sam2-tiny',
      source: 'installed',
      layout: 'sam2-samexporter',
      problem: null,
      capabilities: { box: true, maskInput: true, singleMaskToken: false },
    });
    expect(readFileSync(path.join(installed.dir, 'decoder.onnx')).equals(decoder)).toBe(true);
    expect(existsSync(path.join(installed.dir, 'manifest.json'))).toBe(false);
  });

  it('installs nothing when a SAM 2 file does not match the checksum given', async () => {
    const reg = registry();
    const entry = servedAt('xany-bad', { encoder, decoder: Buffer.from(encoder) });
    await expect(
      installModel(reg, planFromCatalog(entry, 'sam2-bad', [sha(encoder), sha(decoder)])),
    ).rejects.toThrow(/sam2\.1_hiera_tiny\.decoder\.onnx: checksum mismatch: expected sha256/);
    expect(await reg.find('sam2-bad')).toBeUndefined();
    expect(existsSync(path.join(reg.modelsDir, 'sam2-bad'))).toBe(false);
  });

  it("a SAM 2.1 checkpoint entry is converted by export_sam2.py (a SAM 1 file there fails in SAM 2's words)", async () => {
    const sam1 = path.join(tmp(), 'tiny.pth');
    const made = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        "import sys, torch; sys.path.insert(0, 'native-models'); from sam_tools.config import PRESETS; " +
          'from sam_tools.sam import build_sam, randomize_; ' +
          "torch.save(randomize_(build_sam(PRESETS['tiny_test']), 7).state_dict(), sys.argv[1])",
        sam1,
      ],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    expect(made.stderr).toBe('');
    routes.set('/meta/sam2.1_hiera_tiny.pt', { body: readFileSync(sam1) });
    const entry = findCatalogEntry('sam2.1-hiera-tiny')!;
    const local: CatalogEntry = {
      ...entry,
      files: [{ ...entry.files[0]!, url: `${base}/meta/sam2.1_hiera_tiny.pt` }],
    };
    const reg = registry();
    await expect(installModel(reg, planFromCatalog(local, 'sam2-ckpt', []))).rejects.toThrow(
      /^converting sam2\.1_hiera_tiny\.pt failed: error: .*: weights do not fit this SAM 2 architecture/,
    );
    expect(await reg.find('sam2-ckpt')).toBeUndefined();
  }, 300_000);
});

describe('installModel from an archive entry (issue 15: a published .zip)', () => {
  const fixture = path.join(path.dirname(tinyModel), 'mobile-sam-preprocess');
  const encoder = readFileSync(path.join(fixture, 'mobile_sam.encoder.onnx'));
  const decoder = readFileSync(path.join(fixture, 'sam_vit_tiny.decoder.onnx'));
  const members = [
    { member: 'mobile_sam/mobile_sam.encoder.onnx', path: 'encoder.onnx' },
    { member: 'mobile_sam/sam_vit_tiny.decoder.onnx', path: 'decoder.onnx' },
  ];
  const zip = buildZip([
    { name: 'mobile_sam/config.yaml', data: Buffer.from('type: segment_anything\n') },
    { name: members[0]!.member, data: encoder },
    { name: members[1]!.member, data: decoder },
  ]);

  /** A catalog-shaped archive entry whose .zip is served at `/<prefix>/mobile_sam.zip`. */
  function archiveEntry(prefix: string, route: Omit<Route, 'body'> & { body?: Buffer } = {}): CatalogEntry {
    routes.set(`/${prefix}/mobile_sam.zip`, { body: zip, ...route });
    const base_ = findCatalogEntry('mobile-sam')!;
    return {
      ...base_,
      kind: 'archive',
      files: [
        {
          path: 'mobile_sam.zip',
          url: `${base}/${prefix}/mobile_sam.zip`,
          sha256: null,
          md5: null,
          approxBytes: zip.length,
          members,
        },
      ],
    };
  }

  function registry() {
    const data = tmp();
    return new ModelRegistry(data, new FileHashCache(), path.join(data, 'no-builtin'));
  }

  it('downloads the zip, extracts only the listed members, and opens as the expected layout', async () => {
    const reg = registry();
    const extracted: string[] = [];
    const installed = await installModel(reg, planFromCatalog(archiveEntry('zip-ok'), 'msam', [sha(zip)]), {
      onExtract: (m) => extracted.push(m.path),
    });
    expect(extracted).toEqual(['encoder.onnx', 'decoder.onnx']);
    expect(installed).toMatchObject({ name: 'msam', layout: 'preprocess-in-graph', problem: null });
    expect(readdirSync(installed.dir).sort()).toEqual(['decoder.onnx', 'encoder.onnx']);
    expect(readFileSync(path.join(installed.dir, 'encoder.onnx')).equals(encoder)).toBe(true);
    expect(readdirSync(reg.modelsDir)).toEqual(['msam']);
  });

  it('an interrupted download keeps the partial zip in staging and a rerun resumes it', async () => {
    const reg = registry();
    const plan = planFromCatalog(archiveEntry('zip-cut', { cutAt: 200_000, cutTimes: 1 }), 'cut', []);
    await expect(installModel(reg, plan)).rejects.toThrow(
      /mobile_sam\.zip: the transfer stopped after \d+ of/,
    );
    expect(await reg.find('cut')).toBeUndefined();
    const part = path.join(reg.modelsDir, '.download-cut', 'mobile_sam.zip.part');
    const kept = statSync(part).size;
    requests.length = 0;
    const installed = await installModel(reg, plan);
    expect(requests).toEqual([
      { url: '/zip-cut/mobile_sam.zip', range: kept ? `bytes=${kept}-` : undefined },
    ]);
    expect(installed.layout).toBe('preprocess-in-graph');
    expect(readdirSync(reg.modelsDir)).toEqual(['cut']);
  });

  it('a cancelled download installs nothing and keeps its bytes for a resume', async () => {
    const reg = registry();
    const abort = new AbortController();
    const plan = planFromCatalog(archiveEntry('zip-cancel'), 'cancelled', []);
    await expect(
      installModel(reg, plan, { onProgress: (done) => done > 0 && abort.abort() }, abort.signal),
    ).rejects.toThrow(/cancelled|transfer stopped/);
    expect(await reg.find('cancelled')).toBeUndefined();
    expect(existsSync(path.join(reg.modelsDir, 'cancelled'))).toBe(false);
    expect(existsSync(path.join(reg.modelsDir, '.extract-cancelled'))).toBe(false);
    expect(existsSync(path.join(reg.modelsDir, '.download-cancelled', 'mobile_sam.zip.part'))).toBe(true);
  });

  it('a checksum mismatch installs nothing', async () => {
    const reg = registry();
    const plan = planFromCatalog(archiveEntry('zip-corrupt', { corrupt: true }), 'corrupt', [sha(zip)]);
    await expect(installModel(reg, plan)).rejects.toThrow(
      /mobile_sam\.zip: checksum mismatch: expected sha256/,
    );
    expect(await reg.find('corrupt')).toBeUndefined();
    expect(readdirSync(reg.modelsDir).filter((d) => !d.startsWith('.download-'))).toEqual([]);
  });

  it.each([
    ['path traversal', { name: '../../escape.onnx', data: Buffer.from('x') }, /has a "\.\." path segment/],
    [
      'a symbolic link',
      { name: 'mobile_sam/link', data: Buffer.from('/etc'), unixMode: 0o120777 },
      /symbolic link/,
    ],
  ])(
    'a hostile archive (%s) is refused by name, nothing is installed, the zip is deleted',
    async (_, extra, why) => {
      const reg = registry();
      const hostile = buildZip([
        { name: members[0]!.member, data: encoder },
        { name: members[1]!.member, data: decoder },
        extra,
      ]);
      const plan = planFromCatalog(
        archiveEntry(`zip-evil-${extra.name.length}`, { body: hostile }),
        'evil',
        [],
      );
      const error = await installModel(reg, plan).then(
        () => new Error('installed'),
        (e: unknown) => e as Error,
      );
      expect(error.message).toMatch(new RegExp(`^archive mobile_sam\\.zip: member "${escape(extra.name)}" `));
      expect(error.message).toMatch(why);
      expect(error.message).toMatch(/nothing was installed; the archive was deleted\)$/);
      expect(await reg.find('evil')).toBeUndefined();
      expect(existsSync(path.join(tmpRoot(reg), 'escape.onnx'))).toBe(false);
      expect(readdirSync(reg.modelsDir).filter((d) => d !== '.download-evil')).toEqual([]);
      expect(readdirSync(path.join(reg.modelsDir, '.download-evil'))).toEqual([]);
    },
  );

  it('a CRC mismatch inside an archive without a known checksum is caught at extraction', async () => {
    const reg = registry();
    const damaged = buildZip([
      { name: members[0]!.member, data: encoder, crc: 1 },
      { name: members[1]!.member, data: decoder },
    ]);
    const plan = planFromCatalog(archiveEntry('zip-crc', { body: damaged }), 'crc', []);
    await expect(installModel(reg, plan)).rejects.toThrow(
      /^archive mobile_sam\.zip: member "mobile_sam\/mobile_sam\.encoder\.onnx" CRC mismatch .*nothing was installed/,
    );
    expect(await reg.find('crc')).toBeUndefined();
    expect(existsSync(path.join(reg.modelsDir, 'crc'))).toBe(false);
  });

  it('members that do not form a model folder: refused, the zip kept for inspection', async () => {
    const reg = registry();
    const entry = archiveEntry('zip-half');
    const onlyEncoder: CatalogEntry = {
      ...entry,
      files: [{ ...entry.files[0]!, members: [members[0]!] }],
    };
    await expect(installModel(reg, planFromCatalog(onlyEncoder, 'half', []))).rejects.toThrow(
      /the files extracted from mobile_sam\.zip do not form a usable model folder .*the archive is kept in/,
    );
    expect(await reg.find('half')).toBeUndefined();
    expect(readdirSync(path.join(reg.modelsDir, '.download-half'))).toEqual(['mobile_sam.zip']);
  });
});

describe('installModel: an archive kept from an earlier run (issue 15)', () => {
  const fixture = path.join(path.dirname(tinyModel), 'mobile-sam-preprocess');
  const members = [
    { member: 'mobile_sam.encoder.onnx', path: 'encoder.onnx' },
    { member: 'sam_vit_tiny.decoder.onnx', path: 'decoder.onnx' },
  ];
  const zip = buildZip(
    members.map((m) => ({ name: m.member, data: readFileSync(path.join(fixture, m.member)) })),
  );

  function plan(route: string, name: string, only = members, sha256: string | null = null) {
    routes.set(route, { body: zip });
    const entry = findCatalogEntry('mobile-sam-int8')!;
    const file = { ...entry.files[0]!, url: `${base}${route}`, sha256, members: only };
    return planFromCatalog({ ...entry, files: [file] }, name, []);
  }

  function registry() {
    const data = tmp();
    return new ModelRegistry(data, new FileHashCache(), path.join(data, 'no-builtin'));
  }

  it('cancelled while extracting: nothing installed, the archive kept, and a rerun installs it without a download', async () => {
    const reg = registry();
    const abort = new AbortController();
    const cancelled = plan('/kept/a.zip', 'kept', members, sha(zip));
    await expect(
      installModel(reg, cancelled, { onExtract: () => abort.abort() }, abort.signal),
    ).rejects.toThrow(
      /^extracting mobile_sam_20230629_quant\.zip: cancelled \(the archive is kept in .*\.download-kept\)$/,
    );
    expect(await reg.find('kept')).toBeUndefined();
    expect(readdirSync(reg.modelsDir).sort()).toEqual(['.download-kept']);
    expect(readdirSync(path.join(reg.modelsDir, '.download-kept'))).toEqual([
      'mobile_sam_20230629_quant.zip',
    ]);
    requests.length = 0;
    const done: number[] = [];
    const installed = await installModel(reg, cancelled, { onFileDone: (_f, r) => done.push(r.resumedFrom) });
    expect(requests).toEqual([]);
    expect(done).toEqual([zip.length]);
    expect(installed.layout).toBe('preprocess-in-graph');
    expect(readdirSync(reg.modelsDir)).toEqual(['kept']);
  });

  it('a kept archive that no longer matches its checksum is downloaded again', async () => {
    const reg = registry();
    const half = plan('/kept/b.zip', 'again', [members[0]!], sha(zip));
    await expect(installModel(reg, half)).rejects.toThrow(/do not form a usable model folder/);
    const kept = path.join(reg.modelsDir, '.download-again', 'mobile_sam_20230629_quant.zip');
    writeFileSync(kept, Buffer.from('damaged on disk'));
    requests.length = 0;
    const installed = await installModel(reg, plan('/kept/b.zip', 'again', members, sha(zip)));
    expect(requests.map((r) => r.url)).toEqual(['/kept/b.zip']);
    expect(installed.layout).toBe('preprocess-in-graph');
  });
});

describe('every published catalog entry opens as the layout it declares (issue 15)', () => {
  const models = path.dirname(tinyModel);
  /** A committed fixture written in the same layout as each publisher's files: [encoder, decoder] paths. */
  function standIn(entry: CatalogEntry): [string, string] {
    const pair = (dir: string, encoder: string, decoder: string): [string, string] => [
      path.join(models, dir, encoder),
      path.join(models, dir, decoder),
    ];
    if (entry.name.startsWith('efficientvit'))
      return pair(
        'efficientvit-xanylabeling',
        'efficientvit_sam_tiny.encoder.onnx',
        'efficientvit_sam_tiny.decoder.onnx',
      );
    if (entry.layout === 'preprocess-in-graph')
      return pair('mobile-sam-preprocess', 'mobile_sam.encoder.onnx', 'sam_vit_tiny.decoder.onnx');
    if (entry.layout === 'edgesam') return pair('edgesam-tiny-random', 'encoder.onnx', 'decoder.onnx');
    if (entry.layout === 'sam2-samexporter')
      return pair('sam2-tiny-random-samexporter', 'encoder.onnx', 'decoder.onnx');
    if (entry.layout === 'transformers.js')
      return pair('tiny-random-hf', 'vision_encoder.onnx', 'prompt_encoder_mask_decoder.onnx');
    throw new Error(`no stand-in for ${entry.name} (${entry.layout})`);
  }

  const published = CATALOG.filter((e) => e.kind !== 'checkpoint');
  it.each(published.map((e) => [e.name, e] as const))('%s', async (name, entry) => {
    const [encoder, decoder] = standIn(entry).map((f) => readFileSync(f));
    const files = entry.files.map((f) => {
      const route = `/layout/${name}/${f.path}`;
      const body = f.members
        ? buildZip(
            f.members.map((m) => ({ name: m.member, data: m.path === 'encoder.onnx' ? encoder! : decoder! })),
          )
        : /decoder/.test(f.path)
          ? decoder!
          : encoder!;
      routes.set(route, { body });
      return { ...f, url: `${base}${route}`, sha256: null, md5: null };
    });
    const data = tmp();
    const reg = new ModelRegistry(data, new FileHashCache(), path.join(data, 'no-builtin'));
    const installed = await installModel(reg, planFromCatalog({ ...entry, files }, 'm', []));
    expect(installed).toMatchObject({ layout: entry.layout, problem: null });
  });
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const tmpRoot = (reg: ModelRegistry) => path.dirname(reg.modelsDir);
