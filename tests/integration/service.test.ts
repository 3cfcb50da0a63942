/** SamService behaviour on the fixture model: caches, priorities, lanes, crashes and bad input. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveAmgParams } from '../../electron/common/amg/params.ts';
import { imagePoint } from '../../electron/common/frames.ts';
import type { Prompt } from '../../electron/common/prompts.ts';
import { generateMasks } from '../../electron/inference/amg.ts';
import { gpuProvidersOnMachine } from '../../electron/inference/providers.ts';
import { type ServiceEvent, SamService, SupersededError } from '../../electron/inference/samService.ts';
import { spawnInferenceWorker } from '../../electron/inference/workerHost.ts';
import type { WorkerRole } from '../../electron/inference/worker/protocol.ts';
import { fixturesDir } from '../helpers/paths.ts';

const model = path.join(fixturesDir, 'models', 'tiny-random');
const wide = path.join(fixturesDir, 'reference', 'wide.png');
const click: Prompt = { points: [{ point: imagePoint(90, 80), label: 1 }] };

let tmp: string;
const services: SamService[] = [];

async function service(options: ConstructorParameters<typeof SamService>[0] = {}): Promise<SamService> {
  const s = new SamService({ providers: ['cpu'], ...options });
  services.push(s);
  await s.loadModel(model);
  return s;
}

/** Distinct images (different bytes) so each needs its own embedding. */
async function images(count: number): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const file = path.join(tmp, `img${i}.png`);
      await sharp({
        create: { width: 64 + i, height: 48, channels: 3, background: { r: i * 20, g: 100, b: 50 } },
      })
        .png()
        .toFile(file);
      return file;
    }),
  );
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'sam-service-'));
});
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('SamService', () => {
  it('describes the loaded model and the provider in use', async () => {
    const s = await service({ providers: ['cuda', 'cpu'], providersRequested: true });
    const info = s.modelInfo!;
    expect(info.layout).toBe('sam-annotate');
    expect(info.geometry).toEqual({ inputSize: 256, channels: 32, grid: 16, lowResSize: 64 });
    expect(info.decoder.provider).toBe('cpu');
    // No CUDA on this machine: the fallback and its reason are reported.
    expect(info.encoder.fallbacks[0]).toMatchObject({ provider: 'cuda' });
    expect(info.encoder.fallbacks[0]!.reason.length).toBeGreaterThan(0);
    // The platform's default list (CUDA first) not asked for by the user: a CUDA failure is news only where
    // NVIDIA's driver is installed (issue 17).
    const quiet = await service({ providers: ['cuda', 'cpu'] });
    const hasNvidia = gpuProvidersOnMachine(process.platform, existsSync).includes('cuda');
    const cudaFailed = quiet.modelInfo!.encoder.provider !== 'cuda';
    expect(quiet.modelInfo!.encoder.fallbacks.map((f) => f.provider)).toEqual(
      hasNvidia && cudaFailed ? ['cuda'] : [],
    );
  });

  it('reuses embeddings from memory, then from disk in a new service', async () => {
    const diskCacheDir = path.join(tmp, 'cache');
    const a = await service({ diskCacheDir });
    expect((await a.predict(wide, click)).embeddingSource).toBe('encoder');
    expect((await a.predict(wide, click)).embeddingSource).toBe('memory');
    const b = await service({ diskCacheDir });
    const fromDisk = await b.predict(wide, click);
    expect(fromDisk.embeddingSource).toBe('disk');
    const fresh = await (await service()).predict(wide, click);
    expect(fromDisk.candidates.map((c) => c.rle)).toEqual(fresh.candidates.map((c) => c.rle));
  });

  it('says which family the layout serves and what one image embedding weighs (issue 14)', async () => {
    const info = (await service()).modelInfo!;
    expect(info.modelFamily).toBe('sam1');
    expect(info.embeddingBytes).toBe(32 * 16 * 16 * 4); // one float32 [1, 32, 16, 16] tensor
  });

  it('rebuilds a disk cache entry of the previous format instead of reading it (issue 14)', async () => {
    const diskCacheDir = path.join(tmp, 'cache-v1');
    const a = await service({ diskCacheDir });
    const fresh = await a.predict(wide, click);
    // Rewrite each entry as version 1 wrote it: "SAMEMB1\n", a header without format, dtype or frame kind.
    for (const sub of await readdir(diskCacheDir)) {
      for (const name of await readdir(path.join(diskCacheDir, sub))) {
        const file = path.join(diskCacheDir, sub, name);
        const bytes = await readFile(file);
        const length = bytes.readUInt32LE(8);
        const header = JSON.parse(bytes.subarray(12, 12 + length).toString('utf8'));
        const { kind: _kind, ...frame } = header.frame;
        const old = Buffer.from(
          JSON.stringify({
            frame,
            tensors: header.tensors.map((t: { name: string; dims: number[] }) => ({
              name: t.name,
              dims: t.dims,
            })),
          }),
        );
        const oldLength = Buffer.alloc(4);
        oldLength.writeUInt32LE(old.length);
        await writeFile(
          file,
          Buffer.concat([Buffer.from('SAMEMB1\n'), oldLength, old, bytes.subarray(12 + length)]),
        );
      }
    }
    const rebuilt = await (await service({ diskCacheDir })).predict(wide, click);
    expect(rebuilt.embeddingSource).toBe('encoder');
    expect(rebuilt.candidates.map((c) => c.rle)).toEqual(fresh.candidates.map((c) => c.rle));
    expect((await (await service({ diskCacheDir })).predict(wide, click)).embeddingSource).toBe('disk');
  });

  it('re-encodes when the image file changes on disk', async () => {
    const file = path.join(tmp, 'changing.png');
    await copyFile(wide, file);
    const s = await service();
    const before = await s.predict(file, click);
    await sharp(wide).flop().png().toFile(file);
    const after = await s.predict(file, click);
    expect(after.embeddingSource).toBe('encoder');
    expect(after.candidates[0]!.rle).not.toBe(before.candidates[0]!.rle);
  });

  it('runs an interactive request before queued prefetches, and cancels the rest', async () => {
    const files = await images(6);
    const ready: string[] = [];
    const s = await service({
      onEvent: (e: ServiceEvent) => {
        if (e.type === 'embedding' && e.state === 'ready') ready.push(path.basename(e.file));
      },
    });
    s.prefetch(files.slice(0, 5));
    // Wait until every prefetch has been hashed and queued (one may already be encoding).
    while (files.slice(0, 5).some((f) => !['queued', 'encoding', 'ready'].includes(s.state(f)))) {
      await new Promise((r) => setTimeout(r, 1));
    }
    const interactive = s.predict(files[5]!, click);
    s.cancelPrefetch();
    await interactive;
    await new Promise((r) => setTimeout(r, 50));
    const states = files.slice(0, 5).map((f) => s.state(f));
    // Only prefetches that were already running or done before the cancel got an embedding.
    expect(states.filter((st) => st === 'ready').length).toBeLessThanOrEqual(ready.indexOf('img5.png'));
    expect(states.filter((st) => st === 'queued' || st === 'encoding')).toEqual([]);
    expect(states.filter((st) => st === 'missing').length).toBeGreaterThanOrEqual(3);
  });

  it('lets an interactive decode go between two batches of an automatic pass (issue 5)', async () => {
    const s = await service();
    await s.embed(wide);
    const params = resolveAmgParams({ points_per_side: 4, points_per_batch: 2, pred_iou_thresh: 0 });
    let done = 0;
    let interactive: Promise<unknown> | undefined;
    let doneWhenAnswered = -1;
    const run = generateMasks(s, wide, params, {
      priority: 'background',
      onProgress: (p) => {
        done = p.done;
        // Called between batches, as a click arrives while the pass runs; the next batch is not queued yet.
        interactive ??= s.predict(wide, click).then(() => (doneWhenAnswered = done));
      },
    });
    await Promise.all([run, interactive]);
    // Answered after the first batch (2 prompts) and before the second one: nothing else got in first.
    expect(doneWhenAnswered).toBe(2);
    expect(done).toBe(16);
  });

  it('answers a click during a large grid batch after at most one small slice of it (issue 17)', async () => {
    // The decoder's requests and answers in order, seen from the service's side of the worker.
    const log: { kind: 'request' | 'answer'; id: number; method?: string; prompts?: number }[] = [];
    let onFirstGrid: (() => void) | undefined;
    const spawnWorker = (role: WorkerRole) => {
      const worker = spawnInferenceWorker();
      if (role !== 'decoder') return worker;
      const post = worker.postMessage.bind(worker);
      worker.postMessage = (
        message: { id: number; method: string; args: { points?: Float64Array } },
        transfer?: Parameters<Worker['postMessage']>[1],
      ) => {
        log.push({
          kind: 'request',
          id: message.id,
          method: message.method,
          prompts: (message.args.points?.length ?? 0) / 2,
        });
        if (message.method === 'decodeGrid') onFirstGrid?.();
        return post(message, transfer);
      };
      worker.on('message', (m: { id: number }) => log.push({ kind: 'answer', id: m.id }));
      return worker;
    };
    const s = await service({ spawnWorker });
    await s.embed(wide);
    await s.predict(wide, click); // the embedding is on the decoder
    // One batch of 64 prompts, decoded prompt by prompt (the demo model has no batch graph).
    const params = resolveAmgParams({ points_per_side: 8, points_per_batch: 64, pred_iou_thresh: 0 });
    let clicked: Promise<unknown> | undefined;
    let clickStart = -1;
    onFirstGrid = () => {
      onFirstGrid = undefined;
      clickStart = log.length; // the click comes while the pass's grid work runs
      clicked = s.predict(wide, click);
    };
    await generateMasks(s, wide, params, { priority: 'background', batched: false });
    await clicked;
    const method = new Map(log.filter((e) => e.kind === 'request').map((e) => [e.id, e]));
    const after = log.slice(clickStart);
    const clickAnswer = after.findIndex((e) => e.kind === 'answer' && method.get(e.id)!.method === 'decode');
    // Grid prompts the click waited for: grid requests answered between the click and its answer.
    const waited = after
      .slice(0, clickAnswer)
      .filter((e) => e.kind === 'answer' && method.get(e.id)!.method === 'decodeGrid')
      .reduce((n, e) => n + method.get(e.id)!.prompts!, 0);
    expect(clickAnswer).toBeGreaterThan(0);
    expect(waited).toBeLessThanOrEqual(8);
  });

  it('answers a click while a full-resolution mask is still being made (issue 16)', async () => {
    // Every 'upsample' request is held back from its worker until the click is answered (or 3 s pass): when full
    // masks are made where clicks are decoded, the click can only come after it.
    const order: string[] = [];
    let release: (() => void) | undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let sent: (() => void) | undefined;
    const upsampleSent = new Promise<void>((resolve) => (sent = resolve));
    const spawnWorker = (role: WorkerRole) => {
      const worker = spawnInferenceWorker();
      const post = worker.postMessage.bind(worker);
      worker.postMessage = (message: { method: string }, transfer?: Parameters<Worker['postMessage']>[1]) => {
        if (message.method !== 'upsample') return post(message, transfer);
        order.push(`upsample sent to the ${role} worker`);
        sent!();
        void Promise.race([released, new Promise((r) => setTimeout(r, 3000))]).then(() =>
          post(message, transfer),
        );
      };
      return worker;
    };
    const s = await service({ spawnWorker });
    const hover = await s.predict(wide, click, { output: { rle: false, bitmap: false, previewMaxSide: 64 } });
    const full = s.fullMask(wide, hover.candidates[0]!.lowRes).then(() => order.push('full mask'));
    await upsampleSent;
    await s.predict(wide, { points: [{ point: imagePoint(20, 20), label: 1 }] });
    order.push('click answered');
    release!();
    await full;
    expect(order).toEqual(['upsample sent to the masks worker', 'click answered', 'full mask']);
  });

  it('starts no prefetch encode while a click waits for its answer (issue 17)', async () => {
    const [clicked, prefetched] = await images(2);
    const order: string[] = [];
    const s = await service({
      onEvent: (e) => {
        if (e.type === 'embedding' && e.state === 'encoding') order.push(`encoding ${path.basename(e.file)}`);
      },
    });
    const answered = s.predict(clicked!, click).then(() => order.push('click answered'));
    s.prefetch([prefetched!]);
    await answered;
    await s.embed(prefetched!, 'prefetch');
    // The click's own encode first; the prefetch's encode shares no cores with the click's decode.
    expect(order).toEqual(['encoding img0.png', 'click answered', 'encoding img1.png']);
  });

  it('keeps background encodes (automatic passes) when prefetches are cancelled', async () => {
    const files = await images(2);
    const s = await service();
    const prefetched = s.embed(files[0]!, 'prefetch');
    const background = s.embed(files[1]!, 'background');
    s.cancelPrefetch();
    const [p, b] = await Promise.allSettled([prefetched, background]);
    // The prefetch may already have been running (a running encode finishes); the background one always does.
    expect(p.status === 'fulfilled' || /cancelled/.test(String((p as PromiseRejectedResult).reason))).toBe(
      true,
    );
    expect(b.status).toBe('fulfilled');
  });

  it('drops superseded requests of a lane; the newest always runs', async () => {
    const s = await service();
    await s.embed(wide);
    const hovers = Array.from({ length: 6 }, (_, i) =>
      s.predict(wide, { points: [{ point: imagePoint(10 + i * 20, 50), label: 1 }] }, { lane: 'hover' }),
    );
    const settled = await Promise.allSettled(hovers);
    expect(settled.at(-1)!.status).toBe('fulfilled');
    const superseded = settled.filter((r) => r.status === 'rejected' && r.reason instanceof SupersededError);
    expect(superseded.length).toBeGreaterThan(0);
  });

  it('rejects the pending call when a worker dies, then recovers', async () => {
    const workers: Worker[] = [];
    const crashes: string[] = [];
    const s = await service({
      spawnWorker: () => {
        const w = spawnInferenceWorker();
        workers.push(w);
        return w;
      },
      onEvent: (e) => {
        if (e.type === 'worker-crash') crashes.push(e.role);
      },
    });
    await s.embed(wide);
    const pending = s.predict(wide, click);
    // Kill the decoder thread behind the host's back, as a native crash would.
    await new Promise((r) => setImmediate(r));
    await workers[1]!.terminate();
    await expect(pending).rejects.toThrow(/decoder worker exited .* it will be restarted/);
    expect(crashes).toEqual(['decoder']);
    const again = await s.predict(wide, click);
    expect(again.candidates.length).toBe(3);
  });

  it('names the file for a missing, corrupt or non-image input', async () => {
    const s = await service();
    await expect(s.predict(path.join(tmp, 'nope.png'), click)).rejects.toThrow(
      /cannot read image .*nope\.png: no such file/,
    );
    const text = path.join(tmp, 'notes.jpg');
    await writeFile(text, 'not an image');
    await expect(s.predict(text, click)).rejects.toThrow(/cannot decode image .*notes\.jpg: not an image/);
    await expect(s.predict(path.join(fixturesDir, 'images', 'truncated.png'), click)).rejects.toThrow(
      /cannot decode image .*truncated\.png/,
    );
    // The service still works afterwards.
    expect((await s.predict(wide, click)).candidates.length).toBe(3);
  });

  it.skipIf(process.platform === 'win32')(
    'names a FIFO or a symlink to /dev/zero instead of hanging or reading forever (issue 18)',
    async () => {
      const s = await service();
      const fifo = path.join(tmp, 'pipe.png');
      const zero = path.join(tmp, 'zero.png');
      execFileSync('mkfifo', [fifo]);
      await symlink('/dev/zero', zero);
      await expect(s.predict(fifo, click)).rejects.toThrow(
        `cannot read image ${fifo}: not a regular file (a FIFO)`,
      );
      await expect(s.embed(zero)).rejects.toThrow(
        `cannot read image ${zero}: not a regular file (a character device)`,
      );
      expect((await s.predict(wide, click)).candidates.length).toBe(3);
    },
    20_000,
  );

  it('refuses prompts the model cannot take, in one clear line', async () => {
    const s = new SamService({ providers: ['cpu'] });
    services.push(s);
    await s.loadModel(path.join(fixturesDir, 'models', 'tiny-random-hf'));
    await expect(s.predict(wide, { ...click, maskInput: new Float32Array(64 * 64) })).rejects.toThrow(
      /cannot refine from an earlier mask/,
    );
    await expect(s.predict(wide, { points: [] })).rejects.toThrow(/at least one point or a box/);
  });
});
