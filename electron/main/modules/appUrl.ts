/**
 * Which URLs are the app's own page (issue 18): the navigation guard (security.ts) and the IPC sender check
 * (ipc.ts) accept only these. Pure (no electron import) so it runs in plain Node tests.
 *
 * A string prefix match let a sibling folder (`renderer-x/`) or `renderer/../x` pass; this compares the parsed
 * file path instead: a `file:` URL without a host whose path, once decoded and normalized, lies strictly inside
 * the renderer folder. Query and hash never take part in the check.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function appUrlMatcher(rendererRoot: string): (url: string) => boolean {
  const root = path.resolve(rendererRoot);
  const sameCase = process.platform === 'win32' || process.platform === 'darwin';
  const fold = (p: string) => (sameCase ? p.toLowerCase() : p);
  return (url) => {
    let file: string;
    try {
      const parsed = new URL(url);
      if (parsed.protocol !== 'file:' || (parsed.host !== '' && parsed.host !== 'localhost')) return false;
      parsed.search = '';
      parsed.hash = '';
      // Throws on an encoded separator (%2F), which a real app URL never has.
      file = path.resolve(fileURLToPath(parsed));
    } catch {
      return false;
    }
    const rel = path.relative(fold(root), fold(file));
    return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
  };
}
