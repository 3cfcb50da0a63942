/**
 * `SAM_ANNOTATE_MODEL_MIRROR` (issue 15): fetch the catalog's files from another server instead of their
 * publishers (a site without internet access, the end-to-end tests' local server). Each catalog file URL becomes
 * `${mirror}/${entry.name}/${file.path}` — the mirror holds one folder per catalog name, laid out as the files are
 * saved. Checksums and the folder check apply as for the original URLs.
 */
import { UserError, quoteForMessage } from '../common/errors.ts';

export const MIRROR_ENV = 'SAM_ANNOTATE_MODEL_MIRROR';

/** The mirror's base URL without a trailing slash, or undefined when the variable is unset or empty. */
export function modelMirror(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[MIRROR_ENV]?.trim();
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UserError(`${MIRROR_ENV}=${quoteForMessage(value)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UserError(`${MIRROR_ENV}=${quoteForMessage(value)}: expected an http:// or https:// URL`);
  return value.replace(/\/+$/, '');
}

/** Where to fetch catalog entry `entryName`'s file `filePath` (published at `url`). */
export function catalogFileUrl(
  entryName: string,
  filePath: string,
  url: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const mirror = modelMirror(env);
  if (!mirror) return url;
  const segments = [entryName, ...filePath.split('/')].map(encodeURIComponent);
  return `${mirror}/${segments.join('/')}`;
}
