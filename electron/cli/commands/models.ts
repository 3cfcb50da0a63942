/**
 * `sam-annotate models DIR`: validate a model folder and describe it. `models list | add | download | remove |
 * default` (the model manager) live in modelManager.ts; the first argument decides.
 */
import path from 'node:path';
import { FileHashCache } from '../../inference/fileHash.ts';
import { formatSignature } from '../../inference/layouts/signature.ts';
import { type ModelFolder, openModelFolder } from '../../inference/modelFolder.ts';
import type { ModelInfo } from '../../inference/samService.ts';
import { cacheDir } from '../../node/appPaths.ts';
import { UsageError, parseFlags } from '../args.ts';
import { SERVICE_FLAGS, SERVICE_HELP, serviceFrom } from '../serviceFlags.ts';
import { openRegistry } from '../../models/defaultModel.ts';
import { MANAGER_HELP, SUBCOMMANDS, runManager } from './modelManager.ts';

export const summary = 'list, download, add, remove installed models; describe a model folder';

export const help = `${MANAGER_HELP}

Usage: sam-annotate models DIR|NAME [--json] [--no-load]

Checks a model folder (or an installed model by name) and prints what it is. A folder works when it holds either
  - this project's layout or Meta's: decoder.onnx exported by segment-anything's scripts/export_onnx_model.py
    (inputs image_embeddings, point_coords, point_labels, mask_input, has_mask_input, orig_im_size) and an
    encoder with one float32 [1,3,S,S] input, whatever its tensors are named (manifest.json optional), or
  - the transformers.js layout: vision_encoder.onnx + prompt_encoder_mask_decoder.onnx (also under onnx/).
With manifest.json, names, shapes and sha256 checksums are checked too.

  --json      machine-readable output
  --no-load   only read the files' headers; do not load them into onnxruntime
${SERVICE_HELP}`;

const FLAGS = { json: { type: 'boolean' }, 'no-load': { type: 'boolean' }, ...SERVICE_FLAGS } as const;

function describe(folder: ModelFolder, info: ModelInfo | undefined) {
  const g = folder.layout.geometry;
  return {
    dir: folder.dir,
    name: folder.name,
    layout: folder.layout.kind,
    family: folder.manifest?.family ?? null,
    variant: folder.manifest?.variant ?? null,
    demo: folder.demo,
    input_size: g.inputSize,
    embedding: [g.channels, g.grid, g.grid],
    low_res_mask_size: g.lowResSize,
    capabilities: folder.layout.capabilities,
    manifest: !!folder.manifest,
    encoder_sha256: folder.encoderSha256,
    files: folder.graphs.map((m) => ({
      file: m.file,
      role: m.file === folder.layout.encoder.file ? 'encoder' : 'decoder',
      inputs: m.graph.inputs.map(formatSignature),
      outputs: m.graph.outputs.map(formatSignature),
    })),
    providers: info
      ? {
          encoder: info.encoder.provider,
          decoder: info.decoder.provider,
          fallbacks: [...info.encoder.fallbacks, ...info.decoder.fallbacks],
        }
      : null,
    load_ms: info
      ? { encoder: Math.round(info.encoder.loadMs), decoder: Math.round(info.decoder.loadMs) }
      : null,
  };
}

export async function run(argv: string[]): Promise<number> {
  const sub = SUBCOMMANDS.find((s) => s === argv[0]);
  if (sub) return runManager(sub, argv.slice(1));
  const { values, positionals } = parseFlags('models', argv, FLAGS, true);
  if (positionals.length !== 1)
    throw new UsageError(
      `models: give one model folder, or one of ${SUBCOMMANDS.join(', ')} (see: sam-annotate models --help)`,
    );
  const dir = await openRegistry().resolve(positionals[0]!);
  const folder = await openModelFolder(dir, new FileHashCache(path.join(cacheDir(), 'model-hashes.json')));
  let info: ModelInfo | undefined;
  if (!values['no-load']) {
    const service = serviceFrom(values);
    try {
      info = await service.loadModel(dir);
    } finally {
      await service.close();
    }
  }
  const d = describe(folder, info);
  if (values.json) {
    console.log(JSON.stringify(d, null, 2));
    return 0;
  }
  const lines = [
    `${d.name}${d.demo ? ' (demo model: trained on synthetic shapes, not for real annotation)' : ''}: ${d.layout} layout, ${d.family ?? 'SAM'}${d.variant ? ` ${d.variant}` : ''}`,
    `  input ${d.input_size}×${d.input_size}, embedding ${d.embedding.join('×')}, low-res masks ${d.low_res_mask_size}×${d.low_res_mask_size}`,
    `  mask input: ${d.capabilities.maskInput ? 'yes' : 'no'}, box: ${d.capabilities.box ? 'yes' : 'no'}, single-mask token: ${d.capabilities.singleMaskToken ? 'yes' : 'no'}`,
    `  manifest: ${d.manifest ? 'checked (names, shapes, sha256)' : 'none (layout detected from the graphs)'}`,
    ...d.files.flatMap((f) => [
      `  ${f.role} ${f.file}`,
      `    in:  ${f.inputs.join('; ')}`,
      `    out: ${f.outputs.join('; ')}`,
    ]),
  ];
  if (d.providers) {
    lines.push(
      `  loaded on ${d.providers.encoder} (encoder ${d.load_ms!.encoder} ms, decoder ${d.load_ms!.decoder} ms)`,
    );
    for (const f of d.providers.fallbacks) lines.push(`  fell back from ${f.provider}: ${f.reason}`);
  }
  console.log(lines.join('\n'));
  return 0;
}
