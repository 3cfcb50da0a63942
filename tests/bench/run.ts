/**
 * `npm run bench`: speed and memory numbers with ratios against the targets (never pass/fail). Each part runs
 * in its own process so peak RSS is that part's. Absolute timings are noisy on shared machines; compare ratios
 * within one run. `npm run bench -- inference` (or store, amg, browser, sam2, clicks, quant, meta) runs one part; other arguments go to
 * the parts (`npm run bench -- sam2 --sam2-sizes t,s` or `--all`: see sam2.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.ts';

const PARTS: Record<string, string> = {
  inference: 'tests/bench/inference.ts',
  store: 'tests/bench/store.ts',
  amg: 'tests/bench/amg.ts',
  browser: 'tests/bench/browser.ts',
  sam2: 'tests/bench/sam2.ts',
  clicks: 'tests/bench/clicks.ts',
  quant: 'tests/bench/quant.ts',
  meta: 'tests/bench/meta.ts',
};

const wanted = process.argv.slice(2).filter((a) => a in PARTS);
const forwarded = process.argv.slice(2).filter((a) => !(a in PARTS));
for (const [name, file] of Object.entries(PARTS)) {
  if (wanted.length && !wanted.includes(name)) continue;
  if (!existsSync(path.join(repoRoot, file))) continue;
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...forwarded], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  if (r.status !== 0) console.log(`(${name} benchmark failed with exit code ${r.status})`);
}
