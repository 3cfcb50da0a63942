/**
 * Headless driver for the annotator (tldraw's TestEditor): sends pointer and key events, in image coordinates,
 * to the real tool state machines, with a fake backend and a hand-driven clock. Tests read like user actions:
 *
 *   const t = new TestAnnotator();
 *   t.click(50, 40);                 // left click = positive point
 *   await t.settle();
 *   expect(t.path).toBe('points.idle');
 *   expect(t.undoLength).toBe(1);
 */
import type { AnnotationItem, CategoryItem } from '../../electron/ipc/contract.ts';
import { Annotator, type ToolId } from '../../renderer/core/annotator.ts';
import { imageToScreen, screenToImage, screenPoint } from '../../renderer/core/screenFrame.ts';
import type { ToolPointerEvent } from '../../renderer/core/tools/types.ts';
import { FakeBackend } from './fakeBackend.ts';

export interface Modifiers {
  readonly alt?: boolean;
  readonly shift?: boolean;
  readonly mod?: boolean;
}

export const CATEGORIES: CategoryItem[] = [
  { id: 11, name: 'cat', color: '#e6194b', supercategory: null },
  { id: 12, name: 'dog', color: '#3cb44b', supercategory: null },
];

export class TestAnnotator {
  time = 1_000;
  readonly backend: FakeBackend;
  readonly annotator: Annotator;

  constructor(options: { width?: number; height?: number; annotations?: AnnotationItem[] } = {}) {
    const width = options.width ?? 64;
    const height = options.height ?? 48;
    this.backend = new FakeBackend(width, height);
    this.annotator = new Annotator({ backend: this.backend, now: () => this.time });
    this.annotator.setViewSize({ width: 800, height: 600 });
    this.annotator.setCategories(CATEGORIES);
    this.annotator.openImage({ id: 7, width, height }, options.annotations ?? []);
  }

  get path(): string {
    return this.annotator.tools.path;
  }
  get doc() {
    return this.annotator.doc;
  }
  get draft() {
    return this.annotator.draft;
  }
  get undoLength(): number {
    return this.annotator.history.undoLength;
  }
  get redoLength(): number {
    return this.annotator.history.redoLength;
  }

  tool(id: ToolId): this {
    this.annotator.setTool(id);
    return this;
  }

  /** Let the clock run (ms). */
  wait(ms: number): this {
    this.time += ms;
    return this;
  }

  private event(x: number, y: number, button: number, m: Modifiers): ToolPointerEvent {
    const screen = imageToScreen(this.annotator.viewport, { x, y });
    return {
      point: screenToImage(this.annotator.viewport, screenPoint(screen.x, screen.y)),
      screen,
      button,
      alt: m.alt ?? false,
      shift: m.shift ?? false,
      mod: m.mod ?? false,
    };
  }

  move(x: number, y: number, m: Modifiers = {}, button = -1): this {
    this.annotator.input.pointerMove(this.event(x, y, button, m));
    return this;
  }

  down(x: number, y: number, button = 0, m: Modifiers = {}): this {
    this.annotator.input.pointerDown(this.event(x, y, button, m));
    return this;
  }

  up(x: number, y: number, button = 0, m: Modifiers = {}): this {
    this.annotator.input.pointerUp(this.event(x, y, button, m));
    return this;
  }

  click(x: number, y: number, m: Modifiers = {}): this {
    return this.down(x, y, 0, m).up(x, y, 0, m);
  }

  rightClick(x: number, y: number): this {
    return this.down(x, y, 2).up(x, y, 2);
  }

  /** Press at `from`, move in `steps`, release at `to`. */
  drag(from: [number, number], to: [number, number], steps = 5, button = 0): this {
    this.down(from[0], from[1], button);
    for (let i = 1; i <= steps; i++) {
      const t = i / steps;
      this.move(from[0] + (to[0] - from[0]) * t, from[1] + (to[1] - from[1]) * t, {}, button);
    }
    return this.up(to[0], to[1], button);
  }

  /** Press a key ('Enter', 'Tab', 'z' with { mod: true }, …); returns whether it was used. */
  key(key: string, m: Modifiers = {}): boolean {
    const e = { key, alt: m.alt ?? false, shift: m.shift ?? false, mod: m.mod ?? false };
    const used = this.annotator.input.keyDown(e);
    this.annotator.input.keyUp(e);
    return used;
  }

  undo(): Promise<void> {
    this.key('z', { mod: true });
    return this.settle();
  }

  redo(): Promise<void> {
    this.key('Z', { mod: true, shift: true });
    return this.settle();
  }

  /** Wait for decodes, backend calls and queued undo/redo to finish. */
  settle(): Promise<void> {
    return this.annotator.settled();
  }

  /** The selected candidate's mask area, or undefined. */
  get maskArea(): number | undefined {
    const d = this.draft;
    return d?.decode?.candidates[d.selected]?.area;
  }
}
