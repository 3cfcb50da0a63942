/**
 * Edits of stored masks: delete, patch (category, a brushed mask), optimistic placeholders while a new mask is
 * being stored, and the refs that history steps hold (an annotation gets a new id when it is stored again).
 * Each edit returns its undo capture; the command that made it records one step.
 */
import { rleArea, rleBboxCoco } from '../../../electron/common/rle.ts';
import type { AnnotationItem, AnnotationPatch, NewAnnotation } from '../../../electron/ipc/contract.ts';
import type { AnnotationRef } from '../auto/autoMasks.ts';
import type { UndoCapture } from '../commands/types.ts';
import type { DocumentStore } from '../document.ts';

export interface StoredAnnotationsBackend {
  updateAnnotation(id: number, patch: AnnotationPatch): Promise<AnnotationItem>;
  deleteAnnotation(id: number): Promise<void>;
  restoreAnnotation(annotation: AnnotationItem): Promise<AnnotationItem>;
  moveAnnotation(id: number, direction: 'up' | 'down'): Promise<readonly AnnotationItem[]>;
}

/** What edits of stored masks need of the editor: the selection and visibility follow the annotations. */
export interface StoredAnnotationsHost {
  readonly store: DocumentStore;
  readonly selectedId: number | null;
  setSelected(id: number | null): void;
  /** An annotation was stored again under a new id. */
  renamed(id: number, newId: number): void;
  emit(topic: 'view'): void;
}

export class StoredAnnotations {
  private readonly refs = new Map<number, AnnotationRef>();
  private nextTempId = -1;

  constructor(
    private readonly host: StoredAnnotationsHost,
    private readonly backend: StoredAnnotationsBackend,
  ) {}

  private get annotations(): readonly AnnotationItem[] {
    return this.host.store.get().annotations;
  }

  private update(fn: (annotations: readonly AnnotationItem[]) => readonly AnnotationItem[]): void {
    this.host.store.update((doc) => ({ ...doc, annotations: fn(doc.annotations) }));
  }

  /** The ref of an annotation: steps of history hold it, and it follows the annotation to a new id. */
  ref(id: number): AnnotationRef {
    let ref = this.refs.get(id);
    if (!ref) this.refs.set(id, (ref = { id }));
    return ref;
  }

  /** The annotation of `ref` was stored again under `id`. */
  rebind(ref: AnnotationRef, id: number): void {
    if (this.refs.get(ref.id) === ref) this.refs.delete(ref.id);
    ref.id = id;
    this.refs.set(id, ref);
  }

  /** The annotation of `ref` is gone (deleted, or its store undone). */
  forget(ref: AnnotationRef): void {
    this.refs.delete(ref.id);
  }

  /** Another image. */
  reset(): void {
    this.refs.clear();
  }

  /** An annotation to show while `a` is being stored: a temporary (negative) id. */
  placeholder(a: NewAnnotation): AnnotationItem {
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

  /** Replace annotation `id` by `item` (the backend's answer, perhaps under a new id). */
  swap(id: number, item: AnnotationItem): void {
    this.update((list) => list.map((a) => (a.id === id ? item : a)));
    this.host.renamed(id, item.id);
  }

  /** Delete an annotation (one step; undo stores it again under a new id, on top). */
  delete(id: number): Promise<UndoCapture> {
    const ref = this.ref(id);
    let item = this.annotations.find((a) => a.id === id)!;
    const remove = async () => {
      await this.backend.deleteAnnotation(ref.id);
      this.update((list) => list.filter((a) => a.id !== ref.id));
      if (this.host.selectedId === ref.id) this.host.setSelected(null);
      this.refs.delete(ref.id);
      this.host.emit('view');
    };
    const restore = async () => {
      item = await this.backend.restoreAnnotation(item);
      ref.id = item.id;
      this.refs.set(item.id, ref);
      // The store puts a restored mask on top of its image's stack (issue 17): show it there too.
      this.update((list) => [...list, item]);
    };
    return remove().then(() => ({ undo: restore, redo: remove }));
  }

  /**
   * Move an annotation one step up (drawn over its neighbour) or down the image's stack (one step; issue 17): the
   * list takes the backend's order, which the canvas draws bottom to top. Undo is the opposite move.
   */
  move(id: number, direction: 'up' | 'down'): Promise<UndoCapture> {
    const ref = this.ref(id);
    const apply = async (d: 'up' | 'down') => {
      const order = (await this.backend.moveAnnotation(ref.id, d)).map((a) => a.id);
      // Masks the reply does not name (being stored right now) stay on top, in their order.
      const rank = (a: AnnotationItem) => {
        const i = order.indexOf(a.id);
        return i < 0 ? order.length : i;
      };
      this.update((list) => [...list].sort((a, b) => rank(a) - rank(b)));
      this.host.emit('view');
    };
    const opposite = direction === 'up' ? 'down' : 'up';
    return apply(direction).then(() => ({ undo: () => apply(opposite), redo: () => apply(direction) }));
  }

  /** Change an annotation's fields (one step). If the store refuses, the optimistic change is taken back. */
  patch(id: number, patch: AnnotationPatch, undoPatch: AnnotationPatch): Promise<UndoCapture> {
    const ref = this.ref(id);
    const apply = async (p: AnnotationPatch) => {
      const before = this.annotations.find((a) => a.id === ref.id);
      // Optimistic for what can be shown at once.
      this.update((list) =>
        list.map((a) =>
          a.id === ref.id
            ? {
                ...a,
                ...(p.categoryId !== undefined ? { categoryId: p.categoryId } : {}),
                ...(p.rle ? { rle: p.rle, area: rleArea(p.rle), bbox: rleBboxCoco(p.rle) } : {}),
              }
            : a,
        ),
      );
      let item: AnnotationItem;
      try {
        item = await this.backend.updateAnnotation(ref.id, p);
      } catch (error) {
        if (before) this.swap(ref.id, before); // the screen shows what is saved
        throw error;
      }
      this.swap(ref.id, item);
    };
    const { timing: _timing, ...undoable } = patch;
    return apply(patch).then(() => ({ undo: () => apply(undoPatch), redo: () => apply(undoable) }));
  }
}
