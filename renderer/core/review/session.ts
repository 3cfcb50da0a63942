/**
 * Review mode's editor, framework-free (issue 5): a queue of masks from the backend (filtered, sorted, loaded a
 * page at a time), the current one, and decisions with single keys. Each decision is one backend write (the
 * backend records the reviewer and the time) and one undo step; undo records the reverse change as a new review
 * event, so the project's review log stays complete.
 *
 * Decisions are applied to the list at once and the cursor moves on before the write returns, so a reviewer can
 * press A A R as fast as they read; a failed write puts the status back, says why and leaves no undo step.
 *
 * Paging stays exact while decisions move masks out of (or, undone, back into) the status filter: the next page
 * starts after the loaded masks that still match, which is where the backend's list continues (only review
 * changes statuses while the project is open here: the project file is locked).
 */
import type {
  AnnotationSource,
  AnnotationStatus,
  ReviewDecision,
  ReviewItem,
  ReviewPage,
  ReviewQuery,
  ReviewSort,
} from '../../../electron/ipc/contract.ts';
import { CommandManager } from '../commands/manager.ts';
import type { UndoCapture } from '../commands/types.ts';
import { History } from '../history.ts';
import type { ToolKeyEvent } from '../tools/types.ts';
import { REVIEW_COMMANDS, type ReviewCommandHost, type ReviewHooks } from './commands.ts';

export type { ReviewHooks };

/** The part of the contract review mode uses (a fake in tests). */
export interface ReviewBackend {
  reviewQueue(query: ReviewQuery): Promise<ReviewPage>;
  reviewAnnotation(id: number, status: AnnotationStatus, comment?: string): Promise<ReviewItem>;
}

/** What the queue shows; an empty list means "any". */
export interface ReviewFilters {
  readonly statuses: readonly AnnotationStatus[];
  readonly sources: readonly AnnotationSource[];
  readonly annotators: readonly string[];
  readonly categoryIds: readonly number[];
  readonly minIou: number | null;
  readonly maxIou: number | null;
  readonly minStability: number | null;
  readonly maxStability: number | null;
  readonly sort: ReviewSort;
  readonly order: 'asc' | 'desc';
}

/** Pending work first, the model's least confident masks first. */
export const DEFAULT_FILTERS: ReviewFilters = {
  statuses: ['draft', 'needs-fix'],
  sources: [],
  annotators: [],
  categoryIds: [],
  minIou: null,
  maxIou: null,
  minStability: null,
  maxStability: null,
  sort: 'predicted_iou',
  order: 'asc',
};

export const PAGE = 100;

export type ReviewTopic = 'queue' | 'current' | 'history' | 'status' | 'view';

const EMPTY_COUNTS: Record<AnnotationStatus, number> = { draft: 0, accepted: 0, rejected: 0, 'needs-fix': 0 };

export class ReviewSession implements ReviewCommandHost {
  readonly history = new History();
  readonly commands: CommandManager<ReviewCommandHost> = new CommandManager(REVIEW_COMMANDS, {
    host: this,
    history: this.history,
    fail: (error) => this.fail(error),
  });
  hooks: ReviewHooks;
  filters: ReviewFilters = DEFAULT_FILTERS;
  items: readonly ReviewItem[] = [];
  /** Matches of the current filters (kept up to date as decisions move masks in and out). */
  total = 0;
  /** Matches per status, ignoring the status filter (the chips' counters). */
  byStatus: Readonly<Record<AnnotationStatus, number>> = EMPTY_COUNTS;
  index = -1;
  loading = false;
  /** Decisions made in this sitting (undone ones subtracted). */
  decided = 0;
  /** Close-up of the mask, or the whole image. */
  zoom: 'mask' | 'image' = 'mask';
  lastError: string | null = null;

  private generation = 0;
  private readonly listeners = new Map<ReviewTopic, Set<() => void>>();
  private morePromise: Promise<void> | null = null;

  constructor(
    private readonly backend: ReviewBackend,
    hooks: Partial<ReviewHooks> = {},
  ) {
    this.hooks = { openInAnnotator() {}, toggleShortcuts() {}, ...hooks };
    this.history.subscribe(() => this.emit('history'));
  }

  on(topic: ReviewTopic, listener: () => void): () => void {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  private emit(topic: ReviewTopic): void {
    for (const listener of this.listeners.get(topic) ?? []) listener();
  }

  get current(): ReviewItem | null {
    return this.items[this.index] ?? null;
  }

  /** Matches not loaded yet (decided masks stay in the list but may no longer match). */
  get remaining(): number {
    return Math.max(0, this.total - this.loadedMatching());
  }

  get hasMore(): boolean {
    return this.remaining > 0;
  }

  private loadedMatching(): number {
    return this.items.filter((i) => this.matches(i.annotation.status)).length;
  }

  // ───────────────────────────── the queue ─────────────────────────────

  private query(offset: number, limit = PAGE): ReviewQuery {
    const f = this.filters;
    return {
      ...(f.statuses.length ? { statuses: f.statuses } : {}),
      ...(f.sources.length ? { sources: f.sources } : {}),
      ...(f.annotators.length ? { annotators: f.annotators } : {}),
      ...(f.categoryIds.length ? { categoryIds: f.categoryIds } : {}),
      ...(f.minIou !== null ? { minIou: f.minIou } : {}),
      ...(f.maxIou !== null ? { maxIou: f.maxIou } : {}),
      ...(f.minStability !== null ? { minStability: f.minStability } : {}),
      ...(f.maxStability !== null ? { maxStability: f.maxStability } : {}),
      sort: f.sort,
      order: f.order,
      offset,
      limit,
    };
  }

  private matches(status: AnnotationStatus): boolean {
    return this.filters.statuses.length === 0 || this.filters.statuses.includes(status);
  }

  /** Change the filters (or the sort) and load the queue again from its start. */
  setFilters(patch: Partial<ReviewFilters>): Promise<void> {
    this.filters = { ...this.filters, ...patch };
    this.emit('queue');
    return this.reload();
  }

  /** Load the first page; the newest reload wins. Undo steps of the old list stay valid (they name ids). */
  reload(): Promise<void> {
    return this.load(PAGE, undefined);
  }

  /**
   * Load the queue again as far as it was loaded, keeping the current mask if it still matches (back from
   * fixing it in the annotator: its mask may have changed).
   */
  refresh(): Promise<void> {
    return this.load(Math.max(PAGE, this.loadedMatching()), this.current?.annotation.id);
  }

  private async load(limit: number, keepId: number | undefined): Promise<void> {
    const generation = ++this.generation;
    this.morePromise = null;
    this.loading = true;
    this.emit('queue');
    try {
      const page = await this.backend.reviewQueue(this.query(0, limit));
      if (generation !== this.generation) return;
      this.items = page.items;
      this.total = page.total;
      this.byStatus = page.byStatus;
      const kept = page.items.findIndex((i) => i.annotation.id === keepId);
      this.index = kept >= 0 ? kept : page.items.length ? 0 : -1;
      this.emit('current');
    } catch (error) {
      if (generation === this.generation) this.fail(error);
    } finally {
      if (generation === this.generation) {
        this.loading = false;
        this.emit('queue');
      }
    }
  }

  /** Load the next page (scrolling, or stepping past the last loaded mask). */
  more(): Promise<void> {
    if (!this.hasMore) return Promise.resolve();
    this.morePromise ??= this.loadMore().finally(() => (this.morePromise = null));
    return this.morePromise;
  }

  private async loadMore(): Promise<void> {
    const generation = this.generation;
    // Where the backend's list continues: after the loaded masks that still match (see the file comment).
    const offset = this.loadedMatching();
    this.loading = true;
    this.emit('queue');
    try {
      const page = await this.backend.reviewQueue(this.query(offset));
      if (generation !== this.generation) return;
      const known = new Set(this.items.map((i) => i.annotation.id));
      this.items = [...this.items, ...page.items.filter((i) => !known.has(i.annotation.id))];
      this.total = page.total;
      this.byStatus = page.byStatus;
      if (this.index < 0 && this.items.length) {
        this.index = 0;
        this.emit('current');
      }
    } catch (error) {
      if (generation === this.generation) this.fail(error);
    } finally {
      if (generation === this.generation) {
        this.loading = false;
        this.emit('queue');
      }
    }
  }

  select(index: number): void {
    if (index < 0 || index >= this.items.length || index === this.index) return;
    this.index = index;
    this.emit('current');
  }

  /** Next (+1) or previous (−1) mask, loading the next page when needed. */
  async step(delta: 1 | -1): Promise<void> {
    if (delta > 0 && this.index + 1 >= this.items.length && this.hasMore) await this.more();
    this.select(Math.max(0, Math.min(this.items.length - 1, this.index + delta)));
  }

  private focus(id: number): void {
    const i = this.items.findIndex((item) => item.annotation.id === id);
    if (i >= 0) this.select(i);
  }

  // ───────────────────────────── decisions ─────────────────────────────

  /** Show a status at once (list, counters, total), before the backend has answered. */
  private setLocalStatus(id: number, status: AnnotationStatus): void {
    const item = this.items.find((i) => i.annotation.id === id);
    if (!item || item.annotation.status === status) return;
    const from = item.annotation.status;
    const counts = { ...this.byStatus };
    counts[from] = Math.max(0, counts[from] - 1);
    counts[status] += 1;
    this.byStatus = counts;
    this.total += (this.matches(status) ? 1 : 0) - (this.matches(from) ? 1 : 0);
    this.replace({ ...item, annotation: { ...item.annotation, status } });
  }

  private replace(updated: ReviewItem): void {
    const id = updated.annotation.id;
    this.items = this.items.map((i) => (i.annotation.id === id ? updated : i));
    this.emit('queue');
    if (this.current?.annotation.id === id) this.emit('current');
  }

  /** Write a status change and apply the backend's item (reviewer, time) when it returns. */
  private async write(id: number, status: AnnotationStatus, comment?: string): Promise<void> {
    const before = this.items.find((i) => i.annotation.id === id)?.annotation.status;
    this.setLocalStatus(id, status);
    try {
      const item = await this.backend.reviewAnnotation(id, status, comment);
      if (this.items.some((i) => i.annotation.id === id)) this.replace(item);
    } catch (error) {
      if (before) this.setLocalStatus(id, before);
      throw error;
    }
  }

  /**
   * Decide the current mask and move to the next one. The undo capture records the reverse change (back to the
   * status the mask had) and shows that mask again; redo records the decision again.
   */
  decide(status: ReviewDecision): Promise<UndoCapture> | null {
    const item = this.current;
    if (!item) return null;
    const id = item.annotation.id;
    const from = item.annotation.status;
    const written = this.write(id, status);
    this.decided++;
    this.emit('queue');
    void this.step(1);
    return written.then(
      () => ({
        undo: async () => {
          this.focus(id);
          await this.write(id, from, 'undo');
          this.decided--;
          this.emit('queue');
        },
        redo: async () => {
          this.focus(id);
          await this.write(id, status, 'redo');
          this.decided++;
          this.emit('queue');
        },
      }),
      (error: unknown) => {
        this.decided--;
        this.emit('queue');
        this.focus(id);
        throw error;
      },
    );
  }

  // ───────────────────────────── commands and keys ─────────────────────────────

  run(id: string): boolean {
    return this.commands.run(id);
  }

  isAvailable(id: string): boolean {
    return this.commands.isAvailable(id);
  }

  /** A key went down; returns true when it was a review shortcut (the caller then prevents the default). */
  keyDown(e: ToolKeyEvent): boolean {
    return this.commands.runShortcut(e);
  }

  toggleZoom(): void {
    this.zoom = this.zoom === 'mask' ? 'image' : 'mask';
    this.emit('view');
  }

  fail(error: unknown): void {
    this.lastError = error instanceof Error ? error.message : String(error);
    this.emit('status');
  }

  clearError(): void {
    this.lastError = null;
    this.emit('status');
  }

  /** Resolves when every write and undo/redo so far has been applied (tests). */
  async settled(): Promise<void> {
    for (let i = 0; i < 20; i++) {
      await this.history.settled();
      await this.morePromise;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
}
