/**
 * `npm run bench -- quant` (issue 16): the int8 twin (`sam-annotate convert --quantize`) of the ViT-B-size
 * random-weight model against its float32 file: encode time (bare onnxruntime sessions on the same input,
 * interleaved, medians; target int8 ≤ 0.4 × the default session on the float32 file), click time (the app's
 * pipeline, idle, interleaved), and mask agreement (the IoU report convert --quantize stores; random weights give
 * a pessimistic agreement, so the trained demo model's is printed too). Compare ratios of one run.
 *   --quant-reps N   encode repetitions per session (default 3)
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { imagePoint } from '../../electron/common/frames.ts';
import type { AgreementReport } from '../../electron/models/maskAgreement.ts';
import { SamService } from '../../electron/inference/samService.ts';
import { repoRoot } from '../helpers/paths.ts';
import { cache, ensureVitB, percentile, syntheticPhoto } from './inference.ts';

const DEMO = path.join(repoRoot, 'native-models', 'builtin', 'sam-annotate-demo');
const NO_SPINNING = { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } };
const CLICKS = 30;
const reps = Number(process.argv[process.argv.indexOf('--quant-reps') + 1]) || 3;

/** The int8 twin of `source` in .cache/bench, remade when quantize.py changes. */
function ensureInt8(source: string, label: string): string {
  const script = readFileSync(path.join(repoRoot, 'native-models', 'sam_tools', 'quantize.py'));
  const key = createHash('sha256').update(script).digest('hex').slice(0, 10);
  const dir = path.join(cache, `${label}-int8-${key}`);
  if (existsSync(path.join(dir, 'manifest.json'))) return dir;
  console.error(`quantizing ${label} (once; the agreement check encodes 8 images twice) …`);
  const r = spawnSync(
    process.execPath,
    [path.join(repoRoot, 'electron', 'cli', 'bin.js'), 'convert', '--quantize', source, '--out', dir],
    { stdio: 'inherit' },
  );
  if (r.status !== 0) throw new Error(`could not quantize ${source}`);
  return dir;
}

function agreementOf(dir: string): AgreementReport {
  return JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')).quantization.agreement;
}

const median = (values: number[]) => percentile(values, 50);

/** Encode medians of the bare sessions, run interleaved on one input (a smooth synthetic image tensor). */
async function encodeTimes(fp32: string, int8: string): Promise<Record<string, number>> {
  const appOptions: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    extra: NO_SPINNING,
  };
  const sessions = {
    'float32, default session': await ort.InferenceSession.create(fp32),
    'float32, app session': await ort.InferenceSession.create(fp32, appOptions),
    'int8, app session': await ort.InferenceSession.create(int8, appOptions),
  };
  const input = sessions['float32, default session'].inputNames[0]!;
  const side = 1024;
  const pixels = new Float32Array(3 * side * side).map((_, i) => Math.sin(i * 0.001) * 2);
  const feeds = { [input]: new ort.Tensor('float32', pixels, [1, 3, side, side]) };
  const times: Record<string, number[]> = {};
  for (const name of Object.keys(sessions)) times[name] = [];
  for (let r = 0; r < reps; r++) {
    for (const [name, session] of Object.entries(sessions)) {
      const started = performance.now();
      await session.run(feeds);
      times[name]!.push(performance.now() - started);
    }
  }
  for (const session of Object.values(sessions)) await session.release();
  return Object.fromEntries(Object.entries(times).map(([name, t]) => [name, median(t)]));
}

/** Click p50 (single mask, full-resolution RLE) of each model on one photo, clicks interleaved. */
async function clickTimes(dirs: Record<string, string>, photo: string): Promise<Record<string, number>> {
  const services = Object.fromEntries(Object.keys(dirs).map((name) => [name, new SamService()]));
  try {
    for (const [name, service] of Object.entries(services)) {
      await service.loadModel(dirs[name]!);
      await service.embed(photo);
    }
    const times: Record<string, number[]> = Object.fromEntries(Object.keys(dirs).map((n) => [n, []]));
    let seed = 3;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < CLICKS + 3; i++) {
      const point = imagePoint(random() * 1600, random() * 1200);
      for (const [name, service] of Object.entries(services)) {
        const p = await service.predict(photo, { points: [{ point, label: 1 }] }, { multimask: false });
        if (i >= 3) times[name]!.push(p.timings.totalMs);
      }
    }
    return Object.fromEntries(Object.entries(times).map(([name, t]) => [name, median(t)]));
  } finally {
    for (const service of Object.values(services)) await service.close();
  }
}

function formatAgreement(label: string, a: AgreementReport): string {
  return (
    `  mask agreement, ${label}: mean IoU ${a.mean_iou.toFixed(4)}, worst ${a.worst_iou.toFixed(4)} ` +
    `(${a.worst.image} ${a.worst.prompt}; ${a.masks} masks on ${a.images.join(', ')})`
  );
}

export async function benchQuant(): Promise<void> {
  const fp32 = ensureVitB();
  const int8 = ensureInt8(fp32, 'vit_b-random');
  const demoInt8 = ensureInt8(DEMO, 'demo');
  const photo = path.join(cache, 'photo-1600x1200.jpg');
  await syntheticPhoto(photo, 1600, 1200);

  const encode = await encodeTimes(path.join(fp32, 'encoder.onnx'), path.join(int8, 'encoder.onnx'));
  const base = encode['float32, default session']!;
  console.log(`ViT-B-size random model, encode (bare onnxruntime, ${reps} interleaved runs, medians):`);
  for (const [name, ms] of Object.entries(encode))
    console.log(
      `  ${name.padEnd(26)} ${(ms / 1000).toFixed(2)} s  ${(ms / base).toFixed(2)}× default float32`,
    );
  const ratio = encode['int8, app session']! / base;
  console.log(
    `  int8 encode ${(encode['int8, app session']! / 1000).toFixed(2)} s (target ≤ 0.4× the default session on the ` +
      `float32 file: ${ratio.toFixed(2)}×, ${(ratio / 0.4).toFixed(2)}× target)`,
  );

  const clicks = await clickTimes({ float32: fp32, int8 }, photo);
  console.log(
    `  click p50 (1600×1200, single mask, ${CLICKS} interleaved): float32 ${clicks.float32!.toFixed(1)} ms, ` +
      `int8 ${clicks.int8!.toFixed(1)} ms (${(clicks.int8! / clicks.float32!).toFixed(2)}×)`,
  );
  console.log(formatAgreement('ViT-B random weights (pessimistic)', agreementOf(int8)));
  console.log(formatAgreement('built-in demo model (trained weights)', agreementOf(demoInt8)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchQuant();
}
