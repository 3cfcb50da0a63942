import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeMask, rleArea, rleBboxCoco } from '../../../electron/common/rle.ts';
import {
  addAnnotation,
  addAnnotations,
  annotationsOfImage,
  countAnnotations,
  deleteAnnotation,
  getAnnotation,
  moveAnnotation,
  setAnnotationCategory,
  updateAnnotationMask,
} from '../../../electron/store/annotations.ts';
import { addCategory, ensureCategory, listCategories } from '../../../electron/store/categories.ts';
import { insertImage } from '../../../electron/store/images.ts';
import { reviewAnnotation, reviewEventsOf } from '../../../electron/store/reviews.ts';
import { endSession, listSessions, startSession } from '../../../electron/store/sessions.ts';
import { projectStats } from '../../../electron/store/stats.ts';
import { newProject, tempDir } from '../../helpers/projects.ts';

const W = 40;
const H = 30;
/** A ring (hole in the middle) plus an island: what other tools lose. */
function ringMask() {
  const data = new Uint8Array(W * H);
  for (let y = 5; y < 25; y++)
    for (let x = 5; x < 25; x++) data[y * W + x] = x >= 10 && x < 20 && y >= 10 && y < 20 ? 0 : 1;
  data[2 * W + 35] = 1;
  return encodeMask({ width: W, height: H, data });
}

function setup() {
  const dir = tempDir();
  const project = newProject(dir);
  const imageId = insertImage(project.db, dir, {
    file: path.join(dir, 'img.png'),
    sha256: null,
    byteSize: null,
    mtimeMs: null,
    width: W,
    height: H,
  });
  return { project, imageId };
}

describe('annotations', () => {
  it('store the mask losslessly with derived COCO area and bbox, provenance and timing', () => {
    const { project, imageId } = setup();
    const mask = ringMask();
    const category = addCategory(project.db, { name: 'ring', supercategory: 'shape' });
    const session = startSession(project.db, {
      annotator: 'ann',
      appVersion: '0.1.0',
      modelId: 'sam-vit-b',
      at: 500,
    });
    const id = addAnnotation(project.db, {
      imageId,
      categoryId: category.id,
      mask,
      source: 'semi-auto',
      modelId: 'sam-vit-b',
      prompts: { points: [{ x: 7, y: 7, label: 1 }], box: { x0: 5, y0: 5, x1: 25, y1: 25 } },
      predictedIou: 0.93,
      stabilityScore: 0.97,
      status: 'draft',
      author: 'ann',
      sessionId: session,
      timing: { activeMs: 12_345, clicks: 3, promptCount: 2, brushStrokes: 1, modelWaitMs: 420 },
      at: 1000,
    });
    const row = getAnnotation(project.reader, id)!;
    expect(row.rle).toEqual(mask);
    expect(row.area).toBe(rleArea(mask));
    expect(row.bbox).toEqual(rleBboxCoco(mask));
    expect(row).toMatchObject({
      categoryId: category.id,
      source: 'semi-auto',
      modelId: 'sam-vit-b',
      predictedIou: 0.93,
      stabilityScore: 0.97,
      status: 'draft',
      createdBy: 'ann',
      createdAt: 1000,
      sessionId: session,
      iscrowd: false,
      timing: { activeMs: 12_345, clicks: 3, promptCount: 2, brushStrokes: 1, modelWaitMs: 420 },
      prompts: { points: [{ x: 7, y: 7, label: 1 }], box: { x0: 5, y0: 5, x1: 25, y1: 25 } },
    });
    endSession(project.db, session, 2000);
    expect(listSessions(project.reader)[0]).toMatchObject({ annotator: 'ann', endedAt: 2000 });
  });

  it('reject masks of the wrong size, empty masks and malformed RLE without writing anything', () => {
    const { project, imageId } = setup();
    const wrong = encodeMask({ width: 10, height: 10, data: new Uint8Array(100).fill(1) });
    expect(() => addAnnotation(project.db, { imageId, mask: wrong, source: 'manual', author: 'a' })).toThrow(
      `image ${imageId}: mask size 10×10 differs from the image's 40×30`,
    );
    expect(() =>
      addAnnotation(project.db, {
        imageId,
        mask: { size: [H, W], counts: [W * H] },
        source: 'manual',
        author: 'a',
      }),
    ).toThrow('the mask is empty');
    expect(() =>
      addAnnotation(project.db, {
        imageId,
        mask: { size: [H, W], counts: 'zz' },
        source: 'manual',
        author: 'a',
      }),
    ).toThrow('invalid mask RLE');
    // a batch with one bad item stores none of them
    expect(() =>
      addAnnotations(project.db, [
        { imageId, mask: ringMask(), source: 'manual', author: 'a' },
        { imageId, mask: wrong, source: 'manual', author: 'a' },
      ]),
    ).toThrow('differs');
    expect(countAnnotations(project.reader)).toBe(0);
  });

  it('keep box-only annotations as boxes', () => {
    const { project, imageId } = setup();
    const id = addAnnotation(project.db, {
      imageId,
      mask: null,
      box: [1.5, 2, 10, 4],
      boxArea: 33,
      source: 'imported',
      author: 'a',
    });
    expect(getAnnotation(project.reader, id)).toMatchObject({ rle: null, bbox: [1.5, 2, 10, 4], area: 33 });
    expect(() => addAnnotation(project.db, { imageId, mask: null, source: 'imported', author: 'a' })).toThrow(
      'needs a box',
    );
    expect(annotationsOfImage(project.reader, imageId, { masksOnly: true })).toEqual([]);
  });

  it('record edits, category changes, reviews (status + event in one transaction) and deletion', () => {
    const { project, imageId } = setup();
    const id = addAnnotation(project.db, {
      imageId,
      mask: ringMask(),
      source: 'semi-auto',
      author: 'ann',
      timing: { clicks: 2 },
    });
    const square = encodeMask({
      width: W,
      height: H,
      data: new Uint8Array(W * H).map((_, p) => (p % W < 4 ? 1 : 0)),
    });
    updateAnnotationMask(project.db, id, {
      mask: square,
      author: 'ann',
      timing: { brushStrokes: 2, activeMs: 900 },
    });
    expect(getAnnotation(project.reader, id)).toMatchObject({
      rle: square,
      area: 4 * H,
      timing: { clicks: 2, brushStrokes: 2, activeMs: 900 },
    });
    const { row: cat } = ensureCategory(project.db, { name: 'bar' });
    expect(ensureCategory(project.db, { name: 'bar' }).created).toBe(false);
    setAnnotationCategory(project.db, id, cat.id, 'ann');
    reviewAnnotation(project.db, {
      annotationId: id,
      reviewer: 'rev',
      toStatus: 'needs-fix',
      comment: 'edge',
      at: 5,
    });
    reviewAnnotation(project.db, { annotationId: id, reviewer: 'rev', toStatus: 'accepted', at: 6 });
    expect(getAnnotation(project.reader, id)).toMatchObject({
      status: 'accepted',
      updatedBy: 'rev',
      categoryId: cat.id,
    });
    expect(reviewEventsOf(project.reader, id).map((e) => [e.fromStatus, e.toStatus, e.comment])).toEqual([
      ['draft', 'needs-fix', 'edge'],
      ['needs-fix', 'accepted', ''],
    ]);
    expect(() =>
      reviewAnnotation(project.db, { annotationId: 999, reviewer: 'r', toStatus: 'accepted' }),
    ).toThrow('no annotation with id 999');
    const stats = projectStats(project.reader);
    expect(stats.accepted).toMatchObject({ masks: 1, meanActiveMs: 900, brushStrokes: 2 });
    expect(stats.reviewEvents).toBe(2);
    expect(listCategories(project.reader).map((c) => c.name)).toEqual(['bar']);
    deleteAnnotation(project.db, id);
    expect(projectStats(project.reader).reviewEvents).toBe(0);
  });

  it('never reuse an id: after the newest is deleted, the next one gets a new id (issue 18, item 14)', () => {
    // A stale id (another tab, a serve client, an undo step) must never name a different mask.
    const { project, imageId } = setup();
    const add = () => addAnnotation(project.db, { imageId, mask: ringMask(), source: 'manual', author: 'a' });
    add();
    const newest = add();
    deleteAnnotation(project.db, newest);
    const next = add();
    expect(next).toBeGreaterThan(newest);
    expect(getAnnotation(project.reader, newest)).toBeUndefined();
  });

  it('stack in z order: a new mask goes on top, a move swaps with its neighbour and the inverse move undoes it (issue 17)', () => {
    const { project, imageId } = setup();
    const add = () => addAnnotation(project.db, { imageId, mask: ringMask(), source: 'manual', author: 'a' });
    const [a, b, c] = [add(), add(), add()];
    const order = () => annotationsOfImage(project.reader, imageId).map((r) => r.id);
    expect(order()).toEqual([a, b, c]);

    expect(moveAnnotation(project.db, a, 'up')).toBe(true);
    expect(order()).toEqual([b, a, c]);
    expect(moveAnnotation(project.db, c, 'up')).toBe(false); // already on top
    expect(moveAnnotation(project.db, b, 'down')).toBe(false); // already at the bottom
    expect(order()).toEqual([b, a, c]);
    expect(moveAnnotation(project.db, a, 'down')).toBe(true); // the undo
    expect(order()).toEqual([a, b, c]);

    moveAnnotation(project.db, c, 'down');
    deleteAnnotation(project.db, a);
    const d = add(); // a new (or restored) mask goes on top
    expect(order()).toEqual([c, b, d]);
    expect(() => moveAnnotation(project.db, 999, 'up')).toThrow('no annotation with id 999');
  });
});
