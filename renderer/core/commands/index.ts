/**
 * The command registry: every user command of the annotator, in the order the shortcut sheet lists them.
 * Recorded commands ('record') are the only way the document changes; each is exactly one undo step. Commands
 * act on `EditorHost` (host.ts) and run through the annotator's `CommandManager` (manager.ts).
 */
import { APP_COMMANDS } from './app.ts';
import { AUTO_COMMANDS } from './auto.ts';
import { EDIT_COMMANDS } from './edit.ts';
import type { EditorCommand } from './editorCommand.ts';
import { MASK_COMMANDS } from './masks.ts';
import { OUTLINE_COMMANDS } from './outline.ts';
import { SAM_COMMANDS } from './sam.ts';
import { VIEW_COMMANDS } from './view.ts';

export const COMMANDS: readonly EditorCommand[] = [
  ...SAM_COMMANDS,
  ...AUTO_COMMANDS,
  ...MASK_COMMANDS,
  ...OUTLINE_COMMANDS,
  ...EDIT_COMMANDS,
  ...VIEW_COMMANDS,
  ...APP_COMMANDS,
];

const byId = new Map(COMMANDS.map((c) => [c.id, c]));

/** A command by id, for labels and key hints (running goes through the annotator's `CommandManager`). */
export function commandById(id: string): EditorCommand | undefined {
  return byId.get(id);
}
