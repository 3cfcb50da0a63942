/**
 * What the editor knows about drafts beyond the draft values themselves (they are immutable; identity = version):
 * the newer form of a draft once its decode or full mask arrived (for redo and late replies), the draft a prompt
 * was added to (refinement source), and the drafts to decode without refinement.
 */
import type { Draft, DocumentStore } from '../document.ts';

export class DraftLineage {
  /** A pending draft → the same draft with more known (its decode, its full mask). */
  private readonly resolved = new WeakMap<Draft, Draft>();
  /** A draft → the draft it was made from by adding a prompt (refinement source). */
  private readonly parents = new WeakMap<Draft, Draft>();
  /** Drafts whose refinement source was gone in the backend: decoded from their prompts alone. */
  private readonly noRefine = new WeakSet<Draft>();

  constructor(private readonly store: DocumentStore) {}

  /** The newest known form of a draft. */
  latest(draft: Draft): Draft {
    let d = draft;
    for (let next = this.resolved.get(d); next && next !== d; next = this.resolved.get(d)) d = next;
    return d;
  }

  /** Record that `next` is `draft` with more known; show it if `draft` is on screen. */
  resolve(draft: Draft, next: Draft): void {
    this.resolved.set(draft, next);
    this.inherit(draft, next);
    if (this.store.get().draft === draft) this.store.update((doc) => ({ ...doc, draft: next }));
  }

  setParent(draft: Draft, parent: Draft): void {
    this.parents.set(draft, parent);
  }

  /** `next` refines from what `draft` refined from (another candidate, a redecode, a resumed draft). */
  inherit(draft: Draft, next: Draft): void {
    const parent = this.parents.get(draft);
    if (parent) this.parents.set(next, parent);
  }

  /** The decode to refine `draft` from, unless refinement failed for it before. */
  refinementSource(draft: Draft): Draft | undefined {
    return this.noRefine.has(draft) ? undefined : this.parents.get(draft);
  }

  refinementFailed(draft: Draft): boolean {
    return this.noRefine.has(draft);
  }

  /** The backend no longer had the source's logits: decode `draft` from its prompts alone. */
  dropRefinement(draft: Draft): void {
    this.noRefine.add(draft);
  }
}
