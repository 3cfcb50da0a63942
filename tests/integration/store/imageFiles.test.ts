import { cpSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addImagesFromFolder } from '../../../electron/dataset/addImages.ts';
import { checkImageFiles } from '../../../electron/dataset/imageFiles.ts';
import { getImage } from '../../../electron/store/images.ts';
import { openProject } from '../../../electron/store/projectDb.ts';
import { closeLater, newProject, tempDir, writeImage } from '../../helpers/projects.ts';

describe('image paths', () => {
  it('are relative to the project: moving the folder keeps the project working', async () => {
    const root = tempDir();
    const dir = path.join(root, 'before');
    await writeImage(path.join(dir, 'images', 'a.png'), 8, 6, 1);
    const project = newProject(dir);
    const { added } = await addImagesFromFolder(project, path.join(dir, 'images'));
    expect(getImage(project.reader, added[0]!.id)).toMatchObject({
      relPath: 'images/a.png',
      width: 8,
      height: 6,
    });
    project.close();

    const moved = path.join(root, 'after');
    cpSync(dir, moved, { recursive: true });
    rmSync(dir, { recursive: true });
    const reopened = closeLater(openProject(path.join(moved, 'p.samproj')));
    const check = await checkImageFiles(reopened);
    expect(check).toMatchObject({ ok: 1, missing: [], changed: [] });
    expect(getImage(reopened.reader, added[0]!.id)!.absPath).toBe(path.join(moved, 'images', 'a.png'));
  });

  it('fall back to the old absolute path when only the project file moved', async () => {
    const root = tempDir();
    await writeImage(path.join(root, 'data', 'a.png'), 8, 6, 1);
    const project = newProject(path.join(root));
    await addImagesFromFolder(project, path.join(root, 'data'));
    project.close();
    cpSync(path.join(root, 'p.samproj'), path.join(root, 'data', 'elsewhere.samproj'));
    const moved = closeLater(openProject(path.join(root, 'data', 'elsewhere.samproj')));
    expect(await checkImageFiles(moved)).toMatchObject({ ok: 1, missing: [], changed: [] });
  });

  it('flag missing and changed files instead of failing', async () => {
    const dir = tempDir();
    const a = await writeImage(path.join(dir, 'img', 'a.png'), 8, 6, 1);
    const b = await writeImage(path.join(dir, 'img', 'b.png'), 8, 6, 2);
    const c = await writeImage(path.join(dir, 'img', 'c.png'), 8, 6, 3);
    const project = newProject(dir);
    await addImagesFromFolder(project, path.join(dir, 'img'));
    rmSync(a);
    await writeImage(b, 8, 6, 9); // new content
    utimesSync(c, new Date(), new Date(Date.now() + 60_000)); // touched, same content
    const check = await checkImageFiles(project);
    expect(check.ok).toBe(1);
    expect(check.missing.map((i) => i.relPath)).toEqual(['img/a.png']);
    expect(check.changed.map((i) => i.relPath)).toEqual(['img/b.png']);
    const states = project.reader.prepare('SELECT rel_path, file_state FROM images ORDER BY rel_path').all();
    expect(states).toEqual([
      { rel_path: 'img/a.png', file_state: 'missing' },
      { rel_path: 'img/b.png', file_state: 'changed' },
      { rel_path: 'img/c.png', file_state: 'ok' },
    ]);
    writeFileSync(path.join(dir, 'img', 'a.png'), 'garbage');
    expect((await checkImageFiles(project)).changed.map((i) => i.relPath)).toEqual([
      'img/a.png',
      'img/b.png',
    ]);
  });
});
