/**
 * Issue 5 in a real browser against `sam-annotate serve`: import a COCO file as drafts from the start screen →
 * review mode opens → A accepts, R rejects, Ctrl+Z undoes (a reverse event) → E opens the mask in the annotator,
 * where one more mask is made with SAM → the statistics show the right counts → the CSV downloads → the project
 * file holds every review event.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATS_CSV_HEADER } from '../../electron/common/formatStatsCsv.ts';
import type { ReviewPage } from '../../electron/ipc/contract.ts';
import { openProject, userName } from '../../electron/store/projectDb.ts';
import { reviewEventsOf } from '../../electron/store/reviews.ts';
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

let photos: string;
let session: Session;
let served: Served;
let browser: Browser;

const rect = (x: number, y: number, w: number, h: number) => [[x, y, x + w, y, x + w, y + h, x, y + h]];

beforeAll(async () => {
  session = await openSession({
    // A COCO file made elsewhere, next to the photos; the spec imports it from the start screen.
    prepare: async ({ photos }) => {
      const annotation = (id: number, image: number, box: [number, number, number, number]) => ({
        id,
        image_id: image,
        category_id: 1,
        segmentation: rect(...box),
        area: box[2] * box[3],
        bbox: box,
        iscrowd: 0,
      });
      await writeFile(
        path.join(photos!, 'instances.json'),
        JSON.stringify({
          images: [
            { id: 1, file_name: 'scene-1.png', width: 640, height: 480 },
            { id: 2, file_name: 'scene-2.png', width: 640, height: 480 },
          ],
          categories: [{ id: 1, name: 'shape' }],
          annotations: [
            annotation(1, 1, [200, 150, 120, 90]),
            annotation(2, 1, [40, 40, 60, 30]),
            annotation(3, 2, [300, 200, 150, 150]),
            annotation(4, 2, [500, 60, 40, 80]),
          ],
        }),
      );
      return undefined;
    },
    // Started on no folder: the project is created beside the COCO file, in the photos (issue 18).
    serveFlags: ({ photos }) => ['--allow-write', photos!],
  });
  served = session.served;
  browser = session.browser;
  photos = session.photos!;
}, 180_000);

afterAll(() => closeSession(session));

const call = <T>(method: string, ...args: unknown[]) => callBridge<T>(served, method, ...args);

describe('review mode and statistics (serve mode)', () => {
  it('imports drafts, reviews with single keys, undoes, fixes in the annotator, plots and exports', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto(served.url);
    await page.getByRole('heading', { name: 'SAM Annotate' }).waitFor();

    // Import from the start screen, as drafts to review.
    await page.locator('#start-importCoco').fill(path.join(photos, 'instances.json'));
    await page.getByTestId('coco-status').selectOption('draft');
    await page.getByRole('button', { name: 'Import into a new project' }).click();
    await page.getByTestId('review-view').waitFor({ timeout: 60_000 });
    const rows = page.getByTestId('review-queue').locator('.review-row');
    await expect.poll(() => rows.count()).toBe(4);
    await expect.poll(() => page.getByTestId('status-chip-draft').textContent()).toContain('4');
    expect(await page.getByTestId('reviewer').textContent()).toBe(`as ${userName()}`);
    const current = () => page.locator('.review-row.current').getAttribute('data-review-id');
    expect(await current()).toBe('1');
    await shot(page, '20-review-queue');

    // A accepts #1, R rejects #2; each moves on.
    await page.keyboard.press('a');
    await expect.poll(current).toBe('2');
    await page.keyboard.press('r');
    await expect.poll(current).toBe('3');
    await expect.poll(() => page.getByTestId('status-chip-accepted').textContent()).toContain('1');
    await expect.poll(() => page.getByTestId('status-chip-rejected').textContent()).toContain('1');
    await expect.poll(() => page.getByTestId('review-decided').textContent()).toContain('2');
    await shot(page, '21-review-decided');

    // Ctrl+Z reverts the rejection: #2 is shown again, back to draft.
    await page.keyboard.press('Control+z');
    await expect.poll(current).toBe('2');
    await expect.poll(() => page.locator('[data-review-id="2"]').getAttribute('data-status')).toBe('draft');
    await expect.poll(() => page.getByTestId('review-current-status').textContent()).toBe('Draft');
    await expect.poll(() => page.getByTestId('last-review').innerText()).toMatch(/draft by .+ \(undo\)/);
    await shot(page, '22-review-undo');

    const page1 = await call<ReviewPage>('reviewQueue', {
      sort: 'created_at',
      order: 'asc',
      offset: 0,
      limit: 10,
    });
    expect(page1.items.map((i) => [i.annotation.id, i.annotation.status])).toEqual([
      [1, 'accepted'],
      [2, 'draft'],
      [3, 'draft'],
      [4, 'draft'],
    ]);
    expect(page1.items[0]!.lastReview).toMatchObject({
      reviewer: userName(),
      fromStatus: 'draft',
      toStatus: 'accepted',
    });
    expect(page1.items[1]!.lastReview).toMatchObject({
      fromStatus: 'rejected',
      toStatus: 'draft',
      comment: 'undo',
    });

    // E: the annotator opens #2's image with #2 selected; make one more mask there with SAM.
    await page.keyboard.press('e');
    await page.getByTestId('canvas').waitFor();
    await expect.poll(() => page.locator('.mask-row.selected').count()).toBe(1);
    await page.getByTestId('embedding-state').filter({ hasText: 'ready' }).waitFor({ timeout: 60_000 });
    await shot(page, '23-fix-in-annotator');
    await page.keyboard.press('Escape'); // deselect
    const [x, y] = await canvasAt(page, 0.75, 0.3);
    await page.mouse.click(x, y);
    await page.getByTestId('candidate-0').waitFor();
    await page.locator('.candidate.selected[data-full="true"]').waitFor();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('mask-list').locator('.mask-row').count()).toBe(3);

    // Back in review: the same queue and cursor.
    await page.getByTestId('mode-review').click();
    await page.getByTestId('review-view').waitFor();
    await expect.poll(current).toBe('2');

    // Statistics: one timed mask (the SAM one), 3 + 2 masks on the two images, nothing automatic.
    await page.getByTestId('mode-stats').click();
    await page.getByTestId('figures').waitFor();
    expect(await page.getByTestId('figure-timed').textContent()).toContain('1');
    const bars = (id: string) =>
      page
        .getByTestId(id)
        .locator('rect.bar')
        .evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-count'))));
    expect((await bars('time-histogram')).reduce((a, b) => a + b, 0)).toBe(1);
    expect(await bars('clicks-histogram')).toEqual([0, 1]); // one click
    expect(await bars('masks-histogram')).toEqual([0, 0, 1, 1]); // an image with 2 masks, one with 3
    expect(await page.getByTestId('trend-chart').locator('circle.point').count()).toBe(1);
    expect(await page.getByTestId('reference-34').count()).toBe(1);
    expect(await page.getByTestId('reference-14').count()).toBe(1);
    expect(await page.getByTestId('share-all').textContent()).toContain('— accepted');
    await shot(page, '24-statistics');
    await page.getByTestId('share-chart').scrollIntoViewIfNeeded();
    await shot(page, '25-statistics-lower');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-csv').click(),
    ]);
    const csv = await readFile((await download.path())!, 'utf8');
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe(STATS_CSV_HEADER);
    expect(lines).toHaveLength(6);
    expect(download.suggestedFilename()).toBe('instances-statistics.csv');
    expect(errors).toEqual([]);

    // Every decision, and its reversal, is in the project file.
    await served.close();
    const project = openProject(path.join(photos, 'instances.samproj'));
    try {
      expect(
        [1, 2].flatMap((id) =>
          reviewEventsOf(project.reader, id).map((e) => `${id}:${e.fromStatus}→${e.toStatus}`),
        ),
      ).toEqual(['1:draft→accepted', '2:draft→rejected', '2:rejected→draft']);
    } finally {
      project.close();
    }
  });
});
