/**
 * Issue 17: a project whose images moved. The image list keeps showing each missing image's masks (it showed
 * "0 masks" once the image was opened), and "Relink images…" points the project at the folder they are in now.
 */
import { renameSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMask } from '../../electron/common/rle.ts';
import { addImagesFromFolder } from '../../electron/dataset/addImages.ts';
import { checkImageFiles } from '../../electron/dataset/imageFiles.ts';
import { addAnnotation } from '../../electron/store/annotations.ts';
import { createProject } from '../../electron/store/projectDb.ts';
import { type Session, closeSession, newPage, openSession, shot } from './harness.ts';

let session: Session;
let moved: string;

beforeAll(async () => {
  session = await openSession({
    photos: 2,
    prepare: async ({ photos }) => {
      const file = path.join(path.dirname(photos!), 'moved-images.samproj');
      const project = createProject(file);
      const { added } = await addImagesFromFolder(project, photos!);
      const second = added.find((i) => i.file.endsWith('scene-2.png'))!;
      const data = new Uint8Array(640 * 480);
      for (const [x0, y0] of [
        [10, 10],
        [200, 100],
      ]) {
        const mask = data.slice();
        for (let y = y0!; y < y0! + 40; y++) mask.fill(1, y * 640 + x0!, y * 640 + x0! + 40);
        addAnnotation(project.db, {
          imageId: second.id,
          mask: encodeMask({ width: 640, height: 480, data: mask }),
          source: 'manual',
          status: 'accepted',
          author: 'e2e',
        });
      }
      moved = path.join(path.dirname(photos!), 'renamed');
      renameSync(photos!, moved);
      // As `project stats --check-files` (or a COCO import whose images are elsewhere) flags them.
      await checkImageFiles(project);
      project.close();
      return file;
    },
  });
}, 180_000);

afterAll(() => closeSession(session));

describe('images that moved', () => {
  it('keep their mask counts when opened, and are found again by Relink images…', async () => {
    const { page, errors } = await newPage(session.browser);
    await page.goto(session.served.url);
    const row = page.locator('.image-row', { hasText: 'scene-2.png' });
    await row.waitFor({ timeout: 60_000 });
    await expect.poll(() => row.textContent()).toContain('2 masks');
    expect(await row.textContent()).toContain('missing');
    await row.click();
    await page.getByText('scene-2.png is missing').waitFor();
    expect(await row.textContent()).toContain('2 masks');
    await shot(page, '60-missing-images');

    await page.getByTestId('relink-images').click();
    await page.getByTestId('relink-folder').fill(moved);
    await page.getByTestId('relink-folder').press('Enter');
    await page.getByText(`relinked 2 of 2 missing images to ${moved}`).waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('.image-row', { hasText: 'missing' }).count()).toBe(0);
    expect(await row.textContent()).toContain('2 masks');
    await expect(page.getByTestId('relink-images').count()).resolves.toBe(0);
    await shot(page, '61-relinked');
    expect(errors).toEqual([]);
  });
});
