/**
 * `sam-file://image/<id>` and `sam-file://thumb/<id>`: the project's images for the renderer. The page cannot
 * name a path, only an image id of the open project, so it reads nothing the user did not add.
 */
import { protocol } from 'electron';
import type { BackendHost } from '../backendHost.ts';
import type { AppModule } from './module.ts';

export const FILE_SCHEME = 'sam-file';

/** Must run before the app is ready. */
export function registerFileScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: FILE_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

export function fileProtocolModule(backend: BackendHost): AppModule {
  return {
    name: 'file-protocol',
    start() {
      protocol.handle(FILE_SCHEME, async (request) => {
        const url = new URL(request.url);
        const id = Number(url.pathname.slice(1));
        const kind =
          url.hostname === 'thumb' ? 'thumbBytes' : url.hostname === 'image' ? 'imageBytes' : undefined;
        if (!kind || !Number.isInteger(id)) return new Response('not found', { status: 404 });
        try {
          const { type, body } = (await backend.call(kind, [id])) as { type: string; body: Uint8Array };
          return new Response(body as Uint8Array<ArrayBuffer>, { headers: { 'content-type': type } });
        } catch (error) {
          return new Response((error as Error).message, { status: 404 });
        }
      });
    },
    stop() {
      protocol.unhandle(FILE_SCHEME);
    },
  };
}
