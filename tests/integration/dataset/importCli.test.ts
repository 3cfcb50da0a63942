/** `sam-annotate project import --sa1b DIR --images-root ROOT` as a user runs it (issue 18 item 15). */
import { cpSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportSa1b } from '../../../electron/dataset/exportSa1b.ts';
import { createProject, openProject } from '../../../electron/store/projectDb.ts';
import { cli } from '../../helpers/cli.ts';
import { closeLater, tempDir } from '../../helpers/projects.ts';
import { annotatedProject } from './fixtures.ts';

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
