/**
 * The built renderer (out/renderer). From a source checkout it is rebuilt with Vite when missing or older than
 * the sources, so `sam-annotate serve` and `npm start` always show the current UI; a packaged app ships it built.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../common/errors.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RENDERER_OUT = path.join(REPO_ROOT, 'out', 'renderer');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

export function ensureRendererBuilt(log: (line: string) => void = console.error): string {
  const index = path.join(RENDERER_OUT, 'index.html');
  const sources = [path.join(REPO_ROOT, 'renderer'), path.join(REPO_ROOT, 'electron', 'common')];
  if (!sources.every(existsSync)) {
    if (existsSync(index)) return RENDERER_OUT;
    throw new UserError(`the app's user interface is missing (${index})`);
  }
  const newestSource = Math.max(...sources.map(newestMtime));
  if (existsSync(index) && statSync(index).mtimeMs >= newestSource) return RENDERER_OUT;
  log('building the user interface (vite) …');
  const vite = path.join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0 || !existsSync(index))
    throw new UserError('building the user interface failed (see the messages above)');
  return RENDERER_OUT;
}
