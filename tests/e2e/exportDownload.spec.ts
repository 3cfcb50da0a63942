/**
 * Issue 17: in the browser, an export (written on the server) can be downloaded: a COCO file as is, a folder
 * export as a ZIP. Only the export just written is offered, by a random id with the token; screenshots of the
 * dialog at 1440×900 and 1024×700.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOWNLOAD_PATH } from '../../electron/common/bridge.ts';
import { encodeMask } from '../../electron/common/rle.ts';
import { addImagesFromFolder } from '../../electron/dataset/addImages.ts';
import { addAnnotation } from '../../electron/store/annotations.ts';
import { addCategory } from '../../electron/store/categories.ts';
import { createProject } from '../../electron/store/projectDb.ts';
import { type Session, closeSession, newPage, openSession, shot } from './harness.ts';

let session: Session;
let projectDir = '';

beforeAll(async () => {
  session = await openSession({
    photos: 1,
    prepare: async ({ photos }) => {
      projectDir = path.dirname(photos!);
      const file = path.join(projectDir, 'dl.samproj');
      const project = createProject(file);
      const { added } = await addImagesFromFolder(project, photos!);
      const cat = addCategory(project.db, { name: 'cat' }).id;
      const data = new Uint8Array(640 * 480);
      for (let y = 50; y < 150; y++) data.fill(1, y * 640 + 60, y * 640 + 200);
      addAnnotation(project.db, {
        imageId: added[0]!.id,
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

describe('export download in the browser', () => {
  it('downloads a COCO file and a YOLO folder as a ZIP, each the export the server wrote', async () => {
    const { page, errors } = await newPage(session.browser);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(session.served.url);
    await page.locator('.image-row', { hasText: 'scene-1.png' }).waitFor({ timeout: 60_000 });
    await page.getByTestId('export').click();
    await page.getByTestId('export-run').click();
    await page.getByTestId('export-result').waitFor({ timeout: 60_000 });
    const link = page.getByTestId('export-download');
    expect(await link.textContent()).toContain('Download dl-coco.json');
    await shot(page, 'r3-export-download-1440');
    const [coco] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(coco.suggestedFilename()).toBe('dl-coco.json');
    const onServer = await readFile(path.join(projectDir, 'dl-coco.json'));
    expect(await readFile((await coco.path())!)).toEqual(onServer);
    expect(JSON.parse(onServer.toString()).annotations).toHaveLength(1);

    await page.setViewportSize({ width: 1024, height: 700 });
    await page.getByTestId('export-format').selectOption('yolo');
    await page.getByTestId('export-run').click();
    await expect.poll(() => link.textContent()).toContain('Download dl-yolo.zip');
    await shot(page, 'r3-export-download-1024');
    const [yolo] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(yolo.suggestedFilename()).toBe('dl-yolo.zip');
    const zip = (await yolo.path())!;
    const names = execFileSync('/usr/bin/python3', [
      '-c',
      'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print("\\n".join(sorted(z.namelist())))',
      zip,
    ])
      .toString()
      .trim()
      .split('\n');
    expect(names).toContain('classes.txt');
    expect(names).toContain('labels/scene-1.txt');
    const label = execFileSync('unzip', ['-p', zip, 'labels/scene-1.txt']);
    expect(label).toEqual(await readFile(path.join(projectDir, 'dl-yolo', 'labels', 'scene-1.txt')));

    // Only with the token, and only ids the server handed out.
    const href = (await link.getAttribute('href'))!;
    const origin = new URL(session.served.url).origin;
    expect((await fetch(`${origin}${href}`)).status).toBe(200);
    expect((await fetch(`${origin}${href.replace(/\?.*/, '')}`)).status).toBe(403);
    const wrongId = `${origin}${DOWNLOAD_PATH}/${encodeURIComponent('../../dl.samproj')}${href.slice(href.indexOf('?'))}`;
    expect((await fetch(wrongId)).status).toBe(404);
    expect(errors).toEqual([]);
  });
});
