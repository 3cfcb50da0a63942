/**
 * Summary and histogram of a list of numbers (the statistics of issue 5: seconds per mask, clicks per mask, masks
 * per image). Pure; the store hands over the values sorted by SQLite.
 *
 * Bins are `[from, to)` of a "nice" width (1, 2, 5 × 10^k) chosen so that about `targetBins` of them reach the
 * 95th percentile; whatever lies beyond goes into one open last bin (`to` null), so a single coffee break does
 * not squash the histogram of a whole day's work into its first bar.
 */

/** `[from, to)`; `to` null for the open last bin (everything from `from` on). */
export interface HistogramBin {
  readonly from: number;
  readonly to: number | null;
  readonly count: number;
}

export interface Distribution {
  readonly count: number;
  readonly mean: number | null;
  readonly median: number | null;
  /** Nearest-rank 90th percentile. */
  readonly p90: number | null;
  readonly max: number | null;
  readonly bins: readonly HistogramBin[];
}

export interface DistributionOptions {
  /** Integer data (clicks, counts): bins are at least 1 wide. */
  readonly integer?: boolean;
  /** About this many bins up to the 95th percentile (default 20). */
  readonly targetBins?: number;
}

/** The smallest of 1, 2, 5 × 10^k that is ≥ `x` (x > 0). */
export function niceStep(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return 1;
  const power = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * power >= x * (1 - 1e-9)) return m * power;
  return 10 * power;
}

/** Nearest-rank quantile of ascending values (q in (0, 1]). */
function rank(sorted: ArrayLike<number>, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Median of ascending values: the middle one, or the mean of the two middle ones. */
export function medianOf(sorted: ArrayLike<number>): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  return n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

/** Distribution of `sorted` (ascending, finite, ≥ 0). */
export function distributionOf(sorted: ArrayLike<number>, options: DistributionOptions = {}): Distribution {
  const n = sorted.length;
  if (n === 0) return { count: 0, mean: null, median: null, p90: null, max: null, bins: [] };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  const max = sorted[n - 1]!;
  const hi = rank(sorted, 0.95);
  const target = options.targetBins ?? 20;
  let width = niceStep(hi / target);
  if (options.integer) width = Math.max(1, Math.round(width));
  // Closed bins reach the 95th percentile; beyond them, one open bin if anything is there.
  const closed = Math.floor(hi / width) + 1;
  const counts = new Array<number>(closed + 1).fill(0);
  // The small epsilon keeps 0.6 / 0.2 = 2.9999… in bin 3, where it belongs.
  for (let i = 0; i < n; i++) counts[Math.min(closed, Math.floor(sorted[i]! / width + 1e-9))]!++;
  const at = (k: number) => Number((k * width).toPrecision(12));
  const bins: HistogramBin[] = [];
  for (let k = 0; k < closed; k++) bins.push({ from: at(k), to: at(k + 1), count: counts[k]! });
  if (counts[closed]! > 0) bins.push({ from: at(closed), to: null, count: counts[closed]! });
  return { count: n, mean: sum / n, median: medianOf(sorted), p90: rank(sorted, 0.9), max, bins };
}
