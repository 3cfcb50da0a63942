/**
 * Issue 17: brightness / contrast of the view change the image layer's canvas only (not the masks'), are
 * remembered for the project after a reload, and reset. Screenshots at 1440×900 and 1024×700.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, closeSession, newPage, openSession, shot } from './harness.ts';

let session: Session;

beforeAll(async () => {
  session = await openSession({ photos: 1 });
}, 180_000);

afterAll(() => closeSession(session));

/** The CSS filter of each Konva layer canvas, bottom (the image) to top (masks, draft, prompts). */
const layerFilters = (page: Page) =>
  page.$$eval('[data-testid="canvas"] canvas', (canvases) =>
    canvases.map((c) => (c as unknown as { style: { filter: string } }).style.filter || 'none'),
  );

async function setRange(page: Page, testId: string, value: number) {
  await page.getByTestId(testId).evaluate((input, v) => {
    (input as unknown as { value: string }).value = String(v);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

describe('view brightness and contrast', () => {
  it('filter the image canvas only, are remembered for the project, and reset', async () => {
    const { page, errors } = await newPage(session.browser);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(session.served.url);
    await page.getByTestId('image-adjust-toggle').waitFor({ timeout: 60_000 });
    const before = await layerFilters(page);
    expect(before.length).toBeGreaterThan(2);
    expect(before.every((f) => f === 'none')).toBe(true);

    await page.getByTestId('image-adjust-toggle').click();
    await setRange(page, 'image-brightness', 150);
    await setRange(page, 'image-contrast', 80);
    await expect
      .poll(() => layerFilters(page))
      .toEqual(['brightness(1.5) contrast(0.8)', ...before.slice(1)]);
    await shot(page, 'r3-view-adjust-1440');

    await page.reload();
    await page.getByTestId('image-adjust-toggle').waitFor({ timeout: 60_000 });
    await expect
      .poll(() => layerFilters(page))
      .toEqual(['brightness(1.5) contrast(0.8)', ...before.slice(1)]);
    expect(await page.getByTestId('image-adjust-toggle').textContent()).toContain('150% · 80%');

    await page.setViewportSize({ width: 1024, height: 700 });
    await page.getByTestId('image-adjust-toggle').click();
    await shot(page, 'r3-view-adjust-1024');
    await page.getByTestId('image-adjust-reset').click();
    await expect.poll(() => layerFilters(page)).toEqual(before);
    expect(errors).toEqual([]);
  });
});
