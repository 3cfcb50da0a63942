/** Where SAM Annotate keeps caches and installed models on this machine (overridable by environment). */
import os from 'node:os';
import path from 'node:path';

/** `$SAM_ANNOTATE_CACHE`, else `$XDG_CACHE_HOME/sam-annotate`, else `~/.cache/sam-annotate`. */
export function cacheDir(): string {
  if (process.env.SAM_ANNOTATE_CACHE) return path.resolve(process.env.SAM_ANNOTATE_CACHE);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'sam-annotate');
}

/**
 * Where installed models, the model registry, recent projects and the sample project live: `$SAM_ANNOTATE_DATA`, else
 * `$XDG_DATA_HOME/sam-annotate`, else `~/.local/share/sam-annotate`.
 */
export function dataDir(): string {
  if (process.env.SAM_ANNOTATE_DATA) return path.resolve(process.env.SAM_ANNOTATE_DATA);
  const base = process.env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'sam-annotate');
}
