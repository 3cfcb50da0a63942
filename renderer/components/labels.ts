/** Words for statuses and sources, and times as people read them (review and statistics views). */
import type { AnnotationSource, AnnotationStatus } from '../../electron/ipc/contract.ts';

export const STATUS_LABEL: Record<AnnotationStatus, string> = {
  draft: 'Draft',
  'needs-fix': 'Needs fix',
  accepted: 'Accepted',
  rejected: 'Rejected',
};

/** In the order the filters list them: pending work first. */
export const STATUSES: readonly AnnotationStatus[] = ['draft', 'needs-fix', 'accepted', 'rejected'];

export const SOURCE_LABEL: Record<AnnotationSource, string> = {
  manual: 'Manual',
  'semi-auto': 'Semi-auto',
  auto: 'Automatic',
  imported: 'Imported',
};

export const SOURCES: readonly AnnotationSource[] = ['manual', 'semi-auto', 'auto', 'imported'];

/** Unix ms → '14:02' today, else 'Mar 5, 14:02' (the viewer's time zone). */
export function formatWhen(at: number, now = Date.now()): string {
  const date = new Date(at);
  const time = date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  if (new Date(now).toDateString() === date.toDateString()) return `today ${time}`;
  const day = date.toLocaleDateString('en-US', { month: 'short', day: 'numeric', year: 'numeric' });
  return `${day}, ${time}`;
}

/** A model score with two decimals, or a dash when there is none (imported masks). */
export const score = (v: number | null): string => (v === null ? '—' : v.toFixed(2));

/** Bytes as people read file sizes: '9.4 MB', '1.25 GB', '820 kB'. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${Math.max(0, Math.round(bytes / 1e3))} kB`;
}

/**
 * A mask's name in every view (annotator list, Review, its messages): its annotation id, so "#42" is the same mask
 * everywhere (issue 17: the annotator numbered them by list position). Placeholders (id < 0) are being stored.
 */
export const maskLabel = (a: { readonly id: number }): string => (a.id >= 0 ? `#${a.id}` : '#…');
