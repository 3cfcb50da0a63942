/**
 * Tools are small state machines (tldraw's StateNode, reduced): a tool is a set of states, one file each; the
 * current state gets the normalised pointer and key events and may `transition()` to another. The active path
 * ('box.dragging') is observable, for tests and for the UI (cursor, hints).
 *
 * Konva handlers only turn DOM events into these events (image-frame points included) and pass them on.
 */
import type { ImagePoint, Size } from '../../../electron/common/frames.ts';
import type { PointLabel, PromptBox } from '../../../electron/common/prompts.ts';
import type { Draft } from '../document.ts';
import type { EditedOutline } from '../outline/outlineEditing.ts';
import type { PolygonWithHoles, VertexRef } from '../outline/outlineGeometry.ts';
import type { PolygonSketchState } from '../outline/polygonSketch.ts';
import type { ScreenPoint } from '../screenFrame.ts';

export interface ToolPointerEvent {
  /** Where the pointer is, image frame. */
  readonly point: ImagePoint;
  /** Where the pointer is, screen frame. */
  readonly screen: ScreenPoint;
  /** The button that changed (down/up): 0 left, 1 middle, 2 right. For moves, the first one held, or -1. */
  readonly button: number;
  readonly alt: boolean;
  readonly shift: boolean;
  /** Ctrl, or Cmd on macOS. */
  readonly mod: boolean;
}

export interface ToolKeyEvent {
  /** KeyboardEvent.key. */
  readonly key: string;
  readonly alt: boolean;
  readonly shift: boolean;
  readonly mod: boolean;
}

/** What tools may ask of the annotator. */
export interface ToolHost {
  readonly image: Size | null;
  readonly draft: Draft | null;
  /** Screen pixels → image pixels at the current zoom. */
  imageLength(screenPixels: number): number;
  /** Brush radius, image pixels. */
  readonly brushRadius: number;

  addPoint(point: ImagePoint, label: PointLabel): void;
  removePoint(index: number): void;
  setBox(box: PromptBox): void;
  /** Index of the draft point under the pointer (within a few screen pixels), or -1. */
  pointAt(point: ImagePoint): number;

  /** Hover preview for a click at `point` (null: none). */
  hover(point: ImagePoint | null, label: PointLabel): void;
  /** Live preview of a box being dragged (null: none). */
  hoverBox(box: PromptBox | null): void;
  /** A box being dragged, for display (not a document change). */
  showDragBox(box: PromptBox | null): void;

  beginStroke(point: ImagePoint, erase: boolean): boolean;
  continueStroke(point: ImagePoint): void;
  endStroke(): void;
  cancelStroke(): void;
  /** Brush cursor position (display only). */
  showBrushCursor(point: ImagePoint | null): void;

  selectAt(point: ImagePoint): void;
  panBy(dx: number, dy: number): void;
  /** Any sign of life (per-mask timing). */
  activity(): void;

  // Polygon tool and outline editing (issue 17).
  /** The polygon being drawn, for display (not a document change). */
  showPolygonSketch(sketch: PolygonSketchState | null): void;
  /** A closed polygon becomes the draft (one step). */
  closePolygon(vertices: readonly ImagePoint[]): void;
  /** The selected mask's outline, if it can be edited. */
  readonly outline: EditedOutline | null;
  selectVertex(vertex: VertexRef | null): void;
  /** A live outline while a vertex is dragged (null: the stored one). */
  previewOutline(outline: PolygonWithHoles[] | null): void;
  /** Store an edited outline as the mask of `id` (one step). */
  writeOutline(id: number, outline: PolygonWithHoles[]): void;
  /** Leave outline editing (Enter / Esc). */
  finishOutline(): void;
  /** Say why an action was refused. */
  refuse(message: string): void;
}

export abstract class ToolState {
  abstract readonly id: string;
  constructor(protected readonly tool: Tool) {}

  protected get host(): ToolHost {
    return this.tool.host;
  }

  onEnter(_info?: unknown): void {}
  onExit(): void {}
  onPointerDown(_e: ToolPointerEvent): void {}
  onPointerMove(_e: ToolPointerEvent): void {}
  onPointerUp(_e: ToolPointerEvent): void {}
  onPointerLeave(): void {}
  /** Return true when the key was used (it then runs no command). */
  onKeyDown(_e: ToolKeyEvent): boolean {
    return false;
  }
  onKeyUp(_e: ToolKeyEvent): void {}
  /** Esc. Return true when the state consumed it (a gesture was cancelled). */
  onCancel(): boolean {
    return false;
  }
  /** The tool or image is being switched away from, or the window lost focus: drop any gesture. */
  onInterrupt(): void {}

  protected transition(id: string, info?: unknown): void {
    this.tool.transition(id, info);
  }
}

export type StateClass = new (tool: Tool) => ToolState;

export class Tool {
  readonly states: ReadonlyMap<string, ToolState>;
  private currentState: ToolState;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly id: string,
    readonly host: ToolHost,
    states: readonly StateClass[],
    /** Tool options visible to states (e.g. the eraser is the brush with `erase`). */
    readonly options: { readonly erase?: boolean } = {},
  ) {
    const map = new Map<string, ToolState>();
    for (const State of states) {
      const state = new State(this);
      map.set(state.id, state);
    }
    this.states = map;
    this.currentState = map.values().next().value!;
  }

  get current(): ToolState {
    return this.currentState;
  }

  get path(): string {
    return `${this.id}.${this.currentState.id}`;
  }

  transition(id: string, info?: unknown): void {
    const next = this.states.get(id);
    if (!next) throw new Error(`tool ${this.id} has no state ${id}`);
    this.currentState.onExit();
    this.currentState = next;
    next.onEnter(info);
    for (const listener of this.listeners) listener();
  }

  /** Back to the first state after an interruption. */
  reset(): void {
    this.currentState.onInterrupt();
    const initial = this.states.values().next().value!;
    if (this.currentState !== initial) this.transition(initial.id);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Press-and-move farther than this (screen px) and a click becomes a drag. */
export const DRAG_THRESHOLD_PX = 4;
/** A click within this many screen px of a prompt point hits the point. */
export const POINT_HIT_PX = 8;
