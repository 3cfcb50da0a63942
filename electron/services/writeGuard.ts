/**
 * Serve mode's write confinement (issue 18). Over HTTP, a client names paths on the server's disk (export to…,
 * create a project at…); without a check, it could write anywhere the server process can. In serve mode every
 * path a client names for writing passes `checkWritable` against the allowed roots: the open project's folder,
 * the data folder, the folder `serve` was started on, and each `--allow-write DIR`. The desktop app is not
 * confined (its user picks paths in native dialogs).
 *
 * Paths are compared after resolving `..` and symlinks (the real path of the nearest existing ancestor), so a
 * symlink inside a root that leads out of it does not open a way out. Node only, no Electron.
 */
import { lstatSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../common/errors.ts';

/** `child` is `root` or below it, at a path-segment boundary (`/a/bc` is not inside `/a/b`). */
export function isInside(child: string, root: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * Where writing `target` would land: the real path of its nearest existing ancestor (symlinks and `..`
 * resolved) plus the part that does not exist yet. Null when an existing entry on the way cannot be resolved
 * (a broken symlink: writing through it would create its target, wherever that is).
 */
export function realTarget(target: string): string | null {
  let existing = path.resolve(target);
  const missing: string[] = [];
  for (;;) {
    let found = true;
    try {
      lstatSync(existing);
    } catch {
      found = false;
    }
    if (found) {
      try {
        return path.join(realpathSync.native(existing), ...missing);
      } catch {
        return null;
      }
    }
    const parent = path.dirname(existing);
    if (parent === existing) return null;
    missing.unshift(path.basename(existing));
    existing = parent;
  }
}

/** Refuses (UserError naming the path and the flag) unless `target` lies in one of `roots`. */
export function checkWritable(target: string, roots: readonly string[]): void {
  if (!path.isAbsolute(target)) throw new UserError(`${target}: give an absolute path`);
  const real = realTarget(target);
  const realRoots = roots.map(realTarget).filter((r): r is string => r !== null);
  if (real && realRoots.some((root) => isInside(real, root))) return;
  throw new UserError(
    `${target}: this server may not write there (it writes only in ${roots.join(', ')}); ` +
      'start sam-annotate serve with --allow-write DIR to allow a folder',
  );
}
