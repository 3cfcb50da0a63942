/**
 * The catalog's compute counts are the ones native-models/tools/count_macs.py prints (issue 15): rerun it and
 * compare, so an architecture change or a hand edit of catalog.ts cannot leave the speed estimate behind.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COUNTED_ENCODER_GMACS, SAM1_DECODER_GMACS } from '../../../electron/models/compute.ts';
import { repoRoot } from '../../helpers/paths.ts';

const torch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });

describe.skipIf(torch.status !== 0)('catalog GMACs (skipped: /usr/bin/python3 has no torch)', () => {
  it('equal count_macs.py --json for every architecture', () => {
    const run = spawnSync(
      '/usr/bin/python3',
      [path.join(repoRoot, 'native-models', 'tools', 'count_macs.py'), '--json'],
      { encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(0);
    const counted = JSON.parse(run.stdout) as Record<string, { encoder: number; decoder: number }>;
    expect(Object.keys(counted).sort()).toEqual(Object.keys(COUNTED_ENCODER_GMACS).sort());
    for (const [name, { encoder, decoder }] of Object.entries(counted)) {
      expect([name, COUNTED_ENCODER_GMACS[name as keyof typeof COUNTED_ENCODER_GMACS]]).toEqual([
        name,
        encoder,
      ]);
      expect(decoder).toBeCloseTo(SAM1_DECODER_GMACS, 2);
    }
  }, 300_000);
});
