/**
 * The annotator: the framework-free editor behind the canvas (tldraw's Editor, reduced). It is the composition
 * root (issue 17): it owns the document store, the history, the decode client and the tools, wires the feature
 * modules (editorParts.ts) and routes input to the tools and commands. Feature logic lives in the modules:
 *
 *   drafts/       the SAM draft: prompts → decode → candidates, accept        hover/  previews a click adopts
 *   annotations/  edits of stored masks, refs across new ids                  brush/  brush and eraser strokes
 *   view/         zoom, selection, visibility, options                        auto/   automatic masks
 *   commands/     every user command, acting on `EditorHost` (commands/host.ts) through one `CommandManager`
 *
 * Each module sees the editor through its own narrow host (`DraftHost`, `HoverHost`, …, as `AutoHost` does); tools
 * see `ToolHost` (editorToolHost.ts). The Svelte layer mirrors the state; the Konva layer draws it and feeds it
 * pointer and key events; tests drive it headless with a fake backend (tests/renderer/TestAnnotator.ts).
 *
 * Frames: prompts, masks and the pointer are in image pixels; only `view.viewport` knows the screen.
 */
import type { Size } from '../../electron/common/frames.ts';
import type { PromptBox } from '../../electron/common/prompts.ts';
import type { AnnotationItem, CategoryItem } from '../../electron/ipc/contract.ts';
import type { StoredAnnotations } from './annotations/storedAnnotations.ts';
import { type AnnotatorBackend, type AppHooks, NO_HOOKS } from './annotatorBackend.ts';
import type { AutoMasks } from './auto/autoMasks.ts';
import type { BrushStrokes } from './brush/brushStrokes.ts';
import type { DraftCommands, EditorHost, ToolId } from './commands/host.ts';
import { COMMANDS } from './commands/index.ts';
import { CommandManager } from './commands/manager.ts';
import { DecoderClient } from './decoder.ts';
import { type AnnotatorDocument, type Draft, DocumentStore, activeDraft } from './document.ts';
import { DraftClock } from './drafts/draftClock.ts';
import type { DraftEditor } from './drafts/draftEditor.ts';
import { type EditorCore, type EditorParts, createEditorParts } from './editorParts.ts';
import { type AnnotatorTopic, EditorEvents } from './editorEvents.ts';
import { EditorStatus } from './editorStatus.ts';
import { EditorInput } from './editorInput.ts';
import { editorToolHost } from './editorToolHost.ts';
import { History } from './history.ts';
import type { HoverPreview, HoverPreviews } from './hover/hoverPreviews.ts';
import type { OutlineEditing } from './outline/outlineEditing.ts';
import type { PolygonSketch } from './outline/polygonSketch.ts';
import type { Viewport } from './screenFrame.ts';
import type { Clock } from './timing.ts';
import { boxTool } from './tools/box/index.ts';
import { brushTool, eraserTool } from './tools/brush/index.ts';
import { ToolMachine } from './tools/machine.ts';
import { outlineTool } from './tools/outline/index.ts';
import { pointsTool } from './tools/points/index.ts';
import { polygonTool } from './tools/polygon/index.ts';
import { selectTool } from './tools/select/index.ts';
import type { UnlabeledRaster } from './unlabeled.ts';
import { UnlabeledOverlay } from './view/unlabeledOverlay.ts';
import type { ViewOption, ViewOptions, ViewState } from './view/viewState.ts';

export type { AnnotatorBackend, AppHooks } from './annotatorBackend.ts';
export type { LiveStroke, Stroke } from './brush/brushStrokes.ts';
export type { ToolId } from './commands/host.ts';
export { EMPTY_MASK } from './drafts/acceptDraft.ts';
export { ERASED_WHOLE_MASK } from './editorParts.ts';
export type { AnnotatorTopic } from './editorEvents.ts';
export type { HoverPreview } from './hover/hoverPreviews.ts';
export type { MultimaskMode } from './view/viewState.ts';

export interface AnnotatorOptions {
  readonly backend: AnnotatorBackend;
  readonly now?: Clock;
  readonly hooks?: Partial<AppHooks>;
  /** Whether the model accepts `maskInputRef` (ModelStatus.capabilities.maskInput). */
  readonly maskInput?: boolean;
  readonly mac?: boolean;
}

const EMPTY_DOC: AnnotatorDocument = { image: { id: -1, width: 1, height: 1 }, annotations: [], draft: null };

export class Annotator implements EditorHost, EditorCore {
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
  readonly clock: DraftClock;
  readonly status: EditorStatus;
  readonly view: ViewState;
  readonly stored: StoredAnnotations;
  readonly hoverPreviews: HoverPreviews;
  readonly draftEditor: DraftEditor;
  readonly drafts: DraftCommands;
  readonly brush: BrushStrokes;
  /** Automatic masks on this image: run, accept, reject (the semi-automatic stage). */
  readonly auto: AutoMasks;
  /** The selected mask's outline being edited, and the polygon being drawn (issue 17). */
  readonly outline: OutlineEditing;
  readonly sketch: PolygonSketch;
  readonly commands: CommandManager<EditorHost>;
  /** Pointer and key events from the canvas binding (or a test). */
  readonly input: EditorInput;
  private readonly parts: EditorParts;
  private readonly events = new EditorEvents();
  private readonly unlabeledOverlay = new UnlabeledOverlay();
  /** See `setImageProblem`. */
  private imageProblem: string | null = null;

  constructor(options: AnnotatorOptions) {
    this.now = options.now ?? (() => performance.now());
    this.hooks = { ...NO_HOOKS, ...options.hooks };
    this.maskInput = options.maskInput ?? true;
    this.mac = options.mac ?? false;
    this.decoder = new DecoderClient(options.backend, this.now);
    this.clock = new DraftClock(this.now);
    this.status = new EditorStatus((topic) => this.emit(topic));
    const parts = (this.parts = createEditorParts(this, options.backend));
    ({ view: this.view, stored: this.stored, hover: this.hoverPreviews, brush: this.brush } = parts);
    ({ draftEditor: this.draftEditor, drafts: this.drafts, auto: this.auto } = parts);
    ({ outline: this.outline, sketch: this.sketch } = parts);
    this.commands = new CommandManager<EditorHost>(COMMANDS, {
      host: this,
      history: this.history,
      fail: (error) => this.fail(error),
    });
    const toolHost = editorToolHost(this, parts);
    this.tools = new ToolMachine([
      pointsTool(toolHost),
      boxTool(toolHost),
      brushTool(toolHost),
      eraserTool(toolHost),
      selectTool(toolHost),
      polygonTool(toolHost),
      outlineTool(toolHost),
    ]);
    this.input = new EditorInput({
      tools: this.tools,
      run: (id) => this.run(id),
      runShortcut: (e) => this.commands.runShortcut(e),
      activity: () => this.activity(),
      refusal: () => this.imageProblem && `This image cannot be segmented: ${this.imageProblem}`,
      fail: (message) => this.status.fail(new Error(message)),
    });
    this.tools.subscribe(() => this.emit('tool'));
    this.store.subscribe(() => this.emit('document'));
    this.history.subscribe(() => this.emit('history'));
  }

  // ───────────────────────────── observation ─────────────────────────────

  on(topic: AnnotatorTopic, listener: () => void): () => void {
    return this.events.on(topic, listener);
  }

  emit(topic: AnnotatorTopic): void {
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

  // The parts' state most read from outside (tests, the Svelte mirror), by its old names.
  get viewport(): Viewport {
    return this.view.viewport;
  }
  get selectedId(): number | null {
    return this.view.selectedId;
  }
  get categoryId(): number | null {
    return this.view.categoryId;
  }
  set categoryId(id: number | null) {
    this.view.categoryId = id;
  }
  get lastError(): string | null {
    return this.status.lastError;
  }
  get hoverPreview(): HoverPreview | null {
    return this.hoverPreviews.preview;
  }
  get dragBox(): PromptBox | null {
    return this.hoverPreviews.dragBox;
  }

  // ───────────────────────────── images and options ─────────────────────────────

  /** Show another image: the draft is dropped (no history), and history starts afresh. */
  openImage(image: { id: number } & Size, annotations: readonly AnnotationItem[]): void {
    this.tools.interrupt();
    this.decoder.cancel('hover');
    this.decoder.cancel('click');
    this.history.clear();
    this.parts.reset();
    this.clock.stop();
    this.status.lastError = null;
    this.store.set({ image, annotations, draft: null });
    this.view.fit();
    this.emit('overlay');
    this.emit('status');
  }

  /**
   * The open image could not be read (its embedding failed: a truncated JPEG, say): clicks on it only say so,
   * instead of starting a draft that waits for ever (issue 17). null when it is fine.
   */
  setImageProblem(reason: string | null): void {
    if (reason === this.imageProblem) return;
    this.imageProblem = reason;
    if (reason) {
      this.tools.interrupt();
      this.run('mask.cancel');
    }
    this.emit('status');
  }

  /** Annotations changed outside the editor (e.g. an import): replace them, keep the draft. */
  replaceAnnotations(annotations: readonly AnnotationItem[]): void {
    this.store.update((doc) => ({ ...doc, annotations }));
  }

  setCategories(categories: readonly CategoryItem[]): void {
    this.view.setCategories(categories);
  }

  setViewSize(size: Size): void {
    this.view.setViewSize(size);
  }

  setSelected(id: number | null): void {
    this.view.setSelected(id);
  }

  setOption<K extends ViewOption>(key: K, value: ViewOptions[K]): void {
    this.view[key] = value as ViewState[K];
    if (key === 'hoverEnabled' && !value) this.hoverPreviews.hover(null, 1);
    if (key === 'multimaskMode') this.draftEditor.redecode();
    this.emit('view');
  }

  setTool(id: ToolId): void {
    if (this.tools.tool.id === 'outline' && id !== 'outline') this.outline.reset();
    this.tools.setTool(id);
    this.hoverPreviews.hover(null, 1);
    this.emit('overlay');
  }

  // ───────────────────────────── commands and input ─────────────────────────────

  /** Run a command by id if it is available; returns whether it ran. Recorded commands become one step. */
  run(id: string, arg?: unknown): boolean {
    return this.commands.run(id, arg);
  }

  isAvailable(id: string, arg?: unknown): boolean {
    return this.commands.isAvailable(id, arg);
  }

  /** Any sign of life (per-mask timing). */
  activity(): void {
    this.clock.activity();
  }

  fail(error: unknown): void {
    this.status.fail(error);
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
