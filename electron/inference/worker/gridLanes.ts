/**
 * Grid prompts of automatic mask generation on every core (issue 16): the decoder worker hands the prompts of a
 * `decodeGrid` request, one at a time, to lane workers (each a decoder Engine with its own session of
 * `threads / lanes` intra-op threads), each taking the next prompt when it finishes one. A one-prompt decode is
 * mostly small operations that two intra-op threads share poorly (they sleep between operations), and the
 * postprocessing is single-threaded JavaScript, so two single-threaded lanes keep both cores of a small machine
 * busy where one two-thread session did not.
 *
 * The result is the sequential one: every prompt is decoded on its own by the same graph, and the survivors are
 * put back in prompt order (tests/integration/amg/gridLanes.test.ts).
 */
import { Worker } from 'node:worker_threads';
import { WorkerHost } from '../workerHost.ts';
import type { Embedding } from '../embeddingCache.ts';
import type { DecodeGridArgs, DecodeGridResult, InitArgs } from './protocol.ts';

/**
 * A worker running the same entry as this one: from source through tsx (the CLI from the repo, tests), or the
 * bundled file itself (Electron).
 * @param entry `import.meta.url` of worker/main.
 */
export function spawnWorkerOf(entry: string): Worker {
  if (entry.endsWith('.ts'))
    return new Worker(new URL('./tsxBootstrap.js', entry), { workerData: { entry } });
  return new Worker(new URL(entry));
}

export class GridLanes {
  private readonly hosts: WorkerHost[];
  /** Embedding keys each lane holds (its `setEmbedding` answer). */
  private readonly held: Set<string>[];

  /**
   * @param init the decoder worker's own init arguments; each lane gets `threads` intra-op threads on the CPU.
   */
  constructor(init: InitArgs, lanes: number, threads: number, spawn: () => Worker) {
    this.hosts = Array.from({ length: lanes }, () => new WorkerHost('decoder', undefined, spawn));
    this.held = this.hosts.map(() => new Set());
    const args: InitArgs = { ...init, session: { providers: ['cpu'], threads } };
    for (const host of this.hosts) host.init(args).catch(() => {}); // failures surface on the first call
  }

  get count(): number {
    return this.hosts.length;
  }

  /** Stop the lane workers (their sessions and embeddings); a later grid starts new ones. */
  async close(): Promise<void> {
    await Promise.all(this.hosts.map((h) => h.close()));
  }

  /**
   * The request's prompts spread over the lanes, each decoded and filtered alone (`lanes: 1`), then merged in
   * prompt order: candidates, counts and summed timings as one sequential `decodeGrid` would give them.
   */
  async decodeGrid(embedding: Embedding, a: DecodeGridArgs): Promise<DecodeGridResult> {
    const count = a.points.length / 2;
    const results: DecodeGridResult[] = new Array(count);
    let next = 0;
    let failed = false;
    const lane = async (index: number) => {
      const host = this.hosts[index]!;
      const held = this.held[index]!;
      if (!held.has(embedding.key)) {
        const { kept } = await host.call(
          'setEmbedding',
          { key: embedding.key, tensors: embedding.tensors, frame: embedding.frame },
          'sending the embedding to a grid lane',
        );
        this.held[index] = new Set(kept);
      }
      while (next < count && !failed) {
        const i = next++;
        const points = a.points.slice(2 * i, 2 * i + 2);
        results[i] = await host.call('decodeGrid', { ...a, points, lanes: 1 }, 'decoding grid points');
      }
    };
    await Promise.all(
      this.hosts.map((_, index) =>
        lane(index).catch((error: unknown) => {
          failed = true;
          throw error;
        }),
      ),
    );
    const candidates: DecodeGridResult['candidates'][number][] = [];
    let decoded = 0;
    let upsampled = 0;
    let decodeMs = 0;
    let postprocessMs = 0;
    results.forEach((r, i) => {
      for (const c of r.candidates) candidates.push({ ...c, pointIndex: i });
      decoded += r.decoded;
      upsampled += r.upsampled;
      decodeMs += r.timings.decodeMs;
      postprocessMs += r.timings.postprocessMs;
    });
    return { candidates, decoded, upsampled, batched: false, timings: { decodeMs, postprocessMs } };
  }
}
