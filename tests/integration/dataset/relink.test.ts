/**
 * Issue 17: a project whose images moved (the images folder renamed or copied elsewhere) can be pointed at their
 * new folder, from the app (AppBackend.relinkImages) and the CLI (`project relink`); a project's own COCO export
 * re-imports with the default settings in the app.
 */
import { cpSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeMask } from '../../../electron/common/rle.ts';
import { AppBackend } from '../../../electron/services/appBackend.ts';
import { addAnnotation } from '../../../electron/store/annotations.ts';
import { openProject } from '../../../electron/store/projectDb.ts';
import { cli } from '../../helpers/cli.ts';
import { closeLater, tempDir } from '../../helpers/projects.ts';
import { annotatedProject, maskOf } from './fixtures.ts';

const backends: AppBackend[] = [];
afterEach(async () => {
  await Promise.all(backends.splice(0).map((b) => b.close()));
});

function backend(dir: string): AppBackend {
  const b = new AppBackend({ mode: 'serve', dataDir: path.join(dir, 'data') });
  backends.push(b);
  return b;
}

const states = async (b: AppBackend) =>
  (await b.listImages({ offset: 0, limit: 10 })).items.map((i) => [
    i.relPath,
    i.fileState,
    i.annotationCount,
  ]);

describe('relinking moved images', () => {
  it('finds each image under the new folder, checks it is the same file, and keeps its masks', async () => {
    const f = await annotatedProject();
    f.project.close();
    const moved = path.join(f.dir, 'renamed');
    renameSync(path.join(f.dir, 'images'), moved);
    // A different file under the same name is not taken for the image.
    writeFileSync(path.join(moved, 'c.png'), 'not the same picture');
    const b = backend(f.dir);
    await b.openProject(f.project.file);
    const report = await b.relinkImages(moved);
    expect(report.message).toBe(
      `relinked 2 of 3 missing images to ${moved}; 1 still missing (a file of that name differs: images/c.png)`,
    );
    expect(await states(b)).toEqual([
      ['images/c.png', 'missing', 0],
      ['renamed/a.png', 'ok', 4],
      ['renamed/sub/b.jpg', 'ok', 2],
    ]);
    await expect(b.relinkImages(path.join(f.dir, 'nowhere'))).rejects.toThrow(/nowhere: no such folder/);
  });

  it('from the command line', async () => {
    const f = await annotatedProject();
    f.project.close();
    const copy = path.join(tempDir(), 'elsewhere');
    cpSync(path.join(f.dir, 'images'), copy, { recursive: true });
    renameSync(path.join(f.dir, 'images'), path.join(f.dir, 'gone'));
    const run = cli(['project', 'relink', f.project.file, copy]);
    expect(run.stderr).toContain(`relinked 3 of 3 missing images to ${copy}`);
    expect(run.code).toBe(0);
    const project = closeLater(openProject(f.project.file));
    expect(project.reader.prepare("SELECT count(*) AS n FROM images WHERE file_state = 'ok'").get()).toEqual({
      n: 3,
    });
  });
});

describe('importing our own COCO export in the app', () => {
  it('finds the images with the default settings', async () => {
    const f = await annotatedProject();
    const small = encodeMask(maskOf(20, 20, (x, y) => x < 5 && y < 5));
    addAnnotation(f.project.db, { imageId: f.images.c, mask: small, source: 'manual', author: 'x' });
    f.project.close();
    const b = backend(f.dir);
    await b.openProject(f.project.file);
    const json = path.join(tempDir(), 'coco.json');
    await b.exportProject({ format: 'coco', out: json, all: true });
    await b.createProject(path.join(tempDir(), 'new.samproj'));
    const report = await b.importCoco(json);
    expect(report.message).toContain('0 missing');
    expect(report.message).toContain(`found under ${path.join(f.dir, 'images')}`);
    expect((await states(b)).every(([, state]) => state === 'ok')).toBe(true);
  });
});
