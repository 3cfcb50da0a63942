/**
 * Issue 16: a click's decoder time with the decoder split into its image part (once per image) and its prompt
 * part, against the whole graph, in one process: two decoder Engines (`splitDecoder` on and off) on the same
 * random embedding, clicks without mask input alternating between them, p50 of each. Models: SAM 1 ViT-B size
 * and SAM 2.1 Hiera-T, random weights.
 */
import { decoderEngine } from '../helpers/decoderEngine.ts';
import type { Engine } from '../../electron/inference/worker/engine.ts';
import type { LayoutAdapter } from '../../electron/inference/layouts/layout.ts';
import { percentile } from './shared.ts';
import { onVitBAndHieraT } from './sam2.ts';

const CLICKS = 40;
const WARM_UP = 5;

export interface DecoderSplitRow {
  readonly model: string;
  readonly wholeP50: number;
  readonly splitP50: number;
  readonly note: string;
}

function randomEmbedding(layout: LayoutAdapter) {
  let seed = 5;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
  return Object.fromEntries(
    layout.imageTensors.map((s) => [
      s.name,
      { data: Float32Array.from({ length: s.dims.reduce((a, b) => a * b, 1) }, random), dims: s.dims },
    ]),
  );
}

async function measure(model: string, dir: string): Promise<DecoderSplitRow> {
  const split = await decoderEngine(dir, { threads: 2 });
  const whole = await decoderEngine(dir, { threads: 2, splitDecoder: false });
  const layout = split.folder.layout;
  const tensors = randomEmbedding(layout);
  const { frame } = layout.preprocess(new Uint8Array(1024 * 768 * 3), 1024, 768);
  for (const { engine } of [split, whole]) engine.setEmbedding({ key: 'bench', tensors, frame });
  const times = { split: [] as number[], whole: [] as number[] };
  const click = async (engine: Engine, i: number) =>
    (
      await engine.decode({
        key: 'bench',
        prompt: { points: [{ x: 100 + ((i * 37) % 800), y: 100 + ((i * 53) % 550), label: 1 }] },
        multimask: true,
        output: { rle: false, bitmap: false, previewMaxSide: 1024, previewBestOnly: true },
      })
    ).timings.decodeMs;
  for (let i = 0; i < CLICKS + WARM_UP; i++) {
    const a = await click(whole.engine, i);
    const b = await click(split.engine, i);
    if (i >= WARM_UP) {
      times.whole.push(a);
      times.split.push(b);
    }
  }
  return {
    model,
    wholeP50: percentile(times.whole, 50),
    splitP50: percentile(times.split, 50),
    note: split.init.graphNote?.replace(/^.*; /, '') ?? '',
  };
}

export function benchDecoderSplit(): Promise<DecoderSplitRow[]> {
  return onVitBAndHieraT(measure);
}

export function printDecoderSplit(rows: readonly DecoderSplitRow[]): void {
  console.log(
    '\nDecoder per click without mask input, split vs whole graph (in the worker, 2 threads, alternating)',
  );
  for (const r of rows) {
    console.log(
      `${r.model.padEnd(26)} whole graph p50 ${r.wholeP50.toFixed(1)} ms, split ${r.splitP50.toFixed(1)} ms ` +
        `(${(r.splitP50 / r.wholeP50).toFixed(2)}×; ${r.note})`,
    );
  }
}
