/**
 * The Electron bundles build, the preload needs nothing but electron, and the bundled inference worker (what
 * the packaged app's backend process runs) gives the same masks as the sources. Electron itself cannot start
 * on CI machines; these are the parts that can be proven without it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import { imagePoint } from '../../electron/common/frames.ts';
import { SamService } from '../../electron/inference/samService.ts';
import { fixturesDir, repoRoot } from '../helpers/paths.ts';

const out = path.join(repoRoot, 'out', 'electron');

describe('Electron bundles', () => {
  beforeAll(() => {
    const vite = path.join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
    for (const args of [[], ['--mode', 'preload']]) {
      const r = spawnSync(
        process.execPath,
        [vite, 'build', '-c', 'vite.electron.config.ts', '--logLevel', 'error', ...args],
        {
          cwd: repoRoot,
          encoding: 'utf8',
        },
      );
      expect(r.status, r.stderr).toBe(0);
    }
  }, 120_000);

  it('the preload requires only electron (sandboxed preloads can require nothing else)', () => {
    const preload = readFileSync(path.join(out, 'preload.cjs'), 'utf8');
    expect([...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1])).toEqual(['electron']);
    expect(preload).toContain('exposeInMainWorld');
    expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer\s*[,)]/);
  });

  it('the bundled inference worker gives the same masks as the sources', async () => {
    const prompt = { points: [{ point: imagePoint(90, 80), label: 1 as const }] };
    const image = path.join(fixturesDir, 'reference', 'wide.png');
    const model = path.join(fixturesDir, 'models', 'tiny-random');
    const bundled = new SamService({
      providers: ['cpu'],
      spawnWorker: () => new Worker(path.join(out, 'inferenceWorker.mjs')),
    });
    const source = new SamService({ providers: ['cpu'] });
    try {
      await Promise.all([bundled.loadModel(model), source.loadModel(model)]);
      const [a, b] = await Promise.all([bundled.predict(image, prompt), source.predict(image, prompt)]);
      expect(a.candidates.map((c) => c.rle)).toEqual(b.candidates.map((c) => c.rle));
    } finally {
      await Promise.all([bundled.close(), source.close()]);
    }
  });
});
