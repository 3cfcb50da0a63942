/**
 * Issue 17, overlap control in the editor: the backend (AppBackend with the project's "No overlap" on; here the
 * fake does the same with the same function) stores an accepted mask minus the accepted ones. The editor shows
 * what was stored, not the draft; undo gives the untrimmed draft back (the refusal of a mask left empty is
 * covered by tests/integration/overlap.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { subtractMasks } from '../../electron/common/maskOverlap.ts';
import { decodeRle, encodeMask, rleArea, rleBboxCoco } from '../../electron/common/rle.ts';
import type { AnnotationItem, NewAnnotation } from '../../electron/ipc/contract.ts';
import { draftMask } from '../../renderer/core/document.ts';
import { TestAnnotator } from './TestAnnotator.ts';

const W = 64;
const H = 48;

function leftHalf(): AnnotationItem {
  const data = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) data.fill(1, y * W, y * W + W / 2);
  const rle = encodeMask({ width: W, height: H, data });
  return {
    id: 1000,
    imageId: 7,
    categoryId: null,
    rle,
    bbox: rleBboxCoco(rle),
    area: rleArea(rle),
    status: 'accepted',
    source: 'manual',
    prompts: null,
    predictedIou: null,
    stabilityScore: null,
    modelId: null,
    createdBy: 'test',
    createdAt: 0,
    timing: { activeMs: 0, clicks: 0, promptCount: 0, brushStrokes: 0, modelWaitMs: 0 },
  };
}

/** The fake backend trims as AppBackend does with the option on. */
function trimming(t: TestAnnotator, accepted: AnnotationItem): void {
  const add = t.backend.addAnnotation.bind(t.backend);
  t.backend.addAnnotation = async (a: NewAnnotation) => {
    const rle = subtractMasks(a.rle, [accepted.rle!]);
    if (rleArea(rle) === 0)
      throw new Error('the new mask lies entirely under accepted masks (overlap control is on)');
    return add({ ...a, rle });
  };
}

const columnsOf = (item: { rle: AnnotationItem['rle'] }) => {
  const mask = decodeRle(item.rle!);
  const xs = new Set<number>();
  mask.data.forEach((v, i) => v && xs.add(i % W));
  return [...xs].sort((a, b) => a - b);
};

describe('overlap control in the editor (issue 17)', () => {
  it('shows the stored (trimmed) mask after accept; undo gives the whole draft back; redo the trimmed one', async () => {
    const accepted = leftHalf();
    const t = new TestAnnotator({ width: W, height: H, annotations: [accepted] });
    trimming(t, accepted);
    t.click(30, 20);
    await t.settle();
    const draftColumns = columnsOf({ rle: draftMask(t.draft)!.rle! });
    expect(draftColumns.some((x) => x < W / 2)).toBe(true); // the draft covers the accepted half too
    t.key('Enter');
    await t.settle();
    const stored = t.doc.annotations.find((a) => a.id !== accepted.id)!;
    expect(columnsOf(stored)).toEqual(draftColumns.filter((x) => x >= W / 2));
    expect(stored.rle).toEqual([...t.backend.annotations.values()].at(-1)!.rle);

    await t.undo();
    expect(t.doc.annotations.map((a) => a.id)).toEqual([accepted.id]);
    expect(columnsOf({ rle: draftMask(t.draft)!.rle! })).toEqual(draftColumns);
    await t.redo();
    expect(columnsOf(t.doc.annotations.find((a) => a.id !== accepted.id)!)).toEqual(
      draftColumns.filter((x) => x >= W / 2),
    );
  });
});
