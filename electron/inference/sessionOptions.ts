/**
 * The onnxruntime session options of each worker's graphs, in one place (issues 16, 17), so the engine, the
 * bench (tests/bench/meta.ts compares them with onnxruntime's defaults) and the tests use the same settings.
 */
import type { InferenceSession } from 'onnxruntime-node';

/** Which graph a session runs: the image encoder, or a decoder (single prompt or batch graph). */
export type SessionRole = 'encoder' | 'decoder';

export interface SessionSettings {
  readonly provider: string;
  /** onnxruntime intra-op threads; 0 = onnxruntime's default (one per physical core). */
  readonly threads: number;
}

/**
 * The encoder and the decoder run at once in two workers, each with onnxruntime's threads on every core: threads
 * that spin while they wait take the cores the other worker needs (issue 17: a click during a prefetch encode).
 */
const NO_SPINNING = { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } };

export function sessionOptionsFor(
  role: SessionRole,
  settings: SessionSettings,
): InferenceSession.SessionOptions {
  return {
    executionProviders: [settings.provider],
    // onnxruntime rejects an undefined thread count: leave the key out for its default.
    ...(settings.threads ? { intraOpNumThreads: settings.threads } : {}),
    graphOptimizationLevel: 'all',
    logSeverityLevel: 4,
    extra: NO_SPINNING,
    // A memory pattern pre-plans the blocks of the graph's intermediates from the first run; a ViT encoder's
    // global-attention logits are 805 MB each (ViT-B), and the planned peak is far above what the arena reuses
    // without it. Measured peak RSS of one encode: ViT-B 6.9 → 3.8 GB, SAM 2.1 tiny 1.55 → 1.0 GB; time the
    // same within the noise of a shared machine (issue 16; `npm run bench -- meta` prints both). The decoders'
    // intermediates are small.
    ...(role === 'encoder' ? { enableMemPattern: false } : {}),
  };
}
