import { describe, expect, it } from 'vitest';
import { EMPTY_MASK, ERASED_WHOLE_MASK } from '../../renderer/core/annotator.ts';
import { IDLE_LIMIT_MS } from '../../renderer/core/timing.ts';
import { fitViewport } from '../../renderer/core/screenFrame.ts';
import { TestAnnotator } from './TestAnnotator.ts';

describe('SAM points', () => {
  it('a click adds a positive point and decodes three candidates, the best shown first', async () => {
    const t = new TestAnnotator();
    t.click(20, 20);
    expect(t.path).toBe('points.idle');
    expect(t.draft?.points).toEqual([{ x: 20, y: 20, label: 1 }]);
    await t.settle();
    expect(t.backend.requests).toHaveLength(1);
    expect(t.backend.requests[0]).toMatchObject({
      imageId: 7,
      multimask: true,
      points: [{ x: 20, y: 20, label: 1 }],
    });
    expect(t.backend.requests[0]!.maskInputRef).toBeUndefined();
    expect(t.draft?.decode?.candidates).toHaveLength(3);
    expect(t.draft?.selected).toBe(1);
    expect(t.undoLength).toBe(1);
    // Previews first; then the full-resolution mask of the chosen candidate only.
    expect(t.backend.calls).toEqual(['previewDecode', 'decodedMask']);
    expect(t.draft?.decode?.candidates.map((c) => c.rle !== null)).toEqual([false, true, false]);
  });

  it('Tab to a candidate that came without a preview fetches its preview, then its full mask (issue 16)', async () => {
    const t = new TestAnnotator();
    t.click(20, 20);
    await t.settle();
    expect(t.draft?.decode?.candidates.map((c) => !!c.preview)).toEqual([false, true, false]);
    t.key('Tab');
    await t.settle();
    expect(t.draft?.selected).toBe(2);
    expect(t.backend.calls).toContain('decodedPreview');
    const chosen = t.draft!.decode!.candidates[2]!;
    expect(chosen.preview?.data.length).toBe(64 * 48);
    expect(chosen.rle).not.toBeNull();
  });

  it('the path shows the pointing state while the button is down', () => {
    const t = new TestAnnotator();
    t.down(10, 10);
    expect(t.path).toBe('points.pointing');
    t.up(10, 10);
    expect(t.path).toBe('points.idle');
  });

  it('a second click refines from the previous decode with a single mask', async () => {
    const t = new TestAnnotator();
    t.click(20, 20);
    await t.settle();
    t.key('Tab'); // choose candidate 2
    t.click(24, 20);
    await t.settle();
    const second = t.backend.requests[1]!;
    expect(second.multimask).toBe(false);
    expect(second.maskInputRef).toEqual({ decodeId: 'd1', candidate: 2 });
    expect(t.draft?.decode?.refined).toBe(true);
    expect(t.undoLength).toBe(2);
  });

  it('right click and Alt+click add negative points', async () => {
    const t = new TestAnnotator();
    t.click(20, 20);
    t.rightClick(30, 20);
    t.click(40, 20, { alt: true });
    await t.settle();
    expect(t.draft?.points.map((p) => p.label)).toEqual([1, 0, 0]);
    expect(t.undoLength).toBe(3);
  });

  it('a click on an existing point removes it (one step)', async () => {
    const t = new TestAnnotator();
    t.click(20, 20).click(30, 30);
    await t.settle();
    t.click(30.3, 29.8);
    await t.settle();
    expect(t.draft?.points).toEqual([{ x: 20, y: 20, label: 1 }]);
    expect(t.undoLength).toBe(3);
  });

  it('Tab and Shift+Tab cycle the candidates without recording a step', async () => {
    const t = new TestAnnotator();
    t.click(20, 20);
    await t.settle();
    expect(t.draft?.selected).toBe(1);
    expect(t.key('Tab')).toBe(true);
    expect(t.draft?.selected).toBe(2);
    t.key('Tab');
    expect(t.draft?.selected).toBe(0);
    t.key('Tab', { shift: true });
    expect(t.draft?.selected).toBe(2);
    expect(t.undoLength).toBe(1);
  });

  it('undo and redo of single clicks restore the earlier masks without decoding again', async () => {
    const t = new TestAnnotator();
    t.click(20, 20).click(30, 20);
    await t.settle();
    const decodes = t.backend.requests.length;
    await t.undo();
    expect(t.draft?.points).toHaveLength(1);
    expect(t.draft?.decode?.decodeId).toBe('d1');
    await t.undo();
    expect(t.draft?.points ?? []).toHaveLength(0);
    await t.redo();
    await t.redo();
    expect(t.draft?.points).toHaveLength(2);
    expect(t.draft?.decode?.decodeId).toBe('d2');
    expect(t.backend.requests.length).toBe(decodes);
  });
});

describe('accept and cancel', () => {
  it('Enter accepts with the current category as one step; number keys choose it', async () => {
    const t = new TestAnnotator();
    t.click(20, 20).click(25, 22);
    await t.settle();
    t.key('2');
    expect(t.annotator.categoryId).toBe(12);
    expect(t.key('Enter')).toBe(true);
    expect(t.draft).toBeNull();
    await t.settle();
    expect(t.undoLength).toBe(3);
    expect(t.doc.annotations).toHaveLength(1);
    const stored = [...t.backend.annotations.values()];
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ categoryId: 12, source: 'manual', status: 'accepted' });
    expect(stored[0]!.prompts?.points).toHaveLength(2);
    expect(stored[0]!.rle).toEqual(t.doc.annotations[0]!.rle);
  });

  it('undo of accept deletes the mask and brings the draft back; redo stores it again', async () => {
    const t = new TestAnnotator();
    t.click(20, 20);
    await t.settle();
    t.key('Enter');
    await t.settle();
    await t.undo();
    expect(t.backend.annotations.size).toBe(0);
    expect(t.doc.annotations).toHaveLength(0);
    expect(t.draft?.points).toHaveLength(1);
    expect(t.draft?.decode).not.toBeNull();
    await t.redo();
    expect(t.backend.annotations.size).toBe(1);
    expect(t.doc.annotations).toHaveLength(1);
    expect(t.doc.annotations[0]!.id).toBe([...t.backend.annotations.keys()][0]);
    expect(t.draft).toBeNull();
    expect(t.backend.calls.filter((c) => !/ecode|decodedMask/.test(c))).toEqual([
      'addAnnotation',
      'deleteAnnotation',
      'restoreAnnotation',
    ]);
  });

  it('Enter pressed before the decode returns accepts the mask when it arrives', async () => {
    const t = new TestAnnotator();
    t.backend.hold = true;
    t.click(20, 20);
    t.key('Enter');
    expect(t.doc.annotations).toHaveLength(0);
    t.backend.release();
    await t.settle();
    expect(t.doc.annotations).toHaveLength(1);
    expect(t.undoLength).toBe(2);
  });

  it('Enter on an empty mask refuses with a message: nothing stored, no step, the draft stays', async () => {
    const t = new TestAnnotator();
    t.backend.findNothing = true;
    t.click(20, 20);
    await t.settle();
    expect(t.draft?.decode?.candidates[t.draft.selected]?.area).toBe(0);
    const steps = t.undoLength;
    expect(t.key('Enter')).toBe(true);
    expect(t.draft?.points).toHaveLength(1); // refused at once: the draft never leaves the canvas
    expect(t.annotator.lastError).toBe(EMPTY_MASK);
    await t.settle();
    expect(t.backend.calls).not.toContain('addAnnotation');
    expect(t.doc.annotations).toHaveLength(0);
    expect(t.draft?.points).toHaveLength(1);
    expect(t.undoLength).toBe(steps);
    // Another click that finds the object makes it acceptable.
    t.backend.findNothing = false;
    t.click(30, 30);
    await t.settle();
    t.key('Enter');
    await t.settle();
    expect(t.doc.annotations).toHaveLength(1);
  });

  it('Enter before an empty decode returns gives the same refusal when it arrives', async () => {
    const t = new TestAnnotator();
    t.backend.hold = true;
    t.backend.findNothing = true;
    t.click(20, 20);
    t.key('Enter');
    t.backend.release();
    await t.settle();
    expect(t.annotator.lastError).toBe(EMPTY_MASK);
    expect(t.doc.annotations).toHaveLength(0);
    expect(t.draft?.points).toHaveLength(1);
  });

  it('Esc cancels the draft and leaves no history', async () => {
    const t = new TestAnnotator();
    t.click(20, 20);
    await t.settle();
    t.key('Enter');
    await t.settle();
    expect(t.undoLength).toBe(2);
    t.click(40, 30).click(44, 30).rightClick(42, 34);
    await t.settle();
    expect(t.undoLength).toBe(5);
    t.key('Escape');
    await t.settle();
    expect(t.draft).toBeNull();
    expect(t.undoLength).toBe(2);
    expect(t.redoLength).toBe(0);
    expect(t.doc.annotations).toHaveLength(1);
  });
});

describe('box', () => {
  it('dragging a box is one step; clicks then add points to it', async () => {
    const t = new TestAnnotator().tool('box');
    t.down(10, 10);
    t.move(20, 20, {}, 0);
    expect(t.path).toBe('box.dragging');
    expect(t.annotator.dragBox).toEqual({ x0: 10, y0: 10, x1: 20, y1: 20 });
    t.move(40, 30, {}, 0).up(40, 30);
    expect(t.path).toBe('box.idle');
    expect(t.annotator.dragBox).toBeNull();
    await t.settle();
    expect(t.draft?.box).toEqual({ x0: 10, y0: 10, x1: 40, y1: 30 });
    expect(t.undoLength).toBe(1);
    const boxDecode = t.backend.requests.filter((r) => !r.lane).at(-1)!;
    expect(boxDecode).toMatchObject({
      box: { x0: 10, y0: 10, x1: 40, y1: 30 },
      multimask: false,
      points: [],
    });
    // The live preview while dragging went through the hover lane and was never recorded.
    expect(t.backend.requests.some((r) => r.lane === 'hover' && r.box)).toBe(true);
    t.rightClick(20, 20);
    await t.settle();
    const combined = t.backend.requests.filter((r) => !r.lane).at(-1)!;
    expect(combined.box).toBeDefined();
    expect(combined.points).toEqual([{ x: 20, y: 20, label: 0 }]);
    expect(t.undoLength).toBe(2);
  });

  it('Esc during a drag drops it without a trace', async () => {
    const t = new TestAnnotator().tool('box');
    t.down(10, 10).move(30, 30, {}, 0);
    expect(t.path).toBe('box.dragging');
    t.key('Escape');
    expect(t.path).toBe('box.idle');
    t.up(30, 30);
    await t.settle();
    expect(t.draft).toBeNull();
    expect(t.undoLength).toBe(0);
  });
});

describe('hover preview', () => {
  it('decodes on the hover lane as the mouse moves, never recorded', async () => {
    const t = new TestAnnotator();
    t.move(20, 20);
    await t.settle();
    expect(t.backend.requests[0]).toMatchObject({ lane: 'hover', multimask: true });
    expect(t.annotator.hoverPreview).not.toBeNull();
    expect(t.undoLength).toBe(0);
    expect(t.draft).toBeNull();
  });

  it('keeps one request in flight; the newest waiting one wins and older replies are dropped', async () => {
    const t = new TestAnnotator();
    t.backend.hold = true;
    t.move(10, 10);
    t.move(20, 20);
    t.move(30, 30);
    expect(t.backend.requests).toHaveLength(1); // one in flight, one waiting, one dropped
    t.backend.release(0); // reply to (10, 10): a newer request waits, so it is stale
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(t.annotator.hoverPreview).toBeNull();
    expect(t.backend.requests).toHaveLength(2);
    expect(t.backend.requests[1]!.points[0]).toMatchObject({ x: 30.5, y: 30.5 });
    t.backend.release();
    await t.settle();
    expect(t.annotator.hoverPreview).not.toBeNull();
  });
});

describe('a click where the hover preview is', () => {
  it('adopts the preview (no second decode) and fetches its full mask for accept', async () => {
    const t = new TestAnnotator();
    t.move(20.2, 20.7);
    await t.settle();
    const hover = t.backend.requests.length;
    t.click(20.4, 20.1); // same pixel
    expect(t.draft?.decode).not.toBeNull(); // shown at once
    expect(t.draft?.points).toEqual([{ x: 20.5, y: 20.5, label: 1 }]);
    await t.settle();
    expect(t.backend.requests.length).toBe(hover);
    expect(t.backend.calls).toContain('decodedMask');
    const candidate = t.draft!.decode!.candidates[t.draft!.selected]!;
    expect(candidate.rle).not.toBeNull();
    t.key('Enter');
    await t.settle();
    expect([...t.backend.annotations.values()][0]!.rle).toEqual(candidate.rle);
    expect(t.undoLength).toBe(2);
  });

  it('decodes normally when the click is somewhere else', async () => {
    const t = new TestAnnotator();
    t.move(20, 20);
    await t.settle();
    t.click(30, 30);
    await t.settle();
    expect(t.backend.calls.filter((c) => c === 'previewDecode')).toHaveLength(1); // the click's
    expect(t.draft?.points).toEqual([{ x: 30, y: 30, label: 1 }]);
  });

  it('Tab to another candidate of an adopted preview fetches that one too', async () => {
    const t = new TestAnnotator();
    t.move(20, 20);
    await t.settle();
    t.click(20, 20);
    await t.settle();
    t.key('Tab');
    await t.settle();
    expect(t.backend.calls.filter((c) => c === 'decodedMask')).toHaveLength(2);
    expect(t.draft!.decode!.candidates[t.draft!.selected]!.rle).not.toBeNull();
  });
});

describe('stale decodes', () => {
  it('a click decode that returns after the draft changed is not shown; the newest is', async () => {
    const t = new TestAnnotator();
    t.backend.hold = true;
    t.click(10, 10); // decode 1 in flight
    t.click(30, 30); // waits behind it
    expect(t.backend.requests).toHaveLength(1);
    t.backend.release(0);
    await new Promise((r) => setTimeout(r, 0));
    // Decode 1 answered the one-point draft; the current draft has two points, so nothing is shown yet …
    expect(t.draft?.points).toHaveLength(2);
    expect(t.draft?.decode).toBeNull();
    // … but the second request now refines from it.
    expect(t.backend.requests).toHaveLength(2);
    expect(t.backend.requests[1]!.maskInputRef).toEqual({ decodeId: 'd1', candidate: 1 });
    t.backend.release();
    await t.settle();
    expect(t.draft?.decode?.decodeId).toBe('d2');
    // Undo shows the first click's decode, which arrived late but was kept.
    await t.undo();
    expect(t.draft?.decode?.decodeId).toBe('d1');
  });

  it('undo while a decode is in flight drops its reply', async () => {
    const t = new TestAnnotator();
    t.click(10, 10);
    await t.settle();
    t.backend.hold = true;
    t.click(30, 30);
    await t.undo();
    expect(t.draft?.points).toHaveLength(1);
    t.backend.release();
    await t.settle();
    expect(t.draft?.points).toHaveLength(1);
    expect(t.draft?.decode?.decodeId).toBe('d1');
  });
});

/** One mask made with SAM and accepted, then selected, with the eraser picked. */
async function eraserOnAcceptedMask() {
  const t = new TestAnnotator();
  t.click(20, 20);
  await t.settle();
  t.key('Enter');
  await t.settle();
  const { id, area } = t.doc.annotations[0]!;
  const steps = t.undoLength;
  t.tool('select').click(20, 20);
  t.tool('eraser');
  return { t, id, area, steps };
}

describe('brush and eraser', () => {
  it('a brush stroke on the draft is one step and the accepted mask is the painted one', async () => {
    const t = new TestAnnotator();
    t.click(20, 20);
    await t.settle();
    const before = t.maskArea!;
    t.tool('brush');
    t.annotator.setOption('brushSize', 40); // screen px
    t.down(40, 20);
    expect(t.path).toBe('brush.painting');
    t.move(50, 20, {}, 0).move(55, 25, {}, 0).up(55, 25);
    expect(t.path).toBe('brush.idle');
    await t.settle();
    expect(t.undoLength).toBe(2);
    expect(t.draft?.edited).not.toBeNull();
    t.key('Enter');
    await t.settle();
    const stored = [...t.backend.annotations.values()][0]!;
    expect(stored.area).toBeGreaterThan(before);
    expect(stored.predictedIou).toBeNull();
    expect(stored.timing.brushStrokes).toBe(1);
  });

  it('a stroke on a selected accepted mask updates it (one step, undoable); Esc mid-stroke leaves nothing', async () => {
    const t = new TestAnnotator();
    t.click(20, 20);
    await t.settle();
    t.key('Enter');
    await t.settle();
    const id = t.doc.annotations[0]!.id;
    const area = t.doc.annotations[0]!.area;
    t.tool('select').click(20, 20);
    expect(t.annotator.selectedId).toBe(id);
    t.tool('eraser');
    t.annotator.setOption('brushSize', 60);
    t.down(20, 20).move(22, 20, {}, 0);
    t.key('Escape');
    expect(t.path).toBe('eraser.idle');
    t.up(22, 20);
    await t.settle();
    expect(t.undoLength).toBe(2);
    t.drag([18, 20], [22, 20]);
    await t.settle();
    expect(t.undoLength).toBe(3);
    expect(t.doc.annotations[0]!.area).toBeLessThan(area);
    expect(t.backend.annotations.get(id)!.timing.brushStrokes).toBe(1);
    await t.undo();
    expect(t.doc.annotations[0]!.area).toBe(area);
    expect(t.backend.annotations.get(id)!.area).toBe(area);
  });

  it('erasing a whole accepted mask undoes the stroke and says to use Delete; nothing changes', async () => {
    const { t, id, area, steps } = await eraserOnAcceptedMask();
    t.annotator.setOption('brushSize', 400);
    t.drag([10, 20], [30, 20]);
    await t.settle();
    expect(t.annotator.lastError).toBe(ERASED_WHOLE_MASK);
    expect(t.doc.annotations[0]!.area).toBe(area);
    expect(t.backend.annotations.get(id)!.area).toBe(area);
    expect(t.backend.calls).not.toContain('updateAnnotation');
    expect(t.undoLength).toBe(steps);
    // The next stroke starts from the stored mask, not from the erased one.
    t.annotator.setOption('brushSize', 30);
    t.drag([18, 20], [22, 20]);
    await t.settle();
    expect(t.doc.annotations[0]!.area).toBeGreaterThan(0);
    expect(t.doc.annotations[0]!.area).toBeLessThan(area);
    expect(t.backend.annotations.get(id)!.area).toBe(t.doc.annotations[0]!.area);
  });

  it('when the store refuses a stroke (disk full), the screen goes back to the saved mask', async () => {
    const { t, id, area, steps } = await eraserOnAcceptedMask();
    t.annotator.setOption('brushSize', 30);
    t.backend.failUpdates = 'SQLITE_FULL: database or disk is full';
    t.drag([18, 20], [22, 20]);
    await t.settle();
    expect(t.annotator.lastError).toContain('disk is full');
    expect(t.doc.annotations[0]!.area).toBe(area);
    expect(t.backend.annotations.get(id)!.area).toBe(area);
    expect(t.undoLength).toBe(steps);
  });

  it('painting with nothing selected starts a new mask by hand', async () => {
    const t = new TestAnnotator().tool('brush');
    t.annotator.setOption('brushSize', 50);
    t.drag([10, 10], [20, 10]);
    await t.settle();
    expect(t.draft?.edited).not.toBeNull();
    t.key('Enter');
    await t.settle();
    expect(t.doc.annotations).toHaveLength(1);
    expect(t.doc.annotations[0]!.prompts).toBeNull();
  });
});

describe('mask list commands', () => {
  it('Delete removes the selected mask; undo stores it again', async () => {
    const t = new TestAnnotator();
    t.click(20, 20);
    await t.settle();
    t.key('Enter');
    await t.settle();
    t.annotator.setSelected(t.doc.annotations[0]!.id);
    t.key('Delete');
    await t.settle();
    expect(t.doc.annotations).toHaveLength(0);
    expect(t.backend.annotations.size).toBe(0);
    await t.undo();
    expect(t.doc.annotations).toHaveLength(1);
    expect(t.backend.annotations.size).toBe(1);
  });

  it('a number key with a mask selected changes its category (one step)', async () => {
    const t = new TestAnnotator();
    t.click(20, 20);
    await t.settle();
    t.key('Enter');
    await t.settle();
    const id = t.doc.annotations[0]!.id;
    t.annotator.setSelected(id);
    t.key('2');
    await t.settle();
    expect(t.backend.annotations.get(id)!.categoryId).toBe(12);
    expect(t.undoLength).toBe(3);
    await t.undo();
    expect(t.backend.annotations.get(id)!.categoryId).toBe(11);
    expect(t.doc.annotations[0]!.categoryId).toBe(11);
  });
});

describe('per-mask timing', () => {
  it('counts active time from the first prompt to accept, without idle stretches over 30 s', async () => {
    const t = new TestAnnotator();
    t.click(20, 20);
    await t.settle();
    t.wait(5_000).click(25, 20);
    await t.settle();
    t.wait(IDLE_LIMIT_MS + 30_000).click(30, 20); // away from the desk
    await t.settle();
    t.wait(2_000);
    t.key('Enter');
    await t.settle();
    const timing = [...t.backend.annotations.values()][0]!.timing;
    expect(timing).toEqual({ activeMs: 7_000, clicks: 3, promptCount: 3, brushStrokes: 0, modelWaitMs: 0 });
  });

  it('counts the time spent waiting for the model', async () => {
    const t = new TestAnnotator();
    t.backend.hold = true;
    t.click(20, 20);
    t.wait(1_500);
    t.backend.release();
    await t.settle();
    t.key('Enter');
    await t.settle();
    expect([...t.backend.annotations.values()][0]!.timing).toMatchObject({
      modelWaitMs: 1_500,
      activeMs: 1_500,
    });
  });
});

describe('an image the model cannot read (issue 17: "Segmenting…" stayed)', () => {
  it('a failed decode ends the wait and says why; Enter then waits for nothing', async () => {
    const t = new TestAnnotator();
    t.backend.previewDecode = () => Promise.reject(new Error('scene-1.jpg: premature end of JPEG data'));
    t.click(20, 20);
    await t.settle();
    expect(t.annotator.status.decodePending).toBe(false);
    expect(t.annotator.lastError).toMatch(/premature end/);
    t.key('Enter');
    await t.settle();
    expect(t.doc.annotations).toEqual([]);
    expect(t.annotator.status.decodePending).toBe(false);
  });

  it('a broken image takes no prompts and says so', async () => {
    const t = new TestAnnotator();
    t.annotator.setImageProblem('cannot decode: premature end of JPEG data');
    t.click(20, 20);
    await t.settle();
    expect(t.draft).toBeNull();
    expect(t.backend.requests).toEqual([]);
    expect(t.annotator.lastError).toBe(
      'This image cannot be segmented: cannot decode: premature end of JPEG data',
    );
  });
});

describe('window resize (issue 17: the image slid under the panel)', () => {
  it('a fitted image is fitted again to the new size; a zoomed one keeps its zoom', () => {
    const t = new TestAnnotator({ width: 640, height: 480 });
    t.annotator.setViewSize({ width: 400, height: 300 });
    expect(t.annotator.viewport).toEqual(
      fitViewport({ width: 640, height: 480 }, { width: 400, height: 300 }),
    );
    t.annotator.run('view.zoomIn');
    const zoomed = t.annotator.viewport;
    t.annotator.setViewSize({ width: 500, height: 300 });
    expect(t.annotator.viewport).toEqual(zoomed);
    t.annotator.run('view.fit');
    t.annotator.setViewSize({ width: 800, height: 600 });
    expect(t.annotator.viewport).toEqual(
      fitViewport({ width: 640, height: 480 }, { width: 800, height: 600 }),
    );
  });
});
