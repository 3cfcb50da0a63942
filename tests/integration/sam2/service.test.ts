/**
 * The inference service with a SAM 2.1 model (issue 14), as the annotator uses it: ModelInfo names the family and
 * the capabilities the UI shows; a hover decode returns three candidates as previews (the one-stage upsampling
 * straight to the preview size) and accepting one gives the full mask; the disk cache keeps all three image
 * tensors, so a new session predicts the same from disk.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { imagePoint } from '../../../electron/common/frames.ts';
import { upsampleMaskDirect } from '../../../electron/common/maskUpsample.ts';
import { resolveAmgParams } from '../../../electron/common/amg/params.ts';
import { generateMasks } from '../../../electron/inference/amg.ts';
import { SamService } from '../../../electron/inference/samService.ts';
import { fixturesDir } from '../../helpers/paths.ts';
import { tempDir } from '../../helpers/projects.ts';

const model = path.join(fixturesDir, 'models', 'sam2-tiny-random');
const wide = path.join(fixturesDir, 'reference', 'wide.png');
const click = { points: [{ point: imagePoint(90, 80), label: 1 as const }] };
const services: SamService[] = [];

function service(diskCacheDir?: string): SamService {
  const s = new SamService({ providers: ['cpu'], threads: 1, diskCacheDir });
  services.push(s);
  return s;
}

afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()));
});

describe('SamService with a SAM 2.1 model', () => {
  it('reports family sam2, the layout, its capabilities and 3 image tensors per image', async () => {
    const info = await service().loadModel(model);
    expect(info).toMatchObject({
      layout: 'sam2',
      modelFamily: 'sam2',
      family: 'sam2.1',
      capabilities: {
        box: true,
        maskInput: true,
        singleMaskToken: true,
        singleMask: 'token0-unless-unstable',
      },
      geometry: { inputSize: 256, channels: 32, grid: 16, lowResSize: 64 },
    });
    expect(info.embeddingBytes).toBe((32 * 16 * 16 + 4 * 64 * 64 + 8 * 32 * 32) * 4);
  });

  it('hover: three preview candidates, each the low-res logits resized straight to the preview size', async () => {
    const s = service();
    await s.loadModel(model);
    const hover = await s.predict(wide, click, {
      multimask: true,
      lane: 'hover',
      output: { rle: false, bitmap: false, previewMaxSide: 64 },
    });
    expect(hover.candidates.map((c) => c.token)).toEqual([1, 2, 3]);
    for (const c of hover.candidates) {
      expect(c.rle).toBeUndefined();
      expect([c.preview!.width, c.preview!.height]).toEqual([64, 37]);
      const expected = upsampleMaskDirect(c.lowRes, { width: 64, height: 37 }).mask.data;
      expect(Buffer.from(c.preview!.data).equals(Buffer.from(expected))).toBe(true);
    }
    // Accepting one: the full mask from its logits equals a full decode's.
    const full = await s.predict(wide, click, { multimask: true, output: { rle: true, bitmap: false } });
    const accepted = await s.fullMask(wide, hover.candidates[2]!.lowRes);
    expect(accepted.rle).toBe(full.candidates[2]!.rle);
  });

  it('the disk cache keeps the three tensors: a new session predicts the same from disk', async () => {
    const dir = tempDir('sam2-cache-');
    const first = service(dir);
    await first.loadModel(model);
    const a = await first.predict(wide, click, { multimask: false });
    expect(a.embeddingSource).toBe('encoder');
    const second = service(dir);
    await second.loadModel(model);
    const b = await second.predict(wide, click, { multimask: false });
    expect(b.embeddingSource).toBe('disk');
    expect(b.candidates.map((c) => [c.token, c.rle])).toEqual(a.candidates.map((c) => [c.token, c.rle]));
  });

  it('transformers.js layout: automatic masks decode the grid in batches, with the same result prompt by prompt', async () => {
    const s = service();
    const info = await s.loadModel(path.join(fixturesDir, 'models', 'sam2-tiny-random-hf'));
    expect(info.gridBatching).toBe(true);
    const params = resolveAmgParams(
      { points_per_side: 6, pred_iou_thresh: 0.3, stability_score_thresh: 0 },
      info.modelFamily,
    );
    const batched = await generateMasks(s, wide, params, { batched: true });
    const single = await generateMasks(s, wide, params, { batched: false });
    expect(batched.stats.batched).toBe(true);
    expect(single.stats.batched).toBe(false);
    expect(batched.masks.length).toBeGreaterThan(0);
    const key = (m: (typeof batched.masks)[number]) => [m.rle.counts, m.point];
    expect(batched.masks.map(key)).toEqual(single.masks.map(key));
  });
});
