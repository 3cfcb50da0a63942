/**
 * The semi-automatic and fully automatic stages in the backend (issue 5), on the fixture model: automatic masks
 * on one image (replacing undecided ones, undo by swap), boxes → masks, decisions in bulk, and automatic passes
 * with progress, ETA and cancel.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeMask } from '../../../electron/common/rle.ts';
import type { AutoBatchStatus } from '../../../electron/ipc/contract.ts';
import { AppBackend } from '../../../electron/services/appBackend.ts';
import { addAnnotation } from '../../../electron/store/annotations.ts';
import { autoJobImages } from '../../../electron/store/autoJobs.ts';
import { openProject } from '../../../electron/store/projectDb.ts';
import { reviewEventsOf } from '../../../electron/store/reviews.ts';
import { tempDir } from '../../helpers/projects.ts';
import { FIXTURE_MODEL, SMALL_AMG, nextStatus, scenes } from './helpers.ts';

const backends: AppBackend[] = [];
afterEach(async () => {
  await Promise.all(backends.splice(0).map((b) => b.close()));
});

async function backendWith(images: number): Promise<{ backend: AppBackend; dir: string; file: string }> {
  const dir = tempDir('sam-auto-');
  const folder = await scenes(dir, images);
  const backend = new AppBackend({
    mode: 'serve',
    dataDir: path.join(dir, 'data'),
    modelDir: FIXTURE_MODEL,
    inference: { providers: ['cpu'], threads: 1 },
  });
  backends.push(backend);
  const file = path.join(dir, 'p.samproj');
  await backend.createProject(file, folder);
  return { backend, dir, file };
}

const ids = async (backend: AppBackend) =>
  (await backend.listImages({ offset: 0, limit: 100 })).items.map((i) => i.id);

describe('automatic masks on one image', () => {
  it('stores drafts with their point, crop and scores; a new run replaces the undecided ones', async () => {
    const { backend } = await backendWith(1);
    const [imageId] = await ids(backend);
    const first = await backend.autoMaskImage(imageId!, { params: SMALL_AMG });
    expect(first.added.length).toBeGreaterThan(2);
    expect(first.removed).toEqual([]);
    expect(first.message).toMatch(/^found \d+ objects in [\d.]+ s$/);
    for (const a of first.added) {
      expect(a).toMatchObject({ status: 'draft', source: 'auto', categoryId: null, modelId: 'tiny-random' });
      expect(a.prompts!.points).toHaveLength(1);
      expect(a.cropBox).toEqual([0, 0, 160, 120]);
      expect(a.predictedIou).toBeGreaterThan(0.9);
      expect(a.stabilityScore).toBeGreaterThan(0);
    }
    expect((await backend.listImages({ offset: 0, limit: 1 })).items[0]!.status).toBe('in-progress');

    // Decide on two; the next run replaces only the undecided rest.
    const [keep, drop] = first.added;
    const decided = backend.setAnnotationStatuses([keep!.id], 'accepted');
    expect(decided[0]!.status).toBe('accepted');
    backend.setAnnotationStatuses([drop!.id], 'rejected');
    // The random fixture's masks overlap the accepted one: keep them all here (duplicates: findObjects.test.ts).
    const second = await backend.autoMaskImage(imageId!, { params: SMALL_AMG, duplicateIou: 1 });
    expect(second.removed.map((a) => a.id).sort()).toEqual(
      first.added
        .slice(2)
        .map((a) => a.id)
        .sort(),
    );
    expect(second.added.length).toBe(first.added.length); // deterministic
    const now = backend.listAnnotations(imageId!);
    expect(now.filter((a) => a.status === 'draft')).toHaveLength(second.added.length);
    expect(now.find((a) => a.id === keep!.id)?.status).toBe('accepted');

    // Undo of the second run: its drafts go, the replaced ones come back (new ids, same masks).
    const restored = backend.swapAnnotations(
      second.added.map((a) => a.id),
      second.removed,
    );
    expect(restored.map((a) => a.rle)).toEqual(second.removed.map((a) => a.rle));
    expect(restored.map((a) => a.cropBox)).toEqual(second.removed.map((a) => a.cropBox));
    expect(backend.listAnnotations(imageId!)).toHaveLength(first.added.length);
  });

  it('decides in bulk with one review event each, undone by a reverse event', async () => {
    const { backend, file } = await backendWith(1);
    const [imageId] = await ids(backend);
    const { added } = await backend.autoMaskImage(imageId!, { params: SMALL_AMG });
    const all = added.map((a) => a.id);
    expect(backend.setAnnotationStatuses(all, 'accepted').every((a) => a.status === 'accepted')).toBe(true);
    backend.setAnnotationStatuses(all, 'draft', 'undo');
    expect(() => backend.setAnnotationStatuses([all[0]!, 999_999], 'rejected')).toThrow(/no annotation/);
    // One transaction: the first was not rejected either.
    expect(backend.listAnnotations(imageId!).every((a) => a.status === 'draft')).toBe(true);
    await backend.close();
    const project = openProject(file);
    try {
      expect(reviewEventsOf(project.reader, all[0]!).map((e) => [e.toStatus, e.comment])).toEqual([
        ['accepted', ''],
        ['draft', 'undo'],
      ]);
    } finally {
      project.close();
    }
  });

  // Issue 17: Find objects' masks were counted as "Automatic", and accepting one in the annotator counted as
  // "accepted in review".
  it('counts Find objects as semi-automatic, and only Review decisions as accepted in review', async () => {
    const { backend } = await backendWith(1);
    const [imageId] = await ids(backend);
    const { added } = await backend.autoMaskImage(imageId!, { params: SMALL_AMG });
    expect(added[0]!.stage).toBe('semi-auto');
    const [inAnnotator, inReview, rejected] = added;
    backend.setAnnotationStatuses([inAnnotator!.id], 'accepted');
    backend.reviewAnnotation(inReview!.id, 'accepted');
    backend.reviewAnnotation(rejected!.id, 'rejected');
    const shares = backend.timingStats().auto;
    expect(shares.find((s) => s.source === 'auto')).toMatchObject({ accepted: 0, unreviewed: 0 });
    expect(shares.find((s) => s.source === 'semi-auto')).toMatchObject({
      accepted: 1,
      rejected: 1,
      acceptedInAnnotator: 1,
      unreviewed: added.length - 3,
      acceptedShare: 0.5,
    });
    expect(backend.timingStats({ sources: ['auto'] }).masksPerImage.count).toBe(0);
  });

  // Issue 17: accepting undecided masks (Enter, Shift+A, Review) gave them no category even when one was current.
  it('gives accepted masks the current category when they have none, and takes it back on undo', async () => {
    const { backend } = await backendWith(1);
    const [imageId] = await ids(backend);
    const cat = backend.addCategory({ name: 'cat' });
    const dog = backend.addCategory({ name: 'dog' });
    const { added } = await backend.autoMaskImage(imageId!, { params: SMALL_AMG });
    const [first, second, labelled, inReview] = added.map((a) => a.id);
    backend.updateAnnotation(labelled!, { categoryId: dog.id });
    const accepted = backend.setAnnotationStatuses([first!, second!, labelled!], 'accepted', undefined, {
      give: cat.id,
    });
    expect(accepted.map((a) => [a.status, a.categoryId])).toEqual([
      ['accepted', cat.id],
      ['accepted', cat.id],
      ['accepted', dog.id], // a category given by hand stays
    ]);
    // The undo of that accept: back to draft, and the category it gave taken back.
    const undone = backend.setAnnotationStatuses([first!, second!], 'draft', 'undo', {
      takeBack: true,
    });
    expect(undone.map((a) => [a.status, a.categoryId])).toEqual([
      ['draft', null],
      ['draft', null],
    ]);
    expect(
      backend.reviewAnnotation(inReview!, 'accepted', undefined, { give: cat.id }).annotation.categoryId,
    ).toBe(cat.id);
    expect(() => backend.setAnnotationStatuses([first!], 'accepted', undefined, { give: 999 })).toThrow(
      /no category with id 999/,
    );
    expect(backend.listAnnotations(imageId!).find((a) => a.id === first)?.status).toBe('draft');
  });

  it('turns box-only annotations into semi-automatic drafts (boxes → masks)', async () => {
    const { backend, dir } = await backendWith(1);
    const [imageId] = await ids(backend);
    await backend.close();
    const project = openProject(path.join(dir, 'p.samproj'));
    const boxId = addAnnotation(project.db, {
      imageId: imageId!,
      mask: null,
      box: [30, 20, 60, 50],
      categoryId: null,
      source: 'imported',
      status: 'accepted',
      author: 'importer',
    });
    addAnnotation(project.db, {
      imageId: imageId!,
      mask: encodeMask({ width: 160, height: 120, data: new Uint8Array(160 * 120).fill(1, 0, 50) }),
      source: 'manual',
      status: 'accepted',
      author: 'someone',
    });
    project.close();
    const again = new AppBackend({
      mode: 'serve',
      dataDir: path.join(dir, 'data'),
      modelDir: FIXTURE_MODEL,
      inference: { providers: ['cpu'], threads: 1 },
    });
    backends.push(again);
    await again.openProject(path.join(dir, 'p.samproj'));
    const result = await again.autoMaskImage(imageId!, { kind: 'boxes' });
    expect(result.removed.map((a) => [a.id, a.rle])).toEqual([[boxId, null]]);
    expect(result.added).toHaveLength(1);
    expect(result.added[0]).toMatchObject({
      id: boxId,
      source: 'semi-auto',
      status: 'draft',
      prompts: { points: [], box: { x0: 30, y0: 20, x1: 90, y1: 70 } },
    });
    expect(result.added[0]!.rle).not.toBeNull();
    expect(result.message).toMatch(/^1 box → mask in/);
    // Undo: the box comes back as a box.
    const [box] = again.swapAnnotations([boxId], result.removed);
    expect(box!.rle).toBeNull();
    expect(box!.bbox).toEqual([30, 20, 60, 50]);

    // The same as a pass over the project: only images with boxes, results accepted.
    const finished = nextStatus(again, (s) => s.state === 'finished');
    const started = await again.startAutoBatch({ kind: 'boxes', status: 'accepted' });
    expect(started.total).toBe(1);
    expect(await finished).toMatchObject({ done: 1, masks: 1, failed: 0 });
    const converted = again.listAnnotations(imageId!).find((a) => a.id === box!.id)!;
    expect(converted).toMatchObject({ source: 'semi-auto', status: 'accepted', categoryId: null });
    expect(converted.rle).not.toBeNull();
  });

  it('names a bad parameter in one line', async () => {
    const { backend } = await backendWith(1);
    const [imageId] = await ids(backend);
    await expect(backend.autoMaskImage(imageId!, { params: { points_per_side: 0 } })).rejects.toThrow(
      /^AMG parameter points_per_side = 0: expected a whole number ≥ 1$/,
    );
  });
});

describe('automatic passes', () => {
  it('runs over the images not done with progress and an ETA, results accepted', async () => {
    const { backend, file } = await backendWith(3);
    const [first, second, third] = await ids(backend);
    await backend.setImageStatus(second!, 'done');
    const events: AutoBatchStatus[] = [];
    backend.onEvent((e) => {
      if (e.type === 'auto-batch') events.push(e.status);
    });
    const finished = nextStatus(backend, (s) => s.state === 'finished');
    const started = await backend.startAutoBatch({ kind: 'amg', params: SMALL_AMG, status: 'accepted' });
    expect(started).toMatchObject({
      state: 'running',
      total: 2,
      done: 0,
      etaMs: null,
      resultStatus: 'accepted',
    });
    expect(started.params.points_per_side).toBe(4);
    // Another pass is refused while this one runs.
    await expect(backend.startAutoBatch({ kind: 'amg', status: 'draft' })).rejects.toThrow(/already running/);
    const end = await finished;
    expect(end).toMatchObject({ total: 2, done: 2, failed: 0, errors: [], current: null, etaMs: null });
    expect(end.masks).toBeGreaterThan(0);
    expect(end.msPerImage).toBeGreaterThan(0);
    // Progress after the first image: one done, an ETA for the other.
    const afterFirst = events.find((s) => s.state === 'running' && s.done === 1)!;
    expect(afterFirst.etaMs).toBeGreaterThan(0);
    expect(events.some((s) => s.current?.imageId === first)).toBe(true);
    const counts = [first, second, third].map(
      (id) => backend.listAnnotations(id!).filter((a) => a.source === 'auto').length,
    );
    expect(counts[1]).toBe(0); // done images are left alone
    expect(counts[0]! + counts[2]!).toBe(end.masks);
    expect(backend.listAnnotations(first!).every((a) => a.status === 'accepted')).toBe(true);
    expect(backend.autoBatchStatus()).toEqual(end);
    const stats = backend.timingStats();
    expect(stats.auto.find((a) => a.source === 'auto')?.unreviewed).toBe(end.masks);
    expect(backend.listAnnotations(first!).every((a) => a.stage === 'auto')).toBe(true);
    await backend.close();
    const project = openProject(file);
    try {
      expect(autoJobImages(project.reader, end.jobId).map((i) => i.state)).toEqual(['done', 'done']);
    } finally {
      project.close();
    }
  });

  it('cancels after the current image; a new pass can start; a missing file fails only its image', async () => {
    const { backend, dir } = await backendWith(4);
    const all = await ids(backend);
    const cancelled = nextStatus(backend, (s) => s.state === 'cancelled');
    const firstDone = nextStatus(backend, (s, e) => e.imageId !== undefined && s.done === 1);
    await backend.startAutoBatch({ kind: 'amg', params: SMALL_AMG, status: 'draft' });
    await firstDone;
    const cancelling = backend.cancelAutoBatch()!;
    expect(['cancelling', 'cancelled']).toContain(cancelling.state);
    const end = await cancelled;
    expect(end.done).toBeGreaterThanOrEqual(1);
    expect(end.done).toBeLessThan(4);
    expect(end.etaMs).toBeNull();

    // The rest, with one image gone from disk.
    const { rmSync } = await import('node:fs');
    rmSync(path.join(dir, 'images', 'scene-04.png'));
    const finished = nextStatus(backend, (s) => s.state === 'finished');
    await backend.startAutoBatch({ kind: 'amg', params: SMALL_AMG, status: 'draft', imageIds: all.slice(2) });
    const rest = await finished;
    expect(rest).toMatchObject({ total: 2, done: 1, failed: 1 });
    expect(rest.errors).toEqual([
      { imageId: all[3], relPath: 'images/scene-04.png', message: expect.stringMatching(/missing/) },
    ]);
  });

  it('refuses a pass with nothing to do, and a boxes pass without boxes', async () => {
    const { backend } = await backendWith(1);
    const [imageId] = await ids(backend);
    await backend.setImageStatus(imageId!, 'done');
    await expect(backend.startAutoBatch({ kind: 'amg', status: 'draft' })).rejects.toThrow(
      /every image is done or skipped/,
    );
    await backend.setImageStatus(imageId!, 'todo');
    await expect(backend.startAutoBatch({ kind: 'boxes', status: 'draft' })).rejects.toThrow(/box-only/);
    expect(backend.autoBatchStatus()).toBeNull();
  });
});
