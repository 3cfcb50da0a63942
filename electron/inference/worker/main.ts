/** Entry of an inference worker thread: dispatch requests to the engine, one at a time, in arrival order. */
import { parentPort } from 'node:worker_threads';
import { isUserError } from '../../common/errors.ts';
import { Engine } from './engine.ts';
import { spawnWorkerOf } from './gridLanes.ts';
import type {
  DecodeResult,
  EncodeResult,
  MaskForms,
  WorkerExit,
  WorkerRequest,
  WorkerResponse,
} from './protocol.ts';

const port = parentPort;
if (!port) throw new Error('worker/main.ts must run in a worker thread');

// Grid lanes (issue 16) are workers of this same entry.
const engine = new Engine(() => spawnWorkerOf(import.meta.url));

/** Buffers that can move to the host without a copy. */
function transferables(method: string, result: unknown): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const add = (view: ArrayBufferView | undefined) => {
    if (view && view.buffer instanceof ArrayBuffer && view.byteLength === view.buffer.byteLength)
      buffers.add(view.buffer);
  };
  if (method === 'encode' || method === 'encodePixels')
    for (const t of Object.values((result as EncodeResult).tensors)) add(t.data);
  if (method === 'upsample') {
    const forms = result as MaskForms;
    add(forms.bitmap);
    add(forms.preview?.data);
  }
  if (method === 'decode') {
    for (const c of (result as DecodeResult).candidates) {
      add(c.lowRes);
      add(c.bitmap);
      add(c.preview?.data);
    }
  }
  return [...buffers];
}

async function handle(request: WorkerRequest): Promise<WorkerResponse> {
  try {
    const { method, args } = request;
    let result: unknown;
    if (method === 'init') result = await engine.init(args as WorkerRequest<'init'>['args']);
    else if (method === 'encode') result = await engine.encode(args as WorkerRequest<'encode'>['args']);
    else if (method === 'setEmbedding')
      result = engine.setEmbedding(args as WorkerRequest<'setEmbedding'>['args']);
    else if (method === 'decode') result = await engine.decode(args as WorkerRequest<'decode'>['args']);
    else if (method === 'upsample') result = engine.upsample(args as WorkerRequest<'upsample'>['args']);
    else if (method === 'encodePixels')
      result = await engine.encodePixels(args as WorkerRequest<'encodePixels'>['args']);
    else if (method === 'decodeGrid')
      result = await engine.decodeGrid(args as WorkerRequest<'decodeGrid'>['args']);
    else throw new Error(`unknown worker method ${String(method)}`);
    return { id: request.id, ok: true, result };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    return {
      id: request.id,
      ok: false,
      error: { message: e.message, userError: isUserError(e), stack: e.stack },
    };
  }
}

// Requests run strictly one after another: onnxruntime runs are synchronous anyway, and ordering keeps
// setEmbedding before the decodes that need it.
let queue = Promise.resolve();
let exiting = false;
port.on('message', (message: WorkerRequest | WorkerExit) => {
  if ('control' in message) {
    // Reached only between native calls (a run blocks this thread): requests still queued are dropped (their
    // callers were answered by the host), and the thread ends when the current one is done.
    exiting = true;
    const exit = () => process.exit(0);
    queue = queue.then(exit, exit);
    return;
  }
  const request = message;
  queue = queue.then(async () => {
    if (exiting) return;
    const response = await handle(request);
    port.postMessage(response, response.ok ? transferables(request.method, response.result) : []);
  });
});
