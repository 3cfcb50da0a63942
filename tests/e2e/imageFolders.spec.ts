/**
 * Issue 17: adding a folder of images to the open project and rescanning its folder, from the browser (serve
 * mode: folders on the server, under the served folder).
 */
import { copyFile, mkdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, closeSession, newPage, openSession, photoFolder, shot } from './harness.ts';

let session: Session;

beforeAll(async () => {
  session = await openSession({ photos: 1 });
}, 180_000);

afterAll(() => closeSession(session));

describe('images of the open project', () => {
  it('adds a folder from the image list, and a rescan finds new and missing files', async () => {
    const { page, errors } = await newPage(session.browser);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(session.served.url);
    const rows = page.locator('.image-row');
    await rows.first().waitFor({ timeout: 60_000 });
    expect(await rows.count()).toBe(1);

    const photos = session.photos!;
    const extra = await photoFolder(4);
    const more = path.join(photos, 'more');
    await mkdir(more);
    for (const name of ['scene-2.png', 'scene-3.png'])
      await copyFile(path.join(extra, name), path.join(more, name));
    await page.getByTestId('add-images').click();
    await page.getByTestId('add-images-folder').fill(more);
    await page.getByTestId('add-images-folder').press('Enter');
    await page.getByText(`added 2 images from ${more}`).waitFor({ timeout: 30_000 });
    await expect.poll(() => rows.count()).toBe(3);
    await shot(page, 'r3-images-added-1440');

    await unlink(path.join(more, 'scene-2.png'));
    await copyFile(path.join(extra, 'scene-4.png'), path.join(photos, 'new.png'));
    await page.getByTestId('rescan-images').click();
    await page.getByText(/rescanned .*: 1 new image added; 1 missing/).waitFor({ timeout: 30_000 });
    await expect.poll(() => rows.count()).toBe(4);
    await expect.poll(() => page.locator('.image-row', { hasText: 'missing' }).count()).toBe(1);
    await page.setViewportSize({ width: 1024, height: 700 });
    await shot(page, 'r3-images-rescanned-1024');
    expect(errors).toEqual([]);
  });
});
