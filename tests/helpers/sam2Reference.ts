/**
 * SAM 2 reference data for the tests, in one shape whatever its source: the committed PyTorch references of the
 * tiny random SAM 2.1 (tests/fixtures/reference/sam2, README.md there) and Meta's conformance data
 * (../shared/conformance/sam2, README.md there), plus the conformance model exported on demand (cached).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Rle } from '../../electron/common/rle.ts';
import { exporterHash } from './models.ts';
import { repoRoot } from './paths.ts';

export interface Sam2Tensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export interface Sam2RefPrompt {
  readonly name: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
  readonly labels: ReadonlyArray<0 | 1>;
  readonly box: readonly [number, number, number, number] | null;
  readonly multimask: boolean;
  /** Refinement: the candidate (by token) of an earlier prompt whose low-res logits go back as mask_input. */
  readonly maskFrom: { readonly prompt: string; readonly token: number } | null;
  /** The `mask_input` the reference fed (recorded by Meta's conformance data), when recorded. */
  readonly recordedMaskInput?: Float32Array;
  /** The decoder's 4 tokens: predicted IoU and unclamped low-res logits [4, L, L]. */
  readonly allIou: readonly number[];
  readonly allLogits: Float32Array;
  /** What `predict()` returned: the tokens chosen, their IoU and full-resolution masks. */
  readonly expected: {
    readonly tokens: readonly number[];
    readonly iou: readonly number[];
    readonly masks: Rle[];
  };
}

export interface Sam2RefImage {
  readonly name: string;
  readonly png: string;
  readonly hw: readonly [number, number];
  readonly inputSize: number;
  /** The three image tensors in the order (image_embed, high_res_feats_0, high_res_feats_1). */
  readonly features: readonly [Sam2Tensor, Sam2Tensor, Sam2Tensor];
  readonly prompts: readonly Sam2RefPrompt[];
}

function readF32(file: string): Float32Array {
  const bytes = readFileSync(file);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

/** Plane `index` of a [T, L, L] array. */
export function planeOf(all: Float32Array, index: number): Float32Array {
  const side = Math.round(Math.sqrt(all.length / 4));
  return all.slice(index * side * side, (index + 1) * side * side);
}

const FEATURES = ['image_embed', 'high_res_feats_0', 'high_res_feats_1'] as const;

interface FixturePrompt {
  name: string;
  point_coords: [number, number][] | null;
  point_labels: (0 | 1)[] | null;
  box: [number, number, number, number] | null;
  multimask_output: boolean;
  mask_input_from: { prompt: string; token: number } | null;
  all_tokens: { iou_predictions: number[]; low_res_logits: { file: string } };
  expected: { tokens: number[]; iou_predictions: number[]; masks: Rle[] };
}

/** tests/fixtures/reference/sam2: the tiny random SAM 2.1 at S = 256. */
export function fixtureImages(dir: string): Sam2RefImage[] {
  const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as {
    images: Record<
      string,
      Record<(typeof FEATURES)[number], { file: string; shape: number[] }> & {
        file: string;
        original_size_hw: [number, number];
        prompts: FixturePrompt[];
      }
    >;
  };
  return Object.entries(index.images).map(([name, image]) => ({
    name,
    png: path.join(dir, image.file),
    hw: image.original_size_hw,
    inputSize: 256,
    features: FEATURES.map((f) => ({
      data: readF32(path.join(dir, image[f].file)),
      dims: image[f].shape,
    })) as unknown as Sam2RefImage['features'],
    prompts: image.prompts.map((p) => ({
      name: p.name,
      points: p.point_coords ?? [],
      labels: p.point_labels ?? [],
      box: p.box,
      multimask: p.multimask_output,
      maskFrom: p.mask_input_from,
      allIou: p.all_tokens.iou_predictions,
      allLogits: readF32(path.join(dir, p.all_tokens.low_res_logits.file)),
      expected: { tokens: p.expected.tokens, iou: p.expected.iou_predictions, masks: p.expected.masks },
    })),
  }));
}

interface ConformancePrompt {
  name: string;
  point_coords: [number, number][] | null;
  point_labels: (0 | 1)[] | null;
  box: [number, number, number, number] | null;
  multimask_output: boolean;
  mask_input_from: string | null;
  mask_input?: string;
  all_tokens: { iou_predictions: number[]; low_res_logits: string };
  expected: { iou_predictions: number[]; masks: Rle[] };
}

/**
 * Meta's conformance data (`<conformance>/sam2`, S = 1024). Its index names no tokens: each returned IoU is the
 * one of the token that has it. Refinement feeds the best candidate (by predicted IoU) of the source prompt.
 */
export function conformanceImages(sam2Dir: string): Sam2RefImage[] {
  const index = JSON.parse(readFileSync(path.join(sam2Dir, 'index.json'), 'utf8')) as {
    images: Record<
      string,
      { original_size: [number, number]; prompts: ConformancePrompt[] } & Record<string, string>
    >;
  };
  return Object.entries(index.images).map(([name, image]) => {
    const at = (file: string) => path.join(sam2Dir, name, file);
    const features = FEATURES.map((f) => {
      const data = readF32(at(image[f]!));
      const c = f === 'image_embed' ? 256 : f === 'high_res_feats_0' ? 32 : 64;
      const side = Math.round(Math.sqrt(data.length / c));
      return { data, dims: [1, c, side, side] };
    }) as unknown as Sam2RefImage['features'];
    const tokensOf = (p: ConformancePrompt) =>
      p.expected.iou_predictions.map((v) => p.all_tokens.iou_predictions.indexOf(v));
    const byName = new Map(image.prompts.map((p) => [p.name, p]));
    return {
      name,
      png: path.join(sam2Dir, '..', `${name}.png`),
      hw: image.original_size,
      inputSize: 1024,
      features,
      prompts: image.prompts.map((p) => {
        const source = p.mask_input_from ? byName.get(p.mask_input_from)! : undefined;
        const sourceTokens = source && tokensOf(source);
        const best =
          source && source.expected.iou_predictions.indexOf(Math.max(...source.expected.iou_predictions));
        return {
          name: p.name,
          points: p.point_coords ?? [],
          labels: p.point_labels ?? [],
          box: p.box,
          multimask: p.multimask_output,
          maskFrom: source ? { prompt: source.name, token: sourceTokens![best!]! } : null,
          recordedMaskInput: p.mask_input ? readF32(at(p.mask_input)) : undefined,
          allIou: p.all_tokens.iou_predictions,
          allLogits: readF32(at(p.all_tokens.low_res_logits)),
          expected: { tokens: tokensOf(p), iou: p.expected.iou_predictions, masks: p.expected.masks },
        };
      }),
    };
  });
}

/** Why the conformance model cannot be exported here, or undefined when it can. */
export function sam2ExportUnavailable(sam2Dir: string | undefined): string | undefined {
  if (!sam2Dir || !existsSync(path.join(sam2Dir, 'index.json'))) return 'no SAM 2 conformance data';
  if (!existsSync(path.join(sam2Dir, 'sam2.1_test.pt'))) return 'no sam2.1_test.pt in the conformance data';
  const torch = spawnSync('/usr/bin/python3', ['-c', 'import torch, onnx'], { encoding: 'utf8' });
  if (torch.status !== 0) return '/usr/bin/python3 has no torch/onnx';
  return undefined;
}

/**
 * Meta's conformance checkpoint exported by `native-models/export_sam2.py` (layout sam-annotate), cached under
 * .cache/test-models by the checkpoint, the config and the exporter's sources (~70 s the first time).
 */
export function sam2ConformanceModel(sam2Dir: string): string {
  const pt = path.join(sam2Dir, 'sam2.1_test.pt');
  const config = path.join(sam2Dir, 'sam2.1_test.json');
  const key = createHash('sha256').update(readFileSync(pt)).update(readFileSync(config)).digest('hex');
  const dir = path.join(
    repoRoot,
    '.cache',
    'test-models',
    `sam2-conformance-${key.slice(0, 12)}-${exporterHash(['sam2'], 'export_sam2.py')}`,
  );
  if (existsSync(path.join(dir, 'manifest.json'))) return dir;
  const temp = `${dir}.${process.pid}.tmp`;
  rmSync(temp, { recursive: true, force: true });
  const result = spawnSync(
    '/usr/bin/python3',
    [
      path.join(repoRoot, 'native-models', 'export_sam2.py'),
      '--checkpoint',
      pt,
      '--config',
      config,
      '--out',
      temp,
      '--no-smoke',
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`export of the SAM 2 conformance model failed:\n${result.stderr}`);
  if (!existsSync(path.join(dir, 'manifest.json'))) renameSync(temp, dir);
  else rmSync(temp, { recursive: true, force: true });
  return dir;
}
