/**
 * What the annotator's commands see (issue 17): a narrow host, grouped by feature, instead of the whole editor.
 * The annotator implements it; a command reaches a feature's few verbs through its group (`host.drafts`,
 * `host.stored`, `host.view`, `host.auto`), never the modules behind them.
 */
import type { Size } from '../../../electron/common/frames.ts';
import type { PromptBox, PromptPoint } from '../../../electron/common/prompts.ts';
import type { Rle } from '../../../electron/common/rle.ts';
import type { AnnotationItem, AnnotationPatch, CategoryItem } from '../../../electron/ipc/contract.ts';
import type { AppHooks } from '../annotatorBackend.ts';
import type { AutoMasks } from '../auto/autoMasks.ts';
import type { Stroke } from '../brush/brushStrokes.ts';
import type { AnnotatorDocument, Draft, DraftDecode } from '../document.ts';
import type { History } from '../history.ts';
import type { OutlineEditing } from '../outline/outlineEditing.ts';
import type { ViewOption, ViewOptions } from '../view/viewState.ts';
import type { UndoCapture } from './types.ts';

export type ToolId = 'points' | 'box' | 'brush' | 'eraser' | 'select' | 'polygon' | 'outline';

/** The draft's verbs (drafts/draftEditor.ts, drafts/acceptDraft.ts, hover/hoverPreviews.ts). */
export interface DraftCommands {
  /** The draft to build on: the current one, or a new one. */
  baseDraft(): Draft;
  /** The hover preview's decode if it answered exactly this click or box on `base` (adopt it: no decode). */
  adoptableForPoint(point: PromptPoint, base: Draft | null): DraftDecode | null;
  adoptableForBox(box: PromptBox, base: Draft | null): DraftDecode | null;
  /** Make `next` the draft (one step); `parent` is the draft it refines. */
  change(next: Draft, parent: Draft | null): UndoCapture;
  /** Enter: store the draft's mask; null when its decode is still coming (it is accepted when it arrives). */
  accept(): Promise<UndoCapture> | null;
  /** Esc: drop the draft and its steps. */
  cancel(): void;
  selectCandidate(index: number): void;
  /** Record a finished brush stroke. */
  commitStroke(stroke: Stroke, rle: Rle): UndoCapture | Promise<UndoCapture>;
  /** A polygon drawn by hand becomes the draft, `rle` its mask (one step; issue 17). */
  drawPolygon(rle: Rle, vertices: number): UndoCapture;
}

/** Outline editing of a stored mask (outline/outlineEditing.ts; issue 17). */
export type OutlineCommands = Pick<OutlineEditing, 'write'>;

/** Edits of stored masks (annotations/storedAnnotations.ts). */
export interface StoredCommands {
  delete(id: number): Promise<UndoCapture>;
  patch(id: number, patch: AnnotationPatch, undoPatch: AnnotationPatch): Promise<UndoCapture>;
  move(id: number, direction: 'up' | 'down'): Promise<UndoCapture>;
}

/** The view's verbs (view/viewState.ts) and options. */
export interface ViewCommands extends Readonly<ViewOptions> {
  readonly selectedId: number | null;
  readonly hidden: ReadonlySet<number>;
  readonly categories: readonly CategoryItem[];
  setSelected(id: number | null): void;
  toggleHidden(id: number): void;
  setAllHidden(hide: boolean): void;
  chooseCategory(id: number): void;
  fit(): void;
  actualSize(): void;
  zoomBy(factor: number): void;
}

/** Automatic masks (auto/autoMasks.ts). */
export type AutoCommands = Pick<
  AutoMasks,
  'running' | 'pending' | 'boxCount' | 'selectedPending' | 'run' | 'decide' | 'step'
>;

export interface EditorHost {
  readonly doc: AnnotatorDocument;
  readonly image: Size | null;
  readonly draft: Draft | null;
  /** The draft has something to accept or cancel. */
  readonly drafting: boolean;
  readonly selected: AnnotationItem | null;
  /** Annotations drawn and listed (rejected ones are kept but hidden). */
  readonly visibleAnnotations: readonly AnnotationItem[];
  readonly history: Pick<History, 'canUndo' | 'canRedo' | 'undo' | 'redo'>;
  readonly hooks: AppHooks;
  readonly drafts: DraftCommands;
  readonly stored: StoredCommands;
  readonly view: ViewCommands;
  readonly auto: AutoCommands;
  readonly outline: OutlineCommands;
  /** Change an option, with its effects (hover off hides the preview, a new multimask mode decodes again). */
  setOption<K extends ViewOption>(key: K, value: ViewOptions[K]): void;
  setTool(id: ToolId): void;
}
