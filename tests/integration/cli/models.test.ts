/**
 * The model manager as a user runs it: `models list | add | download | remove | default`, `convert --install`,
 * and `predict` without --model on a fresh install (the built-in demo model, with a note saying so).
 * Each test gets its own empty data folder ($SAM_ANNOTATE_DATA).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliResult, cli } from '../../helpers/cli.ts';
import { writeTinyCheckpoint } from '../../helpers/models.ts';
import { fixturesDir, repoRoot } from '../../helpers/paths.ts';
import { buildZip } from '../models/zipWriter.ts';

const tiny = path.join(fixturesDir, 'models', 'tiny-random');
const builtin = path.join(repoRoot, 'native-models', 'builtin', 'sam-annotate-demo');
const image = path.join(fixturesDir, 'reference', 'wide.png');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'sam-models-'));

function freshEnv() {
  return {
    SAM_ANNOTATE_DATA: mkdtempSync(path.join(tmp, 'data-')),
    SAM_ANNOTATE_CACHE: path.join(tmp, 'cache'),
  };
}

/** `cli` without blocking this process's event loop (the local HTTP server must keep answering). */
function cliAsync(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'electron', 'cli', 'bin.js'), ...args], {
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function listJson(env: NodeJS.ProcessEnv) {
  const r = cli(['models', 'list', '--json'], env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Array<Record<string, unknown>>;
}

/** The `models list` row of `name`, split on the table's two-space column gaps. */
function listRow(env: NodeJS.ProcessEnv, name: string): string[] {
  const r = cli(['models', 'list'], env);
  expect(r.code, r.stderr).toBe(0);
  const line = r.stdout.split('\n').find((l) => l.includes(` ${name} `))!;
  return line.trim().split(/\s{2,}/);
}

describe('models list: family, layout and what each model supports (issue 14)', () => {
  it('a SAM 1 transformers.js folder: SAM 1, points only (no box, no refinement, no single-mask token)', () => {
    const env = freshEnv();
    expect(cli(['models', 'add', path.join(fixturesDir, 'models', 'tiny-random-hf')], env).code).toBe(0);
    const row = listJson(env).find((m) => m.name === 'tiny-random-hf');
    expect(row).toMatchObject({
      family: 'sam',
      family_label: 'SAM 1',
      layout: 'transformers.js',
      capabilities: { box: false, maskInput: false, singleMaskToken: false },
    });
    expect(listRow(env, 'tiny-random-hf')).toEqual([
      '*',
      'tiny-random-hf',
      'added',
      'SAM 1 tiny_test',
      'transformers.js',
      'points only',
      '256',
      '740 kB',
      // Not a catalog model and not run yet: no speed to show (issue 15).
      '-',
    ]);
    const demo = listRow(env, 'sam-annotate-demo');
    expect(demo.slice(2, 5)).toEqual(['SAM 1 demo', 'sam-annotate', 'box, refinement, single-mask']);
  });

  // Passes once the SAM 2 layout adapters (electron/inference/layouts, issue 14) open layout A.
  it('a SAM 2.1 samexporter folder: SAM 2.1, box and refinement, no single-mask token', () => {
    const env = freshEnv();
    const added = cli(
      ['models', 'add', path.join(fixturesDir, 'models', 'sam2-tiny-random-samexporter')],
      env,
    );
    expect(added.code, added.stderr).toBe(0);
    const row = listJson(env).find((m) => m.name === 'sam2-tiny-random-samexporter');
    expect(row).toMatchObject({
      family: 'sam2.1',
      family_label: 'SAM 2.1',
      layout: 'sam2-samexporter',
      capabilities: { box: true, maskInput: true, singleMaskToken: false },
      problem: null,
    });
    expect(listRow(env, 'sam2-tiny-random-samexporter').slice(3, 6)).toEqual([
      'SAM 2.1 custom',
      'sam2-samexporter',
      'box, refinement',
    ]);
  });
});

describe('sam-annotate models (manager)', () => {
  it('lists the built-in demo model on a fresh install, as the default, and says how to get a real one', () => {
    const env = freshEnv();
    const [only, ...rest] = listJson(env);
    expect(rest).toEqual([]);
    expect(only).toMatchObject({
      name: 'sam-annotate-demo',
      source: 'builtin',
      family: 'sam',
      variant: 'demo',
      layout: 'sam-annotate',
      input_size: 256,
      demo: true,
      default: true,
      problem: null,
    });
    expect(only!.bytes as number).toBeLessThan(20e6);
    const text = cli(['models', 'list'], env);
    expect(text.stdout).toMatch(
      /\*\s+sam-annotate-demo\s+builtin\s+SAM 1 demo\s+sam-annotate\s+box, refinement, single-mask\s+256/,
    );
    // The demo model's speed is the benchmark's; what to install instead is suggested for this computer (issue 15).
    expect(text.stdout).toMatch(/sam-annotate-demo .*measured: [\d.]+ s per image, \d+ ms per click/);
    expect(text.stdout).toMatch(/demo: cannot segment real photos; offline fallback/);
    expect(text.stdout).toMatch(
      /Suggested for this computer:\n {2}(\S+) .*: sam-annotate models download \1 --default/,
    );
  });

  it('adds a folder, makes the first real model the default, switches the default, removes it', () => {
    const env = freshEnv();
    const added = cli(['models', 'add', tiny, '--name', 'tiny'], env);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).toMatch(/added tiny \(sam-annotate layout/);
    const list = listJson(env);
    expect(list.map((e) => [e.name, e.source, e.default])).toEqual([
      ['sam-annotate-demo', 'builtin', false],
      ['tiny', 'added', true],
    ]);
    expect(cli(['models', 'default'], env).stdout).toMatch(/^tiny\t/);
    expect(cli(['models', 'default', 'sam-annotate-demo'], env).code).toBe(0);
    expect(cli(['models', 'default'], env).stdout).toMatch(/^sam-annotate-demo\t.*\(demo model\)/);
    const again = cli(['models', 'add', tiny, '--name', 'tiny'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/a model named tiny already exists/);
    // `models NAME` describes an installed model by name, like `models DIR`.
    const described = cli(['models', 'tiny', '--no-load'], env);
    expect(described.code, described.stderr).toBe(0);
    expect(described.stdout).toMatch(/^tiny-random: sam-annotate layout/);
    expect(cli(['models', 'remove', 'tiny'], env).stderr).toMatch(
      /removed tiny \(its folder was left in place\)/,
    );
    expect(existsSync(path.join(tiny, 'manifest.json'))).toBe(true);
    expect(listJson(env).map((e) => e.name)).toEqual(['sam-annotate-demo']);
    const builtinRemove = cli(['models', 'remove', 'sam-annotate-demo'], env);
    expect(builtinRemove.code).toBe(1);
    expect(builtinRemove.stderr).toMatch(/built-in demo model; it cannot be removed/);
  });

  it('copies a folder with --copy and deletes the copy on remove', () => {
    const env = freshEnv();
    expect(cli(['models', 'add', tiny, '--copy', '--name', 'mine', '--default'], env).code).toBe(0);
    const [, mine] = listJson(env);
    expect(mine).toMatchObject({ name: 'mine', source: 'installed', default: true });
    expect(mine!.dir).toBe(path.join(env.SAM_ANNOTATE_DATA, 'models', 'mine'));
    expect(cli(['models', 'remove', 'mine'], env).stderr).toMatch(/deleted/);
    expect(existsSync(mine!.dir as string)).toBe(false);
  });

  it('downloads an ONNX pair from URLs (with --sha256) and lists the catalog', async () => {
    const encoder = readFileSync(path.join(tiny, 'encoder.onnx'));
    const decoder = readFileSync(path.join(tiny, 'decoder.onnx'));
    const server = createServer((req, res) => {
      const body =
        req.url === '/tiny/encoder.onnx' ? encoder : req.url === '/tiny/decoder.onnx' ? decoder : null;
      if (!body) res.writeHead(404).end();
      else res.writeHead(200, { 'Content-Length': body.length }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const env = freshEnv();
      const wrong = await cliAsync(
        [
          'models',
          'download',
          `${base}/tiny/encoder.onnx`,
          `${base}/tiny/decoder.onnx`,
          '--name',
          'web',
          '--sha256',
          '0'.repeat(64),
        ],
        env,
      );
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/checksum mismatch: expected sha256 0{64}, got [0-9a-f]{64}/);
      expect(listJson(env).map((e) => e.name)).toEqual(['sam-annotate-demo']);
      const r = await cliAsync(
        ['models', 'download', `${base}/tiny/encoder.onnx`, `${base}/tiny/decoder.onnx`, '--name', 'web'],
        env,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(
        /encoder\.onnx: .*\(not verified: no checksum known; pass --sha256 to check\)/,
      );
      expect(r.stderr).toMatch(/installed web \(sam-annotate layout/);
      expect(listJson(env).find((e) => e.name === 'web')).toMatchObject({
        source: 'installed',
        default: true,
      });
      const missing = await cliAsync(
        ['models', 'download', `${base}/nope.onnx`, `${base}/x.onnx`, '--name', 'n'],
        env,
      );
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain(
        `sam-annotate: error: download ${base}/nope.onnx: HTTP 404 Not Found\n`,
      );
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    const catalog = cli(['models', 'download'], freshEnv());
    expect(catalog.stdout).toMatch(/sam-vit-b\s+SAM 1\s+checkpoint\s+sam-annotate/);
    expect(catalog.stdout).toMatch(/slimsam-77\s+SAM 1\s+onnx\s+transformers\.js/);
    expect(catalog.stdout).toMatch(/sam2\.1-hiera-tiny\s+SAM 2\.1\s+checkpoint\s+sam-annotate/);
    expect(catalog.stdout).toMatch(/sam2\.1-hiera-tiny-onnx\s+SAM 2\.1\s+onnx\s+sam2-samexporter/);
  });

  it('downloads the CPU catalog models by name from SAM_ANNOTATE_MODEL_MIRROR, resuming a cut transfer (issue 15)', async () => {
    // The mirror holds `<catalog name>/<file path>`: MobileSAM's and EdgeSAM's fixtures stand in for the
    // published files (no manifest, as published), the encoder cut once mid-transfer.
    const fixture = (dir: string, file: string) => readFileSync(path.join(fixturesDir, 'models', dir, file));
    const bodies = new Map<string, Buffer>([
      ['/mirror/mobile-sam/encoder.onnx', fixture('mobile-sam-preprocess', 'mobile_sam.encoder.onnx')],
      ['/mirror/mobile-sam/decoder.onnx', fixture('mobile-sam-preprocess', 'sam_vit_tiny.decoder.onnx')],
      ['/mirror/edgesam/encoder.onnx', fixture('edgesam-tiny-random', 'encoder.onnx')],
      ['/mirror/edgesam/decoder.onnx', fixture('edgesam-tiny-random', 'decoder.onnx')],
    ]);
    let cutOnce = true;
    const server = createServer((req, res) => {
      const body = bodies.get(req.url!);
      if (!body) return void res.writeHead(404).end();
      const start = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
      if (start > 0)
        res.writeHead(206, {
          'Content-Length': body.length - start,
          'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}`,
        });
      else res.writeHead(200, { 'Content-Length': body.length });
      if (cutOnce && req.url === '/mirror/mobile-sam/encoder.onnx') {
        cutOnce = false;
        res.write(body.subarray(0, 100_000), () => setTimeout(() => res.socket?.destroy(), 20));
        return;
      }
      res.end(body.subarray(start));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mirror/`;
    try {
      const env = { ...freshEnv(), SAM_ANNOTATE_MODEL_MIRROR: mirror };
      const cut = await cliAsync(['models', 'download', 'mobile-sam'], env);
      expect(cut.code).toBe(1);
      expect(cut.stderr).toMatch(
        /mobile-sam\/encoder\.onnx: the transfer stopped after \d+ .*run the same command again/,
      );
      const resumed = await cliAsync(['models', 'download', 'mobile-sam'], env);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toMatch(/encoder\.onnx: .*, resumed at /);
      expect(resumed.stderr).toMatch(/installed mobile-sam \(preprocess-in-graph layout/);
      const edge = await cliAsync(['models', 'download', 'edgesam'], env);
      expect(edge.code, edge.stderr).toBe(0);
      expect(
        listJson(env)
          .filter((m) => m.source === 'installed')
          .map((m) => [m.name, m.layout]),
      ).toEqual([
        ['edgesam', 'edgesam'],
        ['mobile-sam', 'preprocess-in-graph'],
      ]);
      const bad = await cliAsync(['models', 'download', 'mobile-sam'], {
        ...freshEnv(),
        SAM_ANNOTATE_MODEL_MIRROR: 'ftp://example.com',
      });
      expect(bad.stderr).toMatch(/SAM_ANNOTATE_MODEL_MIRROR="ftp:\/\/example\.com": expected an http/);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    const catalog = cli(['models', 'download'], freshEnv());
    expect(catalog.stdout).toMatch(/mobile-sam\s+SAM 1\s+onnx\s+preprocess-in-graph/);
    expect(catalog.stdout).toMatch(/edgesam\s+SAM 1\s+onnx\s+edgesam/);
  });

  it('downloads an archive entry by name from the mirror: checksum, resume, only the listed members (issue 15)', async () => {
    // AnyLabeling's MobileSAM int8 zip, made from the MobileSAM fixture under the published member names.
    const fixture = (file: string) =>
      readFileSync(path.join(fixturesDir, 'models', 'mobile-sam-preprocess', file));
    const zip = buildZip([
      { name: 'mobile_sam.encoder.quant.onnx', data: fixture('mobile_sam.encoder.onnx') },
      { name: 'sam_vit_h_4b8939.decoder.quant.onnx', data: fixture('sam_vit_tiny.decoder.onnx') },
      { name: 'config.yaml', data: Buffer.from('type: segment_anything\n') },
    ]);
    const zipSha = createHash('sha256').update(zip).digest('hex');
    let cutOnce = true;
    const server = createServer((req, res) => {
      if (req.url !== '/mirror/mobile-sam-int8/mobile_sam_20230629_quant.zip')
        return void res.writeHead(404).end();
      const start = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
      if (start > 0)
        res.writeHead(206, {
          'Content-Length': zip.length - start,
          'Content-Range': `bytes ${start}-${zip.length - 1}/${zip.length}`,
        });
      else res.writeHead(200, { 'Content-Length': zip.length });
      if (cutOnce && start === 0) {
        cutOnce = false;
        res.write(zip.subarray(0, 150_000), () => setTimeout(() => res.socket?.destroy(), 20));
        return;
      }
      res.end(zip.subarray(start));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mirror`;
    try {
      const env = { ...freshEnv(), SAM_ANNOTATE_MODEL_MIRROR: mirror };
      const cut = await cliAsync(['models', 'download', 'mobile-sam-int8', '--sha256', zipSha], env);
      expect(cut.code).toBe(1);
      expect(cut.stderr).toMatch(/mobile_sam_20230629_quant\.zip: the transfer stopped after \d+ /);
      const ok = await cliAsync(['models', 'download', 'mobile-sam-int8', '--sha256', zipSha], env);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stderr).toMatch(/mobile_sam_20230629_quant\.zip: .*, resumed at .*\(sha256 verified\)/);
      expect(ok.stderr).toMatch(/installed mobile-sam-int8 \(preprocess-in-graph layout/);
      const row = listJson(env).find((e) => e.name === 'mobile-sam-int8')!;
      expect(row).toMatchObject({ source: 'installed', layout: 'preprocess-in-graph', problem: null });
      expect(readdirSync(row.dir as string).sort()).toEqual(['decoder.onnx', 'encoder.onnx']);
      const fresh = { ...freshEnv(), SAM_ANNOTATE_MODEL_MIRROR: mirror };
      // The catalog pins the published zip's sha256: the fixture's bytes are refused (and deleted) without --sha256.
      const pinned = await cliAsync(['models', 'download', 'mobile-sam-int8'], fresh);
      expect(pinned.code).toBe(1);
      expect(pinned.stderr).toMatch(
        /checksum mismatch: expected sha256 8a8ee531538541a55fa6fa7efebae121ef33e5c323b3998b48ea9383b37d90aa, got /,
      );
      expect(listJson(fresh).map((e) => e.name)).toEqual(['sam-annotate-demo']);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    const catalog = cli(['models', 'download'], freshEnv());
    expect(catalog.stdout).toMatch(
      /mobile-sam-int8\s+SAM 1\s+archive\s+preprocess-in-graph\s+~11\.0 MB\s+sha256/,
    );
  });

  it('installs a conversion in one step with convert --install', () => {
    const env = freshEnv();
    const [pth, config] = writeTinyCheckpoint(tmp);
    const r = cli(
      ['convert', '--checkpoint', pth, '--config', config, '--install', 'conv', '--no-smoke'],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/installed model conv at /);
    expect(listJson(env).find((e) => e.name === 'conv')).toMatchObject({
      source: 'installed',
      default: true,
    });
    const predicted = cli(
      [
        'predict',
        '--model',
        'conv',
        '--image',
        image,
        '--point',
        '90,80,1',
        '--out',
        path.join(tmp, 'conv.json'),
      ],
      env,
    );
    expect(predicted.code, predicted.stderr).toBe(0);
    expect(predicted.stderr).not.toMatch(/demo model/);
  }, 120_000);
});

describe('predict without --model', () => {
  it('uses the built-in demo model on a fresh install and says so', () => {
    const env = freshEnv();
    const out = path.join(tmp, 'default.json');
    const r = cli(['predict', '--image', image, '--point', '90,80,1', '--out', out], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /note: using the built-in demo model \(trained on synthetic shapes, not on photos\); install a real SAM: sam-annotate models download sam-vit-b/,
    );
    const result = JSON.parse(readFileSync(out, 'utf8'));
    expect(result.model).toMatchObject({ name: 'sam-annotate-demo', demo: true, input_size: 256 });
    expect(result.model.dir).toBe(builtin);
  });
});
