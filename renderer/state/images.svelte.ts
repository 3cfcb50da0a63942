/**
 * The project's image list: filter by status, search by path, load page by page, and the current image with
 * next/previous (D / A). Also asks the backend to encode the current image now and the next few in the
 * background, so the first click on them is fast.
 */
import type { ClientApi, ImageItem, ImageStatus } from '../../electron/ipc/contract.ts';

export type StatusFilter = ImageStatus | 'all';

const PAGE = 200;
/** How many images after the current one to encode ahead. */
export const PREFETCH = 3;

export class ImagesState {
  filter: StatusFilter = $state('all');
  search = $state('');
  items: readonly ImageItem[] = $state.raw([]);
  total = $state(0);
  loading = $state(false);
  currentId: number | null = $state(null);
  /** The current image's item (kept even when a filter hides it). */
  current: ImageItem | null = $state.raw(null);

  readonly index = $derived(this.items.findIndex((i) => i.id === this.currentId));
  readonly nextIds = $derived(
    this.index >= 0 ? this.items.slice(this.index + 1, this.index + 1 + PREFETCH).map((i) => i.id) : [],
  );

  private generation = 0;

  constructor(
    private readonly api: ClientApi,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Reload from the start with the current filter and search. */
  async reload(): Promise<void> {
    const generation = ++this.generation;
    this.loading = true;
    try {
      const page = await this.api.listImages(this.query(0));
      if (generation !== this.generation) return; // a newer search won
      this.items = page.items;
      this.total = page.total;
    } catch (error) {
      this.onError(error);
    } finally {
      if (generation === this.generation) this.loading = false;
    }
  }

  /** Load the next page (infinite scroll). */
  async more(): Promise<void> {
    if (this.loading || this.items.length >= this.total) return;
    const generation = this.generation;
    this.loading = true;
    try {
      const page = await this.api.listImages(this.query(this.items.length));
      if (generation !== this.generation) return;
      this.items = [...this.items, ...page.items];
      this.total = page.total;
    } catch (error) {
      this.onError(error);
    } finally {
      this.loading = false;
    }
  }

  private query(offset: number) {
    return {
      offset,
      limit: PAGE,
      ...(this.filter !== 'all' ? { status: this.filter } : {}),
      ...(this.search.trim() ? { search: this.search.trim() } : {}),
    };
  }

  select(item: ImageItem): void {
    this.currentId = item.id;
    this.current = item;
  }

  async step(delta: 1 | -1): Promise<ImageItem | null> {
    let i = this.index;
    if (i < 0) return this.items[0] ?? null;
    if (delta > 0 && i + 1 >= this.items.length && this.items.length < this.total) await this.more();
    i = this.items.findIndex((item) => item.id === this.currentId);
    return this.items[i + delta] ?? null;
  }

  /** Update one image's row after a change (status, annotation count). */
  patch(id: number, patch: Partial<Pick<ImageItem, 'status' | 'annotationCount'>>): void {
    this.items = this.items.map((i) => (i.id === id ? { ...i, ...patch } : i));
    if (this.current?.id === id) this.current = { ...this.current, ...patch };
  }
}
