/**
 * The annotator: the framework-free editor behind the canvas (tldraw's Editor, reduced). It owns the document
 * (one image's annotations + the SAM draft), the undo history, the tools, the decode client, the per-mask clock
 * and the view (zoom/pan, selection, visibility). The Svelte layer mirrors its state; the Konva layer draws it and
 * feeds it pointer and key events; tests drive it headless with a fake backend (tests/renderer/TestAnnotator.ts).
 *
 * Data flow of a click: canvas → tool state → `addPoint` → command 'prompt.addPoint' (one history step, the
 * draft with the new point) → decode request (click lane; refines from the previous decode via `maskInputRef`) →
 * the reply is applied if that draft is still current, and remembered for redo either way.
 *
 * Frames: prompts, masks and the pointer are in image pixels; only `viewport` knows the screen.
 */
import { type ImagePoint, type Size } from '../../electron/common/frames.ts';
import type { Rle } from '../../electron/common/rle.ts';
import { rleArea, rleBboxCoco } from '../../electron/common/rle.ts';
import type {
  AnnotationItem,
  AnnotationPatch,
  AnnotationTiming,
  CategoryItem,
  DecodeRequest,
  DecodedMask,
  NewAnnotation,
  PreviewReply,
  WireBox,
} from '../../electron/ipc/contract.ts';
import { type AnnotationRef, type AutoBackend, AutoMasks } from './auto/autoMasks.ts';
import { COMMANDS, commandById } from './commands/index.ts';
import { runCommand } from './commands/run.ts';
import { chordOf } from './commands/shortcuts.ts';
import type { AnyCommand, UndoCapture } from './commands/types.ts';
import { type DecodeOutcome, DecoderClient } from './decoder.ts';
import {
  type AnnotatorDocument,
  type Candidate,
  type Draft,
  type DraftDecode,
  DocumentStore,
  activeDraft,
  bestCandidate,
  candidateFromPreview,
  draftMask,
  hasPrompts,
  pointNear,
  promptCount,
  sameRle,
} from './document.ts';
import { History, type Mark } from './history.ts';
import { type MaskRaster, rasterFromPreview, rleContains } from './maskRaster.ts';
import {
  IDENTITY,
  type ScreenPoint,
  type Viewport,
  actualSize,
  fitViewport,
  insideImage,
  panBy,
  screenPoint,
  zoomAt,
} from './screenFrame.ts';
import { type Clock, EditClock, MaskClock } from './timing.ts';
import { boxTool } from './tools/box/index.ts';
import { brushTool, eraserTool } from './tools/brush/index.ts';
import { ToolMachine } from './tools/machine.ts';
import { pointsTool } from './tools/points/index.ts';
import { selectTool } from './tools/select/index.ts';
import { POINT_HIT_PX, type ToolHost, type ToolKeyEvent, type ToolPointerEvent } from './tools/types.ts';
import { type UnlabeledRaster, unlabeledRaster } from './unlabeled.ts';
import { WorkingMask } from './workingMask.ts';

/** The part of the contract the annotator uses (a fake in tests). */
export interface AnnotatorBackend extends AutoBackend {
  previewDecode(request: DecodeRequest): Promise<PreviewReply>;
  decodedMask(decodeId: string, candidate: number): Promise<DecodedMask>;
  addAnnotation(annotation: NewAnnotation): Promise<AnnotationItem>;
  updateAnnotation(id: number, patch: AnnotationPatch): Promise<AnnotationItem>;
  deleteAnnotation(id: number): Promise<void>;
  restoreAnnotation(annotation: AnnotationItem): Promise<AnnotationItem>;
}

/** Things outside the editor that commands can ask for (image navigation, dialogs). No-ops by default. */
export interface AppHooks {
  nextImage(): void;
  previousImage(): void;
  markDoneAndNext(): void;
  toggleShortcuts(): void;
  openExport(): void;
  /** Back to the start screen (open, create, import). */
  openStart(action: 'open' | 'new' | 'importCoco'): void;
  /** The project's automatic pass dialog (issue 5). */
  openAutoPass(): void;
  /** The Models panel (issue 6). */
  openModels(): void;
}

export type MultimaskMode = 'auto' | 'on' | 'off';
export type ToolId = 'points' | 'box' | 'brush' | 'eraser' | 'select';

/** The hover preview: what a click (or the dragged box) would give. */
export interface HoverPreview {
  readonly raster: MaskRaster;
  readonly predictedIou: number;
}

/** A brush stroke in progress, for live display. */
export interface LiveStroke {
  readonly mask: WorkingMask;
  readonly target: 'draft' | number;
  readonly erase: boolean;
  /** The pointer path so far, image pixels (a display draws the new part of it as a round-capped line). */
  readonly path: readonly ImagePoint[];
  /** Brush radius, image pixels. */
  readonly radius: number;
  /** Bumped on every paint, so observers redraw. */
  readonly version: number;
}

export type AnnotatorTopic = 'document' | 'view' | 'overlay' | 'stroke' | 'status' | 'tool' | 'history';

export interface AnnotatorOptions {
  readonly backend: AnnotatorBackend;
  readonly now?: Clock;
  readonly hooks?: Partial<AppHooks>;
  /** Whether the model accepts `maskInputRef` (ModelStatus.capabilities.maskInput). */
  readonly maskInput?: boolean;
  readonly mac?: boolean;
}

const noHooks: AppHooks = {
  nextImage() {},
  previousImage() {},
  markDoneAndNext() {},
  toggleShortcuts() {},
  openExport() {},
  openStart() {},
  openAutoPass() {},
  openModels() {},
};

/** Why Enter did nothing on a mask without pixels (the model found nothing at the click, or all was erased). */
export const EMPTY_MASK =
  'Nothing to accept: the mask is empty. Add a positive click, try another candidate (Tab), or press Esc.';

/** Why an eraser stroke that would leave an accepted mask without pixels was undone. */
export const ERASED_WHOLE_MASK =
  'That stroke would erase the whole mask, so it was undone. To remove a mask, press Delete.';

const EMPTY_DOC: AnnotatorDocument = { image: { id: -1, width: 1, height: 1 }, annotations: [], draft: null };

interface Stroke {
  readonly target: 'draft' | number;
  readonly erase: boolean;
  readonly mask: WorkingMask;
  readonly before: Draft | null;
  readonly beforeRle: Rle | null;
  readonly clock: EditClock;
  last: ImagePoint;
  readonly path: ImagePoint[];
  /** Image pixels, fixed for the stroke (zooming mid-stroke does not change it). */
  readonly radius: number;
  version: number;
  /** The stroke created the draft (painting with no mask): cancelling removes it again. */
  readonly newDraft: boolean;
}

export class Annotator implements ToolHost {
  readonly store = new DocumentStore(EMPTY_DOC);
  readonly history = new History();
  readonly tools: ToolMachine;
  readonly decoder: DecoderClient;
  /** Automatic masks on this image: run, accept, reject (the semi-automatic stage). */
  readonly auto: AutoMasks;
  readonly now: Clock;
  hooks: AppHooks;

  // View state (not document: never recorded).
  viewport: Viewport = IDENTITY;
  viewSize: Size = { width: 1, height: 1 };
  selectedId: number | null = null;
  hidden = new Set<number>();
  categories: readonly CategoryItem[] = [];
  categoryId: number | null = null;
  multimaskMode: MultimaskMode = 'auto';
  hoverEnabled = true;
  /** Brush diameter in screen pixels (so it stays the same size on screen while zooming). */
  brushSize = 24;
  polygonView = false;
  /** Polygon simplification tolerance, image pixels. */
  polygonTolerance = 1;
  /** Shade the image where no mask (accepted or undecided) covers it yet. */
  showUnlabeled = false;
  maskInput: boolean;
  /** Longest side of the preview bitmaps asked with each decode (≈ the canvas size). */
  previewMaxSide = 1024;
  readonly mac: boolean;

  // Overlay (display only).
  hoverPreview: HoverPreview | null = null;
  dragBox: WireBox | null = null;
  brushCursor: ImagePoint | null = null;
  stroke: LiveStroke | null = null;

  // Status.
  decodePending = false;
  lastError: string | null = null;
  lastDecodeMs: number | null = null;
  /** Performance marks for the bench: pointer event → mask drawn. */
  onDecodeApplied: ((draft: Draft) => void) | null = null;

  private readonly backend: AnnotatorBackend;
  private readonly listeners = new Map<AnnotatorTopic, Set<() => void>>();
  private clock: MaskClock | null = null;
  private clockKey = -1;
  private readonly draftMarks = new Map<number, Mark>();
  private nextDraftKey = 1;
  /** A pending draft → the same draft with its decode, once that arrived (for redo and late replies). */
  private readonly resolved = new WeakMap<Draft, Draft>();
  /** A draft → the draft it was made from by adding a prompt (refinement source). */
  private readonly parents = new WeakMap<Draft, Draft>();
  /** Drafts whose refinement source was gone in the backend: decoded from their prompts alone. */
  private readonly noRefine = new WeakSet<Draft>();
  private readonly refs = new Map<number, AnnotationRef>();
  private nextTempId = -1;
  private hoverKey: string | null = null;
  /** The last hover preview shown: a click asking the same question adopts it instead of decoding again. */
  private hoverAnswer: { imageId: number; key: string; base: Draft | null; decode: DraftDecode } | null =
    null;
  /** Full masks being fetched for preview-only candidates, by `decodeId:index`. */
  private readonly fetches = new Map<string, Promise<Candidate>>();
  /** Undoing a cancelled draft's steps: the intermediate drafts need no decode. */
  private bailing = false;
  /** Enter was pressed while this draft's decode was still running: accept when it arrives. */
  private acceptWhenReady: number | null = null;
  private strokeState: Stroke | null = null;
  /** Last decoded working mask, reused by the next stroke on the same mask (decoding 20 MP is not free). */
  private workingCache: { rle: Rle; mask: WorkingMask } | null = null;
  /** The unlabeled overlay of the current annotations (recomputed when they change). */
  private unlabeledCache: { annotations: readonly AnnotationItem[]; raster: UnlabeledRaster } | null = null;

  constructor(options: AnnotatorOptions) {
    this.backend = options.backend;
    this.now = options.now ?? (() => performance.now());
    this.hooks = { ...noHooks, ...options.hooks };
    this.maskInput = options.maskInput ?? true;
    this.mac = options.mac ?? false;
    this.decoder = new DecoderClient(this.backend, this.now);
    this.auto = new AutoMasks(this, this.backend);
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

  // ───────────────────────────── observation ─────────────────────────────

  on(topic: AnnotatorTopic, listener: () => void): () => void {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  protected emit(topic: AnnotatorTopic): void {
    for (const listener of this.listeners.get(topic) ?? []) listener();
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

  get category(): CategoryItem | null {
    return this.categories.find((c) => c.id === this.categoryId) ?? null;
  }

  get selected(): AnnotationItem | null {
    return this.doc.annotations.find((a) => a.id === this.selectedId) ?? null;
  }

  /** Multimask for this draft: Meta's advice is three candidates for one ambiguous click, one for more prompts. */
  multimaskFor(draft: Draft): boolean {
    if (this.multimaskMode !== 'auto') return this.multimaskMode === 'on';
    return draft.points.length === 1 && !draft.box;
  }

  // ───────────────────────────── images ─────────────────────────────

  /** Show another image: the draft is dropped (no history), and history starts afresh. */
  openImage(image: { id: number } & Size, annotations: readonly AnnotationItem[]): void {
    this.tools.interrupt();
    this.decoder.cancel('hover');
    this.decoder.cancel('click');
    this.history.clear();
    this.draftMarks.clear();
    this.refs.clear();
    this.clock = null;
    this.clockKey = -1;
    this.workingCache = null;
    this.strokeState = null;
    this.stroke = null;
    this.selectedId = null;
    this.hidden = new Set();
    this.hoverPreview = null;
    this.hoverKey = null;
    this.dragBox = null;
    this.lastError = null;
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
    this.categories = categories;
    if (this.categoryId === null || !categories.some((c) => c.id === this.categoryId))
      this.categoryId = categories[0]?.id ?? null;
    this.emit('view');
  }

  // ───────────────────────────── commands ─────────────────────────────

  /** Run a command by id if it is available; returns whether it ran. Recorded commands become one step. */
  run<Arg>(id: string, arg?: Arg): boolean {
    const command = commandById(id) as AnyCommand | undefined;
    if (!command) throw new Error(`unknown command ${id}`);
    return runCommand({ host: this, history: this.history, fail: (error) => this.fail(error) }, command, arg);
  }

  isAvailable(id: string, arg?: unknown): boolean {
    const command = commandById(id);
    return !!command && command.available(this, arg);
  }

  // ───────────────────────────── input ─────────────────────────────

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
    const chord = chordOf(e);
    if (!chord) return false;
    for (const command of COMMANDS) {
      if (command.shortcuts.includes(chord)) {
        // A shortcut is used even when its command is unavailable (Tab must not move focus out of the canvas).
        this.run(command.id);
        return true;
      }
    }
    return false;
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

  // ───────────────────────────── view ─────────────────────────────

  setViewSize(size: Size): void {
    const first = this.viewSize.width <= 1;
    this.viewSize = size;
    if (first) this.fit();
    this.emit('view');
  }

  setViewport(v: Viewport): void {
    this.viewport = v;
    this.emit('view');
  }

  fit(): void {
    const image = this.image;
    if (image) this.setViewport(fitViewport(image, this.viewSize));
  }

  actualSize(): void {
    this.setViewport(actualSize(this.viewport, this.viewSize));
  }

  zoomBy(
    factor: number,
    anchor: ScreenPoint = screenPoint(this.viewSize.width / 2, this.viewSize.height / 2),
  ): void {
    this.setViewport(zoomAt(this.viewport, anchor, factor));
  }

  panBy(dx: number, dy: number): void {
    this.setViewport(panBy(this.viewport, dx, dy));
  }

  imageLength(screenPixels: number): number {
    return screenPixels / this.viewport.scale;
  }

  get brushRadius(): number {
    return this.imageLength(this.brushSize / 2);
  }

  setSelected(id: number | null): void {
    this.selectedId = id;
    this.emit('view');
  }

  toggleHidden(id: number): void {
    const hidden = new Set(this.hidden);
    if (!hidden.delete(id)) hidden.add(id);
    this.hidden = hidden;
    this.emit('view');
  }

  setAllHidden(hide: boolean): void {
    this.hidden = hide ? new Set(this.visibleAnnotations.map((a) => a.id)) : new Set();
    this.emit('view');
  }

  setOption<
    K extends
      'multimaskMode' | 'hoverEnabled' | 'brushSize' | 'polygonView' | 'polygonTolerance' | 'showUnlabeled',
  >(key: K, value: Annotator[K]): void {
    (this as Annotator)[key] = value;
    if (key === 'hoverEnabled' && !value) this.hover(null, 1);
    if (key === 'multimaskMode') this.redecodeDraft();
    this.emit('view');
  }

  // ───────────────────────────── tool host: prompts ─────────────────────────────

  pointAt(point: ImagePoint): number {
    return pointNear(this.doc.draft?.points ?? [], point, this.imageLength(POINT_HIT_PX));
  }

  addPoint(point: ImagePoint, label: 0 | 1): void {
    const image = this.image;
    if (!image || !insideImage(point, image)) return;
    this.run('prompt.addPoint', { x: point.x, y: point.y, label });
  }

  removePoint(index: number): void {
    this.run('prompt.removePoint', index);
  }

  setBox(box: WireBox): void {
    this.run('prompt.setBox', box);
  }

  /**
   * Make `next` the draft as one recorded step (used by the prompt commands): starts the per-mask clock and the
   * draft's history mark on its first prompt, and asks for its decode.
   */
  changeDraft(next: Draft, parent: Draft | null): UndoCapture {
    const before = this.doc.draft;
    if (!this.draftMarks.has(next.key)) this.draftMarks.set(next.key, this.history.mark());
    this.ensureClock(next).click();
    if (parent) this.parents.set(next, parent);
    this.hoverPreview = null;
    this.hoverKey = null;
    this.hoverAnswer = null;
    this.emit('overlay');
    this.showDraft(next);
    if (next.decode) {
      this.onDecodeApplied?.(next);
      void this.ensureFullMask(next).catch(() => undefined); // adopted preview: fetch its full mask now
    }
    return {
      undo: () => this.showDraft(before),
      redo: () => this.showDraft(next),
    };
  }

  /** A fresh draft key and an empty draft (the first prompt of a mask). */
  newDraft(): Draft {
    return { key: this.nextDraftKey++, points: [], box: null, decode: null, selected: 0, edited: null };
  }

  /** The draft to build on: the current one, or a new one. */
  baseDraft(): Draft {
    return activeDraft(this.doc.draft) ?? this.newDraft();
  }

  /** Put a draft (as it is now known: with its decode if that arrived) in the document; decode it if needed. */
  showDraft(draft: Draft | null): void {
    const d = draft ? this.latest(draft) : null;
    this.store.update((doc) => ({ ...doc, draft: d }));
    if (d && hasPrompts(d) && !d.decode && !d.edited && !this.bailing) void this.decodeDraft(d);
    this.updatePending();
  }

  /** The newest known form of a draft (its decode arrived, its full mask was fetched). */
  private latest(draft: Draft): Draft {
    let d = draft;
    for (let next = this.resolved.get(d); next && next !== d; next = this.resolved.get(d)) d = next;
    return d;
  }

  /** Record that `next` is `draft` with more known; show it if `draft` is on screen. */
  private resolve(draft: Draft, next: Draft): void {
    this.resolved.set(draft, next);
    const parent = this.parents.get(draft);
    if (parent) this.parents.set(next, parent);
    if (this.doc.draft === draft) this.store.update((doc) => ({ ...doc, draft: next }));
  }

  private ensureClock(draft: Draft): MaskClock {
    if (!this.clock || this.clockKey !== draft.key) {
      this.clock = new MaskClock(this.now, draft.resumedTiming);
      this.clockKey = draft.key;
    }
    return this.clock;
  }

  private buildRequest(
    draft: Draft,
    extra?: { point?: ImagePoint; label?: 0 | 1; box?: WireBox },
  ): DecodeRequest {
    const points = extra?.point
      ? [...draft.points, { x: extra.point.x, y: extra.point.y, label: extra.label ?? 1 }]
      : draft.points;
    const box = extra?.box ?? draft.box ?? undefined;
    const probe: Draft = { ...draft, points, box: box ?? null };
    // Refine from the decode this prompt was added to (Meta's interactive loop feeds the previous low-res logits).
    const parent = extra ? draft : this.noRefine.has(draft) ? undefined : this.parents.get(draft);
    const parentNow = parent ? this.latest(parent) : undefined;
    const source = extra?.box ? undefined : parentNow?.decode;
    return {
      imageId: this.doc.image.id,
      points,
      ...(box ? { box } : {}),
      ...(this.maskInput && source && parentNow && !parentNow.edited
        ? { maskInputRef: { decodeId: source.decodeId, candidate: parentNow.selected } }
        : {}),
      multimask: this.multimaskFor(probe),
      previewMaxSide: this.previewMaxSide,
    };
  }

  private decodeDraft(draft: Draft): Promise<DecodeOutcome> {
    const imageId = this.doc.image.id;
    const clock = this.clockKey === draft.key ? this.clock : null;
    const wait = clock?.waitStart();
    let refined = false;
    const build = () => {
      // Built when sent: by then the previous click's decode may have arrived to refine from.
      if (this.doc.image.id !== imageId) return null;
      const request = this.buildRequest(draft);
      refined = !!request.maskInputRef;
      return request;
    };
    return this.decoder.request(build, 'click', (outcome) => {
      if (wait !== undefined) clock?.waitEnd(wait);
      if (this.doc.image.id !== imageId) return;
      if (outcome.status === 'ok') this.applyDecode(draft, outcome.reply, refined);
      else if (outcome.status === 'error' && refined && !this.noRefine.has(draft)) {
        // The backend keeps the logits of recent decodes only; without them, decode from the prompts alone.
        this.noRefine.add(draft);
        if (this.doc.draft === draft) void this.decodeDraft(draft);
      } else if (outcome.status === 'error' && this.doc.draft === draft) this.fail(outcome.error);
      this.updatePending();
      this.emit('status');
    });
  }

  private applyDecode(draft: Draft, reply: PreviewReply, refined: boolean): void {
    const candidates = reply.candidates.map(candidateFromPreview);
    const done: Draft = {
      ...draft,
      decode: { decodeId: reply.decodeId, candidates, decodeMs: reply.timings.decodeMs, refined },
      selected: bestCandidate(candidates),
    };
    this.lastDecodeMs = reply.timings.decodeMs;
    this.lastError = null;
    const shown = this.doc.draft === draft;
    this.resolve(draft, done); // kept for undo/redo even when the draft moved on
    if (!shown) return;
    this.onDecodeApplied?.(done);
    void this.ensureFullMask(done).catch(() => undefined); // the chosen candidate at full resolution, soon
    if (this.acceptWhenReady === done.key) {
      this.acceptWhenReady = null;
      this.run('mask.accept');
    }
  }

  private updatePending(): void {
    const d = this.doc.draft;
    const pending = !!d && hasPrompts(d) && !d.decode && !d.edited;
    if (pending !== this.decodePending) {
      this.decodePending = pending;
      this.emit('status');
    }
  }

  /** Decode the current draft again (the multimask mode changed). Not a step: the prompts are the same. */
  private redecodeDraft(): void {
    const d = this.doc.draft;
    if (!d || !hasPrompts(d) || d.edited) return;
    const again: Draft = { ...d, decode: null };
    const parent = this.parents.get(d);
    if (parent) this.parents.set(again, parent);
    this.showDraft(again);
  }

  selectCandidate(index: number): void {
    const d = this.doc.draft;
    if (!d?.decode || d.edited) return;
    const n = d.decode.candidates.length;
    const next: Draft = { ...d, selected: ((index % n) + n) % n };
    const parent = this.parents.get(d);
    if (parent) this.parents.set(next, parent);
    this.store.update((doc) => ({ ...doc, draft: next }));
    void this.ensureFullMask(next).catch(() => undefined);
  }

  /**
   * The draft with its selected candidate's full-resolution mask (fetched with `decodedMask` when only its
   * preview is known, as after a click that adopted the hover preview).
   */
  async ensureFullMask(draft: Draft): Promise<Draft> {
    const decode = draft.decode;
    const index = draft.selected;
    const candidate = decode?.candidates[index];
    if (draft.edited || !decode || !candidate || candidate.rle) return draft;
    const key = `${decode.decodeId}:${index}`;
    let fetch = this.fetches.get(key);
    if (!fetch) {
      fetch = this.backend.decodedMask(decode.decodeId, index).then((mask) => ({
        ...candidate,
        stabilityScore: mask.stabilityScore,
        area: mask.area,
        rle: mask.rle,
      }));
      this.fetches.set(key, fetch);
      fetch.catch(() => this.fetches.delete(key));
    }
    const full = await fetch;
    const current = this.latest(draft);
    if (current.decode !== decode) return current; // already filled (or changed) meanwhile
    const candidates = decode.candidates.map((c, i) => (i === index ? full : c));
    const filled: Draft = { ...current, decode: { ...decode, candidates } };
    this.resolve(current, filled);
    if (this.doc.draft && this.doc.draft !== filled && this.doc.draft.decode === decode) {
      // The shown draft is another form of this one (e.g. another candidate selected): fill it too.
      this.resolve(this.doc.draft, { ...this.doc.draft, decode: { ...decode, candidates } });
    }
    return filled;
  }

  /** The hover key of a click at `point` with `label` (the pixel it falls in). */
  pointKey(point: { x: number; y: number }, label: 0 | 1): string {
    return `p:${Math.floor(point.x) + 0.5},${Math.floor(point.y) + 0.5},${label}`;
  }

  boxKey(box: WireBox): string {
    return `b:${Math.round(box.x0)},${Math.round(box.y0)},${Math.round(box.x1)},${Math.round(box.y1)}`;
  }

  /**
   * The hover preview's decode if it answered exactly this click (same prompts on the same draft): adopting it
   * shows the mask at once, with no second decode.
   */
  hoverDecodeFor(key: string, base: Draft | null): DraftDecode | null {
    const answer = this.hoverAnswer;
    return answer && answer.imageId === this.doc.image.id && answer.key === key && answer.base === base
      ? answer.decode
      : null;
  }

  // ───────────────────────────── hover ─────────────────────────────

  hover(point: ImagePoint | null, label: 0 | 1): void {
    const image = this.image;
    if (!point || !image || !this.hoverEnabled || !insideImage(point, image) || this.pointAt(point) >= 0) {
      this.clearHover();
      return;
    }
    const px = { x: Math.floor(point.x) + 0.5, y: Math.floor(point.y) + 0.5 } as ImagePoint;
    const base = activeDraft(this.doc.draft);
    if (base?.edited) {
      this.clearHover(); // a click would replace the brushed mask; no preview of that
      return;
    }
    this.requestHover(this.pointKey(point, label), base, (draft) =>
      this.buildRequest(draft, { point: px, label }),
    );
  }

  hoverBox(box: WireBox | null): void {
    if (!box || !this.hoverEnabled || box.x1 - box.x0 < 2 || box.y1 - box.y0 < 2) {
      this.clearHover();
      return;
    }
    const base = activeDraft(this.doc.draft);
    if (base?.edited) {
      this.clearHover();
      return;
    }
    this.requestHover(this.boxKey(box), base, (draft) => this.buildRequest(draft, { box }));
  }

  private requestHover(key: string, base: Draft | null, build: (draft: Draft) => DecodeRequest): void {
    if (key === this.hoverKey) return;
    this.hoverKey = key;
    const imageId = this.doc.image.id;
    const draft = base ?? this.newDraft();
    let refined = false;
    const send = () => {
      if (this.hoverKey !== key || this.doc.image.id !== imageId) return null;
      const request = build(draft);
      refined = !!request.maskInputRef;
      return request;
    };
    void this.decoder.request(send, 'hover').then((outcome) => {
      if (outcome.status !== 'ok' || this.hoverKey !== key || this.doc.image.id !== imageId) return;
      if (base !== activeDraft(this.doc.draft)) return; // the draft changed meanwhile: an old question
      const reply = outcome.reply;
      if (reply.candidates.length === 0) return;
      const candidates = reply.candidates.map(candidateFromPreview);
      const selected = bestCandidate(candidates);
      const best = candidates[selected]!;
      const image = this.doc.image;
      this.hoverPreview = {
        raster: rasterFromPreview(best.preview!, image),
        predictedIou: best.predictedIou,
      };
      this.lastDecodeMs = reply.timings.decodeMs;
      this.emit('status');
      this.hoverAnswer = {
        imageId,
        key,
        base,
        decode: { decodeId: reply.decodeId, candidates, decodeMs: reply.timings.decodeMs, refined },
      };
      this.emit('overlay');
    });
  }

  /** Hide the hover preview; its answer stays adoptable by the click that usually follows (pointer down). */
  private clearHover(): void {
    if (this.hoverKey === null && !this.hoverPreview) return;
    this.hoverKey = null;
    this.decoder.cancel('hover');
    if (this.hoverPreview) {
      this.hoverPreview = null;
      this.emit('overlay');
    }
  }

  showDragBox(box: WireBox | null): void {
    this.dragBox = box;
    this.emit('overlay');
  }

  // ───────────────────────────── accept / cancel ─────────────────────────────

  /** Store the draft's mask as an annotation of the current category (one step). */
  acceptDraft(): Promise<UndoCapture> | null {
    const draft = activeDraft(this.doc.draft);
    const mask = draftMask(draft);
    if (draft && !mask && this.decodePending) {
      this.acceptWhenReady = draft.key; // Enter right after a click: accept the mask it is about to give
      return null;
    }
    if (!draft || !mask) return null;
    this.acceptWhenReady = null;
    // Refused, not stored: the store would reject it anyway, and an empty row helps no one. The draft stays.
    if (mask.rle ? rleArea(mask.rle) === 0 : mask.candidate?.area === 0) throw new Error(EMPTY_MASK);
    const imageId = this.doc.image.id;
    const categoryId = this.categoryId;
    const timing: AnnotationTiming = this.ensureClock(draft).snapshot(promptCount(draft));
    // The draft leaves the canvas at once (the next click starts a new mask), the mask joins the list as soon as
    // its full resolution is known (at once, unless it was an adopted hover preview).
    this.clock = null;
    this.clockKey = -1;
    this.clearHover();
    this.hoverAnswer = null;
    this.store.update((doc) => ({ ...doc, draft: null }));
    this.selectedId = null;
    this.updatePending();
    this.emit('overlay');
    return this.storeDraft(draft, imageId, categoryId, timing);
  }

  private async storeDraft(
    pending: Draft,
    imageId: number,
    categoryId: number | null,
    timing: AnnotationTiming,
  ): Promise<UndoCapture> {
    let draft: Draft;
    try {
      draft = await this.ensureFullMask(pending);
    } catch (error) {
      if (this.doc.image.id === imageId && !this.doc.draft) this.showDraft(pending);
      throw error;
    }
    const mask = draftMask(draft)!;
    const rle = mask.rle!;
    if (rleArea(rle) === 0) {
      // The preview promised pixels the full-resolution mask does not have: same refusal as in acceptDraft.
      if (this.doc.image.id === imageId && !this.doc.draft) this.showDraft(pending);
      throw new Error(EMPTY_MASK);
    }
    const candidate = draft.edited ? null : mask.candidate;
    const annotation: NewAnnotation = {
      imageId,
      categoryId,
      rle,
      source: 'manual',
      status: 'accepted',
      prompts: hasPrompts(draft) ? { points: draft.points, ...(draft.box ? { box: draft.box } : {}) } : null,
      predictedIou: candidate?.predictedIou ?? null,
      stabilityScore: candidate?.stabilityScore ?? null,
      timing,
    };
    // Optimistic: the mask is in the list under a temporary id until the backend answers.
    const temp = this.placeholder(annotation);
    const ref: AnnotationRef = { id: temp.id };
    if (this.doc.image.id === imageId)
      this.store.update((doc) => ({ ...doc, annotations: [...doc.annotations, temp] }));
    const restoredDraft: Draft = { ...draft, resumedTiming: timing };
    const parent = this.parents.get(draft);
    if (parent) this.parents.set(restoredDraft, parent);
    let stored: AnnotationItem;
    try {
      stored = await this.backend.addAnnotation(annotation);
    } catch (error) {
      // Not stored: put the draft back as it was.
      if (this.doc.image.id === imageId)
        this.store.update((doc) => ({
          ...doc,
          annotations: doc.annotations.filter((a) => a.id !== temp.id),
          draft: doc.draft ?? restoredDraft,
        }));
      throw error;
    }
    this.swapAnnotation(temp.id, stored);
    ref.id = stored.id;
    this.refs.set(stored.id, ref);
    this.emit('status');
    return {
      undo: async () => {
        await this.backend.deleteAnnotation(ref.id);
        this.refs.delete(ref.id);
        this.store.update((doc) => ({ ...doc, annotations: doc.annotations.filter((a) => a.id !== ref.id) }));
        if (this.selectedId === ref.id) this.selectedId = null;
        this.showDraft(restoredDraft);
      },
      redo: async () => {
        const item = await this.backend.restoreAnnotation(stored);
        stored = item;
        ref.id = item.id;
        this.refs.set(item.id, ref);
        this.store.update((doc) => ({ ...doc, annotations: [...doc.annotations, item], draft: null }));
        this.clock = null;
        this.clockKey = -1;
      },
    };
  }

  /** Esc: drop the draft and every step it made (leaves no history). */
  cancelDraft(): void {
    const draft = this.doc.draft;
    if (!draft) return;
    const mark = this.draftMarks.get(draft.key);
    this.draftMarks.delete(draft.key);
    this.clock = null;
    this.clockKey = -1;
    this.clearHover();
    this.decoder.cancel('click');
    this.store.update((doc) => ({ ...doc, draft: null }));
    this.acceptWhenReady = null;
    if (mark) {
      this.bailing = true;
      void this.history.bailToMark(mark).finally(() => {
        this.bailing = false;
        // Bailing restores the states before the draft; none of them is worth showing.
        this.store.update((doc) => ({ ...doc, draft: null }));
        this.updatePending();
      });
    }
    this.updatePending();
  }

  // ───────────────────────────── annotations ─────────────────────────────

  private refFor(id: number): AnnotationRef {
    let ref = this.refs.get(id);
    if (!ref) this.refs.set(id, (ref = { id }));
    return ref;
  }

  /** The ref of an annotation: steps of history hold it, and it follows the annotation to a new id. */
  annotationRef(id: number): AnnotationRef {
    return this.refFor(id);
  }

  rebindRef(ref: AnnotationRef, id: number): void {
    if (this.refs.get(ref.id) === ref) this.refs.delete(ref.id);
    ref.id = id;
    this.refs.set(id, ref);
  }

  /** Annotations drawn and listed: rejected ones are kept in the store (statistics) but hidden. */
  get visibleAnnotations(): readonly AnnotationItem[] {
    return this.doc.annotations.filter((a) => a.status !== 'rejected');
  }

  /**
   * What no mask covers yet (accepted, undecided or needing a fix; rejected ones do not count), at display
   * resolution; null without an image. Recomputed only when the annotations change.
   */
  unlabeled(): UnlabeledRaster | null {
    const image = this.image;
    if (!image) return null;
    const annotations = this.doc.annotations;
    if (this.unlabeledCache?.annotations !== annotations) {
      const masks = annotations.filter((a) => a.status !== 'rejected' && a.rle).map((a) => a.rle!);
      this.unlabeledCache = { annotations, raster: unlabeledRaster(image, masks) };
    }
    return this.unlabeledCache.raster;
  }

  private placeholder(a: NewAnnotation): AnnotationItem {
    return {
      id: this.nextTempId--,
      imageId: a.imageId,
      categoryId: a.categoryId,
      rle: a.rle,
      bbox: rleBboxCoco(a.rle),
      area: rleArea(a.rle),
      status: a.status,
      source: a.source,
      prompts: a.prompts,
      predictedIou: a.predictedIou,
      stabilityScore: a.stabilityScore,
      modelId: null,
      createdBy: '',
      createdAt: Date.now(),
      timing: a.timing,
    };
  }

  private swapAnnotation(id: number, item: AnnotationItem): void {
    this.store.update((doc) => ({
      ...doc,
      annotations: doc.annotations.map((a) => (a.id === id ? item : a)),
    }));
    if (this.selectedId === id) this.selectedId = item.id;
    if (this.hidden.has(id)) {
      this.hidden.delete(id);
      this.hidden.add(item.id);
    }
  }

  /** Delete an annotation (one step; undo stores it again under a new id). */
  deleteAnnotation(id: number): Promise<UndoCapture> {
    const ref = this.refFor(id);
    let item = this.doc.annotations.find((a) => a.id === id)!;
    const index = this.doc.annotations.indexOf(item);
    const remove = async () => {
      await this.backend.deleteAnnotation(ref.id);
      this.store.update((doc) => ({ ...doc, annotations: doc.annotations.filter((a) => a.id !== ref.id) }));
      if (this.selectedId === ref.id) this.selectedId = null;
      this.refs.delete(ref.id);
      this.emit('view');
    };
    const restore = async () => {
      item = await this.backend.restoreAnnotation(item);
      ref.id = item.id;
      this.refs.set(item.id, ref);
      this.store.update((doc) => {
        const annotations = [...doc.annotations];
        annotations.splice(Math.min(index, annotations.length), 0, item);
        return { ...doc, annotations };
      });
    };
    return remove().then(() => ({ undo: restore, redo: remove }));
  }

  /** Change an annotation's fields (one step). If the store refuses, the optimistic change is taken back. */
  patchAnnotation(id: number, patch: AnnotationPatch, undoPatch: AnnotationPatch): Promise<UndoCapture> {
    const ref = this.refFor(id);
    const apply = async (p: AnnotationPatch) => {
      const before = this.doc.annotations.find((a) => a.id === ref.id);
      // Optimistic for what can be shown at once.
      this.store.update((doc) => ({
        ...doc,
        annotations: doc.annotations.map((a) =>
          a.id === ref.id
            ? {
                ...a,
                ...(p.categoryId !== undefined ? { categoryId: p.categoryId } : {}),
                ...(p.rle ? { rle: p.rle, area: rleArea(p.rle), bbox: rleBboxCoco(p.rle) } : {}),
              }
            : a,
        ),
      }));
      let item: AnnotationItem;
      try {
        item = await this.backend.updateAnnotation(ref.id, p);
      } catch (error) {
        if (before) this.swapAnnotation(ref.id, before); // the screen shows what is saved
        throw error;
      }
      this.swapAnnotation(ref.id, item);
    };
    const { timing: _timing, ...undoable } = patch;
    return apply(patch).then(() => ({ undo: () => apply(undoPatch), redo: () => apply(undoable) }));
  }

  selectAt(point: ImagePoint): void {
    const hit = [...this.visibleAnnotations]
      .reverse()
      .find((a) => !this.hidden.has(a.id) && a.rle && rleContains(a.rle, point.x, point.y));
    this.setSelected(hit?.id ?? null);
  }

  // ───────────────────────────── brush ─────────────────────────────

  beginStroke(point: ImagePoint, erase: boolean): boolean {
    const image = this.image;
    if (!image) return false;
    const draft = this.doc.draft;
    const draftRle = draftMask(draft)?.rle ?? null;
    if (activeDraft(draft) && draftMask(draft) && !draftRle) {
      // An adopted preview whose full mask is still on its way: paint once it is here.
      void this.ensureFullMask(draft!).catch((error: unknown) => this.fail(error));
      return false;
    }
    let target: 'draft' | number;
    let rle: Rle | null;
    let newDraft = false;
    if (draftRle && activeDraft(draft)) {
      target = 'draft';
      rle = draftRle;
    } else if (this.selected && this.selected.rle && !this.hidden.has(this.selected.id)) {
      target = this.selected.id;
      rle = this.selected.rle;
    } else if (!erase) {
      target = 'draft';
      rle = null;
      newDraft = true;
    } else {
      this.lastError = 'Nothing to erase: select a mask first (V, then click it) or make one with SAM.';
      this.emit('status');
      return false;
    }
    const mask =
      rle && this.workingCache && sameRle(this.workingCache.rle, rle)
        ? this.workingCache.mask
        : rle
          ? WorkingMask.fromRle(rle)
          : WorkingMask.empty(image);
    this.workingCache = null; // the mask is painted in place from now on
    this.strokeState = {
      target,
      erase,
      mask,
      before: draft,
      beforeRle: rle,
      clock: new EditClock(this.now),
      last: point,
      path: [point],
      radius: this.brushRadius,
      version: 0,
      newDraft,
    };
    mask.dab(point.x, point.y, this.brushRadius, erase ? 0 : 1);
    this.publishStroke();
    return true;
  }

  continueStroke(point: ImagePoint): void {
    const s = this.strokeState;
    if (!s) return;
    s.mask.segment(s.last.x, s.last.y, point.x, point.y, s.radius, s.erase ? 0 : 1);
    s.last = point;
    s.path.push(point);
    s.clock.activity();
    this.publishStroke();
  }

  endStroke(): void {
    const s = this.strokeState;
    if (!s) return;
    this.strokeState = null;
    const rle = s.mask.toRle();
    this.workingCache = { rle, mask: s.mask };
    this.stroke = null;
    this.emit('stroke');
    this.run('mask.stroke', { stroke: s, rle });
  }

  /** Record a finished stroke (called by the 'mask.stroke' command). */
  commitStroke(s: Stroke, rle: Rle): UndoCapture | Promise<UndoCapture> {
    if (s.target === 'draft') {
      const base = activeDraft(s.before) ?? this.newDraft();
      const next: Draft = { ...base, edited: rle };
      if (!this.draftMarks.has(next.key)) this.draftMarks.set(next.key, this.history.mark());
      this.ensureClock(next).brushStroke();
      const before = this.doc.draft;
      this.showDraft(next);
      return { undo: () => this.showDraft(before), redo: () => this.showDraft(next) };
    }
    if (rleArea(rle) === 0) {
      // An annotation without pixels is not an annotation (the store refuses it, exports would skip it); a
      // deliberate removal is Delete, which undo can bring back whole.
      this.workingCache = null; // painted in place: no longer the stored mask
      throw new Error(ERASED_WHOLE_MASK);
    }
    return this.patchAnnotation(s.target, { rle, timing: s.clock.patch() }, { rle: s.beforeRle! });
  }

  cancelStroke(): void {
    if (!this.strokeState) return;
    this.strokeState = null;
    this.workingCache = null; // painted in place: no longer matches its RLE
    this.stroke = null;
    this.emit('stroke');
  }

  showBrushCursor(point: ImagePoint | null): void {
    this.brushCursor = point;
    this.emit('overlay');
  }

  private publishStroke(): void {
    const s = this.strokeState!;
    s.version++;
    this.stroke = {
      mask: s.mask,
      target: s.target,
      erase: s.erase,
      path: s.path,
      radius: s.radius,
      version: s.version,
    };
    this.emit('stroke');
  }

  // ───────────────────────────── misc ─────────────────────────────

  activity(): void {
    this.clock?.activity();
  }

  fail(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.lastError = message;
    this.emit('status');
  }

  clearError(): void {
    this.lastError = null;
    this.emit('status');
  }

  /** Resolves when no decode is in flight and history is settled (tests, bench). */
  async settled(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      await this.history.settled();
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (this.decoder.idle && !this.history.busy) return;
    }
  }

  /** Emit after an outside change of view options (used by the Svelte binding). */
  touch(topic: AnnotatorTopic): void {
    this.emit(topic);
  }
}

export type { Stroke };
