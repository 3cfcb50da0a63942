/**
 * Issue 17: images of an open project from the app, in serve mode with its write limits — add a folder under the
 * served folder (only read), rescan for new and missing files — over the HTTP bridge as the browser calls it.
 */
import { copyFile, mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveClient } from '../helpers/serveClient.ts';
import type { ClientApi } from '../../electron/ipc/contract.ts';
import { type RunningServer, startServer } from '../../electron/serve/server.ts';
import { AppBackend } from '../../electron/services/appBackend.ts';
import { writeImage } from '../helpers/projects.ts';

let tmp: string;
let photos: string;
let backend: AppBackend;
let server: RunningServer;
let api: ClientApi;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'sam-serve-images-'));
  photos = path.join(tmp, 'photos');

  await writeImage(path.join(photos, 'a.png'), 40, 30, 1);
  const rendererDir = path.join(tmp, 'renderer');
  await mkdir(rendererDir);
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html>');
  backend = new AppBackend({
    mode: 'serve',
    dataDir: path.join(tmp, 'data'),
    // As `sam-annotate serve photos/`: writes confined to the folder it was started on.
    limits: { allowModelInstall: false, writeRoots: [path.join(tmp, 'photos')] },
  });
  await backend.createProject(path.join(photos, 'p.samproj'), photos);
  server = await startServer({ backend, rendererDir, host: '127.0.0.1', port: 0 });
  const base = new URL(server.url).origin;
  api = serveClient(base, server.token);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await backend?.close();
  await rm(tmp, { recursive: true, force: true });
});

const names = async () =>
  (await api.listImages({ offset: 0, limit: 100 })).items.map((i) => `${i.relPath}:${i.fileState}`).sort();

describe('images of an open project (serve mode)', () => {
  it('adds a folder (duplicates skipped and reported) and rescans for new and missing files', async () => {
    const more = path.join(photos, 'more');
    await writeImage(path.join(more, 'b.png'), 40, 30, 2);
    await copyFile(path.join(photos, 'a.png'), path.join(more, 'a-copy.png'));
    await writeFile(path.join(more, 'broken.jpg'), 'not an image');
    const added = await api.addImages(more);
    expect(added.message).toMatch(
      new RegExp(`^added 1 image from ${more}; 1 duplicates skipped; 1 unreadable \\(broken\\.jpg: `),
    );
    expect(await names()).toEqual(['a.png:ok', 'more/b.png:ok']);
    await expect(api.addImages(path.join(tmp, 'nowhere'))).rejects.toThrow(/nowhere/);

    await writeImage(path.join(photos, 'c.png'), 40, 30, 3);
    await unlink(path.join(more, 'b.png'));
    const rescan = await api.rescanImages();
    expect(rescan.message).toMatch(
      /^rescanned .*photos: 1 new image added; 1 missing \(Relink images… finds moved ones\)/,
    );
    expect(await names()).toEqual(['a.png:ok', 'c.png:ok', 'more/b.png:missing']);
  });
});
