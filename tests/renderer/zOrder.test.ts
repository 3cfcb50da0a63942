/**
 * Issue 17, z-order of masks: Ctrl+] / Ctrl+[ move the selected mask up / down the image's stack (the document
 * lists masks bottom to top and the canvas draws them in that order); undo is the opposite move.
 */
import { describe, expect, it } from 'vitest';
import { encodeMask } from '../../electron/common/rle.ts';
import { TestAnnotator } from './TestAnnotator.ts';

const W = 64;
const H = 48;

async function threeMasks() {
  const t = new TestAnnotator({ width: W, height: H });
  const items = [];
  for (let i = 0; i < 3; i++) {
    const data = new Uint8Array(W * H);
    data.fill(1, i * 10, i * 10 + 5);
    items.push(
      await t.backend.addAnnotation({
        imageId: 7,
        categoryId: null,
        rle: encodeMask({ width: W, height: H, data }),
        source: 'manual',
        status: 'accepted',
        prompts: null,
        predictedIou: null,
        stabilityScore: null,
        timing: { activeMs: 0, clicks: 0, promptCount: 0, brushStrokes: 0, modelWaitMs: 0 },
      }),
    );
  }
  t.annotator.openImage({ id: 7, width: W, height: H }, items);
  const order = () => t.doc.annotations.map((a) => a.id);
  const stored = () => [...t.backend.annotations.keys()];
  return { t, ids: items.map((a) => a.id), order, stored };
}

describe('z-order of masks (issue 17)', () => {
  it('moves the selected mask up and down the stack, one undo step each', async () => {
    const { t, ids, order, stored } = await threeMasks();
    const [a, b, c] = ids as [number, number, number];
    t.annotator.setSelected(a);
    t.key('[', { mod: true }); // already at the bottom: nothing to do
    await t.settle();
    expect(t.undoLength).toBe(0);

    t.key(']', { mod: true });
    await t.settle();
    expect(order()).toEqual([b, a, c]);
    expect(stored()).toEqual([b, a, c]);
    expect(t.undoLength).toBe(1);

    t.key(']', { mod: true });
    await t.settle();
    expect(order()).toEqual([b, c, a]);
    t.key(']', { mod: true }); // on top: nothing to do
    await t.settle();
    expect(t.undoLength).toBe(2);

    await t.undo();
    expect(order()).toEqual([b, a, c]);
    await t.undo();
    expect(order()).toEqual([a, b, c]);
    expect(stored()).toEqual([a, b, c]);
    await t.redo();
    expect(order()).toEqual([b, a, c]);

    t.key('[', { mod: true });
    await t.settle();
    expect(order()).toEqual([a, b, c]);
    expect(t.backend.calls.filter((x) => x.startsWith('moveAnnotation'))).toEqual([
      'moveAnnotation:up',
      'moveAnnotation:up',
      'moveAnnotation:down',
      'moveAnnotation:down',
      'moveAnnotation:up',
      'moveAnnotation:down',
    ]);
  });

  it('needs a selected stored mask', async () => {
    const { t, order, ids } = await threeMasks();
    t.key(']', { mod: true });
    await t.settle();
    expect(order()).toEqual(ids);
    expect(t.backend.calls.filter((x) => x.startsWith('moveAnnotation'))).toEqual([]);
    expect(t.undoLength).toBe(0);
  });

  it('undo of a delete shows the mask on top, where the store puts it again', async () => {
    const { t, ids, order, stored } = await threeMasks();
    t.annotator.setSelected(ids[0]!);
    t.key('Delete');
    await t.settle();
    await t.undo();
    expect(order()).toEqual(stored());
    expect(order()[2]).not.toBe(ids[2]);
  });
});
