/** The per-mask clock of the draft being made (issue 3): started by its first prompt, stopped by accept/cancel. */
import type { Draft } from '../document.ts';
import { type Clock, MaskClock } from '../timing.ts';

export class DraftClock {
  private clock: MaskClock | null = null;
  private key = -1;

  constructor(private readonly now: Clock) {}

  /** The clock of `draft`, started (with its resumed timing, after an undone accept) if it is another draft. */
  forDraft(draft: Draft): MaskClock {
    if (!this.clock || this.key !== draft.key) {
      this.clock = new MaskClock(this.now, draft.resumedTiming);
      this.key = draft.key;
    }
    return this.clock;
  }

  /** The running clock if it is `draft`'s, without starting one. */
  runningFor(draft: Draft): MaskClock | null {
    return this.key === draft.key ? this.clock : null;
  }

  stop(): void {
    this.clock = null;
    this.key = -1;
  }

  /** Any sign of life (idle stretches are not counted). */
  activity(): void {
    this.clock?.activity();
  }
}
