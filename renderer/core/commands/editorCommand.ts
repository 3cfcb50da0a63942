/** Declaring the annotator's commands: each acts on the `EditorHost` (host.ts), never on the editor itself. */
import type { EditorHost } from './host.ts';
import { type AnyCommand, type Command, defineCommand } from './types.ts';

export type EditorCommand = AnyCommand<EditorHost>;

export const editorCommand = <Arg = void>(command: Command<Arg, EditorHost>): Command<Arg, EditorHost> =>
  defineCommand(command);

export const hasImage = (a: EditorHost): boolean => a.image !== null;
