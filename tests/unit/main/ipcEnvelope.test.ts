/**
 * Issue 17: in the desktop app a backend error reached the renderer as "Error invoking remote method 'sam:…'",
 * so a user's mistake (a missing file) looked like a bug. The main process now answers with a result envelope
 * and the renderer turns it into the same BackendError serve mode throws.
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../electron/common/errors.ts';
import { envelopeOf, unwrapEnvelope } from '../../../electron/common/ipcEnvelope.ts';
import { BackendError, electronBackend, type PreloadBridge } from '../../../renderer/api/electronBackend.ts';

describe('the IPC result envelope', () => {
  it('carries a value', async () => {
    expect(await envelopeOf(() => Promise.resolve(42))).toEqual({ ok: true, value: 42 });
  });

  it('keeps a user error a user error, and a bug a bug', async () => {
    expect(
      await envelopeOf(() => {
        throw new UserError('/tmp/x.samproj: no such project');
      }),
    ).toEqual({ ok: false, error: { message: '/tmp/x.samproj: no such project', userError: true } });
    // The backend host rebuilds a utility-process error with the name 'UserError' when it was one.
    const relayed = Object.assign(new Error('disk full'), { name: 'UserError' });
    expect(await envelopeOf(() => Promise.reject(relayed))).toMatchObject({ error: { userError: true } });
    expect(await envelopeOf(() => Promise.reject(new TypeError('x is undefined')))).toEqual({
      ok: false,
      error: { message: 'x is undefined', userError: false },
    });
  });

  it('unwraps into the caller’s error type', () => {
    expect(unwrapEnvelope({ ok: true, value: 'v' }, () => new Error('never'))).toBe('v');
    expect(() =>
      unwrapEnvelope(
        { ok: false, error: { message: 'bad', userError: true } },
        (e) => new BackendError(e.message, e.userError),
      ),
    ).toThrow(BackendError);
  });
});

describe("the renderer's Electron backend", () => {
  it('throws the BackendError serve mode throws, with the message and the user-error flag', async () => {
    const bridge = {
      openProject: (file: string) =>
        envelopeOf(() => {
          throw new UserError(`${file}: no such project`);
        }),
      listCategories: () => envelopeOf(() => [{ id: 1, name: 'cat', color: '#fff', supercategory: null }]),
      onEvent: () => () => undefined,
      onMenuCommand: () => () => undefined,
      shell: {},
    } as unknown as PreloadBridge;
    const backend = electronBackend(bridge);
    const error = await backend.api.openProject('/p/a.samproj').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(error).toMatchObject({ message: '/p/a.samproj: no such project', userError: true });
    expect(await backend.api.listCategories()).toEqual([
      { id: 1, name: 'cat', color: '#fff', supercategory: null },
    ]);
  });
});
