/**
 * Editing a stored mask's outline (issue 17): the selected mask's pixel-exact polygons (outlineGeometry.ts), the
 * vertex the user picked, a live preview while a vertex is dragged, and the write-back: the edited polygons are
 * rasterised and stored as the mask through the stored-annotation patch (one step, optimistic, taken back if the
 * store refuses). The polygons written are remembered by their mask, so undo and redo show them as they were
 * drawn (a vertex between pixel corners included), not re-traced from the pixels.
 */
import type { Size } from '../../../electron/common/frames.ts';
import { type Rle, rleArea } from '../../../electron/common/rle.ts';
import type { AnnotationItem, AnnotationPatch } from '../../../electron/ipc/contract.ts';
import type { UndoCapture } from '../commands/types.ts';
import { sameRle } from '../document.ts';
import { type PolygonWithHoles, type VertexRef, outlineOf, rasterizeOutline } from './outlineGeometry.ts';

/** Why an outline edit was refused. */
export const EMPTY_OUTLINE =
  'That edit would leave the mask without pixels, so it was not made. To remove a mask, press Delete.';
export const RING_TOO_SMALL = 'An outline keeps at least 3 vertices per ring.';
export const NO_VERTEX_PICKED =
  'Click a vertex to pick it; Delete then removes it. (To delete the whole mask, use the Select tool.)';

export interface OutlineHost {
  readonly image: Size | null;
  /** The selected annotation. */
  readonly selected: AnnotationItem | null;
  patch(id: number, patch: AnnotationPatch, undoPatch: AnnotationPatch): Promise<UndoCapture>;
  emit(topic: 'overlay'): void;
}

/** The outline being edited, as drawn. */
export interface EditedOutline {
  readonly id: number;
  readonly outline: readonly PolygonWithHoles[];
  /** The selected vertex, if any. */
  readonly vertex: VertexRef | null;
}

/** Masks whose outlines may be edited: stored and decided (not an undecided automatic mask). */
export const editable = (a: AnnotationItem | null): a is AnnotationItem & { rle: Rle } =>
  !!a && !!a.rle && a.id >= 0 && (a.status === 'accepted' || a.status === 'needs-fix');

const CACHE_LIMIT = 64;

export class OutlineEditing {
  /** Polygons by the mask they rasterise to (counts string): those written, and those traced. */
  private readonly outlines = new Map<string, PolygonWithHoles[]>();
  private previewOutline: { id: number; outline: PolygonWithHoles[] } | null = null;
  private vertex: VertexRef | null = null;
  private vertexOf = -1;
  /** The mask the picked vertex belongs to: after an undo or redo it may be another vertex, so none is picked. */
  private vertexMask = '';

  constructor(private readonly host: OutlineHost) {}

  private outlineOfMask(rle: Rle): PolygonWithHoles[] {
    let outline = this.outlines.get(rle.counts);
    if (!outline) this.remember(rle, (outline = outlineOf(rle)));
    return outline;
  }

  private remember(rle: Rle, outline: PolygonWithHoles[]): void {
    this.outlines.delete(rle.counts);
    this.outlines.set(rle.counts, outline);
    if (this.outlines.size > CACHE_LIMIT) this.outlines.delete(this.outlines.keys().next().value!);
  }

  /** The selected mask's outline (the live preview while a vertex is dragged), or null. */
  get current(): EditedOutline | null {
    const a = this.host.selected;
    if (!editable(a)) return null;
    const outline =
      this.previewOutline?.id === a.id ? this.previewOutline.outline : this.outlineOfMask(a.rle);
    const picked = this.vertexOf === a.id && this.vertexMask === a.rle.counts;
    return { id: a.id, outline, vertex: picked ? this.vertex : null };
  }

  selectVertex(vertex: VertexRef | null): void {
    const selected = this.host.selected;
    this.vertex = vertex;
    this.vertexOf = selected?.id ?? -1;
    this.vertexMask = selected?.rle?.counts ?? '';
    this.host.emit('overlay');
  }

  /** Show `outline` while a vertex is dragged (no document change); null: the stored outline again. */
  preview(outline: PolygonWithHoles[] | null): void {
    const id = this.host.selected?.id;
    this.previewOutline = outline && id !== undefined ? { id, outline } : null;
    this.host.emit('overlay');
  }

  /**
   * Store `outline` as the mask of annotation `id` (one step). No step when it covers the same pixels (the
   * polygon is still shown as drawn); refused when it covers none.
   */
  write(id: number, outline: PolygonWithHoles[]): Promise<UndoCapture> | undefined {
    const image = this.host.image;
    const a = this.host.selected;
    this.previewOutline = null;
    if (!image || !editable(a) || a.id !== id) return undefined;
    const before = a.rle;
    const rle = rasterizeOutline(outline, image.height, image.width);
    if (rleArea(rle) === 0) {
      this.host.emit('overlay');
      throw new Error(EMPTY_OUTLINE);
    }
    this.remember(rle, outline);
    if (this.vertexOf === id) this.vertexMask = rle.counts; // the moved or inserted vertex stays picked
    if (sameRle(rle, before)) {
      this.host.emit('overlay');
      return undefined;
    }
    return this.host.patch(id, { rle }, { rle: before });
  }

  /** Another image, or the tool was left. */
  reset(): void {
    this.previewOutline = null;
    this.vertex = null;
    this.vertexOf = -1;
  }
}
