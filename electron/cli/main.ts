/**
 * `sam-annotate`: the command-line face of the same services the app uses. User errors print one line and
 * exit 1 (2 for usage errors); anything else is a bug and prints its stack (exit 70).
 */
import { createRequire } from 'node:module';
import { isUserError } from '../common/errors.ts';
import { UsageError } from './args.ts';
import * as amg from './commands/amg.ts';
import * as boxes from './commands/boxes.ts';
import * as convert from './commands/convert.ts';
import * as edges from './commands/edges.ts';
import * as merge from './commands/merge.ts';
import * as models from './commands/models.ts';
import * as predict from './commands/predict.ts';
import * as serve from './commands/serve.ts';
import * as start from './commands/start.ts';
import * as project from './commands/project.ts';

interface Command {
  readonly summary: string;
  readonly help: string;
  run(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  start,
  serve,
  predict,
  convert,
  models,
  project,
  amg,
  merge,
  'boxes-to-masks': boxes,
  edges,
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const list = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: sam-annotate <command> [options]\n\nSAM Annotate: image annotation with the Segment Anything Model in the loop.\n\nCommands:\n${list.join('\n')}\n\nRun sam-annotate <command> --help for a command's options.`;
}

function version(): string {
  const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
  return pkg.version;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (!name || name === '--help' || name === '-h' || name === 'help') {
      console.log(usage());
      return name ? 0 : 2;
    }
    if (name === '--version' || name === '-v') {
      console.log(version());
      return 0;
    }
    const command = COMMANDS[name];
    if (!command)
      throw new UsageError(`unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
    if (rest.includes('--help') || rest.includes('-h')) {
      console.log(command.help);
      return 0;
    }
    return await command.run(rest);
  } catch (error) {
    if (isUserError(error)) {
      console.error(`sam-annotate: error: ${(error as Error).message}`);
      return error instanceof UsageError ? 2 : 1;
    }
    console.error('sam-annotate: internal error (please report it):');
    console.error(error);
    return 70;
  }
}
