/**
 * Issue 16's click target, as the issue measures it: `sam-annotate predict --prompts` on an 800×534 photo, the
 * time of each prompt set after the first (one positive click, three candidates, full-resolution RLE included),
 * beside a bare onnxruntime session with default options on the same decoder file (one click, all outputs
 * fetched). Runs alternate (bare, CLI, bare, CLI) so both see the same machine load; the medians are reported.
 * Models: SAM 1 ViT-B size and SAM 2.1 Hiera-T, random weights (generated once into .cache/bench/).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { repoRoot } from '../helpers/paths.ts';
import { cache, percentile, syntheticPhoto } from './shared.ts';
import { onVitBAndHieraT } from './sam2.ts';

export const CLI_CLICK_TARGET_MS = 40;
const ROUNDS = 2;
const SETS = 25;
const BARE_RUNS = 25;

export interface ClickTargetRow {
  readonly model: string;
  readonly bareP50: number;
  readonly cliP50: number;
}

/** Feeds for one click on a random embedding, built from the decoder's own input metadata. */
function bareFeeds(session: ort.InferenceSession, x: number, y: number): Record<string, ort.Tensor> {
  let seed = 11;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
  const feeds: Record<string, ort.Tensor> = {};
  for (const meta of session.inputMetadata) {
    if (!meta.isTensor) throw new Error(`decoder input ${meta.name} is not a tensor`);
    const dims = meta.shape.map((d) => (typeof d === 'number' ? d : d === 'num_points' ? 2 : 1));
    const count = dims.reduce((a, b) => a * b, 1);
    const f32 = (data: Float32Array, shape = dims) => new ort.Tensor('float32', data, shape);
    if (meta.name === 'point_coords') feeds[meta.name] = f32(Float32Array.of(x, y, 0, 0), [1, 2, 2]);
    else if (meta.name === 'point_labels') feeds[meta.name] = f32(Float32Array.of(1, -1), [1, 2]);
    else if (meta.name === 'orig_im_size')
      feeds[meta.name] =
        meta.type === 'int64'
          ? new ort.Tensor('int64', BigInt64Array.of(534n, 800n), [2])
          : f32(Float32Array.of(534, 800), [2]);
    else if (meta.name === 'has_mask_input' || meta.name === 'mask_input')
      feeds[meta.name] = f32(new Float32Array(count));
    else feeds[meta.name] = f32(Float32Array.from({ length: count }, random));
  }
  return feeds;
}

/** p50 of `BARE_RUNS` clicks on a default onnxruntime session (after 3 warm-up runs). */
async function bareP50(session: ort.InferenceSession): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < BARE_RUNS + 3; i++) {
    const feeds = bareFeeds(session, 100 + 20 * (i % 40), 300);
    const t0 = performance.now();
    await session.run(feeds);
    if (i >= 3) times.push(performance.now() - t0);
  }
  return percentile(times, 50);
}

/** Per-set totalMs of `predict --prompts` (every set after the first), from the CLI's own output. */
function cliSetTimes(model: string, photo: string, prompts: string): number[] {
  const out = path.join(cache, 'click-targets.out.json');
  const result = spawnSync(
    process.execPath,
    [
      path.join(repoRoot, 'electron', 'cli', 'bin.js'),
      'predict',
      '--model',
      model,
      '--image',
      photo,
      '--prompts',
      prompts,
      '--out',
      out,
      '--cache-dir',
      path.join(cache, 'cli-cache'),
    ],
    { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] },
  );
  if (result.status !== 0) throw new Error(`predict failed: ${result.stderr.trim().split('\n').at(-1)}`);
  const json = JSON.parse(readFileSync(out, 'utf8')) as { results: { timings: { totalMs: number } }[] };
  return json.results.slice(1).map((r) => r.timings.totalMs);
}

function promptSets(): string {
  const file = path.join(cache, `click-targets-prompts-${SETS}.json`);
  let seed = 5;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const sets = Array.from({ length: SETS + 1 }, (_, i) => ({
    name: `click${i}`,
    point_coords: [[Math.round(random() * 799), Math.round(random() * 533)]],
    point_labels: [1],
    multimask_output: true,
  }));
  writeFileSync(file, JSON.stringify(sets));
  return file;
}

async function measure(name: string, dir: string, photo: string, prompts: string): Promise<ClickTargetRow> {
  const session = await ort.InferenceSession.create(path.join(dir, 'decoder.onnx'));
  cliSetTimes(dir, photo, prompts); // encodes once into the bench's embedding cache
  const bare: number[] = [];
  const cli: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    bare.push(await bareP50(session));
    cli.push(...cliSetTimes(dir, photo, prompts));
  }
  await session.release();
  return { model: name, bareP50: percentile(bare, 50), cliP50: percentile(cli, 50) };
}

export async function benchClickTargets(): Promise<ClickTargetRow[]> {
  mkdirSync(cache, { recursive: true });
  const photo = path.join(cache, 'photo-800x534.jpg');
  await syntheticPhoto(photo, 800, 534);
  const prompts = promptSets();
  return onVitBAndHieraT((name, dir) => measure(name, dir, photo, prompts));
}

export function printClickTargets(rows: readonly ClickTargetRow[]): void {
  console.log(
    '\nClick → mask, CLI measure (predict --prompts, 800×534, per extra set, 3 candidates, full-res RLE)',
  );
  for (const r of rows) {
    console.log(
      `${r.model.padEnd(26)} CLI click p50 ${r.cliP50.toFixed(1)} ms (target ≤ ${CLI_CLICK_TARGET_MS} ms, ` +
        `${(r.cliP50 / CLI_CLICK_TARGET_MS).toFixed(2)}× target; ${(r.cliP50 / r.bareP50).toFixed(2)}× bare ` +
        `onnxruntime p50 ${r.bareP50.toFixed(1)} ms on the same decoder.onnx)`,
    );
  }
}
