/**
 * `npm run bench -- quant` (issue 16): the int8 twin (electron/models/quantize.ts, as `sam-annotate convert
 * --quantize` writes it) of the ViT-B-size random-weight model against its float32 files, bare onnxruntime
 * sessions on the same inputs: encode time (target int8 ≤ 0.4 × the default session on the float32 file) and
 * decoder time per click (the app's session options), interleaved, medians; one session in memory at a time
 * (a ViT-B session peaks at ~4 GB). Mask agreement: ViT-B (random weights: pessimistic) on the two conformance
 * images (tests/fixtures/reference) to keep encodes few, and the built-in demo model (trained weights) on
 * convert --quantize's full set. Compare ratios of one run.
 *   --quant-reps N   encode repetitions per session (default 3)
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { FileHashCache } from '../../electron/inference/fileHash.ts';
import { openModelFolder } from '../../electron/inference/modelFolder.ts';
import { type AgreementReport, measureAgreement } from '../../electron/models/maskAgreement.ts';
import {
  quantizationRecord,
  writeQuantizedGraphs,
  writeQuantizedManifest,
} from '../../electron/models/quantize.ts';
import { fixturesDir, repoRoot } from '../helpers/paths.ts';
import { cache, ensureVitB, percentile } from './shared.ts';

const DEMO = path.join(repoRoot, 'native-models', 'builtin', 'sam-annotate-demo');
const NO_SPINNING = { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } };
const APP_OPTIONS: ort.InferenceSession.SessionOptions = {
  graphOptimizationLevel: 'all',
  extra: NO_SPINNING,
};
const CLICKS = 30;
const reps = Number(process.argv[process.argv.indexOf('--quant-reps') + 1]) || 3;
const median = (values: number[]) => percentile(values, 50);

function scriptKey(): string {
  const script = readFileSync(path.join(repoRoot, 'native-models', 'sam_tools', 'quantize.py'));
  return createHash('sha256').update(script).digest('hex').slice(0, 10);
}

/** The demo model's int8 twin made by the CLI itself (full agreement set), remade when quantize.py changes. */
function demoInt8(): string {
  const dir = path.join(cache, `demo-int8-${scriptKey()}`);
  if (existsSync(path.join(dir, 'manifest.json'))) return dir;
  const cli = path.join(repoRoot, 'electron', 'cli', 'bin.js');
  const r = spawnSync(process.execPath, [cli, 'convert', '--quantize', DEMO, '--out', dir], {
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('could not quantize the demo model');
  return dir;
}

/** The ViT-B int8 twin, its agreement measured on the conformance images only (module doc). */
async function vitBInt8(fp32: string): Promise<string> {
  const dir = path.join(cache, `vit_b-random-int8-${scriptKey()}`);
  if (existsSync(path.join(dir, 'manifest.json'))) return dir;
  console.error('quantizing the ViT-B-size model and measuring its agreement (once) …');
  const staging = `${dir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const hashes = new FileHashCache();
  const folder = await openModelFolder(fp32, hashes);
  const graphs = await writeQuantizedGraphs(folder, staging, 'both');
  const images = ['tall.png', 'wide.png'].map((f) => path.join(fixturesDir, 'reference', f));
  const agreement = await measureAgreement(fp32, staging, images);
  await writeQuantizedManifest(
    folder,
    staging,
    `${folder.name}-int8`,
    quantizationRecord(folder, graphs, agreement),
    hashes,
  );
  renameSync(staging, dir);
  return dir;
}

function agreementOf(dir: string): AgreementReport {
  return JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')).quantization.agreement;
}

/** Median run time of each (file, options) variant; variants interleaved, one session alive at a time. */
async function interleaved(
  variants: Record<string, { file: string; options?: ort.InferenceSession.SessionOptions }>,
  feeds: (session: ort.InferenceSession) => Record<string, ort.Tensor>,
  runs: number,
  perSession = 1,
): Promise<Record<string, number>> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((n) => [n, []]));
  for (let r = 0; r < runs; r++) {
    for (const [name, { file, options }] of Object.entries(variants)) {
      const session = await ort.InferenceSession.create(file, options ?? {});
      const input = feeds(session);
      if (perSession > 1) await session.run(input); // warm-up for the short decoder runs
      for (let i = 0; i < perSession; i++) {
        const started = performance.now();
        await session.run(input);
        times[name]!.push(performance.now() - started);
      }
      await session.release();
    }
  }
  return Object.fromEntries(Object.entries(times).map(([name, t]) => [name, median(t)]));
}

function encoderFeeds(session: ort.InferenceSession): Record<string, ort.Tensor> {
  const side = 1024;
  const pixels = new Float32Array(3 * side * side).map((_, i) => Math.sin(i * 0.001) * 2);
  return { [session.inputNames[0]!]: new ort.Tensor('float32', pixels, [1, 3, side, side]) };
}

/** One click's decoder inputs (Meta's SAM 1 contract): a point plus the padding point, no mask input. */
function decoderFeeds(): Record<string, ort.Tensor> {
  const embedding = new Float32Array(256 * 64 * 64).map((_, i) => Math.sin(i * 0.01) * 0.1);
  return {
    image_embeddings: new ort.Tensor('float32', embedding, [1, 256, 64, 64]),
    point_coords: new ort.Tensor('float32', new Float32Array([400, 300, 0, 0]), [1, 2, 2]),
    point_labels: new ort.Tensor('float32', new Float32Array([1, -1]), [1, 2]),
    mask_input: new ort.Tensor('float32', new Float32Array(256 * 256), [1, 1, 256, 256]),
    has_mask_input: new ort.Tensor('float32', new Float32Array([0]), [1]),
    orig_im_size: new ort.Tensor('float32', new Float32Array([1200, 1600]), [2]),
  };
}

function formatAgreement(label: string, a: AgreementReport): string {
  return (
    `  mask agreement, ${label}: mean IoU ${a.mean_iou.toFixed(4)}, worst ${a.worst_iou.toFixed(4)} ` +
    `(${a.worst.image} ${a.worst.prompt}; ${a.masks} masks on ${a.images.join(', ')})`
  );
}

export async function benchQuant(): Promise<void> {
  const fp32 = ensureVitB();
  const int8 = await vitBInt8(fp32);
  const demo = demoInt8();

  const encode = await interleaved(
    {
      'float32, default session': { file: path.join(fp32, 'encoder.onnx') },
      'float32, app session': { file: path.join(fp32, 'encoder.onnx'), options: APP_OPTIONS },
      'int8, app session': { file: path.join(int8, 'encoder.onnx'), options: APP_OPTIONS },
    },
    encoderFeeds,
    reps,
  );
  const base = encode['float32, default session']!;
  console.log(`ViT-B-size random model, encode (bare onnxruntime, ${reps} interleaved runs, medians):`);
  for (const [name, ms] of Object.entries(encode))
    console.log(
      `  ${name.padEnd(26)} ${(ms / 1000).toFixed(2)} s  ${(ms / base).toFixed(2)}× default float32`,
    );
  const ratio = encode['int8, app session']! / base;
  console.log(
    `  int8 encode ${(encode['int8, app session']! / 1000).toFixed(2)} s (target ≤ 0.4× the default session on ` +
      `the float32 file: ${ratio.toFixed(2)}×, ${(ratio / 0.4).toFixed(2)}× target)`,
  );
  const feeds = decoderFeeds();
  const click = await interleaved(
    {
      float32: { file: path.join(fp32, 'decoder.onnx'), options: APP_OPTIONS },
      int8: { file: path.join(int8, 'decoder.onnx'), options: APP_OPTIONS },
    },
    () => feeds,
    3,
    CLICKS / 3,
  );
  console.log(
    `  decoder per click (app session, ${CLICKS} runs each, interleaved): float32 ${click.float32!.toFixed(1)} ms, ` +
      `int8 ${click.int8!.toFixed(1)} ms (${(click.int8! / click.float32!).toFixed(2)}×)`,
  );
  console.log(formatAgreement('ViT-B random weights (pessimistic)', agreementOf(int8)));
  console.log(formatAgreement('built-in demo model (trained weights)', agreementOf(demo)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchQuant();
}
