/** The polygon tool and outline editing (issue 17), driven like a user through the real tool state machines. */
import { describe, expect, it } from 'vitest';
import { polygonsToRle } from '../../electron/common/polygonRaster.ts';
import { encodeMask, rleArea } from '../../electron/common/rle.ts';
import { outlineOf, ringAt } from '../../renderer/core/outline/outlineGeometry.ts';
import { TestAnnotator } from './TestAnnotator.ts';

/** Draw the square (10,10)–(30,30) with the polygon tool and close it on its first vertex. */
function drawSquare(t: TestAnnotator): TestAnnotator {
  return t.tool('polygon').click(10, 10).move(20, 12).click(30, 10).click(30, 30).click(10, 30).click(10, 10);
}

/** An accepted 20×20 square, selected, with the outline tool on. */
async function acceptedSquare(): Promise<TestAnnotator> {
  const t = drawSquare(new TestAnnotator());
  t.annotator.categoryId = 12;
  t.key('Enter');
  await t.settle();
  t.tool('outline').click(20, 20);
  await t.settle();
  return t;
}

/** Drawing the square and accepting it. */
const ACCEPTED_STEPS = 2;
const mask = (t: TestAnnotator) => t.doc.annotations[0]!.rle!;
const vertexCount = (t: TestAnnotator) => t.annotator.outline.current!.outline[0]!.outer.length / 2;

describe('polygon tool', () => {
  it('places vertices with a rubber band, closes on the first vertex into a draft, and Enter accepts it', async () => {
    const t = new TestAnnotator().tool('polygon');
    t.click(10, 10).move(25, 12);
    expect(t.path).toBe('polygon.placing');
    const sketch = t.annotator.sketch.state!;
    expect(sketch.vertices).toHaveLength(1);
    expect([sketch.pointer!.x, sketch.pointer!.y].map(Math.round)).toEqual([25, 12]);
    t.click(30, 10).click(30, 30).click(10, 30).move(10.2, 10.1);
    expect(t.annotator.sketch.state!.closing).toBe(true);
    t.click(10, 10);
    expect(t.path).toBe('polygon.idle');
    expect(t.annotator.sketch.state).toBeNull();
    expect(t.undoLength).toBe(1);
    expect(t.draft!.edited && rleArea(t.draft!.edited)).toBe(400);
    expect(t.doc.annotations).toHaveLength(0); // a draft, not accepted yet

    t.annotator.categoryId = 11;
    t.key('Enter');
    await t.settle();
    expect(t.draft).toBeNull();
    const [a] = t.doc.annotations;
    expect(a).toMatchObject({
      area: 400,
      source: 'manual',
      prompts: null,
      categoryId: 11,
      status: 'accepted',
    });
    expect(a!.rle!.counts).toBe(polygonsToRle([[10, 10, 30, 10, 30, 30, 10, 30]], 48, 64).counts);
    expect(a!.timing.clicks).toBe(4);

    await t.undo(); // the accept: the drawn draft again
    expect(t.doc.annotations).toHaveLength(0);
    expect(t.draft!.edited && rleArea(t.draft!.edited)).toBe(400);
    await t.undo(); // the polygon: nothing
    expect(t.draft).toBeNull();
    await t.redo();
    await t.redo();
    expect(t.doc.annotations.map((x) => x.area)).toEqual([400]);
  });

  it('Backspace takes back the last vertex, Enter closes, Esc leaves nothing', async () => {
    const t = new TestAnnotator().tool('polygon');
    t.click(10, 10).click(30, 10);
    expect(t.key('Enter')).toBe(true); // two vertices: not a polygon yet
    expect(t.path).toBe('polygon.placing');
    t.click(40, 40);
    t.key('Backspace');
    expect(t.annotator.sketch.state!.vertices).toHaveLength(2);
    t.click(40, 40);
    t.key('z', { mod: true });
    expect(t.annotator.sketch.state!.vertices).toHaveLength(2);
    t.click(30, 30);
    t.key('Enter');
    expect(t.path).toBe('polygon.idle');
    const triangle = polygonsToRle([[10, 10, 30, 10, 30, 30]], 48, 64);
    expect(t.draft!.edited!.counts).toBe(triangle.counts);

    t.key('Escape'); // the draft goes, with its step
    await t.settle();
    t.click(5, 5).click(20, 5).click(20, 20);
    t.key('Escape');
    await t.settle();
    expect(t.path).toBe('polygon.idle');
    expect(t.annotator.sketch.state).toBeNull();
    expect(t.draft).toBeNull();
    expect(t.undoLength).toBe(0);
    expect(t.backend.calls).not.toContain('addAnnotation');
  });
});

describe('outline editing', () => {
  it('shows the selected mask as pixel-exact polygons', async () => {
    const t = await acceptedSquare();
    expect(t.path).toBe('outline.idle');
    expect(t.annotator.outline.current!.outline).toEqual(outlineOf(mask(t)));
  });

  it('a vertex drag is one step, previewed without a document change, undone and redone exactly', async () => {
    const t = await acceptedSquare();
    const before = mask(t);
    t.down(30, 30).move(34, 34).move(38, 38);
    expect(t.path).toBe('outline.dragging');
    expect(mask(t)).toBe(before);
    expect(ringAt(t.annotator.outline.current!.outline, { island: 0, hole: -1 })).toContain(38);
    t.up(38, 38);
    await t.settle();
    expect(t.undoLength).toBe(ACCEPTED_STEPS + 1);
    const edited = polygonsToRle([[10, 10, 30, 10, 38, 38, 10, 30]], 48, 64);
    expect(mask(t).counts).toBe(edited.counts);
    expect(t.backend.annotations.get(t.doc.annotations[0]!.id)!.rle!.counts).toBe(edited.counts);
    expect(t.annotator.outline.current!.vertex).not.toBeNull(); // the dragged vertex stays picked
    await t.undo();
    expect(mask(t).counts).toBe(before.counts);
    expect(t.annotator.outline.current!.vertex).toBeNull(); // another outline: no stale pick
    await t.redo();
    expect(mask(t).counts).toBe(edited.counts);
    expect(t.annotator.outline.current!.outline[0]!.outer).toContain(38); // as drawn, not re-traced
  });

  it('Esc mid-drag cancels: no step, nothing stored', async () => {
    const t = await acceptedSquare();
    const before = mask(t);
    t.down(30, 30).move(36, 36);
    expect(t.key('z', { mod: true })).toBe(true); // no undo under a held vertex
    expect(t.doc.annotations).toHaveLength(1);
    expect(t.key('Escape')).toBe(true);
    t.up(36, 36);
    await t.settle();
    expect(t.path).toBe('outline.idle');
    expect(t.undoLength).toBe(ACCEPTED_STEPS);
    expect(t.backend.calls).not.toContain('updateAnnotation');
    expect(mask(t)).toBe(before);
    expect(t.annotator.outline.current!.outline).toEqual(outlineOf(before));
  });

  it('a click on an edge inserts a vertex (one step), Delete removes it again to the same pixels', async () => {
    const t = await acceptedSquare();
    const before = mask(t);
    const n = vertexCount(t);
    t.down(20, 10).move(20, 4).up(20, 4);
    await t.settle();
    expect(vertexCount(t)).toBe(n + 1);
    expect(rleArea(mask(t))).toBeGreaterThan(400);
    expect(t.undoLength).toBe(ACCEPTED_STEPS + 1);
    expect(t.annotator.outline.current!.vertex).not.toBeNull();
    expect(t.key('Delete')).toBe(true);
    await t.settle();
    expect(vertexCount(t)).toBe(n);
    expect(mask(t).counts).toBe(before.counts);
    expect(t.doc.annotations).toHaveLength(1); // Delete took the vertex, not the mask
    expect(t.undoLength).toBe(ACCEPTED_STEPS + 2);
  });

  it('Delete without a picked vertex keeps the mask and says how to pick one', async () => {
    const t = await acceptedSquare();
    expect(t.key('Delete')).toBe(true);
    await t.settle();
    expect(t.doc.annotations).toHaveLength(1);
    expect(t.annotator.lastError).toMatch(/Click a vertex to pick it/);
  });

  it('a ring keeps three vertices', async () => {
    const t = await acceptedSquare();
    t.click(10, 10);
    t.key('Delete');
    await t.settle();
    expect(vertexCount(t)).toBe(3);
    t.click(30, 10);
    t.key('Delete');
    await t.settle();
    expect(vertexCount(t)).toBe(3);
    expect(t.annotator.lastError).toMatch(/at least 3 vertices/);
  });

  it('an edit the store refuses is taken back on screen', async () => {
    const t = await acceptedSquare();
    const before = mask(t);
    t.backend.failUpdates = 'disk full';
    t.drag([30, 30], [40, 40]);
    await t.settle();
    expect(mask(t).counts).toBe(before.counts);
    expect(t.undoLength).toBe(ACCEPTED_STEPS);
    expect(t.annotator.lastError).toMatch(/disk full/);
  });

  it('Enter finishes editing; Esc first drops the picked vertex', async () => {
    const t = await acceptedSquare();
    t.click(10, 10);
    expect(t.annotator.outline.current!.vertex).not.toBeNull();
    t.key('Escape');
    expect(t.annotator.outline.current!.vertex).toBeNull();
    expect(t.annotator.toolId).toBe('outline');
    t.key('Enter');
    expect(t.annotator.toolId).toBe('select');
    expect(t.annotator.selectedId).toBe(t.doc.annotations[0]!.id);
  });

  it('keeps a hole: dragging a hole vertex reshapes the hole only, as the rings rasterise', async () => {
    const t = new TestAnnotator();
    const data = new Uint8Array(64 * 48);
    for (let y = 10; y < 30; y++)
      for (let x = 10; x < 30; x++) data[y * 64 + x] = x < 15 || x >= 25 || y < 15 || y >= 25 ? 1 : 0;
    const donut = encodeMask({ width: 64, height: 48, data });
    const item = await t.backend.addAnnotation({
      imageId: 7,
      categoryId: 11,
      rle: donut,
      source: 'manual',
      status: 'accepted',
      prompts: null,
      predictedIou: null,
      stabilityScore: null,
      timing: { activeMs: 0, clicks: 0, promptCount: 0, brushStrokes: 0, modelWaitMs: 0 },
    });
    t.annotator.openImage({ id: 7, width: 64, height: 48 }, [item]);
    t.tool('outline').click(12, 12);
    expect(t.annotator.outline.current!.outline[0]!.holes).toHaveLength(1);
    t.drag([25, 25], [28, 28]); // the hole's corner
    await t.settle();
    const { outer, holes } = t.annotator.outline.current!.outline[0]!;
    expect(holes).toHaveLength(1);
    const outerPixels = polygonsToRle([outer], 48, 64);
    expect(rleArea(mask(t))).toBe(rleArea(outerPixels) - rleArea(polygonsToRle([holes[0]!], 48, 64)));
    expect(rleArea(mask(t))).toBeLessThan(rleArea(donut));
    await t.undo();
    expect(mask(t).counts).toBe(donut.counts);
  });
});
