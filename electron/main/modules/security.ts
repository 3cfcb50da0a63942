/**
 * Window and navigation security: no navigation away from the app's own page, no new windows, no permission
 * grants (camera, notifications…), and no webviews. The renderer runs with contextIsolation and sandbox on
 * (window.ts) and reaches the backend only through the preload's named verbs.
 */
import { app, session } from 'electron';
import type { AppModule } from './module.ts';

export function securityModule(isAppUrl: (url: string) => boolean): AppModule {
  return {
    name: 'security',
    start() {
      session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) =>
        callback(false),
      );
      app.on('web-contents-created', (_event, contents) => {
        contents.on('will-navigate', (event, url) => {
          if (!isAppUrl(url)) event.preventDefault();
        });
        contents.on('will-attach-webview', (event) => event.preventDefault());
        contents.setWindowOpenHandler(() => ({ action: 'deny' }));
      });
    },
  };
}
