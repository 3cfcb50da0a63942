/**
 * A checkpoint is data, not code (issue 18): `sam-annotate convert` on a .pth whose pickle would run a command
 * refuses it in one line naming the file, and the command never runs.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../../helpers/cli.ts';
import { tempDir } from '../../helpers/projects.ts';

describe('sam-annotate convert on a checkpoint that would run code', () => {
  it('refuses it by name and nothing runs', () => {
    const dir = tempDir('sam-evil-');
    const marker = path.join(dir, 'pwned');
    const evil = path.join(dir, 'evil.pth');
    // Pickle protocol 0 for `os.system("touch MARKER")`: what unpickling a hostile .pth does.
    writeFileSync(evil, `cos\nsystem\n(S'touch ${marker}'\ntR.`);
    const r = cli(['convert', '--checkpoint', evil, '--type', 'vit_b', '--out', path.join(dir, 'out')], {
      SAM_ANNOTATE_DATA: path.join(dir, 'data'),
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(
      new RegExp(
        `${evil.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not a plain checkpoint \\(it contains code objects\\); refusing to load it$`,
      ),
    );
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
  });
});
