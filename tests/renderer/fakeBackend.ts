/**
 * A deterministic stand-in for the backend (no ONNX, no SQLite): decodes give masks computed from the prompts
 * (discs around positive points minus discs around negative points, clipped to the box), and annotations live in
 * a map. Decodes can be held and released in any order to test that stale replies are dropped.
 */
import { bestCandidate } from '../../electron/common/candidate.ts';
import { encodeMask, rleArea, rleBboxCoco } from '../../electron/common/rle.ts';
import type {
  AnnotationItem,
  AnnotationPatch,
  AnnotationStatus,
  AutoImageRequest,
  AutoImageResult,
  CategoryChange,
  DecodeReply,
  DecodeRequest,
  DecodedMask,
  MaskPreview,
  NewAnnotation,
  PreviewReply,
} from '../../electron/ipc/contract.ts';
import type { AnnotatorBackend } from '../../renderer/core/annotator.ts';

/** The masks the fake AMG finds: rectangles [x0, y0, x1, y1) in image pixels, with their predicted IoU. */
export const AUTO_RECTS = [
  { box: [4, 4, 20, 16], iou: 0.97 },
  { box: [24, 8, 40, 24], iou: 0.93 },
  { box: [44, 20, 60, 40], iou: 0.91 },
] as const;

/** Candidate radii (image px) for multimask decodes; the middle one has the best predicted IoU. */
export const RADII = [4, 8, 16] as const;
export const IOUS = [0.7, 0.95, 0.8] as const;

interface Held {
  readonly request: DecodeRequest;
  readonly resolve: (reply: DecodeReply) => void;
}

export class FakeBackend implements AnnotatorBackend {
  readonly requests: DecodeRequest[] = [];
  readonly annotations = new Map<number, AnnotationItem>();
  readonly calls: string[] = [];
  /** When true, decodes wait for `release()`. */
  hold = false;
  /** When true, every candidate is empty (the model finds nothing at the click). */
  findNothing = false;
  /** When set, every annotation update fails with this message (a full disk, a locked database). */
  failUpdates: string | null = null;
  readonly held: Held[] = [];
  private nextDecode = 1;
  private nextId = 1;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {}

  maskFor(request: DecodeRequest, radius: number): Uint8Array {
    const { width: W, height: H } = this;
    const data = new Uint8Array(W * H);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const cx = x + 0.5;
        const cy = y + 0.5;
        const near = (label: 0 | 1) =>
          request.points.some(
            (p) => p.label === label && (p.x - cx) ** 2 + (p.y - cy) ** 2 <= radius * radius,
          );
        let on = request.points.some((p) => p.label === 1) ? near(1) : !!request.box;
        const b = request.box;
        if (b)
          on =
            (on || !request.points.some((p) => p.label === 1)) &&
            cx >= b.x0 &&
            cx <= b.x1 &&
            cy >= b.y0 &&
            cy <= b.y1;
        if (on && near(0)) on = false;
        data[y * W + x] = on && !this.findNothing ? 1 : 0;
      }
    return data;
  }

  /** The requests behind each decode id (for `decodedMask`). */
  private readonly byId = new Map<string, DecodeRequest>();

  private candidates(request: DecodeRequest): DecodedMask[] {
    const radii = request.multimask ? RADII : [RADII[1]];
    const ious = request.multimask ? IOUS : [IOUS[1]];
    return radii.map((r, i) => {
      const data = this.maskFor(request, r);
      const rle = encodeMask({ width: this.width, height: this.height, data });
      return {
        token: request.multimask ? i + 1 : 0,
        predictedIou: ious[i]!,
        rankScore: ious[i]!,
        stabilityScore: 0.9,
        area: rleArea(rle),
        bbox: rleBboxCoco(rle),
        rle,
        preview: { width: this.width, height: this.height, data },
      };
    });
  }

  private reply<R>(request: DecodeRequest, reply: R): Promise<R> {
    if (!this.hold) return Promise.resolve(reply);
    return new Promise((resolve) => this.held.push({ request, resolve: () => resolve(reply) }));
  }

  decode(request: DecodeRequest): Promise<DecodeReply> {
    this.requests.push(request);
    this.calls.push(`decode${request.lane ? `:${request.lane}` : ''}`);
    const decodeId = `d${this.nextDecode++}`;
    this.byId.set(decodeId, request);
    return this.reply(request, {
      decodeId,
      candidates: this.candidates(request),
      timings: { decodeMs: 5, totalMs: 6 },
    });
  }

  previewDecode(request: DecodeRequest): Promise<PreviewReply> {
    this.requests.push(request);
    this.calls.push(`previewDecode${request.lane ? `:${request.lane}` : ''}`);
    const decodeId = `d${this.nextDecode++}`;
    this.byId.set(decodeId, request);
    // As the real backend: only the candidate shown first comes with its preview (issue 16).
    const candidates = this.candidates(request);
    const shown = bestCandidate(candidates);
    return this.reply(request, {
      decodeId,
      candidates: candidates.map((c, i) => ({
        token: c.token,
        predictedIou: c.predictedIou,
        rankScore: c.rankScore,
        area: c.area,
        preview: i === shown ? c.preview! : null,
      })),
      timings: { decodeMs: 4, totalMs: 5 },
    });
  }

  async decodedMask(decodeId: string, candidate: number): Promise<DecodedMask> {
    this.calls.push('decodedMask');
    const request = this.byId.get(decodeId);
    const mask = request && this.candidates(request)[candidate];
    if (!mask) throw new Error('that mask is no longer available; click again');
    return mask;
  }

  async decodedPreview(decodeId: string, candidate: number, maxSide: number): Promise<MaskPreview> {
    this.calls.push('decodedPreview');
    const request = this.byId.get(decodeId);
    const mask = request && this.candidates(request)[candidate];
    if (!mask || maxSide < 1) throw new Error('that mask is no longer available; click again');
    return mask.preview!;
  }

  /** Release held decode `i` (in the order they were asked), or all. */
  release(i?: number): void {
    if (i === undefined) {
      for (const h of this.held.splice(0)) h.resolve(undefined as never);
      return;
    }
    const [h] = this.held.splice(i, 1);
    h?.resolve(undefined as never);
  }

  async addAnnotation(a: NewAnnotation): Promise<AnnotationItem> {
    this.calls.push('addAnnotation');
    const item: AnnotationItem = {
      id: this.nextId++,
      imageId: a.imageId,
      categoryId: a.categoryId,
      rle: a.rle,
      bbox: rleBboxCoco(a.rle),
      area: rleArea(a.rle),
      status: a.status,
      source: a.source,
      prompts: a.prompts,
      predictedIou: a.predictedIou,
      stabilityScore: a.stabilityScore,
      modelId: 'fake',
      createdBy: 'test',
      createdAt: 0,
      timing: a.timing,
    };
    this.annotations.set(item.id, item);
    return item;
  }

  async updateAnnotation(id: number, patch: AnnotationPatch): Promise<AnnotationItem> {
    this.calls.push('updateAnnotation');
    const old = this.annotations.get(id);
    if (!old) throw new Error(`no annotation ${id}`);
    if (this.failUpdates) throw new Error(this.failUpdates);
    // The store's rule (electron/store/annotations.ts).
    if (patch.rle && rleArea(patch.rle) === 0) throw new Error(`image ${old.imageId}: the mask is empty`);
    const t = patch.timing ?? {};
    const item: AnnotationItem = {
      ...old,
      ...(patch.categoryId !== undefined ? { categoryId: patch.categoryId } : {}),
      ...(patch.status ? { status: patch.status } : {}),
      ...(patch.rle ? { rle: patch.rle, area: rleArea(patch.rle), bbox: rleBboxCoco(patch.rle) } : {}),
      timing: {
        ...old.timing,
        activeMs: old.timing.activeMs + (t.activeMs ?? 0),
        brushStrokes: old.timing.brushStrokes + (t.brushStrokes ?? 0),
      },
    };
    this.annotations.set(id, item);
    return item;
  }

  async deleteAnnotation(id: number): Promise<void> {
    this.calls.push('deleteAnnotation');
    if (!this.annotations.delete(id)) throw new Error(`no annotation ${id}`);
  }

  rectMask(box: readonly number[]): Uint8Array {
    const data = new Uint8Array(this.width * this.height);
    for (let y = box[1]!; y < box[3]!; y++) data.fill(1, y * this.width + box[0]!, y * this.width + box[2]!);
    return data;
  }

  /** When set, the next autoMaskImage waits for it (tests of a run in progress). */
  autoGate: Promise<void> | null = null;

  async autoMaskImage(imageId: number, request?: AutoImageRequest): Promise<AutoImageResult> {
    this.calls.push(`autoMaskImage:${request?.kind ?? 'amg'}`);
    if (this.autoGate) await this.autoGate;
    const removed: AnnotationItem[] = [];
    const added: AnnotationItem[] = [];
    if ((request?.kind ?? 'amg') === 'amg') {
      for (const a of [...this.annotations.values()])
        if (a.imageId === imageId && a.source === 'auto' && a.status === 'draft') {
          removed.push(a);
          this.annotations.delete(a.id);
        }
      for (const { box, iou } of AUTO_RECTS) {
        const rle = encodeMask({ width: this.width, height: this.height, data: this.rectMask(box) });
        const item: AnnotationItem = {
          id: this.nextId++,
          imageId,
          categoryId: null,
          rle,
          bbox: rleBboxCoco(rle),
          area: rleArea(rle),
          status: 'draft',
          source: 'auto',
          prompts: { points: [{ x: (box[0] + box[2]) / 2, y: (box[1] + box[3]) / 2, label: 1 }] },
          predictedIou: iou,
          stabilityScore: 0.96,
          cropBox: [0, 0, this.width, this.height],
          modelId: 'fake',
          createdBy: 'test',
          createdAt: 0,
          timing: { activeMs: 0, clicks: 0, promptCount: 0, brushStrokes: 0, modelWaitMs: 0 },
        };
        this.annotations.set(item.id, item);
        added.push(item);
      }
    } else {
      for (const a of [...this.annotations.values()])
        if (a.imageId === imageId && !a.rle) {
          const [x, y, w, h] = a.bbox;
          const rle = encodeMask({
            width: this.width,
            height: this.height,
            data: this.rectMask([x, y, x + w, y + h]),
          });
          const item: AnnotationItem = {
            ...a,
            rle,
            area: rleArea(rle),
            bbox: rleBboxCoco(rle),
            source: 'semi-auto',
            status: 'draft',
          };
          removed.push(a);
          added.push(item);
          this.annotations.set(a.id, item);
        }
    }
    return { added, removed, message: `found ${added.length} objects in 0.1 s` };
  }

  async setAnnotationStatuses(
    ids: readonly number[],
    status: AnnotationStatus,
    comment?: string,
    category?: CategoryChange | null,
  ): Promise<AnnotationItem[]> {
    this.calls.push(`setAnnotationStatuses:${status}${comment ? `:${comment}` : ''}:${ids.length}`);
    for (const id of ids) if (!this.annotations.has(id)) throw new Error(`no annotation with id ${id}`);
    return ids.map((id) => {
      const old = this.annotations.get(id)!;
      const categoryId =
        category && 'give' in category ? (old.categoryId ?? category.give) : category ? null : old.categoryId;
      const item = { ...old, status, categoryId };
      this.annotations.set(id, item);
      return item;
    });
  }

  async swapAnnotations(
    removeIds: readonly number[],
    restore: readonly AnnotationItem[],
  ): Promise<AnnotationItem[]> {
    this.calls.push(`swapAnnotations:${removeIds.length}:${restore.length}`);
    for (const id of removeIds) if (!this.annotations.delete(id)) throw new Error(`no annotation ${id}`);
    return restore.map((a) => {
      const item = { ...a, id: this.nextId++ };
      this.annotations.set(item.id, item);
      return item;
    });
  }

  /** The map's order is the stack, bottom to top (as AppBackend's z). */
  async moveAnnotation(id: number, direction: 'up' | 'down'): Promise<AnnotationItem[]> {
    this.calls.push(`moveAnnotation:${direction}`);
    const item = this.annotations.get(id);
    if (!item) throw new Error(`no annotation with id ${id}`);
    const ids = [...this.annotations.keys()];
    const same = ids.filter((i) => this.annotations.get(i)!.imageId === item.imageId);
    const at = same.indexOf(id);
    const other = same[direction === 'up' ? at + 1 : at - 1];
    if (other !== undefined) {
      const [i, j] = [ids.indexOf(id), ids.indexOf(other)];
      [ids[i], ids[j]] = [ids[j]!, ids[i]!];
      const items = ids.map((k) => this.annotations.get(k)!);
      this.annotations.clear();
      for (const a of items) this.annotations.set(a.id, a);
    }
    return [...this.annotations.values()].filter((a) => a.imageId === item.imageId);
  }

  async restoreAnnotation(a: AnnotationItem): Promise<AnnotationItem> {
    this.calls.push('restoreAnnotation');
    const item = { ...a, id: this.nextId++ };
    this.annotations.set(item.id, item);
    return item;
  }
}
