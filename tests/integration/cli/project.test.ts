import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeMask } from '../../../electron/common/rle.ts';
import { repoRoot } from '../../helpers/paths.ts';
import { tempDir, writeImage } from '../../helpers/projects.ts';
import { child, exited, waitForLine } from '../store/spawn.ts';

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [path.join(repoRoot, 'electron', 'cli', 'bin.js'), ...args], {
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('sam-annotate project', () => {
  it('creates a project from a folder, imports COCO made elsewhere, exports, reports stats', async () => {
    const dir = tempDir();
    await writeImage(path.join(dir, 'images', 'a.png'), 30, 20, 1);
    await writeImage(path.join(dir, 'images', 'nested', 'b.png'), 30, 20, 2);
    writeFileSync(path.join(dir, 'images', 'broken.png'), 'nope');
    const file = path.join(dir, 'p.samproj');

    const created = cli('project', 'create', file, '--images', path.join(dir, 'images'));
    expect(created.code).toBe(0);
    expect(created.stderr).toContain('added 2 images, 1 unreadable');
    expect(created.stderr).toMatch(/unreadable: .*broken.png: /);

    const mask = encodeMask({
      width: 30,
      height: 20,
      data: new Uint8Array(600).map((_, i) => (i % 30 > 10 && i % 30 < 20 ? 1 : 0)),
    });
    const coco = {
      images: [{ id: 1, file_name: 'a.png', width: 30, height: 20 }],
      categories: [{ id: 3, name: 'stripe', supercategory: '' }],
      annotations: [
        {
          id: 1,
          image_id: 1,
          category_id: 3,
          segmentation: mask,
          area: 200,
          bbox: [11, 0, 9, 20],
          iscrowd: 0,
        },
      ],
    };
    writeFileSync(path.join(dir, 'images', 'coco.json'), JSON.stringify(coco));
    const imported = cli('project', 'import', file, '--coco', path.join(dir, 'images', 'coco.json'));
    expect(imported.stderr).toContain(
      'imported 1 masks, 0 boxes; images: 0 added, 1 already in the project; new categories: stripe',
    );
    expect(imported.code).toBe(0);

    const out = path.join(dir, 'out.json');
    const exported = cli('project', 'export', file, '--format', 'coco-rle', '--out', out);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toContain(
      `wrote ${out}: 1 images, 1 annotations (0 polygon, 1 RLE), 1 categories`,
    );
    expect(JSON.parse(readFileSync(out, 'utf8')).annotations[0].segmentation.counts).toBe(mask.counts);

    const stats = cli('project', 'stats', file, '--json', '--check-files');
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.stdout)).toMatchObject({
      images: { total: 2 },
      annotations: { total: 1, masks: 1 },
      categories: [{ name: 'stripe', annotations: 1 }],
    });
    expect(cli('project', 'stats', file).stdout).toContain('annotations 1: 1 masks');
  });

  it('exits 1 with one clear line on user errors, 2 on usage errors', async () => {
    const dir = tempDir();
    const missing = cli('project', 'stats', path.join(dir, 'none.samproj'));
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toEqual([
      `sam-annotate: error: ${path.join(dir, 'none.samproj')}: no such project (create one with: sam-annotate project create ${path.join(dir, 'none.samproj')})`,
    ]);
    expect(cli('project', 'frobnicate').code).toBe(2);
    const file = path.join(dir, 'p.samproj');
    expect(cli('project', 'create', file).code).toBe(0);
    const format = cli('project', 'export', file, '--format', 'voc', '--out', path.join(dir, 'x'));
    expect([format.code, format.stderr.trim()]).toEqual([
      2,
      'sam-annotate: error: --format voc: expected one of coco, coco-polygon, coco-rle, sa1b, yolo, png, amg-png',
    ]);
    writeFileSync(
      path.join(dir, 'bad.json'),
      '{"images": [{"id": 1, "file_name": "x.png", "width": -3, "height": 2}]}',
    );
    const bad = cli('project', 'import', file, '--coco', path.join(dir, 'bad.json'));
    expect([bad.code, bad.stderr.trim()]).toEqual([
      1,
      `sam-annotate: error: ${path.join(dir, 'bad.json')}: $.images[0].width must be an integer ≥ 1`,
    ]);
    expect(cli('project', '--help').stdout).toContain('sam-annotate project <subcommand>');

    const holder = child('holder.ts', [file]);
    try {
      await waitForLine(holder, /^ready$/);
      const busy = cli('project', 'stats', file);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(
        /^sam-annotate: error: .*p\.samproj: open elsewhere by process \d+ on .*; close it there first\n$/,
      );
    } finally {
      holder.kill('SIGKILL');
      await exited(holder);
    }
  });
});
