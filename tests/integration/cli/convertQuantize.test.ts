/**
 * `sam-annotate convert --quantize` (issue 15/16) on the built-in demo model: the int8 twin installs, opens,
 * predicts, and its manifest carries the mask-agreement report; bad input fails in one line naming the file and
 * leaves nothing under --out.
 *
 * Agreement threshold: on the demo model (trained weights, 8 images × 19 prompts) the shipped settings measured
 * mean IoU 0.947; the alternatives that were rejected measured lower (one weight scale per tensor 0.924, full
 * 8-bit weights 0.884, whose uint8 × int8 products saturate on AVX2 CPUs). Mean ≥ 0.93 fails for each of them
 * and for any real mistake in the rewrite (a wrong scale or an untransposed Gemm weight gives masks near 0).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileHashCache } from '../../../electron/inference/fileHash.ts';
import { openModelFolder } from '../../../electron/inference/modelFolder.ts';
import { cli } from '../../helpers/cli.ts';
import { fixturesDir, repoRoot } from '../../helpers/paths.ts';
import { tempDir } from '../../helpers/projects.ts';

const BUILTIN = path.join(repoRoot, 'native-models', 'builtin', 'sam-annotate-demo');
const MEAN_IOU_AT_LEAST = 0.93;

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}

/** Nothing was left in `parent` by a failed run: no `out`, no staging folder. */
function expectNothingLeft(parent: string, out: string): void {
  expect(existsSync(out)).toBe(false);
  expect(readdirSync(parent).filter((f) => f.includes('quantize'))).toEqual([]);
}

describe('sam-annotate convert --quantize', () => {
  let env: NodeJS.ProcessEnv;
  let installed: string;
  let install: ReturnType<typeof cli>;
  // Shared by every test of the file (tempDir folders go after each test).
  const root = mkdtempSync(path.join(os.tmpdir(), 'sam-quant-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(() => {
    env = { SAM_ANNOTATE_DATA: path.join(root, 'data'), SAM_ANNOTATE_CACHE: path.join(root, 'cache') };
    install = cli(['convert', '--quantize', 'sam-annotate-demo', '--install'], env);
    installed = path.join(root, 'data', 'models', 'sam-annotate-demo-int8');
  }, 240_000);

  it('installs the int8 twin of the demo model as <name>-int8 with the agreement report', async () => {
    expect(install.code, install.stderr).toBe(0);
    expect(install.stderr).toMatch(/mask agreement int8 vs float32: mean IoU 0\.\d+, worst \d\.\d+/);
    const list = cli(['models', 'list', '--json'], env);
    expect(list.stdout).toContain('sam-annotate-demo-int8');
    const folder = await openModelFolder(installed, new FileHashCache());
    expect(folder.name).toBe('sam-annotate-demo-int8');
    expect(folder.layout.kind).toBe('sam-annotate');
    const manifest = JSON.parse(readFileSync(path.join(installed, 'manifest.json'), 'utf8'));
    const q = manifest.quantization;
    expect(q.method).toBe('dynamic-int8-matmul');
    expect(q.graphs.map((g: { role: string }) => g.role)).toEqual(['encoder', 'decoder']);
    expect(q.graphs.every((g: { quantized: number }) => g.quantized > 0)).toBe(true);
    expect(q.agreement.images).toEqual([
      'tall.png',
      'wide.png',
      ...[1, 2, 3, 4, 5, 6].map((i) => `sample-0${i}.png`),
    ]);
    expect(q.agreement.masks).toBe(8 * 19);
    expect(q.agreement.mean_iou).toBeGreaterThanOrEqual(MEAN_IOU_AT_LEAST);
    expect(q.agreement.mean_iou).toBeLessThanOrEqual(1);
    expect(q.agreement.worst_iou).toBeLessThanOrEqual(q.agreement.mean_iou);
    // The int8 graphs are smaller than the float32 ones (weights stored in 8 bits).
    const size = (dir: string, f: string) => readFileSync(path.join(dir, f)).byteLength;
    expect(size(installed, 'encoder.onnx')).toBeLessThan(size(BUILTIN, 'encoder.onnx') / 2);
  });

  it('predicts with the int8 model', () => {
    const out = path.join(tempDir('sam-quant-predict-'), 'masks.json');
    const image = path.join(fixturesDir, 'reference', 'wide.png');
    const r = cli(
      ['predict', '--model', installed, '--image', image, '--point', '160,90,1', '--out', out],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    const masks = JSON.parse(readFileSync(out, 'utf8')).masks;
    expect(masks).toHaveLength(1);
    expect(masks[0].area).toBeGreaterThan(0);
  });

  it('refuses a model that is already quantized', () => {
    const parent = tempDir('sam-quant-again-');
    const out = path.join(parent, 'out');
    const r = cli(['convert', '--quantize', installed, '--out', out], env);
    expect(r.code).not.toBe(0);
    expect(lastLine(r.stderr)).toContain(`model folder ${installed} is already quantized`);
    expectNothingLeft(parent, out);
  });

  it('refuses a folder that is not a model, naming it', () => {
    const parent = tempDir('sam-quant-notmodel-');
    const notModel = path.join(parent, 'photos');
    mkdirSync(notModel);
    writeFileSync(path.join(notModel, 'a.jpg'), 'x');
    const out = path.join(parent, 'out');
    const r = cli(['convert', '--quantize', notModel, '--out', out], env);
    expect(r.code).not.toBe(0);
    expect(lastLine(r.stderr)).toContain(
      `model folder ${notModel}: expected an encoder and a decoder .onnx file`,
    );
    expectNothingLeft(parent, out);
  });

  it('says which Python lacks onnx', () => {
    const parent = tempDir('sam-quant-nopython-');
    const out = path.join(parent, 'out');
    const r = cli(['convert', '--quantize', BUILTIN, '--out', out], { ...env, SAM_PYTHON: '/bin/false' });
    expect(r.code).not.toBe(0);
    expect(lastLine(r.stderr)).toContain('/bin/false cannot import onnx and numpy');
    expectNothingLeft(parent, out);
  });

  it('leaves nothing under --out when quantizing fails half-way', () => {
    const parent = tempDir('sam-quant-fail-');
    // A Python that imports onnx for the check, then fails on the quantization script.
    const python = path.join(parent, 'python');
    writeFileSync(
      python,
      `#!/bin/sh\nif [ "$1" = "-c" ]; then exec /usr/bin/python3 "$@"; fi\necho "error: disk on fire" >&2\nexit 1\n`,
    );
    chmodSync(python, 0o755);
    const out = path.join(parent, 'out');
    const r = cli(['convert', '--quantize', BUILTIN, '--out', out], { ...env, SAM_PYTHON: python });
    expect(r.code).not.toBe(0);
    expect(lastLine(r.stderr)).toContain(
      `quantizing ${path.join(BUILTIN, 'encoder.onnx')} failed: disk on fire`,
    );
    expectNothingLeft(parent, out);
  });

  it('leaves nothing under --out when killed mid-way', async () => {
    const parent = tempDir('sam-quant-killed-');
    // A Python that imports onnx for the check, then takes its time on the quantization script.
    const python = path.join(parent, 'python');
    const pidFile = path.join(tempDir('sam-quant-pid-'), 'pid');
    writeFileSync(
      python,
      `#!/bin/sh\nif [ "$1" = "-c" ]; then exec /usr/bin/python3 "$@"; fi\necho $$ > ${pidFile}\nexec sleep 60\n`,
    );
    chmodSync(python, 0o755);
    const out = path.join(parent, 'out');
    const child = spawn(
      process.execPath,
      [path.join(repoRoot, 'electron', 'cli', 'bin.js'), 'convert', '--quantize', BUILTIN, '--out', out],
      { env: { ...process.env, ...env, SAM_PYTHON: python }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    while (!existsSync(pidFile)) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(lastLine(stderr)).toContain(`interrupted (SIGTERM); nothing was written to ${out}`);
    expectNothingLeft(parent, out);
    // …and the Python run was stopped, not orphaned.
    const pythonPid = Number(readFileSync(pidFile, 'utf8'));
    const alive = () => {
      try {
        process.kill(pythonPid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 40 && alive(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(alive()).toBe(false);
  }, 60_000);

  it('names an --out it cannot write', () => {
    const parent = tempDir('sam-quant-unwritable-');
    const blocker = path.join(parent, 'file');
    writeFileSync(blocker, 'not a folder');
    const out = path.join(blocker, 'out');
    const r = cli(['convert', '--quantize', BUILTIN, '--out', out], env);
    expect(r.code).not.toBe(0);
    expect(lastLine(r.stderr)).toContain(
      `cannot write ${blocker}: part of that path is a file, not a folder`,
    );
  });

  it('refuses an --out that already holds files', () => {
    const out = tempDir('sam-quant-full-');
    writeFileSync(path.join(out, 'keep.txt'), 'mine');
    const r = cli(['convert', '--quantize', BUILTIN, '--out', out], env);
    expect(r.code).not.toBe(0);
    expect(lastLine(r.stderr)).toContain(`--out ${out} already exists and is not empty`);
    expect(readdirSync(out)).toEqual(['keep.txt']);
  });
});

describe('sam-annotate convert --quantize on other folder shapes', () => {
  const env = (root: string) => ({
    SAM_ANNOTATE_DATA: path.join(root, 'data'),
    SAM_ANNOTATE_CACHE: path.join(root, 'cache'),
  });

  it('keeps an encoder with external data outside its graph file, and copies what it does not quantize', async () => {
    const root = tempDir('sam-quant-external-');
    const source = path.join(root, 'ext');
    const tiny = path.join(fixturesDir, 'models', 'tiny-random');
    mkdirSync(source);
    // The tiny fixture with its encoder's weights moved to encoder.onnx.data, as ViT-H ships.
    const python = [
      'import hashlib, json, shutil, sys, onnx',
      'src, dst = sys.argv[1], sys.argv[2]',
      'm = onnx.load(src + "/encoder.onnx")',
      'onnx.save_model(m, dst + "/encoder.onnx", save_as_external_data=True, location="encoder.onnx.data", size_threshold=0)',
      'shutil.copy(src + "/decoder.onnx", dst)',
      'sha = lambda f: hashlib.sha256(open(dst + "/" + f, "rb").read()).hexdigest()',
      'man = json.load(open(src + "/manifest.json"))',
      'man["files"]["encoder"].update(sha256=sha("encoder.onnx"), external_data=[{"path": "encoder.onnx.data", "sha256": sha("encoder.onnx.data")}])',
      'json.dump(man, open(dst + "/manifest.json", "w"))',
    ].join('\n');
    const made = spawnSync('/usr/bin/python3', ['-c', python, tiny, source], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const out = path.join(root, 'out');
    const r = cli(['convert', '--quantize', source, '--out', out, '--quantize-only', 'encoder'], env(root));
    expect(r.code, r.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.files.encoder.external_data).toEqual([
      { path: 'encoder.onnx.data', sha256: sha256(path.join(out, 'encoder.onnx.data')) },
    ]);
    expect(manifest.quantization.graphs.map((g: { role: string }) => g.role)).toEqual(['encoder']);
    expect(readFileSync(path.join(out, 'decoder.onnx'))).toEqual(
      readFileSync(path.join(tiny, 'decoder.onnx')),
    );
    const folder = await openModelFolder(out, new FileHashCache());
    expect(folder.graphs.find((g) => g.file === 'encoder.onnx')!.externalFiles).toEqual([
      'encoder.onnx.data',
    ]);
  }, 240_000);

  it('writes quantization.json beside a folder that has no manifest, and the twin keeps its layout', async () => {
    const root = tempDir('sam-quant-nomanifest-');
    const source = path.join(fixturesDir, 'models', 'mobile-sam-preprocess');
    const out = path.join(root, 'out');
    const r = cli(['convert', '--quantize', source, '--out', out], env(root));
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      'mobile_sam.encoder.onnx',
      'quantization.json',
      'sam_vit_tiny.decoder.onnx',
    ]);
    const record = JSON.parse(readFileSync(path.join(out, 'quantization.json'), 'utf8'));
    expect(record.agreement.masks).toBe(8 * 19);
    const hashes = new FileHashCache();
    const [before, after] = [await openModelFolder(source, hashes), await openModelFolder(out, hashes)];
    expect(after.layout.kind).toBe(before.layout.kind);
    const again = cli(['convert', '--quantize', out, '--out', path.join(root, 'again')], env(root));
    expect(lastLine(again.stderr)).toContain(`model folder ${out} is already quantized`);
  }, 240_000);
});

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}
