/**
 * Find objects on one image (the semi-automatic stage), issue 17, on the fixture model: masks already accepted
 * are not proposed again (IoU above the project's threshold, default 0.9); the result says how many objects were
 * found and how many each filter dropped; progress events and cancel; the parameters are remembered per project.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppEvent } from '../../../electron/ipc/contract.ts';
import { AppBackend } from '../../../electron/services/appBackend.ts';
import { tempDir } from '../../helpers/projects.ts';
import { FIXTURE_MODEL, SMALL_AMG, nextStatus, scenes } from './helpers.ts';

const backends: AppBackend[] = [];
afterEach(async () => {
  await Promise.all(backends.splice(0).map((b) => b.close()));
});

async function project(images = 1) {
  const dir = tempDir('sam-find-');
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
  const ids = (await backend.listImages({ offset: 0, limit: 10 })).items.map((i) => i.id);
  return { backend, file, ids };
}

describe('Find objects', () => {
  it('does not propose masks already accepted on the image', async () => {
    const { backend, ids } = await project();
    const first = await backend.autoMaskImage(ids[0]!, { params: SMALL_AMG });
    expect(first.stats).toMatchObject({ found: first.added.length, duplicatesOfAccepted: 0 });
    backend.setAnnotationStatuses(
      first.added.map((a) => a.id),
      'accepted',
    );
    const again = await backend.autoMaskImage(ids[0]!, { params: SMALL_AMG });
    expect(again.added).toEqual([]);
    expect(again.stats).toMatchObject({ found: 0, duplicatesOfAccepted: first.added.length });
    expect(again.message).toMatch(
      new RegExp(
        `^0 objects found with the current thresholds \\(.*${first.added.length} duplicates of accepted masks \\(IoU > 0.9\\)`,
      ),
    );
    // The threshold is the project's setting: above 1 nothing counts as a duplicate.
    const third = await backend.autoMaskImage(ids[0]!, { params: SMALL_AMG, duplicateIou: 1 });
    expect(third.added).toHaveLength(first.added.length);
    expect(backend.currentProject()?.auto?.duplicateIou).toBe(1);
  });

  it('an automatic pass skips them too', async () => {
    const { backend, ids } = await project();
    const first = await backend.autoMaskImage(ids[0]!, { params: SMALL_AMG });
    backend.setAnnotationStatuses(
      first.added.map((a) => a.id),
      'accepted',
    );
    const finished = nextStatus(backend, (s) => s.state === 'finished');
    await backend.startAutoBatch({ kind: 'amg', params: SMALL_AMG, status: 'draft', imageIds: ids });
    expect((await finished).masks).toBe(0);
    expect(backend.listAnnotations(ids[0]!)).toHaveLength(first.added.length);
  });

  it('says why it found nothing: how many each filter dropped', async () => {
    const { backend, ids } = await project();
    const none = await backend.autoMaskImage(ids[0]!, {
      params: { ...SMALL_AMG, pred_iou_thresh: 50 },
    });
    expect(none.added).toEqual([]);
    expect(none.stats).toMatchObject({ found: 0, prompts: 16, candidates: 48, belowPredictedIou: 48 });
    expect(none.message).toBe(
      '0 objects found with the current thresholds (48 of 48 candidates below predicted IoU 50; ' +
        '0 below stability 0; 0 overlapping others; 0 duplicates of accepted masks (IoU > 0.9))',
    );
  });

  it('reports progress, can be cancelled, and remembers its parameters in the project', async () => {
    const { backend, file, ids } = await project();
    const progress: AppEvent[] = [];
    backend.onEvent((e) => {
      if (e.type === 'progress' && e.task === 'finding objects') progress.push(e);
    });
    await backend.autoMaskImage(ids[0]!, { params: SMALL_AMG });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ done: 16, total: 16 });

    // Cancel as soon as the first batch is reported: nothing is stored.
    const off = backend.onEvent((e) => {
      if (e.type === 'progress' && e.task === 'finding objects') backend.cancelAutoMaskImage();
    });
    const before = backend.listAnnotations(ids[0]!);
    await expect(
      backend.autoMaskImage(ids[0]!, { params: { ...SMALL_AMG, points_per_batch: 4 } }),
    ).rejects.toThrow('Find objects was cancelled');
    off();
    expect(backend.listAnnotations(ids[0]!)).toEqual(before);

    await backend.closeProject();
    const reopened = await backend.openProject(file);
    expect(reopened.auto?.params).toMatchObject({ ...SMALL_AMG, points_per_batch: 4 });
    expect(reopened.auto?.duplicateIou).toBe(0.9);
  });
});
