/**
 * Entry of the backend utility process: the same AppBackend serve mode uses, answering the main process's
 * requests. The inference workers are this bundle's own worker entry.
 */
import { Worker } from 'node:worker_threads';
import { describeError, isUserError } from '../common/errors.ts';
import { APP_METHODS } from '../ipc/contract.ts';
import { dataDir } from '../node/appPaths.ts';
import { ThumbnailCache, displayImage } from '../serve/images.ts';
import { AppBackend } from '../services/appBackend.ts';
import { providerChoice } from '../inference/providers.ts';
import { openRegistry, resolveModelDir } from '../models/defaultModel.ts';
import type { BackendMessage, BackendRequest } from './backendProtocol.ts';

const port = process.parentPort;
const methods = new Set<string>(APP_METHODS);
const thumbs = new ThumbnailCache();

// The model registry with its checksums cached on disk, as the CLI keeps them: listing big models stays fast.
const registry = openRegistry();
const model = await resolveModelDir(process.env.SAM_ANNOTATE_MODEL || undefined, registry);
const providers = providerChoiceOrDefault(process.env.SAM_PROVIDERS);
const backend = new AppBackend({
  mode: 'electron',
  dataDir: dataDir(),
  modelDir: model?.dir,
  registry,
  inference: {
    // SAM_PROVIDERS chooses the execution providers in the app as in the CLI; unset = the platform's default.
    providers: providers.providers,
    providersRequested: providers.requested,
    spawnWorker: () => new Worker(new URL('./inferenceWorker.mjs', import.meta.url)),
  },
});
backend.onEvent((event) => port.postMessage({ kind: 'event', event } satisfies BackendMessage));
if (process.env.SAM_ANNOTATE_OPEN) {
  // Opened from the command line (sam-annotate start FILE); a failure shows as the start screen.
  await backend
    .openProject(process.env.SAM_ANNOTATE_OPEN)
    .catch((error: unknown) => console.error(describeError(error)));
}

async function answer(request: BackendRequest): Promise<unknown> {
  if (request.method === 'imageBytes') return displayImage(backend.imageFile(request.args[0] as number));
  if (request.method === 'thumbBytes') return thumbs.get(backend.imageFile(request.args[0] as number));
  if (!methods.has(request.method)) throw new Error(`unknown method ${request.method}`);
  const fn = backend[request.method as (typeof APP_METHODS)[number]] as (...args: unknown[]) => unknown;
  return fn.apply(backend, request.args);
}

port.on('message', ({ data }: { data: BackendRequest }) => {
  answer(data).then(
    (result) => port.postMessage({ kind: 'reply', id: data.id, ok: true, result } satisfies BackendMessage),
    (error: unknown) =>
      port.postMessage({
        kind: 'reply',
        id: data.id,
        ok: false,
        error: { message: describeError(error), userError: isUserError(error) },
      } satisfies BackendMessage),
  );
});

/** A bad SAM_PROVIDERS must not keep the app from starting: say so and use the platform's default. */
function providerChoiceOrDefault(spec: string | undefined) {
  try {
    return providerChoice(spec);
  } catch (error) {
    console.error(`SAM_PROVIDERS: ${describeError(error)}; using the default providers`);
    return providerChoice(undefined);
  }
}
