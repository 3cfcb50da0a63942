/**
 * Every user command is one object (Excalidraw's actions): id, label, shortcuts, availability, and what it does.
 * The same ids drive keyboard shortcuts, buttons, the shortcut sheet, and (later) the Electron menu.
 *
 * `capture` declares the undo behaviour: a 'record' command returns its undo capture from `perform`, and the
 * runner pushes it as exactly one history step; a 'never' command changes no document (view, navigation,
 * selection) or manages history itself (undo, redo, cancel).
 */
import type { Annotator } from '../annotator.ts';

export interface UndoCapture {
  undo(): void | Promise<void>;
  redo(): void | Promise<void>;
}

export type CommandGroup = 'SAM' | 'Masks' | 'Edit' | 'Tools' | 'View' | 'Images' | 'Help';

export interface Command<Arg = void> {
  readonly id: string;
  readonly label: string;
  readonly group: CommandGroup;
  /** Normalised key chords ('Mod+Shift+Z', 'Tab', '?'); see shortcuts.ts. The first is shown in the UI. */
  readonly shortcuts: readonly string[];
  readonly capture: 'record' | 'never';
  /** Shown in the shortcut sheet when the shortcut needs a word of explanation. */
  readonly hint?: string;
  available(annotator: Annotator, arg: Arg): boolean;
  perform(annotator: Annotator, arg: Arg): UndoCapture | void | Promise<UndoCapture | void>;
}

/** Commands are declared with their argument type and stored without it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommand = Command<any>;

export const defineCommand = <Arg = void>(command: Command<Arg>): Command<Arg> => command;
