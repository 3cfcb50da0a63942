/**
 * Review mode and statistics over the serve bridge, offline: a backend with no model at all imports a COCO file
 * as drafts, and a client reviews it, reads the statistics and gets the CSV (issue 5).
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveClient } from '../helpers/serveClient.ts';
import { STATS_CSV_HEADER } from '../../electron/common/formatStatsCsv.ts';
import type { ClientApi } from '../../electron/ipc/contract.ts';
import { type RunningServer, startServer } from '../../electron/serve/server.ts';
import { AppBackend } from '../../electron/services/appBackend.ts';
import { openProject, userName } from '../../electron/store/projectDb.ts';
import { reviewEventsOf } from '../../electron/store/reviews.ts';
import { fixturesDir } from '../helpers/paths.ts';

let tmp: string;
let backend: AppBackend;
let server: RunningServer;
let api: ClientApi;
let projectFile: string;

const rect = (x: number, y: number, w: number, h: number) => [[x, y, x + w, y, x + w, y + h, x, y + h]];

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'sam-review-'));
  const images = path.join(tmp, 'photos');
  await mkdir(images);
  for (const name of ['wide.png', 'tall.png'])
    await copyFile(path.join(fixturesDir, 'reference', name), path.join(images, name));
  await writeFile(
    path.join(images, 'instances.json'),
    JSON.stringify({
      images: [
        { id: 1, file_name: 'wide.png', width: 320, height: 183 },
        { id: 2, file_name: 'tall.png', width: 150, height: 230 },
      ],
      categories: [{ id: 1, name: 'thing' }],
      annotations: [
        {
          id: 1,
          image_id: 1,
          category_id: 1,
          segmentation: rect(10, 10, 40, 20),
          area: 800,
          bbox: [10, 10, 40, 20],
          iscrowd: 0,
        },
        {
          id: 2,
          image_id: 1,
          category_id: 1,
          segmentation: rect(100, 50, 10, 10),
          area: 100,
          bbox: [100, 50, 10, 10],
          iscrowd: 0,
        },
        {
          id: 3,
          image_id: 2,
          category_id: 1,
          segmentation: rect(20, 30, 60, 90),
          area: 5400,
          bbox: [20, 30, 60, 90],
          iscrowd: 0,
        },
      ],
    }),
  );
  const rendererDir = path.join(tmp, 'renderer');
  await mkdir(rendererDir);
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>SAM Annotate</title>');
  // No modelDir: nothing here may need the model.
  backend = new AppBackend({ mode: 'serve', dataDir: path.join(tmp, 'data') });
  projectFile = path.join(images, 'review.samproj');
  await backend.createProject(projectFile);
  server = await startServer({ backend, rendererDir, host: '127.0.0.1', port: 0 });
  const base = new URL(server.url).origin;
  api = serveClient(base, server.token);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await backend?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('review and statistics in serve mode, without a model', () => {
  it('imports COCO as drafts, pages the queue, records decisions with the reviewer, and their reversal', async () => {
    expect(await api.modelStatus()).toBeNull();
    const report = await api.importCoco(
      path.join(path.dirname(projectFile), 'instances.json'),
      undefined,
      'draft',
    );
    expect(report.message).toMatch(/imported 3 masks/);

    const query = {
      statuses: ['draft' as const],
      sort: 'area' as const,
      order: 'desc' as const,
      offset: 0,
      limit: 2,
    };
    const first = await api.reviewQueue(query);
    expect(first.total).toBe(3);
    expect(first.byStatus).toEqual({ draft: 3, accepted: 0, rejected: 0, 'needs-fix': 0 });
    expect(first.items.map((i) => [i.image.fileName, i.annotation.area])).toEqual([
      ['tall.png', 5400],
      ['wide.png', 800],
    ]);
    expect(first.items[0]!.annotation).toMatchObject({
      source: 'imported',
      status: 'draft',
      predictedIou: null,
    });
    expect(first.items[0]!.annotation.rle!.size).toEqual([230, 150]);
    expect(first.items[0]!.image).toMatchObject({ width: 150, height: 230, annotationCount: 1 });
    expect((await api.reviewQueue({ ...query, offset: 2 })).items).toHaveLength(1);

    const facets = await api.reviewFacets();
    expect(facets).toEqual({ annotators: [userName()], reviewer: userName() });

    const [big, medium] = first.items.map((i) => i.annotation.id);
    const accepted = await api.reviewAnnotation(big!, 'accepted');
    expect(accepted.annotation.status).toBe('accepted');
    expect(accepted.lastReview).toMatchObject({
      reviewer: userName(),
      fromStatus: 'draft',
      toStatus: 'accepted',
    });
    expect(Math.abs(accepted.lastReview!.at - Date.now())).toBeLessThan(60_000);
    await api.reviewAnnotation(medium!, 'rejected', 'too loose');
    // Undo records the reverse change.
    const undone = await api.reviewAnnotation(medium!, 'draft', 'undo');
    expect(undone.lastReview).toMatchObject({ fromStatus: 'rejected', toStatus: 'draft', comment: 'undo' });
    const after = await api.reviewQueue({ ...query, limit: 10 });
    expect(after.byStatus).toEqual({ draft: 2, accepted: 1, rejected: 0, 'needs-fix': 0 });
    await expect(api.reviewAnnotation(999, 'accepted')).rejects.toThrow('no annotation with id 999');
  });

  it('answers the statistics and the CSV, as text and as a file', async () => {
    const stats = await api.timingStats({ utcOffsetMinutes: 120 });
    // Imported masks carry no timing: nothing timed, 3 masks (not rejected) on 2 images.
    expect(stats.timedMasks).toBe(0);
    expect(stats.secondsPerMask.bins).toEqual([]);
    expect(stats.masksPerImage).toMatchObject({ count: 2, max: 2, imagesWithoutMasks: 0 });
    expect(stats.reviewEvents).toBe(3);
    expect(stats.auto.at(-1)).toMatchObject({ source: 'all', acceptedShare: null });

    const csv = await api.statsCsv();
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe(STATS_CSV_HEADER);
    expect(lines).toHaveLength(4);
    const out = path.join(tmp, 'stats', 'effort.csv');
    expect((await api.exportStatsCsv(out)).message).toBe(`wrote ${out}: 3 annotations`);
    expect(await readFile(out, 'utf8')).toBe(csv);
  });

  it('kept every decision in the project file', async () => {
    backend.closeProject();
    const project = openProject(projectFile);
    try {
      const events = [1, 2, 3].flatMap((id) => reviewEventsOf(project.reader, id));
      expect(events.map((e) => `${e.fromStatus}→${e.toStatus}`).sort()).toEqual([
        'draft→accepted',
        'draft→rejected',
        'rejected→draft',
      ]);
      expect(new Set(events.map((e) => e.reviewer))).toEqual(new Set([userName()]));
      expect(events.every((e) => e.sessionId !== null)).toBe(true);
    } finally {
      project.close();
    }
  });
});
