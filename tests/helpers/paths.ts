import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file lives in tests/helpers/). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const fixturesDir = path.join(repoRoot, 'tests', 'fixtures');

/**
 * Meta's conformance data (random-weight checkpoint and what Meta's code computes from it). It is not committed
 * (40 MB); it lives beside the checkout. Set SAM_CONFORMANCE_DIR to point elsewhere.
 */
export function findConformanceDir(): string | undefined {
  const candidates = [
    process.env.SAM_CONFORMANCE_DIR,
    path.join(repoRoot, '..', 'shared', 'conformance'),
    '/work/shared/conformance',
  ];
  return candidates.find((dir): dir is string => !!dir && existsSync(path.join(dir, 'index.json')));
}
