/**
 * Every user command is one object (Excalidraw's actions): id, label, shortcuts, availability, and what it does.
 * The same ids drive keyboard shortcuts, buttons, the shortcut sheet, and (later) the Electron menu.
 *
 * `capture` declares the undo behaviour: a 'record' command returns its undo capture from `perform`, and the
 * runner (run.ts) pushes it as exactly one history step; a 'never' command changes no document (view,
 * navigation, selection) or manages history itself (undo, redo, cancel).
 *
 * A command acts on a host, a narrow interface of what it may touch: the annotator's commands see `EditorHost`
 * (host.ts), review mode's see `ReviewCommandHost` (review/commands.ts). Both run through `CommandManager`.
 */

export interface UndoCapture {
  undo(): void | Promise<void>;
  redo(): void | Promise<void>;
}

export type CommandGroup =
  'SAM' | 'Auto' | 'Masks' | 'Edit' | 'Tools' | 'View' | 'Images' | 'Review' | 'Help';

export interface Command<Arg, Host> {
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
export type AnyCommand<Host> = Command<any, Host>;

export const defineCommand = <Arg, Host>(command: Command<Arg, Host>): Command<Arg, Host> => command;
