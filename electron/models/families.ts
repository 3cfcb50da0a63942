/**
 * SAM families as the model manager sees them (issue 14): which converter turns a checkpoint of each into a model
 * folder, and which family a checkpoint or config is. Plain Node: the CLI, the app's model manager and the
 * installer share it; how a family is named to the user is electron/common/modelFamily.ts (the renderer's too).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { UserError, describeError } from '../common/errors.ts';
import { type ModelType, SAM1_TYPES, SAM2_TYPES } from '../common/modelFamily.ts';
import { NATIVE_MODELS_DIR, pythonExecutable } from '../node/python.ts';

export { type ModelType, SAM1_TYPES, SAM2_TYPES };

/** 'sam' = SAM 1 (the manifests' name for it); 'sam2' covers SAM 2 and 2.1 (same graphs, other weights). */
export type ConverterFamily = 'sam' | 'sam2';

export interface Converter {
  readonly family: ConverterFamily;
  /** The export script, absolute. */
  readonly script: string;
  /** Layouts the script writes (its --layout choices); the first is the default. */
  readonly layouts: readonly string[];
  /**
   * Flags the app adds to every conversion into `layout` (undefined: the default layout). SAM 1 folders in the
   * app's own layout get the batch decoder (`decoder_batch.onnx`, one decoder's size again): automatic mask
   * generation decodes its grid with it, the image-only steps once per run of prompts (issue 16).
   */
  readonly conversionFlags: (layout: string | undefined) => readonly string[];
}

const CONVERTERS: Record<ConverterFamily, Converter> = {
  sam: {
    family: 'sam',
    script: path.join(NATIVE_MODELS_DIR, 'export.py'),
    layouts: ['sam-annotate', 'transformers.js'],
    conversionFlags: (layout) => ((layout ?? 'sam-annotate') === 'sam-annotate' ? ['--batch-decoder'] : []),
  },
  sam2: {
    family: 'sam2',
    script: path.join(NATIVE_MODELS_DIR, 'export_sam2.py'),
    layouts: ['sam-annotate', 'samexporter', 'rectlabel', 'transformers.js'],
    conversionFlags: () => [],
  },
};

export function isModelType(value: string): value is ModelType {
  return (
    (SAM1_TYPES as readonly string[]).includes(value) || (SAM2_TYPES as readonly string[]).includes(value)
  );
}

/** `--type NAME` → the converter for its family; a UsageError-worthy message for an unknown name. */
export function converterForType(type: string): Converter {
  if ((SAM1_TYPES as readonly string[]).includes(type)) return CONVERTERS.sam;
  if ((SAM2_TYPES as readonly string[]).includes(type)) return CONVERTERS.sam2;
  throw new UserError(
    `--type ${type}: expected one of ${SAM1_TYPES.join(', ')} (SAM 1) or ${SAM2_TYPES.join(', ')} (SAM 2 / 2.1)`,
  );
}

/**
 * `--config FILE.json` → the converter for its family: SAM 1 configs hold a `config` object (export.py's format),
 * SAM 2 configs Meta's resolved `model` (export_sam2.py's, like the conformance data's sam2.1_test.json).
 */
export async function converterForConfig(file: string): Promise<Converter> {
  let root: unknown;
  try {
    root = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UserError(`cannot read config ${file}: ${describeError(error)}`, { cause: error });
  }
  const has = (key: string) =>
    typeof root === 'object' && root !== null && typeof (root as Record<string, unknown>)[key] === 'object';
  if (has('model')) return CONVERTERS.sam2;
  if (has('config')) return CONVERTERS.sam;
  throw new UserError(
    `config ${file}: neither a SAM 1 config (a "config" object) nor a SAM 2 one (Meta's resolved "model")`,
  );
}

/** Which family a checkpoint's tensors are (native-models/tools/checkpoint_family.py); null when unreadable. */
export async function checkpointFamily(checkpoint: string): Promise<string | null> {
  try {
    const { stdout } = await promisify(execFile)(pythonExecutable(), [
      path.join(NATIVE_MODELS_DIR, 'tools', 'checkpoint_family.py'),
      path.resolve(checkpoint),
    ]);
    const family = (JSON.parse(stdout) as { family?: unknown }).family;
    return typeof family === 'string' && family !== 'unknown' ? family : null;
  } catch {
    return null;
  }
}
