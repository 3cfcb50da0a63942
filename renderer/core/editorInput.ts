/**
 * Input routing: pointer and key events (image frame, normalised by the canvas binding) go to the current tool;
 * keys the tool does not use are shortcuts of commands; Esc cancels the tool's gesture, else the draft. Every
 * event is a sign of life for the per-mask clock.
 */
import type { ToolMachine } from './tools/machine.ts';
import type { ToolKeyEvent, ToolPointerEvent } from './tools/types.ts';

/** What input needs of the editor. */
export interface InputHost {
  readonly tools: ToolMachine;
  /** Run a command by id (Esc's 'mask.cancel'). */
  run(id: string): boolean;
  /** Run the command whose shortcut this key is; returns whether the key is a shortcut. */
  runShortcut(e: ToolKeyEvent): boolean;
  /** Any sign of life (per-mask timing). */
  activity(): void;
  /** Why the canvas takes no input now (the image could not be read, issue 17), or null. */
  refusal(): string | null;
  /** Tell the user (the status line's error). */
  fail(message: string): void;
}

export class EditorInput {
  constructor(private readonly host: InputHost) {}

  pointerDown(e: ToolPointerEvent): void {
    const refusal = this.host.refusal();
    if (refusal) return this.host.fail(refusal);
    this.host.activity();
    this.host.tools.pointerDown(e);
  }

  pointerMove(e: ToolPointerEvent): void {
    this.host.activity();
    this.host.tools.pointerMove(e);
  }

  pointerUp(e: ToolPointerEvent): void {
    this.host.activity();
    this.host.tools.pointerUp(e);
  }

  pointerLeave(): void {
    this.host.tools.pointerLeave();
  }

  /** A key went down; returns true when it was used (the caller then prevents the default). */
  keyDown(e: ToolKeyEvent): boolean {
    const { tools } = this.host;
    this.host.activity();
    if (e.key === 'Escape') return tools.cancel() || this.host.run('mask.cancel');
    return tools.keyDown(e) || this.host.runShortcut(e);
  }

  keyUp(e: ToolKeyEvent): void {
    this.host.tools.keyUp(e);
  }

  /** The window lost focus or a dialog opened: drop gestures in progress. */
  interrupt(): void {
    this.host.tools.interrupt();
  }
}
