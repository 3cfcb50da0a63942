/**
 * The pixels a preview-only candidate lacks, fetched once per `decodeId:index`:
 * - its preview (`decodedPreview`): a decode previews only the candidate shown first (issue 16), so choosing
 *   another one (Tab) fetches that one's bitmap;
 * - its full-resolution mask (`decodedMask`): accept and the brush need the RLE.
 */
import type { DecodedMask, MaskCandidate, MaskPreview } from '../../../electron/common/candidate.ts';
import type { Draft, DocumentStore } from '../document.ts';
import type { DraftLineage } from './draftLineage.ts';

export interface FullMaskBackend {
  decodedMask(decodeId: string, candidate: number): Promise<DecodedMask>;
  decodedPreview(decodeId: string, candidate: number, maxSide: number): Promise<MaskPreview>;
}

export class FullMasks {
  /** Fetches under way or done, by `kind:decodeId:index`. */
  private readonly fetches = new Map<string, Promise<Partial<MaskCandidate>>>();

  constructor(
    private readonly backend: FullMaskBackend,
    private readonly lineage: DraftLineage,
    private readonly store: DocumentStore,
  ) {}

  /** The draft with its selected candidate's full-resolution mask (fetched when only its preview is known). */
  ensure(draft: Draft): Promise<Draft> {
    const candidate = draft.decode?.candidates[draft.selected];
    if (draft.edited || !candidate || candidate.rle) return Promise.resolve(draft);
    return this.fill(draft, 'full', (decodeId, index) =>
      this.backend.decodedMask(decodeId, index).then((mask) => ({
        stabilityScore: mask.stabilityScore,
        area: mask.area,
        rle: mask.rle,
      })),
    );
  }

  /** The draft with a preview of its selected candidate, when it has no pixels to show yet. */
  ensurePreview(draft: Draft, maxSide: number): Promise<Draft> {
    const candidate = draft.decode?.candidates[draft.selected];
    if (draft.edited || !candidate || candidate.preview || candidate.rle) return Promise.resolve(draft);
    return this.fill(draft, 'preview', (decodeId, index) =>
      this.backend.decodedPreview(decodeId, index, maxSide).then((preview) => ({ preview })),
    );
  }

  private async fill(
    draft: Draft,
    kind: string,
    fetchOf: (decodeId: string, index: number) => Promise<Partial<MaskCandidate>>,
  ): Promise<Draft> {
    const decode = draft.decode!;
    const index = draft.selected;
    const key = `${kind}:${decode.decodeId}:${index}`;
    let fetch = this.fetches.get(key);
    if (!fetch) {
      fetch = fetchOf(decode.decodeId, index);
      this.fetches.set(key, fetch);
      fetch.catch(() => this.fetches.delete(key));
    }
    const fetched = await fetch;
    const current = this.lineage.latest(draft);
    if (current.decode !== decode && !sameDecode(current, decode)) return current; // changed meanwhile
    // Merged into the candidate as it is now: the other fetch (preview or full) may have landed meanwhile.
    const now = current.decode!;
    const candidates = now.candidates.map((c, i) => (i === index ? { ...c, ...fetched } : c));
    const filled: Draft = { ...current, decode: { ...now, candidates } };
    this.lineage.resolve(current, filled);
    const shown = this.store.get().draft;
    if (shown && shown !== filled && sameDecode(shown, decode)) {
      // The shown draft is another form of this one (e.g. another candidate selected): fill it too.
      this.lineage.resolve(shown, { ...shown, decode: { ...shown.decode!, candidates } });
    }
    return filled;
  }
}

/** Whether `draft` holds a form of `decode` (the same decode id; fills replace the decode object). */
function sameDecode(draft: Draft, decode: NonNullable<Draft['decode']>): boolean {
  return draft.decode?.decodeId === decode.decodeId;
}
