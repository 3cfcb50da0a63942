/** Serve mode: the backend over the HTTP bridge, driven as the renderer's client drives it. */
import { mkdtemp, readFile, rm, writeFile, mkdir, copyFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveClient } from '../helpers/serveClient.ts';
import { API_PATH, EVENTS_PATH, IMAGE_PATH, THUMB_PATH, TOKEN_HEADER } from '../../electron/common/bridge.ts';
import { bestCandidate } from '../../electron/common/candidate.ts';
import { decodeRle } from '../../electron/common/rle.ts';
import { encodeWire } from '../../electron/common/wire.ts';
import type { AppEvent, ClientApi, DecodeReply } from '../../electron/ipc/contract.ts';
import { type RunningServer, startServer } from '../../electron/serve/server.ts';
import { AppBackend } from '../../electron/services/appBackend.ts';
import { fixturesDir } from '../helpers/paths.ts';

let tmp: string;
let backend: AppBackend;
let server: RunningServer;
let base: string;

function client(token: string): ClientApi {
  return serveClient(base, token);
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'sam-serve-'));
  const images = path.join(tmp, 'photos');
  await mkdir(images);
  for (const name of ['wide.png', 'tall.png'])
    await copyFile(path.join(fixturesDir, 'reference', name), path.join(images, name));
  const rendererDir = path.join(tmp, 'renderer');
  await mkdir(rendererDir);
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>SAM Annotate</title>');
  backend = new AppBackend({
    mode: 'serve',
    dataDir: path.join(tmp, 'data'),
    modelDir: path.join(fixturesDir, 'models', 'tiny-random'),
    inference: { providers: ['cpu'] },
  });
  await backend.createProject(path.join(images, 'p.samproj'), images);
  server = await startServer({ backend, rendererDir, host: '127.0.0.1', port: 0 });
  base = new URL(server.url).origin;
}, 60_000);

afterAll(async () => {
  await server?.close();
  await backend?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('serve mode', () => {
  it('refuses requests without the token, or for another Host', async () => {
    expect((await fetch(`${base}/`)).status).toBe(403);
    expect(
      (
        await fetch(`${base}${API_PATH}/appInfo`, {
          method: 'POST',
          body: encodeWire([]) as Uint8Array<ArrayBuffer>,
        })
      ).status,
    ).toBe(403);
    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    // The token in the URL sets an HttpOnly cookie, named per port, for the page's later requests of its files.
    const url = new URL(server.url);
    const cookie = page.headers.get('set-cookie')!;
    expect(cookie).toMatch(new RegExp(`^sam_token_${url.port}=[^;]+; HttpOnly; SameSite=Strict`));
    expect((await fetch(`${base}/`, { headers: { cookie: cookie.split(';')[0]! } })).status).toBe(200);
    // fetch() cannot set Host; a DNS-rebinding page's requests would carry its own name.
    const status = await new Promise<number>((resolve, reject) => {
      http
        .get(
          {
            host: '127.0.0.1',
            port: url.port,
            path: url.pathname + url.search,
            headers: { host: 'evil.example' },
          },
          (r) => {
            r.resume();
            resolve(r.statusCode!);
          },
        )
        .on('error', reject);
    });
    expect(status).toBe(421);
  });

  it('answers the contract: project, images, categories', async () => {
    const api = client(server.token);
    expect((await api.appInfo()).mode).toBe('serve');
    expect(await api.currentProject()).toMatchObject({ name: 'p', imageCount: 2, annotationCount: 0 });
    const page = await api.listImages({ offset: 0, limit: 10, search: 'WIDE' });
    expect(page.total).toBe(1);
    expect(page.items[0]).toMatchObject({ fileName: 'wide.png', width: 320, height: 183, status: 'todo' });
    const cat = await api.addCategory({ name: 'shape', color: '#ff0000' });
    expect(await api.listCategories()).toEqual([cat]);
    await expect(api.addCategory({ name: 'shape' })).rejects.toThrow('category "shape" already exists');
    const model = await api.modelStatus();
    expect(model).toMatchObject({ name: 'tiny-random', demo: false, inputSize: 256, decoderProvider: 'cpu' });
  });

  it('decodes, refines by reference, accepts, undoes and redoes, exports', async () => {
    const api = client(server.token);
    const [image] = (await api.listImages({ offset: 0, limit: 1, search: 'wide' })).items;
    const events: AppEvent[] = [];
    const controller = new AbortController();
    void fetch(`${base}${EVENTS_PATH}?token=${server.token}`, { signal: controller.signal }).then(
      async (r) => {
        const reader = r.body!.getReader();
        for (;;) {
          const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
          if (done) break;
          for (const line of new TextDecoder().decode(value).split('\n'))
            if (line.startsWith('data: ')) events.push(JSON.parse(line.slice(6)));
        }
      },
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(await api.prepareImage(image!.id)).toBe('ready');
    const first: DecodeReply = await api.decode({
      imageId: image!.id,
      points: [{ x: 90, y: 80, label: 1 }],
      multimask: true,
      previewMaxSide: 100,
    });
    expect(first.candidates).toHaveLength(3);
    const preview = first.candidates[0]!.preview!;
    expect(preview.data).toBeInstanceOf(Uint8Array);
    expect([preview.width, preview.height]).toEqual([100, 57]);
    expect(first.candidates[0]!.rle.size).toEqual([183, 320]);
    const refined = await api.decode({
      imageId: image!.id,
      points: [
        { x: 90, y: 80, label: 1 },
        { x: 200, y: 100, label: 0 },
      ],
      maskInputRef: { decodeId: first.decodeId, candidate: 0 },
      multimask: false,
    });
    expect(refined.candidates).toHaveLength(1);
    await expect(
      api.decode({
        imageId: image!.id,
        points: [],
        maskInputRef: { decodeId: 'nope', candidate: 0 },
        multimask: false,
      }),
    ).rejects.toThrow(/no longer available/);

    const chosen = refined.candidates[0]!;
    const accepted = await api.addAnnotation({
      imageId: image!.id,
      categoryId: null,
      rle: chosen.rle,
      source: 'manual',
      status: 'accepted',
      prompts: {
        points: [
          { x: 90, y: 80, label: 1 },
          { x: 200, y: 100, label: 0 },
        ],
      },
      predictedIou: chosen.predictedIou,
      stabilityScore: chosen.stabilityScore,
      timing: { activeMs: 4200, clicks: 2, promptCount: 2, brushStrokes: 0, modelWaitMs: 35 },
    });
    expect(accepted.area).toBe(chosen.area);
    expect(accepted.timing).toMatchObject({ activeMs: 4200, clicks: 2 });
    expect((await api.listImages({ offset: 0, limit: 1, search: 'wide' })).items[0]!.status).toBe(
      'in-progress',
    );
    // Undo = delete; redo = restore the same annotation.
    await api.deleteAnnotation(accepted.id);
    expect(await api.listAnnotations(image!.id)).toEqual([]);
    const restored = await api.restoreAnnotation(accepted);
    expect({ ...restored, id: 0 }).toEqual({ ...accepted, id: 0 });

    const out = path.join(tmp, 'export.json');
    const report = await api.exportProject({ format: 'coco-rle', out, includeUncategorized: true });
    expect(report.message).toMatch(/1 annotations/);
    const coco = JSON.parse(await readFile(out, 'utf8'));
    expect(coco.annotations[0].segmentation.counts).toBe(chosen.rle.counts);
    expect(decodeRle(coco.annotations[0].segmentation).data.reduce((a: number, b: number) => a + b, 0)).toBe(
      chosen.area,
    );
    controller.abort();
    expect(events.some((e) => e.type === 'embedding' && e.imageId === image!.id && e.state === 'ready')).toBe(
      true,
    );
  });

  it('previews cheaply, then gives the same full mask as a full decode on demand', async () => {
    const api = client(server.token);
    const [image] = (await api.listImages({ offset: 0, limit: 1, search: 'wide' })).items;
    const request = { imageId: image!.id, points: [{ x: 150, y: 90, label: 1 as const }], multimask: true };
    const preview = await api.previewDecode({ ...request, previewMaxSide: 160 });
    expect(preview.candidates).toHaveLength(3);
    expect(preview.candidates[0]).not.toHaveProperty('rle');
    // Only the candidate shown first is previewed (issue 16); the others' previews come on demand, the same.
    const shown = bestCandidate(preview.candidates);
    expect(preview.candidates.map((c, i) => (c.preview === null) === (i !== shown))).toEqual([
      true,
      true,
      true,
    ]);
    const inline = preview.candidates[shown]!.preview!;
    expect([inline.width, inline.height]).toEqual([160, 92]);
    const onDemand = await api.decodedPreview(preview.decodeId, shown, 160);
    expect(Buffer.from(onDemand.data).equals(Buffer.from(inline.data))).toBe(true);
    for (const i of [0, 1, 2]) {
      const p = await api.decodedPreview(preview.decodeId, i, 160);
      expect([p.width, p.height, p.data.length]).toEqual([160, 92, 160 * 92]);
    }
    await expect(api.decodedPreview(preview.decodeId, 0, -3)).rejects.toThrow(/positive whole number/);
    // A made-up index is refused as gone, not answered with whatever the array's prototype holds.
    const madeUp = 'length' as unknown as number;
    await expect(api.decodedPreview(preview.decodeId, madeUp, 160)).rejects.toThrow(/no longer available/);
    await expect(api.decodedMask(preview.decodeId, madeUp)).rejects.toThrow(/no longer available/);
    const full = await api.decode(request);
    for (const i of [0, 1, 2]) {
      const mask = await api.decodedMask(preview.decodeId, i);
      expect(mask.rle).toEqual(full.candidates[i]!.rle);
      expect(mask.area).toBe(full.candidates[i]!.area);
      // The preview's area estimate is close to the real one.
      expect(Math.abs(preview.candidates[i]!.area - mask.area)).toBeLessThanOrEqual(0.05 * mask.area + 200);
    }
    await expect(api.decodedMask('d99999', 0)).rejects.toThrow(/no longer available/);
  });

  it('keeps the decode of a click for refinement however many hover previews follow', async () => {
    const api = client(server.token);
    const [image] = (await api.listImages({ offset: 0, limit: 1, search: 'wide' })).items;
    const click = await api.previewDecode({
      imageId: image!.id,
      points: [{ x: 60, y: 60, label: 1 }],
      multimask: true,
    });
    for (let i = 0; i < 70; i++) {
      await api.previewDecode({
        imageId: image!.id,
        points: [{ x: 10 + i, y: 40, label: 1 }],
        multimask: true,
        lane: 'hover',
        previewMaxSide: 32,
      });
    }
    const refined = await api.previewDecode({
      imageId: image!.id,
      points: [
        { x: 60, y: 60, label: 1 },
        { x: 200, y: 100, label: 0 },
      ],
      maskInputRef: { decodeId: click.decodeId, candidate: 1 },
      multimask: false,
    });
    expect(refined.candidates).toHaveLength(1);
  }, 60_000);

  it('serves image files and thumbnails', async () => {
    const api = client(server.token);
    const [image] = (await api.listImages({ offset: 0, limit: 1, search: 'tall' })).items;
    const file = await fetch(`${base}${IMAGE_PATH}/${image!.id}?token=${server.token}`);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(
      Buffer.from(await file.arrayBuffer()).equals(
        await readFile(path.join(fixturesDir, 'reference', 'tall.png')),
      ),
    ).toBe(true);
    const thumb = await fetch(`${base}${THUMB_PATH}/${image!.id}?token=${server.token}`);
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
    expect((await fetch(`${base}${IMAGE_PATH}/9999?token=${server.token}`)).status).toBe(404);
  });

  it('reports user errors in one line, without a stack', async () => {
    const response = await fetch(`${base}${API_PATH}/openProject`, {
      method: 'POST',
      headers: { [TOKEN_HEADER]: server.token },
      body: encodeWire([path.join(tmp, 'missing.samproj')]) as Uint8Array<ArrayBuffer>,
    });
    expect(response.status).toBe(400);
    const error = (await response.json()) as { message: string; userError: boolean };
    expect(error.userError).toBe(true);
    expect(error.message).toMatch(/missing\.samproj: no such project/);
    // The app's words, not a command line (issue 17).
    expect(error.message).not.toMatch(/sam-annotate project create/);
    expect(error.message).toMatch(/New project/);
    expect(
      (
        await fetch(`${base}${API_PATH}/dropTables`, {
          method: 'POST',
          headers: { [TOKEN_HEADER]: server.token },
        })
      ).status,
    ).toBe(404);
  });
});
