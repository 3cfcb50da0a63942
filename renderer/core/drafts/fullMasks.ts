/**
 * Full-resolution masks for preview-only candidates: a click that adopted the hover preview knows its candidate
 * only as a bitmap; accept and the brush need the RLE, fetched once per `decodeId:index` with `decodedMask`.
 */
import type { DecodedMask, MaskCandidate } from '../../../electron/common/candidate.ts';
import type { Draft, DocumentStore } from '../document.ts';
import type { DraftLineage } from './draftLineage.ts';

export interface FullMaskBackend {
  decodedMask(decodeId: string, candidate: number): Promise<DecodedMask>;
}

export class FullMasks {
  /** Full masks being fetched, by `decodeId:index`. */
  private readonly fetches = new Map<string, Promise<MaskCandidate>>();

  constructor(
    private readonly backend: FullMaskBackend,
    private readonly lineage: DraftLineage,
    private readonly store: DocumentStore,
  ) {}

  /** The draft with its selected candidate's full-resolution mask (fetched when only its preview is known). */
  async ensure(draft: Draft): Promise<Draft> {
    const decode = draft.decode;
    const index = draft.selected;
    const candidate = decode?.candidates[index];
    if (draft.edited || !decode || !candidate || candidate.rle) return draft;
    const key = `${decode.decodeId}:${index}`;
    let fetch = this.fetches.get(key);
    if (!fetch) {
      fetch = this.backend.decodedMask(decode.decodeId, index).then((mask) => ({
        ...candidate,
        stabilityScore: mask.stabilityScore,
        area: mask.area,
        rle: mask.rle,
      }));
      this.fetches.set(key, fetch);
      fetch.catch(() => this.fetches.delete(key));
    }
    const full = await fetch;
    const current = this.lineage.latest(draft);
    if (current.decode !== decode) return current; // already filled (or changed) meanwhile
    const candidates = decode.candidates.map((c, i) => (i === index ? full : c));
    const filled: Draft = { ...current, decode: { ...decode, candidates } };
    this.lineage.resolve(current, filled);
    const shown = this.store.get().draft;
    if (shown && shown !== filled && shown.decode === decode) {
      // The shown draft is another form of this one (e.g. another candidate selected): fill it too.
      this.lineage.resolve(shown, { ...shown, decode: { ...decode, candidates } });
    }
    return filled;
  }
}
