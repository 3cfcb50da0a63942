/**
 * The preload: a short allow-list of named verbs on `window.sam`, one per contract method (derived from the
 * contract's method table), plus event and menu subscriptions and the native dialogs. Never exposes
 * ipcRenderer, send(channel, …) or sendSync. Runs sandboxed; bundled to CommonJS.
 */
import { contextBridge, ipcRenderer } from 'electron';
import {
  APP_METHODS,
  COMMAND_CHANNEL,
  EVENT_CHANNEL,
  SHELL_METHODS,
  SHELL_PREFIX,
  type AppEvent,
  type MenuCommand,
  channelOf,
} from '../ipc/contract.ts';

// Each verb resolves to the main process's result envelope (electron/common/ipcEnvelope.ts), never rejects: the
// context bridge would drop an error's "user error" flag. The renderer unwraps it (renderer/api/backend.ts).
const verbs: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
for (const method of APP_METHODS) verbs[method] = (...args) => ipcRenderer.invoke(channelOf(method), ...args);
const shell: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
for (const method of SHELL_METHODS)
  shell[method] = (...args) => ipcRenderer.invoke(`${SHELL_PREFIX}${method}`, ...args);

function subscribe<T>(channel: string, listener: (value: T) => void): () => void {
  const handler = (_event: unknown, value: T) => listener(value);
  ipcRenderer.on(channel, handler);
  return () => ipcRenderer.removeListener(channel, handler);
}

contextBridge.exposeInMainWorld('sam', {
  ...verbs,
  shell,
  onEvent: (listener: (event: AppEvent) => void) => subscribe(EVENT_CHANNEL, listener),
  onMenuCommand: (listener: (command: MenuCommand) => void) => subscribe(COMMAND_CHANNEL, listener),
});
