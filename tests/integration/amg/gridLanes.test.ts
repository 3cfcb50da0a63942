/**
 * Grid prompts spread over lane workers (issue 16, electron/inference/worker/gridLanes.ts) give exactly the masks
 * of decoding them one after another in the decoder worker: same masks, same order, same RLE, scores and
 * counts, for every reference run (tests/fixtures/amg) and for 2 and 3 lanes, with a batch of prompts larger
 * than the service's slices; with and without the model's batch graph (lanes then take runs of prompts).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type AmgParams, resolveAmgParams } from '../../../electron/common/amg/params.ts';
import { toSa1bAnnotations } from '../../../electron/common/amg/pipeline.ts';
import { generateMasks } from '../../../electron/inference/amg.ts';
import { SamService } from '../../../electron/inference/samService.ts';
import { tinyBatchModel } from '../../helpers/models.ts';
import { fixturesDir } from '../../helpers/paths.ts';

const amgDir = path.join(fixturesDir, 'amg');
const image = path.join(fixturesDir, 'reference', 'wide.png');
const runs = readdirSync(amgDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((file) => ({
    file,
    params: (
      JSON.parse(readFileSync(path.join(amgDir, file), 'utf8')) as {
        reference: { params: Partial<AmgParams> };
      }
    ).reference.params,
  }));

const service = new SamService({ providers: ['cpu'], threads: 2 });
afterAll(() => service.close());

const models = [
  {
    name: 'one decoder run per prompt',
    dir: () => path.join(fixturesDir, 'models', 'tiny-random'),
    batched: false,
  },
  {
    // Lanes take runs of LANE_BATCH prompts: 100 per request leaves a shorter last run.
    name: 'decoder_batch.onnx',
    dir: tinyBatchModel,
    batched: true,
  },
];

describe.each(models)('AMG on grid lanes equals the sequential decode: $name', ({ dir, batched }) => {
  it.each(runs)('$file', async ({ params }) => {
    await service.loadModel(dir());
    const p = resolveAmgParams({ ...params, points_per_batch: 100 });
    const sequential = await generateMasks(service, image, p, { lanes: 1 });
    expect(sequential.stats.batched).toBe(batched);
    for (const lanes of [2, 3]) {
      const parallel = await generateMasks(service, image, p, { lanes });
      expect(toSa1bAnnotations(parallel.masks)).toEqual(toSa1bAnnotations(sequential.masks));
      const { decoded, upsampled, candidates, prompts } = sequential.stats;
      expect(parallel.stats).toMatchObject({ decoded, upsampled, candidates, prompts, batched });
    }
  });
});
