/**
 * Which model a command or the app uses when none is named: the built-in demo model that ships in
 * native-models/builtin. (The model manager, electron/models, extends this with installed models.)
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../node/rendererBuild.ts';

// In a packaged app the model is unpacked beside app.asar: onnxruntime cannot read files inside the archive.
export const BUILTIN_MODEL_DIR = path
  .join(REPO_ROOT, 'native-models', 'builtin', 'sam-annotate-demo')
  .replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`);

export const DEMO_NOTE =
  'using the built-in demo model (a small SAM trained here on synthetic shapes; fine for simple scenes). ' +
  'For real photos install Meta\'s SAM: see "Getting real SAM models" in the README.';

export interface ResolvedModel {
  readonly dir: string;
  /** A line to show the user (e.g. that this is the demo model). */
  readonly note?: string;
}

export async function resolveModelDir(explicit?: string): Promise<ResolvedModel | undefined> {
  if (explicit) return { dir: path.resolve(explicit) };
  if (existsSync(path.join(BUILTIN_MODEL_DIR, 'manifest.json')))
    return { dir: BUILTIN_MODEL_DIR, note: DEMO_NOTE };
  return undefined;
}
