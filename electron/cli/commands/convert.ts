/**
 * `sam-annotate convert`: a PyTorch SAM 1 or SAM 2 / 2.1 checkpoint → a model folder (encoder.onnx, decoder.onnx,
 * manifest). The --type (or the --config's shape) picks the converter (electron/models/families.ts).
 */
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../../common/errors.ts';
import { lastLine, requireTorch, runPython } from '../../node/python.ts';
import {
  type Converter,
  SAM1_TYPES,
  SAM2_TYPES,
  checkpointFamily,
  converterForConfig,
  converterForType,
} from '../../models/families.ts';
import { familyLabel } from '../../common/modelFamily.ts';
import { checkModelName } from '../../models/registry.ts';
import { UsageError, parseFlags, required } from '../args.ts';
import { openRegistry } from '../../models/defaultModel.ts';
import * as quantize from './quantize.ts';

export const summary =
  'convert a SAM 1 (.pth) or SAM 2 / 2.1 (.pt) checkpoint into an ONNX model folder, or a model to int8';

export const help = `Usage: sam-annotate convert --checkpoint FILE (--type NAME | --config FILE.json) (--out DIR | --install NAME)

Loads Meta's checkpoint strictly, exports encoder.onnx and decoder.onnx with a manifest.json, and checks the
ONNX outputs against PyTorch. Needs Python 3 with torch and onnx ($SAM_PYTHON, else /usr/bin/python3).
  SAM 1:     sam_vit_b_01ec64.pth, sam_vit_l_0b3195.pth, sam_vit_h_4b8939.pth (native-models/export.py)
  SAM 2.1:   sam2.1_hiera_tiny.pt, _small.pt, _base_plus.pt, _large.pt; SAM 2: sam2_hiera_*.pt
             (native-models/export_sam2.py; image mode: the video-only tensors are skipped)
A fine-tuned checkpoint with the same keys works too.

  --checkpoint FILE   PyTorch checkpoint as Meta publishes it
  --type NAME         SAM 1: ${SAM1_TYPES.join(', ')}
                      SAM 2: ${SAM2_TYPES.slice(0, 4).join(', ')}
                             ${SAM2_TYPES.slice(4).join(', ')}
                      (t = tiny, s = small, b+ = base_plus, l = large)
  --config FILE.json  another architecture: SAM 1 {"config": {"encoder_embed_dim": 64, …}, "pixel_mean": …};
                      SAM 2 Meta's resolved config {"model": {…}} (as sam2.1_test.json in the conformance data)
  --out DIR           model folder to create
  --install NAME      instead of --out: install the result as model NAME (sam-annotate models list shows it;
                      add --default to make it the default model)
  --default           with --install: make it the default model
  --layout NAME       sam-annotate (default) or transformers.js; SAM 2 also samexporter or rectlabel
  --no-smoke          skip the ONNX-vs-PyTorch check

${quantize.help}`;

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
  if (argv.some((a) => a === '--quantize' || a.startsWith('--quantize='))) return quantize.run(argv);
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
  const typed = values.type ? typeConverter(values.type) : undefined;
  if (!existsSync(checkpoint)) throw new UserError(`cannot read checkpoint ${checkpoint}: no such file`);
  if (values.config && !existsSync(values.config))
    throw new UserError(`cannot read config ${values.config}: no such file`);
  const converter = typed ?? (await converterForConfig(values.config!));
  if (values.layout && !converter.layouts.includes(values.layout))
    throw new UsageError(
      `convert: --layout ${values.layout}: ${familyLabel(converter.family, null)} converts to ${converter.layouts.join(', ')}`,
    );
  await requireTorch();
  const args = [converter.script, '--checkpoint', path.resolve(checkpoint), '--out', path.resolve(out)];
  if (values.type) args.push('--type', values.type);
  if (values.config) args.push('--config', path.resolve(values.config));
  if (values.layout) args.push('--layout', values.layout);
  args.push(...converter.conversionFlags(values.layout));
  if (values['no-smoke']) args.push('--no-smoke');
  if (values.install) args.push('--name', values.install);
  if (registry) await rm(out, { recursive: true, force: true });
  const result = await runPython(args);
  if (result.code !== 0) {
    if (registry) await rm(out, { recursive: true, force: true });
    const other = await otherFamily(checkpoint, converter);
    if (other) throw new UserError(other);
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

function typeConverter(type: string): Converter {
  try {
    return converterForType(type);
  } catch (error) {
    throw new UsageError(`convert: ${(error as Error).message}`);
  }
}

/**
 * After a failed conversion: when the checkpoint is of the other family than --type / --config said (a SAM 2 .pt
 * given vit_b, a SAM 1 .pth given sam2.1_hiera_t), the one line that says so; undefined otherwise.
 */
async function otherFamily(checkpoint: string, converter: Converter): Promise<string | undefined> {
  const family = await checkpointFamily(checkpoint);
  if (!family || (family === 'sam') === (converter.family === 'sam')) return undefined;
  const types = family === 'sam' ? SAM1_TYPES : SAM2_TYPES.filter((t) => t.startsWith(`${family}_`));
  return (
    `${checkpoint} is a ${familyLabel(family, null)} checkpoint, not ${familyLabel(converter.family, null)}: ` +
    `convert it with --type ${types.join('|')} (or a ${familyLabel(family, null)} --config)`
  );
}
