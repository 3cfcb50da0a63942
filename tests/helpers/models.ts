/**
 * Models the tests export on demand with the project's own Python tooling (never committed): cached under
 * .cache/ by a key over the checkpoint and the exporter's sources, so a changed exporter re-exports.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths.ts';

/**
 * A short hash of an exporter's Python sources: sam_tools/*.py (the shared decoder modules), those of the
 * `subdirs` of sam_tools, and the `script` in native-models/. A cached model keyed by it is re-exported when any
 * of them changes.
 */
export function exporterHash(subdirs: string[] = [], script = 'export.py'): string {
  const hash = createHash('sha256');
  for (const sub of ['', ...subdirs]) {
    const dir = path.join(repoRoot, 'native-models', 'sam_tools', sub);
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.py'))
      .sort())
      hash.update(readFileSync(path.join(dir, file)));
  }
  hash.update(readFileSync(path.join(repoRoot, 'native-models', script)));
  return hash.digest('hex').slice(0, 12);
}

/** Export a checkpoint (+ config) with native-models/export.py into a cached model folder. */
export function exportedModel(name: string, args: string[], keyFiles: string[]): string {
  const key = createHash('sha256');
  for (const f of keyFiles) key.update(readFileSync(f));
  key.update(args.join(' '));
  const dir = path.join(
    repoRoot,
    '.cache',
    'test-models',
    `${name}-${key.digest('hex').slice(0, 12)}-${exporterHash()}`,
  );
  if (existsSync(path.join(dir, 'manifest.json'))) return dir;
  const temp = `${dir}.${process.pid}.tmp`;
  rmSync(temp, { recursive: true, force: true });
  const result = spawnSync(
    '/usr/bin/python3',
    [path.join(repoRoot, 'native-models', 'export.py'), ...args, '--out', temp, '--no-smoke'],
    {
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) throw new Error(`export of ${name} failed:\n${result.stderr}`);
  if (!existsSync(path.join(dir, 'manifest.json'))) renameSync(temp, dir);
  else rmSync(temp, { recursive: true, force: true });
  return dir;
}

/** The tiny test architecture (seed 4) with the batch decoder (`decoder_batch.onnx`) automatic mask generation uses. */
export function tinyBatchModel(): string {
  return exportedModel('tiny-batch', ['--random-seed', '4', '--type', 'tiny_test', '--batch-decoder'], []);
}

/** Meta's architecture with the conformance data's random weights, exported by our tooling. */
export function conformanceModel(conformanceDir: string): string {
  const pth = path.join(conformanceDir, 'sam_tiny_official.pth');
  const config = path.join(conformanceDir, 'sam_tiny_official.json');
  return exportedModel('conformance', ['--checkpoint', pth, '--config', config], [pth, config]);
}

/**
 * A tiny SAM checkpoint saved as Meta saves theirs (a plain state_dict, seeded weights) and its architecture as a
 * config JSON in the conformance format, for `convert` tests → [checkpoint, config].
 */
export function writeTinyCheckpoint(dir: string): [string, string] {
  const pth = path.join(dir, 'tiny.pth');
  const config = path.join(dir, 'tiny.json');
  const make = spawnSync(
    '/usr/bin/python3',
    [
      '-c',
      [
        'import json, sys, torch',
        "sys.path.insert(0, 'native-models')",
        'from sam_tools.config import PRESETS',
        'from sam_tools.sam import build_sam, randomize_',
        "cfg = PRESETS['tiny_test']",
        'torch.save(randomize_(build_sam(cfg), 7).state_dict(), sys.argv[1])',
        "open(sys.argv[2], 'w').write(json.dumps(cfg.to_json_dict()))",
      ].join('\n'),
      pth,
      config,
    ],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  if (make.status !== 0) throw new Error(`writing a tiny checkpoint failed: ${make.stderr}`);
  return [pth, config];
}
