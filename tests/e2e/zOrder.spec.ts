/**
 * Issue 17: z-order of masks in the browser — the mask list shows the top of the stack first; ▼ sends a mask
 * backward (stored at once), Ctrl+Z brings it back.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMask } from '../../electron/common/rle.ts';
import type { AnnotationItem } from '../../electron/ipc/contract.ts';
import { addImagesFromFolder } from '../../electron/dataset/addImages.ts';
import { addAnnotation } from '../../electron/store/annotations.ts';
import { createProject } from '../../electron/store/projectDb.ts';
import { type Session, callBridge, closeSession, newPage, openSession, shot } from './harness.ts';

let session: Session;
let imageId = 0;
const ids: number[] = [];

beforeAll(async () => {
  session = await openSessionWithTwoMasks();
}, 180_000);

afterAll(() => closeSession(session));

function openSessionWithTwoMasks(): Promise<Session> {
  return openSession({
    photos: 1,
    prepare: async ({ photos }) => {
      const file = path.join(path.dirname(photos!), 'zorder.samproj');
      const project = createProject(file);
      const { added } = await addImagesFromFolder(project, photos!);
      imageId = added[0]!.id;
      // Two overlapping rectangles: the second one is on top.
      for (const [x0, x1] of [
        [100, 400],
        [250, 550],
      ] as const) {
        const data = new Uint8Array(640 * 480);
        for (let y = 100; y < 380; y++) data.fill(1, y * 640 + x0, y * 640 + x1);
        ids.push(
          addAnnotation(project.db, {
            imageId,
            mask: encodeMask({ width: 640, height: 480, data }),
            source: 'manual',
            status: 'accepted',
            author: 'e2e',
          }),
        );
      }
      project.close();
      return file;
    },
  });
}

const rowNames = (page: Page) => page.getByTestId('mask-list').locator('.mask-index').allTextContents();
const storedOrder = async () =>
  (await callBridge<AnnotationItem[]>(session.served, 'listAnnotations', imageId)).map((a) => a.id);

describe('z-order of masks', () => {
  it('lists the top mask first; ▼ sends it backward and Ctrl+Z brings it forward again', async () => {
    const { page, errors } = await newPage(session.browser);
    await page.goto(session.served.url);
    await page.getByTestId('embedding-state').filter({ hasText: 'ready' }).waitFor({ timeout: 60_000 });
    const [first, second] = ids as [number, number];
    await expect.poll(() => rowNames(page)).toEqual([`#${second}`, `#${first}`]);
    expect(await page.getByTestId(`move-up-${second}`).isDisabled()).toBe(true);
    expect(await page.getByTestId(`move-down-${first}`).isDisabled()).toBe(true);

    await page.getByTestId(`move-down-${second}`).click();
    await expect.poll(() => rowNames(page)).toEqual([`#${first}`, `#${second}`]);
    expect(await storedOrder()).toEqual([second, first]);
    for (const [width, height] of [
      [1440, 900],
      [1024, 700],
    ] as const) {
      await page.setViewportSize({ width, height });
      await shot(page, `zorder-moved-${width}`);
    }

    await page.getByTestId('canvas').focus();
    await page.keyboard.press('Control+z');
    await expect.poll(() => rowNames(page)).toEqual([`#${second}`, `#${first}`]);
    expect(await storedOrder()).toEqual([first, second]);
    expect(errors).toEqual([]);
  });
});
