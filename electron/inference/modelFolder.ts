/**
 * Open a model folder: find its two ONNX files, read their graph signatures, check them against manifest.json
 * (names, dtypes, shapes, sha256) and decide the layout. Nothing here loads weights into onnxruntime; the
 * workers do that, and check the live sessions against the same signatures (worker/engine.ts).
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError, describeError } from '../common/errors.ts';
import type { FileHashCache } from './fileHash.ts';
import { detectLayout } from './layouts/detect.ts';
import type { LayoutAdapter } from './layouts/layout.ts';
import {
  type GraphSignature,
  type ModelGraph,
  type TensorSignature,
  formatSignature,
} from './layouts/signature.ts';
import { type ManifestFile, type ModelManifest, parseManifest } from './manifest.ts';
import { readOnnxHeader } from './onnxHeader.ts';

export interface ModelFolder {
  readonly dir: string;
  readonly name: string;
  readonly manifest?: ModelManifest;
  readonly graphs: readonly ModelGraph[];
  readonly layout: LayoutAdapter;
  readonly maskThreshold: number;
  /** Built-in demo model: the UI says so. */
  readonly demo: boolean;
  /** sha256 of the encoder file: embeddings are cached under it. */
  readonly encoderSha256: string;
}

/** File pairs other tools publish, in order of preference (fp32 before quantized). */
const KNOWN_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['encoder.onnx', 'decoder.onnx'],
  ['vision_encoder.onnx', 'prompt_encoder_mask_decoder.onnx'],
  ['onnx/vision_encoder.onnx', 'onnx/prompt_encoder_mask_decoder.onnx'],
  ['vision_encoder_quantized.onnx', 'prompt_encoder_mask_decoder_quantized.onnx'],
  ['onnx/vision_encoder_quantized.onnx', 'onnx/prompt_encoder_mask_decoder_quantized.onnx'],
];

async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}

async function listOnnx(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const sub of ['', 'onnx']) {
    const entries = await readdir(path.join(dir, sub)).catch(() => [] as string[]);
    for (const entry of entries) if (entry.endsWith('.onnx')) found.push(path.join(sub, entry));
  }
  return found.sort();
}

/**
 * samexporter / X-AnyLabeling folders (issue 15): `<model>.encoder.onnx` + `<model>.decoder.onnx`, often beside
 * their quantized twins (`*.quant.onnx`, `*quantized*`). The one encoder and one decoder by name, full precision
 * preferred; undefined when that does not settle it.
 */
function namedPair(onnx: readonly string[]): string[] | undefined {
  const pick = (role: string): string | undefined => {
    const all = onnx.filter((f) => path.basename(f).includes(`.${role}.`));
    const full = all.filter((f) => !/quant/i.test(path.basename(f)));
    const choice = full.length ? full : all;
    return choice.length === 1 ? choice[0] : undefined;
  };
  const encoder = pick('encoder');
  const decoder = pick('decoder');
  return encoder && decoder ? [encoder, decoder] : undefined;
}

async function chooseFiles(dir: string, manifest: ModelManifest | undefined): Promise<string[]> {
  if (manifest) {
    const files = [manifest.files.encoder.path, manifest.files.decoder.path];
    for (const file of files) {
      if (!(await isFile(path.join(dir, file)))) {
        throw new UserError(`model folder ${dir}: manifest.json names ${file}, which does not exist`);
      }
    }
    return files;
  }
  for (const pair of KNOWN_PAIRS) {
    if ((await isFile(path.join(dir, pair[0]))) && (await isFile(path.join(dir, pair[1])))) return [...pair];
  }
  const onnx = await listOnnx(dir);
  if (onnx.length === 2) return onnx;
  const named = namedPair(onnx);
  if (named) return named;
  throw new UserError(
    onnx.length < 2
      ? `model folder ${dir}: expected an encoder and a decoder .onnx file, found ${onnx.length ? onnx.join(', ') : 'none'}`
      : `model folder ${dir}: ${onnx.length} .onnx files (${onnx.join(', ')}); add a manifest.json naming the encoder and decoder`,
  );
}

function sameShape(a: ReadonlyArray<number | string>, b: ReadonlyArray<number | string>): boolean {
  // Symbolic dimensions may be named differently by different exporters; only fixed sizes must agree.
  return (
    a.length === b.length &&
    a.every((d, i) => typeof d === 'string' || typeof b[i] === 'string' || d === b[i])
  );
}

function checkSignatures(
  dir: string,
  file: string,
  kind: 'input' | 'output',
  declared: readonly TensorSignature[] | undefined,
  actual: readonly TensorSignature[],
): void {
  for (const want of declared ?? []) {
    const got = actual.find((a) => a.name === want.name);
    if (!got) {
      throw new UserError(
        `model folder ${dir}: manifest.json declares ${kind} ${want.name} but ${file} has ${actual.map((a) => a.name).join(', ')}`,
      );
    }
    if (got.type !== want.type || !sameShape(got.shape, want.shape)) {
      throw new UserError(
        `model folder ${dir}: manifest.json declares ${kind} ${formatSignature(want)} but ${file} has ${formatSignature(got)}`,
      );
    }
  }
}

async function checkManifestFile(
  dir: string,
  entry: ManifestFile,
  graph: GraphSignature,
  hashes: FileHashCache,
): Promise<void> {
  checkSignatures(dir, entry.path, 'input', entry.inputs, graph.inputs);
  checkSignatures(dir, entry.path, 'output', entry.outputs, graph.outputs);
  for (const located of [entry, ...(entry.external_data ?? [])]) {
    const file = path.join(dir, located.path);
    if (!(await isFile(file)))
      throw new UserError(`model folder ${dir}: manifest.json names ${located.path}, which does not exist`);
    if (located.sha256 && located.sha256 !== (await hashes.sha256(file))) {
      throw new UserError(
        `model folder ${dir}: ${located.path} does not match the sha256 in manifest.json (file changed or corrupt)`,
      );
    }
  }
}

/**
 * The identity of an encoder's weights: the graph file's sha256, combined with its external-data files' when
 * the weights live beside it (ViT-H), so replacing either invalidates cached embeddings.
 */
async function weightsIdentity(dir: string, graph: ModelGraph, hashes: FileHashCache): Promise<string> {
  const graphSha = await hashes.sha256(path.join(dir, graph.file));
  if (!graph.externalFiles?.length) return graphSha;
  const hash = createHash('sha256').update(graphSha);
  for (const data of graph.externalFiles) {
    const file = path.join(dir, path.dirname(graph.file), data);
    if (!(await isFile(file)))
      throw new UserError(
        `model folder ${dir}: ${graph.file} keeps its weights in ${data}, which does not exist`,
      );
    hash.update(await hashes.sha256(file));
  }
  return hash.digest('hex');
}

async function readManifest(dir: string): Promise<ModelManifest | undefined> {
  const file = path.join(dir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`cannot read ${file}: ${describeError(error)}`, { cause: error });
  }
  return parseManifest(file, text);
}

export async function openModelFolder(dirArg: string, hashes: FileHashCache): Promise<ModelFolder> {
  const dir = path.resolve(dirArg);
  const info = await stat(dir).catch(() => undefined);
  if (!info) throw new UserError(`model folder ${dirArg} does not exist`);
  if (!info.isDirectory()) throw new UserError(`model folder ${dirArg} is not a directory`);
  const manifest = await readManifest(dir);
  const files = await chooseFiles(dir, manifest);
  const batchEntry = manifest?.files.decoder_batch;
  if (batchEntry) {
    if (!(await isFile(path.join(dir, batchEntry.path))))
      throw new UserError(
        `model folder ${dir}: manifest.json names ${batchEntry.path}, which does not exist`,
      );
    files.push(batchEntry.path);
  }
  const graphs: ModelGraph[] = [];
  for (const file of files) {
    const header = await readOnnxHeader(path.join(dir, file));
    graphs.push({
      file,
      graph: { inputs: header.inputs, outputs: header.outputs },
      externalFiles: header.externalFiles,
    });
  }
  const layout = detectLayout(dir, graphs, manifest);
  const graphOf = (file: string) => graphs.find((g) => g.file === file)!.graph;
  if (manifest) {
    await checkManifestFile(dir, manifest.files.encoder, graphOf(layout.encoder.file), hashes);
    await checkManifestFile(dir, manifest.files.decoder, graphOf(layout.decoder.file), hashes);
    if (batchEntry) {
      if (layout.grid?.file !== batchEntry.path) {
        throw new UserError(
          `model folder ${dir}: manifest.json names ${batchEntry.path} as the batch decoder, but it is not one (expected inputs image_embeddings, point_coords, point_labels)`,
        );
      }
      await checkManifestFile(dir, batchEntry, graphOf(batchEntry.path), hashes);
    }
  }
  const encoderSha256 = await weightsIdentity(
    dir,
    graphs.find((g) => g.file === layout.encoder.file)!,
    hashes,
  );
  return {
    dir,
    name: manifest?.name ?? path.basename(dir),
    manifest,
    graphs,
    layout,
    maskThreshold: manifest?.mask_threshold ?? 0,
    demo: manifest?.demo ?? false,
    encoderSha256,
  };
}
