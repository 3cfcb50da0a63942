/**
 * Hover previews (and the box being dragged): what a click at the pointer (or the box being dragged) would give, decoded on the 'hover' lane
 * and never recorded. The points tool asks exactly what the click would ask, so the click can adopt the answer
 * (`answerFor`) instead of decoding again. Previews are bitmaps at about the canvas size, cheap at any image size.
 *
 * Frames: points and boxes in image pixels.
 */
import { bestCandidate, candidateFromPreview } from '../../../electron/common/candidate.ts';
import type { ImagePoint, Size } from '../../../electron/common/frames.ts';
import type { PointLabel, PromptBox } from '../../../electron/common/prompts.ts';
import type { DecodeRequest } from '../../../electron/ipc/contract.ts';
import type { DecoderClient } from '../decoder.ts';
import { type AnnotatorDocument, type Draft, type DraftDecode, activeDraft } from '../document.ts';
import { type ExtraPrompt, boxKey, pointKey } from '../drafts/decodeRequests.ts';
import type { EditorStatus } from '../editorStatus.ts';
import { type MaskRaster, rasterFromPreview } from '../maskRaster.ts';
import { insideImage } from '../screenFrame.ts';

/** The hover preview: what a click (or the dragged box) would give. */
export interface HoverPreview {
  readonly raster: MaskRaster;
  readonly predictedIou: number;
}

/** What hover previews need of the editor. */
export interface HoverHost {
  readonly doc: AnnotatorDocument;
  readonly image: Size | null;
  readonly hoverEnabled: boolean;
  readonly decoder: DecoderClient;
  readonly status: EditorStatus;
  /** Index of the draft point under `point`, or -1 (hovering a point previews nothing: a click removes it). */
  pointAt(point: ImagePoint): number;
  /** An empty draft to ask about when there is none. */
  newDraft(): Draft;
  /** The request for `draft` plus one more prompt. */
  requestFor(draft: Draft, extra: ExtraPrompt): DecodeRequest;
  emit(topic: 'status' | 'overlay'): void;
}

interface HoverAnswer {
  readonly imageId: number;
  readonly key: string;
  readonly base: Draft | null;
  readonly decode: DraftDecode;
}

export class HoverPreviews {
  preview: HoverPreview | null = null;
  /** A box being dragged, for display (not a document change). */
  dragBox: PromptBox | null = null;
  private key: string | null = null;
  /** The last preview shown: a click asking the same question adopts it instead of decoding again. */
  private answer: HoverAnswer | null = null;

  constructor(private readonly host: HoverHost) {}

  /** Preview a click at `point` with `label` (null: none). */
  hover(point: ImagePoint | null, label: PointLabel): void {
    const h = this.host;
    const image = h.image;
    if (!point || !image || !h.hoverEnabled || !insideImage(point, image) || h.pointAt(point) >= 0) {
      this.clear();
      return;
    }
    const px = { x: Math.floor(point.x) + 0.5, y: Math.floor(point.y) + 0.5 };
    const base = activeDraft(h.doc.draft);
    if (base?.edited) {
      this.clear(); // a click would replace the brushed mask; no preview of that
      return;
    }
    this.request(pointKey(point, label), base, { point: px, label });
  }

  /** Preview the box being dragged (null: none). */
  hoverBox(box: PromptBox | null): void {
    if (!box || !this.host.hoverEnabled || box.x1 - box.x0 < 2 || box.y1 - box.y0 < 2) {
      this.clear();
      return;
    }
    const base = activeDraft(this.host.doc.draft);
    if (base?.edited) {
      this.clear();
      return;
    }
    this.request(boxKey(box), base, { box });
  }

  /**
   * The hover preview's decode if it answered exactly this click (same prompts on the same draft): adopting it
   * shows the mask at once, with no second decode.
   */
  answerFor(key: string, base: Draft | null): DraftDecode | null {
    const answer = this.answer;
    return answer && answer.imageId === this.host.doc.image.id && answer.key === key && answer.base === base
      ? answer.decode
      : null;
  }

  /** Hide the preview; its answer stays adoptable by the click that usually follows (pointer down). */
  clear(): void {
    if (this.key === null && !this.preview) return;
    this.key = null;
    this.host.decoder.cancel('hover');
    if (this.preview) {
      this.preview = null;
      this.host.emit('overlay');
    }
  }

  /** The draft changed: the preview and its answer are about an old question. */
  forget(): void {
    this.preview = null;
    this.key = null;
    this.answer = null;
  }

  showDragBox(box: PromptBox | null): void {
    this.dragBox = box;
    this.host.emit('overlay');
  }

  /** Another image: drop the preview (its answer cannot match: it names the old image). */
  reset(): void {
    this.preview = null;
    this.key = null;
    this.dragBox = null;
  }

  /** Accept: the preview goes and no later click may adopt the accepted draft's answer. */
  dropAnswer(): void {
    this.answer = null;
  }

  private request(key: string, base: Draft | null, extra: ExtraPrompt): void {
    const h = this.host;
    if (key === this.key) return;
    this.key = key;
    const imageId = h.doc.image.id;
    const draft = base ?? h.newDraft();
    let refined = false;
    const send = () => {
      if (this.key !== key || h.doc.image.id !== imageId) return null;
      const request = h.requestFor(draft, extra);
      refined = !!request.maskInputRef;
      return request;
    };
    void h.decoder.request(send, 'hover').then((outcome) => {
      if (outcome.status !== 'ok' || this.key !== key || h.doc.image.id !== imageId) return;
      if (base !== activeDraft(h.doc.draft)) return; // the draft changed meanwhile: an old question
      const reply = outcome.reply;
      if (reply.candidates.length === 0) return;
      const candidates = reply.candidates.map(candidateFromPreview);
      const best = candidates[bestCandidate(candidates)]!;
      if (!best.preview) return; // the backend previews the candidate shown first: the same rule, so not expected
      this.preview = {
        raster: rasterFromPreview(best.preview, h.doc.image),
        predictedIou: best.predictedIou,
      };
      h.status.lastDecodeMs = reply.timings.decodeMs;
      h.emit('status');
      this.answer = {
        imageId,
        key,
        base,
        decode: { decodeId: reply.decodeId, candidates, decodeMs: reply.timings.decodeMs, refined },
      };
      h.emit('overlay');
    });
  }
}
