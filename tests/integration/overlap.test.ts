/** Issue 17: overlap control — with the project's option on, an accepted mask is stored minus the accepted ones. */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeRle, encodeMask } from '../../electron/common/rle.ts';
import type { NewAnnotation } from '../../electron/ipc/contract.ts';
import { AppBackend } from '../../electron/services/appBackend.ts';
import { tempDir, writeImage } from '../helpers/projects.ts';

const W = 30;
const H = 20;
const rect = (x0: number, x1: number) => {
  const data = new Uint8Array(W * H);
  for (let y = 5; y < 15; y++) data.fill(1, y * W + x0, y * W + x1);
  return encodeMask({ width: W, height: H, data });
};
const columns = (rle: ReturnType<typeof rect>) => {
  const mask = decodeRle(rle);
  return [
    ...new Set(
      Array.from(mask.data.keys())
        .filter((i) => mask.data[i])
        .map((i) => i % W),
    ),
  ].sort((a, b) => a - b);
};

let backend: AppBackend | undefined;
afterEach(async () => backend?.close());

async function setup() {
  const dir = tempDir();
  await writeImage(path.join(dir, 'photos', 'a.png'), W, H, 1);
  backend = new AppBackend({ mode: 'serve', dataDir: path.join(dir, 'data') });
  await backend.createProject(path.join(dir, 'p.samproj'), path.join(dir, 'photos'));
  const imageId = backend.listImages({ offset: 0, limit: 1 }).items[0]!.id;
  const add = (rle: ReturnType<typeof rect>, status: NewAnnotation['status'] = 'accepted') =>
    backend!.addAnnotation({
      imageId,
      categoryId: null,
      rle,
      source: 'manual',
      status,
      prompts: null,
      predictedIou: null,
      stabilityScore: null,
      timing: { activeMs: 0, clicks: 0, promptCount: 0, brushStrokes: 0, modelWaitMs: 0 },
    });
  return { backend, add };
}

describe('overlap control (issue 17)', () => {
  it('stores a new accepted mask minus the accepted ones, remembered by the project; off by default', async () => {
    const { backend, add } = await setup();
    expect(backend.currentProject()!.subtractAccepted).toBe(false);
    add(rect(0, 10)); // accepted: columns 0–9
    add(rect(20, 25), 'draft'); // undecided masks do not count
    expect(columns(add(rect(5, 15)).rle!)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]); // off: unchanged

    backend.setSubtractAccepted(true);
    expect(backend.currentProject()!.subtractAccepted).toBe(true);
    const trimmed = add(rect(8, 22));
    expect(columns(trimmed.rle!)).toEqual([15, 16, 17, 18, 19, 20, 21]); // minus 0–9 and 5–14, not the draft 20–24
    expect(trimmed.area).toBe(7 * 10);

    // The annotator's undo deletes it; its redo stores the same (trimmed) mask again.
    backend.deleteAnnotation(trimmed.id);
    const again = backend.restoreAnnotation(trimmed);
    expect(again.rle).toEqual(trimmed.rle);

    // Entirely under accepted masks: refused, nothing stored.
    const before = backend.listAnnotations(trimmed.imageId).length;
    expect(() => add(rect(2, 8))).toThrow(/entirely under accepted masks/);
    expect(backend.listAnnotations(trimmed.imageId)).toHaveLength(before);
    backend.setSubtractAccepted(false);
    expect(columns(add(rect(2, 8)).rle!)).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it('moves a mask up or down the stack; the listing follows, the opposite move undoes it, a restore goes on top', async () => {
    const { backend, add } = await setup();
    const [a, b, c] = [add(rect(0, 5)), add(rect(5, 10)), add(rect(10, 15))];
    const ids = (items: readonly { id: number }[]) => items.map((i) => i.id);

    expect(ids(backend.moveAnnotation(c.id, 'down'))).toEqual([a.id, c.id, b.id]);
    expect(ids(backend.listAnnotations(a.imageId))).toEqual([a.id, c.id, b.id]);
    expect(ids(backend.moveAnnotation(c.id, 'up'))).toEqual([a.id, b.id, c.id]);
    backend.deleteAnnotation(a.id);
    const restored = backend.restoreAnnotation(a);
    expect(ids(backend.listAnnotations(a.imageId))).toEqual([b.id, c.id, restored.id]);
    expect(() => backend.moveAnnotation(b.id, 'sideways' as 'up')).toThrow(
      /direction must be 'up' or 'down'/,
    );
    expect(() => backend.moveAnnotation(a.id, 'up')).toThrow(`no annotation with id ${a.id}`);
  });
});
