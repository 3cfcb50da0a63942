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
