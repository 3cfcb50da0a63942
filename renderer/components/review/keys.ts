/** Tooltips and key labels for review mode's commands (the annotator's are in ../shortcut.ts). */
import { displayChord } from '../../core/commands/shortcuts.ts';
import { reviewCommandById } from '../../core/review/commands.ts';
import { mac } from '../shortcut.ts';

export function reviewKey(id: string): string {
  const s = reviewCommandById(id)?.shortcuts[0];
  return s ? displayChord(s, mac) : '';
}

/** "Label (Key)". */
export function reviewTip(id: string): string {
  const c = reviewCommandById(id);
  if (!c) return id;
  return c.shortcuts[0] ? `${c.label} (${displayChord(c.shortcuts[0], mac)})` : c.label;
}
