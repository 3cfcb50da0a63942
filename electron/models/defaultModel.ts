/**
 * The model a command or the app runs when none is named — the one way every host resolves it (the app's
 * backend process, `serve`, `amg`, `boxes-to-masks`, `edges`, `predict`): the same answer as `sam-annotate
 * models default` — the user's choice, else the first installed real model, else the built-in demo model, with
 * the note to show when it is the demo model.
 */
import path from 'node:path';
import { describeError } from '../common/errors.ts';
import { FileHashCache } from '../inference/fileHash.ts';
import { cacheDir, dataDir } from '../node/appPaths.ts';
import { BUILTIN_NAME, DEMO_NOTE, ModelRegistry } from './registry.ts';

export interface ResolvedModel {
  readonly dir: string;
  /** A line to show the user (that this is the demo model, and how to install a real one). */
  readonly note?: string;
}

/** The registry of this machine: `$SAM_ANNOTATE_DATA` (models), `$SAM_ANNOTATE_CACHE` (file hashes). */
export function openRegistry(): ModelRegistry {
  return new ModelRegistry(dataDir(), new FileHashCache(path.join(cacheDir(), 'model-hashes.json')));
}

/**
 * `explicit`: a folder or an installed model's name (an error when it is neither). Without it, the default
 * model; when that cannot be used (its folder went away), the built-in demo model with a note saying why.
 * Undefined when there is no model at all.
 */
export async function resolveModelDir(
  explicit?: string,
  registry: ModelRegistry = openRegistry(),
): Promise<ResolvedModel | undefined> {
  try {
    const picked = await registry.pick(explicit);
    return { dir: picked.dir, note: picked.note };
  } catch (error) {
    if (explicit) throw error;
    const builtin = await registry.find(BUILTIN_NAME);
    if (!builtin || builtin.problem) return undefined;
    return { dir: builtin.dir, note: `${describeError(error)}; ${DEMO_NOTE}` };
  }
}
