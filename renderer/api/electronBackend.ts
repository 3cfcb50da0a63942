/**
 * The backend as the renderer sees it, and the desktop app's carrier of it (Electron's preload). Free of DOM
 * globals, so plain Node tests drive it (issue 17: errors keep their "user error" flag across IPC).
 */
import { type IpcEnvelope, unwrapEnvelope } from '../../electron/common/ipcEnvelope.ts';
import type {
  AppEvent,
  AppMethod,
  ClientApi,
  ClientShellApi,
  MenuCommand,
  PreloadApi,
} from '../../electron/ipc/contract.ts';

export interface Backend {
  readonly mode: 'electron' | 'serve';
  readonly api: ClientApi;
  /** Subscribe to backend events; returns the unsubscribe function. */
  onEvent(listener: (event: AppEvent) => void): () => void;
  /** URL of the image file as the browser can display it (EXIF orientation is applied by the browser). */
  imageUrl(imageId: number): string;
  thumbUrl(imageId: number): string;
  /** Serve mode: where the browser downloads an export the server wrote (`ExportReport.downloadId`, issue 17). */
  downloadUrl?(downloadId: string): string;
  /** Native dialogs (desktop app only). */
  readonly shell?: ClientShellApi;
  /** Native menu commands (desktop app only); returns the unsubscribe function. */
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
}

/** An error from the backend; `userError` ones carry a message meant for the user as is. */
export class BackendError extends Error {
  override readonly name = 'BackendError';
  constructor(
    message: string,
    readonly userError: boolean,
  ) {
    super(message);
  }
}

/**
 * What the Electron preload exposes on `window.sam` (see electron/main/preload.ts): each contract verb resolves
 * to a result envelope (electron/common/ipcEnvelope.ts).
 */
export interface PreloadBridge extends PreloadApi {
  onEvent(listener: (event: AppEvent) => void): () => void;
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
  readonly shell: ClientShellApi;
}

export function proxyApi(call: (method: AppMethod, args: unknown[]) => Promise<unknown>): ClientApi {
  return new Proxy({} as ClientApi, {
    get:
      (_target, method) =>
      (...args: unknown[]) =>
        call(method as AppMethod, args),
  });
}

/** The desktop app's backend: the preload's verbs, their envelopes unwrapped into BackendError (issue 17). */
export function electronBackend(bridge: PreloadBridge): Backend {
  const call = async (method: AppMethod, args: unknown[]): Promise<unknown> => {
    const verb = bridge[method] as (...a: unknown[]) => Promise<IpcEnvelope<unknown>>;
    return unwrapEnvelope(await verb(...args), (e) => new BackendError(e.message, e.userError));
  };
  return {
    mode: 'electron',
    api: proxyApi(call),
    onEvent: (listener) => bridge.onEvent(listener),
    imageUrl: (id) => `sam-file://image/${id}`,
    thumbUrl: (id) => `sam-file://thumb/${id}`,
    shell: bridge.shell,
    onMenuCommand: (listener) => bridge.onMenuCommand(listener),
  };
}
