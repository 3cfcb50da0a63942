/**
 * IPC: one `ipcMain.handle` per contract method (and per shell verb), forwarding to the backend process. Only
 * the app's own page may call; arguments are passed through as the contract types them and validated where
 * they are used (store and services).
 */
import { BrowserWindow, type IpcMainInvokeEvent, dialog, ipcMain } from 'electron';
import {
  APP_METHODS,
  EVENT_CHANNEL,
  SHELL_PREFIX,
  type AppEvent,
  type ShellApi,
  channelOf,
} from '../../ipc/contract.ts';
import { envelopeOf } from '../../common/ipcEnvelope.ts';
import type { BackendHost } from '../backendHost.ts';
import type { AppModule } from './module.ts';

export function ipcModule(
  backend: BackendHost,
  isAppUrl: (url: string) => boolean,
): AppModule & { broadcast(event: AppEvent): void } {
  const checkSender = (event: IpcMainInvokeEvent) => {
    if (!event.senderFrame || !isAppUrl(event.senderFrame.url))
      throw new Error('IPC from an unexpected page');
  };
  const windowOf = (event: IpcMainInvokeEvent) => BrowserWindow.fromWebContents(event.sender) ?? undefined;
  const shell: {
    [M in keyof ShellApi]: (
      event: IpcMainInvokeEvent,
      ...args: Parameters<ShellApi[M]>
    ) => Promise<ReturnType<ShellApi[M]>>;
  } = {
    async pickProjectFile(event) {
      const r = await dialog.showOpenDialog(windowOf(event)!, {
        title: 'Open project',
        filters: [{ name: 'SAM Annotate project', extensions: ['samproj'] }],
        properties: ['openFile'],
      });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    async pickFolder(event, title) {
      const r = await dialog.showOpenDialog(windowOf(event)!, {
        title,
        properties: ['openDirectory', 'createDirectory'],
      });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    async pickSaveFile(event, title, defaultName) {
      const r = await dialog.showSaveDialog(windowOf(event)!, { title, defaultPath: defaultName });
      return r.canceled ? null : (r.filePath ?? null);
    },
    async pickJsonFile(event, title) {
      const r = await dialog.showOpenDialog(windowOf(event)!, {
        title,
        filters: [{ name: 'JSON', extensions: ['json'] }],
        properties: ['openFile'],
      });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
  };
  return {
    name: 'ipc',
    start() {
      for (const method of APP_METHODS) {
        // An envelope, never a rejection: invoke would rewrite the error and lose "user error" (issue 17).
        ipcMain.handle(channelOf(method), (event, ...args: unknown[]) =>
          envelopeOf(() => {
            checkSender(event);
            return backend.call(method, args);
          }),
        );
      }
      for (const [name, fn] of Object.entries(shell)) {
        ipcMain.handle(`${SHELL_PREFIX}${name}`, (event, ...args: unknown[]) => {
          checkSender(event);
          return (fn as (e: IpcMainInvokeEvent, ...a: unknown[]) => Promise<unknown>)(event, ...args);
        });
      }
    },
    stop() {
      for (const method of APP_METHODS) ipcMain.removeHandler(channelOf(method));
      for (const name of Object.keys(shell)) ipcMain.removeHandler(`${SHELL_PREFIX}${name}`);
    },
    broadcast(event) {
      for (const window of BrowserWindow.getAllWindows()) window.webContents.send(EVENT_CHANNEL, event);
    },
  };
}
