/**
 * The brush and the eraser: a stroke paints a full-resolution working mask in place (the draft's mask, the
 * selected stored mask, or a new draft), is shown live, and on pointer up becomes one command ('mask.stroke').
 *
 * Frames: points and radii in image pixels; the radius is fixed for the stroke (zooming mid-stroke keeps it).
 */
import type { ImagePoint, Size } from '../../../electron/common/frames.ts';
import type { Rle } from '../../../electron/common/rle.ts';
import type { AnnotationItem } from '../../../electron/ipc/contract.ts';
import type { Draft } from '../document.ts';
import { activeDraft, draftMask, sameRle } from '../document.ts';
import { type Clock, EditClock } from '../timing.ts';
import { WorkingMask } from '../workingMask.ts';

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

/** A finished or running stroke, as the 'mask.stroke' command records it. */
export interface Stroke {
  readonly target: 'draft' | number;
  readonly erase: boolean;
  readonly mask: WorkingMask;
  readonly before: Draft | null;
  readonly beforeRle: Rle | null;
  readonly clock: EditClock;
  last: ImagePoint;
  readonly path: ImagePoint[];
  readonly radius: number;
  version: number;
  /** The stroke created the draft (painting with no mask): cancelling removes it again. */
  readonly newDraft: boolean;
}

/** What the brush needs of the editor. */
export interface BrushHost {
  readonly image: Size | null;
  readonly draft: Draft | null;
  /** The selected stored mask, if it is shown. */
  readonly selected: AnnotationItem | null;
  readonly hidden: ReadonlySet<number>;
  readonly brushRadius: number;
  readonly now: Clock;
  /** Fetch the draft's full mask (an adopted preview); paint once it is here. */
  fetchFullMask(draft: Draft): void;
  /** Nothing to erase: say so. */
  refuse(message: string): void;
  /** Record the finished stroke (the 'mask.stroke' command). */
  record(stroke: Stroke, rle: Rle): void;
  emit(topic: 'stroke' | 'overlay'): void;
}

export const NOTHING_TO_ERASE =
  'Nothing to erase: select a mask first (V, then click it) or make one with SAM.';

export class BrushStrokes {
  /** The stroke being painted, for display. */
  stroke: LiveStroke | null = null;
  /** Brush cursor position (display only). */
  cursor: ImagePoint | null = null;
  private current: Stroke | null = null;
  /** Last decoded working mask, reused by the next stroke on the same mask (decoding 20 MP is not free). */
  private cache: { rle: Rle; mask: WorkingMask } | null = null;

  constructor(private readonly host: BrushHost) {}

  begin(point: ImagePoint, erase: boolean): boolean {
    const h = this.host;
    const image = h.image;
    if (!image) return false;
    const draft = h.draft;
    const draftRle = draftMask(draft)?.rle ?? null;
    if (activeDraft(draft) && draftMask(draft) && !draftRle) {
      h.fetchFullMask(draft!);
      return false;
    }
    let target: 'draft' | number;
    let rle: Rle | null;
    let newDraft = false;
    const selected = h.selected;
    if (draftRle && activeDraft(draft)) {
      target = 'draft';
      rle = draftRle;
    } else if (selected && selected.rle && !h.hidden.has(selected.id)) {
      target = selected.id;
      rle = selected.rle;
    } else if (!erase) {
      target = 'draft';
      rle = null;
      newDraft = true;
    } else {
      h.refuse(NOTHING_TO_ERASE);
      return false;
    }
    const mask =
      rle && this.cache && sameRle(this.cache.rle, rle)
        ? this.cache.mask
        : rle
          ? WorkingMask.fromRle(rle)
          : WorkingMask.empty(image);
    this.cache = null; // the mask is painted in place from now on
    const radius = h.brushRadius;
    this.current = {
      target,
      erase,
      mask,
      before: draft,
      beforeRle: rle,
      clock: new EditClock(h.now),
      last: point,
      path: [point],
      radius,
      version: 0,
      newDraft,
    };
    mask.dab(point.x, point.y, radius, erase ? 0 : 1);
    this.publish();
    return true;
  }

  continue(point: ImagePoint): void {
    const s = this.current;
    if (!s) return;
    s.mask.segment(s.last.x, s.last.y, point.x, point.y, s.radius, s.erase ? 0 : 1);
    s.last = point;
    s.path.push(point);
    s.clock.activity();
    this.publish();
  }

  end(): void {
    const s = this.current;
    if (!s) return;
    this.current = null;
    const rle = s.mask.toRle();
    this.cache = { rle, mask: s.mask };
    this.stroke = null;
    this.host.emit('stroke');
    this.host.record(s, rle);
  }

  cancel(): void {
    if (!this.current) return;
    this.current = null;
    this.cache = null; // painted in place: no longer matches its RLE
    this.stroke = null;
    this.host.emit('stroke');
  }

  /** The cached working mask was painted in place and is no longer the stored mask. */
  dropCache(): void {
    this.cache = null;
  }

  showCursor(point: ImagePoint | null): void {
    this.cursor = point;
    this.host.emit('overlay');
  }

  /** Another image: no stroke, no cache. */
  reset(): void {
    this.cache = null;
    this.current = null;
    this.stroke = null;
  }

  private publish(): void {
    const s = this.current!;
    s.version++;
    this.stroke = {
      mask: s.mask,
      target: s.target,
      erase: s.erase,
      path: s.path,
      radius: s.radius,
      version: s.version,
    };
    this.host.emit('stroke');
  }
}
