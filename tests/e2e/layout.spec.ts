/**
 * Issue 17: the toolbar lost Export and ? below ~1080 px, and the canvas was not fitted again when the window
 * was resized. Every toolbar button stays inside the window down to 800×600 (the toolbar wraps).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, closeSession, newPage, openSession } from './harness.ts';

let session: Session;

beforeAll(async () => {
  session = await openSession({ photos: 2 });
}, 180_000);

afterAll(() => closeSession(session));

/** Buttons of the toolbar that are hidden or not wholly inside the window. */
async function lostButtons(page: Page): Promise<string[]> {
  const size = page.viewportSize()!;
  const lost: string[] = [];
  for (const button of await page.locator('.toolbar button').all()) {
    const box = await button.boundingBox();
    const name = ((await button.getAttribute('title')) ?? (await button.textContent()) ?? '').trim();
    if (!box || box.width < 4 || box.x < 0 || box.y < 0 || box.x + box.width > size.width + 0.5)
      lost.push(name);
    else if (box.y + box.height > size.height) lost.push(name);
  }
  return lost;
}

describe('layout', () => {
  it('keeps every toolbar button in the window at 1440×900, 1024×700 and 800×600', async () => {
    const { page, errors } = await newPage(session.browser);
    await page.goto(session.served.url);
    await page.getByTestId('canvas').waitFor({ timeout: 60_000 });
    for (const [width, height] of [
      [1440, 900],
      [1024, 700],
      [800, 600],
    ] as const) {
      await page.setViewportSize({ width, height });
      for (const tool of ['points', 'brush']) {
        await page.getByTestId(`tool-${tool}`).click();
        expect(await lostButtons(page), `${width}×${height}, ${tool}`).toEqual([]);
        await expect(page.getByTestId('export').isVisible()).resolves.toBe(true);
        await page.screenshot({ path: `/tmp/shots-r1/annotate-${width}x${height}-${tool}.png` });
      }
    }
    expect(errors).toEqual([]);
  });

  it('fits the image again when the window is resized', async () => {
    const { page } = await newPage(session.browser);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(session.served.url);
    await page.getByTestId('canvas').waitFor({ timeout: 60_000 });
    const zoom = async () => /Zoom (\d+)%/.exec((await page.getByTestId('status').textContent()) ?? '')?.[1];
    // Opened and fitted (the empty view shows 100 %; the 640×480 photo fits larger).
    await expect.poll(zoom, { timeout: 30_000 }).not.toBe('100');
    await page.locator('.image-row.current').waitFor();
    const before = await zoom();
    // Narrower: the fitted image shrinks with the canvas instead of sliding under the side panel.
    await page.setViewportSize({ width: 1024, height: 700 });
    await expect.poll(zoom).not.toBe(before);
    expect(Number(await zoom())).toBeLessThan(Number(before));
  });

  it('returns to the last image after a reload', async () => {
    const { page } = await newPage(session.browser);
    await page.goto(session.served.url);
    const current = () => page.locator('.image-row.current .image-name').textContent();
    await expect.poll(current, { timeout: 60_000 }).toBe('scene-1.png');
    await page.getByTestId('canvas').focus();
    await page.keyboard.press('d');
    await expect.poll(current).toBe('scene-2.png');
    await page.reload();
    await expect.poll(current, { timeout: 60_000 }).toBe('scene-2.png');
  });

  it('keeps the toolbars of Review and Statistics, and the start screen, in the window', async () => {
    const { page, errors } = await newPage(session.browser);
    await page.goto(session.served.url);
    await page.getByTestId('canvas').waitFor({ timeout: 60_000 });
    for (const [width, height] of [
      [1440, 900],
      [1024, 700],
      [800, 600],
    ] as const) {
      await page.setViewportSize({ width, height });
      for (const mode of ['review', 'stats']) {
        await page.getByTestId(`mode-${mode}`).click();
        await page.locator('.toolbar').first().waitFor();
        expect(await lostButtons(page), `${mode} at ${width}×${height}`).toEqual([]);
        await page.screenshot({ path: `/tmp/shots-r1/${mode}-${width}x${height}.png` });
      }
      await page.getByTestId('mode-annotate').click();
      await page.getByTestId('canvas').waitFor();
    }
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.locator('.project-name').first().click();
    await page.locator('#start-new').waitFor();
    await page.screenshot({ path: '/tmp/shots-r1/start-1024x700.png' });
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.screenshot({ path: '/tmp/shots-r1/start-1440x900.png' });
    expect(errors).toEqual([]);
  });
});
