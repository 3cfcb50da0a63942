/** The main window: sandboxed renderer, context isolation, no Node; loads the built renderer from disk. */
import { BrowserWindow } from 'electron';
import type { AppModule } from './module.ts';

export interface WindowModule extends AppModule {
  readonly window: () => BrowserWindow | undefined;
}

export function windowModule(options: { indexHtml: string; preload: string }): WindowModule {
  let window: BrowserWindow | undefined;
  return {
    name: 'window',
    window: () => window,
    async start() {
      window = new BrowserWindow({
        width: 1440,
        height: 900,
        minWidth: 900,
        minHeight: 600,
        title: 'SAM Annotate',
        backgroundColor: '#1e1f22',
        show: false,
        webPreferences: {
          preload: options.preload,
          contextIsolation: true,
          sandbox: true,
          nodeIntegration: false,
          webviewTag: false,
          spellcheck: false,
        },
      });
      window.once('ready-to-show', () => window?.show());
      window.on('closed', () => {
        window = undefined;
      });
      await window.loadFile(options.indexHtml);
    },
    stop() {
      window?.destroy();
    },
  };
}
