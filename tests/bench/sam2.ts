/**
 * SAM 2.1 beside SAM 1 (issue 14 §2): per model, encode seconds, decode ms p50/p95 (one positive click, three
 * candidates), peak RSS and the embedding cache's bytes per image. Models have random weights with Meta's
 * architectures: ViT-B (native-models/export.py) and Hiera-T/S/B+/L (export_sam2.py --random-seed), generated on
 * demand into .cache/bench/ (never committed). Each model is measured in its own process, so peak RSS is that
 * model's; a model that cannot be generated or run prints "skipped: <reason>" and the rest go on.
 *
 *   npm run bench -- sam2                       ViT-B and Hiera-T
 *   npm run bench -- sam2 --sam2-sizes t,s,b+   ViT-B and those sizes
 *   npm run bench -- sam2 --all                 ViT-B and T, S, B+, L (L is ~900 MB to generate, and slow)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { imagePoint } from '../../electron/common/frames.ts';
import { embeddingBytes } from '../../electron/inference/embeddingCache.ts';
import { SamService } from '../../electron/inference/samService.ts';
import { exporterHash } from '../helpers/models.ts';
import { repoRoot } from '../helpers/paths.ts';
import { cache, ensureVitB, percentile, syntheticPhoto } from './shared.ts';

const SIZES = { t: 'T', s: 'S', 'b+': 'B+', l: 'L' } as const;
type Size = keyof typeof SIZES;

export interface Sam2BenchRow {
  readonly model: string;
  readonly encodeS: number;
  readonly decodeP50: number;
  readonly decodeP95: number;
  readonly peakRssMb: number;
  readonly cacheBytes: number;
}

/**
 * `measure` on the SAM 1 ViT-B-size and the SAM 2.1 Hiera-T random models (issue 16's two decoders), in that
 * order; Hiera-T is skipped, with a line, when it cannot be generated (no torch).
 */
export async function onVitBAndHieraT<T>(measure: (name: string, dir: string) => Promise<T>): Promise<T[]> {
  const rows = [await measure('SAM 1 ViT-B (random)', ensureVitB())];
  try {
    rows.push(await measure('SAM 2.1 Hiera-T (random)', ensureSam2('t')));
  } catch (error) {
    console.log(`SAM 2.1 Hiera-T skipped: ${(error as Error).message}`);
  }
  return rows;
}

/** A random-weight SAM 2.1 of Meta's architecture `size`, exported into .cache/bench/ once per exporter version. */
export function ensureSam2(size: Size): string {
  const type = `sam2.1_hiera_${size}`;
  const dir = path.join(cache, `${type}-random-${exporterHash(['sam2'], 'export_sam2.py')}`);
  if (existsSync(path.join(dir, 'manifest.json'))) return dir;
  console.error(`generating ${type} with random weights (once${size === 'l' ? '; ~900 MB, slow' : ''}) …`);
  mkdirSync(cache, { recursive: true });
  const result = spawnSync(
    '/usr/bin/python3',
    [
      path.join(repoRoot, 'native-models', 'export_sam2.py'),
      '--random-seed',
      '0',
      '--type',
      type,
      '--out',
      dir,
      '--no-smoke',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' },
  );
  if (result.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    const last = result.stderr.trim().split('\n').at(-1) ?? `exit code ${result.status}`;
    throw new Error(`could not generate ${type}: ${last}`);
  }
  return dir;
}

/** In this process: load, encode twice (the second is timed), decode `clicks` one-point prompts. */
async function measure(name: string, dir: string, clicks = 40): Promise<Sam2BenchRow> {
  const photo = path.join(cache, 'photo-1600x1200.jpg');
  const second = path.join(cache, 'photo-1200x1600.jpg');
  await syntheticPhoto(photo, 1600, 1200);
  await syntheticPhoto(second, 1200, 1600);
  const service = new SamService({ threads: os.availableParallelism() });
  try {
    await service.loadModel(dir);
    await service.embed(second); // warm-up: first-run allocations
    const { embedding, encodeMs } = await service.embed(photo);
    const decodeMs: number[] = [];
    let seed = 1;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < clicks + 5; i++) {
      const p = await service.predict(
        photo,
        { points: [{ point: imagePoint(random() * 1600, random() * 1200), label: 1 }] },
        { multimask: true, output: { rle: false, bitmap: false } },
      );
      if (i >= 5) decodeMs.push(p.timings.decodeMs);
    }
    return {
      model: name,
      encodeS: (encodeMs ?? NaN) / 1000,
      decodeP50: percentile(decodeMs, 50),
      decodeP95: percentile(decodeMs, 95),
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      cacheBytes: embeddingBytes(embedding),
    };
  } finally {
    await service.close();
  }
}

/** One model in a child process → its row, or the one-line reason it could not run. */
function measureApart(name: string, dir: () => string): Sam2BenchRow | { model: string; skipped: string } {
  let folder: string;
  try {
    folder = dir();
  } catch (error) {
    return { model: name, skipped: (error as Error).message };
  }
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'tests', 'bench', 'sam2.ts'), '--measure', name, folder],
    { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const row = child.stdout.trim().split('\n').at(-1);
  if (child.status === 0 && row) return JSON.parse(row) as Sam2BenchRow;
  // The thrown error's own line (`UserError: model folder …: unknown model layout …`), else stderr's last line.
  const lines = child.stderr.trim().split('\n');
  const thrown = lines.find((l) => /^\w*Error: /.test(l));
  const reason = thrown ? thrown.replace(/^\w*Error: /, '') : lines.at(-1);
  return { model: name, skipped: reason || `exit code ${child.status}` };
}

/** `--sam2-sizes t,s` / `--all` → the sizes to run (default: t). */
export function sam2Sizes(argv: readonly string[]): Size[] {
  const { values } = parseArgs({
    args: [...argv],
    options: { 'sam2-sizes': { type: 'string' }, all: { type: 'boolean' } },
    strict: false,
  });
  if (values.all) return Object.keys(SIZES) as Size[];
  const asked = String(values['sam2-sizes'] ?? 't')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = asked.filter((s) => !(s in SIZES));
  if (unknown.length) throw new Error(`--sam2-sizes ${unknown.join(',')}: expected some of t, s, b+, l`);
  return asked as Size[];
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

export function printSam2(rows: ReadonlyArray<Sam2BenchRow | { model: string; skipped: string }>): void {
  console.log(
    '\nSAM 2.1 beside SAM 1 (random weights, 1600×1200 photo; decode = one click, three candidates)',
  );
  for (const r of rows) {
    if ('skipped' in r) {
      console.log(`${r.model.padEnd(26)} skipped: ${r.skipped}`);
      continue;
    }
    console.log(
      `${r.model.padEnd(26)} encode ${fmt(r.encodeS, 2)} s · decode p50 ${fmt(r.decodeP50)} ms, ` +
        `p95 ${fmt(r.decodeP95)} ms · peak RSS ${fmt(r.peakRssMb, 0)} MB · cache ${fmt(r.cacheBytes / 2 ** 20, 1)} MiB/image`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  if (argv[0] === '--measure') {
    console.log(JSON.stringify(await measure(argv[1]!, argv[2]!)));
  } else {
    const rows = [measureApart('SAM 1 ViT-B (S=1024)', ensureVitB)];
    for (const size of sam2Sizes(argv))
      rows.push(measureApart(`SAM 2.1 Hiera-${SIZES[size]} (S=1024)`, () => ensureSam2(size)));
    printSam2(rows);
  }
}
