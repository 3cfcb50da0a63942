/**
 * Issue 17: overlap control in the browser — with "No overlap" on, a mask accepted over an accepted one is
 * stored (and shown) without the covered pixels; undo gives the draft back.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRle, encodeMask } from '../../electron/common/rle.ts';
import type { AnnotationItem } from '../../electron/ipc/contract.ts';
import { addImagesFromFolder } from '../../electron/dataset/addImages.ts';
import { addAnnotation } from '../../electron/store/annotations.ts';
import { createProject } from '../../electron/store/projectDb.ts';
import { type Session, callBridge, canvasAt, closeSession, newPage, openSession, shot } from './harness.ts';

let session: Session;
let imageId = 0;

beforeAll(async () => {
  session = await openSession({
    photos: 1,
    prepare: async ({ photos }) => {
      const file = path.join(path.dirname(photos!), 'overlap.samproj');
      const project = createProject(file);
      const { added } = await addImagesFromFolder(project, photos!);
      imageId = added[0]!.id;
      // The whole left half of the image is accepted already.
      const data = new Uint8Array(640 * 480);
      for (let y = 0; y < 480; y++) data.fill(1, y * 640, y * 640 + 320);
      addAnnotation(project.db, {
        imageId,
        mask: encodeMask({ width: 640, height: 480, data }),
        source: 'manual',
        status: 'accepted',
        author: 'e2e',
      });
      project.close();
      return file;
    },
  });
}, 180_000);

afterAll(() => closeSession(session));

const rows = (page: Page) => page.getByTestId('mask-list').locator('.mask-row');

describe('overlap control', () => {
  it('accepting with "No overlap" stores the mask minus the accepted one; undo gives the draft back', async () => {
    const { page, errors } = await newPage(session.browser);
    await page.goto(session.served.url);
    await page.getByTestId('embedding-state').filter({ hasText: 'ready' }).waitFor({ timeout: 60_000 });
    await page.getByTestId('subtract-accepted').check();
    await expect
      .poll(
        async () =>
          (await callBridge<{ subtractAccepted: boolean }>(session.served, 'currentProject'))
            .subtractAccepted,
      )
      .toBe(true);

    // A box across the middle: the model's mask covers both halves.
    await page.keyboard.press('r');
    const [x0, y0] = await canvasAt(page, 0.3, 0.3);
    const [x1, y1] = await canvasAt(page, 0.7, 0.7);
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    await page.mouse.move(x1, y1, { steps: 5 });
    await page.mouse.up();
    await page.locator('.candidate.selected[data-full="true"]').waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    await expect.poll(() => rows(page).count()).toBe(2);
    const stored = await callBridge<AnnotationItem[]>(session.served, 'listAnnotations', imageId);
    const added = decodeRle(stored[1]!.rle!);
    let left = 0;
    let right = 0;
    for (let i = 0; i < added.data.length; i++) {
      if (!added.data[i]) continue;
      if (i % 640 < 320) left++;
      else right++;
    }
    expect(left).toBe(0);
    expect(right).toBeGreaterThan(0);
    await shot(page, 'r3-overlap-accepted');

    await page.keyboard.press('Control+z');
    await expect.poll(() => rows(page).count()).toBe(1);
    await page.getByTestId('candidate-0').waitFor();
    expect(errors).toEqual([]);
  });
});
