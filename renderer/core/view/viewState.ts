/**
 * The view: zoom and pan, the canvas size, selection, hidden masks, the category for new masks and the display
 * options. Never recorded in history (not the document).
 *
 * Frames: `viewport` maps image pixels to screen pixels (screenFrame.ts); brush size is in screen pixels.
 */
import type { Size } from '../../../electron/common/frames.ts';
import type { AnnotationItem, CategoryItem } from '../../../electron/ipc/contract.ts';
import {
  IDENTITY,
  type ScreenPoint,
  type Viewport,
  actualSize,
  fitViewport,
  panBy,
  screenPoint,
  zoomAt,
} from '../screenFrame.ts';

export type MultimaskMode = 'auto' | 'on' | 'off';

/** Options the user toggles (commands, panels); `Annotator.setOption` applies their side effects. */
export interface ViewOptions {
  multimaskMode: MultimaskMode;
  hoverEnabled: boolean;
  /** Brush diameter in screen pixels (so it stays the same size on screen while zooming). */
  brushSize: number;
  polygonView: boolean;
  /** Polygon simplification tolerance, image pixels. */
  polygonTolerance: number;
  /** Shade the image where no mask (accepted or undecided) covers it yet. */
  showUnlabeled: boolean;
}

export type ViewOption = keyof ViewOptions;

/** What the view needs of the editor. */
export interface ViewHost {
  readonly image: Size | null;
  /** Annotations drawn and listed (rejected ones are hidden). */
  readonly visibleAnnotations: readonly AnnotationItem[];
  emit(topic: 'view'): void;
}

export class ViewState implements ViewOptions {
  viewport: Viewport = IDENTITY;
  viewSize: Size = { width: 1, height: 1 };
  selectedId: number | null = null;
  hidden = new Set<number>();
  categories: readonly CategoryItem[] = [];
  /** The category new masks get (and number keys set). */
  categoryId: number | null = null;
  multimaskMode: MultimaskMode = 'auto';
  hoverEnabled = true;
  brushSize = 24;
  polygonView = false;
  polygonTolerance = 1;
  showUnlabeled = false;
  /** The viewport is the fit of the image (no zoom or pan since): a resize fits again. */
  private fitted = false;

  constructor(private readonly host: ViewHost) {}

  get category(): CategoryItem | null {
    return this.categories.find((c) => c.id === this.categoryId) ?? null;
  }

  setViewSize(size: Size): void {
    const first = this.viewSize.width <= 1;
    this.viewSize = size;
    // A fitted image stays fitted when the window is resized (issue 17: it slid under the side panel).
    if (first || this.fitted) this.fit();
    this.host.emit('view');
  }

  setViewport(v: Viewport): void {
    this.viewport = v;
    this.fitted = false;
    this.host.emit('view');
  }

  fit(): void {
    const image = this.host.image;
    if (!image) return;
    this.setViewport(fitViewport(image, this.viewSize));
    this.fitted = true;
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

  /** Screen pixels → image pixels at the current zoom. */
  imageLength(screenPixels: number): number {
    return screenPixels / this.viewport.scale;
  }

  /** Brush radius, image pixels. */
  get brushRadius(): number {
    return this.imageLength(this.brushSize / 2);
  }

  setSelected(id: number | null): void {
    this.selectedId = id;
    this.host.emit('view');
  }

  toggleHidden(id: number): void {
    const hidden = new Set(this.hidden);
    if (!hidden.delete(id)) hidden.add(id);
    this.hidden = hidden;
    this.host.emit('view');
  }

  setAllHidden(hide: boolean): void {
    this.hidden = hide ? new Set(this.host.visibleAnnotations.map((a) => a.id)) : new Set();
    this.host.emit('view');
  }

  /** An annotation was stored again under a new id: selection and visibility follow it. */
  renamed(id: number, newId: number): void {
    if (this.selectedId === id) this.selectedId = newId;
    if (this.hidden.has(id)) {
      this.hidden.delete(id);
      this.hidden.add(newId);
    }
  }

  setCategories(categories: readonly CategoryItem[]): void {
    this.categories = categories;
    if (this.categoryId === null || !categories.some((c) => c.id === this.categoryId))
      this.categoryId = categories[0]?.id ?? null;
    this.host.emit('view');
  }

  chooseCategory(id: number): void {
    this.categoryId = id;
    this.host.emit('view');
  }

  /** A new image: nothing selected or hidden. */
  reset(): void {
    this.selectedId = null;
    this.hidden = new Set();
  }
}
