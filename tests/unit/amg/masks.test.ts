/**
 * Mask pieces of automatic mask generation: NMS as torchvision computes it, the stability score, Meta's mask
 * box, uncropping on run lengths, small-region removal with OpenCV's component semantics, the pipeline steps.
 */
import { describe, expect, it } from 'vitest';
import { calculateStabilityScore, maskBoxXyxy, uncropCounts } from '../../../electron/common/amg/masks.ts';
import { nms } from '../../../electron/common/amg/nms.ts';
import {
  type AmgMask,
  dropLargeMasks,
  mergeCrops,
  postprocessSmallRegions,
  toSa1bAnnotations,
} from '../../../electron/common/amg/pipeline.ts';
import { removeSmallRegions } from '../../../electron/common/amg/regions.ts';
import {
  type BinaryMask,
  compressRle,
  decodeRle,
  encodeCounts,
  encodeMask,
} from '../../../electron/common/rle.ts';

/** Deterministic pseudo-random numbers (LCG), so failures reproduce. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function maskOf(width: number, height: number, rows: string[]): BinaryMask {
  const data = new Uint8Array(width * height);
  rows.forEach((row, y) => [...row].forEach((c, x) => (data[y * width + x] = c === '#' ? 1 : 0)));
  return { width, height, data };
}

function rows(mask: BinaryMask): string[] {
  return Array.from({ length: mask.height }, (_, y) =>
    [...mask.data.subarray(y * mask.width, (y + 1) * mask.width)].map((v) => (v ? '#' : '.')).join(''),
  );
}

describe('nms (torchvision CPU semantics)', () => {
  it('keeps the best box and suppresses overlaps above the threshold', () => {
    const boxes = [
      [0, 0, 10, 10],
      [1, 1, 11, 11],
      [20, 20, 30, 30],
    ] as const;
    expect(nms(boxes, [0.9, 0.95, 0.5], 0.5)).toEqual([1, 2]);
    expect(nms(boxes, [0.9, 0.95, 0.5], 0.7)).toEqual([1, 0, 2]); // IoU 81/119 = 0.68
  });

  it('orders equal scores by index (stable sort) and returns kept indices best first', () => {
    const boxes = [
      [0, 0, 10, 10],
      [50, 50, 60, 60],
      [0, 0, 10, 10],
      [100, 0, 110, 10],
    ] as const;
    expect(nms(boxes, [0.5, 0.5, 0.5, 0.9], 0.5)).toEqual([3, 0, 1]);
    expect(nms(boxes, [1, 1, 1, 1], 1)).toEqual([0, 1, 2, 3]); // IoU 1 is not > 1
  });

  it('suppresses only when IoU > threshold, comparing the float32 IoU with the double threshold', () => {
    const a = [0, 0, 10, 10] as const;
    expect(nms([a, [0, 0, 10, 5]], [1, 0.5], 0.5)).toEqual([0, 1]); // IoU exactly 0.5
    // IoU 80/100 rounds to float32 0.800000011920929 > 0.8 (torchvision suppresses; a float32 compare would not)
    expect(nms([a, [0, 0, 10, 8]], [1, 0.5], 0.8)).toEqual([0]);
    // zero-area boxes: 0/0 is NaN, never above the threshold
    expect(
      nms(
        [
          [5, 5, 5, 5],
          [5, 5, 5, 5],
        ],
        [1, 1],
        0,
      ),
    ).toEqual([0, 1]);
  });

  it('leaves no kept pair above the threshold, and every dropped box has a better kept one above it', () => {
    const r = random(7);
    const boxes = Array.from({ length: 200 }, () => {
      const x = Math.floor(r() * 90);
      const y = Math.floor(r() * 90);
      return [x, y, x + 1 + Math.floor(r() * 30), y + 1 + Math.floor(r() * 30)] as const;
    });
    const scores = boxes.map(() => Math.fround(Math.floor(r() * 20) / 20)); // many ties
    const iou = (a: readonly number[], b: readonly number[]) => {
      const w = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!));
      const h = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
      const area = (q: readonly number[]) => (q[2]! - q[0]!) * (q[3]! - q[1]!);
      return Math.fround((w * h) / (area(a) + area(b) - w * h)); // exact integers, one rounding
    };
    const keep = nms(boxes, scores, 0.3);
    for (let i = 0; i < keep.length; i++) {
      for (let j = i + 1; j < keep.length; j++)
        expect(iou(boxes[keep[i]!]!, boxes[keep[j]!]!)).toBeLessThanOrEqual(0.3);
      if (i > 0) {
        const [p, q] = [keep[i - 1]!, keep[i]!];
        expect(scores[p]! > scores[q]! || (scores[p] === scores[q] && p < q)).toBe(true);
      }
    }
    const kept = new Set(keep);
    boxes.forEach((b, j) => {
      if (!kept.has(j))
        expect(
          keep.some(
            (i) => (scores[i]! > scores[j]! || (scores[i] === scores[j] && i < j)) && iou(boxes[i]!, b) > 0.3,
          ),
        ).toBe(true);
    });
  });
});

describe('stability score and mask box', () => {
  it("is count(> thr + offset) / count(> thr − offset) in float32 (Meta's calculate_stability_score)", () => {
    expect(calculateStabilityScore(Float32Array.from([-3, -1, -0.5, 0.5, 1, 1.5, 3]), 0, 1)).toBe(
      Math.fround(2 / 5),
    );
    expect(calculateStabilityScore(Float32Array.from([5, 5]), 0, 1)).toBe(1);
    expect(calculateStabilityScore(Float32Array.from([-5, -5]), 0, 1)).toBe(0); // Meta: 0/0 = NaN
    // thresholds are float32: 0.1 + 0.9 = 1 exactly; a logit of fround(1.0) is not above it
    expect(calculateStabilityScore(Float32Array.from([1, 2, -0.5]), 0.1, 0.9)).toBe(Math.fround(1 / 3));
  });

  it('boxes the foreground with inclusive maxima, [0, 0, 0, 0] when empty', () => {
    const one = maskOf(5, 4, ['.....', '..#..', '.....', '.....']);
    expect(maskBoxXyxy(encodeCounts(one))).toEqual([2, 1, 2, 1]);
    const two = maskOf(5, 4, ['.....', '.#...', '...#.', '.....']);
    expect(maskBoxXyxy(encodeCounts(two))).toEqual([1, 1, 3, 2]);
    expect(maskBoxXyxy(encodeCounts(maskOf(3, 2, ['...', '...'])))).toEqual([0, 0, 0, 0]);
  });
});

describe('uncropCounts (uncrop_masks + mask_to_rle_pytorch on runs)', () => {
  const pad = (mask: BinaryMask, x0: number, y0: number, W: number, H: number): BinaryMask => {
    const data = new Uint8Array(W * H);
    for (let y = 0; y < mask.height; y++)
      for (let x = 0; x < mask.width; x++) data[(y + y0) * W + x + x0] = mask.data[y * mask.width + x]!;
    return { width: W, height: H, data };
  };

  it('equals padding the mask and encoding it, for random masks and crops', () => {
    const r = random(3);
    for (let t = 0; t < 300; t++) {
      const W = 1 + Math.floor(r() * 12);
      const H = 1 + Math.floor(r() * 12);
      const x0 = Math.floor(r() * W);
      const y0 = Math.floor(r() * H);
      const w = 1 + Math.floor(r() * (W - x0));
      const h = 1 + Math.floor(r() * (H - y0));
      const density = r();
      const data = Uint8Array.from({ length: w * h }, () => (r() < density ? 1 : 0));
      const crop = { width: w, height: h, data };
      const got = uncropCounts(encodeCounts(crop), [x0, y0, x0 + w, y0 + h], { width: W, height: H });
      expect(got).toEqual(encodeCounts(pad(crop, x0, y0, W, H)));
    }
  });

  it('returns the counts unchanged for the whole image', () => {
    const m = maskOf(3, 2, ['#..', '.##']);
    expect(uncropCounts(encodeCounts(m), [0, 0, 3, 2], { width: 3, height: 2 })).toEqual(encodeCounts(m));
  });
});

/**
 * Reference for remove_small_regions: label the whole image (flood fill, 8-connectivity), number labels as
 * OpenCV does (by first 2×2 block in block-raster order), then Meta's rule.
 */
function bruteForce(mask: BinaryMask, area: number, mode: 'holes' | 'islands') {
  const { width: W, height: H, data } = mask;
  const holes = mode === 'holes';
  const work = (i: number) => (holes ? data[i] === 0 : data[i] !== 0);
  const label = new Int32Array(W * H).fill(-1);
  const comps: { size: number; key: number; id: number }[] = [];
  for (let start = 0; start < W * H; start++) {
    if (!work(start) || label[start] !== -1) continue;
    const id = comps.length;
    const comp = { size: 0, key: Infinity, id };
    comps.push(comp);
    const stack = [start];
    label[start] = id;
    while (stack.length) {
      const i = stack.pop()!;
      const x = i % W;
      const y = (i - x) / W;
      comp.size++;
      comp.key = Math.min(comp.key, Math.floor(y / 2) * Math.ceil(W / 2) + Math.floor(x / 2));
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= W || ny >= H) continue;
          const j = ny * W + nx;
          if (work(j) && label[j] === -1) {
            label[j] = id;
            stack.push(j);
          }
        }
    }
  }
  const ordered = [...comps].sort((a, b) => a.key - b.key);
  const small = new Set(ordered.filter((c) => c.size < area).map((c) => c.id));
  if (small.size === 0) return { mask, changed: false };
  let keep: (id: number) => boolean;
  if (holes) keep = (id) => small.has(id);
  else {
    let kept = ordered.filter((c) => !small.has(c.id));
    if (kept.length === 0) kept = [ordered.reduce((best, c) => (c.size > best.size ? c : best))];
    const ids = new Set(kept.map((c) => c.id));
    keep = (id) => ids.has(id);
  }
  const out = new Uint8Array(W * H);
  for (let i = 0; i < W * H; i++)
    out[i] = holes
      ? data[i] || (label[i]! >= 0 && keep(label[i]!))
        ? 1
        : 0
      : label[i]! >= 0 && keep(label[i]!)
        ? 1
        : 0;
  return { mask: { width: W, height: H, data: out }, changed: true };
}

describe('removeSmallRegions (remove_small_regions with cv2.connectedComponentsWithStats(·, 8))', () => {
  it('fills small holes and keeps big ones', () => {
    const m = maskOf(7, 6, ['#######', '#.#...#', '###...#', '#.#...#', '#######', '.......']);
    const r = removeSmallRegions(encodeMask(m), { width: 7, height: 6 }, 2, 'holes');
    expect(r.changed).toBe(true);
    expect(rows(decodeRle(r.rle))).toEqual([
      '#######',
      '###...#',
      '###...#',
      '###...#',
      '#######',
      '.......',
    ]);
  });

  it('treats background reaching the image edge beyond the box as one big region', () => {
    // The gap at the right of row 1 opens onto the outside of the box (column 6 is outside): not a hole.
    const m = maskOf(7, 4, ['######.', '#.....#', '######.', '.......']);
    const r = removeSmallRegions(encodeMask(m), { width: 7, height: 4 }, 10, 'holes');
    expect(r.changed).toBe(false);
  });

  it('removes small islands; when all are small it keeps the largest, ties going to the first in OpenCV order', () => {
    const m = maskOf(8, 6, ['####....', '####..#.', '........', '.......#', '........', '........']);
    const r = removeSmallRegions(encodeMask(m), { width: 8, height: 6 }, 3, 'islands');
    expect(rows(decodeRle(r.rle)).slice(0, 4)).toEqual(['####....', '####....', '........', '........']);
    // Two single pixels: (0, 1) is in block 0, (4, 0) in block 2; OpenCV labels (0, 1) first although (4, 0) is
    // first in raster order (checked against cv2 4.6), and numpy's argmax keeps the first of equal sizes.
    const tie = maskOf(8, 6, ['....#...', '#.......', '........', '........', '........', '........']);
    const t = removeSmallRegions(encodeMask(tie), { width: 8, height: 6 }, 5, 'islands');
    expect(rows(decodeRle(t.rle)).slice(0, 2)).toEqual(['........', '#.......']);
  });

  it('matches labelling the whole image, for random masks, thresholds and both modes', () => {
    const r = random(11);
    for (let t = 0; t < 400; t++) {
      const W = 1 + Math.floor(r() * 14);
      const H = 1 + Math.floor(r() * 14);
      const density = r();
      // sometimes confine the mask to a box, so the outside pieces (one or two) are exercised
      const bx0 = Math.floor(r() * W);
      const by0 = Math.floor(r() * H);
      const bx1 = r() < 0.3 ? W : bx0 + Math.floor(r() * (W - bx0 + 1));
      const by1 = r() < 0.3 ? H : by0 + Math.floor(r() * (H - by0 + 1));
      const data = new Uint8Array(W * H);
      for (let y = by0; y < by1; y++) for (let x = bx0; x < bx1; x++) data[y * W + x] = r() < density ? 1 : 0;
      const mask = { width: W, height: H, data };
      const area = 1 + Math.floor(r() * 8);
      for (const mode of ['holes', 'islands'] as const) {
        const want = bruteForce(mask, area, mode);
        const got = removeSmallRegions(encodeMask(mask), { width: W, height: H }, area, mode);
        expect(got.changed, `${mode} ${W}×${H} area ${area} #${t}`).toBe(want.changed);
        expect(rows(decodeRle(got.rle)), `${mode} ${W}×${H} area ${area} #${t}`).toEqual(rows(want.mask));
      }
    }
  });
});

describe('pipeline steps', () => {
  const image = { width: 40, height: 30 };
  const record = (
    box: readonly [number, number, number, number],
    cropBox: readonly [number, number, number, number],
    extra: Partial<AmgMask> = {},
  ): AmgMask => {
    const data = new Uint8Array(40 * 30);
    for (let y = box[1]; y <= box[3]; y++) for (let x = box[0]; x <= box[2]; x++) data[y * 40 + x] = 1;
    const rle = encodeMask({ width: 40, height: 30, data });
    return {
      rle,
      area: (box[2] - box[0] + 1) * (box[3] - box[1] + 1),
      box,
      predictedIou: 0.9,
      stabilityScore: 0.96,
      point: [1, 2],
      cropBox,
      ...extra,
    };
  };

  it("prefers masks from smaller crops across crops, keeping each crop's order", () => {
    const full = [0, 0, 40, 30] as const;
    const small = [0, 0, 25, 20] as const;
    const a = record([2, 2, 10, 10], full);
    const b = record([30, 20, 35, 25], full);
    const c = record([2, 2, 10, 11], small);
    expect(mergeCrops([[a, b], [c]], { crop_nms_thresh: 0.7 })).toEqual([c, b]);
    expect(mergeCrops([[a, b]], { crop_nms_thresh: 0.7 })).toEqual([a, b]); // one crop: no NMS
  });

  it('re-runs NMS after the clean-up, preferring masks it did not change', () => {
    const full = [0, 0, 40, 30] as const;
    const holey = record([2, 2, 12, 12], full, { predictedIou: 0.99 });
    const data = decodeRle(holey.rle);
    data.data[5 * 40 + 5] = 0; // a one-pixel hole
    const changed = { ...holey, rle: encodeMask(data) };
    const clean = record([2, 2, 12, 11], full);
    const out = postprocessSmallRegions([changed, clean], image, 4, 0.7);
    expect(out).toEqual([clean]);
    const alone = postprocessSmallRegions([changed], image, 4, 0.7);
    expect(alone[0]!.rle).toEqual(holey.rle);
    expect(alone[0]!.area).toBe(121);
  });

  it('drops masks covering the given fraction of the image (the SA paper filter), off at 0', () => {
    const big = record([0, 0, 39, 28], [0, 0, 40, 30]); // 1160 of 1200 = 96.7 %
    const small = record([0, 0, 9, 9], [0, 0, 40, 30]);
    expect(dropLargeMasks([big, small], image, 0.95)).toEqual([small]);
    expect(dropLargeMasks([big, small], image, 0)).toEqual([big, small]);
  });

  it('writes SA-1B annotations in order with XYWH boxes', () => {
    const m = record([2, 3, 10, 12], [0, 0, 25, 20]);
    const [a] = toSa1bAnnotations([m]);
    expect(a).toEqual({
      id: 0,
      segmentation: { size: [30, 40], counts: m.rle.counts },
      bbox: [2, 3, 8, 9],
      area: 90,
      predicted_iou: 0.9,
      point_coords: [[1, 2]],
      crop_box: [0, 0, 25, 20],
      stability_score: 0.96,
    });
    expect(compressRle(encodeCounts(decodeRle(m.rle)))).toEqual(m.rle);
  });
});
