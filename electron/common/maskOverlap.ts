/**
 * Overlap control (issue 17, as CVAT's and X-AnyLabeling's "no overlap"): a new mask minus the masks already
 * accepted on its image, on COCO RLE runs directly (no full-size raster). Pure; used by the backend on accept.
 */
import { type Rle, countsFromString, countsToString } from './rle.ts';
import { canonicalCounts, unionCounts } from './rleOps.ts';

/** Foreground intervals [start, end) of column-major RLE counts, in order. */
function runs(counts: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  let p = 0;
  for (let j = 0; j < counts.length; j++) {
    if (j % 2 === 1 && counts[j]! > 0) out.push([p, p + counts[j]!]);
    p += counts[j]!;
  }
  return out;
}

/** `mask` without the pixels of any of `covered` (all of the same size). */
export function subtractMasks(mask: Rle, covered: readonly Rle[]): Rle {
  const [h, w] = mask.size;
  const pixels = h * w;
  for (const other of covered)
    if (other.size[0] !== h || other.size[1] !== w)
      throw new Error(`mask sizes differ: ${other.size.join('×')} vs ${mask.size.join('×')}`);
  if (!covered.length) return mask;
  const keep = runs(countsFromString(mask.counts));
  const cut = runs(
    unionCounts(
      covered.map((c) => countsFromString(c.counts)),
      pixels,
    ),
  );
  const out: number[] = [];
  let previousEnd = 0;
  const emit = (start: number, end: number) => {
    if (end <= start) return;
    out.push(start - previousEnd, end - start);
    previousEnd = end;
  };
  let j = 0;
  for (const [start, end] of keep) {
    let from = start;
    while (j < cut.length && cut[j]![1] <= from) j++;
    let k = j;
    while (k < cut.length && cut[k]![0] < end) {
      emit(from, Math.min(end, cut[k]![0]));
      from = Math.max(from, cut[k]![1]);
      if (cut[k]![1] > end) break;
      k++;
    }
    emit(from, end);
  }
  out.push(pixels - previousEnd);
  return { size: [h, w], counts: countsToString(canonicalCounts(out)) };
}
