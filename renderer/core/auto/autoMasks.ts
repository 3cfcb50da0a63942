/**
 * The semi-automatic stage in the annotator (issue 5, the SA-1B data engine's second stage): automatic masks on
 * the open image (AMG, or boxes → masks) arrive as undecided drafts (status 'draft'), drawn in their own style;
 * the annotator accepts or rejects them one at a time (N / Shift+N walk them, Enter accepts, X rejects) or all at
 * once (Shift+A / Shift+X), then adds what is missing with the normal SAM tools. Rejected masks stay in the store
 * (review statistics count them) and are hidden.
 *
 * Every decision and every run is one recorded step (the annotator's command runner): a run's undo swaps its
 * masks back for what it replaced (`swapAnnotations`), a decision's undo records the reverse review event.
 * Ids change when annotations are stored again; steps hold `AnnotationRef`s the annotator keeps current.
 */
import { AMG_DEFAULTS, type AmgParams, PAPER_COVERAGE_FILTER } from '../../../electron/common/amg/params.ts';
import type {
  AnnotationItem,
  AnnotationStatus,
  CategoryChange,
  AutoImageRequest,
  AutoImageResult,
  AutoKind,
} from '../../../electron/ipc/contract.ts';
import type { UndoCapture } from '../commands/types.ts';
import type { AnnotatorDocument, DocumentStore } from '../document.ts';

/** The part of the contract automatic masks use. */
export interface AutoBackend {
  autoMaskImage(imageId: number, request?: AutoImageRequest): Promise<AutoImageResult>;
  setAnnotationStatuses(
    ids: readonly number[],
    status: AnnotationStatus,
    comment?: string,
    category?: CategoryChange | null,
  ): Promise<readonly AnnotationItem[]>;
  swapAnnotations(
    removeIds: readonly number[],
    restore: readonly AnnotationItem[],
  ): Promise<readonly AnnotationItem[]>;
}

/** A reference to an annotation whose id changes when it is stored again. */
export interface AnnotationRef {
  id: number;
}

/** What automatic masks need of the annotator. */
export interface AutoHost {
  readonly doc: AnnotatorDocument;
  readonly store: DocumentStore;
  readonly selectedId: number | null;
  /** The current category: accepted masks without one get it (issue 17). */
  readonly categoryId: number | null;
  setSelected(id: number | null): void;
  /** The ref of an annotation (the same object for the same annotation, across new ids). */
  annotationRef(id: number): AnnotationRef;
  /** The annotation of `ref` was stored again under `id`. */
  rebindRef(ref: AnnotationRef, id: number): void;
  touch(topic: 'status' | 'view'): void;
}

/**
 * The parameters the "Find objects" popover starts with: Meta's defaults, plus the SA paper's filter of masks
 * covering ≥ 95 % of the image (the data engine's fully automatic stage used it).
 */
export const AUTO_PARAMS_DEFAULT: Partial<AmgParams> = {
  points_per_side: AMG_DEFAULTS.points_per_side,
  pred_iou_thresh: AMG_DEFAULTS.pred_iou_thresh,
  stability_score_thresh: AMG_DEFAULTS.stability_score_thresh,
  min_mask_region_area: AMG_DEFAULTS.min_mask_region_area,
  drop_masks_covering: PAPER_COVERAGE_FILTER,
};

/** Undecided: waiting for accept or reject (any source: imported drafts too). */
export const isUndecided = (a: AnnotationItem): boolean => a.status === 'draft' && a.id >= 0;

export class AutoMasks {
  /** What runs on this image now, or null. */
  running: AutoKind | null = null;
  /** The last run's one-line result ("found 31 objects in 2.3 s"). */
  message: string | null = null;
  params: Partial<AmgParams> = { ...AUTO_PARAMS_DEFAULT };

  constructor(
    private readonly a: AutoHost,
    private readonly backend: AutoBackend,
  ) {}

  /** The image's undecided masks, in list order. */
  pending(): AnnotationItem[] {
    return this.a.doc.annotations.filter(isUndecided);
  }

  /** Box-only annotations of the image (waiting for boxes → masks). */
  boxCount(): number {
    return this.a.doc.annotations.filter((m) => !m.rle).length;
  }

  /** The selected annotation if it is undecided. */
  selectedPending(): AnnotationItem | null {
    const m = this.a.doc.annotations.find((x) => x.id === this.a.selectedId);
    return m && isUndecided(m) ? m : null;
  }

  setParams(params: Partial<AmgParams>): void {
    this.params = { ...params };
    this.a.touch('view');
  }

  /** Run AMG (or boxes → masks) on the image: one step; undo puts back what it replaced. */
  async run(kind: AutoKind): Promise<UndoCapture> {
    const imageId = this.a.doc.image.id;
    this.running = kind;
    this.message = null;
    this.a.touch('status');
    let result: AutoImageResult;
    try {
      result = await this.backend.autoMaskImage(imageId, {
        kind,
        ...(kind === 'amg' ? { params: this.params } : {}),
      });
    } finally {
      this.running = null;
      this.a.touch('status');
    }
    this.message = result.message;
    let added = result.added;
    let removed = result.removed;
    const addedRefs = added.map((m) => this.a.annotationRef(m.id));
    const removedRefs = removed.map((m) => this.a.annotationRef(m.id));
    this.apply(
      imageId,
      removed.map((m) => m.id),
      added,
    );
    this.a.setSelected(this.pending()[0]?.id ?? null);
    this.a.touch('status');
    return {
      undo: async () => {
        const restored = await this.backend.swapAnnotations(
          addedRefs.map((r) => r.id),
          removed,
        );
        const gone = addedRefs.map((r) => r.id);
        restored.forEach((m, i) => this.a.rebindRef(removedRefs[i]!, m.id));
        removed = restored;
        this.apply(imageId, gone, restored);
      },
      redo: async () => {
        const again = await this.backend.swapAnnotations(
          removedRefs.map((r) => r.id),
          added,
        );
        const gone = removedRefs.map((r) => r.id);
        again.forEach((m, i) => this.a.rebindRef(addedRefs[i]!, m.id));
        added = again;
        this.apply(imageId, gone, again);
      },
    };
  }

  /**
   * Accept or reject these undecided masks (one step; undo = back to draft, recorded as a reverse review
   * event). After a single decision the next undecided mask is selected, so Enter / X can go on.
   */
  async decide(ids: readonly number[], status: 'accepted' | 'rejected'): Promise<UndoCapture | undefined> {
    if (ids.length === 0) return undefined;
    const imageId = this.a.doc.image.id;
    const refs = ids.map((id) => this.a.annotationRef(id));
    const single = ids.length === 1 ? refs[0]! : null;
    const set = async (
      these: readonly AnnotationRef[],
      to: AnnotationStatus,
      comment?: string,
      category?: CategoryChange,
    ) => {
      const before = new Map(
        this.a.doc.annotations.filter((m) => these.some((r) => r.id === m.id)).map((m) => [m.id, m.status]),
      );
      // Optimistic: the canvas changes at once; put back if the backend refuses.
      this.patch(imageId, (m) => (before.has(m.id) ? { ...m, status: to } : m));
      try {
        const items = await this.backend.setAnnotationStatuses(
          these.map((r) => r.id),
          to,
          comment,
          category,
        );
        const byId = new Map(items.map((m) => [m.id, m]));
        this.patch(imageId, (m) => byId.get(m.id) ?? m);
      } catch (error) {
        this.patch(imageId, (m) => (before.has(m.id) ? { ...m, status: before.get(m.id)! } : m));
        throw error;
      }
    };
    // Accepting gives the current category to the masks without one; the undo takes it back from those only
    // (issue 17).
    const categoryId = status === 'accepted' ? this.a.categoryId : null;
    const give = categoryId === null ? undefined : { give: categoryId };
    const uncategorized = new Set(
      this.a.doc.annotations.filter((m) => ids.includes(m.id) && m.categoryId === null).map((m) => m.id),
    );
    const given = give ? refs.filter((r) => uncategorized.has(r.id)) : [];
    const kept = refs.filter((r) => !given.includes(r));
    const undo = async () => {
      if (given.length > 0) await set(given, 'draft', 'undo', { takeBack: true });
      if (kept.length > 0) await set(kept, 'draft', 'undo');
    };
    // The next mask is selected at once (the optimistic change is made synchronously), so a quick X after Enter
    // already applies to it.
    const next = single ? this.nextAfter(single.id) : null;
    const stored = set(refs, status, undefined, give);
    this.a.setSelected(next);
    try {
      await stored;
    } catch (error) {
      if (single && this.a.doc.image.id === imageId) this.a.setSelected(single.id);
      throw error;
    }
    return {
      undo: async () => {
        await undo();
        if (single && this.a.doc.image.id === imageId) this.a.setSelected(single.id);
      },
      redo: async () => {
        await set(refs, status, undefined, give);
        if (single && this.a.doc.image.id === imageId) this.a.setSelected(this.nextAfter(single.id));
      },
    };
  }

  /** Select the next (1) or previous (−1) undecided mask, wrapping around. */
  step(delta: 1 | -1): void {
    const pending = this.pending();
    if (pending.length === 0) return;
    const i = pending.findIndex((m) => m.id === this.a.selectedId);
    const j = i < 0 ? (delta > 0 ? 0 : pending.length - 1) : (i + delta + pending.length) % pending.length;
    this.a.setSelected(pending[j]!.id);
  }

  /** The undecided mask after `id` in list order (wrapping), other than `id`; null when none is left. */
  private nextAfter(id: number): number | null {
    const list = this.a.doc.annotations;
    const i = list.findIndex((m) => m.id === id);
    for (let k = 1; k < list.length; k++) {
      const m = list[(i + k) % list.length]!;
      if (m.id !== id && isUndecided(m)) return m.id;
    }
    return null;
  }

  private patch(imageId: number, fn: (m: AnnotationItem) => AnnotationItem): void {
    if (this.a.doc.image.id !== imageId) return;
    this.a.store.update((doc) => ({ ...doc, annotations: doc.annotations.map(fn) }));
  }

  /** Drop `removeIds` and add `items` (an item keeping a removed id takes its place). */
  private apply(imageId: number, removeIds: readonly number[], items: readonly AnnotationItem[]): void {
    if (this.a.doc.image.id !== imageId) return;
    const remove = new Set(removeIds);
    const byId = new Map(items.map((m) => [m.id, m]));
    const placed = new Set<number>();
    this.a.store.update((doc) => {
      const annotations: AnnotationItem[] = [];
      for (const m of doc.annotations) {
        const replacement = byId.get(m.id);
        if (replacement) {
          annotations.push(replacement);
          placed.add(m.id);
        } else if (!remove.has(m.id)) annotations.push(m);
      }
      for (const m of items) if (!placed.has(m.id)) annotations.push(m);
      return { ...doc, annotations };
    });
    if (this.a.selectedId !== null && !this.a.doc.annotations.some((m) => m.id === this.a.selectedId))
      this.a.setSelected(null);
  }
}
