/**
 * Key chords as strings: modifiers in the order Mod, Alt, Shift, then the key ('Mod+Shift+Z', 'Shift+Tab', 'D').
 * Letters are upper-cased. For other printable characters ('?', '[', '1') Shift is part of the character and is
 * not written. `Mod` is Ctrl, or Cmd on macOS.
 */
import type { ToolKeyEvent } from '../tools/types.ts';

const MODIFIER_KEYS = new Set(['Shift', 'Control', 'Alt', 'Meta', 'AltGraph', 'CapsLock']);

export function chordOf(e: ToolKeyEvent): string | undefined {
  if (MODIFIER_KEYS.has(e.key)) return undefined;
  const printable = e.key.length === 1;
  const letter = printable && /[a-z]/i.test(e.key);
  let key = printable ? (letter ? e.key.toUpperCase() : e.key) : e.key;
  if (key === ' ') key = 'Space';
  const parts: string[] = [];
  if (e.mod) parts.push('Mod');
  if (e.alt) parts.push('Alt');
  if (e.shift && (!printable || letter)) parts.push('Shift');
  parts.push(key);
  return parts.join('+');
}

/** A chord for display: 'Mod+Shift+Z' → 'Ctrl+Shift+Z' (or ⌘⇧Z on macOS). */
export function displayChord(chord: string, mac = false): string {
  if (!mac) return chord.replace('Mod', 'Ctrl');
  return chord.replace('Mod+', '⌘').replace('Alt+', '⌥').replace('Shift+', '⇧');
}
