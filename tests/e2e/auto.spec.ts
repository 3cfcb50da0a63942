/**
 * The semi-automatic and fully automatic stages (issue 5) in a real browser against `sam-annotate serve` with the
 * fixture model: find objects on an image (parameters from the popover) → accept one (Enter), reject one (X),
 * accept the rest → the unlabeled overlay → add one by hand with SAM → an automatic pass over both images with
 * progress → the store holds what the screen showed → the statistics count the decisions.
 *
 * The fixture model has random weights: its masks overlap heavily and its scores are odd, so the parameters are
 * the ones the backend tests use (tests/integration/auto/helpers.ts), set through the UI.
 */
import { rleIou } from '../../electron/common/rleOps.ts';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnnotationItem, AutoBatchStatus, ImagePage } from '../../electron/ipc/contract.ts';
import {
  type Served,
  callBridge,
  canvasAt,
  newPage,
  shot,
  type Session,
  closeSession,
  openSession,
} from './harness.ts';

let session: Session;
let served: Served;
let browser: Browser;

beforeAll(async () => {
  session = await openSession();
  served = session.served;
  browser = session.browser;
}, 180_000);

afterAll(() => closeSession(session));

const call = <T>(method: string, ...args: unknown[]) => callBridge<T>(served, method, ...args);

async function setParam(page: Page, testId: string, value: string): Promise<void> {
  const input = page.getByTestId(testId);
  await input.fill(value);
  await input.blur(); // the change event
}

const counts = (page: Page) => page.getByTestId('auto-counts').innerText();

describe('automatic masks in the browser (serve mode)', () => {
  it('finds objects, decides, adds one by hand, runs a pass over the project, and counts it', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto(served.url);
    await page.getByTestId('embedding-state').filter({ hasText: 'ready' }).waitFor({ timeout: 60_000 });

    // Parameters in the popover (Meta's names in the tooltips).
    await page.getByTestId('auto-params-toggle').click();
    expect(await page.getByTestId('amg-points_per_side').inputValue()).toBe('32');
    expect(await page.getByTestId('amg-points_per_side').locator('xpath=..').getAttribute('title')).toMatch(
      /^points_per_side:/,
    );
    await setParam(page, 'amg-points_per_side', '4');
    await setParam(page, 'amg-pred_iou_thresh', '0.9');
    await setParam(page, 'amg-stability_score_thresh', '0');
    await setParam(page, 'amg-box_nms_thresh', '1');
    await shot(page, '30-auto-params');
    await page.getByTestId('auto-params-toggle').click();

    // Find objects: undecided masks, dashed, the first selected.
    await page.getByTestId('find-objects').click();
    await page.getByTestId('auto-message').waitFor({ timeout: 60_000 });
    const rows = page.getByTestId('mask-list').locator('.mask-row');
    const found = await rows.count();
    expect(found).toBeGreaterThanOrEqual(4);
    expect(await page.locator('.mask-row.undecided').count()).toBe(found);
    expect(await counts(page)).toContain(`${found} undecided · 0 accepted · 0 rejected`);
    await page.getByTestId('selected-auto').waitFor();
    await shot(page, '31-auto-found');

    // Enter accepts the selected one and moves to the next; X rejects that one.
    await page.getByTestId('canvas').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => counts(page)).toContain(`${found - 1} undecided · 1 accepted · 0 rejected`);
    await page.keyboard.press('x');
    await expect.poll(() => counts(page)).toContain(`${found - 2} undecided · 1 accepted · 1 rejected`);
    await expect.poll(() => rows.count()).toBe(found - 1); // the rejected one is hidden
    await shot(page, '32-auto-decided');
    // Undo and redo the rejection (one step each).
    await page.keyboard.press('Control+z');
    await expect.poll(() => counts(page)).toContain('1 accepted · 0 rejected');
    // The undo shows at once but is done only when the store answered; a redo before that finds nothing to
    // redo (history.ts), so wait for the Redo button as a user would (it failed that way in CI under load).
    await expect.poll(() => page.getByRole('button', { name: /Redo/ }).isEnabled()).toBe(true);
    await page.keyboard.press('Control+Shift+Z');
    await expect.poll(() => counts(page)).toContain('1 accepted · 1 rejected');

    // Accept the rest at once.
    await page.getByTestId('accept-all').click();
    await expect.poll(() => counts(page)).toContain(`0 undecided · ${found - 1} accepted · 1 rejected`);
    expect(await page.locator('.mask-row.undecided').count()).toBe(0);

    // The unlabeled overlay: what no mask covers.
    await page.keyboard.press('u');
    await page.getByTestId('unlabeled-share').waitFor();
    const share = Number(/(\d+) %/.exec(await page.getByTestId('unlabeled-share').innerText())![1]);
    expect(share).toBeGreaterThanOrEqual(0);
    expect(share).toBeLessThan(100);
    await shot(page, '33-unlabeled');

    // One more object by hand, with the normal SAM click.
    const [x, y] = await canvasAt(page, 0.2, 0.8);
    await page.mouse.click(x, y);
    await page.getByTestId('candidate-0').waitFor();
    await page.locator('.candidate.selected[data-full="true"]').waitFor();
    await page.keyboard.press('Enter');
    await expect.poll(() => rows.count()).toBe(found);
    await page.keyboard.press('u');
    await shot(page, '34-by-hand');

    // The automatic pass over both images, results to review.
    await page.keyboard.press('Shift+G');
    await page.getByTestId('auto-pass-dialog').waitFor();
    expect(await page.getByTestId('pass-points_per_side').inputValue()).toBe('4'); // the popover's settings
    await page.getByTestId('pass-images-all').check();
    await page.getByTestId('pass-status-draft').check();
    await shot(page, '35-pass-form');
    await page.getByTestId('auto-pass-start').click();
    const progress = page.getByTestId('auto-pass-progress');
    await progress.waitFor();
    await expect.poll(() => progress.getAttribute('data-state'), { timeout: 120_000 }).toBe('finished');
    expect(await page.getByTestId('auto-pass-counts').innerText()).toMatch(/^2 \/ 2 images · \d+ masks/);
    await shot(page, '36-pass-finished');
    await page.keyboard.press('Escape');
    await page.getByTestId('auto-pass-dialog').waitFor({ state: 'detached' });

    // The store holds what the screen showed.
    const status = await call<AutoBatchStatus>('autoBatchStatus');
    expect(status).toMatchObject({ state: 'finished', total: 2, done: 2, failed: 0, resultStatus: 'draft' });
    const images = await call<ImagePage>('listImages', { offset: 0, limit: 10 });
    const [first, second] = images.items;
    const one = await call<AnnotationItem[]>('listAnnotations', first!.id);
    const tally = (list: AnnotationItem[]) =>
      list.reduce<Record<string, number>>((t, a) => {
        const key = `${a.source}:${a.status}`;
        t[key] = (t[key] ?? 0) + 1;
        return t;
      }, {});
    expect(tally(one)).toMatchObject({
      'auto:accepted': found - 1,
      'auto:rejected': 1,
      'manual:accepted': 1,
    });
    // Issue 17: the pass does not propose again what was accepted on image 1 (IoU > 0.9 with an accepted mask).
    const acceptedMasks = one.filter((a) => a.status === 'accepted');
    const drafts = one.filter((a) => a.status === 'draft');
    for (const d of drafts)
      for (const k of acceptedMasks) expect(rleIou(d.rle!, k.rle!)).toBeLessThanOrEqual(0.9);
    // The image on screen shows the pass's new drafts next to the decided masks.
    await expect.poll(() => page.locator('.mask-row.undecided').count()).toBe(drafts.length);
    await shot(page, '37-after-pass');
    const two = await call<AnnotationItem[]>('listAnnotations', second!.id);
    expect(two.length).toBeGreaterThan(0);
    expect(two.every((a) => a.source === 'auto' && a.status === 'draft')).toBe(true);
    expect(status.masks).toBe((tally(one)['auto:draft'] ?? 0) + two.length);
    for (const a of one.filter((m) => m.source === 'auto')) {
      expect(a.prompts!.points).toHaveLength(1);
      expect(a.cropBox).toEqual([0, 0, 640, 480]);
    }

    // Statistics: the decisions on automatic masks and the one timed mask.
    await page.getByTestId('mode-stats').click();
    await page.getByTestId('figures').waitFor();
    expect(await page.getByTestId('figure-timed').textContent()).toContain('1');
    // Find objects is the semi-automatic stage; its masks were accepted in the annotator, not in Review (issue 17).
    await expect
      .poll(() => page.getByTestId('share-semi-auto').textContent())
      .toContain(`— accepted · ${found - 1} in annotator`);
    await shot(page, '38-statistics');
    await page.getByTestId('share-chart').scrollIntoViewIfNeeded();
    await shot(page, '39-statistics-auto');

    // The project remembers the parameters (issue 17): a new page starts with them.
    await page.reload();
    await page.getByTestId('mode-annotate').click();
    await page.getByTestId('auto-params-toggle').click();
    expect(await page.getByTestId('amg-points_per_side').inputValue()).toBe('4');
    expect(await page.getByTestId('amg-pred_iou_thresh').inputValue()).toBe('0.9');
    expect(errors).toEqual([]);
  });
});
