/**
 * Automatic masks on one image (issue 5), shared by the semi-automatic stage (`autoMaskImage`, one image now)
 * and the automatic passes (autoBatch.ts): compute, then store in one transaction.
 *
 * - AMG: Meta's generator (electron/inference/amg.ts) → annotations with source 'auto', the grid point as the
 *   prompt (SA-1B's point_coords), the crop box, predicted IoU and stability. Storing replaces the image's
 *   earlier undecided automatic masks (source 'auto', status 'draft'), so running it again does not pile up.
 * - Boxes → masks: the image's box-only annotations (imported detections) become masks (boxesToMasks.ts's two
 *   SA-paper passes), source 'semi-auto', keeping their ids and categories. Boxes where SAM finds nothing stay
 *   boxes.
 *
 * With a pass, the image's "done" is written in the same transaction as its masks (store/autoJobs.ts).
 */
import { boxXyxyToXywh } from '../common/amg/boxes.ts';
import { rleIou } from '../common/rleOps.ts';
import type { AmgParams } from '../common/amg/params.ts';
import type { Bbox } from '../common/rle.ts';
import { generateMasks } from '../inference/amg.ts';
import type { SamService } from '../inference/samService.ts';
import {
  type AnnotationRow,
  type NewAnnotation,
  addAnnotations,
  annotationsOfImage,
  deleteAnnotation,
  getAnnotation,
  undecidedAutoMasks,
  updateAnnotationMask,
} from '../store/annotations.ts';
import { markAutoJobImageDone } from '../store/autoJobs.ts';
import { getImage, setImageStatus } from '../store/images.ts';
import { type WritableDB, inTransaction } from '../store/types.ts';
import { type BoxMask, isBoxOnly, maskForBox } from './boxesToMasks.ts';

export interface AutoWho {
  readonly author: string;
  readonly sessionId: number | null;
  readonly modelId: string | null;
  /** What the results start as. */
  readonly status: 'draft' | 'accepted';
  /** Find objects on one image ('semi-auto') or a pass ('auto'): the statistics tell them apart (issue 17). */
  readonly stage: 'semi-auto' | 'auto';
  /**
   * AMG: a mask whose IoU with an accepted (or needs-fix) mask of the image is above this is not stored (issue
   * 17: Find objects and passes re-created masks already accepted). Undefined: no such filter.
   */
  readonly duplicateIou?: number;
}

export interface ComputeOptions {
  readonly signal?: AbortSignal;
  /** 'background' for passes: interactive work keeps priority. */
  readonly priority?: 'interactive' | 'background';
  /** Grid prompts decoded so far and in all (AMG). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** What AMG's filters dropped on one image (issue 17: "0 objects found" must say why). */
export interface AmgFilterCounts {
  readonly prompts: number;
  /** Candidates decoded (3 per prompt). */
  readonly candidates: number;
  readonly belowPredictedIou: number;
  /** Below the stability threshold (or touching an inner crop edge). */
  readonly belowStability: number;
  /** Removed by box NMS within and across crops, small-region clean-up, the large-mask filter. */
  readonly overlapping: number;
}

/** What one image's run computed, ready to store. */
export type ImageResult =
  | {
      readonly kind: 'amg';
      readonly rows: readonly Omit<NewAnnotation, 'status' | 'author' | 'sessionId'>[];
      readonly filtered?: AmgFilterCounts;
    }
  | {
      readonly kind: 'boxes';
      readonly boxes: readonly { readonly id: number; readonly box: Bbox; readonly mask: BoxMask }[];
    };

export interface StoredResult {
  readonly added: AnnotationRow[];
  readonly removed: AnnotationRow[];
  /** AMG masks not stored: duplicates of accepted ones (`AutoWho.duplicateIou`). */
  readonly duplicates: number;
}

/** Meta's generator on the image's file → annotation rows (image pixels). */
export async function computeAmg(
  service: SamService,
  imageId: number,
  file: string,
  params: AmgParams,
  options: ComputeOptions = {},
): Promise<ImageResult> {
  const result = await generateMasks(service, file, params, {
    signal: options.signal,
    priority: options.priority,
    onProgress: options.onProgress && ((p) => options.onProgress!(p.done, p.total)),
  });
  const st = result.stats;
  const modelId = service.modelInfo?.name ?? null;
  return {
    kind: 'amg',
    rows: result.masks.map((m) => ({
      imageId,
      categoryId: null,
      mask: m.rle,
      source: 'auto' as const,
      modelId,
      prompts: { points: [{ x: m.point[0], y: m.point[1], label: 1 as const }] },
      predictedIou: m.predictedIou,
      stabilityScore: m.stabilityScore,
      cropBox: boxXyxyToXywh(m.cropBox),
    })),
    filtered: {
      prompts: st.prompts,
      candidates: st.decoded,
      belowPredictedIou: st.decoded - st.upsampled,
      belowStability: st.upsampled - st.candidates,
      overlapping: st.candidates - result.masks.length,
    },
  };
}

/** The image's box-only annotations → masks (nothing is stored yet). */
export async function computeBoxes(
  service: SamService,
  db: WritableDB,
  imageId: number,
  file: string,
  options: ComputeOptions = {},
): Promise<ImageResult> {
  const boxes: { id: number; box: Bbox; mask: BoxMask }[] = [];
  const todo = annotationsOfImage(db, imageId).filter(isBoxOnly);
  // The embedding at the pass's priority first: the decodes below then find it in memory.
  if (todo.length) await service.embed(file, options.priority ?? 'interactive');
  for (const a of todo) {
    options.signal?.throwIfAborted();
    const [x, y, w, h] = a.bbox;
    boxes.push({ id: a.id, box: a.bbox, mask: await maskForBox(service, file, [x, y, x + w, y + h]) });
  }
  return { kind: 'boxes', boxes };
}

/**
 * Store one image's result in one transaction (with the pass's "done" for this image when `job` is given): the
 * new masks, what they replaced, and the image's status todo → in progress when it got masks.
 */
export function storeImageResult(
  db: WritableDB,
  imageId: number,
  result: ImageResult,
  who: AutoWho,
  job?: { readonly jobId: number; readonly ms: number },
): StoredResult {
  return inTransaction(db, () => {
    let added: AnnotationRow[];
    let removed: AnnotationRow[];
    let duplicates = 0;
    if (result.kind === 'amg') {
      removed = undecidedAutoMasks(db, imageId);
      for (const a of removed) deleteAnnotation(db, a.id);
      const fresh = notDuplicates(db, imageId, result.rows, who.duplicateIou);
      duplicates = result.rows.length - fresh.length;
      const ids = addAnnotations(
        db,
        fresh.map((r) => ({
          ...r,
          stage: who.stage,
          status: who.status,
          author: who.author,
          sessionId: who.sessionId,
        })),
      );
      added = ids.map((id) => getAnnotation(db, id)!);
    } else {
      removed = [];
      added = [];
      for (const { id, box, mask } of result.boxes) {
        const before = getAnnotation(db, id);
        // Gone, or no longer a box (someone drew its mask meanwhile), or SAM found nothing: leave it.
        if (!before || !isBoxOnly(before) || mask.area === 0) continue;
        updateAnnotationMask(db, id, {
          mask: { size: mask.size, counts: mask.counts },
          author: who.author,
          source: 'semi-auto',
          stage: who.stage,
          modelId: who.modelId,
          prompts: { points: [], box: { x0: box[0], y0: box[1], x1: box[0] + box[2], y1: box[1] + box[3] } },
          predictedIou: mask.predictedIou,
          stabilityScore: mask.stabilityScore,
          status: who.status,
        });
        removed.push(before);
        added.push(getAnnotation(db, id)!);
      }
    }
    if (added.length && getImage(db, imageId)?.status === 'todo') setImageStatus(db, imageId, 'in-progress');
    if (job) markAutoJobImageDone(db, job.jobId, imageId, { masks: added.length, ms: job.ms });
    return { added, removed, duplicates };
  });
}

/** The rows whose mask does not overlap a kept (accepted or needs-fix) mask of the image above `iou`. */
function notDuplicates<T extends Pick<NewAnnotation, 'mask'>>(
  db: WritableDB,
  imageId: number,
  rows: readonly T[],
  iou: number | undefined,
): T[] {
  if (iou === undefined) return [...rows];
  const kept = annotationsOfImage(db, imageId).filter(
    (a) => a.rle && (a.status === 'accepted' || a.status === 'needs-fix'),
  );
  if (kept.length === 0) return [...rows];
  return rows.filter((r) => !r.mask || !kept.some((k) => rleIou(k.rle!, r.mask!) > iou));
}
