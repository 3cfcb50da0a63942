/**
 * The Electron main process: a composition root, nothing else. Modules start in this order and stop in reverse:
 * security → backend process → file protocol → IPC → menu → window. Shutdown closes the window first, then the
 * backend (which closes the project: session ended, WAL checkpointed) last.
 */
import { app } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BackendHost } from './backendHost.ts';
import { appUrlMatcher } from './modules/appUrl.ts';
import { fileProtocolModule, registerFileScheme } from './modules/fileProtocol.ts';
import { ipcModule } from './modules/ipc.ts';
import { menuModule } from './modules/menu.ts';
import type { AppModule } from './modules/module.ts';
import { securityModule } from './modules/security.ts';
import { windowModule } from './modules/window.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererIndex = path.join(here, '..', 'renderer', 'index.html');
const isAppUrl = appUrlMatcher(path.dirname(rendererIndex));

registerFileScheme();
if (!app.requestSingleInstanceLock()) app.quit();

// Backend events arrive only after start, by which time `ipc` exists.
const backend = new BackendHost(path.join(here, 'backend.mjs'), {}, (event) => ipc.broadcast(event));
const ipc = ipcModule(backend, isAppUrl);

const modules: AppModule[] = [
  securityModule(isAppUrl),
  { name: 'backend', start: () => backend.start(), stop: () => backend.stop() },
  fileProtocolModule(backend),
  ipc,
  menuModule(),
  windowModule({ indexHtml: rendererIndex, preload: path.join(here, 'preload.cjs') }),
];

app.whenReady().then(async () => {
  for (const module of modules) await module.start();
});

let stopped = false;
app.on('before-quit', (event) => {
  if (stopped) return;
  event.preventDefault();
  stopped = true;
  void (async () => {
    for (const module of [...modules].reverse()) await module.stop?.();
    app.quit();
  })();
});
app.on('window-all-closed', () => app.quit());
