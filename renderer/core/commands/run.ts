/**
 * Running a command (Excalidraw's ActionManager, reduced): check availability, perform, and for a 'record'
 * command push its undo capture as exactly one history step. An async capture is pushed at once (its undo waits
 * for the perform), so the order of steps is the order of the user's actions; if the perform fails or turns out
 * to have changed nothing, the step is dropped again. Shared by the annotator and the review session.
 */
import type { History } from '../history.ts';
import type { AnyCommand, UndoCapture } from './types.ts';

export interface CommandContext<Host> {
  readonly host: Host;
  readonly history: History;
  /** Show an error (a failed perform). */
  fail(error: unknown): void;
}

/** Run `command` if it is available; returns whether it ran. */
export function runCommand<Host>(
  { host, history, fail }: CommandContext<Host>,
  command: AnyCommand<Host>,
  arg: unknown,
): boolean {
  if (!command.available(host, arg)) return false;
  let result: UndoCapture | void | Promise<UndoCapture | void>;
  try {
    result = command.perform(host, arg);
  } catch (error) {
    fail(error);
    return true;
  }
  if (command.capture === 'record') {
    if (result instanceof Promise) {
      const capture = result;
      const entry = {
        label: command.label,
        undo: async () => (await capture)?.undo(),
        redo: async () => (await capture)?.redo(),
      };
      history.push(entry);
      capture.then(
        (value) => {
          if (!value) history.drop(entry); // nothing happened after all
        },
        (error: unknown) => {
          history.drop(entry);
          fail(error);
        },
      );
    } else if (result) {
      history.push({ label: command.label, undo: result.undo, redo: result.redo });
    }
  } else if (result instanceof Promise) {
    result.catch((error: unknown) => fail(error));
  }
  return true;
}
