/**
 * Zero-shot edge map of an image (SA paper §7.2, the seed's experiment): a 16×16 grid of one-point prompts, all
 * three candidates each, NMS at 0.7 by predicted IoU over their boxes, then the Sobel edges of each surviving
 * mask's probability map (σ of the upsampled logits), strongest per pixel, thinned (electron/common/amg/edges.ts).
 * No quality filters: the paper keeps every mask NMS leaves.
 */
import { edgeAccumulator, accumulateSobel, sigmoidInPlace, thinEdges } from '../common/amg/edges.ts';
import { buildPointGrid, pointsForCrop } from '../common/amg/grid.ts';
import { nms } from '../common/amg/nms.ts';
import { imagePoint } from '../common/frames.ts';
import { upsampleLogitRows, upsampleLogitRowsDirect } from '../common/maskUpsample.ts';
import type { SamService } from './samService.ts';

export interface EdgeOptions {
  /** Prompts per side (paper: 16). */
  readonly pointsPerSide?: number;
  /** Box NMS IoU threshold (0.7 as in AMG). */
  readonly nmsThresh?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface EdgeMap {
  readonly width: number;
  readonly height: number;
  /** Row-major 8-bit edge strength, 0 = no edge. */
  readonly data: Uint8Array;
  /** Masks that survived NMS (each contributed its edges). */
  readonly masks: number;
}

export async function edgeMap(
  service: SamService,
  file: string,
  options: EdgeOptions = {},
): Promise<EdgeMap> {
  const { embedding } = await service.embed(file, 'interactive');
  const { frame } = embedding;
  const { width: W, height: H } = frame.image;
  const points = pointsForCrop(buildPointGrid(options.pointsPerSide ?? 16), W, H);
  const whole = [0, 0, W, H] as const;
  const grid = await service.decodeGrid(embedding, {
    points,
    predIouThresh: 0,
    stabilityScoreThresh: 0,
    stabilityScoreOffset: 1,
    cropBox: whole,
    imageSize: { width: W, height: H },
    batched: true,
  });
  const candidates = grid.candidates;
  const keep = nms(
    candidates.map((c) => c.box),
    candidates.map((c) => c.predictedIou),
    options.nmsThresh ?? 0.7,
  );
  const acc = edgeAccumulator(W, H);
  const logits = new Float32Array(W * H);
  for (const [k, index] of keep.entries()) {
    const c = candidates[index]!;
    // The grid decode returns masks, not logits: decode this prompt again for its candidate's logits.
    const x = points[2 * c.pointIndex]!;
    const y = points[2 * c.pointIndex + 1]!;
    const prediction = await service.predict(
      file,
      { points: [{ point: imagePoint(x, y), label: 1 }] },
      { multimask: true, output: { rle: false, bitmap: false, previewMaxSide: 8 } },
    );
    const lowRes = prediction.candidates.find((p) => p.token === c.token)!.lowRes;
    const into = (row: number, values: Float32Array) => logits.set(values, row * W);
    // SAM 2 ('stretch') resizes the low-res logits straight to the image; SAM 1 goes through the padded S×S.
    if (frame.kind === 'stretch') upsampleLogitRowsDirect(lowRes, frame.image, into);
    else upsampleLogitRows(lowRes, frame, into);
    accumulateSobel(acc, sigmoidInPlace(logits));
    options.onProgress?.(k + 1, keep.length);
  }
  return { width: W, height: H, data: thinEdges(acc), masks: keep.length };
}
