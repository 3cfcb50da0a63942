/**
 * Every user command is one object (Excalidraw's actions): id, label, shortcuts, availability, and what it does.
 * The same ids drive keyboard shortcuts, buttons, the shortcut sheet, and (later) the Electron menu.
 *
 * `capture` declares the undo behaviour: a 'record' command returns its undo capture from `perform`, and the
 * runner (run.ts) pushes it as exactly one history step; a 'never' command changes no document (view,
 * navigation, selection) or manages history itself (undo, redo, cancel).
 *
 * A command acts on a host: the annotator by default; review mode's commands act on the review session.
 */
import type { Annotator } from '../annotator.ts';

export interface UndoCapture {
  undo(): void | Promise<void>;
  redo(): void | Promise<void>;
}

export type CommandGroup =
  'SAM' | 'Auto' | 'Masks' | 'Edit' | 'Tools' | 'View' | 'Images' | 'Review' | 'Help';

export interface Command<Arg = void, Host = Annotator> {
  readonly id: string;
  readonly label: string;
  readonly group: CommandGroup;
  /** Normalised key chords ('Mod+Shift+Z', 'Tab', '?'); see shortcuts.ts. The first is shown in the UI. */
  readonly shortcuts: readonly string[];
  readonly capture: 'record' | 'never';
  /** Shown in the shortcut sheet when the shortcut needs a word of explanation. */
  readonly hint?: string;
  available(host: Host, arg: Arg): boolean;
  perform(host: Host, arg: Arg): UndoCapture | void | Promise<UndoCapture | void>;
}

/** Commands are declared with their argument type and stored without it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommand<Host = Annotator> = Command<any, Host>;

export const defineCommand = <Arg = void, Host = Annotator>(
  command: Command<Arg, Host>,
): Command<Arg, Host> => command;
