/**
 * Inference benchmark: encoder ms, decoder ms per click (p50/p95 over many clicks), caller event-loop lag during
 * an encode, peak RSS, and the end-to-end cost of a click on a 12 MP photo. Runs on the committed fixture model
 * and on a ViT-B-size model with random weights, generated on demand into .cache/ (never committed). Then
 * issue 16's click target (clickTargets.ts): the CLI's click p50 beside a bare onnxruntime session, SAM 1 ViT-B
 * and SAM 2.1 Hiera-T. Timings are noisy on shared machines: compare ratios within one run.
 */
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { imagePoint } from '../../electron/common/frames.ts';
import { SamService } from '../../electron/inference/samService.ts';
import { fixturesDir } from '../helpers/paths.ts';
import { benchClickTargets, printClickTargets } from './clickTargets.ts';
import { benchDecoderSplit, printDecoderSplit } from './decoderSplit.ts';
import { cache, ensureVitB, percentile, syntheticPhoto } from './shared.ts';

export interface InferenceBenchRow {
  model: string;
  encoderMs: number;
  lagMaxMs: number;
  decodeP50: number;
  decodeP95: number;
  clickP50: number;
  clickP95: number;
  click12mpP50: number;
  hover12mpP50: number;
  peakRssMb: number;
}

/** Largest gap between 5 ms ticks of the caller's event loop while `work` runs. */
async function maxEventLoopLag<T>(work: () => Promise<T>): Promise<{ result: T; lagMs: number }> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 5);
    last = now;
  }, 5);
  try {
    const result = await work();
    return { result, lagMs: worst };
  } finally {
    clearInterval(timer);
  }
}

export async function benchModel(name: string, dir: string, clicks = 60): Promise<InferenceBenchRow> {
  mkdirSync(cache, { recursive: true });
  const photo = path.join(cache, 'photo-1600x1200.jpg');
  const big = path.join(cache, 'photo-4000x3000.jpg');
  await syntheticPhoto(photo, 1600, 1200);
  await syntheticPhoto(big, 4000, 3000);
  const service = new SamService({ threads: os.availableParallelism() });
  try {
    await service.loadModel(dir);
    // Warm-up run (first-run allocations), then the measured one with the event-loop probe.
    await service.embed(big);
    const { result, lagMs } = await maxEventLoopLag(() => service.embed(photo));
    const decodeMs: number[] = [];
    const clickMs: number[] = [];
    let seed = 1;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < clicks + 5; i++) {
      const p = await service.predict(
        photo,
        { points: [{ point: imagePoint(random() * 1600, random() * 1200), label: 1 }] },
        { multimask: true },
      );
      if (i < 5) continue; // warm-up
      decodeMs.push(p.timings.decodeMs);
      clickMs.push(p.timings.totalMs);
    }
    const bigClicks: number[] = [];
    for (let i = 0; i < 12; i++) {
      const p = await service.predict(
        big,
        { points: [{ point: imagePoint(random() * 4000, random() * 3000), label: 1 }] },
        { multimask: false },
      );
      if (i >= 2) bigClicks.push(p.timings.totalMs);
    }
    // Hover on the 12 MP photo: previews only (what the app's hover does), no full-resolution pass.
    const hovers: number[] = [];
    for (let i = 0; i < 12; i++) {
      const p = await service.predict(
        big,
        { points: [{ point: imagePoint(random() * 4000, random() * 3000), label: 1 }] },
        {
          multimask: true,
          output: { rle: false, bitmap: false, previewMaxSide: 1024 },
        },
      );
      if (i >= 2) hovers.push(p.timings.totalMs);
    }
    return {
      model: name,
      encoderMs: result.encodeMs ?? NaN,
      lagMaxMs: lagMs,
      decodeP50: percentile(decodeMs, 50),
      decodeP95: percentile(decodeMs, 95),
      clickP50: percentile(clickMs, 50),
      clickP95: percentile(clickMs, 95),
      click12mpP50: percentile(bigClicks, 50),
      hover12mpP50: percentile(hovers, 50),
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    await service.close();
  }
}

export async function benchInference(): Promise<InferenceBenchRow[]> {
  const rows = [
    await benchModel('fixture tiny-random (S=256)', path.join(fixturesDir, 'models', 'tiny-random')),
  ];
  rows.push(await benchModel('ViT-B random (S=1024)', ensureVitB()));
  return rows;
}

const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');

export function printInference(rows: InferenceBenchRow[]): void {
  console.log(
    '\nInference (ms unless noted; "click" = caller round trip incl. upsampling + RLE at 1600×1200)',
  );
  console.table(
    rows.map((r) => ({
      model: r.model,
      'encoder ms': fmt(r.encoderMs),
      'loop lag max': fmt(r.lagMaxMs),
      'decoder p50': fmt(r.decodeP50),
      'decoder p95': fmt(r.decodeP95),
      'click p50': fmt(r.clickP50),
      'click p95': fmt(r.clickP95),
      'click 12MP p50': fmt(r.click12mpP50),
      'hover 12MP p50 (3 previews)': fmt(r.hover12mpP50),
      'peak RSS MB': fmt(r.peakRssMb),
    })),
  );
  const vitb = rows.find((r) => r.model.startsWith('ViT-B'));
  if (vitb) {
    console.log(
      `targets: ViT-B decoder p50 ${fmt(vitb.decodeP50)} ms vs ≤ 25 ms (ratio ${(vitb.decodeP50 / 25).toFixed(2)}); ` +
        `event-loop lag ${fmt(vitb.lagMaxMs)} ms vs ≤ 10 ms (ratio ${(vitb.lagMaxMs / 10).toFixed(2)})`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printInference(await benchInference());
  printDecoderSplit(await benchDecoderSplit());
  printClickTargets(await benchClickTargets());
}
