/**
 * An error the user can act on: bad input, a missing or wrong file, an unsupported model. Its message is one
 * line that names the file (or flag) and the problem; the CLI prints it without a stack trace and the app shows
 * it as is. Anything else that escapes is a bug and keeps its stack.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** One-line description of any thrown value, for messages that wrap a lower-level failure. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof Error && error.name === 'UserError';
}

/**
 * A value from the user's input, as an error or report line may echo it (issue 18): at most `max` characters,
 * on one line; a longer one ends in "…" and says how long it was. Strings are shown JSON-quoted (so blanks,
 * control characters and line breaks are visible), other values as `String` gives them.
 */
export function quoteForMessage(value: unknown, max = 80): string {
  if (typeof value !== 'string') return shortenForMessage(String(value), max);
  const { head, more } = cut(value, max);
  return more ? `${JSON.stringify(`${head}…`)}${more}` : JSON.stringify(head);
}

/** A name to print as is (a category, a file): one line, at most `max` characters (see {@link quoteForMessage}). */
export function shortenForMessage(text: string, max = 80): string {
  const { head, more } = cut(text.replace(/[\r\n]/g, ' '), max);
  return more ? `${head}…${more}` : head;
}

function cut(text: string, max: number): { head: string; more: string } {
  if (text.length <= max) return { head: text, more: '' };
  let head = text.slice(0, max);
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1); // never split a surrogate pair
  return { head, more: ` (${text.length} characters)` };
}
