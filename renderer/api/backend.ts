/**
 * The renderer's connection to the backend, whatever carries it: Electron's preload (named verbs derived from
 * the contract) or serve mode's HTTP bridge. Both give the same `ClientApi`, derived from electron/ipc/contract.ts.
 */
import {
  API_PATH,
  DOWNLOAD_PATH,
  EVENTS_PATH,
  IMAGE_PATH,
  THUMB_PATH,
  TOKEN_HEADER,
  TOKEN_PARAM,
} from '../../electron/common/bridge.ts';
import { decodeWire, encodeWire, type WireError } from '../../electron/common/wire.ts';
import type { AppEvent, AppMethod } from '../../electron/ipc/contract.ts';
import {
  type Backend,
  BackendError,
  type PreloadBridge,
  electronBackend,
  proxyApi,
} from './electronBackend.ts';

export { type Backend, BackendError, type PreloadBridge, electronBackend };

declare global {
  interface Window {
    sam?: PreloadBridge;
  }
}

function httpBackend(token: string): Backend {
  const call = async (method: AppMethod, args: unknown[]): Promise<unknown> => {
    let response: Response;
    try {
      response = await fetch(`${API_PATH}/${method}`, {
        method: 'POST',
        headers: { [TOKEN_HEADER]: token, 'content-type': 'application/octet-stream' },
        body: encodeWire(args) as Uint8Array<ArrayBuffer>,
      });
    } catch {
      throw new BackendError(
        'the SAM Annotate server is not reachable (is `sam-annotate serve` still running?)',
        true,
      );
    }
    if (!response.ok) {
      const error = (await response
        .json()
        .catch(() => ({ message: response.statusText, userError: false }))) as WireError;
      throw new BackendError(error.message, error.userError);
    }
    return decodeWire(new Uint8Array(await response.arrayBuffer()));
  };
  const query = `${TOKEN_PARAM}=${encodeURIComponent(token)}`;
  return {
    mode: 'serve',
    api: proxyApi(call),
    onEvent(listener) {
      const source = new EventSource(`${EVENTS_PATH}?${query}`);
      source.onmessage = (message) => listener(JSON.parse(message.data as string) as AppEvent);
      return () => source.close();
    },
    imageUrl: (id) => `${IMAGE_PATH}/${id}?${query}`,
    thumbUrl: (id) => `${THUMB_PATH}/${id}?${query}`,
    downloadUrl: (id) => `${DOWNLOAD_PATH}/${encodeURIComponent(id)}?${query}`,
    onMenuCommand: () => () => undefined,
  };
}

/** Connect to whichever backend this page runs against. */
export function connectBackend(location: Location = window.location): Backend {
  if (window.sam) return electronBackend(window.sam);
  const fromUrl = new URLSearchParams(location.search).get(TOKEN_PARAM);
  if (fromUrl) sessionStorage.setItem(TOKEN_PARAM, fromUrl);
  const token = fromUrl ?? sessionStorage.getItem(TOKEN_PARAM) ?? '';
  return httpBackend(token);
}
