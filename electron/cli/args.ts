/** Command-line parsing shared by the sub-commands: Node's parseArgs, with user errors in one line. */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UserError } from '../common/errors.ts';

/** A bad flag or flag value: exit code 2, as usage errors conventionally get. */
export class UsageError extends UserError {}

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseFlags<O extends Options>(
  command: string,
  argv: string[],
  options: O,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/, '');
    throw new UsageError(`${command}: ${message} (see: sam-annotate ${command} --help)`);
  }
}

export function numbersOf(flag: string, value: string, count: number): number[] {
  const parts = value.split(',').map((p) => p.trim());
  const numbers = parts.map(Number);
  if (parts.length !== count || numbers.some((n, i) => parts[i] === '' || !Number.isFinite(n))) {
    throw new UsageError(`--${flag} ${value}: expected ${count} comma-separated numbers`);
  }
  return numbers;
}

export function positiveInteger(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${flag} ${value}: expected a whole number ≥ 0`);
  return n;
}

export function required<T>(flag: string, command: string, value: T | undefined): T {
  if (value === undefined)
    throw new UsageError(`${command}: --${flag} is required (see: sam-annotate ${command} --help)`);
  return value;
}
