/**
 * Per-mask timing (issue 4): from the first prompt to accept, the active time (a pause longer than
 * `IDLE_LIMIT_MS` between two signs of life is not counted at all), the clicks, the prompts, the brush strokes and
 * how long the annotator waited for the model. Saved with the mask (`AnnotationTiming`).
 *
 * Time comes from an injected clock (ms), so tests drive it by hand.
 */
import type { AnnotationTiming } from '../../electron/ipc/contract.ts';

export const IDLE_LIMIT_MS = 30_000;

export type Clock = () => number;

export const ZERO_TIMING: AnnotationTiming = {
  activeMs: 0,
  clicks: 0,
  promptCount: 0,
  brushStrokes: 0,
  modelWaitMs: 0,
};

export class MaskClock {
  private activeMs: number;
  private clicks: number;
  private brushStrokes: number;
  private modelWaitMs: number;
  private last: number;
  private readonly waits = new Map<number, number>();
  private waitSerial = 0;

  /** A new clock starts at the first prompt; `from` resumes one (an accept that was undone). */
  constructor(
    private readonly now: Clock,
    from: AnnotationTiming = ZERO_TIMING,
  ) {
    this.activeMs = from.activeMs;
    this.clicks = from.clicks;
    this.brushStrokes = from.brushStrokes;
    this.modelWaitMs = from.modelWaitMs;
    this.last = now();
  }

  /** Any sign of life: pointer, key, a model reply. Counts the time since the last one unless it was idle. */
  activity(): void {
    const t = this.now();
    const gap = t - this.last;
    if (gap > 0 && gap <= IDLE_LIMIT_MS) this.activeMs += gap;
    this.last = Math.max(this.last, t);
  }

  click(): void {
    this.activity();
    this.clicks++;
  }

  brushStroke(): void {
    this.activity();
    this.brushStrokes++;
  }

  /** The model was asked; returns a token for {@link waitEnd}. */
  waitStart(): number {
    this.activity();
    const token = ++this.waitSerial;
    this.waits.set(token, this.now());
    return token;
  }

  waitEnd(token: number): void {
    const started = this.waits.get(token);
    if (started === undefined) return;
    this.waits.delete(token);
    this.modelWaitMs += Math.max(0, this.now() - started);
    this.activity();
  }

  /** The timing so far, with the prompt count of the mask being accepted. */
  snapshot(promptCount: number): AnnotationTiming {
    this.activity();
    return {
      activeMs: Math.round(this.activeMs),
      clicks: this.clicks,
      promptCount,
      brushStrokes: this.brushStrokes,
      modelWaitMs: Math.round(this.modelWaitMs),
    };
  }
}

/** A short stretch of work on an accepted mask (a brush stroke): active time and strokes to add to it. */
export class EditClock {
  private readonly started: number;
  private last: number;
  private activeMs = 0;
  constructor(private readonly now: Clock) {
    this.started = now();
    this.last = this.started;
  }
  activity(): void {
    const t = this.now();
    const gap = t - this.last;
    if (gap > 0 && gap <= IDLE_LIMIT_MS) this.activeMs += gap;
    this.last = Math.max(this.last, t);
  }
  patch(): Partial<AnnotationTiming> {
    this.activity();
    return { activeMs: Math.round(this.activeMs), brushStrokes: 1 };
  }
}
