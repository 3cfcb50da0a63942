/**
 * One command manager for each editor (Excalidraw's ActionManager): the annotator and review mode each hold one
 * over their own command table and host. It finds commands by id and by key chord, checks availability and runs
 * them through `runCommand` (one history step per 'record' command).
 */
import type { History } from '../history.ts';
import type { ToolKeyEvent } from '../tools/types.ts';
import { runCommand } from './run.ts';
import { chordOf } from './shortcuts.ts';
import type { AnyCommand } from './types.ts';

export interface CommandManagerOptions<Host> {
  /** What the commands act on. */
  readonly host: Host;
  readonly history: History;
  /** Show an error (a failed perform). */
  fail(error: unknown): void;
}

export class CommandManager<Host> {
  private readonly byId: ReadonlyMap<string, AnyCommand<Host>>;

  constructor(
    readonly commands: readonly AnyCommand<Host>[],
    private readonly options: CommandManagerOptions<Host>,
  ) {
    this.byId = new Map(commands.map((c) => [c.id, c]));
  }

  get(id: string): AnyCommand<Host> | undefined {
    return this.byId.get(id);
  }

  /** Run a command by id if it is available; returns whether it ran. Unknown ids are a programming error. */
  run(id: string, arg?: unknown): boolean {
    const command = this.byId.get(id);
    if (!command) throw new Error(`unknown command ${id}`);
    return runCommand(this.options, command, arg);
  }

  isAvailable(id: string, arg?: unknown): boolean {
    const command = this.byId.get(id);
    return !!command && command.available(this.options.host, arg);
  }

  /** The command whose shortcut this key is, if any. */
  forKey(e: ToolKeyEvent): AnyCommand<Host> | undefined {
    const chord = chordOf(e);
    return chord ? this.commands.find((c) => c.shortcuts.includes(chord)) : undefined;
  }

  /**
   * Run the command of this key's shortcut; returns whether the key is a shortcut. A shortcut counts as used even
   * when its command is unavailable (Tab must not move the focus out of the canvas).
   */
  runShortcut(e: ToolKeyEvent): boolean {
    const command = this.forKey(e);
    if (!command) return false;
    this.run(command.id);
    return true;
  }
}
