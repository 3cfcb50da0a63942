/**
 * The contract over serve mode's HTTP bridge, called as the renderer's client calls it (token in the header):
 * for tests that drive a real `startServer`. An error answer throws its message.
 */
import { API_PATH, TOKEN_HEADER } from '../../electron/common/bridge.ts';
import { decodeWire, encodeWire } from '../../electron/common/wire.ts';
import type { AppMethod, ClientApi } from '../../electron/ipc/contract.ts';

export function serveClient(origin: string, token: string): ClientApi {
  return new Proxy({} as ClientApi, {
    get:
      (_t, method) =>
      async (...args: unknown[]) => {
        const response = await fetch(`${origin}${API_PATH}/${String(method as AppMethod)}`, {
          method: 'POST',
          headers: { [TOKEN_HEADER]: token },
          body: encodeWire(args) as Uint8Array<ArrayBuffer>,
        });
        if (!response.ok) throw new Error(((await response.json()) as { message: string }).message);
        return decodeWire(new Uint8Array(await response.arrayBuffer()));
      },
  });
}
