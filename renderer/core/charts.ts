/**
 * Geometry and labels for the statistics plots (plain SVG in Svelte; no chart library): linear scales, "nice"
 * axis ticks, day positions for the trend, and number formats with their units. Framework-free.
 */
import { niceStep } from '../../electron/common/distribution.ts';

/** Maps `[d0, d1]` linearly onto `[r0, r1]` (a zero-width domain maps to the middle of the range). */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]) {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  return (v: number): number => (d1 === d0 ? (r0 + r1) / 2 : r0 + ((v - d0) / (d1 - d0)) * (r1 - r0));
}

/**
 * Ticks 0, s, 2s, … up to at least `max` with about `count` steps; the last tick is the axis top. Counts
 * (`integer`) get whole steps.
 */
export function niceTicks(max: number, count = 4, integer = false): number[] {
  let step = niceStep(Math.max(max, 1e-9) / count);
  if (integer) step = Math.max(1, Math.round(step));
  const ticks: number[] = [];
  for (let v = 0; ; v += step) {
    ticks.push(Number(v.toPrecision(12)));
    if (v >= max - 1e-9) break;
  }
  return ticks;
}

/** Days since the Unix epoch of a 'YYYY-MM-DD' day (UTC midnight: only differences between days matter). */
export function dayNumber(day: string): number {
  return Math.round(Date.parse(`${day}T00:00:00Z`) / 86_400_000);
}

/** '2024-03-05' → 'Mar 5'. */
export function shortDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  return date.toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/** Seconds for people: '8.5 s', '14 s', '2 min 5 s', '1 h 3 min'. */
export function formatSeconds(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '—';
  if (s < 10) return `${Number(s.toFixed(1))} s`;
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) {
    const m = Math.floor(s / 60);
    const rest = Math.round(s - m * 60);
    return rest ? `${m} min ${rest} s` : `${m} min`;
  }
  const h = Math.floor(s / 3600);
  const m = Math.round((s - h * 3600) / 60);
  return m ? `${h} h ${m} min` : `${h} h`;
}

/** A count or measure with at most one decimal ('2.6', '3'). */
export function formatNumber(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '—';
  return Number.isInteger(v) ? v.toLocaleString('en-US') : Number(v.toFixed(1)).toLocaleString('en-US');
}

/** An axis value as short as it is exact: '0.05', '12', '1,500'. */
export function formatTick(v: number): string {
  return Number(v.toPrecision(6)).toLocaleString('en-US', { maximumFractionDigits: 4 });
}

export function formatPercent(share: number | null): string {
  return share === null ? '—' : `${Math.round(share * 100)} %`;
}

/** The label of a histogram bin: '10–12', or '≥ 40' for the open last one; integer bins one wide: '3'. */
export function binLabel(bin: { from: number; to: number | null }, integer = false): string {
  const f = (v: number) => formatNumber(v);
  if (bin.to === null) return `≥ ${f(bin.from)}`;
  if (integer && bin.to - bin.from === 1) return f(bin.from);
  return integer ? `${f(bin.from)}–${f(bin.to - 1)}` : `${f(bin.from)}–${f(bin.to)}`;
}

/** Distinct colours for annotators' lines (readable on the dark theme). */
export const SERIES_COLORS = [
  '#4f8cff',
  '#f2b233',
  '#34c77b',
  '#e66cd0',
  '#5fd3e6',
  '#ff7b5c',
  '#b39dff',
  '#c5e15c',
];
