/**
 * The annotator's document: one image's annotations as the backend stores them, plus the draft being made with
 * SAM (prompts, the decode's candidates, which candidate is chosen). Plain immutable values: every change makes
 * a new object, so a history entry can keep the "before" and "after" of a step, and a decode reply can check
 * that the draft it was asked for is still the current one (identity).
 *
 * Frames: prompt points and boxes are in image pixels (after EXIF orientation), like everything in the contract.
 */
import type { Size } from '../../electron/common/frames.ts';
import type { Rle } from '../../electron/common/rle.ts';
import type { MaskCandidate } from '../../electron/common/candidate.ts';
import type { PromptBox, PromptPoint } from '../../electron/common/prompts.ts';
import type { AnnotationItem, AnnotationTiming } from '../../electron/ipc/contract.ts';

/** A decode's answer to exactly the draft's prompts. */
export interface DraftDecode {
  /** Names the decode for refinement (`maskInputRef`). */
  readonly decodeId: string;
  readonly candidates: readonly MaskCandidate[];
  readonly decodeMs: number;
  /** The request used the previous decode's logits. */
  readonly refined: boolean;
}

export interface Draft {
  /** Same for every state of one draft (from its first prompt to accept or cancel). */
  readonly key: number;
  readonly points: readonly PromptPoint[];
  readonly box: PromptBox | null;
  /** Result for these prompts; null while it is being computed (or when there are no prompts). */
  readonly decode: DraftDecode | null;
  /** Index into `decode.candidates`. */
  readonly selected: number;
  /** A brush-edited mask replacing the selected candidate (no decode needed then). */
  readonly edited: Rle | null;
  /** Timing carried over when an accept was undone. */
  readonly resumedTiming?: AnnotationTiming;
}

export interface AnnotatorDocument {
  readonly image: { readonly id: number } & Size;
  readonly annotations: readonly AnnotationItem[];
  readonly draft: Draft | null;
}

export const promptCount = (draft: Draft): number => draft.points.length + (draft.box ? 1 : 0);

export const hasPrompts = (draft: Draft | null): boolean => !!draft && promptCount(draft) > 0;

/** The draft, if it has something to show, accept or cancel (prompts or a painted mask). */
export const activeDraft = (draft: Draft | null): Draft | null =>
  draft && (promptCount(draft) > 0 || draft.edited) ? draft : null;

/**
 * The mask the draft would be accepted as: the edited mask, else the selected candidate (whose `rle` is null
 * while only its preview is known).
 */
export function draftMask(draft: Draft | null): { rle: Rle | null; candidate: MaskCandidate | null } | null {
  if (!draft) return null;
  const candidate = draft.decode?.candidates[draft.selected] ?? null;
  if (draft.edited) return { rle: draft.edited, candidate };
  return candidate ? { rle: candidate.rle, candidate } : null;
}

/** Index of the prompt point within `radius` image pixels of `p` (the nearest), or -1. */
export function pointNear(
  points: readonly PromptPoint[],
  p: { x: number; y: number },
  radius: number,
): number {
  let found = -1;
  let best = radius * radius;
  points.forEach((q, i) => {
    const d = (q.x - p.x) ** 2 + (q.y - p.y) ** 2;
    if (d <= best) [found, best] = [i, d];
  });
  return found;
}

/** Same mask? (The backend returns equal masks as new objects.) */
export const sameRle = (a: Rle | null, b: Rle | null): boolean =>
  a === b || (!!a && !!b && a.counts === b.counts && a.size[0] === b.size[0] && a.size[1] === b.size[1]);

/** Normalise a dragged box (any corner order) and clamp it to the image. */
export function normalizeBox(
  a: { x: number; y: number },
  b: { x: number; y: number },
  size: Size,
): PromptBox {
  const clampX = (v: number) => Math.min(size.width, Math.max(0, v));
  const clampY = (v: number) => Math.min(size.height, Math.max(0, v));
  return {
    x0: clampX(Math.min(a.x, b.x)),
    y0: clampY(Math.min(a.y, b.y)),
    x1: clampX(Math.max(a.x, b.x)),
    y1: clampY(Math.max(a.y, b.y)),
  };
}

/** Observable holder of the current document. */
export class DocumentStore {
  private value: AnnotatorDocument;
  private readonly listeners = new Set<(doc: AnnotatorDocument) => void>();

  constructor(initial: AnnotatorDocument) {
    this.value = initial;
  }

  get(): AnnotatorDocument {
    return this.value;
  }

  set(next: AnnotatorDocument): void {
    if (next === this.value) return;
    this.value = next;
    for (const listener of this.listeners) listener(next);
  }

  update(fn: (doc: AnnotatorDocument) => AnnotatorDocument): void {
    this.set(fn(this.value));
  }

  subscribe(listener: (doc: AnnotatorDocument) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
