/**
 * Automatic mask generation benchmark: seconds per image with Meta's default parameters (32×32 prompts, one crop),
 * split into encoder / decoder / post-processing, peak RSS, and the effect of points_per_batch (16 / 64 / 256)
 * with and without a batch decoder graph. Models: the committed fixture (S = 256) on its reference image, and a
 * ViT-B-size model with random weights (tests/bench/shared.ts) on a 1600×1200 synthetic photo; the models are
 * exported into .cache/test-models on first use (again when the exporter changes). Each configuration runs in its own process, so
 * peak RSS is that configuration's. Random weights pass few masks through Meta's filters, so post-processing is
 * a smaller share here than with real weights ("upsampled" counts the candidates that reached it).
 *
 * Then the issue-16 target, side by side with Meta's code (`--vs-meta` runs only this part): the whole
 * `sam-annotate amg` process against `SamAutomaticMaskGenerator.generate` (native-models/tools/amg_reference_run.py,
 * Meta's code step by step in torch) on the same ViT-B-size random weights and the same PNG, interleaved
 * (`--reps N`, medians), with the ratio, the target (≤ 0.25×) and whether the mask sets are identical (count and
 * every RLE). Random weights pass no mask through Meta's default filters, so the identity is also checked at
 * looser filters (points_per_side 8, stability 0.75, no box NMS) where dozens pass.
 *
 *   node --import tsx tests/bench/amg.ts            # everything (~25 min on 2 cores)
 *   node --import tsx tests/bench/amg.ts --quick    # fixture only
 *   node --import tsx tests/bench/amg.ts --vs-meta [--reps 3]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { resolveAmgParams } from '../../electron/common/amg/params.ts';
import { generateMasks } from '../../electron/inference/amg.ts';
import { SamService } from '../../electron/inference/samService.ts';
import type { Rle } from '../../electron/common/rle.ts';
import { exportedModel, tinyBatchModel } from '../helpers/models.ts';
import { maskIou } from '../helpers/referenceSuite.ts';
import { fixturesDir, repoRoot } from '../helpers/paths.ts';
import { cache, ensureVitB } from './shared.ts';

export interface AmgBenchRow {
  model: string;
  pointsPerBatch: number;
  batchGraph: boolean;
  secondsPerImage: number;
  encodeS: number;
  decodeS: number;
  postS: number;
  masks: number;
  upsampled: number;
  peakRssMb: number;
}

/** The ViT-B-size random model as `sam-annotate convert` makes SAM 1 folders: with the batch decoder. */
function ensureVitBBatch(): string {
  return exportedModel(
    'vit_b-random-batch',
    ['--random-seed', '0', '--type', 'vit_b', '--batch-decoder'],
    [],
  );
}

async function photo(): Promise<string> {
  const file = path.join(cache, 'photo-1600x1200.jpg');
  if (existsSync(file)) return file;
  mkdirSync(cache, { recursive: true });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="1200">
    <rect width="100%" height="100%" fill="#5a8"/><circle cx="480" cy="480" r="240" fill="#236"/>
    <rect x="880" y="360" width="480" height="480" fill="#eee"/></svg>`;
  await sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toFile(file);
  return file;
}

/** One configuration, in this process: one warm-up-free run (the encoder result is not cached). */
async function runOne(model: string, dir: string, image: string, ppb: number, batched: boolean) {
  const service = new SamService({ threads: os.availableParallelism() });
  try {
    await service.loadModel(dir);
    const params = resolveAmgParams({ points_per_batch: ppb });
    const r = await generateMasks(service, image, params, { batched });
    const row: AmgBenchRow = {
      model,
      pointsPerBatch: ppb,
      batchGraph: r.stats.batched,
      secondsPerImage: r.stats.totalMs / 1000,
      encodeS: r.stats.encodeMs / 1000,
      decodeS: r.stats.decodeMs / 1000,
      postS: r.stats.postprocessMs / 1000,
      masks: r.masks.length,
      upsampled: r.stats.upsampled,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    };
    return row;
  } finally {
    await service.close();
  }
}

/** Every configuration, each in a child process. */
export async function benchAmg(quick = false): Promise<AmgBenchRow[]> {
  const wide = path.join(fixturesDir, 'reference', 'wide.png');
  const tiny = path.join(fixturesDir, 'models', 'tiny-random');
  const tinyBatch = tinyBatchModel();
  const configs: [string, string, string, number, boolean][] = [
    ['fixture (S=256) 320×183', tiny, wide, 64, false],
    ['fixture (S=256) 320×183', tinyBatch, wide, 64, true],
  ];
  if (!quick) {
    const image = await photo();
    const vitb = ensureVitB();
    const vitbBatch = ensureVitBBatch();
    configs.push(['ViT-B (S=1024) 1600×1200', vitb, image, 64, false]);
    for (const ppb of [16, 64, 256]) configs.push(['ViT-B (S=1024) 1600×1200', vitbBatch, image, ppb, true]);
  }
  const rows: AmgBenchRow[] = [];
  for (const [name, dir, image, ppb, batched] of configs) {
    console.error(`… ${name}, points_per_batch ${ppb}${batched ? ', batch graph' : ''}`);
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(repoRoot, 'tests', 'bench', 'amg.ts'),
        '--one',
        name,
        dir,
        image,
        String(ppb),
        String(batched),
      ],
      { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    );
    if (r.status !== 0) throw new Error(`AMG benchmark of ${name} failed`);
    rows.push(JSON.parse(r.stdout.trim().split('\n').pop()!) as AmgBenchRow);
  }
  return rows;
}

interface Sa1bFile {
  annotations: { segmentation: { size: [number, number]; counts: string } }[];
}

/** The whole `sam-annotate amg` process on one image: wall seconds, peak RSS (GNU time), the SA-1B document. */
function runOurs(model: string, image: string, flags: string[]) {
  const out = mkdtempSync(path.join(os.tmpdir(), 'sam-amg-bench-'));
  try {
    const cli = path.join(repoRoot, 'electron', 'cli', 'bin.js');
    const args = ['amg', '--model', model, '--input', image, '--output', out, '--no-cache', ...flags];
    const timed = existsSync('/usr/bin/time');
    const started = performance.now();
    const r = timed
      ? spawnSync('/usr/bin/time', ['-f', 'peak-rss-kb %M', process.execPath, cli, ...args], {
          encoding: 'utf8',
        })
      : spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
    const seconds = (performance.now() - started) / 1000;
    if (r.status !== 0) throw new Error(`sam-annotate amg failed: ${r.stderr}`);
    const rss = /peak-rss-kb (\d+)/.exec(r.stderr ?? '');
    const stem = path.basename(image, path.extname(image));
    const doc = JSON.parse(readFileSync(path.join(out, `${stem}.json`), 'utf8')) as Sa1bFile;
    return { seconds, peakRssMb: rss ? Number(rss[1]) / 1024 : NaN, doc };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Meta's generate on the same weights (export.py --random-seed 0 --type vit_b): its own timing and masks. */
function runMeta(image: string, flags: string[]) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sam-amg-meta-'));
  try {
    const out = path.join(dir, 'masks.json');
    const script = path.join(repoRoot, 'native-models', 'tools', 'amg_reference_run.py');
    const args = [script, '--type', 'vit_b', '--random-seed', '0', '--image', image, '--out', out, ...flags];
    const r = spawnSync('/usr/bin/python3', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`the PyTorch reference failed: ${r.stderr}`);
    const line = JSON.parse(r.stdout.trim().split('\n').pop()!) as { generate_s: number };
    return { seconds: line.generate_s, doc: JSON.parse(readFileSync(out, 'utf8')) as Sa1bFile };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * "identical (N masks)", or what differs: the counts, or how many RLEs differ and their smallest IoU with Meta's
 * (the ONNX encoder and torch differ in the last float bits, which flips pixels whose logit is near 0; the
 * conformance tests allow IoU ≥ 0.999).
 */
function sameMasks(ours: Sa1bFile, meta: Sa1bFile): string {
  const a = ours.annotations;
  const b = meta.annotations;
  if (a.length !== b.length) return `DIFFERENT: ${a.length} masks vs Meta's ${b.length}`;
  const ious = a
    .map((m, k) => [m.segmentation, b[k]!.segmentation] as const)
    .filter(([x, y]) => x.counts !== y.counts)
    .map(([x, y]) => maskIou(x as Rle, y as Rle));
  if (ious.length === 0) return `identical (${a.length} masks, every RLE equal)`;
  return `${a.length} masks as Meta's, ${a.length - ious.length} RLEs equal, ${ious.length} differ (IoU ≥ ${Math.min(...ious).toFixed(5)})`;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Issue 16's AMG target: ours / Meta's on the same weights and image, runs interleaved. */
export async function benchVsMeta(reps = 1): Promise<void> {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    console.log('\nAMG vs Meta: skipped (/usr/bin/python3 has no torch)');
    return;
  }
  const model = ensureVitBBatch();
  const png = path.join(cache, 'photo-1600x1200.png');
  if (!existsSync(png))
    await sharp(await photo())
      .png()
      .toFile(png);
  console.log(
    `\nAMG vs Meta's SamAutomaticMaskGenerator.generate: ViT-B-size random weights (seed 0), 1600×1200 PNG, ${os.availableParallelism()} cores`,
  );
  const ours: number[] = [];
  const meta: number[] = [];
  let rss = NaN;
  let identity = '';
  for (let r = 0; r < reps; r++) {
    console.error(`… rep ${r + 1}/${reps}: sam-annotate amg, then Meta's generate (default parameters)`);
    const o = runOurs(model, png, []);
    const m = runMeta(png, []);
    ours.push(o.seconds);
    meta.push(m.seconds);
    rss = Math.max(o.peakRssMb, Number.isNaN(rss) ? 0 : rss);
    identity = sameMasks(o.doc, m.doc);
  }
  const loose = ['--points-per-side', '8', '--stability-score-thresh', '0.75', '--box-nms-thresh', '1'];
  console.error('… identity at looser filters');
  const looseIdentity = sameMasks(runOurs(model, png, loose).doc, runMeta(png, loose).doc);
  const ratio = median(ours) / median(meta);
  console.log(
    `AMG default parameters: ours ${median(ours).toFixed(1)} s (whole sam-annotate amg process, peak RSS ` +
      `${rss.toFixed(0)} MB), Meta's generate ${median(meta).toFixed(1)} s → ${ratio.toFixed(2)}× Meta's ` +
      `(target ≤ 0.25×, ${(ratio / 0.25).toFixed(2)}× target); medians of ${reps}, runs interleaved`,
  );
  console.log(`  mask set at the defaults: ${identity}`);
  console.log(`  mask set at ${loose.join(' ')}: ${looseIdentity}`);
  console.log(
    `  each run: ours ${ours.map((s) => s.toFixed(1)).join(', ')} s; Meta ${meta.map((s) => s.toFixed(1)).join(', ')} s`,
  );
}

export function printAmg(rows: AmgBenchRow[]): void {
  const f = (n: number, d = 2) => n.toFixed(d);
  console.log('\nAutomatic mask generation, default parameters (32×32 prompts, 1 crop); seconds per image');
  console.table(
    rows.map((r) => ({
      model: r.model,
      decoder: r.batchGraph ? 'batch graph' : 'one run/prompt',
      points_per_batch: r.pointsPerBatch,
      's/image': f(r.secondsPerImage),
      'encoder s': f(r.encodeS),
      'decoder s': f(r.decodeS),
      'post s': f(r.postS),
      upsampled: r.upsampled,
      masks: r.masks,
      'peak RSS MB': f(r.peakRssMb, 0),
    })),
  );
  const vit = rows.filter((r) => r.model.startsWith('ViT-B'));
  const loop = vit.find((r) => !r.batchGraph);
  const best = vit.filter((r) => r.batchGraph).sort((a, b) => a.secondsPerImage - b.secondsPerImage)[0];
  if (loop && best) {
    console.log(
      `ViT-B: batch graph at points_per_batch ${best.pointsPerBatch} is ${(loop.decodeS / best.decodeS).toFixed(2)}× ` +
        `faster in the decoder than one run per prompt; anchor: ViT-B AMG on CPU ~30 s (Ryzen 7600) … >2 min (old i7), SA #488`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const reps = Number(args[args.indexOf('--reps') + 1]) || 1;
  if (args[0] === '--one') {
    const [, name, dir, image, ppb, batched] = args as [string, string, string, string, string, string];
    console.log(JSON.stringify(await runOne(name, dir, image, Number(ppb), batched === 'true')));
  } else if (args.includes('--vs-meta')) {
    await benchVsMeta(reps);
  } else {
    printAmg(await benchAmg(args.includes('--quick')));
    if (!args.includes('--quick')) await benchVsMeta(reps);
  }
}
