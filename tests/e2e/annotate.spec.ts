/**
 * The end-to-end flow in a real browser against `sam-annotate serve` with the fixture model: open the
 * project → click → a mask appears → a negative click changes it → Tab cycles the candidates → Enter accepts →
 * undo / redo → export COCO → the file holds the mask.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, canvasAt, newPage, shot, type Session, closeSession, openSession } from './harness.ts';

let data: string;
let session: Session;
let served: Served;
let browser: Browser;

beforeAll(async () => {
  session = await openSession();
  served = session.served;
  browser = session.browser;
  data = session.data;
}, 180_000);

afterAll(() => closeSession(session));

const selectedCandidate = (page: Page) => page.locator('.candidate.selected');
const maskRows = (page: Page) => page.getByTestId('mask-list').locator('.mask-row');

describe('annotating in the browser (serve mode)', () => {
  it('click, refine, cycle, accept, undo, redo and export COCO', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto(served.url);
    await page
      .getByTestId('embedding-state')
      .filter({ hasText: 'ready' })
      .waitFor({ timeout: 60_000 })
      .catch(async (error: unknown) => {
        await shot(page, '00-not-ready');
        throw error;
      });
    await shot(page, '01-opened');

    // Three candidates for every decode (M), so Tab has something to cycle after the refining click too.
    await page.keyboard.press('m');
    const [x, y] = await canvasAt(page, 0.42, 0.5);
    await page.mouse.click(x, y);
    await page.getByTestId('candidate-0').waitFor();
    await expect.poll(() => selectedCandidate(page).count()).toBe(1);
    const firstMask = await selectedCandidate(page).textContent();
    expect(await page.getByTestId('tool-path').getAttribute('data-path')).toBe('points.idle');
    await shot(page, '02-first-click');

    const [nx, ny] = await canvasAt(page, 0.58, 0.5);
    await page.mouse.click(nx, ny, { button: 'right' });
    await expect.poll(() => page.getByTestId('draft-panel').textContent()).toContain('1 negative');
    await expect.poll(() => page.getByTestId('draft-panel').textContent()).toContain('refined');
    await expect.poll(() => selectedCandidate(page).textContent()).not.toBe(firstMask);
    await shot(page, '03-negative-click');

    const before = await selectedCandidate(page).getAttribute('data-testid');
    await page.keyboard.press('Tab');
    await expect.poll(() => selectedCandidate(page).getAttribute('data-testid')).not.toBe(before);
    await shot(page, '04-tab');
    // The side panels stack without overlapping while a draft fills the draft panel (it once shrank under them).
    const draftBox = (await page.getByTestId('draft-panel').boundingBox())!;
    const nextPanelTop = await page
      .getByTestId('draft-panel')
      .evaluate((el) => el.nextElementSibling!.getBoundingClientRect().top);
    const lastRowBottom = await page
      .getByTestId('draft-panel')
      .evaluate((el) => el.lastElementChild!.getBoundingClientRect().bottom);
    expect(lastRowBottom).toBeLessThanOrEqual(draftBox.y + draftBox.height + 0.5);
    expect(draftBox.y + draftBox.height).toBeLessThanOrEqual(nextPanelTop + 0.5);
    await page.locator('.candidate.selected[data-full="true"]').waitFor(); // its full-resolution mask is here
    const chosen = (await selectedCandidate(page).textContent())!;
    const area = Number(/([\d,]+) px/.exec(chosen)![1]!.replace(/,/g, ''));
    expect(area).toBeGreaterThan(0);

    await page.keyboard.press('Enter');
    await expect.poll(() => maskRows(page).count()).toBe(1);
    expect(await maskRows(page).first().textContent()).toContain(`${area.toLocaleString('en-US')} px`);
    await shot(page, '05-accepted');

    await page.keyboard.press('Control+z');
    await expect.poll(() => maskRows(page).count()).toBe(0);
    await page.getByTestId('candidate-0').waitFor(); // the draft is back
    await shot(page, '06-undo');
    await page.keyboard.press('Control+Shift+Z');
    await expect.poll(() => maskRows(page).count()).toBe(1);
    await shot(page, '07-redo');

    const out = path.join(data, 'coco.json');
    await page.keyboard.press('Control+e');
    await page.getByTestId('export-path').fill(out);
    await page.getByTestId('export-uncategorized').check(); // its masks have no category
    await page.getByTestId('export-run').click();
    await page.getByTestId('export-result').waitFor({ timeout: 60_000 });
    await shot(page, '08-exported');

    const coco = JSON.parse(await readFile(out, 'utf8')) as {
      images: { id: number; file_name: string }[];
      annotations: { image_id: number; area: number; segmentation: unknown; bbox: number[] }[];
    };
    expect(coco.annotations).toHaveLength(1);
    const [annotation] = coco.annotations;
    expect(coco.images.find((i) => i.id === annotation!.image_id)?.file_name).toMatch(/scene-1\.png$/);
    expect(annotation!.area).toBe(area);
    expect(annotation!.segmentation).toBeTruthy();
    expect(errors).toEqual([]);
  });

  it('the eraser trims an accepted mask (undoable); erasing all of it is undone with a message', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto(served.url);
    await page.getByTestId('embedding-state').filter({ hasText: 'ready' }).waitFor({ timeout: 60_000 });
    await expect.poll(() => maskRows(page).count()).toBe(1); // the mask accepted in the test above
    const area = async () =>
      Number(/([\d,]+) px/.exec((await maskRows(page).first().textContent())!)![1]!.replace(/,/g, ''));
    const saved = await area();
    await maskRows(page).first().locator('.mask-pick').click();
    await expect.poll(() => page.locator('.mask-row.selected').count()).toBe(1);
    await page.keyboard.press('e');
    expect(await page.getByTestId('tool-path').getAttribute('data-path')).toBe('eraser.idle');

    const drag = async (points: [number, number][]) => {
      const [first, ...rest] = await Promise.all(points.map(([fx, fy]) => canvasAt(page, fx, fy)));
      await page.mouse.move(...first!);
      await page.mouse.down();
      for (const p of rest) await page.mouse.move(...p, { steps: 8 });
      await page.mouse.up();
    };
    await drag([
      [0.4, 0.5],
      [0.44, 0.5],
    ]); // through the first click's point, inside the mask
    await expect.poll(area).toBeLessThan(saved);
    const trimmed = await area();
    await shot(page, '09-eraser-trimmed');

    // The largest eraser over the whole canvas: the stroke is undone and the status bar says why.
    for (let i = 0; i < 20; i++) await page.keyboard.press(']');
    const raster: [number, number][] = [];
    for (let fy = 0; fy <= 1; fy += 0.1) raster.push([0, fy], [1, fy]);
    await drag(raster);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('would erase the whole mask');
    expect(await area()).toBe(trimmed);
    await shot(page, '10-eraser-whole-mask-refused');

    await page.keyboard.press('Control+z');
    await expect.poll(area).toBe(saved);
    expect(errors).toEqual([]);
  });
});
