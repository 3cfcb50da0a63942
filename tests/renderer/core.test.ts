/** The annotator's framework-free pieces: frames, history with marks, rasters, the brush mask, the registry. */
import { describe, expect, it } from 'vitest';
import { decodeRle, encodeMask } from '../../electron/common/rle.ts';
import { MENU_COMMANDS } from '../../electron/ipc/contract.ts';
import { MENU_SHORTCUTS, type MenuCommand } from '../../electron/common/menuShortcuts.ts';
import { REVIEW_COMMANDS } from '../../renderer/core/review/commands.ts';
import { toolPathWords } from '../../renderer/core/tools/pathWords.ts';
import { wheelZoomFactor } from '../../renderer/core/view/wheelZoom.ts';
import { COMMANDS, commandById } from '../../renderer/core/commands/index.ts';
import { chordOf } from '../../renderer/core/commands/shortcuts.ts';
import { bestCandidate } from '../../electron/common/candidate.ts';
import { History } from '../../renderer/core/history.ts';
import { rasterizeRle, rleContains } from '../../renderer/core/maskRaster.ts';
import {
  fitViewport,
  imageToScreen,
  screenPoint,
  screenToImage,
  zoomAt,
} from '../../renderer/core/screenFrame.ts';
import { WorkingMask } from '../../renderer/core/workingMask.ts';

function randomMask(width: number, height: number, seed: number): Uint8Array {
  let s = seed;
  const random = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const data = new Uint8Array(width * height);
  // Blobs, so runs are long and short.
  for (let k = 0; k < 6; k++) {
    const cx = random() * width;
    const cy = random() * height;
    const r = 2 + random() * 9;
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++)
        if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 < r * r) data[y * width + x] = 1;
  }
  return data;
}

describe('screen frame', () => {
  it('maps screen ↔ image and zooms around the anchor', () => {
    const v = fitViewport({ width: 400, height: 200 }, { width: 832, height: 432 }, 16);
    expect(v.scale).toBe(2);
    const p = screenPoint(300, 100);
    const image = screenToImage(v, p);
    const back = imageToScreen(v, image);
    expect(back.x).toBeCloseTo(300);
    const zoomed = zoomAt(v, p, 3);
    expect(screenToImage(zoomed, p).x).toBeCloseTo(image.x);
    expect(screenToImage(zoomed, p).y).toBeCloseTo(image.y);
  });
});

describe('first candidate shown', () => {
  it('is the highest predicted IoU among candidates with pixels; an empty one only when all are', () => {
    const c = (predictedIou: number, area: number) => ({ predictedIou, rankScore: predictedIou, area });
    expect(bestCandidate([c(0.5, 10), c(0.9, 20), c(0.7, 30)])).toBe(1);
    expect(bestCandidate([c(0.09, 488), c(0.09, 38), c(0.17, 0)])).toBe(0);
    expect(bestCandidate([c(0.2, 0), c(0.3, 5), c(0.8, 0)])).toBe(1);
    expect(bestCandidate([c(0.2, 0), c(0.6, 0), c(0.4, 0)])).toBe(1);
  });

  it("is the model's own ranking when it is not the predicted IoU (EdgeSAM ranks by stability)", () => {
    const c = (predictedIou: number, rankScore: number, area = 10) => ({ predictedIou, rankScore, area });
    expect(bestCandidate([c(0.9, 0.2), c(0.1, 0.97), c(0.5, 0.6)])).toBe(1);
    expect(bestCandidate([c(0.9, 0.2), c(0.1, 0.97, 0), c(0.5, 0.6)])).toBe(2);
  });
});

describe('history', () => {
  const counter = () => {
    const log: string[] = [];
    const entry = (name: string) => ({
      label: name,
      undo: () => void log.push(`undo ${name}`),
      redo: () => void log.push(`redo ${name}`),
    });
    return { log, entry };
  };

  it('squashes a gesture to one step at its mark, and bails a cancelled one', async () => {
    const h = new History();
    const { log, entry } = counter();
    h.push(entry('a'));
    const mark = h.mark();
    h.push(entry('b1'));
    h.push(entry('b2'));
    h.squashToMark(mark, 'b');
    expect(h.labels).toEqual(['a', 'b']);
    await h.undo();
    expect(log).toEqual(['undo b2', 'undo b1']);
    await h.redo();
    const cancel = h.mark();
    h.push(entry('c'));
    await h.bailToMark(cancel);
    expect(h.labels).toEqual(['a', 'b']);
    expect(h.redoLength).toBe(0);
    expect(log.at(-1)).toBe('undo c');
  });

  it('runs async undo/redo one at a time, in order', async () => {
    const h = new History();
    const log: string[] = [];
    const slow = (name: string, ms: number) => ({
      label: name,
      undo: () => new Promise<void>((r) => setTimeout(() => (log.push(`undo ${name}`), r()), ms)),
      redo: () => void log.push(`redo ${name}`),
    });
    h.push(slow('a', 5));
    h.push(slow('b', 20));
    void h.undo();
    void h.undo();
    await h.settled();
    expect(log).toEqual(['undo b', 'undo a']);
  });

  it('offers Redo (and Undo again) while an undo is still being stored, so a quick Ctrl+Shift+Z is not dropped', async () => {
    const h = new History();
    const log: string[] = [];
    let release!: () => void;
    const stored = new Promise<void>((r) => (release = r));
    h.push({ label: 'a', undo: () => void log.push('undo a'), redo: () => void log.push('redo a') });
    h.push({
      label: 'b',
      undo: () => stored.then(() => void log.push('undo b')),
      redo: () => void log.push('redo b'),
    });
    void h.undo();
    expect(h.canRedo).toBe(true); // the store write of 'undo b' has not finished
    expect(h.nextRedoLabel).toBe('b');
    void h.undo();
    expect(h.canUndo).toBe(false);
    void h.redo();
    void h.redo();
    expect(h.canRedo).toBe(false);
    expect(h.canUndo).toBe(true);
    release();
    await h.settled();
    expect(log).toEqual(['undo b', 'undo a', 'redo a', 'redo b']);
    expect(h.labels).toEqual(['a', 'b']);
    expect(h.canRedo).toBe(false);
  });
});

describe('mask rasters', () => {
  it('at full resolution equal the mask; downscaled, each cell is the exact coverage of its pixels', () => {
    const width = 53;
    const height = 37;
    const data = randomMask(width, height, 11);
    const rle = encodeMask({ width, height, data });
    const full = rasterizeRle(rle);
    for (let y = 0; y < full.height; y++)
      for (let x = 0; x < full.width; x++)
        expect(full.alpha[y * full.width + x]).toBe(data[(y + full.y) * width + x + full.x] ? 255 : 0);
    const small = rasterizeRle(rle, 100);
    expect(small.width * small.height).toBeLessThanOrEqual(100 + small.width + small.height);
    // Total coverage is preserved up to rounding.
    const area = data.reduce((n, v) => n + v, 0);
    let covered = 0;
    const sx = small.width / small.imageWidth;
    const sy = small.height / small.imageHeight;
    for (let i = 0; i < small.alpha.length; i++) covered += small.alpha[i]! / 255;
    expect(covered / (sx * sy)).toBeGreaterThan(area * 0.9);
    expect(covered / (sx * sy)).toBeLessThan(area * 1.1);
  });

  it('picks pixels by RLE', () => {
    const data = new Uint8Array(6 * 4);
    data[2 * 6 + 3] = 1;
    const rle = encodeMask({ width: 6, height: 4, data });
    expect(rleContains(rle, 3.5, 2.2)).toBe(true);
    expect(rleContains(rle, 2.5, 2.2)).toBe(false);
  });
});

describe('brush working mask', () => {
  it('paints discs and segments at full resolution and round-trips to RLE', () => {
    const m = WorkingMask.empty({ width: 40, height: 30 });
    m.dab(10, 10, 3, 1);
    expect(m.data[10 * 40 + 10]).toBe(1);
    expect(m.data[10 * 40 + 14]).toBe(0);
    m.segment(10, 10, 30, 10, 2, 1);
    expect(m.data[10 * 40 + 25]).toBe(1);
    m.dab(20, 10, 2, 0);
    expect(m.data[10 * 40 + 20]).toBe(0);
    expect(m.takeDirty()).toMatchObject({ x: 7, y: 7 });
    expect(m.takeDirty()).toBeUndefined();
    expect(decodeRle(m.toRle()).data).toEqual(m.data);
  });
});

describe('command registry', () => {
  it('has every command the native menu sends', () => {
    for (const id of MENU_COMMANDS) expect(commandById(id), id).toBeDefined();
  });

  it('takes the menu commands’ shortcuts from the menu’s table (issue 17: Mod+N was missing)', () => {
    for (const id of MENU_COMMANDS) expect(commandById(id)?.shortcuts, id).toEqual(MENU_SHORTCUTS[id]);
    for (const c of REVIEW_COMMANDS)
      if ((MENU_COMMANDS as readonly string[]).includes(c.id))
        expect(c.shortcuts, c.id).toEqual(MENU_SHORTCUTS[c.id as MenuCommand]);
  });

  it('gives no two commands the same shortcut', () => {
    const seen = new Map<string, string>();
    for (const c of COMMANDS)
      for (const s of c.shortcuts) {
        expect(seen.get(s), `${s}: ${seen.get(s)} and ${c.id}`).toBeUndefined();
        seen.set(s, c.id);
      }
  });

  it('normalises key chords', () => {
    const key = (k: string, m: { shift?: boolean; mod?: boolean; alt?: boolean } = {}) =>
      chordOf({ key: k, shift: !!m.shift, mod: !!m.mod, alt: !!m.alt });
    expect(key('z', { mod: true })).toBe('Mod+Z');
    expect(key('Z', { mod: true, shift: true })).toBe('Mod+Shift+Z');
    expect(key('?', { shift: true })).toBe('?');
    expect(key('Tab', { shift: true })).toBe('Shift+Tab');
    expect(key('Shift', { shift: true })).toBeUndefined();
  });
});

describe('tool state in the status bar (issue 17: it showed "points.idle")', () => {
  it('is said in words', () => {
    expect(toolPathWords('points.idle')).toBe('Points');
    expect(toolPathWords('box.dragging')).toBe('Box: drawing a box');
    expect(toolPathWords('eraser.painting')).toBe('Eraser: erasing');
    expect(toolPathWords('brush.painting')).toBe('Brush: painting');
    expect(toolPathWords('select.panning')).toBe('Select: panning');
    expect(toolPathWords('polygon.someNewState')).toBe('Polygon: some new state');
  });
});

describe('wheel zoom (issue 17: too coarse)', () => {
  it('zooms about 8 % a mouse notch, smoothly by the delta for trackpads', () => {
    const notch = wheelZoomFactor({ deltaY: -100, deltaMode: 0, ctrlKey: false });
    expect(notch).toBeGreaterThan(1.05);
    expect(notch).toBeLessThan(1.1);
    expect(wheelZoomFactor({ deltaY: 100, deltaMode: 0, ctrlKey: false })).toBeCloseTo(1 / notch);
    expect(wheelZoomFactor({ deltaY: -3, deltaMode: 1, ctrlKey: false })).toBeCloseTo(notch, 1);
    const touch = wheelZoomFactor({ deltaY: -4, deltaMode: 0, ctrlKey: false });
    expect(touch).toBeGreaterThan(1);
    expect(touch).toBeLessThan(1.005);
    expect(wheelZoomFactor({ deltaY: -100, deltaMode: 0, ctrlKey: true })).toBeCloseTo(1.1);
    expect(wheelZoomFactor({ deltaY: -2, deltaMode: 0, ctrlKey: true })).toBeCloseTo(Math.exp(0.02));
  });
});
