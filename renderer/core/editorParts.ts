/**
 * Wiring the editor's parts (issue 17): each module gets its own narrow host, built here from the editor core,
 * so no module sees the annotator and none imports another's internals. The annotator is the composition root
 * that calls this once; tests reach the parts through it.
 */
import type { Size } from '../../electron/common/frames.ts';
import { type Rle, rleArea } from '../../electron/common/rle.ts';
import type { AnnotationItem } from '../../electron/ipc/contract.ts';
import { StoredAnnotations } from './annotations/storedAnnotations.ts';
import type { AnnotatorBackend } from './annotatorBackend.ts';
import { AutoMasks } from './auto/autoMasks.ts';
import { BrushStrokes, type Stroke } from './brush/brushStrokes.ts';
import type { DraftCommands } from './commands/host.ts';
import type { UndoCapture } from './commands/types.ts';
import type { DecoderClient } from './decoder.ts';
import { type AnnotatorDocument, type Draft, type DocumentStore, pointNear } from './document.ts';
import { DraftAcceptance } from './drafts/acceptDraft.ts';
import type { DraftClock } from './drafts/draftClock.ts';
import { DraftEditor } from './drafts/draftEditor.ts';
import { boxKey, decodeRequest, pointKey } from './drafts/decodeRequests.ts';
import type { AnnotatorTopic } from './editorEvents.ts';
import type { EditorStatus } from './editorStatus.ts';
import type { History } from './history.ts';
import { HoverPreviews } from './hover/hoverPreviews.ts';
import type { Clock } from './timing.ts';
import { POINT_HIT_PX } from './tools/types.ts';
import { OutlineEditing } from './outline/outlineEditing.ts';
import { PolygonSketch } from './outline/polygonSketch.ts';
import { ViewState } from './view/viewState.ts';

/** Why an eraser stroke that would leave an accepted mask without pixels was undone. */
export const ERASED_WHOLE_MASK =
  'That stroke would erase the whole mask, so it was undone. To remove a mask, press Delete.';

/** The editor's shared state and services, which the parts are wired to (the annotator provides it). */
export interface EditorCore {
  readonly store: DocumentStore;
  readonly history: History;
  readonly decoder: DecoderClient;
  readonly status: EditorStatus;
  readonly clock: DraftClock;
  readonly now: Clock;
  readonly doc: AnnotatorDocument;
  readonly image: Size | null;
  readonly draft: Draft | null;
  readonly selected: AnnotationItem | null;
  readonly visibleAnnotations: readonly AnnotationItem[];
  /** Whether the model accepts `maskInputRef`. */
  readonly maskInput: boolean;
  /** Longest side of the preview bitmaps asked with each decode. */
  readonly previewMaxSide: number;
  emit(topic: AnnotatorTopic): void;
  /** Run a command (a stroke, a deferred accept). */
  run(id: string, arg?: unknown): boolean;
  fail(error: unknown): void;
}

export interface EditorParts {
  readonly view: ViewState;
  readonly stored: StoredAnnotations;
  readonly hover: HoverPreviews;
  readonly draftEditor: DraftEditor;
  /** The draft's verbs as commands see them. */
  readonly drafts: DraftCommands;
  readonly brush: BrushStrokes;
  readonly auto: AutoMasks;
  /** The selected mask's outline being edited, and the polygon being drawn (issue 17). */
  readonly outline: OutlineEditing;
  readonly sketch: PolygonSketch;
  /** Index of the draft point under `point` (within a few screen pixels), or -1. */
  pointAt(point: { x: number; y: number }): number;
  /** Another image: no draft marks, refs, stroke, selection, hidden masks, preview or auto message. */
  reset(): void;
}

export function createEditorParts(core: EditorCore, backend: AnnotatorBackend): EditorParts {
  const emit = (topic: AnnotatorTopic) => core.emit(topic);
  const { store, status, clock } = core;
  const view = new ViewState({
    get image() {
      return core.image;
    },
    get visibleAnnotations() {
      return core.visibleAnnotations;
    },
    emit,
  });
  const setSelected = (id: number | null) => view.setSelected(id);
  const pointAt = (point: { x: number; y: number }) =>
    pointNear(core.doc.draft?.points ?? [], point, view.imageLength(POINT_HIT_PX));
  const settings = () => ({
    imageId: core.doc.image.id,
    multimaskMode: view.multimaskMode,
    maskInput: core.maskInput,
    previewMaxSide: core.previewMaxSide,
  });
  const stored = new StoredAnnotations(
    {
      store,
      get selectedId() {
        return view.selectedId;
      },
      setSelected,
      renamed: (id, newId) => view.renamed(id, newId),
      emit,
    },
    backend,
  );
  const hover: HoverPreviews = new HoverPreviews({
    get doc() {
      return core.doc;
    },
    get image() {
      return core.image;
    },
    get hoverEnabled() {
      return view.hoverEnabled;
    },
    decoder: core.decoder,
    status,
    pointAt,
    newDraft: () => draftEditor.newDraft(),
    requestFor: (draft, extra) => decodeRequest(settings(), draftEditor.lineage, draft, extra),
    emit,
  });
  const draftEditor: DraftEditor = new DraftEditor(
    {
      store,
      history: core.history,
      decoder: core.decoder,
      status,
      clock,
      get previewMaxSide() {
        return core.previewMaxSide;
      },
      requestFor: (draft, lineage) => decodeRequest(settings(), lineage, draft),
      forgetHover: () => hover.forget(),
      acceptNow: () => core.run('mask.accept'),
      emit,
    },
    backend,
  );
  const acceptance = new DraftAcceptance(
    {
      store,
      drafts: draftEditor,
      stored,
      clock,
      status,
      get categoryId() {
        return view.categoryId;
      },
      get selectedId() {
        return view.selectedId;
      },
      setSelected,
      dropHover: () => {
        hover.clear();
        hover.dropAnswer();
      },
      emit,
    },
    backend,
  );
  const brush: BrushStrokes = new BrushStrokes({
    get image() {
      return core.image;
    },
    get draft() {
      return core.draft;
    },
    get selected() {
      return core.selected;
    },
    get hidden() {
      return view.hidden;
    },
    get brushRadius() {
      return view.brushRadius;
    },
    now: core.now,
    // An adopted preview whose full mask is still on its way: paint once it is here.
    fetchFullMask: (draft) => void draftEditor.ensureFullMask(draft).catch((e: unknown) => core.fail(e)),
    refuse: (message) => status.fail(message),
    record: (stroke, rle) => core.run('mask.stroke', { stroke, rle }),
    emit,
  });
  /** A finished stroke as one step: on the draft, or on a stored mask. */
  const commitStroke = (s: Stroke, rle: Rle): UndoCapture | Promise<UndoCapture> => {
    if (s.target === 'draft') return draftEditor.paint(s.before, rle);
    if (rleArea(rle) === 0) {
      // An annotation without pixels is not an annotation (the store refuses it, exports would skip it); a
      // deliberate removal is Delete, which undo can bring back whole.
      brush.dropCache(); // painted in place: no longer the stored mask
      throw new Error(ERASED_WHOLE_MASK);
    }
    return stored.patch(s.target, { rle, timing: s.clock.patch() }, { rle: s.beforeRle! });
  };
  const drafts: DraftCommands = {
    baseDraft: () => draftEditor.baseDraft(),
    adoptableForPoint: (point, base) => hover.answerFor(pointKey(point, point.label), base),
    adoptableForBox: (box, base) => hover.answerFor(boxKey(box), base),
    change: (next, parent) => draftEditor.change(next, parent),
    accept: () => acceptance.accept(),
    cancel: () => {
      hover.clear();
      draftEditor.cancel();
    },
    selectCandidate: (index) => draftEditor.selectCandidate(index),
    commitStroke,
    drawPolygon: (rle, vertices) => draftEditor.drawn(rle, vertices),
  };
  const auto = new AutoMasks(
    {
      get doc() {
        return core.doc;
      },
      store,
      get selectedId() {
        return view.selectedId;
      },
      get categoryId() {
        return view.categoryId;
      },
      setSelected,
      annotationRef: (id) => stored.ref(id),
      rebindRef: (ref, id) => stored.rebind(ref, id),
      touch: emit,
    },
    backend,
  );
  const outline = new OutlineEditing({
    get image() {
      return core.image;
    },
    get selected() {
      return core.selected;
    },
    patch: (id, patch, undoPatch) => stored.patch(id, patch, undoPatch),
    emit,
  });
  const sketch = new PolygonSketch(emit);
  const reset = () => {
    outline.reset();
    sketch.show(null);
    draftEditor.reset();
    stored.reset();
    brush.reset();
    view.reset();
    hover.reset();
    auto.message = null;
  };
  return { view, stored, hover, draftEditor, drafts, brush, auto, outline, sketch, pointAt, reset };
}
