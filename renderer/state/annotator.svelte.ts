/**
 * Svelte's view of the core annotator: the fields components read, mirrored from `Annotator` when it says they
 * changed. The canvas does not go through here (it subscribes to the core directly, at pointer rate); components
 * call the core through `run(commandId)` so buttons, shortcuts and the menu share one path.
 */
import type { AmgParams, AnnotationItem, AutoKind, CategoryItem } from '../../electron/ipc/contract.ts';
import { Annotator, type AnnotatorOptions, type MultimaskMode, type ToolId } from '../core/annotator.ts';
import type { AnnotatorDocument } from '../core/document.ts';
import type { Viewport } from '../core/screenFrame.ts';

export class AnnotatorState {
  readonly core: Annotator;

  doc: AnnotatorDocument = $state.raw({
    image: { id: -1, width: 1, height: 1 },
    annotations: [],
    draft: null,
  });
  path = $state('points.idle');
  toolId: ToolId = $state('points');
  viewport: Viewport = $state.raw({ scale: 1, x: 0, y: 0 });
  selectedId: number | null = $state(null);
  // A copy of the core's immutable set, replaced (never mutated) on change.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  hidden: ReadonlySet<number> = $state.raw(new Set());
  categories: readonly CategoryItem[] = $state.raw([]);
  categoryId: number | null = $state(null);
  multimaskMode: MultimaskMode = $state('auto');
  hoverEnabled = $state(true);
  brushSize = $state(24);
  polygonView = $state(false);
  polygonTolerance = $state(1);
  undoLength = $state(0);
  redoLength = $state(0);
  undoLabel: string | undefined = $state();
  redoLabel: string | undefined = $state();
  decodePending = $state(false);
  lastError: string | null = $state(null);
  lastDecodeMs: number | null = $state(null);
  hoverIou: number | null = $state(null);
  showUnlabeled = $state(false);
  /** Share of the image no mask covers (with the overlay on). */
  unlabeledShare: number | null = $state(null);
  autoRunning: AutoKind | null = $state(null);
  autoMessage: string | null = $state(null);
  autoParams: Partial<AmgParams> = $state.raw({});

  readonly draft = $derived(this.doc.draft);
  readonly drafting = $derived(
    !!this.doc.draft && (this.doc.draft.points.length > 0 || !!this.doc.draft.box || !!this.doc.draft.edited),
  );
  readonly annotations: readonly AnnotationItem[] = $derived(this.doc.annotations);
  /** What the list and the canvas show: rejected masks are kept (statistics) but hidden. */
  readonly visible: readonly AnnotationItem[] = $derived(
    this.doc.annotations.filter((m) => m.status !== 'rejected'),
  );
  readonly undecided: readonly AnnotationItem[] = $derived(
    this.doc.annotations.filter((m) => m.status === 'draft' && m.id >= 0),
  );
  readonly rejectedCount = $derived(this.doc.annotations.filter((m) => m.status === 'rejected').length);
  readonly boxCount = $derived(this.doc.annotations.filter((m) => !m.rle).length);

  private readonly unsubscribe: (() => void)[] = [];

  constructor(options: AnnotatorOptions) {
    this.core = new Annotator(options);
    const a = this.core;
    const sync = {
      document: () => {
        this.doc = a.doc;
        this.selectedId = a.selectedId;
        this.unlabeledShare = a.view.showUnlabeled ? (a.unlabeled()?.uncovered ?? null) : null;
      },
      tool: () => {
        this.path = a.tools.path;
        this.toolId = a.toolId;
      },
      view: () => {
        this.viewport = a.viewport;
        this.selectedId = a.selectedId;
        this.hidden = a.view.hidden;
        this.categories = a.view.categories;
        this.categoryId = a.categoryId;
        this.multimaskMode = a.view.multimaskMode;
        this.hoverEnabled = a.view.hoverEnabled;
        this.brushSize = a.view.brushSize;
        this.polygonView = a.view.polygonView;
        this.polygonTolerance = a.view.polygonTolerance;
        this.showUnlabeled = a.view.showUnlabeled;
        this.unlabeledShare = a.view.showUnlabeled ? (a.unlabeled()?.uncovered ?? null) : null;
        this.autoParams = a.auto.params;
      },
      history: () => {
        this.undoLength = a.history.undoLength;
        this.redoLength = a.history.redoLength;
        this.undoLabel = a.history.nextUndoLabel;
        this.redoLabel = a.history.nextRedoLabel;
      },
      status: () => {
        this.decodePending = a.status.decodePending;
        this.lastError = a.lastError;
        this.lastDecodeMs = a.status.lastDecodeMs;
        this.autoRunning = a.auto.running;
        this.autoMessage = a.auto.message;
      },
      overlay: () => {
        this.hoverIou = a.hoverPreview?.predictedIou ?? null;
      },
    };
    for (const [topic, fn] of Object.entries(sync)) {
      fn();
      this.unsubscribe.push(a.on(topic as keyof typeof sync, fn));
    }
  }

  run(id: string, arg?: unknown): boolean {
    return this.core.run(id, arg);
  }

  available(id: string, arg?: unknown): boolean {
    // Read the reactive fields the availability depends on, so buttons update.
    void this.doc;
    void this.undoLength;
    void this.redoLength;
    void this.selectedId;
    void this.categories;
    void this.polygonView;
    void this.autoRunning;
    return this.core.isAvailable(id, arg);
  }

  destroy(): void {
    for (const fn of this.unsubscribe.splice(0)) fn();
  }
}
