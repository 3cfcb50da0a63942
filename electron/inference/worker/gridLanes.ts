/**
 * Grid prompts of automatic mask generation on every core (issue 16): the decoder worker hands the prompts of a
 * `decodeGrid` request, one at a time (in runs of LANE_BATCH with a batch graph), to lane workers (each a
 * decoder Engine with its own session of `threads / lanes` intra-op threads), each taking the next prompt when
 * it finishes one. A one-prompt decode is mostly small operations that two intra-op threads share poorly (they
 * sleep between operations), and the postprocessing is single-threaded JavaScript, so two single-threaded lanes
 * keep both cores of a small machine busy where one two-thread session did not.
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

/**
 * Prompts per run when the lanes decode with the model's batch graph (issue 16). The batch graph computes the
 * image-only steps of a decode once per run; on one thread (ViT-B decoder) a prompt cost ~83 ms alone and
 * ~66 ms in runs of 4, 8 or 16 alike, so small runs keep that gain, spread over the lanes evenly and keep the
 * intermediates small (a run of 64 held ~8 GB at its peak).
 */
export const LANE_BATCH = 8;

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
   * The request's prompts spread over the lanes, each run of `chunk` prompts decoded and filtered alone (`lanes:
   * 1`), then merged in prompt order: candidates, counts and summed timings as one sequential `decodeGrid` would
   * give them. `chunk` is 1 for a decoder of one prompt per run; with the model's batch graph the lanes take
   * runs of {@link LANE_BATCH} prompts.
   */
  async decodeGrid(embedding: Embedding, a: DecodeGridArgs, chunk = 1): Promise<DecodeGridResult> {
    const count = Math.ceil(a.points.length / 2 / chunk);
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
        const points = a.points.slice(2 * i * chunk, 2 * (i + 1) * chunk);
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
      for (const c of r.candidates) candidates.push({ ...c, pointIndex: i * chunk + c.pointIndex });
      decoded += r.decoded;
      upsampled += r.upsampled;
      decodeMs += r.timings.decodeMs;
      postprocessMs += r.timings.postprocessMs;
    });
    const batched = results.some((r) => r.batched);
    return { candidates, decoded, upsampled, batched, timings: { decodeMs, postprocessMs } };
  }
}
