/**
 * The SAM draft: the mask being made from prompts (or painted), from its first prompt to accept or cancel. Each
 * prompt is one recorded step; the draft's first step sets a history mark so cancel (Esc) bails to it and leaves
 * nothing. Decodes run on the 'click' lane; a reply applies only to the draft it was asked for (identity =
 * version) and is remembered for redo either way (`DraftLineage`).
 */
import type { Rle } from '../../../electron/common/rle.ts';
import type { DecodeRequest, PreviewReply } from '../../../electron/ipc/contract.ts';
import type { UndoCapture } from '../commands/types.ts';
import type { DecodeOutcome, DecoderClient } from '../decoder.ts';
import { bestCandidate, candidateFromPreview } from '../../../electron/common/candidate.ts';
import { type Draft, type DocumentStore, activeDraft, hasPrompts } from '../document.ts';
import type { EditorStatus } from '../editorStatus.ts';
import type { History, Mark } from '../history.ts';
import type { DraftClock } from './draftClock.ts';
import { DraftLineage } from './draftLineage.ts';
import { type FullMaskBackend, FullMasks } from './fullMasks.ts';

/** What the draft needs of the editor. */
export interface DraftHost {
  readonly store: DocumentStore;
  readonly history: History;
  readonly decoder: DecoderClient;
  readonly status: EditorStatus;
  readonly clock: DraftClock;
  /** Longest side of the preview bitmaps (≈ the canvas size). */
  readonly previewMaxSide: number;
  /** The decode request for a draft as it stands (built when sent). */
  requestFor(draft: Draft, lineage: DraftLineage): DecodeRequest;
  /** A new draft state was made: the hover preview is about an old question. */
  forgetHover(): void;
  /** Enter came before the decode: accept now that it is here. */
  acceptNow(): void;
  emit(topic: 'overlay' | 'status'): void;
}

export class DraftEditor {
  readonly lineage: DraftLineage;
  private readonly fullMasks: FullMasks;
  private readonly marks = new Map<number, Mark>();
  private nextKey = 1;
  /** Undoing a cancelled draft's steps: the intermediate drafts need no decode. */
  private bailing = false;
  /** Enter was pressed while this draft's decode was still running: accept when it arrives. */
  acceptWhenReady: number | null = null;
  /** The draft whose decode failed (nothing is pending for it). */
  private failed: Draft | null = null;
  /** Performance marks for the bench: pointer event → mask drawn. */
  onDecodeApplied: ((draft: Draft) => void) | null = null;

  constructor(
    private readonly host: DraftHost,
    backend: FullMaskBackend,
  ) {
    this.lineage = new DraftLineage(host.store);
    this.fullMasks = new FullMasks(backend, this.lineage, host.store);
  }

  private get current(): Draft | null {
    return this.host.store.get().draft;
  }

  /** A fresh draft key and an empty draft (the first prompt of a mask). */
  newDraft(): Draft {
    return { key: this.nextKey++, points: [], box: null, decode: null, selected: 0, edited: null };
  }

  /** The draft to build on: the current one, or a new one. */
  baseDraft(): Draft {
    return activeDraft(this.current) ?? this.newDraft();
  }

  /** Start the draft's mark (its first step) and clock; returns the clock for counting. */
  private begin(next: Draft) {
    if (!this.marks.has(next.key)) this.marks.set(next.key, this.host.history.mark());
    return this.host.clock.forDraft(next);
  }

  /**
   * Make `next` the draft as one recorded step (used by the prompt commands): starts the per-mask clock and the
   * draft's history mark on its first prompt, and asks for its decode.
   */
  change(next: Draft, parent: Draft | null): UndoCapture {
    const before = this.current;
    this.begin(next).click();
    if (parent) this.lineage.setParent(next, parent);
    this.host.forgetHover();
    this.host.emit('overlay');
    this.show(next);
    if (next.decode) {
      this.onDecodeApplied?.(next);
      void this.ensureFullMask(next).catch(() => undefined); // adopted preview: fetch its full mask now
    }
    return { undo: () => this.show(before), redo: () => this.show(next) };
  }

  /** A brush stroke on the draft (or one that started a draft) as one step. */
  paint(base: Draft | null, edited: Rle): UndoCapture {
    const next: Draft = { ...(activeDraft(base) ?? this.newDraft()), edited };
    this.begin(next).brushStroke();
    const before = this.current;
    this.show(next);
    return { undo: () => this.show(before), redo: () => this.show(next) };
  }

  /**
   * A polygon drawn by hand (the polygon tool, issue 17) becomes a new draft with no prompts, its mask the
   * polygon's rasterisation; it replaces any draft (undo brings that back). One step, clicks = its vertices.
   */
  drawn(edited: Rle, vertices: number): UndoCapture {
    const next: Draft = { ...this.newDraft(), edited };
    const clock = this.begin(next);
    for (let i = 0; i < vertices; i++) clock.click();
    const before = this.current;
    this.host.forgetHover();
    this.show(next);
    this.host.emit('overlay');
    return { undo: () => this.show(before), redo: () => this.show(next) };
  }

  /** Put a draft (as it is now known: with its decode if that arrived) in the document; decode it if needed. */
  show(draft: Draft | null): void {
    const d = draft ? this.lineage.latest(draft) : null;
    this.host.store.update((doc) => ({ ...doc, draft: d }));
    if (d && hasPrompts(d) && !d.decode && !d.edited && !this.bailing) void this.decode(d);
    this.updatePending();
  }

  /** The draft leaves the canvas (accepted). */
  clear(): void {
    this.host.store.update((doc) => ({ ...doc, draft: null }));
    this.updatePending();
  }

  /** Esc: drop the draft and every step it made (leaves no history). */
  cancel(): void {
    const draft = this.current;
    if (!draft) return;
    const mark = this.marks.get(draft.key);
    this.marks.delete(draft.key);
    this.host.clock.stop();
    this.host.decoder.cancel('click');
    this.host.store.update((doc) => ({ ...doc, draft: null }));
    this.acceptWhenReady = null;
    if (mark) {
      this.bailing = true;
      void this.host.history.bailToMark(mark).finally(() => {
        this.bailing = false;
        // Bailing restores the states before the draft; none of them is worth showing.
        this.host.store.update((doc) => ({ ...doc, draft: null }));
        this.updatePending();
      });
    }
    this.updatePending();
  }

  /** Decode the current draft again (the multimask mode changed). Not a step: the prompts are the same. */
  redecode(): void {
    const d = this.current;
    if (!d || !hasPrompts(d) || d.edited) return;
    const again: Draft = { ...d, decode: null };
    this.lineage.inherit(d, again);
    this.show(again);
  }

  selectCandidate(index: number): void {
    const d = this.current;
    if (!d?.decode || d.edited) return;
    const n = d.decode.candidates.length;
    const next: Draft = { ...d, selected: ((index % n) + n) % n };
    this.lineage.inherit(d, next);
    this.host.store.update((doc) => ({ ...doc, draft: next }));
    // A decode previews only the candidate shown first (issue 16): this one's bitmap first, then its full mask.
    void this.fullMasks
      .ensurePreview(next, this.host.previewMaxSide)
      .then((shown) => this.ensureFullMask(shown))
      .catch(() => undefined);
  }

  /** The draft with its selected candidate's full-resolution mask (fetched when only its preview is known). */
  ensureFullMask(draft: Draft): Promise<Draft> {
    return this.fullMasks.ensure(draft);
  }

  /** Another image: no marks, nothing pending. */
  reset(): void {
    this.marks.clear();
  }

  updatePending(): void {
    const d = this.current;
    this.host.status.setPending(!!d && hasPrompts(d) && !d.decode && !d.edited && d !== this.failed);
  }

  private decode(draft: Draft): Promise<DecodeOutcome> {
    const h = this.host;
    const imageId = h.store.get().image.id;
    const clock = h.clock.runningFor(draft);
    const wait = clock?.waitStart();
    let refined = false;
    const build = () => {
      // Built when sent: by then the previous click's decode may have arrived to refine from.
      if (h.store.get().image.id !== imageId) return null;
      const request = h.requestFor(draft, this.lineage);
      refined = !!request.maskInputRef;
      return request;
    };
    return h.decoder.request(build, 'click', (outcome) => {
      if (wait !== undefined) clock?.waitEnd(wait);
      if (h.store.get().image.id !== imageId) return;
      if (outcome.status === 'ok') this.apply(draft, outcome.reply, refined);
      else if (outcome.status === 'error' && refined && !this.lineage.refinementFailed(draft)) {
        // The backend keeps the logits of recent decodes only; without them, decode from the prompts alone.
        this.lineage.dropRefinement(draft);
        if (this.current === draft) void this.decode(draft);
      } else if (outcome.status === 'error' && this.current === draft) {
        // Nothing is coming for this draft: no "Segmenting…", and Enter no longer waits for it (issue 17).
        this.failed = draft;
        if (this.acceptWhenReady === draft.key) this.acceptWhenReady = null;
        h.status.fail(outcome.error);
      }
      this.updatePending();
      h.emit('status');
    });
  }

  private apply(draft: Draft, reply: PreviewReply, refined: boolean): void {
    const candidates = reply.candidates.map(candidateFromPreview);
    const done: Draft = {
      ...draft,
      decode: { decodeId: reply.decodeId, candidates, decodeMs: reply.timings.decodeMs, refined },
      selected: bestCandidate(candidates),
    };
    this.host.status.lastDecodeMs = reply.timings.decodeMs;
    this.host.status.lastError = null;
    const shown = this.current === draft;
    this.lineage.resolve(draft, done); // kept for undo/redo even when the draft moved on
    if (!shown) return;
    this.onDecodeApplied?.(done);
    void this.ensureFullMask(done).catch(() => undefined); // the chosen candidate at full resolution, soon
    if (this.acceptWhenReady === done.key) {
      this.acceptWhenReady = null;
      this.host.acceptNow();
    }
  }
}
