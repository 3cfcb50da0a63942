/**
 * The semi-automatic stage in the annotator, headless (issue 5): automatic masks arrive undecided; Enter / X
 * decide the selected one (N walks them), Shift+A / Shift+X all of them, each decision one undo step; a new run
 * replaces the undecided ones, undone by a swap; boxes → masks; and the unlabeled overlay's raster.
 */
import { describe, expect, it } from 'vitest';
import { encodeMask, rleArea, rleBboxCoco } from '../../electron/common/rle.ts';
import type { AnnotationItem } from '../../electron/ipc/contract.ts';
import { unlabeledRaster } from '../../renderer/core/unlabeled.ts';
import { AUTO_RECTS } from './fakeBackend.ts';
import { TestAnnotator } from './TestAnnotator.ts';

const statuses = (t: TestAnnotator) => t.doc.annotations.map((a) => a.status);

async function withAutoMasks(): Promise<TestAnnotator> {
  const t = new TestAnnotator();
  expect(t.key('g')).toBe(true);
  await t.settle();
  return t;
}

describe('automatic masks on the image', () => {
  it('G finds objects: undecided drafts, the first selected, one undo step', async () => {
    const t = await withAutoMasks();
    expect(t.backend.calls).toEqual(['autoMaskImage:amg']);
    expect(t.doc.annotations).toHaveLength(AUTO_RECTS.length);
    expect(statuses(t)).toEqual(['draft', 'draft', 'draft']);
    expect(t.doc.annotations.every((a) => a.source === 'auto')).toBe(true);
    expect(t.annotator.selectedId).toBe(t.doc.annotations[0]!.id);
    expect(t.annotator.auto.message).toBe('found 3 objects in 0.1 s');
    expect(t.undoLength).toBe(1);
    expect(t.annotator.history.labels).toEqual(['Find objects on this image']);
  });

  it('sends the popover parameters with the run', async () => {
    const t = new TestAnnotator();
    const requests: unknown[] = [];
    const run = t.backend.autoMaskImage.bind(t.backend);
    t.backend.autoMaskImage = (imageId, request) => {
      requests.push(request);
      return run(imageId, request);
    };
    t.annotator.auto.setParams({ points_per_side: 8, pred_iou_thresh: 0.5 });
    t.key('g');
    await t.settle();
    expect(requests).toEqual([{ kind: 'amg', params: { points_per_side: 8, pred_iou_thresh: 0.5 } }]);
  });

  it('Enter accepts the selected one and moves on; X rejects; each is one step with undo', async () => {
    const t = await withAutoMasks();
    const [a, b, c] = t.doc.annotations.map((m) => m.id);
    t.key('Enter');
    await t.settle();
    expect(statuses(t)).toEqual(['accepted', 'draft', 'draft']);
    expect(t.annotator.selectedId).toBe(b);
    t.key('x');
    await t.settle();
    expect(statuses(t)).toEqual(['accepted', 'rejected', 'draft']);
    expect(t.annotator.selectedId).toBe(c);
    // Rejected masks are kept in the store but not shown or hit.
    expect(t.annotator.visibleAnnotations.map((m) => m.id)).toEqual([a, c]);
    expect(t.undoLength).toBe(3);

    await t.undo();
    expect(statuses(t)).toEqual(['accepted', 'draft', 'draft']);
    expect(t.annotator.selectedId).toBe(b); // back on the mask the decision was about
    expect(t.backend.calls.at(-1)).toBe('setAnnotationStatuses:draft:undo:1');
    await t.redo();
    expect(statuses(t)).toEqual(['accepted', 'rejected', 'draft']);
    expect(t.backend.annotations.get(b!)?.status).toBe('rejected');
  });

  it('accepting gives the current category to masks without one; undo takes it back, redo gives it again', async () => {
    const t = await withAutoMasks();
    const [a, b] = t.doc.annotations.map((m) => m.id);
    t.annotator.categoryId = 12;
    t.key('Enter');
    await t.settle();
    expect(t.backend.annotations.get(a!)?.categoryId).toBe(12);
    expect(t.doc.annotations.find((m) => m.id === a)?.categoryId).toBe(12);
    await t.undo();
    expect(t.backend.annotations.get(a!)?.categoryId).toBe(null);
    expect(t.backend.annotations.get(a!)?.status).toBe('draft');
    await t.redo();
    expect(t.backend.annotations.get(a!)?.categoryId).toBe(12);
    // A category given by hand stays through accept and its undo.
    t.annotator.run('mask.setCategory', { id: b!, categoryId: 11 });
    await t.settle();
    t.annotator.setSelected(b!);
    t.key('Enter');
    await t.settle();
    expect(t.backend.annotations.get(b!)?.categoryId).toBe(11);
    await t.undo();
    expect(t.backend.annotations.get(b!)?.categoryId).toBe(11);
  });

  it('N and Shift+N walk the undecided masks; Delete on one rejects it, on an accepted one deletes it', async () => {
    const t = await withAutoMasks();
    const [a, b, c] = t.doc.annotations.map((m) => m.id);
    t.key('n');
    expect(t.annotator.selectedId).toBe(b);
    t.key('N', { shift: true });
    t.key('N', { shift: true });
    expect(t.annotator.selectedId).toBe(c);
    expect(t.undoLength).toBe(1); // selection is not a step
    t.key('Delete');
    await t.settle();
    expect(t.backend.annotations.get(c!)?.status).toBe('rejected');
    t.annotator.setSelected(a!);
    t.key('Enter');
    await t.settle();
    t.annotator.setSelected(a!);
    t.key('Delete');
    await t.settle();
    expect(t.backend.annotations.has(a!)).toBe(false);
    expect(t.doc.annotations.map((m) => m.id)).toEqual([b, c]);
  });

  it('Shift+A accepts all undecided masks in one step; undo puts them all back', async () => {
    const t = await withAutoMasks();
    t.key('x'); // the first one rejected
    await t.settle();
    t.key('A', { shift: true });
    await t.settle();
    expect(statuses(t)).toEqual(['rejected', 'accepted', 'accepted']);
    expect(t.backend.calls.at(-1)).toBe('setAnnotationStatuses:accepted:2');
    expect(t.annotator.isAvailable('auto.acceptAll')).toBe(false);
    await t.undo();
    expect(statuses(t)).toEqual(['rejected', 'draft', 'draft']);
    t.key('X', { shift: true });
    await t.settle();
    expect(statuses(t)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(t.annotator.visibleAnnotations).toEqual([]);
  });

  it('Enter while a SAM mask is in progress accepts that mask, not the selected automatic one', async () => {
    const t = await withAutoMasks();
    t.click(50, 40);
    await t.settle();
    t.key('Enter');
    await t.settle();
    expect(t.doc.annotations.filter((m) => m.source === 'manual')).toHaveLength(1);
    expect(statuses(t).filter((s) => s === 'draft')).toHaveLength(3);
    // A decision waits until the mask in progress is accepted or cancelled.
    t.click(50, 40);
    expect(t.annotator.isAvailable('auto.reject')).toBe(false);
    expect(t.annotator.isAvailable('auto.findObjects')).toBe(false);
  });

  it('a new run replaces the undecided masks and keeps decided ones; undo swaps them back', async () => {
    const t = await withAutoMasks();
    t.key('Enter'); // accept the first
    await t.settle();
    const before = t.doc.annotations.map((m) => [m.id, m.status]);
    t.key('g');
    await t.settle();
    expect(statuses(t)).toEqual(['accepted', 'draft', 'draft', 'draft']);
    expect(t.doc.annotations[0]!.id).toBe(before[0]![0]);
    expect(t.backend.annotations.size).toBe(4);
    await t.undo();
    expect(t.backend.calls.at(-1)).toBe('swapAnnotations:3:2');
    expect(statuses(t)).toEqual(['accepted', 'draft', 'draft']);
    expect(t.backend.annotations.size).toBe(3);
    // The accept before it still undoes (its mask kept its id).
    await t.undo();
    expect(statuses(t)).toEqual(['draft', 'draft', 'draft']);
    await t.redo();
    await t.redo();
    expect(statuses(t)).toEqual(['accepted', 'draft', 'draft', 'draft']);
    // Undecided masks that came back under new ids are still reachable by older steps.
    const restoredDraft = t.doc.annotations[1]!.id;
    t.annotator.setSelected(restoredDraft);
    t.key('x');
    await t.settle();
    expect(t.backend.annotations.get(restoredDraft)?.status).toBe('rejected');
  });

  it('boxes → masks turns the box-only annotations into undecided masks; undo brings the boxes back', async () => {
    const box: AnnotationItem = {
      id: 100,
      imageId: 7,
      categoryId: 12,
      rle: null,
      bbox: [10, 10, 20, 12],
      area: 240,
      status: 'accepted',
      source: 'imported',
      prompts: null,
      predictedIou: null,
      stabilityScore: null,
      modelId: null,
      createdBy: 'importer',
      createdAt: 0,
      timing: { activeMs: 0, clicks: 0, promptCount: 0, brushStrokes: 0, modelWaitMs: 0 },
    };
    const t = new TestAnnotator({ annotations: [box] });
    t.backend.annotations.set(100, box);
    expect(t.annotator.isAvailable('auto.boxesToMasks')).toBe(true);
    t.annotator.run('auto.boxesToMasks');
    await t.settle();
    expect(t.doc.annotations).toHaveLength(1);
    expect(t.doc.annotations[0]).toMatchObject({
      id: 100,
      source: 'semi-auto',
      status: 'draft',
      categoryId: 12,
    });
    expect(rleArea(t.doc.annotations[0]!.rle!)).toBe(240);
    await t.undo();
    expect(t.doc.annotations).toHaveLength(1);
    expect(t.doc.annotations[0]!.rle).toBeNull();
    expect(t.annotator.isAvailable('auto.boxesToMasks')).toBe(true);
  });

  it('a failed decision puts the statuses back and leaves no step', async () => {
    const t = await withAutoMasks();
    t.backend.setAnnotationStatuses = () => Promise.reject(new Error('the disk is full'));
    t.key('Enter');
    await t.settle();
    expect(statuses(t)).toEqual(['draft', 'draft', 'draft']);
    expect(t.undoLength).toBe(1);
    expect(t.annotator.lastError).toBe('the disk is full');
  });
});

describe('the unlabeled overlay', () => {
  /** A random blobby mask of a W×H image. */
  function randomMask(W: number, H: number, seed: number): Uint8Array {
    let s = seed;
    const rand = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const data = new Uint8Array(W * H);
    const cx = rand() * W;
    const cy = rand() * H;
    const r = 3 + rand() * 10;
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++)
        data[y * W + x] = (x - cx) ** 2 + (y - cy) ** 2 < r * r || rand() < 0.05 ? 1 : 0;
    return data;
  }

  /** Brute force: per image pixel, then the same box filter per cell. */
  function expected(W: number, H: number, masks: Uint8Array[], scale: number) {
    const cw = Math.max(1, Math.ceil(W * scale - 1e-9));
    const ch = Math.max(1, Math.ceil(H * scale - 1e-9));
    const free = new Float64Array(cw * ch);
    const count = new Float64Array(cw * ch);
    let uncovered = 0;
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const i = Math.min(ch - 1, Math.floor(y * scale)) * cw + Math.min(cw - 1, Math.floor(x * scale));
        const covered = masks.some((m) => m[y * W + x]);
        count[i]!++;
        if (!covered) {
          free[i]!++;
          uncovered++;
        }
      }
    return {
      width: cw,
      height: ch,
      alpha: Array.from(free, (f, i) => (count[i] ? Math.round((255 * f) / count[i]!) : 0)),
      uncovered: uncovered / (W * H),
    };
  }

  it('is exact at full resolution and a box filter when scaled down, from overlapping masks', () => {
    const W = 37;
    const H = 23;
    const masks = [1, 2, 3, 4, 5].map((seed) => randomMask(W, H, seed));
    const rles = masks.map((data) => encodeMask({ width: W, height: H, data }));
    for (const [budget, scale] of [
      [W * H, 1],
      [200, Math.sqrt(200 / (W * H))],
    ] as const) {
      const raster = unlabeledRaster({ width: W, height: H }, rles, budget);
      const want = expected(W, H, masks, scale);
      expect([raster.width, raster.height]).toEqual([want.width, want.height]);
      const diff = Array.from(raster.alpha).flatMap((v, i) =>
        v === want.alpha[i] ? [] : [[i, v, want.alpha[i]]],
      );
      expect(diff).toEqual([]);
      expect(raster.uncovered).toBeCloseTo(want.uncovered, 12);
      expect([raster.x, raster.y, raster.imageWidth, raster.imageHeight]).toEqual([0, 0, W, H]);
    }
    const none = unlabeledRaster({ width: W, height: H }, []);
    expect(none.uncovered).toBe(1);
    expect(none.alpha.every((v) => v === 255)).toBe(true);
  });

  it('stays small for a 20 MP image and counts every mask but the rejected ones', () => {
    const W = 5472;
    const H = 3648;
    const rect = (x0: number, y0: number, x1: number, y1: number) => {
      // Column-major runs of a rectangle, built directly (no 20 MP array).
      const counts: number[] = [x0 * H + y0];
      for (let x = x0; x < x1; x++) {
        counts.push(y1 - y0);
        counts.push(x === x1 - 1 ? H - y1 + (W - x1) * H : H - (y1 - y0));
      }
      return { size: [H, W] as [number, number], counts };
    };
    const raster = unlabeledRaster({ width: W, height: H }, [
      rect(0, 0, W / 2, H),
      rect(W / 4, 0, (3 * W) / 4, H / 2),
    ]);
    expect(raster.width * raster.height).toBeLessThan(1.01 * (1 << 20)); // about 1 MP, whatever the image
    expect(raster.uncovered).toBeCloseTo(0.5 - 0.125, 10);

    const t = new TestAnnotator();
    const item = (id: number, status: AnnotationItem['status'], data: Uint8Array): AnnotationItem => {
      const rle = encodeMask({ width: 64, height: 48, data });
      return {
        id,
        imageId: 7,
        categoryId: null,
        rle,
        bbox: rleBboxCoco(rle),
        area: rleArea(rle),
        status,
        source: 'auto',
        prompts: null,
        predictedIou: 0.9,
        stabilityScore: 0.9,
        modelId: null,
        createdBy: 't',
        createdAt: 0,
        timing: { activeMs: 0, clicks: 0, promptCount: 0, brushStrokes: 0, modelWaitMs: 0 },
      };
    };
    const left = new Uint8Array(64 * 48).map((_, i) => (i % 64 < 32 ? 1 : 0));
    const right = new Uint8Array(64 * 48).map((_, i) => (i % 64 >= 32 ? 1 : 0));
    t.annotator.replaceAnnotations([item(1, 'accepted', left), item(2, 'rejected', right)]);
    expect(t.annotator.unlabeled()!.uncovered).toBe(0.5);
    expect(t.annotator.unlabeled()).toBe(t.annotator.unlabeled()); // cached until the annotations change
    t.annotator.replaceAnnotations([item(1, 'accepted', left), item(2, 'draft', right)]);
    expect(t.annotator.unlabeled()!.uncovered).toBe(0);
  });
});

describe('deciding quickly', () => {
  it('X right after Enter applies to the next mask, before the backend answered the first', async () => {
    const t = await withAutoMasks();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const real = t.backend.setAnnotationStatuses.bind(t.backend);
    t.backend.setAnnotationStatuses = async (...args) => {
      await gate;
      return real(...args);
    };
    t.key('Enter');
    t.key('x');
    expect(statuses(t)).toEqual(['accepted', 'rejected', 'draft']); // at once, optimistic
    release();
    await t.settle();
    expect([...t.backend.annotations.values()].map((a) => a.status)).toEqual([
      'accepted',
      'rejected',
      'draft',
    ]);
    expect(t.undoLength).toBe(3);
  });
});
