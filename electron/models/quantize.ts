/**
 * An int8 twin of a model folder (issue 15/16, `sam-annotate convert --quantize`): each chosen graph goes
 * through native-models/sam_tools/quantize.py (MatMul/Gemm-only dynamic int8; Conv and attention stay float32),
 * the other files are copied, and the manifest records what was done. Works on any layout the registry opens:
 * files keep their paths, so the twin is detected as the same layout.
 */
import { copyFile, mkdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError, describeError } from '../common/errors.ts';
import type { FileHashCache } from '../inference/fileHash.ts';
import type { ModelFolder } from '../inference/modelFolder.ts';
import { writeFileAtomic } from '../node/atomicWrite.ts';
import { lastLine, pythonExecutable, runPython } from '../node/python.ts';
import type { AgreementReport } from './maskAgreement.ts';

export type QuantizeWhich = 'encoder' | 'decoder' | 'both';
export const QUANTIZE_WHICH: readonly QuantizeWhich[] = ['encoder', 'decoder', 'both'];

/** What the manifest says about the weights (`quantization.method`). */
export const QUANTIZATION_METHOD = 'dynamic-int8-matmul';
const WEIGHTS = 'int8, symmetric, one scale per output column, 7-bit range; activations uint8 per call';
/** Where a folder without a manifest.json keeps the report (its layout is detected from file names). */
export const QUANTIZATION_FILE = 'quantization.json';
const SCRIPT = 'sam_tools/quantize.py';
const GRAPH_OPS_ALREADY_QUANTIZED = /already quantized/;

type Role = 'encoder' | 'decoder' | 'decoder_batch';

export interface GraphQuantization {
  readonly role: Role;
  readonly file: string;
  readonly quantized: number;
  readonly skipped: number;
  readonly weight_bytes_before: number;
  readonly weight_bytes_after: number;
  readonly external_data: string | null;
}

/** Fail early, naming the interpreter, when it cannot import onnx and numpy (torch is not needed here). */
export async function requireOnnxPython(): Promise<void> {
  const check = await runPython(['-c', 'import onnx, numpy'], { quiet: true }).catch(() => ({ code: 1 }));
  if (check.code !== 0) {
    throw new UserError(
      `${pythonExecutable()} cannot import onnx and numpy, which --quantize needs ` +
        `(Debian/Ubuntu: apt install python3-onnx; or set SAM_PYTHON to a Python 3 that has them)`,
    );
  }
}

async function rawManifest(dir: string): Promise<Record<string, unknown> | undefined> {
  const text = await readFile(path.join(dir, 'manifest.json'), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>);
}

/** The quantization record of a folder made by this module (manifest or quantization.json), if any. */
export async function quantizationOf(dir: string): Promise<Record<string, unknown> | undefined> {
  const manifest = await rawManifest(dir);
  if (manifest?.quantization) return manifest.quantization as Record<string, unknown>;
  const text = await readFile(path.join(dir, QUANTIZATION_FILE), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>);
}

function graphRoles(folder: ModelFolder): Array<{ role: Role; file: string }> {
  const roles: Array<{ role: Role; file: string }> = [
    { role: 'encoder', file: folder.layout.encoder.file },
    { role: 'decoder', file: folder.layout.decoder.file },
  ];
  const grid = folder.layout.grid?.file;
  if (grid && grid !== folder.layout.decoder.file) roles.push({ role: 'decoder_batch', file: grid });
  return roles;
}

async function quantizeGraph(
  folder: ModelFolder,
  file: string,
  target: string,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  const report = path.join(path.dirname(target), `.${path.basename(target)}.report.json`);
  const run = await runPython([SCRIPT, path.join(folder.dir, file), target, '--report', report], {
    quiet: true,
    signal,
  });
  if (signal?.aborted) throw new UserError('quantization cancelled');
  if (run.code !== 0) {
    const why = lastLine(run.stderrTail).replace(/^error: /, '') || `exit code ${run.code}`;
    if (GRAPH_OPS_ALREADY_QUANTIZED.test(why))
      throw new UserError(`${path.join(folder.dir, file)} is already quantized; give the float32 model`);
    throw new UserError(`quantizing ${path.join(folder.dir, file)} failed: ${why}`);
  }
  const parsed = JSON.parse(await readFile(report, 'utf8')) as Record<string, unknown>;
  await rm(report, { force: true });
  return parsed;
}

/**
 * Write the int8 twin of `folder` into `target` (an empty folder the caller owns and removes on failure):
 * the graphs of `which` quantized, the others copied with their external data. Returns one entry per
 * quantized graph. `signal` stops the Python run in progress.
 */
export async function writeQuantizedGraphs(
  folder: ModelFolder,
  target: string,
  which: QuantizeWhich,
  signal?: AbortSignal,
): Promise<GraphQuantization[]> {
  const done: GraphQuantization[] = [];
  for (const { role, file } of graphRoles(folder)) {
    const out = path.join(target, file);
    await mkdir(path.dirname(out), { recursive: true });
    if (which === 'both' || which === role || (which === 'decoder' && role === 'decoder_batch')) {
      const r = await quantizeGraph(folder, file, out, signal);
      done.push({
        role,
        file,
        quantized: r.quantized as number,
        skipped: Object.keys(r.skipped as object).length,
        weight_bytes_before: r.weight_bytes_before as number,
        weight_bytes_after: r.weight_bytes_after as number,
        external_data: (r.external_data as string | null) ?? null,
      });
      continue;
    }
    await copyFile(path.join(folder.dir, file), out);
    const graph = folder.graphs.find((g) => g.file === file);
    for (const data of graph?.externalFiles ?? []) {
      const from = path.join(folder.dir, path.dirname(file), data);
      await mkdir(path.dirname(path.join(target, path.dirname(file), data)), { recursive: true });
      await copyFile(from, path.join(target, path.dirname(file), data));
    }
  }
  if (!done.some((g) => g.quantized > 0)) {
    throw new UserError(
      `model folder ${folder.dir}: no MatMul/Gemm with constant weights in the ${which === 'both' ? 'encoder or decoder' : which}; nothing to quantize`,
    );
  }
  return done;
}

export interface QuantizationRecord {
  readonly method: string;
  readonly weights: string;
  readonly graphs: readonly GraphQuantization[];
  readonly source: { readonly name: string; readonly encoder_sha256: string };
  readonly agreement: AgreementReport;
}

export function quantizationRecord(
  folder: ModelFolder,
  graphs: readonly GraphQuantization[],
  agreement: AgreementReport,
): QuantizationRecord {
  return {
    method: QUANTIZATION_METHOD,
    weights: WEIGHTS,
    graphs,
    source: { name: folder.name, encoder_sha256: folder.encoderSha256 },
    agreement,
  };
}

/**
 * The twin's manifest.json: the source's with `name`, the files' sizes and checksums of the new graphs, and
 * `quantization`; for a folder without a manifest, `quantization.json` beside the graphs instead.
 */
export async function writeQuantizedManifest(
  folder: ModelFolder,
  target: string,
  name: string,
  record: QuantizationRecord,
  hashes: FileHashCache,
): Promise<void> {
  const manifest = await rawManifest(folder.dir);
  if (!manifest) {
    await writeFileAtomic(path.join(target, QUANTIZATION_FILE), `${JSON.stringify(record, null, 2)}\n`);
    return;
  }
  const files = manifest.files as Record<string, Record<string, unknown>>;
  for (const graph of record.graphs) {
    const entry = files[graph.role];
    if (!entry) continue;
    const file = path.join(target, graph.file);
    entry.sha256 = await hashes.sha256(file);
    entry.bytes = (await stat(file)).size;
    if (graph.external_data) {
      const data = path.join(path.dirname(graph.file), graph.external_data);
      entry.external_data = [{ path: data, sha256: await hashes.sha256(path.join(target, data)) }];
    } else delete entry.external_data;
  }
  const agreement = record.agreement;
  const description =
    `${String(manifest.description ?? folder.name)} — int8 (${record.graphs.map((g) => g.role).join(', ')}), ` +
    `mask IoU vs float32: mean ${agreement.mean_iou.toFixed(3)}, worst ${agreement.worst_iou.toFixed(3)}`;
  const updated = { ...manifest, name, description, quantization: record };
  try {
    await writeFileAtomic(path.join(target, 'manifest.json'), `${JSON.stringify(updated, null, 2)}\n`);
  } catch (error) {
    throw new UserError(`cannot write ${path.join(target, 'manifest.json')}: ${describeError(error)}`, {
      cause: error,
    });
  }
}
