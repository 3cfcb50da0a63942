/**
 * The annotator: the framework-free editor behind the canvas (tldraw's Editor, reduced). It composes small
 * modules and routes input; it holds no feature logic itself (issue 17):
 *
 *   drafts/    the SAM draft: prompts → decode → candidates (DraftEditor), accept (DraftAcceptance)
 *   hover/     hover previews a click can adopt          annotations/  edits of stored masks, refs
 *   brush/     brush and eraser strokes                  view/         zoom, selection, visibility, options
 *   auto/      automatic masks                           commands/     every user command, on `EditorHost`
 *
 * Each module sees the editor through its own narrow host interface (`DraftHost`, `HoverHost`, …), as
 * `AutoHost` does; commands see `EditorHost` (commands/host.ts), tools see `ToolHost` (tools/types.ts). The Svelte
 * layer mirrors its state; the Konva layer draws it and feeds it pointer and key events; tests drive it headless
 * with a fake backend (tests/renderer/TestAnnotator.ts).
 *
 * Frames: prompts, masks and the pointer are in image pixels; only `viewport` knows the screen.
 */
import type { ImagePoint, Size } from '../../electron/common/frames.ts';
import type { PointLabel, PromptBox } from '../../electron/common/prompts.ts';
import { rleArea } from '../../electron/common/rle.ts';
import type { Rle } from '../../electron/common/rle.ts';
import type { AnnotationItem, CategoryItem } from '../../electron/ipc/contract.ts';
import { StoredAnnotations } from './annotations/storedAnnotations.ts';
import { type AnnotatorBackend, type AppHooks, NO_HOOKS } from './annotatorBackend.ts';
import { AutoMasks } from './auto/autoMasks.ts';
import { BrushStrokes, type LiveStroke, type Stroke } from './brush/brushStrokes.ts';
import type { DraftCommands, EditorHost, ToolId } from './commands/host.ts';
import { COMMANDS } from './commands/index.ts';
import { CommandManager } from './commands/manager.ts';
import type { UndoCapture } from './commands/types.ts';
import { DecoderClient } from './decoder.ts';
import { type AnnotatorDocument, type Draft, DocumentStore, activeDraft, pointNear } from './document.ts';
import { DraftAcceptance } from './drafts/acceptDraft.ts';
import { DraftClock } from './drafts/draftClock.ts';
import { DraftEditor } from './drafts/draftEditor.ts';
import { boxKey, decodeRequest, pointKey } from './drafts/decodeRequests.ts';
import { type AnnotatorTopic, EditorEvents } from './editorEvents.ts';
import { EditorStatus } from './editorStatus.ts';
import { History } from './history.ts';
import { type HoverPreview, HoverPreviews } from './hover/hoverPreviews.ts';
import { rleContains } from './maskRaster.ts';
import { type ScreenPoint, type Viewport, insideImage } from './screenFrame.ts';
import type { Clock } from './timing.ts';
import { boxTool } from './tools/box/index.ts';
import { brushTool, eraserTool } from './tools/brush/index.ts';
import { ToolMachine } from './tools/machine.ts';
import { pointsTool } from './tools/points/index.ts';
import { selectTool } from './tools/select/index.ts';
import { POINT_HIT_PX, type ToolHost, type ToolKeyEvent, type ToolPointerEvent } from './tools/types.ts';
import type { UnlabeledRaster } from './unlabeled.ts';
import { UnlabeledOverlay } from './view/unlabeledOverlay.ts';
import { type MultimaskMode, type ViewOption, type ViewOptions, ViewState } from './view/viewState.ts';

export type { AnnotatorBackend, AppHooks } from './annotatorBackend.ts';
export type { AnnotatorTopic } from './editorEvents.ts';
export type { HoverPreview, LiveStroke, MultimaskMode, Stroke, ToolId };
export { EMPTY_MASK } from './drafts/acceptDraft.ts';

/** Why an eraser stroke that would leave an accepted mask without pixels was undone. */
export const ERASED_WHOLE_MASK =
  'That stroke would erase the whole mask, so it was undone. To remove a mask, press Delete.';

export interface AnnotatorOptions {
  readonly backend: AnnotatorBackend;
  readonly now?: Clock;
  readonly hooks?: Partial<AppHooks>;
  /** Whether the model accepts `maskInputRef` (ModelStatus.capabilities.maskInput). */
  readonly maskInput?: boolean;
  readonly mac?: boolean;
}

const EMPTY_DOC: AnnotatorDocument = { image: { id: -1, width: 1, height: 1 }, annotations: [], draft: null };

export class Annotator implements ToolHost, EditorHost {
  readonly store = new DocumentStore(EMPTY_DOC);
  readonly history = new History();
  readonly tools: ToolMachine;
  readonly decoder: DecoderClient;
  readonly now: Clock;
  readonly mac: boolean;
  hooks: AppHooks;
  /** Whether the model accepts `maskInputRef` (ModelStatus.capabilities.maskInput). */
  maskInput: boolean;
  /** Longest side of the preview bitmaps asked with each decode (≈ the canvas size). */
  previewMaxSide = 1024;
  /** A box being dragged, for display (not a document change). */
  dragBox: PromptBox | null = null;

  private readonly events = new EditorEvents();
  readonly status = new EditorStatus((topic) => this.emit(topic));
  readonly view: ViewState;
  readonly stored: StoredAnnotations;
  readonly hoverPreviews: HoverPreviews;
  readonly draftEditor: DraftEditor;
  readonly drafts: DraftCommands;
  readonly brush: BrushStrokes;
  /** Automatic masks on this image: run, accept, reject (the semi-automatic stage). */
  readonly auto: AutoMasks;
  readonly commands: CommandManager<EditorHost>;
  private readonly clock: DraftClock;
  private readonly acceptance: DraftAcceptance;
  private readonly unlabeledOverlay = new UnlabeledOverlay();

  constructor(options: AnnotatorOptions) {
    const backend = options.backend;
    this.now = options.now ?? (() => performance.now());
    this.hooks = { ...NO_HOOKS, ...options.hooks };
    this.maskInput = options.maskInput ?? true;
    this.mac = options.mac ?? false;
    this.decoder = new DecoderClient(backend, this.now);
    this.clock = new DraftClock(this.now);
    const emit = (topic: AnnotatorTopic) => this.emit(topic);
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the hosts' getters read the editor's live state
    const self = this;
    this.view = new ViewState({
      get image() {
        return self.image;
      },
      get visibleAnnotations() {
        return self.visibleAnnotations;
      },
      emit,
    });
    this.stored = new StoredAnnotations(
      {
        store: this.store,
        get selectedId() {
          return self.view.selectedId;
        },
        setSelected: (id) => this.view.setSelected(id),
        renamed: (id, newId) => this.view.renamed(id, newId),
        emit,
      },
      backend,
    );
    this.hoverPreviews = new HoverPreviews({
      get doc() {
        return self.doc;
      },
      get image() {
        return self.image;
      },
      get hoverEnabled() {
        return self.view.hoverEnabled;
      },
      decoder: this.decoder,
      status: this.status,
      pointAt: (point) => this.pointAt(point),
      newDraft: () => this.draftEditor.newDraft(),
      requestFor: (draft, extra) =>
        decodeRequest(this.decodeSettings(), this.draftEditor.lineage, draft, extra),
      emit,
    });
    this.draftEditor = new DraftEditor(
      {
        store: this.store,
        history: this.history,
        decoder: this.decoder,
        status: this.status,
        clock: this.clock,
        requestFor: (draft, lineage) => decodeRequest(this.decodeSettings(), lineage, draft),
        forgetHover: () => this.hoverPreviews.forget(),
        acceptNow: () => this.run('mask.accept'),
        emit,
      },
      backend,
    );
    this.acceptance = new DraftAcceptance(
      {
        store: this.store,
        drafts: this.draftEditor,
        stored: this.stored,
        clock: this.clock,
        status: this.status,
        get categoryId() {
          return self.view.categoryId;
        },
        get selectedId() {
          return self.view.selectedId;
        },
        setSelected: (id) => this.view.setSelected(id),
        dropHover: () => {
          this.hoverPreviews.clear();
          this.hoverPreviews.dropAnswer();
        },
        emit,
      },
      backend,
    );
    this.drafts = {
      baseDraft: () => this.draftEditor.baseDraft(),
      adoptableForPoint: (point, label, base) => this.hoverPreviews.answerFor(pointKey(point, label), base),
      adoptableForBox: (box, base) => this.hoverPreviews.answerFor(boxKey(box), base),
      change: (next, parent) => this.draftEditor.change(next, parent),
      accept: () => this.acceptance.accept(),
      cancel: () => {
        this.hoverPreviews.clear();
        this.draftEditor.cancel();
      },
      selectCandidate: (index) => this.draftEditor.selectCandidate(index),
      commitStroke: (stroke, rle) => this.commitStroke(stroke, rle),
    };
    this.brush = new BrushStrokes({
      get image() {
        return self.image;
      },
      get draft() {
        return self.draft;
      },
      get selected() {
        return self.selected;
      },
      get hidden() {
        return self.view.hidden;
      },
      get brushRadius() {
        return self.view.brushRadius;
      },
      now: this.now,
      // An adopted preview whose full mask is still on its way: paint once it is here.
      fetchFullMask: (draft) =>
        void this.draftEditor.ensureFullMask(draft).catch((e: unknown) => this.fail(e)),
      refuse: (message) => this.status.fail(message),
      record: (stroke, rle) => this.run('mask.stroke', { stroke, rle }),
      emit,
    });
    this.auto = new AutoMasks(
      {
        get doc() {
          return self.doc;
        },
        store: this.store,
        get selectedId() {
          return self.view.selectedId;
        },
        setSelected: (id) => this.view.setSelected(id),
        annotationRef: (id) => this.stored.ref(id),
        rebindRef: (ref, id) => this.stored.rebind(ref, id),
        touch: emit,
      },
      backend,
    );
    this.commands = new CommandManager<EditorHost>(COMMANDS, {
      host: this,
      history: this.history,
      fail: (error) => this.fail(error),
    });
    this.tools = new ToolMachine([
      pointsTool(this),
      boxTool(this),
      brushTool(this),
      eraserTool(this),
      selectTool(this),
    ]);
    this.tools.subscribe(() => this.emit('tool'));
    this.store.subscribe(() => this.emit('document'));
    this.history.subscribe(() => this.emit('history'));
  }

  private decodeSettings() {
    return {
      imageId: this.doc.image.id,
      multimaskMode: this.view.multimaskMode,
      maskInput: this.maskInput,
      previewMaxSide: this.previewMaxSide,
    };
  }

  // ───────────────────────────── observation ─────────────────────────────

  on(topic: AnnotatorTopic, listener: () => void): () => void {
    return this.events.on(topic, listener);
  }

  protected emit(topic: AnnotatorTopic): void {
    this.events.emit(topic);
  }

  /** Emit after an outside change of view options (used by the Svelte binding). */
  touch(topic: AnnotatorTopic): void {
    this.emit(topic);
  }

  get doc(): AnnotatorDocument {
    return this.store.get();
  }

  get image(): Size | null {
    return this.doc.image.id < 0 ? null : this.doc.image;
  }

  get draft(): Draft | null {
    return this.doc.draft;
  }

  /** The draft has something to accept or cancel. */
  get drafting(): boolean {
    return activeDraft(this.doc.draft) !== null;
  }

  get toolId(): ToolId {
    return this.tools.tool.id as ToolId;
  }

  get selected(): AnnotationItem | null {
    return this.doc.annotations.find((a) => a.id === this.view.selectedId) ?? null;
  }

  /** Annotations drawn and listed: rejected ones are kept in the store (statistics) but hidden. */
  get visibleAnnotations(): readonly AnnotationItem[] {
    return this.doc.annotations.filter((a) => a.status !== 'rejected');
  }

  /** What no mask covers yet, at display resolution; null without an image. */
  unlabeled(): UnlabeledRaster | null {
    const image = this.image;
    return image ? this.unlabeledOverlay.rasterFor(image, this.doc.annotations) : null;
  }

  // The view and status as fields, for the Svelte mirror, the canvas and tests (the modules own them).
  get viewport(): Viewport {
    return this.view.viewport;
  }
  get viewSize(): Size {
    return this.view.viewSize;
  }
  get selectedId(): number | null {
    return this.view.selectedId;
  }
  get hidden(): ReadonlySet<number> {
    return this.view.hidden;
  }
  get categories(): readonly CategoryItem[] {
    return this.view.categories;
  }
  get category(): CategoryItem | null {
    return this.view.category;
  }
  get categoryId(): number | null {
    return this.view.categoryId;
  }
  set categoryId(id: number | null) {
    this.view.categoryId = id;
  }
  get multimaskMode(): MultimaskMode {
    return this.view.multimaskMode;
  }
  get hoverEnabled(): boolean {
    return this.view.hoverEnabled;
  }
  get brushSize(): number {
    return this.view.brushSize;
  }
  get polygonView(): boolean {
    return this.view.polygonView;
  }
  get polygonTolerance(): number {
    return this.view.polygonTolerance;
  }
  get showUnlabeled(): boolean {
    return this.view.showUnlabeled;
  }
  get brushRadius(): number {
    return this.view.brushRadius;
  }
  get hoverPreview(): HoverPreview | null {
    return this.hoverPreviews.preview;
  }
  get stroke(): LiveStroke | null {
    return this.brush.stroke;
  }
  get brushCursor(): ImagePoint | null {
    return this.brush.cursor;
  }
  get decodePending(): boolean {
    return this.status.decodePending;
  }
  get lastError(): string | null {
    return this.status.lastError;
  }
  get lastDecodeMs(): number | null {
    return this.status.lastDecodeMs;
  }
  /** Performance marks for the bench: pointer event → mask drawn. */
  set onDecodeApplied(fn: ((draft: Draft) => void) | null) {
    this.draftEditor.onDecodeApplied = fn;
  }

  // ───────────────────────────── images ─────────────────────────────

  /** Show another image: the draft is dropped (no history), and history starts afresh. */
  openImage(image: { id: number } & Size, annotations: readonly AnnotationItem[]): void {
    this.tools.interrupt();
    this.decoder.cancel('hover');
    this.decoder.cancel('click');
    this.history.clear();
    this.draftEditor.reset();
    this.stored.reset();
    this.clock.stop();
    this.brush.reset();
    this.view.reset();
    this.hoverPreviews.reset();
    this.dragBox = null;
    this.status.lastError = null;
    this.auto.message = null;
    this.store.set({ image, annotations, draft: null });
    this.fit();
    this.emit('overlay');
    this.emit('status');
  }

  /** Annotations changed outside the editor (e.g. an import): replace them, keep the draft. */
  replaceAnnotations(annotations: readonly AnnotationItem[]): void {
    this.store.update((doc) => ({ ...doc, annotations }));
  }

  setCategories(categories: readonly CategoryItem[]): void {
    this.view.setCategories(categories);
  }

  // ───────────────────────────── commands and input ─────────────────────────────

  /** Run a command by id if it is available; returns whether it ran. Recorded commands become one step. */
  run<Arg>(id: string, arg?: Arg): boolean {
    return this.commands.run(id, arg);
  }

  isAvailable(id: string, arg?: unknown): boolean {
    return this.commands.isAvailable(id, arg);
  }

  pointerDown(e: ToolPointerEvent): void {
    this.activity();
    this.tools.pointerDown(e);
  }

  pointerMove(e: ToolPointerEvent): void {
    this.activity();
    this.tools.pointerMove(e);
  }

  pointerUp(e: ToolPointerEvent): void {
    this.activity();
    this.tools.pointerUp(e);
  }

  pointerLeave(): void {
    this.tools.pointerLeave();
  }

  /** A key went down; returns true when it was used (the caller then prevents the default). */
  keyDown(e: ToolKeyEvent): boolean {
    this.activity();
    if (e.key === 'Escape') {
      if (this.tools.cancel()) return true;
      return this.run('mask.cancel');
    }
    if (this.tools.keyDown(e)) return true;
    return this.commands.runShortcut(e);
  }

  keyUp(e: ToolKeyEvent): void {
    this.tools.keyUp(e);
  }

  /** The window lost focus or a dialog opened: drop gestures in progress. */
  interrupt(): void {
    this.tools.interrupt();
  }

  setTool(id: ToolId): void {
    this.tools.setTool(id);
    this.hover(null, 1);
    this.emit('overlay');
  }

  setOption<K extends ViewOption>(key: K, value: ViewOptions[K]): void {
    this.view[key] = value as ViewState[K];
    if (key === 'hoverEnabled' && !value) this.hover(null, 1);
    if (key === 'multimaskMode') this.draftEditor.redecode();
    this.emit('view');
  }

  // ───────────────────────────── view ─────────────────────────────

  setViewSize(size: Size): void {
    this.view.setViewSize(size);
  }

  setViewport(v: Viewport): void {
    this.view.setViewport(v);
  }

  fit(): void {
    this.view.fit();
  }

  zoomBy(factor: number, anchor?: ScreenPoint): void {
    this.view.zoomBy(factor, anchor);
  }

  setSelected(id: number | null): void {
    this.view.setSelected(id);
  }

  toggleHidden(id: number): void {
    this.view.toggleHidden(id);
  }

  selectCandidate(index: number): void {
    this.draftEditor.selectCandidate(index);
  }

  // ───────────────────────────── tool host ─────────────────────────────

  imageLength(screenPixels: number): number {
    return this.view.imageLength(screenPixels);
  }

  panBy(dx: number, dy: number): void {
    this.view.panBy(dx, dy);
  }

  pointAt(point: ImagePoint): number {
    return pointNear(this.doc.draft?.points ?? [], point, this.imageLength(POINT_HIT_PX));
  }

  addPoint(point: ImagePoint, label: PointLabel): void {
    const image = this.image;
    if (!image || !insideImage(point, image)) return;
    this.run('prompt.addPoint', { x: point.x, y: point.y, label });
  }

  removePoint(index: number): void {
    this.run('prompt.removePoint', index);
  }

  setBox(box: PromptBox): void {
    this.run('prompt.setBox', box);
  }

  hover(point: ImagePoint | null, label: PointLabel): void {
    this.hoverPreviews.hover(point, label);
  }

  hoverBox(box: PromptBox | null): void {
    this.hoverPreviews.hoverBox(box);
  }

  showDragBox(box: PromptBox | null): void {
    this.dragBox = box;
    this.emit('overlay');
  }

  beginStroke(point: ImagePoint, erase: boolean): boolean {
    return this.brush.begin(point, erase);
  }

  continueStroke(point: ImagePoint): void {
    this.brush.continue(point);
  }

  endStroke(): void {
    this.brush.end();
  }

  cancelStroke(): void {
    this.brush.cancel();
  }

  showBrushCursor(point: ImagePoint | null): void {
    this.brush.showCursor(point);
  }

  selectAt(point: ImagePoint): void {
    const hit = [...this.visibleAnnotations]
      .reverse()
      .find((a) => !this.view.hidden.has(a.id) && a.rle && rleContains(a.rle, point.x, point.y));
    this.view.setSelected(hit?.id ?? null);
  }

  /** Any sign of life (per-mask timing). */
  activity(): void {
    this.clock.activity();
  }

  // ───────────────────────────── glue ─────────────────────────────

  /** Record a finished stroke (the 'mask.stroke' command): on the draft, or on a stored mask. */
  private commitStroke(s: Stroke, rle: Rle): UndoCapture | Promise<UndoCapture> {
    if (s.target === 'draft') return this.draftEditor.paint(s.before, rle);
    if (rleArea(rle) === 0) {
      // An annotation without pixels is not an annotation (the store refuses it, exports would skip it); a
      // deliberate removal is Delete, which undo can bring back whole.
      this.brush.dropCache(); // painted in place: no longer the stored mask
      throw new Error(ERASED_WHOLE_MASK);
    }
    return this.stored.patch(s.target, { rle, timing: s.clock.patch() }, { rle: s.beforeRle! });
  }

  fail(error: unknown): void {
    this.status.fail(error);
  }

  clearError(): void {
    this.status.clearError();
  }

  /** Resolves when no decode is in flight and history is settled (tests, bench). */
  async settled(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      await this.history.settled();
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (this.decoder.idle && !this.history.busy) return;
    }
  }
}
