import { commandById } from '../core/commands/index.ts';
import { displayChord } from '../core/commands/shortcuts.ts';

const mac = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform);

/** "Label (Key)" for a command's tooltip. */
export function tip(id: string): string {
  const c = commandById(id);
  if (!c) return id;
  return c.shortcuts[0] ? `${c.label} (${displayChord(c.shortcuts[0], mac)})` : c.label;
}

export function keyOf(id: string): string {
  const s = commandById(id)?.shortcuts[0];
  return s ? displayChord(s, mac) : '';
}

export { mac };

/** Pixel counts for narrow columns: exact below a million, then "14.3 M". */
export function pixels(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} M` : n.toLocaleString('en-US');
}
