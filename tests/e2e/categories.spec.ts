/**
 * Issue 17: managing categories in the browser — import a label list, rename, recolour, reorder, delete with the
 * masks moved to another category (asked first). Screenshots of the panel at 1440×900 and 1024×700.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnnotationItem, CategoryItem } from '../../electron/ipc/contract.ts';
import { encodeMask } from '../../electron/common/rle.ts';
import { addImagesFromFolder } from '../../electron/dataset/addImages.ts';
import { addAnnotation } from '../../electron/store/annotations.ts';
import { addCategory } from '../../electron/store/categories.ts';
import { createProject } from '../../electron/store/projectDb.ts';
import { type Session, callBridge, closeSession, newPage, openSession, shot } from './harness.ts';

let session: Session;
let imageId = 0;

beforeAll(async () => {
  session = await openSession({
    photos: 1,
    prepare: async ({ photos }) => {
      const file = path.join(path.dirname(photos!), 'labels.samproj');
      const project = createProject(file);
      const { added } = await addImagesFromFolder(project, photos!);
      imageId = added[0]!.id;
      const cat = addCategory(project.db, { name: 'cat', color: '#e6194b' }).id;
      addCategory(project.db, { name: 'dog', color: '#3cb44b' });
      const data = new Uint8Array(640 * 480);
      for (let y = 100; y < 200; y++) data.fill(1, y * 640 + 100, y * 640 + 250);
      addAnnotation(project.db, {
        imageId,
        categoryId: cat,
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

const categories = () => callBridge<CategoryItem[]>(session.served, 'listCategories');

describe('categories', () => {
  it('import a label list, rename, recolour, reorder, and delete moving the masks', async () => {
    const { page, errors } = await newPage(session.browser);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(session.served.url);
    const panel = page.locator('.category-panel');
    await panel.getByText('dog').waitFor({ timeout: 60_000 });

    await page.getByTestId('import-labels-file').setInputFiles({
      name: 'labels.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('dog\nbird\nbird\nfish\n'),
    });
    await page
      .getByText('labels.txt: added 2 categories; skipped 2 already there or repeated: bird, dog')
      .waitFor();
    await expect
      .poll(async () => (await categories()).map((c) => c.name))
      .toEqual(['cat', 'dog', 'bird', 'fish']);

    await panel.getByRole('button', { name: 'Rename bird' }).click();
    await panel.getByLabel('New name of bird').fill('parrot');
    await panel.getByLabel('New name of bird').press('Enter');
    await panel.locator('.category-name', { hasText: 'parrot' }).waitFor();
    await panel.getByRole('button', { name: 'Move parrot up' }).click();
    await expect
      .poll(async () => (await categories()).map((c) => c.name))
      .toEqual(['cat', 'parrot', 'dog', 'fish']);
    await panel.getByLabel('Colour of fish').fill('#123456');
    await expect.poll(async () => (await categories()).find((c) => c.name === 'fish')?.color).toBe('#123456');
    await shot(page, 'r3-categories-1440');

    // Delete cat: asked first, its mask moves to the category chosen.
    await panel.getByRole('button', { name: 'Delete cat' }).click();
    const dialog = panel.getByRole('alertdialog', { name: 'Delete cat' });
    await dialog.getByLabel('Move its masks to').selectOption({ label: 'move to dog' });
    await page.setViewportSize({ width: 1024, height: 700 });
    await shot(page, 'r3-categories-delete-1024');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('cat: deleted the category; 1 mask moved').waitFor();
    const names = (await categories()).map((c) => c.name);
    expect(names).toEqual(['parrot', 'dog', 'fish']);
    const dog = (await categories()).find((c) => c.name === 'dog')!;
    const masks = await callBridge<AnnotationItem[]>(session.served, 'listAnnotations', imageId);
    expect(masks.map((m) => m.categoryId)).toEqual([dog.id]);
    expect(errors).toEqual([]);
  });
});
