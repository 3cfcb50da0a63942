import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addImagesFromFolder } from '../../../electron/dataset/addImages.ts';
import { countImages } from '../../../electron/store/images.ts';
import { newProject, tempDir, writeImage } from '../../helpers/projects.ts';

describe('addImagesFromFolder', () => {
  it('adds images recursively, skips duplicates by content, lists unreadable files', async () => {
    const dir = tempDir();
    const images = path.join(dir, 'images');
    await writeImage(path.join(images, 'a.png'), 10, 8, 1);
    await writeImage(path.join(images, 'deep', 'er', 'b.jpg'), 12, 9, 2);
    await writeImage(path.join(images, 'copy-of-a.png'), 10, 8, 1);
    writeFileSync(path.join(images, 'broken.jpg'), 'not a jpeg');
    writeFileSync(path.join(images, 'readme.txt'), 'hi');
    mkdirSync(path.join(images, '.hidden'));
    await writeImage(path.join(images, '.hidden', 'c.png'), 4, 4, 3);
    const project = newProject(dir);
    const report = await addImagesFromFolder(project, images);
    expect(report.added.map((a) => path.relative(images, a.file))).toEqual([
      'a.png',
      path.join('deep', 'er', 'b.jpg'),
    ]);
    expect(report.duplicates).toEqual([
      { file: path.join(images, 'copy-of-a.png'), sameAs: path.join(images, 'a.png') },
    ]);
    expect(report.unreadable).toHaveLength(1);
    expect(report.unreadable[0]!.file).toBe(path.join(images, 'broken.jpg'));
    expect(report.otherFiles).toBe(1);
    expect(countImages(project.reader)).toBe(2);

    // again: nothing new, and nothing reported as a duplicate of itself
    const again = await addImagesFromFolder(project, images);
    expect(again.added).toEqual([]);
    expect(again.alreadyInProject).toBe(2);
    expect(again.duplicates.map((d) => path.basename(d.file))).toEqual(['copy-of-a.png']);
  });

  it('says which folder does not exist', async () => {
    const project = newProject(tempDir());
    await expect(addImagesFromFolder(project, '/no/such/folder')).rejects.toThrow(
      '/no/such/folder: no such folder',
    );
  });
});
