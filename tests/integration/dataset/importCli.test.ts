/** `sam-annotate project import --sa1b DIR --images-root ROOT` as a user runs it (issue 18 item 15). */
import { cpSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportSa1b } from '../../../electron/dataset/exportSa1b.ts';
import { createProject, openProject } from '../../../electron/store/projectDb.ts';
import { cli } from '../../helpers/cli.ts';
import { closeLater, tempDir } from '../../helpers/projects.ts';
import { annotatedProject } from './fixtures.ts';

// Issue 17: our own COCO export came back with every image "missing": its file_name is relative to the images'
// folder (info.sam_annotate.images_root), and the import looked beside the JSON.
describe('project export --format coco, then project import --coco with the defaults', () => {
  it('finds the images through the export’s images_root and says so', async () => {
    const f = await annotatedProject();
    f.project.close();
    const json = path.join(tempDir(), 'coco.json');
    const exported = cli([
      'project',
      'export',
      f.project.file,
      '--format',
      'coco',
      '--out',
      json,
      '--include-uncategorized',
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    const target = path.join(tempDir(), 'new.samproj');
    createProject(target).close();
    const run = cli(['project', 'import', target, '--coco', json]);
    expect(run.stderr).not.toContain('flagged missing');
    expect(run.stderr).toContain(
      `2 images not beside the JSON were found under ${path.join(f.dir, 'images')}`,
    );
    expect(run.code).toBe(0);
    const project = closeLater(openProject(target));
    // The export lists the images that have annotations (a.png, sub/b.jpg).
    expect(project.reader.prepare("SELECT count(*) AS n FROM images WHERE file_state = 'ok'").get()).toEqual({
      n: 2,
    });
  });
});

describe('project import --sa1b', () => {
  it('finds the images of a moved SA-1B export with --images-root', async () => {
    const f = await annotatedProject();
    const exported = path.join(f.dir, 'sa1b');
    await exportSa1b(f.project, exported);
    const moved = path.join(tempDir(), 'copied', 'sa1b');
    cpSync(exported, moved, { recursive: true });
    const target = path.join(tempDir(), 'new.samproj');
    createProject(target).close();
    const run = cli([
      'project',
      'import',
      target,
      '--sa1b',
      moved,
      '--images-root',
      path.join(f.dir, 'images'),
    ]);
    expect(run.stderr).toContain('imported 4 masks, 0 boxes; images: 2 added, 0 already in the project');
    expect(run.stderr).not.toContain('flagged missing');
    expect(run.code).toBe(0);
    const project = closeLater(openProject(target));
    expect(project.reader.prepare("SELECT count(*) AS n FROM images WHERE file_state = 'ok'").get()).toEqual({
      n: 2,
    });
  });
});
