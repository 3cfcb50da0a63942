/**
 * The encoder's threads yield the cores to a click (issue 16, electron/inference/worker/threadPriority.ts): on
 * Linux the encoder worker's thread and the onnxruntime threads it starts run at nice 10; the process's main
 * thread and the decoder's threads stay at 0. Read from /proc/self/task/<tid>/stat (field 19: nice).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { imagePoint } from '../../electron/common/frames.ts';
import { SamService } from '../../electron/inference/samService.ts';
import { ENCODER_NICE } from '../../electron/inference/worker/threadPriority.ts';
import { fixturesDir } from '../helpers/paths.ts';

/** Nice value of every thread of this process, by thread id. */
function threadNices(): Map<number, number> {
  const nices = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended between the listing and the read
    }
    // Fields after "(comm)" start at field 3 (state); nice is field 19.
    nices.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
  }
  return nices;
}

const service = new SamService({ providers: ['cpu'], threads: 2 });
afterAll(() => service.close());

describe.skipIf(process.platform !== 'linux')('encoder threads at a lower priority (Linux)', () => {
  it('lowers the encoder worker and its onnxruntime threads, not the main thread or the decoder', async () => {
    const before = threadNices();
    expect([...before.values()].every((n) => n === 0)).toBe(true);
    await service.loadModel(path.join(fixturesDir, 'models', 'tiny-random'));
    await service.predict(path.join(fixturesDir, 'reference', 'wide.png'), {
      points: [{ point: imagePoint(90, 80), label: 1 }],
    });
    const after = threadNices();
    expect(after.get(process.pid)).toBe(0);
    const lowered = [...after.values()].filter((n) => n === ENCODER_NICE).length;
    // The worker's own thread and at least one intra-op thread of its 2-thread session.
    expect(lowered).toBeGreaterThanOrEqual(2);
    // Every new thread but the encoder's: the decoder worker, its session's threads, libuv and V8 helpers.
    const newAtZero = [...after].filter(([tid, n]) => !before.has(tid) && n === 0).length;
    expect(newAtZero).toBeGreaterThanOrEqual(2);
  });
});
