/**
 * Automatic passes (issue 5, the fully automatic stage): AMG or boxes → masks over many images, in the
 * background of the open project, with progress, ETA, cancel, and resume after a crash.
 *
 * The pass is persisted (store/autoJobs.ts, migration 0050) before it starts: parameters, image list, per-image
 * state. Each image's masks and its "done" are one transaction, so a killed process leaves every image either
 * done with all its masks or still to do; reopening the project finds the pass 'running' with nobody running it
 * ("interrupted") and `resume` continues from the images not done. Encodes run at background priority and every
 * grid batch lets a waiting interactive decode go first (SamService), so clicks stay responsive meanwhile.
 */
import { UserError } from '../common/errors.ts';
import { type AmgParams, resolveAmgParams } from '../common/amg/params.ts';
import { autoSettings, checkDuplicateIou, saveAutoSettings } from '../store/projectSettings.ts';
import type { SamService } from '../inference/samService.ts';
import type { AppEvent, AutoBatchRequest, AutoBatchStatus } from '../ipc/contract.ts';
import {
  type AutoJobRow,
  autoJobErrors,
  autoJobProgress,
  createAutoJob,
  getAutoJob,
  latestAutoJob,
  markAutoJobImageFailed,
  nextAutoJobImage,
  setAutoJobState,
  unfinishedAutoJob,
} from '../store/autoJobs.ts';
import { getImage } from '../store/images.ts';
import type { Project } from '../store/projectDb.ts';
import { sql } from '../store/statements.ts';
import { type ImageResult, computeAmg, computeBoxes, storeImageResult } from './autoMasks.ts';

export interface AutoBatchHost {
  readonly project: Project;
  readonly service: SamService;
  readonly author: string;
  readonly sessionId: number;
  /** The image's file (throws a UserError when it is missing). */
  imageFile(imageId: number): string;
  emit(event: AppEvent): void;
}

interface Active {
  readonly job: AutoJobRow;
  readonly params: AmgParams;
  readonly controller: AbortController;
  cancelling: boolean;
  current: { imageId: number; relPath: string } | null;
  readonly finished: Promise<void>;
}

export class AutoBatches {
  private active: Active | undefined;
  private closed = false;

  constructor(private readonly host: AutoBatchHost) {}

  /** The latest pass of the project (null if none). */
  status(): AutoBatchStatus | null {
    const job = this.active?.job ?? latestAutoJob(this.host.project.reader);
    return job ? this.statusOf(job) : null;
  }

  /** Create the pass and start it. */
  start(request: AutoBatchRequest): AutoBatchStatus {
    if (request.kind !== 'amg' && request.kind !== 'boxes')
      throw new UserError(`unknown kind of automatic pass "${String(request.kind)}"`);
    if (request.status !== 'draft' && request.status !== 'accepted')
      throw new UserError(`automatic masks start as draft or accepted, not "${String(request.status)}"`);
    this.refuseIfBusy();
    const params = resolveAmgParams(request.params ?? {}, this.host.service.modelInfo?.modelFamily);
    // Remembered for the next pass or Find objects (issue 17).
    saveAutoSettings(this.host.project.db, {
      params: request.params ?? undefined,
      duplicateIou:
        request.duplicateIou === undefined || request.duplicateIou === null
          ? undefined
          : checkDuplicateIou(request.duplicateIou),
    });
    const imageIds = request.imageIds?.length ? request.imageIds : this.defaultImages(request.kind);
    if (imageIds.length === 0)
      throw new UserError(
        request.kind === 'boxes'
          ? 'no image waiting for this pass has box-only annotations'
          : 'every image is done or skipped: choose the images for the pass',
      );
    const id = createAutoJob(this.host.project.db, {
      kind: request.kind,
      params,
      resultStatus: request.status,
      modelId: this.host.service.modelInfo?.name ?? null,
      author: this.host.author,
      imageIds,
    });
    return this.run(this.job(id));
  }

  /** Continue the interrupted pass. */
  resume(): AutoBatchStatus {
    if (this.active) throw new UserError('the automatic pass is already running');
    const job = unfinishedAutoJob(this.host.project.reader);
    if (!job) throw new UserError('there is no interrupted automatic pass to resume');
    return this.run(job);
  }

  /** Stop the running pass after its current image is abandoned; an interrupted one is given up. */
  cancel(): AutoBatchStatus | null {
    const active = this.active;
    if (active) {
      active.cancelling = true;
      active.controller.abort(new UserError('the automatic pass was cancelled'));
      const status = this.statusOf(active.job);
      this.host.emit({ type: 'auto-batch', status });
      return status;
    }
    const job = unfinishedAutoJob(this.host.project.reader);
    if (job) {
      setAutoJobState(this.host.project.db, job.id, 'cancelled');
      const status = this.statusOf(this.job(job.id));
      this.host.emit({ type: 'auto-batch', status });
      return status;
    }
    return this.status();
  }

  /** The project is closing: stop without touching it again (an unfinished pass stays resumable). */
  close(): void {
    this.closed = true;
    this.active?.controller.abort(new UserError('the project was closed'));
  }

  /** Resolves when the running pass (if any) has stopped. */
  async settled(): Promise<void> {
    await this.active?.finished;
  }

  private refuseIfBusy(): void {
    if (this.active) throw new UserError('an automatic pass is already running: wait for it or cancel it');
    if (unfinishedAutoJob(this.host.project.reader))
      throw new UserError('an interrupted automatic pass is waiting: resume it or cancel it first');
  }

  /** Images not done or skipped, in the image list's order; for 'boxes' only those with box-only annotations. */
  private defaultImages(kind: AutoBatchRequest['kind']): number[] {
    const boxes =
      kind === 'boxes'
        ? `AND EXISTS (SELECT 1 FROM annotations a WHERE a.image_id = i.id AND a.rle_counts IS NULL AND a.iscrowd = 0)`
        : '';
    return (
      sql(
        this.host.project.reader,
        `SELECT i.id FROM images i WHERE i.status NOT IN ('done', 'skipped') ${boxes} ORDER BY i.rel_path, i.id`,
      ).all() as { id: number }[]
    ).map((r) => r.id);
  }

  private job(id: number): AutoJobRow {
    return getAutoJob(this.host.project.reader, id)!;
  }

  private run(job: AutoJobRow): AutoBatchStatus {
    const controller = new AbortController();
    let resolve!: () => void;
    const active: Active = {
      job,
      params: resolveAmgParams(job.params as Partial<AmgParams>),
      controller,
      cancelling: false,
      current: null,
      finished: new Promise<void>((r) => (resolve = r)),
    };
    this.active = active;
    const status = this.statusOf(job);
    this.host.emit({ type: 'auto-batch', status });
    void this.loop(active).finally(() => {
      if (this.active === active) this.active = undefined;
      resolve();
      if (!this.closed) this.host.emit({ type: 'auto-batch', status: this.statusOf(this.job(job.id)) });
    });
    return status;
  }

  private async loop(active: Active): Promise<void> {
    const { project, service } = this.host;
    const db = project.db;
    const { job, controller } = active;
    const signal = controller.signal;
    const who = {
      author: this.host.author,
      sessionId: this.host.sessionId,
      modelId: service.modelInfo?.name ?? null,
      status: job.resultStatus,
      stage: 'auto' as const,
      // The project's setting when the pass (or its resume) starts (issue 17).
      duplicateIou: autoSettings(db).duplicateIou,
    };
    for (;;) {
      if (this.closed) return;
      if (signal.aborted) break;
      const imageId = nextAutoJobImage(db, job.id);
      if (imageId === undefined) break;
      const image = getImage(db, imageId);
      active.current = { imageId, relPath: image?.relPath ?? `#${imageId}` };
      this.host.emit({ type: 'auto-batch', status: this.statusOf(job) });
      const started = performance.now();
      let result: ImageResult;
      try {
        const file = this.host.imageFile(imageId);
        result =
          job.kind === 'amg'
            ? await computeAmg(service, imageId, file, active.params, { signal, priority: 'background' })
            : await computeBoxes(service, db, imageId, file, { signal, priority: 'background' });
      } catch (error) {
        if (this.closed) return;
        if (signal.aborted) break;
        markAutoJobImageFailed(db, job.id, imageId, messageOf(error), performance.now() - started);
        active.current = null;
        this.host.emit({ type: 'auto-batch', status: this.statusOf(job), imageId });
        continue;
      }
      if (this.closed) return; // the project is closed: the image stays to do
      try {
        storeImageResult(db, imageId, result, who, { jobId: job.id, ms: performance.now() - started });
      } catch (error) {
        markAutoJobImageFailed(db, job.id, imageId, messageOf(error), performance.now() - started);
      }
      active.current = null;
      this.host.emit({ type: 'auto-batch', status: this.statusOf(job), imageId });
    }
    if (this.closed) return;
    setAutoJobState(db, job.id, active.cancelling ? 'cancelled' : 'finished');
  }

  private statusOf(job: AutoJobRow): AutoBatchStatus {
    const reader = this.host.project.reader;
    const fresh = getAutoJob(reader, job.id) ?? job;
    const p = autoJobProgress(reader, job.id);
    const active = this.active?.job.id === job.id ? this.active : undefined;
    const state: AutoBatchStatus['state'] =
      fresh.state === 'running'
        ? active
          ? active.cancelling
            ? 'cancelling'
            : 'running'
          : 'interrupted'
        : fresh.state;
    const msPerImage = p.done ? p.doneMs / p.done : null;
    const remaining = p.total - p.done - p.failed;
    return {
      jobId: job.id,
      kind: job.kind,
      state,
      resultStatus: job.resultStatus,
      params: resolveAmgParams(job.params as Partial<AmgParams>),
      total: p.total,
      done: p.done,
      failed: p.failed,
      masks: p.masks,
      etaMs:
        msPerImage !== null && (state === 'running' || state === 'interrupted')
          ? msPerImage * remaining
          : null,
      msPerImage,
      current: active?.current ?? null,
      errors: autoJobErrors(reader, job.id),
      startedAt: job.createdAt,
    };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
