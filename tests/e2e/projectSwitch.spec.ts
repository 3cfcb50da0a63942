/**
 * Issue 17: opening another project in the same tab shows its own pictures (the image URLs were keyed by row id
 * only and cached, so image 1 showed the previous project's picture), and creating a project from a folder says
 * which files it could not add and why.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, canvasAt, closeSession, newPage, openSession, shot } from './harness.ts';

let session: Session;
let other: string;

beforeAll(async () => {
  session = await openSession({
    photos: 2,
    serveFlags: ({ photos }) => ['--allow-write', path.dirname(photos!)],
  });
  // Project B: the same file name as A's first image, but a plain red picture; and a file that is no image.
  other = path.join(path.dirname(session.photos!), 'other');
  await mkdir(other);
  const red = { create: { width: 320, height: 200, channels: 3, background: '#ff0000' } } as const;
  await writeFile(path.join(other, 'scene-1.png'), await sharp(red).png().toBuffer());
  await writeFile(path.join(other, 'notes.jpg'), 'not a picture');
  // A JPEG cut in half: its header reads (so it is added) but the pixels do not decode.
  const jpeg = await sharp(red).jpeg().toBuffer();
  await writeFile(path.join(other, 'truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)));
}, 180_000);

afterAll(() => closeSession(session));

/** The colour at the centre of the canvas's image layer. */
async function centreColour(page: Page): Promise<number[]> {
  return page
    .locator('[data-testid=canvas] canvas')
    .first()
    .evaluate((canvas) => {
      const c = canvas as unknown as {
        width: number;
        height: number;
        getContext(kind: '2d'): {
          getImageData(x: number, y: number, w: number, h: number): { data: Iterable<number> };
        };
      };
      return [...c.getContext('2d').getImageData(c.width / 2, c.height / 2, 1, 1).data];
    });
}

describe('switching projects in one tab', () => {
  it('shows the new project’s picture and lists the files it could not add', async () => {
    const { page, errors } = await newPage(session.browser);
    await page.goto(session.served.url);
    await page.getByTestId('canvas').waitFor({ timeout: 60_000 });
    await expect.poll(() => page.locator('.image-row').count(), { timeout: 30_000 }).toBe(2);
    await expect.poll(() => centreColour(page), { timeout: 30_000 }).not.toEqual([0, 0, 0, 0]);
    const before = await centreColour(page);
    expect(before.slice(0, 3)).not.toEqual([255, 0, 0]);

    await page.locator('.project-name').click();
    await page.locator('#start-new').fill(other);
    await page.getByRole('button', { name: 'Create project' }).click();
    await expect.poll(() => page.locator('.image-row').count(), { timeout: 60_000 }).toBe(2);
    await page.locator('.image-row', { hasText: 'scene-1.png' }).click();
    await expect.poll(() => centreColour(page), { timeout: 30_000 }).toEqual([255, 0, 0, 255]);
    const skipped = page.locator('.message', { hasText: 'notes.jpg' });
    await skipped.waitFor({ timeout: 10_000 });
    expect(await skipped.textContent()).toMatch(/not added/);
    await shot(page, 'r1-project-switch');
    await page.screenshot({ path: '/tmp/shots-r1/project-switch.png' });
    expect(errors).toEqual([]);
  });

  it('marks an image that cannot be read, and a click on it only says so', async () => {
    const { page, errors } = await newPage(session.browser);
    await page.goto(session.served.url);
    const row = page.locator('.image-row', { hasText: 'truncated.jpg' });
    await row.click();
    await row.getByTestId('broken').waitFor({ timeout: 60_000 });
    const [x, y] = await canvasAt(page, 0.5, 0.5);
    await page.mouse.click(x, y);
    await expect.poll(() => page.getByTestId('status').textContent()).toMatch(/cannot be segmented/);
    expect(await page.locator('.canvas-notes').textContent()).not.toMatch(/Segmenting/);
    await page.screenshot({ path: '/tmp/shots-r1/broken-image.png' });
    expect(errors.filter((e) => !/truncated|decode|image/i.test(e))).toEqual([]);
  });
});
