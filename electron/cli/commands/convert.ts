/** `sam-annotate convert`: a PyTorch SAM checkpoint → a model folder (encoder.onnx, decoder.onnx, manifest). */
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../../common/errors.ts';
import { NATIVE_MODELS_DIR, lastLine, requireTorch, runPython } from '../../node/python.ts';
import { checkModelName } from '../../models/registry.ts';
import { UsageError, parseFlags, required } from '../args.ts';
import { openRegistry } from '../../models/defaultModel.ts';

export const summary = 'convert a SAM checkpoint (.pth) into an ONNX model folder';

export const help = `Usage: sam-annotate convert --checkpoint FILE.pth (--type vit_b|vit_l|vit_h | --config FILE.json) (--out DIR | --install NAME)

Loads Meta's checkpoint (sam_vit_b_01ec64.pth, sam_vit_l_0b3195.pth, sam_vit_h_4b8939.pth, or a fine-tuned one
with the same keys) strictly, exports encoder.onnx and decoder.onnx (Meta's decoder contract) with a
manifest.json, and checks the ONNX outputs against PyTorch. Needs Python 3 with torch and onnx
($SAM_PYTHON, else /usr/bin/python3).

  --checkpoint FILE   PyTorch state_dict as Meta publishes it
  --type NAME         vit_b, vit_l or vit_h (Meta's architectures)
  --config FILE.json  another architecture, e.g. {"config": {"encoder_embed_dim": 64, …}, "pixel_mean": …}
  --out DIR           model folder to create
  --install NAME      instead of --out: install the result as model NAME (sam-annotate models list shows it;
                      add --default to make it the default model)
  --default           with --install: make it the default model
  --layout NAME       sam-annotate (default) or transformers.js
  --no-smoke          skip the ONNX-vs-PyTorch check`;

const FLAGS = {
  checkpoint: { type: 'string' },
  type: { type: 'string' },
  config: { type: 'string' },
  out: { type: 'string' },
  install: { type: 'string' },
  default: { type: 'boolean' },
  layout: { type: 'string' },
  'no-smoke': { type: 'boolean' },
} as const;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags('convert', argv, FLAGS);
  const checkpoint = required('checkpoint', 'convert', values.checkpoint);
  if (!!values.out === !!values.install)
    throw new UsageError('convert: give exactly one of --out DIR or --install NAME');
  if (values.default && !values.install) throw new UsageError('convert: --default goes with --install');
  const registry = values.install ? openRegistry() : undefined;
  if (registry && (await registry.find(values.install!)))
    throw new UserError(
      `a model named ${values.install} already exists (remove it first: sam-annotate models remove ${values.install})`,
    );
  const out = registry
    ? path.join(registry.modelsDir, `.convert-${checkModelName(values.install!)}`)
    : required('out', 'convert', values.out);
  if (!!values.type === !!values.config)
    throw new UsageError('convert: give exactly one of --type or --config');
  if (values.type && !['vit_b', 'vit_l', 'vit_h'].includes(values.type)) {
    throw new UsageError(`convert: --type ${values.type}: expected vit_b, vit_l or vit_h`);
  }
  if (!existsSync(checkpoint)) throw new UserError(`cannot read checkpoint ${checkpoint}: no such file`);
  if (values.config && !existsSync(values.config))
    throw new UserError(`cannot read config ${values.config}: no such file`);
  await requireTorch();
  const args = [
    path.join(NATIVE_MODELS_DIR, 'export.py'),
    '--checkpoint',
    path.resolve(checkpoint),
    '--out',
    path.resolve(out),
  ];
  if (values.type) args.push('--type', values.type);
  if (values.config) args.push('--config', path.resolve(values.config));
  if (values.layout) args.push('--layout', values.layout);
  if (values['no-smoke']) args.push('--no-smoke');
  if (values.install) args.push('--name', values.install);
  if (registry) await rm(out, { recursive: true, force: true });
  const result = await runPython(args);
  if (result.code !== 0) {
    if (registry) await rm(out, { recursive: true, force: true });
    throw new UserError(`convert failed: ${lastLine(result.stderrTail) || `exit code ${result.code}`}`);
  }
  if (registry) {
    const target = registry.installDir(values.install!);
    await rename(out, target);
    if (values.default) await registry.setDefault(values.install!);
    console.error(
      `installed model ${values.install} at ${target}${values.default ? '; it is now the default model' : ''}`,
    );
    return 0;
  }
  console.error(`wrote model folder ${out}`);
  return 0;
}
