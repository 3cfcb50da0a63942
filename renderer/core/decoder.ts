/**
 * The renderer's client of `api.decode`: newest request wins.
 *
 * Requests go out on a lane. A lane has at most one request in flight; a request made while one is in flight
 * waits, and a newer one replaces it (the replaced caller gets `stale` at once). A reply older than the newest
 * reply already delivered on its lane is `stale` too, and on the 'hover' lane so is a reply that a newer request
 * is already waiting behind. A request is built when it is sent (`build`), so a click made while the previous
 * click's decode is in flight can still refine from that decode's result. So a fast mouse never queues work behind itself, and a slow
 * reply can never overwrite a newer mask. The 'hover' lane is also passed to the backend, whose own lane drops
 * hover requests still waiting when a newer one arrives.
 *
 * Callers still check that what they asked about is still current (the draft may have changed meanwhile); this
 * module only orders requests among themselves.
 */
import type { DecodeRequest, PreviewReply } from '../../electron/ipc/contract.ts';
import type { Clock } from './timing.ts';

export type Lane = 'click' | 'hover';

/**
 * Both lanes ask for previews only (`previewDecode`): cheap at any image size, so a click on a 20 MP photo
 * shows its mask as fast as on a small one. The full-resolution mask of the chosen candidate is fetched
 * afterwards (`decodedMask`, see Annotator.ensureFullMask), off the click's critical path.
 */
export interface DecodeBackend {
  previewDecode(request: DecodeRequest): Promise<PreviewReply>;
}

export type AnyReply = PreviewReply;

export type DecodeOutcome =
  | { readonly status: 'ok'; readonly reply: AnyReply; readonly seq: number; readonly waitMs: number }
  | { readonly status: 'stale'; readonly seq: number }
  | { readonly status: 'error'; readonly seq: number; readonly error: unknown };

/** Builds the request when it is sent; null means "nothing to ask any more" (resolved as stale). */
export type RequestBuilder = () => DecodeRequest | null;

interface Waiting {
  readonly seq: number;
  readonly build: RequestBuilder;
  readonly resolve: (outcome: DecodeOutcome) => void;
}

class LaneState {
  nextSeq = 0;
  deliveredSeq = -1;
  inFlight = false;
  waiting: Waiting | undefined;
}

export class DecoderClient {
  private readonly lanes = new Map<Lane, LaneState>();
  /** Replies delivered (for the status bar and the bench). */
  lastDecodeMs: number | undefined;
  lastTotalMs: number | undefined;

  constructor(
    private readonly backend: DecodeBackend,
    private readonly now: Clock = () => performance.now(),
  ) {}

  /**
   * Ask for a decode. `onOutcome` runs synchronously when the outcome is known, before the lane's next request
   * is built, so a caller can record the result that the next request refines from.
   */
  request(
    build: RequestBuilder | DecodeRequest,
    lane: Lane,
    onOutcome?: (outcome: DecodeOutcome) => void,
  ): Promise<DecodeOutcome> {
    const state = this.lane(lane);
    const seq = state.nextSeq++;
    return new Promise<DecodeOutcome>((resolvePromise) => {
      const resolve = (outcome: DecodeOutcome) => {
        onOutcome?.(outcome);
        resolvePromise(outcome);
      };
      const waiting: Waiting = { seq, build: typeof build === 'function' ? build : () => build, resolve };
      if (state.inFlight) {
        state.waiting?.resolve({ status: 'stale', seq: state.waiting.seq });
        state.waiting = waiting;
      } else {
        this.send(lane, state, waiting);
      }
    });
  }

  /** Drop whatever waits on a lane (e.g. the pointer left the canvas). In-flight replies will come back stale. */
  cancel(lane: Lane): void {
    const state = this.lane(lane);
    state.waiting?.resolve({ status: 'stale', seq: state.waiting.seq });
    state.waiting = undefined;
    state.deliveredSeq = state.nextSeq - 1;
  }

  /** True when nothing is in flight or waiting on any lane. */
  get idle(): boolean {
    for (const state of this.lanes.values()) if (state.inFlight || state.waiting) return false;
    return true;
  }

  private lane(lane: Lane): LaneState {
    let state = this.lanes.get(lane);
    if (!state) this.lanes.set(lane, (state = new LaneState()));
    return state;
  }

  private send(lane: Lane, state: LaneState, job: Waiting): void {
    const built = job.build();
    if (!built) {
      job.resolve({ status: 'stale', seq: job.seq });
      this.next(lane, state);
      return;
    }
    const request = lane === 'hover' ? { ...built, lane } : built;
    state.inFlight = true;
    const started = this.now();
    this.backend.previewDecode(request).then(
      (reply) => {
        const waitMs = this.now() - started;
        if (job.seq <= state.deliveredSeq || (state.waiting && lane === 'hover')) {
          // A newer request exists (or everything was cancelled): this reply is old news.
          job.resolve({ status: 'stale', seq: job.seq });
        } else {
          state.deliveredSeq = job.seq;
          this.lastDecodeMs = reply.timings.decodeMs;
          this.lastTotalMs = reply.timings.totalMs;
          job.resolve({ status: 'ok', reply, seq: job.seq, waitMs });
        }
        this.next(lane, state);
      },
      (error: unknown) => {
        job.resolve(
          job.seq <= state.deliveredSeq
            ? { status: 'stale', seq: job.seq }
            : { status: 'error', seq: job.seq, error },
        );
        this.next(lane, state);
      },
    );
  }

  private next(lane: Lane, state: LaneState): void {
    state.inFlight = false;
    const waiting = state.waiting;
    state.waiting = undefined;
    if (waiting) this.send(lane, state, waiting);
  }
}
