/**
 * An in-memory review backend for the headless review tests: masks with statuses and predicted IoUs, the queue
 * filtered by status and sorted by IoU (as the store does), and every write logged like a review event.
 */
import type {
  AnnotationItem,
  AnnotationStatus,
  ImageItem,
  ReviewItem,
  ReviewPage,
  ReviewQuery,
} from '../../electron/ipc/contract.ts';
import type { ReviewBackend } from '../../renderer/core/review/session.ts';

export interface LoggedEvent {
  readonly id: number;
  readonly from: AnnotationStatus;
  readonly to: AnnotationStatus;
  readonly comment?: string;
}

const IMAGE: ImageItem = {
  id: 1,
  fileName: 'a.png',
  relPath: 'a.png',
  width: 64,
  height: 48,
  status: 'in-progress',
  fileState: 'ok',
  annotationCount: 0,
};

export class FakeReviewBackend implements ReviewBackend {
  readonly items = new Map<number, ReviewItem>();
  readonly events: LoggedEvent[] = [];
  readonly queries: ReviewQuery[] = [];
  /** The next write fails with this message. */
  failNext: string | null = null;

  /** `count` draft masks with IoU 0.50, 0.51, … (id i + 1 has IoU 0.5 + i / 100). */
  constructor(count: number) {
    for (let i = 0; i < count; i++) {
      const annotation: AnnotationItem = {
        id: i + 1,
        imageId: IMAGE.id,
        categoryId: null,
        rle: null,
        bbox: [i, i, 4, 4],
        area: 16,
        status: 'draft',
        source: 'auto',
        prompts: null,
        predictedIou: 0.5 + i / 100,
        stabilityScore: 0.9,
        modelId: null,
        createdBy: 'amg',
        createdAt: 0,
        timing: { activeMs: 0, clicks: 0, promptCount: 0, brushStrokes: 0, modelWaitMs: 0 },
      };
      this.items.set(annotation.id, { annotation, image: IMAGE, lastReview: null });
    }
  }

  status(id: number): AnnotationStatus {
    return this.items.get(id)!.annotation.status;
  }

  async reviewQueue(query: ReviewQuery): Promise<ReviewPage> {
    this.queries.push(query);
    const all = [...this.items.values()];
    const byStatus = { draft: 0, accepted: 0, rejected: 0, 'needs-fix': 0 };
    for (const item of all) byStatus[item.annotation.status]++;
    const sign = query.order === 'desc' ? -1 : 1;
    const matching = all
      .filter((i) => !query.statuses || query.statuses.includes(i.annotation.status))
      .sort((a, b) => sign * (a.annotation.predictedIou! - b.annotation.predictedIou!));
    return {
      items: matching.slice(query.offset, query.offset + query.limit),
      total: matching.length,
      byStatus,
    };
  }

  async reviewAnnotation(id: number, status: AnnotationStatus, comment?: string): Promise<ReviewItem> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (this.failNext) {
      const message = this.failNext;
      this.failNext = null;
      throw new Error(message);
    }
    const item = this.items.get(id);
    if (!item) throw new Error(`no annotation with id ${id}`);
    this.events.push({ id, from: item.annotation.status, to: status, ...(comment ? { comment } : {}) });
    const updated: ReviewItem = {
      ...item,
      annotation: { ...item.annotation, status },
      lastReview: {
        reviewer: 'rita',
        at: 1000 + this.events.length,
        fromStatus: item.annotation.status,
        toStatus: status,
        comment: comment ?? '',
      },
    };
    this.items.set(id, updated);
    return updated;
  }
}
