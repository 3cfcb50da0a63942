/**
 * The result envelope of an Electron IPC call (issue 17). `ipcRenderer.invoke` rewrites a rejected handler's
 * error as "Error invoking remote method …" and the context bridge drops an error's own properties, so the
 * main process never rejects: it answers `{ok, value}` or `{ok: false, error}` and the renderer throws the same
 * BackendError serve mode's HTTP client throws (user error vs bug kept).
 */
import { describeError, isUserError } from './errors.ts';
import type { WireError } from './wire.ts';

export type IpcEnvelope<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: WireError };

/** Run a handler and wrap what it returns or throws (main process). */
export async function envelopeOf<T>(run: () => T | Promise<T>): Promise<IpcEnvelope<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error: { message: describeError(error), userError: isUserError(error) } };
  }
}

/** The value, or the error `toError` makes of the envelope's (renderer). */
export function unwrapEnvelope<T>(envelope: IpcEnvelope<T>, toError: (error: WireError) => Error): T {
  if (envelope.ok) return envelope.value;
  throw toError(envelope.error);
}
