/**
 * Click latency while the app works in the background (issue 17): p50 of a click (caller round trip, RLE at
 * 1600×1200) on an idle service, during an automatic pass on another image (AMG, 'background' priority, decoded
 * prompt by prompt) and during prefetch encodes of other images, on the demo model, then during prefetch encodes
 * on a ViT-B-size model (seconds per encode); the target is each busy p50 ≤ 1.5 × the idle p50. Timings are
 * noisy on shared machines: compare the ratios of one run.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { resolveAmgParams } from '../../electron/common/amg/params.ts';
import { imagePoint } from '../../electron/common/frames.ts';
import { generateMasks } from '../../electron/inference/amg.ts';
import { SamService } from '../../electron/inference/samService.ts';
import { repoRoot } from '../helpers/paths.ts';
import { cache, ensureVitB, percentile, syntheticPhoto } from './shared.ts';

const demo = path.join(repoRoot, 'native-models', 'builtin', 'sam-annotate-demo');
const CLICKS = 20;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function photos(count: number): Promise<string[]> {
  mkdirSync(cache, { recursive: true });
  const files = Array.from({ length: count }, (_, i) => path.join(cache, `clicks-${i}.jpg`));
  // Different widths: different bytes, so each image needs its own encode.
  await Promise.all(files.map((file, i) => syntheticPhoto(file, 1600 + i, 1200)));
  return files;
}

/** Clicks on `file` one after the other (a short pause between, as a person clicks) while `busy()` holds. */
async function clicks(service: SamService, file: string, busy: () => boolean): Promise<number[]> {
  let seed = 7;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const times: number[] = [];
  while (times.length < CLICKS && busy()) {
    const started = performance.now();
    await service.predict(file, {
      points: [{ point: imagePoint(random() * 1600, random() * 1200), label: 1 }],
    });
    if (busy()) times.push(performance.now() - started);
    await pause(30 + random() * 70);
  }
  return times;
}

/**
 * Idle clicks, then clicks during an automatic pass (when `pass`), then during prefetch encodes of `prefetch`
 * other images, on the model in `dir`.
 */
async function clickRatios(label: string, dir: string, pass: boolean, prefetch: number): Promise<void> {
  const [clicked, passImage, ...prefetched] = await photos(prefetch + 2);
  const service = new SamService();
  try {
    await service.loadModel(dir);
    await service.embed(clicked!);
    await clicks(service, clicked!, () => true); // warm-up
    const idle = await clicks(service, clicked!, () => true);

    let duringPass: number[] = [];
    if (pass) {
      let passing = true;
      const amg = generateMasks(service, passImage!, resolveAmgParams({}), {
        priority: 'background',
      }).finally(() => (passing = false));
      await pause(300); // the pass's encode is done, its grid decodes run
      duringPass = await clicks(service, clicked!, () => passing);
      await amg;
    }

    service.prefetch(prefetched);
    const prefetching = () => prefetched.some((f) => service.state(f) !== 'ready');
    await pause(20);
    const duringPrefetch = await clicks(service, clicked!, prefetching);
    service.cancelPrefetch();

    const p50 = (t: number[]) => (t.length ? percentile(t, 50) : NaN);
    const line = (name: string, t: number[]) =>
      `${name} p50 ${p50(t).toFixed(0)} ms (${t.length} clicks), ratio to idle ${(p50(t) / p50(idle)).toFixed(2)} (target ≤ 1.5)`;
    console.log(`\nClick latency, ${label} (round trip, 1600×1200): idle p50 ${p50(idle).toFixed(0)} ms`);
    if (pass) console.log(line('during an automatic pass:', duringPass));
    console.log(line('during prefetch encodes:', duringPrefetch));
  } finally {
    await service.close();
  }
}

export async function benchClicks(): Promise<void> {
  await clickRatios('demo model', demo, true, 38);
  // A ViT-B encode holds both cores for seconds: the case the encoder's lower thread priority is for.
  await clickRatios('ViT-B-size model', ensureVitB(), false, 3);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchClicks();
}
