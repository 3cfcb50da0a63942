/**
 * First start, as a new user meets it: no project → the start screen offers the sample project and a folder of
 * images; both lead to the annotation workspace.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, newPage, shot, type Session, closeSession, openSession } from './harness.ts';

let photos: string;
let session: Session;
let served: Served;
let browser: Browser;

beforeAll(async () => {
  session = await openSession({
    photos: 3,
    prepare: async () => undefined,
    // Started on no folder: the photo folder the spec creates a project in must be allowed (issue 18).
    serveFlags: ({ photos }) => ['--allow-write', photos!],
  });
  served = session.served;
  browser = session.browser;
  photos = session.photos!;
}, 180_000);

afterAll(() => closeSession(session));

describe('start screen', () => {
  it('offers the sample project, which opens ready to annotate', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto(served.url);
    await page.getByRole('heading', { name: 'SAM Annotate' }).waitFor();
    await page.getByText(/Model tiny-random/).waitFor({ timeout: 60_000 });
    await shot(page, '10-start');
    await page.getByTestId('sample').click();
    await page.getByTestId('canvas').waitFor({ timeout: 60_000 });
    await expect.poll(() => page.locator('.image-row').count(), { timeout: 30_000 }).toBeGreaterThan(1);
    await page.getByTestId('embedding-state').filter({ hasText: 'ready' }).waitFor({ timeout: 60_000 });
    await shot(page, '11-sample-project');

    // D / A move through the list.
    const first = await page.locator('.image-row.current .image-name').textContent();
    await page.keyboard.press('d');
    await expect.poll(() => page.locator('.image-row.current .image-name').textContent()).not.toBe(first);
    await page.keyboard.press('a');
    await expect.poll(() => page.locator('.image-row.current .image-name').textContent()).toBe(first);

    // The shortcut sheet.
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await shot(page, '12-shortcuts');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('creates a project from a folder of images', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto(served.url);
    // A project is open (the sample): the project button leads back to the start screen.
    await page.locator('.project-name').click();
    await page.locator('#start-new').fill(photos);
    await shot(page, '13-new-project-form');
    await page.getByRole('button', { name: 'Create project' }).click();
    await expect.poll(() => page.locator('.image-row').count(), { timeout: 60_000 }).toBe(3);
    await expect.poll(() => page.locator('.project-name .name').textContent()).toBe('sam-annotate');
    await shot(page, '14-folder-project');
    expect(errors).toEqual([]);
  });
});
