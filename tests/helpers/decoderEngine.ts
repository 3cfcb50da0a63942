/** A decoder worker's Engine on a model folder, in this thread (tests of what the decoder worker does). */
import { FileHashCache } from '../../electron/inference/fileHash.ts';
import { type ModelFolder, openModelFolder } from '../../electron/inference/modelFolder.ts';
import { Engine } from '../../electron/inference/worker/engine.ts';
import type { InitArgs, InitResult } from '../../electron/inference/worker/protocol.ts';

/** @param options intra-op threads (default 1), and `splitDecoder` as InitArgs has it. */
export async function decoderEngine(
  dir: string,
  options: { threads?: number } & Pick<InitArgs, 'splitDecoder'> = {},
): Promise<{ engine: Engine; init: InitResult; folder: ModelFolder }> {
  const folder = await openModelFolder(dir, new FileHashCache());
  const engine = new Engine();
  const init = await engine.init({
    role: 'decoder',
    dir,
    graphs: folder.graphs,
    manifest: folder.manifest,
    maskThreshold: 0,
    session: { providers: ['cpu'], threads: options.threads ?? 1 },
    ...(options.splitDecoder === undefined ? {} : { splitDecoder: options.splitDecoder }),
  });
  return { engine, init, folder };
}
