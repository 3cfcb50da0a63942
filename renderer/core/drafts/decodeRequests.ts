/**
 * Building decode requests for a draft, and the keys that say "this hover answered that click".
 *
 * Frames: points and boxes are image pixels, as in the contract.
 */
import type { DecodeRequest } from '../../../electron/ipc/contract.ts';
import type { PromptBox, PointLabel, PromptPoint } from '../../../electron/common/prompts.ts';
import type { Draft } from '../document.ts';
import type { MultimaskMode } from '../view/viewState.ts';
import type { DraftLineage } from './draftLineage.ts';

/** What a request needs besides the draft. */
export interface DecodeSettings {
  readonly imageId: number;
  readonly multimaskMode: MultimaskMode;
  /** Whether the model accepts `maskInputRef` (ModelStatus.capabilities.maskInput). */
  readonly maskInput: boolean;
  /** Longest side of the preview bitmaps asked with each decode (≈ the canvas size). */
  readonly previewMaxSide: number;
}

/** One more prompt than the draft has: what a hover asks for a click or a box not made yet. */
export interface ExtraPrompt {
  readonly point?: { readonly x: number; readonly y: number };
  readonly label?: PointLabel;
  readonly box?: PromptBox;
}

/** Multimask for this draft: Meta's advice is three candidates for one ambiguous click, one for more prompts. */
export function multimaskFor(mode: MultimaskMode, draft: Draft): boolean {
  if (mode !== 'auto') return mode === 'on';
  return draft.points.length === 1 && !draft.box;
}

/** The request for `draft` (plus `extra`), refining from the decode it was made from when the model can. */
export function decodeRequest(
  settings: DecodeSettings,
  lineage: DraftLineage,
  draft: Draft,
  extra?: ExtraPrompt,
): DecodeRequest {
  const points: readonly PromptPoint[] = extra?.point
    ? [...draft.points, { x: extra.point.x, y: extra.point.y, label: extra.label ?? 1 }]
    : draft.points;
  const box = extra?.box ?? draft.box ?? undefined;
  const probe: Draft = { ...draft, points, box: box ?? null };
  // Refine from the decode this prompt was added to (Meta's interactive loop feeds the previous low-res logits).
  const parent = extra ? draft : lineage.refinementSource(draft);
  const parentNow = parent ? lineage.latest(parent) : undefined;
  const source = extra?.box ? undefined : parentNow?.decode;
  return {
    imageId: settings.imageId,
    points,
    ...(box ? { box } : {}),
    ...(settings.maskInput && source && parentNow && !parentNow.edited
      ? { maskInputRef: { decodeId: source.decodeId, candidate: parentNow.selected } }
      : {}),
    multimask: multimaskFor(settings.multimaskMode, probe),
    previewMaxSide: settings.previewMaxSide,
  };
}

/** The hover key of a click at `point` with `label` (the pixel it falls in). */
export function pointKey(point: { x: number; y: number }, label: PointLabel): string {
  return `p:${Math.floor(point.x) + 0.5},${Math.floor(point.y) + 0.5},${label}`;
}

export function boxKey(box: PromptBox): string {
  return `b:${Math.round(box.x0)},${Math.round(box.y0)},${Math.round(box.x1)},${Math.round(box.y1)}`;
}
