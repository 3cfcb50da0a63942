/** Can the desktop app start here? The Electron binary must be installed, and on Linux a display must exist. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './rendererBuild.ts';

export type ElectronCheck =
  { readonly ok: true; readonly binary: string } | { readonly ok: false; readonly reason: string };

export function checkElectron(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): ElectronCheck {
  const pkg = path.join(REPO_ROOT, 'node_modules', 'electron');
  if (!existsSync(pkg)) return { ok: false, reason: 'the electron package is not installed' };
  const pathFile = path.join(pkg, 'path.txt');
  // electron ≥ 42 downloads its binary on first use; where that cannot happen, path.txt is never written.
  if (!existsSync(pathFile))
    return { ok: false, reason: 'the Electron binary is not installed (it could not be downloaded)' };
  const binary = path.join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(binary)) return { ok: false, reason: `the Electron binary is missing (${binary})` };
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY)
    return { ok: false, reason: 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)' };
  return { ok: true, binary };
}
