/** Shared by the automatic-stage tests: a folder of small generated scenes and the settings the fixture model needs. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AmgParams } from '../../../electron/common/amg/params.ts';
import type { AppEvent, AutoBatchStatus } from '../../../electron/ipc/contract.ts';
import type { AppBackend } from '../../../electron/services/appBackend.ts';
import { sampleImage } from '../../../electron/services/sampleImages.ts';
import { fixturesDir } from '../../helpers/paths.ts';

export const FIXTURE_MODEL = path.join(fixturesDir, 'models', 'tiny-random');

/**
 * Few prompts and settings the random weights pass (their predicted IoU reaches ~2, their stability stays below
 * 0.3, their masks overlap so much that box NMS would keep one): 2–16 masks per scene, fast on two cores.
 */
export const SMALL_AMG: Partial<AmgParams> = {
  points_per_side: 4,
  pred_iou_thresh: 0.9,
  stability_score_thresh: 0,
  box_nms_thresh: 1,
};

/** `count` distinct scenes of `width`×`height` in `dir/images`; returns the folder. */
export async function scenes(dir: string, count: number, width = 160, height = 120): Promise<string> {
  const images = path.join(dir, 'images');
  mkdirSync(images, { recursive: true });
  for (let i = 0; i < count; i++)
    writeFileSync(
      path.join(images, `scene-${String(i + 1).padStart(2, '0')}.png`),
      await sampleImage(i, width, height),
    );
  return images;
}

/** Resolves with the first 'auto-batch' status that passes `test`. */
export function nextStatus(
  backend: AppBackend,
  test: (status: AutoBatchStatus, event: AppEvent & { type: 'auto-batch' }) => boolean,
): Promise<AutoBatchStatus> {
  return new Promise((resolve) => {
    const off = backend.onEvent((event) => {
      if (event.type === 'auto-batch' && test(event.status, event)) {
        off();
        resolve(event.status);
      }
    });
  });
}
