/**
 * Non-maximum suppression as torchvision computes it on the CPU (`torchvision/csrc/ops/cpu/nms_kernel.cpp`,
 * `ops/boxes.py batched_nms`), which Meta's AMG calls on float32 XYXY boxes with one category:
 *
 * - order: scores sorted descending with a *stable* sort (equal scores keep index order);
 * - areas `(x1 − x0) · (y1 − y0)`, intersections `max(0, min − max)` per axis, IoU
 *   `inter / (area_i + area_j − inter)`, every step rounded to float32;
 * - a box is suppressed when its IoU with a kept box is `>` the threshold (compared in double precision);
 * - the result lists the kept indices in that order (highest score first).
 *
 * With one category, `batched_nms`'s coordinate offset is 0, so it is plain NMS. Above 1000 boxes on the CPU
 * torchvision takes another path (`_batched_nms_vanilla`) that keeps the same set but re-sorts it by score with
 * an unstable sort; equal scores may then come out in another order there. We always use the stable order.
 */
import type { BoxXyxy } from './boxes.ts';

const f = Math.fround;

/**
 * @param boxes XYXY per box (any frame; values are rounded to float32 as `boxes.float()` does).
 * @param scores one score per box (rounded to float32).
 * @returns indices of the kept boxes, highest score first.
 */
export function nms(boxes: readonly BoxXyxy[], scores: ArrayLike<number>, iouThreshold: number): number[] {
  const n = boxes.length;
  if (scores.length !== n) throw new Error(`nms: ${n} boxes but ${scores.length} scores`);
  const x0 = new Float32Array(n);
  const y0 = new Float32Array(n);
  const x1 = new Float32Array(n);
  const y1 = new Float32Array(n);
  const areas = new Float32Array(n);
  const s = Float32Array.from(scores);
  for (let i = 0; i < n; i++) {
    const b = boxes[i]!;
    x0[i] = b[0];
    y0[i] = b[1];
    x1[i] = b[2];
    y1[i] = b[3];
    areas[i] = f(f(x1[i]! - x0[i]!) * f(y1[i]! - y0[i]!));
  }
  // Array.prototype.sort is stable; NaN scores (never produced here) would sort last.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => {
    const d = s[b]! - s[a]!;
    return d > 0 ? 1 : d < 0 ? -1 : 0;
  });
  const suppressed = new Uint8Array(n);
  const keep: number[] = [];
  for (let oi = 0; oi < n; oi++) {
    const i = order[oi]!;
    if (suppressed[i]) continue;
    keep.push(i);
    for (let oj = oi + 1; oj < n; oj++) {
      const j = order[oj]!;
      if (suppressed[j]) continue;
      const w = Math.max(0, f(Math.min(x1[i]!, x1[j]!) - Math.max(x0[i]!, x0[j]!)));
      const h = Math.max(0, f(Math.min(y1[i]!, y1[j]!) - Math.max(y0[i]!, y0[j]!)));
      const inter = f(w * h);
      const iou = f(inter / f(f(areas[i]! + areas[j]!) - inter));
      if (iou > iouThreshold) suppressed[j] = 1;
    }
  }
  return keep;
}
