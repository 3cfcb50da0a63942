/**
 * `sam-annotate convert --quantize SRC` (issue 15/16): the int8 twin of a model folder or installed model, with
 * its mask agreement against the float32 model measured here (electron/models/quantize.ts, maskAgreement.ts).
 * Everything is written into a hidden folder beside the destination and renamed into place at the end, so a
 * failure leaves nothing under --out.
 */
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../../common/errors.ts';
import { FileHashCache } from '../../inference/fileHash.ts';
import { openModelFolder } from '../../inference/modelFolder.ts';
import { openRegistry } from '../../models/defaultModel.ts';
import { type AgreementReport, measureAgreement } from '../../models/maskAgreement.ts';
import {
  QUANTIZE_WHICH,
  type QuantizeWhich,
  quantizationOf,
  quantizationRecord,
  requireOnnxPython,
  writeQuantizedGraphs,
  writeQuantizedManifest,
} from '../../models/quantize.ts';
import { checkModelName } from '../../models/registry.ts';
import { describeWriteError } from '../../node/atomicWrite.ts';
import { REPO_ROOT } from '../../node/rendererBuild.ts';
import { SAMPLE_IMAGE_COUNT, sampleImage } from '../../services/sampleImages.ts';
import { UsageError, parseFlags, positiveInteger } from '../args.ts';

export const help = `Usage: sam-annotate convert --quantize SRC (--out DIR | --install [--name NAME]) [--quantize-only WHICH]

Int8 twin of a model: every MatMul/Gemm with constant weights becomes dynamic int8 (weights int8 per output
column, activations quantized per call; Conv and attention stay float32), in onnxruntime's IntegerOps form.
Then the masks of both models are compared (IoU of the chosen mask for a 4×4 point grid and 3 boxes on the
conformance images tests/fixtures/reference/{tall,wide}.png and the ${SAMPLE_IMAGE_COUNT} sample-project images);
mean and worst IoU are printed and stored in the new folder's manifest.json ("quantization"). Needs Python 3
with onnx and numpy ($SAM_PYTHON, else /usr/bin/python3); not torch.
  SRC                   a model folder (any layout) or an installed model's name
  --out DIR             folder to create (must not exist, or be empty)
  --install             instead of --out: install as model <name>-int8 (sam-annotate models list shows it)
  --name NAME           with --install: the model name (default <name>-int8)
  --quantize-only WHICH encoder, decoder or both (default both)
  --threads N           onnxruntime threads for the agreement check (default: all cores)`;

const FLAGS = {
  quantize: { type: 'string' },
  out: { type: 'string' },
  install: { type: 'boolean' },
  name: { type: 'string' },
  'quantize-only': { type: 'string' },
  threads: { type: 'string' },
} as const;

/** The fixed image set of the agreement check, written where needed (sample images are generated). */
async function agreementImages(scratch: string): Promise<string[]> {
  const images = ['tall.png', 'wide.png']
    .map((f) => path.join(REPO_ROOT, 'tests', 'fixtures', 'reference', f))
    .filter((f) => existsSync(f));
  for (let i = 0; i < SAMPLE_IMAGE_COUNT; i++) {
    const file = path.join(scratch, `sample-${String(i + 1).padStart(2, '0')}.png`);
    await writeFile(file, await sampleImage(i));
    images.push(file);
  }
  return images;
}

async function claimOut(out: string): Promise<void> {
  const entries = await readdir(out).catch(() => undefined);
  if (entries?.length) throw new UserError(`--out ${out} already exists and is not empty`);
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags('convert', argv, FLAGS);
  const source = values.quantize!;
  if (!!values.out === !!values.install)
    throw new UsageError('convert --quantize: give exactly one of --out DIR or --install');
  if (values.name && !values.install) throw new UsageError('convert --quantize: --name goes with --install');
  const which = (values['quantize-only'] ?? 'both') as QuantizeWhich;
  if (!QUANTIZE_WHICH.includes(which))
    throw new UsageError(`--quantize-only ${which}: use ${QUANTIZE_WHICH.join(', ')}`);
  const threads = positiveInteger('threads', values.threads) ?? 0;

  const registry = openRegistry();
  const folder = await openModelFolder(await registry.resolve(source), registry.hashes);
  const previous = await quantizationOf(folder.dir);
  if (previous)
    throw new UserError(
      `model folder ${folder.dir} is already quantized (${String(previous.method)}, recorded in its ${folder.manifest ? 'manifest.json' : 'quantization.json'}); give the float32 model`,
    );
  const name = values.install ? checkModelName(values.name ?? `${folder.name}-int8`) : folder.name;
  if (values.install && (await registry.find(name)))
    throw new UserError(
      `a model named ${name} already exists (remove it first: sam-annotate models remove ${name})`,
    );
  const out = values.install ? registry.installDir(name) : path.resolve(values.out!);
  await claimOut(out);

  const parent = path.dirname(out);
  const staging = path.join(parent, `.${path.basename(out)}.quantize-${process.pid}`);
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'sam-annotate-quantize-'));
  const cleanUp = (dir: string) => rm(dir, { recursive: true, force: true }).catch(() => undefined);
  // Ctrl+C or a kill mid-way: stop Python, remove the staging folder, exit (nothing partial under --out).
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    stop.abort();
    for (const dir of [staging, scratch]) rmSync(dir, { recursive: true, force: true });
    console.error(`sam-annotate: convert --quantize interrupted (${signal}); nothing was written to ${out}`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    try {
      await mkdir(staging, { recursive: true });
    } catch (error) {
      const notFolder = (error as NodeJS.ErrnoException).code === 'ENOTDIR';
      const why = notFolder ? 'part of that path is a file, not a folder' : describeWriteError(error);
      throw new UserError(`cannot write ${parent}: ${why}`, { cause: error });
    }
    await requireOnnxPython();
    console.error(`quantizing ${folder.dir} (${which}) …`);
    const graphs = await writeQuantizedGraphs(folder, staging, which, stop.signal);
    for (const g of graphs)
      console.error(
        `  ${g.file}: ${g.quantized} MatMul/Gemm int8, ${g.skipped} left float32, weights ${mb(g.weight_bytes_before)} → ${mb(g.weight_bytes_after)}`,
      );
    console.error('comparing masks with the float32 model …');
    const images = await agreementImages(scratch);
    const agreement = await measureAgreement(folder.dir, staging, images, { threads });
    console.error(formatAgreement(agreement));
    const hashes = new FileHashCache();
    await writeQuantizedManifest(
      folder,
      staging,
      name,
      quantizationRecord(folder, graphs, agreement),
      hashes,
    );
    await openModelFolder(staging, hashes); // the twin must open as a model before it is put in place
    if (existsSync(out)) await rmdir(out);
    await rename(staging, out);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanUp(staging);
    await cleanUp(scratch);
  }
  console.error(values.install ? `installed model ${name} at ${out}` : `wrote model folder ${out}`);
  return 0;
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

export function formatAgreement(a: AgreementReport): string {
  return (
    `mask agreement int8 vs float32: mean IoU ${a.mean_iou.toFixed(4)}, worst ${a.worst_iou.toFixed(4)} ` +
    `(${a.worst.image} ${a.worst.prompt}); ${a.masks} masks, ${a.images.length} images × ${a.prompts_per_image} prompts`
  );
}
