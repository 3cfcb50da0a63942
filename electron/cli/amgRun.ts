/**
 * What `sam-annotate amg` and `merge` share: the flags of Meta's scripts/amg.py, the dataset listing and its
 * shards, and the output layout.
 *
 * Output folder (`--format sa1b`, the default): `<rel dir>/<stem>.json`, one SA-1B per-image file per image, plus
 * `amg-run.json` (parameters, model, format), which a resumed run or another shard must match.
 * `--format amg-png` (Meta's amg.py binary-mask layout): `<rel dir>/<stem>/0.png, 1.png, …` and
 * `<rel dir>/<stem>/metadata.csv`, written last, so a folder with metadata.csv is complete.
 *
 * Shards: the images are listed recursively and sorted by their path relative to --input (POSIX separators,
 * code-unit order); image k of that list has image_id k + 1; it belongs to shard
 * `uint32(sha256(relative path)[0..4]) mod N`. The hash keeps an image's shard when others are added or removed,
 * so shards of one dataset never overlap.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  AMG_DEFAULTS,
  type AmgFamily,
  type AmgParams,
  SAM2_AMG_DEFAULTS,
  resolveAmgParams,
} from '../common/amg/params.ts';
import { UserError } from '../common/errors.ts';
import { scanFolder } from '../dataset/imageFiles.ts';
import { UsageError } from './args.ts';

export const AMG_FLAGS = {
  'points-per-side': { type: 'string' },
  'points-per-batch': { type: 'string' },
  'pred-iou-thresh': { type: 'string' },
  'stability-score-thresh': { type: 'string' },
  'stability-score-offset': { type: 'string' },
  'box-nms-thresh': { type: 'string' },
  'crop-n-layers': { type: 'string' },
  'crop-nms-thresh': { type: 'string' },
  'crop-overlap-ratio': { type: 'string' },
  'crop-n-points-downscale-factor': { type: 'string' },
  'min-mask-region-area': { type: 'string' },
  'drop-masks-covering': { type: 'string' },
} as const;

const d = AMG_DEFAULTS;
export const AMG_HELP = `Generator (Meta's SamAutomaticMaskGenerator / scripts/amg.py names and defaults):
  --points-per-side N              grid of N×N prompts (${d.points_per_side})
  --points-per-batch N             prompts per decoder run; speed and memory only (${d.points_per_batch}); with a
                                   batch decoder ~55 MB per prompt (use 16 on small machines)
  --pred-iou-thresh F              keep masks with predicted IoU > F; 0 = off (${d.pred_iou_thresh}; SAM 2: ${SAM2_AMG_DEFAULTS.pred_iou_thresh})
  --stability-score-thresh F       keep masks with stability ≥ F; 0 = off (${d.stability_score_thresh})
  --stability-score-offset F       logit offset of the stability score (${d.stability_score_offset})
  --box-nms-thresh F               box NMS IoU within a crop (${d.box_nms_thresh})
  --crop-n-layers N                extra crop layers, (2^i)² crops in layer i (${d.crop_n_layers})
  --crop-nms-thresh F              box NMS IoU across crops, smaller crops win (${d.crop_nms_thresh})
  --crop-overlap-ratio F           crop overlap, fraction of the shorter side (${d.crop_overlap_ratio.toFixed(4)})
  --crop-n-points-downscale-factor N
                                   layer i uses N×N / factor^i prompts (${d.crop_n_points_downscale_factor})
  --min-mask-region-area N         fill holes / remove islands smaller than N px, then NMS again (${d.min_mask_region_area})
  --drop-masks-covering F          not Meta's: drop masks covering ≥ F of the image (the SA paper: 0.95); 0 = off`;

type AmgFlagValues = Partial<Record<keyof typeof AMG_FLAGS, string>>;

function num(flag: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)))
    throw new UsageError(`--${flag} ${value}: expected ${integer ? 'a whole number' : 'a number'}`);
  return n;
}

/** The generator parameters from the flags (unset = the default of Meta's generator for `family`), checked. */
export function amgParamsFrom(values: AmgFlagValues, family: AmgFamily = 'sam1'): AmgParams {
  const partial: Record<string, number> = {};
  for (const flag of Object.keys(AMG_FLAGS) as (keyof typeof AMG_FLAGS)[]) {
    const key = flag.replace(/-/g, '_');
    const integer = /^(points|crop-n|min-mask)/.test(flag);
    const value = num(flag, values[flag], integer);
    if (value !== undefined) partial[key] = value;
  }
  try {
    return resolveAmgParams(partial as Partial<AmgParams>, family);
  } catch (error) {
    const e = error as Error;
    // "AMG parameter points_per_batch = 0: …" → name the flag the user typed
    throw new UsageError(
      e.message.replace(/^AMG parameter (\w+) = /, (_, k: string) => `--${k.replace(/_/g, '-')} `),
    );
  }
}

export interface Shard {
  readonly index: number;
  readonly count: number;
}

export function parseShard(value: string | undefined): Shard | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!(count >= 1 && index >= 0 && index < count))
    throw new UsageError(
      `--shard ${value}: expected I/N with 0 ≤ I < N (e.g. 0/4; Slurm: $SLURM_ARRAY_TASK_ID/N)`,
    );
  return { index, count };
}

/** The shard (0..count−1) an image belongs to, from its relative path (see the module comment). */
export function shardOf(relative: string, count: number): number {
  return createHash('sha256').update(relative).digest().readUInt32BE(0) % count;
}

export interface DatasetImage {
  readonly file: string;
  /** Relative to --input (POSIX separators); the file name for a single image. */
  readonly relative: string;
  /** 1-based position in the sorted list of all images. */
  readonly imageId: number;
  /** Output path relative to --output, without extension: `<rel dir>/<stem>`. */
  readonly outputBase: string;
}

/** Every image of --input (a file or a folder, recursively), sorted, with ids and output names. */
export async function listDataset(input: string): Promise<DatasetImage[]> {
  const info = await stat(input).catch(() => undefined);
  if (!info) throw new UserError(`${input}: no such file or folder`);
  let files: { file: string; relative: string }[];
  if (info.isDirectory()) {
    const scan = await scanFolder(input);
    const unreadable = scan.unreadableFolders[0];
    if (unreadable) throw new UserError(`${unreadable.path}: cannot list the folder (${unreadable.reason})`);
    files = scan.images.map((file) => ({
      file,
      relative: path.relative(path.resolve(input), file).split(path.sep).join('/'),
    }));
  } else {
    files = [{ file: path.resolve(input), relative: path.basename(input) }];
  }
  files.sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0));
  const owners = new Map<string, string>();
  return files.map(({ file, relative }, i) => {
    const ext = path.posix.extname(relative);
    const outputBase = relative.slice(0, relative.length - ext.length);
    const other = owners.get(outputBase);
    if (other)
      throw new UserError(`${other} and ${relative} would both write ${outputBase}: rename one of them`);
    owners.set(outputBase, relative);
    return { file, relative, imageId: i + 1, outputBase };
  });
}

export const RUN_FILE = 'amg-run.json';
export type AmgFormat = 'sa1b' | 'amg-png';

/** `amg-run.json`: what every image of an output folder was made with. */
export interface AmgRunInfo {
  readonly format: 'sam-annotate-amg';
  readonly version: 1;
  readonly output_format: AmgFormat;
  readonly params: AmgParams;
  readonly model: { readonly name: string; readonly encoder_sha256: string };
}

export async function readRunInfo(dir: string): Promise<AmgRunInfo | undefined> {
  const file = path.join(dir, RUN_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const info = JSON.parse(text) as AmgRunInfo;
    if (info.format !== 'sam-annotate-amg') throw new Error('not an amg-run.json');
    return info;
  } catch (error) {
    throw new UserError(`${file}: not a valid amg run file (${(error as Error).message})`);
  }
}

/** One line naming what differs between two runs, or undefined when they match. */
export function runDifference(a: AmgRunInfo, b: AmgRunInfo): string | undefined {
  if (a.output_format !== b.output_format) return `format ${a.output_format} vs ${b.output_format}`;
  if (a.model.encoder_sha256 !== b.model.encoder_sha256) return `model ${a.model.name} vs ${b.model.name}`;
  for (const key of Object.keys(a.params) as (keyof AmgParams)[]) {
    if (JSON.stringify(a.params[key]) !== JSON.stringify(b.params[key]))
      return `${key} ${JSON.stringify(a.params[key])} vs ${JSON.stringify(b.params[key])}`;
  }
  return undefined;
}

/** The output an image is complete with: its JSON, or its folder's metadata.csv. */
export function outputOf(format: AmgFormat, base: string): string {
  return format === 'sa1b' ? `${base}.json` : `${base}/metadata.csv`;
}
