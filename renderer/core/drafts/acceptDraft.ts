/**
 * Enter: the draft's mask becomes a stored annotation of the current category, one step (undo = delete it and
 * show the draft again, with its timing; redo = restore it). The draft leaves the canvas at once; the mask joins
 * the list under a temporary id as soon as its full resolution is known, and gets its real id from the backend.
 */
import { rleArea } from '../../../electron/common/rle.ts';
import type { AnnotationItem, AnnotationTiming, NewAnnotation } from '../../../electron/ipc/contract.ts';
import type { StoredAnnotations } from '../annotations/storedAnnotations.ts';
import type { AnnotationRef } from '../auto/autoMasks.ts';
import type { UndoCapture } from '../commands/types.ts';
import {
  type Draft,
  type DocumentStore,
  activeDraft,
  draftMask,
  hasPrompts,
  promptCount,
} from '../document.ts';
import type { EditorStatus } from '../editorStatus.ts';
import type { DraftClock } from './draftClock.ts';
import type { DraftEditor } from './draftEditor.ts';

/** Why Enter did nothing on a mask without pixels (the model found nothing at the click, or all was erased). */
export const EMPTY_MASK =
  'Nothing to accept: the mask is empty. Add a positive click, try another candidate (Tab), or press Esc.';

export interface AcceptBackend {
  addAnnotation(annotation: NewAnnotation): Promise<AnnotationItem>;
  deleteAnnotation(id: number): Promise<void>;
  restoreAnnotation(annotation: AnnotationItem): Promise<AnnotationItem>;
}

/** What accepting needs of the editor. */
export interface AcceptHost {
  readonly store: DocumentStore;
  readonly drafts: DraftEditor;
  readonly stored: StoredAnnotations;
  readonly clock: DraftClock;
  readonly status: EditorStatus;
  readonly categoryId: number | null;
  readonly selectedId: number | null;
  setSelected(id: number | null): void;
  /** The hover preview goes, and its answer may not be adopted by the next click. */
  dropHover(): void;
  emit(topic: 'overlay' | 'status'): void;
}

export class DraftAcceptance {
  constructor(
    private readonly host: AcceptHost,
    private readonly backend: AcceptBackend,
  ) {}

  /** Store the draft's mask (one step); null when there is nothing to accept yet. */
  accept(): Promise<UndoCapture> | null {
    const h = this.host;
    const draft = activeDraft(h.store.get().draft);
    const mask = draftMask(draft);
    if (draft && !mask && h.status.decodePending) {
      h.drafts.acceptWhenReady = draft.key; // Enter right after a click: accept the mask it is about to give
      return null;
    }
    if (!draft || !mask) return null;
    h.drafts.acceptWhenReady = null;
    // Refused, not stored: the store would reject it anyway, and an empty row helps no one. The draft stays.
    if (mask.rle ? rleArea(mask.rle) === 0 : mask.candidate?.area === 0) throw new Error(EMPTY_MASK);
    const imageId = h.store.get().image.id;
    const categoryId = h.categoryId;
    const timing: AnnotationTiming = h.clock.forDraft(draft).snapshot(promptCount(draft));
    h.clock.stop();
    h.dropHover();
    h.store.update((doc) => ({ ...doc, draft: null }));
    h.setSelected(null);
    h.drafts.updatePending();
    h.emit('overlay');
    return this.store(draft, imageId, categoryId, timing);
  }

  private onImage(imageId: number): boolean {
    return this.host.store.get().image.id === imageId;
  }

  /** Show `pending` again if its image is open and no other draft was started (the store failed). */
  private giveBack(pending: Draft, imageId: number): void {
    if (this.onImage(imageId) && !this.host.store.get().draft) this.host.drafts.show(pending);
  }

  private async store(
    pending: Draft,
    imageId: number,
    categoryId: number | null,
    timing: AnnotationTiming,
  ): Promise<UndoCapture> {
    const { store, drafts, stored: annotations, clock } = this.host;
    let draft: Draft;
    try {
      draft = await drafts.ensureFullMask(pending);
    } catch (error) {
      this.giveBack(pending, imageId);
      throw error;
    }
    const mask = draftMask(draft)!;
    const rle = mask.rle!;
    if (rleArea(rle) === 0) {
      // The preview promised pixels the full-resolution mask does not have: same refusal as in accept.
      this.giveBack(pending, imageId);
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
    const temp = annotations.placeholder(annotation);
    const ref: AnnotationRef = { id: temp.id };
    if (this.onImage(imageId)) store.update((doc) => ({ ...doc, annotations: [...doc.annotations, temp] }));
    const restoredDraft: Draft = { ...draft, resumedTiming: timing };
    drafts.lineage.inherit(draft, restoredDraft);
    let saved: AnnotationItem;
    try {
      saved = await this.backend.addAnnotation(annotation);
    } catch (error) {
      // Not stored: put the draft back as it was.
      if (this.onImage(imageId))
        store.update((doc) => ({
          ...doc,
          annotations: doc.annotations.filter((a) => a.id !== temp.id),
          draft: doc.draft ?? restoredDraft,
        }));
      throw error;
    }
    annotations.swap(temp.id, saved);
    annotations.rebind(ref, saved.id);
    this.host.emit('status');
    return {
      undo: async () => {
        await this.backend.deleteAnnotation(ref.id);
        annotations.forget(ref);
        store.update((doc) => ({ ...doc, annotations: doc.annotations.filter((a) => a.id !== ref.id) }));
        if (this.host.selectedId === ref.id) this.host.setSelected(null);
        drafts.show(restoredDraft);
      },
      redo: async () => {
        const item = await this.backend.restoreAnnotation(saved);
        saved = item;
        annotations.rebind(ref, item.id);
        store.update((doc) => ({ ...doc, annotations: [...doc.annotations, item], draft: null }));
        clock.stop();
      },
    };
  }
}
