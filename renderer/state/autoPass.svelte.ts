/**
 * The project's automatic pass (issue 5, the fully automatic stage), app-level so it outlives mode switches: the
 * latest pass's status from the backend's 'auto-batch' events (progress, ETA, errors), the dialog, and start /
 * cancel / resume. When the project opens with a pass the last process did not finish, the dialog opens on its
 * resume prompt. The workspace listens for images the pass finished (to reload the one on screen).
 */
import type {
  AmgParams,
  AutoBatchRequest,
  AutoBatchStatus,
  AutoKind,
  ImageItem,
  ImageQuery,
} from '../../electron/ipc/contract.ts';
import { AUTO_PARAMS_DEFAULT } from '../core/auto/autoMasks.ts';
import { type AppHost, describe } from './appHost.ts';

export type PassImages = 'not-done' | 'all' | 'listed' | 'current';

/** What the annotator shows (set by the workspace): the image on screen and the image list's filter. */
export interface PassSelection {
  readonly current: ImageItem | null;
  readonly listed: Pick<ImageQuery, 'status' | 'search'>;
  readonly listedCount: number;
}

export class AutoPassState {
  status: AutoBatchStatus | null = $state.raw(null);
  open = $state(false);
  /** Form: which images, what, with which parameters, results as. */
  images: PassImages = $state('not-done');
  kind: AutoKind = $state('amg');
  resultStatus: 'draft' | 'accepted' = $state('draft');
  params: Partial<AmgParams> = $state.raw({ ...AUTO_PARAMS_DEFAULT });
  error: string | null = $state(null);
  starting = $state(false);
  /** Set by the workspace while Annotate mode is shown. */
  selection: (() => PassSelection) | null = null;

  readonly running = $derived(this.status?.state === 'running' || this.status?.state === 'cancelling');
  readonly interrupted = $derived(this.status?.state === 'interrupted');

  // Listeners, not state: nothing renders from them.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly imageListeners = new Set<(imageId: number) => void>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly endListeners = new Set<(status: AutoBatchStatus) => void>();

  constructor(private readonly app: AppHost) {}

  /** The project opened: fetch its latest pass; an interrupted one opens the resume prompt. */
  async refresh(): Promise<void> {
    try {
      this.status = await this.app.api.autoBatchStatus();
      if (this.status?.state === 'interrupted') this.open = true;
    } catch (error) {
      this.app.say('error', describe(error));
    }
  }

  /** A backend event. */
  update(status: AutoBatchStatus, imageId?: number): void {
    // Events of an older pass (a late one) never replace a newer pass's status.
    if (this.status && status.jobId < this.status.jobId) return;
    const was = this.status?.state;
    this.status = status;
    if (imageId !== undefined) for (const listener of this.imageListeners) listener(imageId);
    if (status.state === 'interrupted' && was !== 'interrupted') this.open = true;
    if ((status.state === 'finished' || status.state === 'cancelled') && was !== status.state) {
      for (const listener of this.endListeners) listener(status);
      if (!this.open)
        this.app.say(
          'info',
          `Automatic pass ${status.state}: ${status.done} of ${status.total} images, ${status.masks} masks` +
            (status.failed ? `, ${status.failed} failed` : '') +
            '.',
        );
    }
  }

  onImageDone(listener: (imageId: number) => void): () => void {
    this.imageListeners.add(listener);
    return () => this.imageListeners.delete(listener);
  }

  onEnd(listener: (status: AutoBatchStatus) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  /** Ids of the images a choice means (undefined: the backend's default, every image not done). */
  async imageIds(choice: PassImages): Promise<number[] | undefined> {
    const selection = this.selection?.();
    if (choice === 'not-done') return undefined;
    if (choice === 'current') return selection?.current ? [selection.current.id] : [];
    const query = choice === 'listed' ? (selection?.listed ?? {}) : {};
    const ids: number[] = [];
    for (let offset = 0; ;) {
      const page = await this.app.api.listImages({ ...query, offset, limit: 500 });
      ids.push(...page.items.map((i) => i.id));
      offset += page.items.length;
      if (page.items.length === 0 || offset >= page.total) return ids;
    }
  }

  async start(imageIds: readonly number[] | undefined): Promise<void> {
    this.error = null;
    this.starting = true;
    const request: AutoBatchRequest = {
      kind: this.kind,
      status: this.resultStatus,
      ...(this.kind === 'amg' ? { params: this.params } : {}),
      ...(imageIds ? { imageIds } : {}),
    };
    try {
      this.update(await this.app.api.startAutoBatch(request));
    } catch (error) {
      this.error = describe(error);
    } finally {
      this.starting = false;
    }
  }

  async cancel(): Promise<void> {
    try {
      const status = await this.app.api.cancelAutoBatch();
      if (status) this.update(status);
    } catch (error) {
      this.error = describe(error);
    }
  }

  async resume(): Promise<void> {
    this.error = null;
    try {
      this.update(await this.app.api.resumeAutoBatch());
    } catch (error) {
      this.error = describe(error);
    }
  }

  reset(): void {
    this.status = null;
    this.open = false;
    this.error = null;
  }
}

/** "about 3 min", "about 40 s", "less than 10 s". */
export function formatEta(ms: number): string {
  const s = ms / 1000;
  if (s < 10) return 'less than 10 s';
  if (s < 90) return `about ${Math.round(s / 5) * 5} s`;
  const min = s / 60;
  if (min < 90) return `about ${Math.round(min)} min`;
  return `about ${(min / 60).toFixed(1)} h`;
}
