/**
 * Svelte's view of the review session (renderer/core/review/session.ts): the fields components read, mirrored
 * when the session says they changed, plus what only the page needs (who reviews, the annotators and categories
 * for the filters). Kept by the app across mode switches, so going to the annotator to fix a mask (E) and coming
 * back finds the same queue, cursor and undo steps.
 */
import type { AnnotationStatus, CategoryItem, ReviewItem } from '../../electron/ipc/contract.ts';
import { DEFAULT_FILTERS, type ReviewFilters, ReviewSession } from '../core/review/session.ts';
import { type AppHost, describe } from './appHost.ts';

export class ReviewState {
  readonly session: ReviewSession;

  items: readonly ReviewItem[] = $state.raw([]);
  index = $state(-1);
  total = $state(0);
  byStatus: Readonly<Record<AnnotationStatus, number>> = $state.raw({
    draft: 0,
    accepted: 0,
    rejected: 0,
    'needs-fix': 0,
  });
  filters: ReviewFilters = $state.raw(DEFAULT_FILTERS);
  loading = $state(false);
  decided = $state(0);
  zoom: 'mask' | 'image' = $state('mask');
  undoLength = $state(0);
  redoLength = $state(0);
  undoLabel: string | undefined = $state();
  lastError: string | null = $state(null);
  annotators: readonly string[] = $state.raw([]);
  reviewer = $state('');
  categories: readonly CategoryItem[] = $state.raw([]);

  readonly current: ReviewItem | null = $derived(this.items[this.index] ?? null);
  /** Matches not loaded yet. */
  remaining = $state(0);

  private started = false;

  constructor(private readonly app: AppHost) {
    const s = (this.session = new ReviewSession(app.api, {
      openInAnnotator: (item) => {
        app.annotateFocus = { image: item.image, annotationId: item.annotation.id };
        app.mode = 'annotate';
      },
      toggleShortcuts: () => (app.shortcutsOpen = !app.shortcutsOpen),
    }));
    const sync = {
      queue: () => {
        this.items = s.items;
        this.total = s.total;
        this.remaining = s.remaining;
        this.byStatus = s.byStatus;
        this.filters = s.filters;
        this.loading = s.loading;
        this.decided = s.decided;
      },
      current: () => {
        this.items = s.items;
        this.index = s.index;
        this.decided = s.decided;
      },
      history: () => {
        this.undoLength = s.history.undoLength;
        this.redoLength = s.history.redoLength;
        this.undoLabel = s.history.nextUndoLabel;
      },
      status: () => {
        this.lastError = s.lastError;
        if (s.lastError) app.say('error', s.lastError);
      },
      view: () => (this.zoom = s.zoom),
    };
    for (const [topic, fn] of Object.entries(sync)) {
      fn();
      s.on(topic as keyof typeof sync, fn);
    }
  }

  /** First visit: the facets, categories and the queue. Later visits: the same queue, refreshed in place. */
  async start(): Promise<void> {
    const api = this.app.api;
    try {
      const [facets, categories] = await Promise.all([api.reviewFacets(), api.listCategories()]);
      this.annotators = facets.annotators;
      this.reviewer = facets.reviewer;
      this.categories = categories;
    } catch (error) {
      this.app.say('error', describe(error));
    }
    if (this.started) return this.session.refresh();
    this.started = true;
    await this.session.reload();
    // Nothing pending (e.g. a dataset imported as accepted): show everything instead of an empty queue.
    if (this.session.total === 0 && this.session.filters.statuses.length > 0) {
      const any = Object.values(this.session.byStatus).some((n) => n > 0);
      if (any) await this.session.setFilters({ statuses: [] });
    }
  }

  run(id: string): boolean {
    return this.session.run(id);
  }

  setFilters(patch: Partial<ReviewFilters>): void {
    void this.session.setFilters(patch);
  }

  categoryOf(id: number | null): CategoryItem | undefined {
    return this.categories.find((c) => c.id === id);
  }
}
